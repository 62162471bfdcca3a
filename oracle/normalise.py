"""Readings of one installation -> UTC 15-minute intervals aligned to :00/:15/:30/:45, energy in Wh.

Rules (docs/quality-flags.md, "Normalise", says the same for readers of the output):

- Every reading becomes a piece of energy over a time span ``[start, start + length)``:
  ``energy`` readings are that already (Wh over ``[timestamp, timestamp + interval_s)``); a
  ``power`` sample is the mean power over its step, so its energy is ``value_w * interval_s / 3600``
  Wh over ``[timestamp, timestamp + interval_s)``; a ``register`` is differenced, the energy of
  ``[t_i, t_i+1)`` being ``register_i+1 - register_i``.
- A span's energy goes to the 15-minute intervals it overlaps, in proportion to the overlap. So
  5-minute energies are summed into their interval, an hour (MII ``interval="3600"``) is split
  evenly into its four intervals (one quarter each), and a span that starts off the grid (``:07``)
  is shared between the two intervals it straddles by time (8/15 and 7/15 of a 15-minute span
  starting at ``:07``). Energy is conserved: the output sums to the input energy.
- ``coverage`` is the fraction of the interval covered by spans (1.0 when fully reported). Spans
  that overlap each other (coverage above 1) mark the interval ``duplicate`` (and coverage is
  capped at 1); their energy is still counted once each.
- NaN values are missing data: no energy, no coverage. Missing intervals between the first and
  the last span are rows with coverage 0 and energy 0 (the checks flag them ``gap`` in daylight).
- Duplicates (several rows with one timestamp): identical rows (same value and interval_s) are
  collapsed silently into one. Conflicting rows mark the intervals they touch ``duplicate`` and
  the smallest value is kept (conservative: the flagged interval is held for review anyway, and
  certification never takes the larger claim by default).
- A register that goes down (a meter reset or replacement) is never negative energy: the span is
  ``register_reset``, its energy is 0 (what was generated between the last reading and the reset
  is unknown), and differencing resumes from the new value.
- Rows may come in any order: they are sorted by timestamp first.

Energy in (:func:`energy_in_wh`) is the sum of the kept spans' energy: after identical duplicates
are collapsed and conflicting ones resolved to their smallest value, with power integrated and
registers differenced (resets counting 0). Floating-point sums over a different grouping may
differ in the last bits for arbitrary decimal values; for energies with few significant bits
(integer Wh, quarter Wh) the equality is exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oracle.errors import InputError
from oracle.readings import Readings
from oracle.timeutil import INTERVAL_S

OUTPUT_COLUMNS = ("interval_start", "energy_wh", "coverage", "duplicate", "register_reset")
ENERGY_IN_ATTR = "energy_in_wh"  # DataFrame.attrs key: the energy in of the normalised readings


def normalise(readings: Readings) -> pd.DataFrame:
    """UTC 15-minute intervals of one installation's readings.

    Returns a DataFrame with columns ``interval_start`` (int64 unix seconds UTC, a multiple of 900,
    sorted, unique, every interval from the first to the last one with data), ``energy_wh``
    (float64), ``coverage`` (float64, 0..1), ``duplicate`` (bool) and ``register_reset`` (bool);
    ``attrs["energy_in_wh"]`` holds :func:`energy_in_wh`. Raises InputError for readings without
    a timestamp or with a non-positive interval_s.
    """
    spans = _spans(readings)
    frame = _to_intervals(*spans)
    frame.attrs[ENERGY_IN_ATTR] = float(spans[2].sum())
    return frame


def energy_in_wh(readings: Readings) -> float:
    """The energy (Wh) the readings carry, by the rules of :func:`normalise` (module docstring)."""
    return float(_spans(readings)[2].sum())


def _spans(readings: Readings) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(start_s, length_s, energy_wh, conflicting, reset) arrays, one entry per kept span."""
    frame = readings.frame
    if frame["timestamp"].isna().any():
        row = int(np.flatnonzero(frame["timestamp"].isna().to_numpy())[0])
        raise InputError(f"{readings.source}: reading {row} has no timestamp")
    timestamps = pd.DatetimeIndex(frame["timestamp"])
    if timestamps.tz is None:
        raise InputError(f"{readings.source}: timestamps are not in UTC (a source bug)")
    table = pd.DataFrame({
        "start": ((timestamps.tz_convert("UTC") - pd.Timestamp(0, tz="UTC"))
                  // pd.Timedelta(seconds=1)),
        "value": frame["value"].to_numpy(dtype="float64"),
        "length": frame["interval_s"].to_numpy(dtype="int64"),
    })
    table = table[table["value"].notna()]
    if readings.kind != "register" and (table["length"] <= 0).any():
        row = table.index[(table["length"] <= 0).to_numpy()][0]
        raise InputError(f"{readings.source}: reading {row} has interval_s <= 0")
    table = table.drop_duplicates(["start", "value", "length"])
    table = table.sort_values(["start", "value"], kind="stable")
    conflicting = table["start"].duplicated(keep=False).to_numpy()
    first = ~table["start"].duplicated(keep="first").to_numpy()
    start = table["start"].to_numpy(dtype="int64")[first]
    value = table["value"].to_numpy()[first]
    length = table["length"].to_numpy()[first]
    conflicting = conflicting[first]  # every row of a conflicting timestamp is marked
    if readings.kind == "energy":
        return start, length, value, conflicting, np.zeros(len(start), dtype=bool)
    if readings.kind == "power":
        return start, length, value * length / 3600.0, conflicting, np.zeros(len(start), dtype=bool)
    step = np.diff(value)
    reset = step < 0
    # a span of a register runs from one reading to the next: conflicting if either end was
    return (start[:-1], np.diff(start), np.where(reset, 0.0, step),
            conflicting[:-1] | conflicting[1:], reset)


def _to_intervals(start: np.ndarray, length: np.ndarray, energy: np.ndarray,
                  conflicting: np.ndarray, reset: np.ndarray) -> pd.DataFrame:
    """Share each span's energy among the 15-minute intervals it overlaps (by overlap time)."""
    if len(start) == 0:
        return pd.DataFrame({
            "interval_start": np.array([], dtype="int64"),
            "energy_wh": np.array([], dtype="float64"),
            "coverage": np.array([], dtype="float64"), "duplicate": np.array([], dtype=bool),
            "register_reset": np.array([], dtype=bool)})
    end = start + length
    first_bin = start // INTERVAL_S
    last_bin = (end - 1) // INTERVAL_S
    pieces = last_bin - first_bin + 1
    span = np.repeat(np.arange(len(start)), pieces)
    offset = np.arange(len(span)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    piece_bin = first_bin[span] + offset
    overlap = (np.minimum(end[span], (piece_bin + 1) * INTERVAL_S)
               - np.maximum(start[span], piece_bin * INTERVAL_S))
    # overlap / length first: 1.0 (whole span) and 0.25 (an hour's quarter) keep the energy exact
    piece_energy = energy[span] * (overlap / length[span])

    low = int(first_bin.min())
    count = int(last_bin.max()) - low + 1
    slot = piece_bin - low
    energy_wh = np.bincount(slot, weights=piece_energy, minlength=count)
    covered_s = np.bincount(slot, weights=overlap, minlength=count)
    duplicate = np.bincount(slot, weights=conflicting[span], minlength=count) > 0
    register_reset = np.bincount(slot, weights=reset[span], minlength=count) > 0
    duplicate |= covered_s > INTERVAL_S
    return pd.DataFrame({
        "interval_start": (np.arange(count, dtype="int64") + low) * INTERVAL_S,
        "energy_wh": energy_wh,
        "coverage": np.minimum(covered_s / INTERVAL_S, 1.0),
        "duplicate": duplicate,
        "register_reset": register_reset,
    })
