"""blue'Log MII push files (XML, CSV, gzip) and the push folder scan."""

import gzip
import hashlib
import math
import shutil

import pandas as pd
import pytest

from oracle.errors import InputError
from oracle.sources.bluelog import read_push_file, scan_folder

CONFIG = ('<configuration><devices><device type="inverter" id="inv-1"/><device type="inverter" id="inv-2"/>'
          '<device type="genset" id="gen-1"/><device type="meteo" id="met-1"/></devices></configuration>')


def _mii(points: str, config: str = CONFIG) -> str:
    return f'<?xml version="1.0"?><mii version="2.0"><datalogger>{config}<datapoints>{points}</datapoints></datalogger></mii>'


def _point(stamp, devices, interval=900):
    inner = "".join(f'<device id="{d}"><mv t="E_INT" v="{v}"/></device>' for d, v in devices)
    return f'<datapoint interval="{interval}" timestamp="{stamp}">{inner}<device id="met-1"><mv t="SRAD" v="500"/></device></datapoint>'


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_xml_one_readings_per_inverter_kwh_to_wh(tmp_path):
    text = _mii(_point("2026-03-01T12:15:00Z", [("inv-1", "0.0767"), ("inv-2", "0.0033"), ("gen-1", "400")])
                + _point("2026-03-01T12:30:00Z", [("inv-1", "-0.01"), ("inv-2", "")], interval=300))
    by_device = {r.device: r for r in read_push_file(_write(tmp_path, "push.xml", text))}
    assert sorted(by_device) == ["inv-1", "inv-2"]  # the genset's E_INT is not PV generation
    one = by_device["inv-1"]
    assert one.kind == "energy" and one.source == "bluelog:push.xml"
    assert one.frame["value"].tolist() == [76.7, -10.0]  # negative passes through
    assert one.frame["interval_s"].tolist() == [900, 300]
    assert one.frame["timestamp"].tolist() == [pd.Timestamp("2026-03-01T12:15Z"), pd.Timestamp("2026-03-01T12:30Z")]
    two = by_device["inv-2"].frame["value"].tolist()
    assert two[0] == 3.3 and math.isnan(two[1])


def test_gzip_detected_by_magic_not_name(tmp_path):
    text = _mii(_point("2026-03-01T12:15:00Z", [("inv-1", "0.5"), ("inv-2", "0.25")]))
    path = _write(tmp_path, "push.dat", gzip.compress(text.encode()))
    assert [r.frame["value"].tolist() for r in read_push_file(path)] == [[500.0], [250.0]]


def test_sample_files_read():
    plain = read_push_file("data/bluelog_2026-03-01.xml")
    packed = read_push_file("data/bluelog_2026-03-02.xml.gz")
    csv = read_push_file("data/bluelog_2026-03-01.csv")
    assert [r.device for r in plain] == ["inverter-1", "inverter-2"] == [r.device for r in packed]
    assert [r.device for r in csv] == ["inverter-1", "inverter-2"]
    assert all(len(r.frame) == 96 for r in plain + packed + csv)


def test_mii_csv_units_and_interval(tmp_path):
    text = ("datalogger,DL1\ntype,inverter,inverter,meteo\nuid,7,8,1\nunit,kWh,Wh,W/m2\n"
            "abbreviation,E_INT,E_INT,SRAD\n2026-03-01 12:00:00,0.0767,76.7,500\n"
            "2026-03-01 12:05:00,,-1,510\n")
    readings = read_push_file(_write(tmp_path, "push.csv", text))
    assert [r.device for r in readings] == ["inverter-7", "inverter-8"]
    assert readings[0].frame["value"].iloc[0] == 76.7 and math.isnan(readings[0].frame["value"].iloc[1])
    assert readings[1].frame["value"].tolist() == [76.7, -1.0]
    assert set(readings[0].frame["interval_s"]) == {300}
    assert readings[0].frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-01T12:00Z")


@pytest.mark.parametrize("content, message", [
    ("", r"bluelog file .*: empty"),
    (b"\x00\x9f\x11binary", r"binary data"),
    ("<mii version='2.0'><datalogger><datapoints><datapoint", r"malformed XML"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><mii/>', r"DOCTYPE/ENTITY declarations are refused"),
    ("<html/>", r"root element is <html>, not <mii>"),
    (_mii(""), r"no <datapoint>"),
    (_mii(_point("2026-03-01T12:15:00Z", [("inv-1", "abc")])),
     r"datapoint 2026-03-01T12:15:00Z device inv-1: E_INT 'abc' is not a number"),
    (_mii(_point("2026-03-01T12:15:00Z", [("inv-1", "1")], interval=120)), r"interval '120' is not one of"),
    (_mii(_point("2026-03-01T12:15:00Z", [("inv-9", "1")])), r"device 'inv-9' has E_INT but is not in the configuration"),
    (_mii('<datapoint interval="900" timestamp="2026-03-01T12:15:00Z"><device id="met-1"><mv t="SRAD" v="1"/></device></datapoint>'),
     r"datapoint 2026-03-01T12:15:00Z has no E_INT value"),
    ("datalogger,DL1\ninterval,900\ntype,inverter\nuid,1\nunit,MWh\nabbreviation,E_INT\n2026-03-01 12:00:00,1\n", r"unit 'MWh'; expected kWh or Wh"),
    ("datalogger,DL1\ntype,inverter\nuid,1\nabbreviation,E_INT\n2026-03-01 12:00:00,1\n", r"one timestamp and no 'interval' row"),
    ("hello,world\n1,2\n", r"neither MII XML nor MII CSV"),
])
def test_bad_push_files_are_one_line_input_errors(tmp_path, content, message):
    with pytest.raises(InputError, match=message) as error:
        read_push_file(_write(tmp_path, "bad.xml", content))
    assert "\n" not in str(error.value) and str(error.value).startswith("bluelog file ")


def test_truncated_gzip(tmp_path):
    packed = gzip.compress(_mii(_point("2026-03-01T12:15:00Z", [("inv-1", "1")])).encode())
    with pytest.raises(InputError, match=r"bluelog file cut\.xml\.gz: truncated or corrupt gzip"):
        read_push_file(_write(tmp_path, "cut.xml.gz", packed[: len(packed) // 2]))


def test_scan_folder_hashes_skips_seen_and_reports_corrupt_files_whole(tmp_path):
    folder = tmp_path / "push"
    folder.mkdir()
    shutil.copy("data/bluelog_2026-03-01.xml", folder / "a.xml")
    packed = (folder / "b.xml.gz")
    packed.write_bytes(open("data/bluelog_2026-03-02.xml.gz", "rb").read()[:900])  # truncated upload
    (folder / "c.xml").write_bytes(b"")
    shutil.copy("data/bluelog_2026-03-01.csv", folder / "d.csv")
    (folder / "sub").mkdir()  # folders are not files
    seen_hash = hashlib.sha256((folder / "d.csv").read_bytes()).hexdigest()
    files = list(scan_folder(folder, seen=lambda digest: digest == seen_hash))
    assert [f.path.name for f in files] == ["a.xml", "b.xml.gz", "c.xml"]
    good, truncated, empty = files
    assert good.error is None and len(good.readings) == 2
    assert good.sha256 == hashlib.sha256((folder / "a.xml").read_bytes()).hexdigest()
    assert truncated.readings is None and "truncated or corrupt gzip" in truncated.error
    assert empty.readings is None and "empty" in empty.error
