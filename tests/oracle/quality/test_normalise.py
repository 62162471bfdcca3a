"""normalise: readings of every kind and resolution -> aligned UTC 15-minute intervals, energy
conserved exactly (integer and quarter-Wh energies have exact float sums)."""

import numpy as np
import pandas as pd
import pytest
from quality_helpers import readings

from oracle.errors import InputError
from oracle.normalise import energy_in_wh, normalise
from oracle.readings import Readings
from oracle.timeutil import DAY_S, parse_utc

T0 = parse_utc("2025-01-15T12:00:00Z")


def assert_grid(frame: pd.DataFrame) -> None:
    starts = frame["interval_start"].to_numpy()
    assert frame["interval_start"].dtype == np.int64
    assert (starts % 900 == 0).all()
    assert (np.diff(starts) == 900).all()
    assert list(frame.columns) == ["interval_start", "energy_wh", "coverage", "duplicate",
                                   "register_reset"]


def test_five_minute_energy_sums_into_intervals():
    out = normalise(readings(T0 + 300 * np.arange(6), [1, 2, 3, 4, 5, 6], 300))
    assert_grid(out)
    assert out["interval_start"].tolist() == [T0, T0 + 900]
    assert out["energy_wh"].tolist() == [6.0, 15.0]
    assert out["coverage"].tolist() == [1.0, 1.0]
    assert out["energy_wh"].sum() == out.attrs["energy_in_wh"] == 21.0


def test_fifteen_minute_energy_passes_through():
    values = np.arange(1, 97, dtype=float)
    out = normalise(readings(T0 + 900 * np.arange(96), values))
    assert out["energy_wh"].tolist() == values.tolist()
    assert out["energy_wh"].sum() == values.sum()


def test_hourly_energy_is_split_evenly_into_quarters():
    out = normalise(readings([T0, T0 + 3600], [1000.0, 2.0], 3600))
    assert_grid(out)
    assert len(out) == 8
    assert out["energy_wh"].tolist() == [250.0] * 4 + [0.5] * 4
    assert (out["coverage"] == 1).all()
    assert out["energy_wh"].sum() == 1002.0 == energy_in_wh(readings([T0, T0 + 3600], [1000.0, 2.0], 3600))


def test_power_samples_are_integrated_over_their_step():
    # 1-minute samples of 6,000 W: 100 Wh per minute, 1,500 Wh per interval
    out = normalise(readings(T0 + 60 * np.arange(30), np.full(30, 6000.0), 60, kind="power"))
    assert out["energy_wh"].tolist() == [1500.0, 1500.0]
    assert out.attrs["energy_in_wh"] == 3000.0


def test_register_is_differenced_and_a_reset_is_flagged_not_negative():
    values = [1000.0, 1100.0, 1300.0, 50.0, 250.0]
    out = normalise(readings(T0 + 900 * np.arange(5), values, kind="register"))
    assert out["energy_wh"].tolist() == [100.0, 200.0, 0.0, 200.0]
    assert out["register_reset"].tolist() == [False, False, True, False]
    assert (out["energy_wh"] >= 0).all()
    assert out["energy_wh"].sum() == out.attrs["energy_in_wh"] == 500.0


def test_register_with_a_missing_value_spreads_the_step_over_the_hole():
    out = normalise(readings(T0 + 900 * np.arange(4), [0.0, 100.0, np.nan, 300.0], kind="register"))
    assert out["energy_wh"].tolist() == [100.0, 100.0, 100.0]
    assert (out["coverage"] == 1).all()


def test_identical_duplicates_collapse_silently():
    out = normalise(readings([T0, T0, T0 + 900], [10.0, 10.0, 20.0]))
    assert out["energy_wh"].tolist() == [10.0, 20.0]
    assert not out["duplicate"].any()
    assert out.attrs["energy_in_wh"] == 30.0


def test_conflicting_duplicates_keep_the_smallest_value_and_are_flagged():
    out = normalise(readings([T0, T0, T0 + 900, T0], [10.0, 12.0, 20.0, 10.0]))
    assert out["energy_wh"].tolist() == [10.0, 20.0]
    assert out["duplicate"].tolist() == [True, False]
    assert out["energy_wh"].sum() == out.attrs["energy_in_wh"] == 30.0


def test_overlapping_spans_are_duplicate_and_counted_once_each():
    out = normalise(readings([T0, T0 + 300], [30.0, 5.0], [900, 300]))
    assert out["energy_wh"].tolist() == [35.0]
    assert out["duplicate"].tolist() == [True]
    assert out["coverage"].tolist() == [1.0]


def test_out_of_order_rows_are_sorted():
    starts = T0 + 900 * np.array([3, 0, 2, 1])
    out = normalise(readings(starts, [4.0, 1.0, 3.0, 2.0]))
    assert out["energy_wh"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_gaps_are_rows_with_zero_coverage_and_energy():
    out = normalise(readings([T0, T0 + 3 * 900], [5.0, 7.0]))
    assert_grid(out)
    assert out["energy_wh"].tolist() == [5.0, 0.0, 0.0, 7.0]
    assert out["coverage"].tolist() == [1.0, 0.0, 0.0, 1.0]


def test_nan_is_missing_and_a_partial_interval_has_its_coverage():
    out = normalise(readings(T0 + 300 * np.arange(6), [1, np.nan, 3, np.nan, np.nan, np.nan], 300))
    assert out["energy_wh"].tolist() == [4.0]
    assert out["coverage"].tolist() == [pytest.approx(2 / 3)]
    assert out.attrs["energy_in_wh"] == 4.0


def test_off_grid_timestamps_are_shared_by_overlap():
    # 15-minute spans starting at :07 go 8/15 to their own interval and 7/15 to the next
    starts = T0 + 7 * 60 + 900 * np.arange(4)
    out = normalise(readings(starts, np.full(4, 150.0)))
    assert_grid(out)
    assert out["interval_start"].iloc[0] == T0
    assert out["energy_wh"].to_numpy() == pytest.approx([80.0, 150.0, 150.0, 150.0, 70.0])
    assert out["coverage"].to_numpy() == pytest.approx([8 / 15, 1, 1, 1, 7 / 15])
    assert out["energy_wh"].sum() == pytest.approx(600.0, rel=1e-15)


def test_negative_energy_is_passed_through_for_the_checks():
    out = normalise(readings([T0], [-5.0]))
    assert out["energy_wh"].tolist() == [-5.0]


def test_conservation_on_a_messy_year_of_five_minute_readings():
    rng = np.random.default_rng(7)
    count = 365 * 288
    starts = T0 + 300 * np.arange(count)
    values = rng.integers(0, 900, count).astype(float)
    values[rng.random(count) < 0.01] = np.nan
    order = rng.permutation(count)
    out = normalise(readings(starts[order], values[order], 300))
    assert out["energy_wh"].sum() == np.nansum(values) == out.attrs["energy_in_wh"]
    assert len(out) == count // 3


def test_utc_series_across_chilean_dst_gives_96_intervals_per_utc_day():
    # at the end of 2025-04-05 local, Chile goes from UTC-3 back to UTC-4: a 25-hour local day
    local = pd.date_range("2025-04-05", "2025-04-08", freq="15min", tz="America/Santiago",
                          inclusive="left")
    assert (local.normalize() == pd.Timestamp("2025-04-05", tz="America/Santiago")).sum() == 100
    frame = pd.DataFrame({"timestamp": local.tz_convert("UTC"), "value": 1.0, "interval_s": 900})
    out = normalise(Readings("dst", "energy", frame))
    days = out["interval_start"] // DAY_S
    counts = days.value_counts().sort_index()
    full_days = counts.iloc[1:-1]  # the first and last UTC days are partial (local midnight is 03:00/04:00Z)
    assert len(full_days) == 2 and (full_days == 96).all()
    assert (out["coverage"] == 1).all()
    assert out["energy_wh"].sum() == len(local)


def test_reading_without_timestamp_is_an_input_error():
    frame = pd.DataFrame({"timestamp": pd.DatetimeIndex([pd.NaT, "2025-01-01T00:00Z"], tz="UTC"),
                          "value": [1.0, 2.0], "interval_s": 900})
    with pytest.raises(InputError, match="test.*reading 0 has no timestamp"):
        normalise(Readings("test", "energy", frame))


def test_empty_readings_give_no_intervals():
    out = normalise(readings([], []))
    assert len(out) == 0 and out.attrs["energy_in_wh"] == 0.0
