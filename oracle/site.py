"""A PV site as the quality checks and the simulator see it."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TZ = "America/Santiago"


@dataclass(frozen=True)
class Site:
    """capacity_w: DC nameplate in W (the on-chain ``capacityW``); lat_deg/lon_deg: WGS84 degrees;
    tilt_deg: from horizontal; azimuth_deg: pvlib convention (0 north, 90 east, 180 south), so a
    roof in Chile faces about 0; altitude_m above sea level; tz: the local zone of naive timestamps."""

    capacity_w: float
    lat_deg: float
    lon_deg: float
    tilt_deg: float = 20.0
    azimuth_deg: float = 0.0
    altitude_m: float = 500.0
    tz: str = DEFAULT_TZ

    def __post_init__(self) -> None:
        if not self.capacity_w > 0:
            raise ValueError(f"capacity must be above 0 W, got {self.capacity_w}")
        if not -90 <= self.lat_deg <= 90 or not -180 <= self.lon_deg <= 180:
            raise ValueError(f"coordinates out of range: lat {self.lat_deg}, lon {self.lon_deg}")
