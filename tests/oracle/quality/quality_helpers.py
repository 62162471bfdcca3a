"""Test helpers for normalise and the quality checks: a site, simulated days built with pvlib
(clear sky at 1-minute resolution, averaged to 15 minutes: independent of the checks' own
Simpson-rule expectation), cloudy days, and Readings built from plain arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

from oracle.readings import Readings
from oracle.site import Site
from oracle.timeutil import INTERVAL_S, parse_utc

SITE = Site(capacity_w=10_000, lat_deg=-33.45, lon_deg=-70.66, tilt_deg=20, azimuth_deg=0,
            altitude_m=550)
FULL_WH = SITE.capacity_w * INTERVAL_S / 3600  # 2,500 Wh: the site's energy in a full interval
DAY = "2025-01-15"  # a summer day in Santiago
PERFORMANCE_RATIO = 0.85


def utc_index(starts_s) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(starts_s, dtype="int64"), unit="s", utc=True))


def readings(starts_s, values, interval_s=INTERVAL_S, kind="energy") -> Readings:
    """Readings of `kind` at the given unix-second starts."""
    values = np.asarray(values, dtype="float64")
    frame = pd.DataFrame({"timestamp": utc_index(starts_s), "value": values,
                          "interval_s": np.broadcast_to(np.asarray(interval_s, dtype="int64"),
                                                        values.shape).copy()})
    return Readings(source="test", kind=kind, frame=frame)


def clear_sky_minutes(site: Site = SITE, day: str = DAY) -> pd.DataFrame:
    """1-minute clear-sky GHI and expected DC power (W) of a UTC day at the site."""
    times = pd.date_range(f"{day}T00:00Z", periods=1440, freq="1min") + pd.Timedelta(seconds=30)
    location = pvlib.location.Location(site.lat_deg, site.lon_deg, altitude=site.altitude_m)
    sun = location.get_solarposition(times)
    sky = location.get_clearsky(times, solar_position=sun)
    poa = pvlib.irradiance.get_total_irradiance(site.tilt_deg, site.azimuth_deg,
                                                sun["apparent_zenith"], sun["azimuth"],
                                                sky["dni"], sky["ghi"], sky["dhi"])["poa_global"]
    power = (site.capacity_w * poa.fillna(0).clip(lower=0) / 1000 * PERFORMANCE_RATIO)
    out = pd.DataFrame({"ghi": sky["ghi"], "power_w": power})
    out.index = out.index - pd.Timedelta(seconds=30)
    return out


def clear_day_wh(site: Site = SITE, day: str = DAY) -> tuple[np.ndarray, np.ndarray]:
    """(interval starts, energy Wh) of a healthy clear day: 96 intervals."""
    minutes = clear_sky_minutes(site, day)
    energy = minutes["power_w"].to_numpy().reshape(96, 15).mean(axis=1) * INTERVAL_S / 3600
    starts = parse_utc(f"{day}T00:00:00Z") + INTERVAL_S * np.arange(96)
    return starts, energy


def cloudy_day_wh(seed: int, site: Site = SITE, day: str = DAY) -> tuple[np.ndarray, np.ndarray]:
    """A broken-cloud day: the clear day times a clear-sky index drawn per interval, uniformly in
    [0.15, 1.0]: sun and shade in any order, every interval different."""
    starts, clear = clear_day_wh(site, day)
    index = np.random.default_rng(seed).uniform(0.15, 1.0, len(clear))
    return starts, clear * index


def overcast_day_wh(seed: int, site: Site = SITE, day: str = DAY) -> tuple[np.ndarray, np.ndarray]:
    """An overcast day with slowly varying cloud: clear-sky index 0.3..0.6 as a random walk."""
    starts, clear = clear_day_wh(site, day)
    walk = np.cumsum(np.random.default_rng(seed).normal(0, 0.03, len(clear)))
    return starts, clear * np.clip(0.45 + walk, 0.3, 0.6)


def station_ghi(day: str = DAY, scale: float = 1.0) -> pd.Series:
    """1-minute measured GHI of a station at the site on a clear day (W/m2), times `scale`."""
    return clear_sky_minutes(SITE, day)["ghi"] * scale


def noon_index(energy: np.ndarray) -> int:
    return int(np.argmax(energy))


def index_near_fraction(energy: np.ndarray, fraction: float) -> int:
    """The morning interval whose energy is closest to `fraction` of the peak interval's."""
    morning = energy[:noon_index(energy)]
    return int(np.argmin(np.abs(morning - fraction * energy.max())))
