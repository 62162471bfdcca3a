"""Quality checks of one installation's 15-minute intervals: a reason code for every doubt.

:func:`check_intervals` takes the output of :func:`oracle.normalise.normalise` and returns one row
per interval with ``flags``: the codes below joined by ``;`` in :data:`FLAG_ORDER`, ``""`` when the
interval is accepted. docs/quality-flags.md lists each flag, its meaning, the pvlib / pvanalytics
function behind it and its threshold (the fields of :class:`QualitySettings`).

Sun and sky come from pvlib, computed once per call for the whole period (not per interval): the
solar position (``pvlib.solarposition.get_solarposition``, ``method="ephemeris"``) at each
interval's start, midpoint and end; the Ineichen clear sky (``Location.get_clearsky``) transposed
to the plane of the array (``irradiance.get_total_irradiance``, Hay-Davies) and turned into DC
energy by PVWatts (``pvsystem.pvwatts_dc`` at 25 C cell temperature), averaged over the interval
by Simpson's rule. Stuck values are pvanalytics' ``quality.gaps.stale_values_round`` (vectorised).
Outliers use pvanalytics' Hampel definition (``quality.outliers.hampel``) evaluated on sliding
windows in numpy: pvanalytics runs it through ``rolling().apply`` with one Python call per window
(about 0.5 to 10 s for a year, against the 2 s budget of the whole check);
tests/oracle/quality/test_library_equivalence.py asserts both give the same answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pvlib
from pvanalytics.quality import gaps
from numpy.lib.stride_tricks import sliding_window_view

from oracle.site import Site
from oracle.timeutil import DAY_S, INTERVAL_S

NEGATIVE = "negative"
NIGHT = "night"
ABOVE_CAPACITY = "above_capacity"
ABOVE_CLEARSKY = "above_clearsky"
STALE = "stale"
OUTLIER = "outlier"
GAP = "gap"
INCOMPLETE = "incomplete"
DUPLICATE = "duplicate"
FUTURE = "future"
REGISTER_RESET = "register_reset"
PR_LOW = "pr_low"
PR_HIGH = "pr_high"
FLAG_ORDER = (NEGATIVE, NIGHT, ABOVE_CAPACITY, ABOVE_CLEARSKY, STALE, OUTLIER, GAP, INCOMPLETE,
              DUPLICATE, FUTURE, REGISTER_RESET, PR_LOW, PR_HIGH)
OUTPUT_COLUMNS = ("interval_start", "energy_wh", "flags", "coverage")

INTERVAL_H = INTERVAL_S / 3600.0
HAMPEL_SCALE = 0.6744897501960817  # scipy.stats.norm.ppf(0.75): MAD / scale estimates a sigma


@dataclass(frozen=True)
class QualitySettings:
    """Thresholds of the checks. ``*_fraction`` fields are fractions of the installation's full
    interval energy, ``capacity_w x 0.25 h`` (250 Wh for a 1 kW plant).

    negative_tolerance_wh: ``negative`` when energy < -tolerance (0: any negative energy).
    night_tolerance_fraction: ``night`` when energy > this fraction while the sun is below the
        horizon for the whole interval (0.005: twilight and meter noise pass).
    daylight_elevation_deg: an interval is daylight when the sun's apparent elevation at its
        midpoint is above this (``gap``, ``stale``, ``outlier``, PR only look at daylight).
    capacity_factor_max: ``above_capacity`` when energy > this x capacity_w x 0.25 h.
    clearsky_margin, clearsky_floor_fraction: ``above_clearsky`` when energy > (1 + margin) x the
        clear-sky PVWatts expectation + floor (0.5 and 0.02: cloud enhancement, a turbidity below
        the climatology and an array a little larger than declared all stay under it).
    albedo: ground reflectance for the plane-of-array irradiance.
    stale_window, stale_decimals, stale_min_fraction: ``stale`` when ``stale_window`` consecutive
        daylight intervals above ``stale_min_fraction`` of full energy repeat one energy rounded to
        ``stale_decimals`` decimals of a Wh (6 intervals: 1.5 h stuck).
    outlier_window, outlier_max_deviation, outlier_floor_fraction, outlier_max_clearsky_index:
        ``outlier`` when a daylight interval's distance from the median of the ``outlier_window``
        intervals centred on it is above ``outlier_max_deviation`` x the window's MAD-estimated
        sigma (Hampel) and above the floor, and the interval gives less than
        ``outlier_max_clearsky_index`` of the clear-sky expectation (9 intervals, 6 sigma, 0.2,
        0.1): a drop-out amid production. Between 0.1 and the clear-sky margin, any value is what
        a cloud can do, and broken-cloud days cluster in two modes (sun, shade) that fool the MAD;
        above it, ``above_clearsky`` speaks.
    pr_min_poa_w_m2, pr_min_intervals, pr_low, pr_high: with a station, a UTC day's performance
        ratio is its energy / (capacity_w x POA / 1000 x 0.25 h) summed over the complete
        intervals with station POA >= ``pr_min_poa_w_m2``; with at least ``pr_min_intervals`` of
        them, the day's daylight intervals are ``pr_low`` below ``pr_low`` and ``pr_high`` above
        ``pr_high`` (0.5 and 1.2: a station a few km away sees other clouds).
    """

    negative_tolerance_wh: float = 0.0
    night_tolerance_fraction: float = 0.005
    daylight_elevation_deg: float = 0.0
    capacity_factor_max: float = 1.0
    clearsky_margin: float = 0.5
    clearsky_floor_fraction: float = 0.02
    albedo: float = 0.2
    stale_window: int = 6
    stale_decimals: int = 3
    stale_min_fraction: float = 0.01
    outlier_window: int = 9
    outlier_max_deviation: float = 6.0
    outlier_floor_fraction: float = 0.2
    outlier_max_clearsky_index: float = 0.1
    pr_min_poa_w_m2: float = 200.0
    pr_min_intervals: int = 8
    pr_low: float = 0.5
    pr_high: float = 1.2

    def __post_init__(self) -> None:
        if self.outlier_window < 3 or self.outlier_window % 2 == 0:
            raise ValueError(f"outlier_window must be odd and >= 3, got {self.outlier_window}")
        if self.stale_window < 2:
            raise ValueError(f"stale_window must be >= 2, got {self.stale_window}")


def check_intervals(intervals: pd.DataFrame, site: Site,
                    station_ghi_w_m2: pd.Series | None = None, now_s: int | None = None,
                    settings: QualitySettings = QualitySettings()) -> pd.DataFrame:
    """Flag each 15-minute interval of one installation.

    intervals: :func:`oracle.normalise.normalise` output (interval_start unix s UTC, energy_wh,
    coverage, duplicate, register_reset). station_ghi_w_m2: measured GHI in W/m2 on a UTC
    DatetimeIndex, any resolution (averaged to 15-minute means), or None for no PR check. now_s:
    the current time in unix seconds UTC (default: the clock); an interval whose end is after it
    is ``future``. Returns columns interval_start, energy_wh, flags, coverage (same rows, order).
    """
    start = intervals["interval_start"].to_numpy(dtype="int64")
    energy = intervals["energy_wh"].to_numpy(dtype="float64")
    coverage = intervals["coverage"].to_numpy(dtype="float64")
    full_wh = site.capacity_w * INTERVAL_H
    now = int(time.time()) if now_s is None else int(now_s)
    flags: dict[str, np.ndarray] = {
        NEGATIVE: energy < -settings.negative_tolerance_wh,
        ABOVE_CAPACITY: energy > settings.capacity_factor_max * full_wh,
        INCOMPLETE: (coverage > 0) & (coverage < 1),
        DUPLICATE: intervals["duplicate"].to_numpy(dtype=bool),
        FUTURE: start + INTERVAL_S > now,
        REGISTER_RESET: intervals["register_reset"].to_numpy(dtype=bool),
    }
    if len(start):
        sky = _Sky(start, site, settings.albedo)
        daylight = sky.elevation_mid > settings.daylight_elevation_deg
        reported = coverage > 0
        flags[NIGHT] = sky.below_horizon & (energy > settings.night_tolerance_fraction * full_wh)
        flags[ABOVE_CLEARSKY] = energy > ((1 + settings.clearsky_margin) * sky.clearsky_wh
                                          + settings.clearsky_floor_fraction * full_wh)
        flags[GAP] = daylight & ~reported
        checkable = daylight & (coverage == 1) & ~flags[REGISTER_RESET] & ~flags[DUPLICATE]
        flags[STALE] = _on_subset(
            checkable & (energy > settings.stale_min_fraction * full_wh), energy,
            lambda x: gaps.stale_values_round(pd.Series(x), window=settings.stale_window,
                                              decimals=settings.stale_decimals, mark="all").to_numpy(dtype=bool))
        flags[OUTLIER] = _on_subset(
            checkable, energy,
            lambda x: hampel_outliers(x, settings.outlier_window, settings.outlier_max_deviation,
                                      settings.outlier_floor_fraction * full_wh)
        ) & (energy < settings.outlier_max_clearsky_index * sky.clearsky_wh)
        if station_ghi_w_m2 is not None:
            flags[PR_LOW], flags[PR_HIGH] = _performance_ratio_flags(
                start, energy, coverage, daylight, sky, site, station_ghi_w_m2, settings)
    return pd.DataFrame({
        "interval_start": start,
        "energy_wh": energy,
        "flags": join_flags(flags, len(start)),
        "coverage": coverage,
    }, index=intervals.index)


def join_flags(flags: dict[str, np.ndarray], count: int) -> np.ndarray:
    """The ``;``-joined codes of each row in FLAG_ORDER (``""`` for none), built per distinct
    combination of flags rather than per row."""
    mask = np.zeros(count, dtype=np.int64)
    for bit, code in enumerate(FLAG_ORDER):
        if code in flags:
            mask |= flags[code].astype(np.int64) << bit
    combinations, row_combination = np.unique(mask, return_inverse=True)
    text = np.array([";".join(code for bit, code in enumerate(FLAG_ORDER) if int(m) >> bit & 1)
                     for m in combinations], dtype=object)
    return text[row_combination] if count else np.array([], dtype=object)


def hampel_outliers(x: np.ndarray, window: int, max_deviation: float,
                    floor: float = 0.0) -> np.ndarray:
    """pvanalytics.quality.outliers.hampel(x, window, max_deviation) in numpy (centred window,
    sigma = MAD / 0.6745; the ``window // 2`` values at each end are never outliers), and the
    distance from the median also above ``floor`` (a window of near-equal values has a MAD of
    about 0, where any small step would otherwise count)."""
    flagged = np.zeros(len(x), dtype=bool)
    if len(x) < window:
        return flagged
    windows = sliding_window_view(x, window)
    median = np.median(windows, axis=1)
    sigma = np.median(np.abs(windows - median[:, None]), axis=1) / HAMPEL_SCALE
    half = window // 2
    deviation = np.abs(x[half:len(x) - half] - median)
    flagged[half:len(x) - half] = (deviation > max_deviation * sigma) & (deviation > floor)
    return flagged


def _on_subset(selected: np.ndarray, values: np.ndarray, check) -> np.ndarray:
    """Run a series check on the selected values only (as one consecutive series), mapped back."""
    result = np.zeros(len(values), dtype=bool)
    result[selected] = check(values[selected])
    return result


class _Sky:
    """The sun and the clear-sky expectation at one site for a set of 15-minute intervals, from
    one pvlib computation over all interval starts, midpoints and ends."""

    def __init__(self, start: np.ndarray, site: Site, albedo: float) -> None:
        half = INTERVAL_S // 2
        instants = np.unique(np.concatenate([start, start + half, start + INTERVAL_S]))
        times = pd.DatetimeIndex(pd.to_datetime(instants, unit="s", utc=True))
        sun = pvlib.solarposition.get_solarposition(times, site.lat_deg, site.lon_deg,
                                                    site.altitude_m, method="ephemeris")
        location = pvlib.location.Location(site.lat_deg, site.lon_deg, altitude=site.altitude_m)
        clear = location.get_clearsky(times, solar_position=sun)
        poa = self._poa(site, sun, clear["ghi"], clear["dni"], clear["dhi"], albedo)
        dc_w = pvlib.pvsystem.pvwatts_dc(poa, 25.0, site.capacity_w, -0.004)
        at_start = np.searchsorted(instants, start)
        at_mid = np.searchsorted(instants, start + half)
        at_end = np.searchsorted(instants, start + INTERVAL_S)
        elevation = sun["apparent_elevation"].to_numpy()
        self.elevation_mid = elevation[at_mid]
        self.below_horizon = ((elevation[at_start] < 0) & (self.elevation_mid < 0)
                              & (elevation[at_end] < 0))
        dc = np.nan_to_num(np.asarray(dc_w, dtype="float64"))
        self.clearsky_wh = (dc[at_start] + 4 * dc[at_mid] + dc[at_end]) / 6 * INTERVAL_H
        self.zenith_mid = sun["apparent_zenith"].to_numpy()[at_mid]
        self.azimuth_mid = sun["azimuth"].to_numpy()[at_mid]
        self.times_mid = times[at_mid]

    @staticmethod
    def _poa(site: Site, sun: pd.DataFrame, ghi, dni, dhi, albedo: float):
        """Plane-of-array global irradiance, W/m2 (Hay-Davies sky diffuse)."""
        dni_extra = pvlib.irradiance.get_extra_radiation(sun.index)
        total = pvlib.irradiance.get_total_irradiance(
            site.tilt_deg, site.azimuth_deg, sun["apparent_zenith"], sun["azimuth"], dni, ghi, dhi,
            dni_extra=dni_extra, albedo=albedo, model="haydavies")
        return total["poa_global"].clip(lower=0).fillna(0)


def clearsky_wh(start_s: np.ndarray, site: Site, settings: QualitySettings | None = None) -> np.ndarray:
    """The Wh a clean, unshaded array at `site` would make in each 15-minute interval starting at
    `start_s` (unix s UTC) under a clear sky: the expectation the checks compare readings with."""
    return _Sky(np.asarray(start_s, dtype="int64"), site, (settings or QualitySettings()).albedo).clearsky_wh


def _performance_ratio_flags(start: np.ndarray, energy: np.ndarray, coverage: np.ndarray,
                             daylight: np.ndarray, sky: _Sky, site: Site, ghi_w_m2: pd.Series,
                             settings: QualitySettings) -> tuple[np.ndarray, np.ndarray]:
    """(pr_low, pr_high) per interval: each UTC day's performance ratio against the station."""
    ghi_15 = ghi_w_m2.sort_index().resample(f"{INTERVAL_S}s", label="left", closed="left").mean()
    ghi_15.index = (ghi_15.index - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    ghi = ghi_15.reindex(start).to_numpy(dtype="float64")
    split = pvlib.irradiance.erbs(ghi, sky.zenith_mid, sky.times_mid.dayofyear.to_numpy())
    poa = np.asarray(pvlib.irradiance.get_total_irradiance(
        site.tilt_deg, site.azimuth_deg, sky.zenith_mid, sky.azimuth_mid,
        np.asarray(split["dni"]), ghi, np.asarray(split["dhi"]), albedo=settings.albedo,
        model="isotropic")["poa_global"], dtype="float64")
    eligible = daylight & (coverage == 1) & (poa >= settings.pr_min_poa_w_m2)
    expected_wh = np.where(eligible, site.capacity_w * np.nan_to_num(poa) / 1000 * INTERVAL_H, 0.0)
    day = start // DAY_S
    days, day_index = np.unique(day, return_inverse=True)
    energy_sum = np.bincount(day_index, weights=np.where(eligible, energy, 0.0),
                             minlength=len(days))
    expected_sum = np.bincount(day_index, weights=expected_wh, minlength=len(days))
    counted = (np.bincount(day_index, weights=eligible, minlength=len(days))
               >= settings.pr_min_intervals)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(counted, energy_sum / expected_sum, np.nan)
    low = (ratio < settings.pr_low)[day_index] & daylight
    high = (ratio > settings.pr_high)[day_index] & daylight
    return low, high
