"""What every source hands to ``oracle.normalise``: a :class:`Readings` of one installation.

A source reads its format and nothing more: it converts units to W or Wh and timestamps to UTC,
and raises :class:`oracle.errors.InputError` (naming file and place) for what it cannot read. It
does not judge values: negative, NaN, duplicated, out-of-order and future rows are passed through
for normalise and the quality checks to flag.

``frame`` columns:

- ``timestamp``: ``datetime64[ns, UTC]``;
- ``value``: ``float64`` (NaN where the source had no value), in the unit of ``kind``:
  - ``"energy"``: Wh over the interval [timestamp, timestamp + interval_s) (labelled by its start);
  - ``"power"``: W, an instantaneous or interval-average sample at timestamp;
  - ``"register"``: a cumulative meter register in Wh at timestamp (differenced by normalise);
- ``interval_s``: ``int64``, the length of the interval a value covers (energy), or the sampling
  step (power, register).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

ReadingKind = Literal["energy", "power", "register"]
COLUMNS = ("timestamp", "value", "interval_s")


@dataclass(frozen=True)
class Readings:
    """Readings of one installation from one source.

    source: where they came from (``"csv:data/x.csv"``, ``"vcom:ABC12"``, ``"bluelog:file.xml.gz"``);
    device: the source's own id of the device or system (a VCOM system key, an MII device id), or
    None; kind: see the module docstring; synthetic: True for simulated data (never real generation).
    """

    source: str
    kind: ReadingKind
    frame: pd.DataFrame = field(repr=False)
    device: str | None = None
    synthetic: bool = False

    def __post_init__(self) -> None:
        missing = [c for c in COLUMNS if c not in self.frame.columns]
        if missing:
            raise ValueError(f"Readings of {self.source} lack column(s) {missing}")
        if self.kind not in ("energy", "power", "register"):
            raise ValueError(f"unknown reading kind {self.kind!r}")
