"""UTC time helpers: the one place that formats and parses times (unix seconds, UTC, ISO 8601).

Conventions everywhere in the oracle: instants are unix seconds UTC (``int``); an interval is named
by its start; a "day" is a UTC day [00:00, 24:00).
"""

from __future__ import annotations

from datetime import datetime, timezone

DAY_S = 86_400
ISO_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # iso_utc's format, for strftime over a whole pandas column
INTERVAL_S = 900  # the national metering interval: 15 minutes


def iso_utc(unix_s: int) -> str:
    """``2026-03-01T12:15:00Z``: the format of round files, CSV outputs and logs."""
    return datetime.fromtimestamp(int(unix_s), tz=timezone.utc).strftime(ISO_UTC_FORMAT)


def iso_utc_minute(unix_s: int) -> str:
    """``2026-03-01T12:15Z``: short form for messages."""
    return datetime.fromtimestamp(int(unix_s), tz=timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def utc_date(unix_s: int) -> str:
    """``2026-03-01``: the UTC date of an instant."""
    return datetime.fromtimestamp(int(unix_s), tz=timezone.utc).strftime("%Y-%m-%d")


def utc_year(unix_s: int) -> int:
    """The UTC calendar year of an instant (the emission-factor year of a certificate)."""
    return datetime.fromtimestamp(int(unix_s), tz=timezone.utc).year


def day_start(unix_s: int) -> int:
    """00:00 UTC of the day holding `unix_s`."""
    return int(unix_s) // DAY_S * DAY_S


def parse_utc(text: str) -> int:
    """Unix seconds of an ISO 8601 time with an offset or ``Z`` (``2026-03-01``, a date alone, is
    00:00 UTC). Raises ValueError for a naive time, which would be ambiguous."""
    value = text.strip()
    if len(value) == 10:
        value += "T00:00:00Z"
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return int(parsed.timestamp())
