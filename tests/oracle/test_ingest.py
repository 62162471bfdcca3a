"""oracle/pipeline.py ingest from each kind of source into the store: every file once, a bad file
reported once and never half imported, devices chosen by the config, simulated data marked."""

import shutil
from pathlib import Path

import pytest

from oracle.config import load_config
from oracle.pipeline import ingest
from oracle.store import open_store
from oracle.timeutil import DAY_S, parse_utc
from oracle_helpers import write_config

DATA = Path(__file__).resolve().parents[2] / "data"
NOW = parse_utc("2026-03-10T00:00:00Z")


def setup(tmp_path, source):
    installation = f"""
[[installations]]
id = 1
capacity_w = 10000
lat = -33.45
lon = -70.67
source = {source}
"""
    config = load_config(write_config(tmp_path, tmp_path / "31337.json", "http://127.0.0.1:9", installation))
    return config, open_store(config.store_path)


def test_csv_files_are_imported_once_and_a_bad_one_is_reported_once(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(DATA / "generic_energy_kwh_2026-03-01.csv", inbox / "a.csv")
    (inbox / "b.csv").write_text("timestamp,energy_wh\n2026-03-02T10:00:00Z,abc\n")
    config, store = setup(tmp_path, '{ kind = "csv", path = "inbox/*.csv" }')
    first = ingest(store, config, NOW)
    assert (first.files, first.intervals, len(first.failed)) == (1, 96, 1)
    assert "b.csv" in first.failed[0] and "'abc' is not a number" in first.failed[0]
    again = ingest(store, config, NOW)
    assert (again.files, again.skipped_files, again.intervals, again.failed) == (0, 2, 0, [])
    (inbox / "b.csv").write_text("timestamp,energy_wh\n2026-03-02T10:00:00Z,500\n2026-03-02T10:15:00Z,510\n")
    fixed = ingest(store, config, NOW)
    assert (fixed.files, fixed.intervals) == (1, 2)
    assert store.interval(1, parse_utc("2026-03-02T10:15:00Z"))["energy_wh"] == 510
    store.close()


def test_bluelog_push_files_give_the_configured_device_and_skip_corrupt_ones(tmp_path):
    push = tmp_path / "push"
    push.mkdir()
    shutil.copy(DATA / "bluelog_2026-03-01.xml", push)
    shutil.copy(DATA / "bluelog_2026-03-02.xml.gz", push)
    (push / "bluelog_2026-03-03.xml.gz").write_bytes((DATA / "bluelog_2026-03-02.xml.gz").read_bytes()[:200])  # truncated
    config, store = setup(tmp_path, '{ kind = "bluelog", folder = "push", device = "inverter-2" }')
    report = ingest(store, config, NOW)
    assert report.files == 2 and len(report.failed) == 1 and "bluelog_2026-03-03" in report.failed[0]
    stored = store.intervals(1, parse_utc("2026-03-01"), parse_utc("2026-03-04"))
    assert len(stored) == 2 * 96
    assert store.db.execute("SELECT COUNT(*) FROM imports WHERE error IS NULL").fetchone()[0] == 2
    store.close()


def test_a_push_file_without_the_configured_device_is_refused_whole(tmp_path):
    push = tmp_path / "push"
    push.mkdir()
    shutil.copy(DATA / "bluelog_2026-03-01.xml", push)
    config, store = setup(tmp_path, '{ kind = "bluelog", folder = "push", device = "inverter-9" }')
    report = ingest(store, config, NOW)
    assert report.files == 0 and "0 matching device(s)" in report.failed[0] and store.counts() == {}
    store.close()


def test_simulated_readings_resume_where_they_stopped_and_are_marked_synthetic(tmp_path):
    config, store = setup(tmp_path, '{ kind = "simulated", seed = 3, start = "2026-03-01T00:00:00Z" }')
    ingest(store, config, parse_utc("2026-03-02T00:00:00Z"))
    ingest(store, config, parse_utc("2026-03-03T00:00:00Z"))
    assert len(store.intervals(1, parse_utc("2026-03-01"), parse_utc("2026-03-03"))) == 2 * 96
    assert store.db.execute("SELECT MIN(synthetic) FROM imports").fetchone()[0] == 1
    assert store.last_interval(1) == parse_utc("2026-03-03") - 900
    store.close()


def test_an_absent_push_folder_is_a_config_error(tmp_path):
    from oracle.errors import ConfigError

    config, store = setup(tmp_path, '{ kind = "bluelog", folder = "nowhere" }')
    with pytest.raises(ConfigError, match="push folder .*nowhere does not exist"):
        ingest(store, config, NOW + DAY_S)
    store.close()
