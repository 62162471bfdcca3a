"""The demo's sample installations (data/ptsp_installations.csv): PTSP-like public buildings.

The file is SAMPLE data (its first line says so): real commune codes (INE CUT) and town
coordinates, invented buildings, capacities and orientations. Lines starting with ``#`` are
comments. One irradiance station per region: every installation of a region names the same
``station_id`` and no two regions share one.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from oracle.errors import InputError
from oracle.site import Site
from scripts.common.paths import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "data" / "ptsp_installations.csv"

COLUMNS = ("name", "building_type", "region", "commune", "commune_code", "lat", "lon",
           "altitude_m", "capacity_w", "tilt_deg", "azimuth_deg", "station_id")
BUILDING_TYPES = frozenset({"school", "health_centre", "municipal"})

# INE region number (the first two digits of a commune's CUT code) -> region name as written here
REGIONS = {
    "01": "Tarapacá", "02": "Antofagasta", "03": "Atacama", "04": "Coquimbo", "05": "Valparaíso",
    "06": "O'Higgins", "07": "Maule", "08": "Biobío", "09": "La Araucanía", "10": "Los Lagos",
    "11": "Aysén", "12": "Magallanes", "13": "Metropolitana de Santiago", "14": "Los Ríos",
    "15": "Arica y Parinacota", "16": "Ñuble",
}
_CUT_CODE = re.compile(r"\d{5}")


@dataclass(frozen=True)
class SampleInstallation:
    """One sample building. capacity_w: DC nameplate in W; lat/lon: WGS84 degrees of the town;
    tilt_deg from horizontal; azimuth_deg clockwise from north (0 north, 90 east: pvlib's
    convention); commune_code: the 5-digit INE CUT code as text ("01101")."""

    name: str
    building_type: str
    region: str
    commune: str
    commune_code: str
    lat: float
    lon: float
    altitude_m: float
    capacity_w: int
    tilt_deg: float
    azimuth_deg: float
    station_id: str

    def site(self) -> Site:
        """The oracle's view of this installation (quality checks, simulator)."""
        return Site(capacity_w=self.capacity_w, lat_deg=self.lat, lon_deg=self.lon,
                    tilt_deg=self.tilt_deg, azimuth_deg=self.azimuth_deg, altitude_m=self.altitude_m)


def _number(row: dict[str, str], column: str, where: str, low: float, high: float) -> float:
    """The row's `column` as a float within [low, high], or an InputError naming the place."""
    text = (row.get(column) or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {column} {text!r} is not a number") from None
    if not low <= value <= high:
        raise InputError(f"{where}: {column} {value:g} is outside {low:g}..{high:g}")
    return value


def _installation(row: dict[str, str], where: str) -> SampleInstallation:
    """One data row checked and typed (`where` is "file line N")."""
    for column in ("name", "region", "commune", "station_id"):
        if not (row.get(column) or "").strip():
            raise InputError(f"{where}: {column} is empty")
    building_type = (row.get("building_type") or "").strip()
    if building_type not in BUILDING_TYPES:
        raise InputError(f"{where}: building_type {building_type!r} is not one of {', '.join(sorted(BUILDING_TYPES))}")
    code = (row.get("commune_code") or "").strip()
    region = row["region"].strip()
    if not _CUT_CODE.fullmatch(code) or code[:2] not in REGIONS:
        raise InputError(f"{where}: commune_code {code!r} is not a 5-digit INE CUT code of regions 01-16")
    if REGIONS[code[:2]] != region:
        raise InputError(f"{where}: commune_code {code} is in region {REGIONS[code[:2]]!r}, not {region!r}")
    capacity_w = _number(row, "capacity_w", where, 1, 10_000_000)
    if capacity_w != int(capacity_w):
        raise InputError(f"{where}: capacity_w {capacity_w:g} is not a whole number of W")
    return SampleInstallation(
        name=row["name"].strip(), building_type=building_type, region=region,
        commune=row["commune"].strip(), commune_code=code,
        lat=_number(row, "lat", where, -90, 90), lon=_number(row, "lon", where, -180, 180),
        altitude_m=_number(row, "altitude_m", where, -100, 6000), capacity_w=int(capacity_w),
        tilt_deg=_number(row, "tilt_deg", where, 0, 90), azimuth_deg=_number(row, "azimuth_deg", where, 0, 360),
        station_id=row["station_id"].strip(),
    )


def _check_stations(installations: list[SampleInstallation], path: Path) -> None:
    """One station per region, never shared between regions."""
    station_of: dict[str, str] = {}
    region_of: dict[str, str] = {}
    for item in installations:
        station = station_of.setdefault(item.region, item.station_id)
        if station != item.station_id:
            raise InputError(f"{path}: region {item.region!r} names two stations ({station}, {item.station_id}); one per region")
        region = region_of.setdefault(item.station_id, item.region)
        if region != item.region:
            raise InputError(f"{path}: station {item.station_id} is named by two regions ({region!r}, {item.region!r})")


def load_sample_installations(path: Path | str = DEFAULT_PATH) -> list[SampleInstallation]:
    """The installations of a sample CSV (columns COLUMNS, ``#`` comment lines), in file order.

    Raises InputError (file and line named) for a missing file or column, an empty or bad value,
    a commune code outside its region, a repeated name or a region with two stations."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"sample installations {path}: cannot be read ({error.__class__.__name__})") from None
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise InputError(f"{path}: no header and no installations")
    reader = csv.DictReader([line for _, line in numbered])
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path} line {numbered[0][0]}: header lacks column(s) {', '.join(missing)}")
    installations: list[SampleInstallation] = []
    names: set[str] = set()
    for (line_no, _), row in zip(numbered[1:], reader):
        where = f"{path} line {line_no}"
        if None in row:
            raise InputError(f"{where}: more values than the header's {len(reader.fieldnames or [])} columns")
        item = _installation(row, where)
        if item.name in names:
            raise InputError(f"{where}: name {item.name!r} appears twice")
        names.add(item.name)
        installations.append(item)
    if not installations:
        raise InputError(f"{path}: a header but no installations")
    _check_stations(installations, path)
    return installations
