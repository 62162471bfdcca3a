"""to_utc: offsets, naive local time with America/Santiago, and Chile's DST transitions."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from oracle.errors import InputError
from oracle.sources.timestamps import to_utc

SANTIAGO = "America/Santiago"


def _transitions(year: int) -> list[datetime]:
    """UTC instants where America/Santiago's offset changes in `year` (looked up, not assumed)."""
    zone = ZoneInfo(SANTIAGO)
    found, t = [], datetime(year, 1, 1, tzinfo=timezone.utc)
    previous = t.astimezone(zone).utcoffset()
    while t.year == year:
        t += timedelta(minutes=15)
        offset = t.astimezone(zone).utcoffset()
        if offset != previous:
            found.append(t)
            previous = offset
    return found


def _utc(*texts):
    return [pd.Timestamp(t) for t in texts]


def test_offsets_and_z_become_utc_whatever_tz_says():
    out = to_utc(pd.Series(["2026-03-01T12:15Z", "2026-03-01T09:30:00-03:00"]), "Asia/Tokyo", "f")
    assert list(out) == _utc("2026-03-01T12:15Z", "2026-03-01T12:30Z")
    assert str(out.dtype) == "datetime64[ns, UTC]"


def test_naive_needs_tz():
    with pytest.raises(InputError, match=r"^f: naive timestamps .*pass --tz America/Santiago"):
        to_utc(pd.Series(["2026-03-01 12:00"]), None, "f")


def test_naive_date_alone_is_not_taken_for_an_offset():
    out = to_utc(pd.Series(["2026-01-05"]), SANTIAGO, "f")
    assert list(out) == _utc("2026-01-05T03:00Z")  # summer time, -03:00


def test_mixed_naive_and_offset_refused():
    with pytest.raises(InputError, match="row 3 has no UTC offset, row 2 has one"):
        to_utc(pd.Series(["2026-03-01T00:00Z", "2026-03-01 00:15"], index=[2, 3]), SANTIAGO, "f")


def test_garbage_and_blank_name_the_row():
    with pytest.raises(InputError, match=r"f: row 7: timestamp 'yesterday' is not ISO 8601"):
        to_utc(pd.Series(["2026-03-01 00:00", "yesterday"], index=[6, 7]), SANTIAGO, "f")
    with pytest.raises(InputError, match=r"f: row 4: blank timestamp"):
        to_utc(pd.Series(["2026-03-01 00:00", " "], index=[3, 4]), SANTIAGO, "f")


@pytest.mark.parametrize("year", [2025, 2026])
def test_fall_back_repeated_hour_resolved_by_order(year):
    fall_back = next(t for t in _transitions(year) if t.month == 4)  # -03 -> -04
    local_day = (fall_back - timedelta(hours=4)).date()  # the Saturday whose 23:00 comes twice
    texts = [f"{local_day} 22:45", f"{local_day} 23:00", f"{local_day} 23:45",
             f"{local_day} 23:00", f"{local_day} 23:45", f"{local_day + timedelta(days=1)} 00:00"]
    out = to_utc(pd.Series(texts), SANTIAGO, "f")
    first_23 = fall_back - timedelta(hours=1)
    assert list(out) == [first_23 - timedelta(minutes=15), first_23, first_23 + timedelta(minutes=45),
                         fall_back, fall_back + timedelta(minutes=45), fall_back + timedelta(hours=1)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_fall_back_single_pass_cannot_be_inferred(year):
    fall_back = next(t for t in _transitions(year) if t.month == 4)
    local_day = (fall_back - timedelta(hours=4)).date()
    with pytest.raises(InputError, match=rf"row 0: local time {local_day} 23:15 comes twice in "
                                         "America/Santiago .*UTC offset"):
        to_utc(pd.Series([f"{local_day} 23:15", f"{local_day} 23:30"]), SANTIAGO, "f")


@pytest.mark.parametrize("year", [2025, 2026])
def test_spring_forward_missing_hour_is_an_error_naming_the_row(year):
    spring = next(t for t in _transitions(year) if t.month == 9)  # -04 -> -03 at local 00:00
    local_day = (spring - timedelta(hours=4)).date()  # the Sunday whose 00:00-00:59 does not exist
    texts = [f"{local_day - timedelta(days=1)} 23:45", f"{local_day} 00:30", f"{local_day} 01:00"]
    with pytest.raises(InputError, match=rf"f: row 3: local time {local_day} 00:30 does not exist"):
        to_utc(pd.Series(texts, index=[2, 3, 4]), SANTIAGO, "f")
    ok = to_utc(pd.Series([texts[0], texts[2]]), SANTIAGO, "f")
    assert list(ok) == [spring - timedelta(minutes=15), spring]  # 23:45 -04 then 01:00 -03


def test_transition_dates_are_the_known_ones():
    assert [t.isoformat() for t in _transitions(2026)] == ["2026-04-05T03:00:00+00:00",
                                                           "2026-09-06T04:00:00+00:00"]
