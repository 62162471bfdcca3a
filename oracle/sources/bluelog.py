"""blue'Log push files: meteocontrol import interface (MII) files a datalogger drops in a folder.

XML (MII 2.0, namespaces as in meteocontrol's examples or none)::

    <mii version="2.0"><datalogger>
      <configuration><devices><device type="inverter" id="inverter-1">...</device></devices></configuration>
      <datapoints>
        <datapoint interval="900" timestamp="2026-03-01T12:15:00Z">
          <device id="inverter-1"><mv t="E_INT" v="0.0767"/>...</device>
        </datapoint>
      </datapoints>
    </datalogger></mii>

``E_INT`` is the energy of the interval in kWh, labelled by the interval's START (``timestamp``, UTC;
a timestamp without offset is read as UTC), ``interval`` one of 300, 600, 900, 3600 s. Readings are
made for the devices the configuration declares as ``inverter`` (a genset's or battery's E_INT is
not PV generation); an E_INT device missing from the configuration is an error.

CSV variant (meteocontrol's MII CSV example, as read here): header rows whose first cell names them,
then one row per timestamp (UTC, ``YYYY-MM-DD HH:MM:SS``)::

    datalogger,DL12349876
    interval,900                    (optional; else the median step between rows)
    type,inverter,inverter,meteo
    name,west-inverter,west-inverter,irradiance sensor
    uid,1,1,1
    unit,W,kWh,W/m2
    abbreviation,P_AC,E_INT,SRAD
    2026-03-01 12:15:00,40.3,0.0033,475.1

The E_INT columns of ``inverter`` devices become readings with device id ``<type>-<uid>``
(``inverter-1``), unit ``kWh`` (default when blank) or ``Wh``. Lines starting with ``#`` are comments.

Both may be gzip-compressed (detected by the magic bytes, whatever the name). A file that cannot be
read whole (truncated gzip, malformed XML, empty, binary) raises InputError: never half imported.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from oracle.errors import InputError
from oracle.readings import Readings
from oracle.sources.files import decode_text, numbered_lines, read_bytes, scaled, to_numbers
from oracle.sources.timestamps import to_utc

GZIP_MAGIC = b"\x1f\x8b"
INTERVALS_S = (300, 600, 900, 3600)
PV_DEVICE_TYPES = frozenset({"inverter"})
ENERGY_ABBREVIATION = "E_INT"
CSV_HEADER_ROWS = ("datalogger", "interval", "type", "name", "uid", "unit", "abbreviation")
_CSV_UNITS = {"": 1000.0, "kwh": 1000.0, "wh": 1.0}
_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class PushFile:
    """One file of the push folder: its sha256 (hex of its bytes) and either its readings or the
    reason it cannot be read (error), never both."""

    path: Path
    sha256: str
    readings: list[Readings] | None
    error: str | None


def read_push_file(path: Path) -> list[Readings]:
    """The readings of an MII push file (XML or CSV, plain or gzip), one per PV device (energy, Wh)."""
    return _read_push_bytes(Path(path), read_bytes(path, "bluelog"))


def scan_folder(folder: Path, seen: Callable[[str], bool]) -> Iterator[PushFile]:
    """Every regular file of `folder` sorted by name whose sha256 `seen` does not know, read whole
    or reported with its error (a corrupt file never yields part of its readings)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"bluelog folder {folder}: not a folder")
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if seen(digest):
            continue
        try:
            if not data.strip():
                raise InputError(f"bluelog file {path}: empty")
            yield PushFile(path, digest, _read_push_bytes(path, data), None)
        except InputError as exc:
            yield PushFile(path, digest, None, str(exc))


def _read_push_bytes(path: Path, data: bytes) -> list[Readings]:
    where = f"bluelog file {path.name}"
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(f"{where}: truncated or corrupt gzip ({exc})") from None
        if not data.strip():
            raise InputError(f"{where}: empty once decompressed")
    text = decode_text(data, path, "bluelog")
    head = text.lstrip()
    if head.startswith("<"):
        return _read_xml(data, path, where)
    if head.split(",", 1)[0].strip().lower() in CSV_HEADER_ROWS or head.startswith("#"):
        return _read_csv(text, path, where)
    raise InputError(f"{where}: neither MII XML nor MII CSV (starts with {head[:20]!r})")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _read_xml(data: bytes, path: Path, where: str) -> list[Readings]:
    if _DTD_RE.search(data):
        raise InputError(f"{where}: DOCTYPE/ENTITY declarations are refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"{where}: malformed XML ({exc})") from None
    if _local(root.tag) != "mii":
        raise InputError(f"{where}: root element is <{_local(root.tag)}>, not <mii>")
    loggers = _children(root, "datalogger") or [root]
    types = {device.get("id"): (device.get("type") or "").lower()
             for logger in loggers for configuration in _children(logger, "configuration")
             for devices in _children(configuration, "devices") for device in _children(devices, "device")}
    datapoints = [point for logger in loggers for block in _children(logger, "datapoints")
                  for point in _children(block, "datapoint")]
    if not datapoints:
        raise InputError(f"{where}: no <datapoint> in <datapoints>")
    rows = [row for point in datapoints for row in _datapoint_rows(point, types, where)]
    if not rows:
        raise InputError(f"{where}: no inverter has an {ENERGY_ABBREVIATION} value")
    frame = pd.DataFrame(rows, columns=["timestamp", "interval_s", "device", "value"])
    frame.index = frame["timestamp"] + " device " + frame["device"]
    frame["value"] = scaled(to_numbers(frame["value"], where, ENERGY_ABBREVIATION, "datapoint"), 1000.0)
    frame["timestamp"] = to_utc(frame["timestamp"], "UTC", where, "datapoint")
    return _per_device(frame, path)


def _datapoint_rows(point: ET.Element, types: dict, where: str) -> list[tuple]:
    stamp = point.get("timestamp") or ""
    place = f"{where}: datapoint {stamp or '(no timestamp)'}"
    if not stamp:
        raise InputError(f"{place} has no timestamp attribute")
    interval = point.get("interval", "")
    if not interval.isdigit() or int(interval) not in INTERVALS_S:
        raise InputError(f"{place}: interval {interval!r} is not one of {INTERVALS_S} s")
    rows = []
    for device in _children(point, "device"):
        energy = [mv.get("v", "") for mv in _children(device, "mv") if mv.get("t") == ENERGY_ABBREVIATION]
        device_id = device.get("id")
        if not energy:
            continue
        if device_id not in types:
            raise InputError(f"{place}: device {device_id!r} has {ENERGY_ABBREVIATION} but is not in "
                             "the configuration")
        if types[device_id] in PV_DEVICE_TYPES:
            rows.append((stamp, int(interval), device_id, energy[0]))
    if not rows and any(t in PV_DEVICE_TYPES for t in types.values()):
        raise InputError(f"{place} has no {ENERGY_ABBREVIATION} value")
    return rows


def _read_csv(text: str, path: Path, where: str) -> list[Readings]:
    numbered = numbered_lines(text)
    width = max(line.count(",") + 1 for _, line in numbered)  # header rows are shorter than data rows
    try:
        table = pd.read_csv(io.StringIO("\n".join(line for _, line in numbered)), header=None,
                            names=range(width), dtype=str, keep_default_na=False,
                            skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise InputError(f"{where}: malformed CSV ({' '.join(str(exc).split())})") from None
    table.index = [n for n, _ in numbered]
    labels = table[0].str.strip().str.lower()
    is_header = labels.isin(CSV_HEADER_ROWS)
    header = {label: table.loc[labels == label].iloc[0] for label in labels[is_header].unique()}
    missing = [label for label in ("type", "uid", "abbreviation") if label not in header]
    if missing:
        raise InputError(f"{where}: MII CSV header lacks the row(s) {', '.join(missing)}")
    data = table.loc[~is_header]
    if data.empty:
        raise InputError(f"{where}: a header but no data rows")
    kinds = header["type"].str.strip().str.lower()
    columns = [c for c in table.columns[1:]
               if header["abbreviation"][c].strip() == ENERGY_ABBREVIATION and kinds[c] in PV_DEVICE_TYPES]
    if not columns:
        raise InputError(f"{where}: no inverter column with abbreviation {ENERGY_ABBREVIATION}")
    timestamps = to_utc(data[0], "UTC", where)
    interval_s = _csv_interval(header.get("interval"), timestamps, where)
    frames = []
    for column in columns:
        unit = header["unit"][column].strip().lower() if "unit" in header else ""
        if unit not in _CSV_UNITS:
            raise InputError(f"{where}: column {column + 1} ({ENERGY_ABBREVIATION}) has unit "
                             f"{header['unit'][column]!r}; expected kWh or Wh")
        device_id = f"{kinds[column]}-{header['uid'][column].strip()}"
        values = scaled(to_numbers(data[column], where, f"{ENERGY_ABBREVIATION} of {device_id}"),
                        _CSV_UNITS[unit])
        frames.append(pd.DataFrame({"timestamp": timestamps.to_numpy(), "interval_s": interval_s,
                                    "device": device_id, "value": values.to_numpy()}))
    return _per_device(pd.concat(frames, ignore_index=True), path)


def _csv_interval(row: pd.Series | None, timestamps: pd.Series, where: str) -> int:
    if row is not None:
        text = row[1].strip()
        if not text.isdigit() or int(text) not in INTERVALS_S:
            raise InputError(f"{where}: interval row {text!r} is not one of {INTERVALS_S} s")
        return int(text)
    seconds = np.unique(timestamps.astype("int64").to_numpy() // 10**9)
    if len(seconds) < 2:
        raise InputError(f"{where}: one timestamp and no 'interval' row; the interval is unknown")
    step = int(np.median(np.diff(seconds)))
    if step not in INTERVALS_S:
        raise InputError(f"{where}: median step {step} s is not one of {INTERVALS_S} s")
    return step


def _per_device(frame: pd.DataFrame, path: Path) -> list[Readings]:
    frame = frame.astype({"interval_s": "int64", "value": "float64"})
    return [Readings(source=f"bluelog:{path.name}", kind="energy", device=str(device),
                     frame=group[["timestamp", "value", "interval_s"]].reset_index(drop=True))
            for device, group in frame.groupby("device", sort=True)]
