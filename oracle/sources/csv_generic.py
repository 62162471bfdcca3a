"""Generic CSV: a ``timestamp`` column plus exactly one value column, one installation per file.

Value columns and what they become (:class:`oracle.readings.Readings`):

=================  ==========  =====================================================
column             kind        value
=================  ==========  =====================================================
``power_w``        power       W
``power_kw``       power       W (x 1000)
``energy_wh``      energy      Wh over [timestamp, timestamp + interval_s)
``energy_kwh``     energy      Wh (x 1000)
``register_kwh``   register    cumulative Wh (x 1000), differenced by normalise
=================  ==========  =====================================================

Timestamps: ISO 8601 with an offset or ``Z``, or naive local times with ``tz`` (see
:mod:`oracle.sources.timestamps`). ``interval_s`` is the median step between distinct timestamps
(1-900 s). Lines starting with ``#`` are comments. A blank value is NaN; negative, duplicated,
out-of-order and future rows pass through for the quality checks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from oracle.errors import InputError
from oracle.readings import ReadingKind, Readings
from oracle.sources.files import read_table, scaled, to_numbers
from oracle.sources.timestamps import to_utc

VALUE_COLUMNS: dict[str, tuple[ReadingKind, float]] = {
    "power_w": ("power", 1.0),
    "power_kw": ("power", 1000.0),
    "energy_wh": ("energy", 1.0),
    "energy_kwh": ("energy", 1000.0),
    "register_kwh": ("register", 1000.0),
}
MAX_INTERVAL_S = 900


def read_csv(path: Path, tz: str | None = None) -> Readings:
    """The readings of a generic CSV file (source ``csv:<path>``); InputError naming file and row
    for what cannot be read. tz: the zone of naive timestamps (``America/Santiago``)."""
    where = f"csv file {path}"
    table = read_table(path, "csv", text=None)
    return readings_from_table(table, path, tz, where)


def readings_from_table(table: pd.DataFrame, path: Path, tz: str | None, where: str) -> Readings:
    """:func:`read_csv` on a table already read (columns lower case, indexed by line number)."""
    columns = list(table.columns)
    if "timestamp" not in columns:
        raise InputError(f"{where}: no 'timestamp' column (columns found: {', '.join(columns)})")
    present = [c for c in columns if c in VALUE_COLUMNS]
    if len(present) != 1:
        found = ", ".join(c for c in columns if c != "timestamp") or "none"
        how = "no value column" if not present else f"{len(present)} value columns ({', '.join(present)})"
        raise InputError(f"{where}: {how}; expected exactly one of {', '.join(VALUE_COLUMNS)} "
                         f"(columns found besides timestamp: {found})")
    if table.empty:
        raise InputError(f"{where}: a header but no rows")
    column = present[0]
    kind, factor = VALUE_COLUMNS[column]
    timestamps = to_utc(table["timestamp"], tz, where)
    values = scaled(to_numbers(table[column], where, column), factor)
    interval_s = infer_interval_s(timestamps, where)
    frame = pd.DataFrame({
        "timestamp": timestamps.to_numpy(),
        "value": values.to_numpy(dtype="float64"),
        "interval_s": np.full(len(table), interval_s, dtype="int64"),
    })
    frame["timestamp"] = frame["timestamp"].astype("datetime64[ns, UTC]")
    return Readings(source=f"csv:{path}", kind=kind, frame=frame)


def infer_interval_s(timestamps: pd.Series, where: str, max_interval_s: int = MAX_INTERVAL_S) -> int:
    """The median step in seconds between the distinct timestamps (sorted); InputError when there
    are fewer than two or the step is above `max_interval_s`."""
    seconds = np.unique(timestamps.astype("int64").to_numpy() // 10**9)
    if len(seconds) < 2:
        raise InputError(f"{where}: one distinct timestamp only; the interval cannot be inferred")
    step = int(np.median(np.diff(seconds)))
    if not 0 < step <= max_interval_s:
        raise InputError(f"{where}: median step between timestamps is {step} s; "
                         f"at most {max_interval_s} s is accepted")
    return step
