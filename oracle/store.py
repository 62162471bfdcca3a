"""The oracle's store: one SQLite file in the data dir (WAL, schema versioned with migrations).

Tables: ``imports`` (every file or fetch, with its content hash), ``intervals`` (one row per
installation per 15-minute interval: energy_wh, coverage, flags, status), ``reviews`` (every decision
with reviewer and reason), ``rounds`` (built -> signed -> submitted -> confirmed -> issued, or
revoked by the oracle's admin: its days are then certified again by a later round),
``leaves`` (with their proofs), ``leaf_intervals`` (which interval went into which round),
``signatures``, ``transactions`` (the journal of everything sent: recorded before broadcast).

Interval status: ``accepted`` (no flag), ``pending`` (flagged, waits for a reviewer), ``approved``
/ ``rejected`` (a reviewer decided), ``excluded`` (still pending after review.exclude_after_days).
An interval that went into a round is never changed again: a later import with another value for
it is counted as a conflict and left out (certified data is never rewritten or counted twice).

Every write is one transaction (``with store.transaction():``), so a process killed at any point
leaves the store as it was before the step or after it, never half-written.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oracle.chain.transactions import TxRecord
from oracle.errors import ConfigError

ACCEPTED, PENDING, APPROVED, REJECTED, EXCLUDED = "accepted", "pending", "approved", "rejected", "excluded"
CERTIFIABLE = (ACCEPTED, APPROVED)
ROUND_STATES = ("built", "signed", "submitted", "confirmed", "issued", "revoked")
CLOSED_ROUND_STATES = ("issued", "revoked")

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY,
        installation_id INTEGER NOT NULL,
        source TEXT NOT NULL,
        sha256 TEXT,
        imported_at INTEGER NOT NULL,
        interval_count INTEGER NOT NULL,
        energy_wh REAL NOT NULL,
        conflicts INTEGER NOT NULL DEFAULT 0,
        synthetic INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        UNIQUE (installation_id, sha256)
    );
    CREATE TABLE intervals (
        installation_id INTEGER NOT NULL,
        interval_start INTEGER NOT NULL,
        energy_wh REAL NOT NULL,
        coverage REAL NOT NULL,
        flags TEXT NOT NULL,
        status TEXT NOT NULL,
        import_id INTEGER NOT NULL REFERENCES imports(import_id),
        round_id INTEGER,
        PRIMARY KEY (installation_id, interval_start)
    ) WITHOUT ROWID;
    CREATE INDEX intervals_status ON intervals (status, installation_id, interval_start);
    CREATE TABLE reviews (
        review_id INTEGER PRIMARY KEY,
        installation_id INTEGER NOT NULL,
        interval_start INTEGER NOT NULL,
        decision TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        reason TEXT NOT NULL,
        decided_at INTEGER NOT NULL
    );
    CREATE TABLE rounds (
        round_id INTEGER PRIMARY KEY,
        status TEXT NOT NULL,
        period_start INTEGER NOT NULL,
        period_end INTEGER NOT NULL,
        merkle_root TEXT NOT NULL,
        leaf_count INTEGER NOT NULL,
        total_energy_wh INTEGER NOT NULL,
        file TEXT NOT NULL,
        built_at INTEGER NOT NULL,
        tx_hash TEXT,
        block_number INTEGER,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE leaves (
        round_id INTEGER NOT NULL REFERENCES rounds(round_id),
        installation_id INTEGER NOT NULL,
        period_start INTEGER NOT NULL,
        period_end INTEGER NOT NULL,
        energy_wh INTEGER NOT NULL,
        readings_root TEXT NOT NULL,
        proof TEXT NOT NULL,
        token_id INTEGER,
        PRIMARY KEY (round_id, installation_id, period_start)
    );
    CREATE TABLE signatures (
        round_id INTEGER NOT NULL REFERENCES rounds(round_id),
        signer TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (round_id, signer)
    );
    CREATE TABLE transactions (
        key TEXT PRIMARY KEY,
        tx_hash TEXT NOT NULL,
        nonce INTEGER NOT NULL,
        raw TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        block_number INTEGER,
        status INTEGER,
        gas_used INTEGER
    );
    """,
]


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    interval_count: int
    energy_wh: float
    flagged: int
    conflicts: int
    skipped: bool = False  # the same content was imported before


@dataclass(frozen=True)
class RoundRow:
    round_id: int
    status: str
    period_start: int
    period_end: int
    merkle_root: str
    leaf_count: int
    total_energy_wh: int
    file: Path
    tx_hash: str | None
    block_number: int | None


class Store:
    """The SQLite store. Open with :func:`open_store`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    # -- plumbing ---------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: committed at the end of the block, rolled back on an exception."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # -- imports and intervals --------------------------------------------------------------------
    def seen(self, installation_id: int, sha256: str) -> bool:
        """True when content with this hash came before for the installation: imported, or refused
        and reported once (a corrected or completed file has another hash, and is read again)."""
        row = self.db.execute(
            "SELECT 1 FROM imports WHERE installation_id = ? AND sha256 = ?", (installation_id, sha256)
        ).fetchone()
        return row is not None

    def record_failed_import(self, installation_id: int, source: str, sha256: str | None, error: str) -> None:
        """A file that could not be read: remembered with its error (and imported once fixed: a
        fixed file has another hash)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO imports (installation_id, source, sha256, imported_at, interval_count, energy_wh, error) "
                "VALUES (?, ?, ?, ?, 0, 0, ?)", (installation_id, source, sha256, int(time.time()), error)
            )

    def import_intervals(
        self, installation_id: int, source: str, checked: pd.DataFrame, sha256: str | None = None, synthetic: bool = False
    ) -> ImportResult:
        """Store checked intervals (columns interval_start, energy_wh, coverage, flags) of one import,
        atomically. An interval with no value (NaN) is stored as 0 Wh flagged ``gap``. An interval already stored with the same energy and flags is left as it is; one
        stored but not yet in a round is replaced (and gets the ``duplicate`` flag when the energy
        differs, so a reviewer sees it); one already in a round is never changed: counted as a conflict.
        """
        if sha256 is not None and self.seen(installation_id, sha256):
            row = self.db.execute("SELECT import_id FROM imports WHERE installation_id = ? AND sha256 = ?",
                                  (installation_id, sha256)).fetchone()
            return ImportResult(int(row[0]), 0, 0.0, 0, 0, skipped=True)
        starts = checked["interval_start"].astype("int64").to_numpy()
        energy = checked["energy_wh"].astype("float64").to_numpy()
        coverage = checked["coverage"].astype("float64").to_numpy() if "coverage" in checked else [1.0] * len(checked)
        flags = checked["flags"].fillna("").astype(str).to_numpy()
        missing = np.isnan(energy)
        if missing.any():  # an interval without a value is a gap for a reviewer, never NULL or NaN energy
            energy = np.where(missing, 0.0, energy)
            flags = np.where(missing & (flags == ""), "gap", flags)
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO imports (installation_id, source, sha256, imported_at, interval_count, energy_wh, synthetic) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (installation_id, source, sha256, int(time.time()), len(checked), float(energy.sum()) if len(energy) else 0.0,
                 int(synthetic)),
            )
            import_id = int(cursor.lastrowid or 0)
            existing = {
                int(r[0]): (float(r[1]), str(r[2]), r[3])
                for r in db.execute(
                    "SELECT interval_start, energy_wh, flags, round_id FROM intervals WHERE installation_id = ? "
                    "AND interval_start BETWEEN ? AND ?",
                    (installation_id, int(starts.min()) if len(starts) else 0, int(starts.max()) if len(starts) else -1),
                )
            }
            rows = []
            conflicts = 0
            flagged = 0
            for start, wh, cov, flag in zip(starts.tolist(), energy.tolist(), list(coverage), flags.tolist()):
                before = existing.get(start)
                if before is not None:
                    if before[2] is not None:
                        conflicts += int(abs(before[0] - wh) > 1e-9)
                        continue
                    if abs(before[0] - wh) <= 1e-9 and before[1] == flag:
                        continue
                    if abs(before[0] - wh) > 1e-9 and "duplicate" not in flag.split(";"):
                        flag = "duplicate" if not flag else flag + ";duplicate"
                status = PENDING if flag else ACCEPTED
                flagged += int(bool(flag))
                rows.append((installation_id, start, wh, float(cov), flag, status, import_id))
            db.executemany(
                "INSERT INTO intervals (installation_id, interval_start, energy_wh, coverage, flags, status, import_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (installation_id, interval_start) DO UPDATE SET "
                "energy_wh = excluded.energy_wh, coverage = excluded.coverage, flags = excluded.flags, "
                "status = excluded.status, import_id = excluded.import_id WHERE intervals.round_id IS NULL",
                rows,
            )
            db.execute("UPDATE imports SET conflicts = ? WHERE import_id = ?", (conflicts, import_id))
        return ImportResult(import_id, len(rows), float(energy.sum()) if len(energy) else 0.0, flagged, conflicts)

    def last_interval(self, installation_id: int) -> int | None:
        """Start of the latest stored interval of the installation (where an API fetch resumes)."""
        row = self.db.execute("SELECT MAX(interval_start) FROM intervals WHERE installation_id = ?", (installation_id,)).fetchone()
        return None if row[0] is None else int(row[0])

    def intervals(self, installation_id: int, start_s: int, end_s: int) -> pd.DataFrame:
        """The stored intervals in [start_s, end_s): interval_start, energy_wh, coverage, flags, status, round_id."""
        return pd.read_sql_query(
            "SELECT interval_start, energy_wh, coverage, flags, status, round_id FROM intervals "
            "WHERE installation_id = ? AND interval_start >= ? AND interval_start < ? ORDER BY interval_start",
            self.db, params=(installation_id, start_s, end_s),
        )

    def interval(self, installation_id: int, interval_start: int) -> dict[str, Any] | None:
        cursor = self.db.execute(
            "SELECT installation_id, interval_start, energy_wh, coverage, flags, status, round_id, import_id "
            "FROM intervals WHERE installation_id = ? AND interval_start = ?", (installation_id, interval_start)
        )
        row = cursor.fetchone()
        return None if row is None else dict(zip([c[0] for c in cursor.description], row))

    def synthetic(self, installation_id: int) -> bool:
        """True when any stored interval of the installation came from a simulated source."""
        row = self.db.execute(
            "SELECT MAX(i.synthetic) FROM imports i JOIN intervals v ON v.import_id = i.import_id WHERE v.installation_id = ?",
            (installation_id,)).fetchone()
        return bool(row[0])

    # -- review -----------------------------------------------------------------------------------
    def pending(self, installation_id: int | None = None) -> pd.DataFrame:
        """Intervals waiting for a reviewer, oldest first."""
        query = ("SELECT installation_id, interval_start, energy_wh, coverage, flags FROM intervals WHERE status = ?"
                 + (" AND installation_id = ?" if installation_id is not None else "") + " ORDER BY installation_id, interval_start")
        params: tuple[Any, ...] = (PENDING,) if installation_id is None else (PENDING, installation_id)
        return pd.read_sql_query(query, self.db, params=params)

    def decide(self, installation_id: int, starts: Sequence[int], decision: str, reviewer: str, reason: str,
               now_s: int | None = None) -> int:
        """Record `decision` (approved / rejected / excluded) for pending intervals; returns how many
        changed. Intervals not pending are left alone (a decision is made once)."""
        decided_at = int(time.time()) if now_s is None else now_s
        changed = 0
        with self.transaction() as db:
            for start in starts:
                cursor = db.execute(
                    "UPDATE intervals SET status = ? WHERE installation_id = ? AND interval_start = ? AND status = ?",
                    (decision, installation_id, int(start), PENDING),
                )
                if cursor.rowcount:
                    changed += 1
                    db.execute(
                        "INSERT INTO reviews (installation_id, interval_start, decision, reviewer, reason, decided_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (installation_id, int(start), decision, reviewer, reason, decided_at)
                    )
        return changed

    def reviews_of(self, installation_id: int, start_s: int, end_s: int) -> dict[int, dict[str, Any]]:
        """The latest decision per interval in [start_s, end_s)."""
        cursor = self.db.execute(
            "SELECT interval_start, decision, reviewer, reason, decided_at FROM reviews WHERE installation_id = ? "
            "AND interval_start >= ? AND interval_start < ? ORDER BY review_id", (installation_id, start_s, end_s)
        )
        return {int(r[0]): {"decision": r[1], "reviewer": r[2], "reason": r[3], "decidedAt": int(r[4])} for r in cursor}

    # -- rounds -----------------------------------------------------------------------------------
    def open_round(self) -> RoundRow | None:
        """The round in flight (built, signed, submitted or confirmed but not yet issued or revoked), if any."""
        row = self.db.execute(
            "SELECT round_id FROM rounds WHERE status NOT IN (?, ?) ORDER BY round_id LIMIT 1", CLOSED_ROUND_STATES
        ).fetchone()
        return None if row is None else self.round(int(row[0]))

    def round(self, round_id: int) -> RoundRow | None:
        row = self.db.execute(
            "SELECT round_id, status, period_start, period_end, merkle_root, leaf_count, total_energy_wh, file, tx_hash, "
            "block_number FROM rounds WHERE round_id = ?", (round_id,)
        ).fetchone()
        if row is None:
            return None
        return RoundRow(int(row[0]), row[1], int(row[2]), int(row[3]), row[4], int(row[5]), int(row[6]), Path(row[7]),
                        row[8], row[9])

    def rounds(self) -> list[RoundRow]:
        ids = [int(r[0]) for r in self.db.execute("SELECT round_id FROM rounds ORDER BY round_id")]
        return [r for r in (self.round(i) for i in ids) if r is not None]

    def record_round(self, round_id: int, period: tuple[int, int], merkle_root: str, total_energy_wh: int, file: Path,
                     leaves: Sequence[tuple[tuple[int, int, int, int, str], list[str]]],
                     intervals: Sequence[tuple[int, int]]) -> None:
        """A built round: its leaves with proofs, and the intervals it certifies (marked with the round)."""
        now = int(time.time())
        with self.transaction() as db:
            db.execute(
                "INSERT INTO rounds (round_id, status, period_start, period_end, merkle_root, leaf_count, total_energy_wh, "
                "file, built_at, updated_at) VALUES (?, 'built', ?, ?, ?, ?, ?, ?, ?, ?)",
                (round_id, period[0], period[1], merkle_root, len(leaves), total_energy_wh, str(file), now, now),
            )
            db.executemany(
                "INSERT INTO leaves (round_id, installation_id, period_start, period_end, energy_wh, readings_root, proof) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(round_id, *leaf, json.dumps(proof)) for leaf, proof in leaves],
            )
            db.executemany("UPDATE intervals SET round_id = ? WHERE installation_id = ? AND interval_start = ?",
                           [(round_id, i, s) for i, s in intervals])

    def discard_round(self, round_id: int) -> None:
        """Forget a round that never reached the chain (e.g. its id was taken): its intervals are free again."""
        with self.transaction() as db:
            db.execute("UPDATE intervals SET round_id = NULL WHERE round_id = ?", (round_id,))
            for table in ("signatures", "leaves", "rounds"):
                db.execute(f"DELETE FROM {table} WHERE round_id = ?", (round_id,))

    def set_round_status(self, round_id: int, status: str, tx_hash: str | None = None, block_number: int | None = None) -> None:
        if status not in ROUND_STATES:
            raise ValueError(f"unknown round status {status!r}")
        with self.transaction() as db:
            db.execute(
                "UPDATE rounds SET status = ?, tx_hash = COALESCE(?, tx_hash), block_number = COALESCE(?, block_number), "
                "updated_at = ? WHERE round_id = ?", (status, tx_hash, block_number, int(time.time()), round_id)
            )

    def add_signature(self, round_id: int, signer: str, signature: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO signatures (round_id, signer, signature) VALUES (?, ?, ?)",
                       (round_id, signer, signature))

    def signatures(self, round_id: int) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT signer, signature FROM signatures WHERE round_id = ?", (round_id,))}

    def leaves(self, round_id: int) -> list[dict[str, Any]]:
        cursor = self.db.execute(
            "SELECT installation_id, period_start, period_end, energy_wh, readings_root, proof, token_id FROM leaves "
            "WHERE round_id = ? ORDER BY installation_id, period_start", (round_id,)
        )
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r)) for r in cursor]

    def set_token_ids(self, round_id: int, issued: Sequence[tuple[int, int, int]]) -> None:
        """(installation_id, period_start, token_id) of leaves issued as certificates."""
        with self.transaction() as db:
            db.executemany("UPDATE leaves SET token_id = ? WHERE round_id = ? AND installation_id = ? AND period_start = ?",
                           [(t, round_id, i, s) for i, s, t in issued])

    # -- transaction journal (oracle.chain.transactions.TxJournal) --------------------------------
    def lookup(self, key: str) -> TxRecord | None:
        row = self.db.execute(
            "SELECT key, tx_hash, nonce, raw, block_number, status, gas_used FROM transactions WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else TxRecord(row[0], row[1], int(row[2]), row[3], row[4], row[5], row[6])

    def record_sent(self, key: str, tx_hash: str, nonce: int, raw_tx: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO transactions (key, tx_hash, nonce, raw, sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO "
                "UPDATE SET tx_hash = excluded.tx_hash, nonce = excluded.nonce, raw = excluded.raw, sent_at = excluded.sent_at, "
                "block_number = NULL, status = NULL, gas_used = NULL", (key, tx_hash, nonce, raw_tx, int(time.time()))
            )

    def record_receipt(self, key: str, block: int, status: int, gas_used: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE transactions SET block_number = ?, status = ?, gas_used = ? WHERE key = ?",
                       (block, status, gas_used, key))

    # -- status -----------------------------------------------------------------------------------
    def last_imports(self) -> tuple[int | None, int | None, str | None]:
        """When the last import succeeded and the last one failed (unix s, wall clock), and the last
        failure's error: what the oracle's last runs did."""
        ok = self.db.execute("SELECT MAX(imported_at) FROM imports WHERE error IS NULL").fetchone()[0]
        failed = self.db.execute("SELECT imported_at, error FROM imports WHERE error IS NOT NULL "
                                 "ORDER BY import_id DESC LIMIT 1").fetchone()
        return (None if ok is None else int(ok), None if failed is None else int(failed[0]),
                None if failed is None else str(failed[1]))

    def counts(self) -> dict[int, dict[str, int]]:
        """Per installation, how many intervals are in each status."""
        counts: dict[int, dict[str, int]] = {}
        for installation_id, status, n in self.db.execute(
            "SELECT installation_id, status, COUNT(*) FROM intervals GROUP BY installation_id, status"
        ):
            counts.setdefault(int(installation_id), {})[status] = int(n)
        return counts


def open_store(path: Path) -> Store:
    """Open (creating and migrating) the store at `path`, WAL journal, foreign keys on."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=NORMAL")
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"cannot open the store {path}: {exc}") from None
    store = Store(connection, path)
    version = store.schema_version()
    if version > len(MIGRATIONS):
        raise ConfigError(f"the store {path} has schema {version}, newer than this oracle's {len(MIGRATIONS)}: upgrade")
    for number in range(version, len(MIGRATIONS)):
        with store.transaction() as db:
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")
    return store
