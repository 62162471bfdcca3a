"""The numpy Hampel check in oracle.quality gives pvanalytics' own answers."""

import numpy as np
import pandas as pd
from pvanalytics.quality import gaps, outliers

from oracle.quality import hampel_outliers


def series_with_runs(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.normal(500, 100, 400)
    for start, length in ((20, 3), (50, 6), (120, 9), (300, 5), (390, 10)):
        values[start:start + length] = values[start]
    values[200:206] = values[200] * (1 + rng.uniform(-1e-7, 1e-7, 6))  # within rtol: still stuck
    return values


def test_hampel_matches_pvanalytics_hampel():
    rng = np.random.default_rng(3)
    x = rng.normal(100, 10, 500)
    x[rng.choice(500, 15, replace=False)] += rng.choice([-1, 1], 15) * rng.uniform(40, 90, 15)
    for window, deviation in ((5, 3.0), (9, 6.0), (7, 2.0)):
        expected = outliers.hampel(pd.Series(x), window=window, max_deviation=deviation).to_numpy()
        assert expected.any()
        np.testing.assert_array_equal(hampel_outliers(x, window, deviation), expected)


def test_hampel_floor_ignores_small_steps_in_a_flat_window():
    x = np.array([10.0, 10.0, 10.0, 10.0, 10.5, 10.0, 10.0, 10.0, 10.0])
    assert hampel_outliers(x, 5, 3.0)[4]
    assert not hampel_outliers(x, 5, 3.0, floor=1.0).any()
