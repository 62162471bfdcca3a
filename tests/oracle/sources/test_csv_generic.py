"""Generic CSV: columns, units, timestamps, intervals; bad files are one-line InputErrors."""

import math

import pandas as pd
import pytest

from oracle.errors import InputError
from oracle.sources.csv_generic import read_csv


def _csv(tmp_path, text, name="x.csv", mode="w"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("column, kind, raw, expected", [
    ("power_w", "power", "1234.5", 1234.5),
    ("power_kw", "power", "1.2345", 1234.5),
    ("energy_wh", "energy", "76.7", 76.7),
    ("energy_kwh", "energy", "0.0767", 76.7),
    ("register_kwh", "register", "12345.678", 12345678.0),
])
def test_units_convert_exactly(tmp_path, column, kind, raw, expected):
    path = _csv(tmp_path, f"timestamp,{column}\n2026-03-01T12:00:00Z,{raw}\n2026-03-01T12:15:00Z,0\n")
    readings = read_csv(path)
    assert readings.kind == kind
    assert readings.frame["value"].tolist() == [expected, 0.0]
    assert readings.frame["interval_s"].tolist() == [900, 900]
    assert readings.source == f"csv:{path}"
    assert str(readings.frame["timestamp"].dtype) == "datetime64[ns, UTC]"


def test_values_pass_through_unjudged(tmp_path):
    """NaN, negative, duplicate, out-of-order, gap and future rows arrive as they are."""
    path = _csv(tmp_path, "# comment\ntimestamp,energy_wh\n2026-03-01T12:15Z,5\n2026-03-01T12:00Z,-3\n"
                "2026-03-01T12:00Z,4\n2026-03-01T12:30Z,\n2026-03-01T13:30Z,NaN\n2099-01-01T00:00Z,7\n"
                "2026-03-01T13:45Z,1\n2026-03-01T14:00Z,1\n")
    frame = read_csv(path).frame
    assert frame["timestamp"].tolist() == [pd.Timestamp(t) for t in (
        "2026-03-01T12:15Z", "2026-03-01T12:00Z", "2026-03-01T12:00Z", "2026-03-01T12:30Z",
        "2026-03-01T13:30Z", "2099-01-01T00:00Z", "2026-03-01T13:45Z", "2026-03-01T14:00Z")]
    values = frame["value"].tolist()
    assert values[:3] == [5.0, -3.0, 4.0] and math.isnan(values[3]) and math.isnan(values[4])
    assert values[5:] == [7.0, 1.0, 1.0]
    assert set(frame["interval_s"]) == {900}


def test_naive_local_dst_day_sample():
    readings = read_csv("data/generic_energy_kwh_2026-04-04_dst.csv", tz="America/Santiago")
    stamps = readings.frame["timestamp"]
    assert len(stamps) == 100 and stamps.is_unique and stamps.is_monotonic_increasing
    assert stamps.iloc[0] == pd.Timestamp("2026-04-04T03:00Z")
    assert stamps.iloc[-1] == pd.Timestamp("2026-04-05T03:45Z")


def test_five_minute_power_interval(tmp_path):
    rows = "".join(f"2026-03-01T12:{m:02d}:00-03:00,{m}\n" for m in range(0, 30, 5))
    readings = read_csv(_csv(tmp_path, "timestamp,power_w\n" + rows))
    assert set(readings.frame["interval_s"]) == {300}
    assert readings.frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-01T15:00Z")


@pytest.mark.parametrize("content, message", [
    ("", r"csv file .*x\.csv: empty"),
    (b"\x00\x01\x02garbage\xff", r"csv file .*x\.csv: binary data"),
    (b"timestamp,energy_wh\n2026-03-01T12:00Z,\xe9\n", r"csv file .*x\.csv: not UTF-8 text"),
    ("time,energy_wh\n2026-03-01T12:00Z,1\n", r"no 'timestamp' column \(columns found: time, energy_wh\)"),
    ("timestamp,power\n2026-03-01T12:00Z,1\n", r"no value column; expected exactly one of .*found besides timestamp: power\)"),
    ("timestamp,energy_wh,power_w\n2026-03-01T12:00Z,1,2\n", r"2 value columns \(energy_wh, power_w\)"),
    ("timestamp,energy_mwh\n2026-03-01T12:00Z,1\n", r"no value column.*energy_mwh"),
    ("timestamp,energy_wh\n", r"a header but no rows"),
    ("timestamp,energy_wh\n2026-03-01T12:00Z,1\n2026-03-01T12:15Z,abc\n", r"row 3: energy_wh 'abc' is not a number"),
    ("timestamp,energy_wh\n2026-03-01T12:00Z,1\n2026-13-45T99:00Z,2\n", r"row 3: timestamp '2026-13-45T99:00Z' is not ISO 8601"),
    ("timestamp,energy_wh\n2026-03-01T12:00Z,1\nnot-a-time,2\n", r"row 3 has no UTC offset, row 2 has one"),
    ("timestamp,energy_wh\n2026-03-01 12:00,1\n2026-03-01 12:15,1\n", r"naive timestamps .*pass --tz America/Santiago"),
    ("timestamp,energy_wh\n2026-03-01T12:00Z,1\n2026-03-01T12:00Z,1\n", r"one distinct timestamp only"),
    ("timestamp,energy_wh\n2026-03-01T12:00Z,1\n2026-03-01T13:00Z,1\n", r"median step between timestamps is 3600 s; at most 900"),
    ("timestamp,energy_wh\n2026-03-01T12:00Z,1\n2026-03-01T12:15Z,1,9,9\n", r"malformed CSV"),
])
def test_bad_files_are_one_line_input_errors(tmp_path, content, message):
    with pytest.raises(InputError, match=message) as error:
        read_csv(_csv(tmp_path, content))
    assert "\n" not in str(error.value) and str(error.value).startswith("csv file ")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"csv file .*nope\.csv: not found"):
        read_csv(tmp_path / "nope.csv")
