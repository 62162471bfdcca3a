"""oracle/store.py: schema and migrations, imports (once, by hash), certified intervals never
rewritten, review decisions, the transaction journal, atomic writes."""

import sqlite3

import pytest

from oracle.errors import ConfigError
from oracle.store import MIGRATIONS, open_store
from oracle_helpers import MAR_1_2026, day_intervals


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "oracle.sqlite")
    yield opened
    opened.close()


def test_new_store_is_migrated_to_the_latest_schema_in_wal_mode(store, tmp_path):
    assert store.schema_version() == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    again = open_store(tmp_path / "oracle.sqlite")
    assert again.schema_version() == len(MIGRATIONS)
    again.close()


def test_a_store_from_a_newer_oracle_is_refused(tmp_path):
    path = tmp_path / "oracle.sqlite"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(ConfigError, match="newer than this oracle"):
        open_store(path)


def test_flagged_intervals_wait_for_review_and_the_rest_are_accepted(store):
    result = store.import_intervals(1, "test", day_intervals(MAR_1_2026, flags={50: "above_capacity", 51: "stale;outlier"}))
    assert (result.interval_count, result.flagged, result.conflicts) == (96, 2, 0)
    pending = store.pending()
    assert pending["interval_start"].tolist() == [MAR_1_2026 + 50 * 900, MAR_1_2026 + 51 * 900]
    assert store.counts() == {1: {"accepted": 94, "pending": 2}}


def test_the_same_file_is_imported_once(store):
    first = store.import_intervals(1, "file:a.csv", day_intervals(MAR_1_2026), sha256="ab" * 32)
    again = store.import_intervals(1, "file:a.csv", day_intervals(MAR_1_2026, energy_wh=999), sha256="ab" * 32)
    assert not first.skipped and again.skipped
    assert store.interval(1, MAR_1_2026 + 50 * 900)["energy_wh"] == pytest.approx(100.25)


def test_reimporting_identical_values_changes_nothing(store):
    store.import_intervals(1, "a", day_intervals(MAR_1_2026))
    result = store.import_intervals(1, "b", day_intervals(MAR_1_2026))
    assert result.interval_count == 0 and store.counts() == {1: {"accepted": 96}}


def test_a_changed_value_before_certification_replaces_it_and_waits_for_review(store):
    store.import_intervals(1, "a", day_intervals(MAR_1_2026))
    result = store.import_intervals(1, "b", day_intervals(MAR_1_2026, energy_wh=120.0))
    assert result.interval_count == 48 and result.flagged == 48
    row = store.interval(1, MAR_1_2026 + 50 * 900)
    assert (row["energy_wh"], row["flags"], row["status"]) == (120.0, "duplicate", "pending")


def test_an_interval_in_a_round_is_never_rewritten(store):
    store.import_intervals(1, "a", day_intervals(MAR_1_2026))
    start = MAR_1_2026 + 50 * 900
    store.record_round(1, (MAR_1_2026, MAR_1_2026 + 86_400), "0x" + "11" * 32, 4812,
                       store.path.parent / "round-000001.json",
                       [((1, MAR_1_2026, MAR_1_2026 + 86_400, 4812, "0x" + "22" * 32), [])], [(1, start)])
    result = store.import_intervals(1, "b", day_intervals(MAR_1_2026, energy_wh=500.0))
    assert result.conflicts == 1  # the one interval in the round; the others were replaced
    assert store.interval(1, start)["energy_wh"] == pytest.approx(100.25)
    assert store.interval(1, start + 900)["energy_wh"] == 500.0


def test_review_decisions_are_recorded_once_with_reviewer_and_reason(store):
    store.import_intervals(1, "a", day_intervals(MAR_1_2026, flags={50: "above_clearsky"}))
    start = MAR_1_2026 + 50 * 900
    assert store.decide(1, [start, start + 900], "approved", "ana", "sensor checked on site") == 1
    assert store.decide(1, [start], "rejected", "bob", "second opinion") == 0  # decided already
    assert store.interval(1, start)["status"] == "approved"
    review = store.reviews_of(1, start, start + 900)[start]
    assert (review["decision"], review["reviewer"], review["reason"]) == ("approved", "ana", "sensor checked on site")


def test_the_journal_keeps_the_last_transaction_of_a_key_and_its_receipt(store):
    assert store.lookup("submit:round:1") is None
    store.record_sent("submit:round:1", "0xaa", 7, "0xraw1")
    store.record_receipt("submit:round:1", 12, 1, 90_000)
    record = store.lookup("submit:round:1")
    assert (record.tx_hash, record.nonce, record.block, record.status, record.gas_used) == ("0xaa", 7, 12, 1, 90_000)
    store.record_sent("submit:round:1", "0xbb", 7, "0xraw2")  # a re-send forgets the old receipt
    record = store.lookup("submit:round:1")
    assert (record.tx_hash, record.block, record.status) == ("0xbb", None, None)


def test_a_failed_write_leaves_nothing_behind(store):
    # a trigger makes the 50th interval's insert fail, half way through the import's transaction
    store.db.execute(f"CREATE TRIGGER fail BEFORE INSERT ON intervals WHEN NEW.interval_start = {MAR_1_2026 + 50 * 900} "
                     "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        store.import_intervals(1, "a", day_intervals(MAR_1_2026))
    assert store.counts() == {} and store.db.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 0


def test_an_interval_without_a_value_is_stored_as_a_gap_for_review(store):
    frame = day_intervals(MAR_1_2026)
    frame.loc[50, "energy_wh"] = float("nan")
    store.import_intervals(1, "a", frame)
    row = store.interval(1, MAR_1_2026 + 50 * 900)
    assert (row["energy_wh"], row["flags"], row["status"]) == (0.0, "gap", "pending")


def test_last_imports_says_when_the_last_import_worked_and_the_last_one_failed(tmp_path):
    from oracle.store import open_store

    store = open_store(tmp_path / "oracle.sqlite")
    assert store.last_imports() == (None, None, None)
    store.record_failed_import(1, "inbox/a.csv", "ab" * 32, "no 'timestamp' column")
    ok_s, failed_s, error = store.last_imports()
    assert ok_s is None and failed_s is not None and error == "no 'timestamp' column"
    store.close()
