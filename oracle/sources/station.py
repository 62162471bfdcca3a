"""Irradiance station CSV: the verifier's own, independent measure of the sun at a plant.

Columns: ``timestamp`` (ISO 8601 with an offset, or naive with ``tz``; see
:mod:`oracle.sources.timestamps`) and ``ghi_w_m2``, global horizontal irradiance in W/m2 (a sample
at the timestamp, or the mean of the interval that starts there). One unit only: another
irradiance column (``ghi_kw_m2``, ``poa_w_m2``, ...) is refused naming it. Lines starting with ``#``
are comments; a blank value is NaN; values are not judged here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oracle.errors import InputError
from oracle.sources.files import read_table, to_numbers
from oracle.sources.timestamps import to_utc

GHI_COLUMN = "ghi_w_m2"


def read_station(path: Path, tz: str | None = None) -> pd.Series:
    """GHI in W/m2 (float64, NaN kept) named ``ghi_w_m2`` on a UTC DatetimeIndex, in file order."""
    where = f"station file {path}"
    table = read_table(path, "station")
    columns = list(table.columns)
    if "timestamp" not in columns:
        raise InputError(f"{where}: no 'timestamp' column (columns found: {', '.join(columns)})")
    others = [c for c in columns if c not in ("timestamp", GHI_COLUMN)]
    units = [c for c in others if any(word in c for word in ("ghi", "irr", "poa", "_m2"))]
    if GHI_COLUMN not in columns:
        found = f"irradiance column {', '.join(units)}" if units else f"columns {', '.join(others) or 'none'}"
        raise InputError(f"{where}: no '{GHI_COLUMN}' column (found {found}); GHI must be in W/m2")
    if units:
        raise InputError(f"{where}: irradiance in {GHI_COLUMN} and also in {', '.join(units)}; "
                         "one column, in W/m2")
    if table.empty:
        raise InputError(f"{where}: a header but no rows")
    index = pd.DatetimeIndex(to_utc(table["timestamp"], tz, where), name="timestamp")
    values = to_numbers(table[GHI_COLUMN], where, GHI_COLUMN)
    return pd.Series(values.to_numpy(dtype="float64"), index=index, name=GHI_COLUMN)
