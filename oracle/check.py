"""``python -m oracle check``: one installation's file -> flagged 15-minute intervals in a CSV.

Reads the file with its source (``oracle.sources.read_file``), normalises it to UTC 15-minute
intervals, runs the quality checks and writes ``interval_start`` (ISO 8601 UTC), ``energy_wh``,
``flags`` (``;``-joined codes, empty when accepted), one row per interval. It touches no chain and
no store. Exit codes: 0 every interval accepted, 1 some flagged, 2 bad input (InputError /
ConfigError, turned into one stderr line by the CLI).
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from oracle.errors import EXIT_OK, EXIT_PENDING, ConfigError, InputError
from oracle.normalise import ENERGY_IN_ATTR, normalise
from oracle.quality import FLAG_ORDER, check_intervals
from oracle.readings import Readings
from oracle.site import DEFAULT_TZ, Site
from oracle.timeutil import ISO_UTC_FORMAT, iso_utc, parse_utc



@dataclass(frozen=True)
class CheckSummary:
    """What one check found. intervals: rows written; accepted / flagged: rows without / with a
    flag; flag_counts: rows carrying each code (a row may carry several); energy_in_wh: energy of
    the readings (oracle.normalise.energy_in_wh); energy_out_wh: sum of energy_wh written (equal,
    up to float rounding); accepted_wh: energy of accepted rows; first/last_interval: unix s UTC
    of the first and last interval start (None when there are none)."""

    source: str
    intervals: int
    accepted: int
    flagged: int
    energy_in_wh: float
    energy_out_wh: float
    accepted_wh: float
    first_interval: int | None
    last_interval: int | None
    flag_counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """A short human summary (a few lines)."""
        span = ("no intervals" if self.first_interval is None else
                f"{iso_utc(self.first_interval)} .. {iso_utc(self.last_interval)}")
        out = [f"{self.source}: {self.intervals} intervals ({span})",
               f"accepted {self.accepted}, flagged {self.flagged}",
               f"energy in {self.energy_in_wh:.3f} Wh, out {self.energy_out_wh:.3f} Wh, "
               f"accepted {self.accepted_wh:.3f} Wh"]
        if self.flag_counts:
            out.append("flags: " + ", ".join(f"{code} {n}" for code, n in self.flag_counts.items()))
        return out


def check_file(input_path: Path, site: Site, station_path: Path | None, out_path: Path,
               now_s: int | None = None, device: str | None = None) -> CheckSummary:
    """Check one installation's readings file and write the flagged intervals to ``out_path``.

    device: which device of a file holding several (a blue'Log push file); without it such a file
    is refused (InputError naming its devices).
    station_path: an irradiance station CSV (GHI W/m2) for the pr_low / pr_high checks, or None.
    now_s: unix seconds UTC for the ``future`` check (default: the clock).
    """
    from oracle.sources import read_file  # the sources package, imported where it is used

    readings = read_file(Path(input_path), site.tz)
    if not readings:
        raise InputError(f"{input_path}: no readings")
    devices = ", ".join(str(r.device) for r in readings)
    if device is not None:
        readings = [r for r in readings if r.device == device]
        if not readings:
            raise InputError(f"{input_path}: no device {device!r} (devices: {devices})")
    if len(readings) > 1:
        raise InputError(f"{input_path}: holds {len(readings)} devices ({devices}); "
                         "choose one with --device")
    station = None
    if station_path is not None:
        from oracle.sources.station import read_station

        station = read_station(Path(station_path), site.tz)
    return check_readings(readings[0], site, station, Path(out_path), now_s)


def check_readings(readings: Readings, site: Site, station_ghi_w_m2: pd.Series | None,
                   out_path: Path, now_s: int | None = None) -> CheckSummary:
    """Normalise and check one installation's readings; write the CSV; summarise."""
    intervals = normalise(readings)
    checked = check_intervals(intervals, site, station_ghi_w_m2, now_s)
    write_checked(checked, out_path)
    return summarise(readings.source, checked, intervals.attrs[ENERGY_IN_ATTR])


def write_checked(checked: pd.DataFrame, out_path: Path) -> None:
    """The check CSV: interval_start (ISO 8601 UTC), energy_wh (shortest round-trip repr), flags."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    starts = pd.to_datetime(checked["interval_start"].to_numpy(), unit="s", utc=True)
    pd.DataFrame({
        "interval_start": starts.strftime(ISO_UTC_FORMAT),
        "energy_wh": checked["energy_wh"].to_numpy(),
        "flags": checked["flags"].to_numpy(),
    }).to_csv(out_path, index=False)


def summarise(source: str, checked: pd.DataFrame, energy_in_wh: float) -> CheckSummary:
    """Counts and energy totals of a check_intervals result."""
    flags = checked["flags"].to_numpy(dtype=object)
    energy = checked["energy_wh"].to_numpy(dtype="float64")
    accepted = flags == ""
    per_combination = pd.Series(flags[~accepted]).value_counts()
    counts: Counter[str] = Counter()
    for combination, rows in per_combination.items():
        for code in str(combination).split(";"):
            counts[code] += int(rows)
    starts = checked["interval_start"].to_numpy(dtype="int64")
    return CheckSummary(
        source=source, intervals=len(checked), accepted=int(accepted.sum()),
        flagged=int((~accepted).sum()), energy_in_wh=float(energy_in_wh),
        energy_out_wh=float(energy.sum()), accepted_wh=float(energy[accepted].sum()),
        first_interval=int(starts[0]) if len(starts) else None,
        last_interval=int(starts[-1]) if len(starts) else None,
        flag_counts={code: counts[code] for code in FLAG_ORDER if counts[code]})


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``python -m oracle check``."""
    parser.add_argument("--input", required=True, type=Path,
                        help="readings file (CSV, MII XML, ...)")
    parser.add_argument("--capacity-w", required=True, type=float, help="DC nameplate, W")
    parser.add_argument("--lat", required=True, type=float, help="latitude, degrees (south < 0)")
    parser.add_argument("--lon", required=True, type=float, help="longitude, degrees (west < 0)")
    parser.add_argument("--tilt", type=float, default=20.0,
                        help="array tilt from horizontal, degrees")
    parser.add_argument("--azimuth", type=float, default=0.0,
                        help="array azimuth, degrees (0 north, 90 east, 180 south)")
    parser.add_argument("--altitude", type=float, default=500.0, help="site altitude, m")
    parser.add_argument("--tz", default=DEFAULT_TZ,
                        help=f"time zone of naive timestamps (default {DEFAULT_TZ})")
    parser.add_argument("--device", default=None,
                        help="the device to check in a file holding several (a blue'Log MII device id)")
    parser.add_argument("--station", type=Path, default=None,
                        help="irradiance station CSV (GHI, W/m2)")
    parser.add_argument("--now", default=None,
                        help="the time for the 'future' check, ISO 8601 UTC (default: the clock)")
    parser.add_argument("--out", required=True, type=Path, help="output CSV")


def run_check_command(args: argparse.Namespace) -> int:
    """``python -m oracle check``: 0 all accepted, 1 some flagged; bad input raises InputError /
    ConfigError (exit 2 at the CLI edge)."""
    try:
        site = Site(capacity_w=args.capacity_w, lat_deg=args.lat, lon_deg=args.lon,
                    tilt_deg=args.tilt, azimuth_deg=args.azimuth, altitude_m=args.altitude,
                    tz=args.tz)
    except ValueError as error:
        raise ConfigError(f"check: {error}") from None
    try:
        ZoneInfo(args.tz)
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigError(f"check: --tz {args.tz!r} is not a known time zone") from None
    if not np.isfinite([args.capacity_w, args.tilt, args.azimuth, args.altitude]).all():
        raise ConfigError("check: --capacity-w, --tilt, --azimuth and --altitude must be numbers")
    now_s = None
    if args.now is not None:
        try:
            now_s = parse_utc(args.now)
        except ValueError as error:
            raise ConfigError(f"check: --now {args.now!r}: {error}") from None
    for name, path in (("--input", args.input), ("--station", args.station)):
        if path is not None and not Path(path).is_file():
            raise InputError(f"check: {name} {path}: no such file")
    summary = check_file(args.input, site, args.station, args.out, now_s, args.device)
    for line in summary.lines():
        print(line)
    print(f"wrote {args.out}")
    return EXIT_OK if summary.flagged == 0 else EXIT_PENDING
