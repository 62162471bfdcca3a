"""Timestamps of source files to UTC: ISO 8601 with an offset (or ``Z``), or naive local times with a zone.

Naive local times and Chile's DST (America/Santiago):

- fall back (first Saturday night of April, 24:00 -03 -> 23:00 -04): the local hour 23:00-23:59 comes
  twice. It is resolved by order (pandas ``ambiguous="infer"``): the first pass is DST (-03), the
  second standard time (-04). When the order cannot tell (one pass only, or the repeated times out
  of order) the file is refused (InputError naming the row): give such files with UTC offsets.
- spring forward (first Saturday night of September, 24:00 -04 -> 01:00 -03): the local hour
  00:00-00:59 does not exist; a naive time in it is an InputError naming the row.
"""

from __future__ import annotations

import pandas as pd

from oracle.errors import InputError

_OFFSET_RE = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_UTC_NS = "datetime64[ns, UTC]"


def to_utc(values: pd.Series, tz: str | None, where: str, place: str = "row") -> pd.Series:
    """UTC instants (``datetime64[ns, UTC]``) of ISO 8601 strings.

    values: strings, indexed by the row label used in messages (a CSV reader indexes by line number);
    tz: the IANA zone of naive strings (``America/Santiago``), or None to refuse naive strings;
    where: the file for messages (``"csv file x.csv"``); place: what an index label names (``row``).
    Strings with an offset or ``Z`` are converted whatever ``tz`` says. Mixing naive and offset
    strings in one series is refused. Raises InputError naming the row for what cannot be read.
    """
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    if blank.any():
        raise InputError(f"{where}: {place} {_first(blank)}: blank timestamp")
    has_offset = text.str.contains(_OFFSET_RE, regex=True)
    if has_offset.all():
        parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
        _refuse_unparsed(parsed, text, where, place)
        return parsed.astype(_UTC_NS)
    if has_offset.any():
        raise InputError(f"{where}: {place} {_first(~has_offset)} has no UTC offset, "
                         f"{place} {_first(has_offset)} has one; a file is all naive or all with offsets")
    if tz is None:
        at = _at(~has_offset)
        raise InputError(f"{where}: naive timestamps ({place} {text.index[at]}: {text.iloc[at]!r} has no UTC offset): "
                         "pass --tz America/Santiago")
    naive = pd.to_datetime(text, format="ISO8601", errors="coerce")
    _refuse_unparsed(naive, text, where, place)
    return _localize(naive, text, tz, where).astype(_UTC_NS)


def _localize(naive: pd.Series, text: pd.Series, tz: str, where: str) -> pd.Series:
    try:
        local = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    except Exception as exc:  # an unknown zone name
        raise InputError(f"{where}: time zone {tz!r}: {exc}") from None
    missing = local.isna()
    if not missing.any():
        return local.dt.tz_convert("UTC")
    nonexistent = missing & naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").notna()
    ambiguous = missing & ~nonexistent
    if nonexistent.any():
        at = _at(nonexistent)
        raise InputError(f"{where}: row {text.index[at]}: local time {text.iloc[at]} does not exist in {tz} "
                         "(the clocks jump forward an hour then)")
    try:
        return naive.dt.tz_localize(tz, ambiguous="infer").dt.tz_convert("UTC")
    except ValueError:
        at = _at(ambiguous)
        raise InputError(f"{where}: row {text.index[at]}: local time {text.iloc[at]} comes twice in {tz} (DST ends) "
                         "and the order of the rows does not tell which; give timestamps with a UTC "
                         "offset") from None


def _refuse_unparsed(parsed: pd.Series, text: pd.Series, where: str, place: str) -> None:
    bad = parsed.isna()
    if bad.any():
        at = _at(bad)
        raise InputError(f"{where}: {place} {text.index[at]}: timestamp {text.iloc[at]!r} is not ISO 8601")


def _first(mask: pd.Series) -> object:
    """The label of the first True row of a boolean series."""
    return mask.index[_at(mask)]


def _at(mask: pd.Series) -> int:
    """The position of the first True row of a boolean series."""
    return int(mask.to_numpy().argmax())
