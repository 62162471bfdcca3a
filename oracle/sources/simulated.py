"""Simulated plants and stations for demos and tests (marked synthetic, never real generation).

The sun: pvlib clear sky (Ineichen, :meth:`pvlib.location.Location.get_clearsky`) at the middle of
each 15-minute interval, dimmed by a seeded cloud factor that is smooth in time; the plant: that sky
transposed to the array plane (:func:`pvlib.irradiance.get_total_irradiance`), PVWatts DC
(:func:`pvlib.pvsystem.pvwatts_dc`, a cell temperature rising with irradiance) and one loss factor
for inverter and wiring. The station: the GHI of the same cloudy sky, so a healthy simulated plant
shows a plausible performance ratio (about 0.85 against GHI at a tilt of 20 degrees).

Faults (:class:`Fault`) change the plant's readings over [start_s, end_s) (interval starts):
``outage`` no rows; ``spike`` 3 x capacity x 0.25 h; ``stuck`` the first daylight value repeated
through the daylight of the window; ``negative`` the energy with its sign flipped (at least 1 Wh);
``night`` 5 % of capacity x 0.25 h in the intervals whose sun is below the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pvlib
from scipy.signal import lfilter

from oracle.readings import Readings
from oracle.site import Site
from oracle.timeutil import INTERVAL_S

FaultKind = Literal["outage", "spike", "stuck", "negative", "night"]
FAULT_KINDS: tuple[str, ...] = ("outage", "spike", "stuck", "negative", "night")
LOSS_FACTOR = 0.82  # inverter efficiency x wiring, mismatch and soiling losses
GAMMA_PDC = -0.004  # PVWatts power temperature coefficient, 1/K
CLOUD_MEMORY = 0.92  # AR(1) coefficient per 15-minute step: clouds last a few hours


@dataclass(frozen=True)
class Fault:
    """A fault injected into the simulated readings over [start_s, end_s) (unix seconds UTC)."""

    kind: FaultKind
    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {FAULT_KINDS}")
        if not self.start_s < self.end_s:
            raise ValueError(f"fault {self.kind} ends ({self.end_s}) before it starts ({self.start_s})")


@dataclass(frozen=True)
class _Sky:
    seconds: np.ndarray  # interval starts, unix seconds UTC
    starts: pd.DatetimeIndex  # the same, as datetime64[ns, UTC]
    ghi: np.ndarray  # W/m2, cloudy
    poa: np.ndarray  # W/m2 on the array plane, cloudy
    sun_up: np.ndarray  # bool: apparent elevation above 0 at the middle of the interval


def simulate_site(site: Site, start_s: int, end_s: int, seed: int = 0,
                  faults: tuple[Fault, ...] | list[Fault] = ()) -> Readings:
    """Energy in Wh per 15-minute interval [start_s, end_s) of `site` (interval starts aligned to
    :00/:15/:30/:45 UTC), source ``simulated:<seed>``, synthetic. Deterministic for a seed."""
    sky = _sky(site, start_s, end_s, seed)
    temp_cell = 20.0 + sky.poa * (25.0 / 800.0)
    dc_w = pvlib.pvsystem.pvwatts_dc(sky.poa, temp_cell, site.capacity_w, GAMMA_PDC)
    energy_wh = np.clip(np.asarray(dc_w, dtype="float64") * LOSS_FACTOR, 0.0, site.capacity_w)
    energy_wh = np.round(energy_wh * INTERVAL_S / 3600.0, 3)
    keep = np.ones(len(energy_wh), dtype=bool)
    for fault in faults:
        keep &= _apply(fault, energy_wh, sky.seconds, sky.sun_up, site.capacity_w)
    frame = pd.DataFrame({"timestamp": sky.starts[keep], "value": energy_wh[keep],
                          "interval_s": np.full(int(keep.sum()), INTERVAL_S, dtype="int64")})
    frame["timestamp"] = frame["timestamp"].astype("datetime64[ns, UTC]")
    return Readings(source=f"simulated:{seed}", kind="energy", frame=frame, synthetic=True)


def simulate_station(site: Site, start_s: int, end_s: int, seed: int = 0) -> pd.Series:
    """GHI in W/m2 per 15-minute interval start (the interval's mean, from the same cloudy sky as
    :func:`simulate_site` with the same seed), named ``ghi_w_m2`` on a UTC DatetimeIndex."""
    sky = _sky(site, start_s, end_s, seed)
    return pd.Series(np.round(sky.ghi, 2), index=sky.starts.rename("timestamp"), name="ghi_w_m2")


def _sky(site: Site, start_s: int, end_s: int, seed: int) -> _Sky:
    first = -(-int(start_s) // INTERVAL_S) * INTERVAL_S
    count = max(0, (int(end_s) - first + INTERVAL_S - 1) // INTERVAL_S)
    seconds = first + INTERVAL_S * np.arange(count, dtype="int64")
    starts = pd.DatetimeIndex(pd.to_datetime(seconds, unit="s", utc=True)).as_unit("ns")
    middles = starts + pd.Timedelta(seconds=INTERVAL_S // 2)
    location = pvlib.location.Location(site.lat_deg, site.lon_deg, tz="UTC", altitude=site.altitude_m)
    position = location.get_solarposition(middles)
    clear = location.get_clearsky(middles, model="ineichen", solar_position=position)
    cloud = _cloud_factor(np.random.default_rng(seed), first, count)
    ghi, dni, dhi = (clear[c].to_numpy() * cloud for c in ("ghi", "dni", "dhi"))
    poa = pvlib.irradiance.get_total_irradiance(
        site.tilt_deg, site.azimuth_deg, position["apparent_zenith"].to_numpy(),
        position["azimuth"].to_numpy(), dni, ghi, dhi)["poa_global"]
    return _Sky(seconds, starts, ghi, np.nan_to_num(np.asarray(poa, dtype="float64")),
                position["apparent_elevation"].to_numpy() > 0)


def _cloud_factor(rng: np.random.Generator, first_s: int, count: int) -> np.ndarray:
    """A clearness factor in [0.15, 1] per interval: AR(1) noise (smooth over hours) on a daily
    cloudiness drawn per day, mostly clear. Drawn from the seed alone, then cut to the window, so
    a window's sky does not depend on where the window starts within its first day."""
    day0 = first_s // 86_400
    days = (count * INTERVAL_S) // 86_400 + 2
    offset = (first_s - day0 * 86_400) // INTERVAL_S
    per_day = 86_400 // INTERVAL_S
    cloudiness = np.repeat(rng.beta(0.6, 3.0, size=days), per_day)
    noise = lfilter([1.0 - CLOUD_MEMORY], [1.0, -CLOUD_MEMORY], rng.standard_normal(days * per_day))
    noise /= np.sqrt((1.0 - CLOUD_MEMORY) / (1.0 + CLOUD_MEMORY))  # unit variance
    factor = 1.0 - cloudiness * (0.6 + 0.3 * np.tanh(noise)) - 0.03 * np.abs(noise)
    return np.clip(factor, 0.15, 1.0)[offset:offset + count]


def _apply(fault: Fault, energy_wh: np.ndarray, seconds: np.ndarray, sun_up: np.ndarray,
           capacity_w: float) -> np.ndarray:
    """Changes `energy_wh` in place for `fault`; returns the mask of rows kept."""
    window = (seconds >= fault.start_s) & (seconds < fault.end_s)
    keep = np.ones(len(energy_wh), dtype=bool)
    full_wh = capacity_w * INTERVAL_S / 3600.0
    if fault.kind == "outage":
        keep &= ~window
    elif fault.kind == "spike":
        energy_wh[window] = 3.0 * full_wh
    elif fault.kind == "stuck":
        daylight = window & sun_up
        if daylight.any():
            energy_wh[daylight] = energy_wh[np.argmax(daylight)]
    elif fault.kind == "negative":
        energy_wh[window] = -np.maximum(np.abs(energy_wh[window]), 1.0)
    elif fault.kind == "night":
        energy_wh[window & ~sun_up] = 0.05 * full_wh
    return keep
