"""Writes the synthetic sample files of ``data/``, one per real source format, from the simulator.

``python -m oracle.sources.samples data/`` rewrites them (deterministic: same bytes every run, gzip
with mtime 0). The site: a 10 kW rooftop in Santiago (lat -33.45, lon -70.66, tilt 20, facing
north); seed 7. Every file that allows comments says that it is synthetic and how it was made.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from oracle.site import Site
from oracle.sources.simulated import simulate_site, simulate_station
from oracle.timeutil import ISO_UTC_FORMAT, parse_utc

SAMPLE_SITE = Site(capacity_w=10_000, lat_deg=-33.45, lon_deg=-70.66, tilt_deg=20, azimuth_deg=0)
SEED = 7
SANTIAGO = "America/Santiago"
NOTE = "synthetic: pvlib clear sky + PVWatts with seeded clouds (oracle.sources.samples, seed 7), 10 kW site in Santiago"


def write_samples(folder: Path) -> list[Path]:
    """Writes every sample file into `folder`; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    writers = (_generic_day, _generic_dst_day, _power_csv, _register_csv, _mii_xml, _mii_csv,
               _station_csv, _vcom_json)
    return [path for writer in writers for path in writer(folder)]


def _energy(start: str, end: str) -> pd.DataFrame:
    return simulate_site(SAMPLE_SITE, parse_utc(start), parse_utc(end), seed=SEED).frame


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _local_naive(stamps: pd.Series) -> pd.Series:
    return stamps.dt.tz_convert(SANTIAGO).dt.strftime("%Y-%m-%d %H:%M:%S")


def _generic_day(folder: Path) -> list[Path]:
    frame = _energy("2026-03-01T03:00:00Z", "2026-03-02T03:00:00Z")  # the local day, -03:00
    body = pd.DataFrame({"timestamp": _local_naive(frame["timestamp"]),
                         "energy_kwh": (frame["value"] / 1000).round(4)})
    text = f"# {NOTE}; naive local time ({SANTIAGO}, read with --tz {SANTIAGO})\n"
    return [_write(folder / "generic_energy_kwh_2026-03-01.csv", text + body.to_csv(index=False))]


def _generic_dst_day(folder: Path) -> list[Path]:
    # 2026-04-04 local: 00:00 -03 to 24:00 -04 (25 hours); 23:00-23:45 comes twice
    frame = _energy("2026-04-04T03:00:00Z", "2026-04-05T04:00:00Z")
    body = pd.DataFrame({"timestamp": _local_naive(frame["timestamp"]),
                         "energy_kwh": (frame["value"] / 1000).round(4)})
    text = (f"# {NOTE}; naive local time ({SANTIAGO}); DST ends at 24:00: 23:00-23:45 twice, "
            "first -03:00 then -04:00\n")
    return [_write(folder / "generic_energy_kwh_2026-04-04_dst.csv", text + body.to_csv(index=False))]


def _power_csv(folder: Path) -> list[Path]:
    frame = _energy("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z")
    seconds = frame["timestamp"].astype("int64").to_numpy() // 10**9
    samples = np.arange(seconds[0], seconds[-1] + 900, 300)
    power_w = np.interp(samples, seconds + 450, frame["value"].to_numpy() * 4)
    stamps = pd.Series(pd.to_datetime(samples, unit="s", utc=True)).dt.tz_convert(SANTIAGO)
    body = pd.DataFrame({"timestamp": stamps.map(pd.Timestamp.isoformat),
                         "power_w": power_w.round(1)})
    text = f"# {NOTE}; 5-minute power samples, ISO 8601 with the local offset\n"
    return [_write(folder / "generic_power_w_2026-03-01.csv", text + body.to_csv(index=False))]


def _register_csv(folder: Path) -> list[Path]:
    frame = _energy("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z")
    register = 12_345.678 + np.concatenate([[0.0], np.cumsum(frame["value"].to_numpy())[:-1]]) / 1000
    body = pd.DataFrame({"timestamp": frame["timestamp"].dt.strftime(ISO_UTC_FORMAT),
                         "register_kwh": register.round(4)})
    text = f"# {NOTE}; export meter register (cumulative kWh) every 15 minutes, UTC\n"
    return [_write(folder / "generic_register_kwh_2026-03-01.csv", text + body.to_csv(index=False))]


def _mii_document(frame: pd.DataFrame, ghi: pd.Series) -> str:
    points = []
    for stamp, wh, irradiance in zip(frame["timestamp"].dt.strftime(ISO_UTC_FORMAT),
                                     frame["value"], ghi.to_numpy()):
        points.append(
            f'      <datapoint interval="900" timestamp="{stamp}">\n'
            f'        <device id="inverter-1"><mv t="E_INT" v="{wh * 0.6 / 1000:.4f}"/>'
            f'<mv t="P_AC" v="{wh * 0.6 * 4:.1f}"/></device>\n'
            f'        <device id="inverter-2"><mv t="E_INT" v="{wh * 0.4 / 1000:.4f}"/>'
            f'<mv t="P_AC" v="{wh * 0.4 * 4:.1f}"/></device>\n'
            f'        <device id="meteo-1"><mv t="SRAD" v="{irradiance:.1f}"/></device>\n'
            "      </datapoint>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<!-- {NOTE}; inverter-1 carries 60 % of the plant, inverter-2 40 % -->\n"
            '<mii version="2.0" xmlns="http://api.sspcdn.com/mii">\n  <datalogger>\n'
            '    <configuration xmlns="http://api.sspcdn.com/mii/datalogger/configuration">\n'
            "      <uuid><vendor>SYNTHETIC</vendor><serial>DL-SAMPLE-0001</serial></uuid>\n"
            "      <devices>\n"
            '        <device type="inverter" id="inverter-1"><uid>INV-SAMPLE-1</uid></device>\n'
            '        <device type="inverter" id="inverter-2"><uid>INV-SAMPLE-2</uid></device>\n'
            '        <device type="meteo" id="meteo-1"><uid>MET-SAMPLE-1</uid></device>\n'
            "      </devices>\n    </configuration>\n"
            '    <datapoints xmlns="http://api.sspcdn.com/mii/datalogger/datapoints">\n'
            + "".join(points) + "    </datapoints>\n  </datalogger>\n</mii>\n")


def _mii_xml(folder: Path) -> list[Path]:
    paths = []
    for day, name in (("2026-03-01", "bluelog_2026-03-01.xml"), ("2026-03-02", "bluelog_2026-03-02.xml.gz")):
        start, end = parse_utc(day), parse_utc(day) + 86_400
        frame = simulate_site(SAMPLE_SITE, start, end, seed=SEED).frame
        text = _mii_document(frame, simulate_station(SAMPLE_SITE, start, end, seed=SEED))
        if name.endswith(".gz"):
            (folder / name).write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
            paths.append(folder / name)
        else:
            paths.append(_write(folder / name, text))
    return paths


def _mii_csv(folder: Path) -> list[Path]:
    frame = _energy("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z")
    wh = frame["value"].to_numpy()
    lines = [f"# {NOTE}; MII CSV variant (see oracle/sources/bluelog.py), UTC",
             "datalogger,DL-SAMPLE-0001", "interval,900",
             "type,inverter,inverter,inverter,inverter", "name,west,west,east,east", "uid,1,1,2,2",
             "unit,W,kWh,W,kWh", "abbreviation,P_AC,E_INT,P_AC,E_INT"]
    lines += [f"{stamp},{a * 4:.1f},{a / 1000:.4f},{b * 4:.1f},{b / 1000:.4f}"
              for stamp, a, b in zip(frame["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S"), wh * 0.5, wh * 0.5)]
    return [_write(folder / "bluelog_2026-03-01.csv", "\n".join(lines) + "\n")]


def _station_csv(folder: Path) -> list[Path]:
    ghi = simulate_station(SAMPLE_SITE, parse_utc("2026-03-01"), parse_utc("2026-03-02"), seed=SEED)
    body = pd.DataFrame({"timestamp": ghi.index.strftime(ISO_UTC_FORMAT), "ghi_w_m2": ghi.to_numpy()})
    text = f"# {NOTE}; GHI in W/m2, mean of the 15-minute interval that starts at the timestamp\n"
    return [_write(folder / "station_ghi_2026-03-01.csv", text + body.to_csv(index=False))]


def _vcom_json(folder: Path) -> list[Path]:
    frame = _energy("2026-03-01T03:00:00Z", "2026-03-02T03:00:00Z")
    local = frame["timestamp"].dt.tz_convert(SANTIAGO).map(pd.Timestamp.isoformat)
    values: list = [f"{v / 1000:.4f}" if i % 2 else round(v / 1000, 4)
                    for i, v in enumerate(frame["value"])]  # VCOM sends numbers or strings
    values[40] = None  # and null where it has no value
    measurements = {"data": {"E_Z_EVU": [{"timestamp": t, "value": v} for t, v in zip(local, values)]}}
    systems = {"data": [{"key": "SMPL1", "name": "Synthetic rooftop Santiago 10 kW"}]}
    system = {"data": {"key": "SMPL1", "name": "Synthetic rooftop Santiago 10 kW",
                       "address": {"city": "Santiago", "country": "CL", "postalCode": "", "street": ""},
                       "coordinates": {"latitude": -33.45, "longitude": -70.66, "altitude": 500},
                       "timezone": {"name": SANTIAGO, "utcOffset": "-03:00"},
                       "commissionDate": "2025-06-01", "currency": "CLP"}}
    return [_write(folder / name, json.dumps(body, indent=1) + "\n") for name, body in
            (("vcom_systems.json", systems), ("vcom_system_SMPL1.json", system),
             ("vcom_E_Z_EVU_SMPL1_2026-03-01.json", measurements))]


if __name__ == "__main__":
    for written in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "data")):
        print(written)
