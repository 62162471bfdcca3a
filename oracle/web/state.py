"""What the pages show, read once per block: the chain's ledger and rounds, and the oracle's store.

``Snapshot`` is one consistent view: the ledger (``read_ledger``: views batched and pinned at one
block, events read once per block range), the transactions behind each record (from the same
events), the rounds (store rows merged with the chain's records) and the signer set. ``StateCache``
keeps the last snapshot and reads a new one only when the chain has a new block (the block number is
asked at most once per ``poll_s``), so a page costs no RPC call per row, and usually none at all. In
the server a background refresher (``StateCache.start``, from the app's lifespan) warms the snapshot
at startup and reads the next one when a block arrives, so no request waits for a read (reading the
demo's ledger takes ~1.7 s, nearly all of it web3's ABI encoding and decoding, not the node: 9
batched requests); pages say in the footer how old their snapshot may be. Other areas cache what
they read per block with ``StateCache.per_block`` (the marketplace does).

Store reads (intervals, reviews) are per request: SQLite on the same machine, indexed, a few ms.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd

from oracle.chain.manifest import Chain, connect, load_manifest
from oracle.config import Config
from oracle.errors import ChainError, ConfigError, OracleError
from oracle.registry.reader import ChainReader, ledger_contracts, read_ledger, struct_as_dict
from oracle.registry.records import CertificateInfo, InstallationInfo, Ledger, as_hex, mitigation_grams
from oracle.rounds import certified_wh
from oracle.store import CERTIFIABLE, EXCLUDED, PENDING, REJECTED, Store, open_store
from oracle.timeutil import DAY_S

log = logging.getLogger("oracle.web")
T = TypeVar("T")

DEFAULT_MAX_STALE_S = 15.0
"""A snapshot is served at most this long after it was last known to be the latest block."""


@dataclass(frozen=True)
class RoundView:
    """A round as the public sees it: what the chain holds, with the store's file and signatures."""

    round_id: int
    status: str  # the store's (built ... issued, revoked), or "submitted" when only the chain knows it
    period_start: int  # unix s UTC
    period_end: int
    merkle_root: str  # 0x hex
    leaf_count: int
    total_energy_wh: int
    file: Path | None  # the round file, when this oracle's store has it
    signers: tuple[str, ...]
    submitted_at: int | None  # unix s UTC, from the chain
    tx_hash: str | None
    revoked: bool = False


@dataclass(frozen=True)
class Snapshot:
    """One block's view of the ledger (see the module docstring)."""

    block_number: int
    block_timestamp: int  # unix s UTC
    ledger: Ledger
    rounds: dict[int, RoundView]
    issue_tx: dict[int, str]  # token id -> transaction hash
    issued_at: dict[int, int]  # token id -> unix s UTC of the block that issued it
    retire_tx: dict[int, str]  # retirement id -> transaction hash
    export_tx: dict[int, str]  # export id -> transaction hash
    signers: tuple[str, ...]
    quorum: int
    read_s: float  # how long reading it took
    installations: dict[int, InstallationInfo] = field(init=False)
    certificates: dict[int, CertificateInfo] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "installations", {i.installation_id: i for i in self.ledger.installations})
        object.__setattr__(self, "certificates", {c.token_id: c for c in self.ledger.certificates})

    def factor_g_per_kwh(self, certificate: CertificateInfo) -> int:
        factor = self.ledger.emission_factors.get(certificate.emission_factor_year)
        return factor.g_co2e_per_kwh if factor else 0

    def mitigation_g(self, certificate: CertificateInfo, amount_wh: int | None = None) -> int:
        """gCO2e avoided by `amount_wh` of the certificate (all of it by default), as the contract computes it."""
        return mitigation_grams(certificate.energy_wh if amount_wh is None else amount_wh, self.factor_g_per_kwh(certificate))

    def certificates_of(self, installation_id: int) -> list[CertificateInfo]:
        return [c for c in self.ledger.certificates if c.installation_id == installation_id]


def read_snapshot(chain: Chain, store: Store) -> Snapshot:
    """Read a new snapshot at the latest block (ChainError / ConfigError / LedgerError as read_ledger)."""
    started = time.monotonic()
    ledger = read_ledger(chain)
    block_number = int(ledger.block_number or 0)
    reader = ChainReader(chain.web3, block_number)
    contracts = ledger_contracts(chain, block_number)
    first = contracts.certificates_block
    certificates = contracts.certificates
    issued = reader.events(certificates, "CertificateIssued", first)
    issue_tx = {int(e["tokenId"]): e["transactionHash"] for e in issued}
    times = block_times(chain, sorted({int(e["blockNumber"]) for e in issued}))
    issued_at = {int(e["tokenId"]): times[int(e["blockNumber"])] for e in issued}
    retire_tx = {int(e["retirementId"]): e["transactionHash"] for e in reader.events(certificates, "CertificateRetired", first)}
    export_tx = {int(e["exportId"]): e["transactionHash"] for e in reader.events(certificates, "ExportLocked", first)}
    rounds: dict[int, RoundView] = {}
    signers: tuple[str, ...] = ()
    quorum = 0
    oracle = contracts.oracle
    if oracle is not None:
        oracle_first = chain.manifest.entry("GenerationOracle").block
        submitted = {int(e["roundId"]): e for e in reader.events(oracle, "RoundSubmitted", oracle_first)}
        revoked = {int(e["roundId"]) for e in reader.events(oracle, "RoundRevoked", oracle_first)}
        records = dict(zip(sorted(submitted), map(struct_as_dict, reader.call_many(oracle, "rounds", [(i,) for i in sorted(submitted)]))))
        signers = tuple(str(s) for s in reader.call(oracle, "signers"))
        quorum = int(reader.call(oracle, "quorum"))
        stored = {row.round_id: row for row in store.rounds()}
        for round_id in sorted(set(submitted) | set(stored)):
            row = stored.get(round_id)
            event = submitted.get(round_id)
            record = records.get(round_id)
            if event is not None:
                status = "revoked" if round_id in revoked else (row.status if row else "submitted")
                rounds[round_id] = RoundView(
                    round_id, status, int(event["periodStart"]), int(event["periodEnd"]), as_hex(event["merkleRoot"]),
                    int(event["leafCount"]), int(event["totalEnergyWh"]), row.file if row else None,
                    tuple(sorted(store.signatures(round_id))) if row else (),
                    int(record["submittedAt"]) if record is not None else None, event["transactionHash"],
                    round_id in revoked)
            elif row is not None:  # built or signed here, not on chain yet
                rounds[round_id] = RoundView(round_id, row.status, row.period_start, row.period_end, row.merkle_root,
                                             row.leaf_count, row.total_energy_wh, row.file,
                                             tuple(sorted(store.signatures(round_id))), None, None)
    block = chain.web3.eth.get_block(block_number)
    return Snapshot(block_number, int(block["timestamp"]), ledger, rounds, issue_tx, issued_at, retire_tx, export_tx, signers, quorum,
                    time.monotonic() - started)


def block_times(chain: Chain, block_numbers: list[int], page_size: int = 200) -> dict[int, int]:
    """Timestamps (unix s UTC) of `block_numbers`, in batched requests."""
    times: dict[int, int] = {}
    for first in range(0, len(block_numbers), page_size):
        page = block_numbers[first:first + page_size]
        with chain.web3.batch_requests() as batch:
            for number in page:
                batch.add(chain.web3.eth.get_block(number))
            blocks = batch.execute()
        times.update({number: int(block["timestamp"]) for number, block in zip(page, blocks)})
    return times


class StateCache:
    """The dashboard's connection to the chain and the store, and the snapshot of the latest block.

    Stale-while-revalidate: while the background refresher runs (``start``: the app's lifespan), a
    request gets the current snapshot at once and never waits for a read; the refresher asks the
    block number every ``poll_s`` and, when the chain moved, reads the new snapshot (and every
    per-block reader registered with ``per_block``, e.g. the marketplace) before swapping it in. A
    snapshot is served without a check for at most ``max_stale_s`` since it was last known to be the
    latest block: past that (a stuck refresher, a node that is down) the request reads itself, and a
    node that cannot be reached is a ChainError (the 503 page). Without the refresher (a script, a
    test), a request checks the block number at most once per ``poll_s`` and reads when it moved.
    """

    def __init__(self, config: Config, poll_s: float = 1.0, rpc_url: str | None = None,
                 max_stale_s: float = DEFAULT_MAX_STALE_S) -> None:
        self.config = config
        self.rpc_url = rpc_url or config.rpc_url
        self.poll_s = poll_s
        self.max_stale_s = max(max_stale_s, poll_s)
        self._chain: Chain | None = None
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0  # monotonic s: when the snapshot was last known to be the latest block
        self._lock = threading.Lock()  # guards the fields above and below (held for microseconds)
        self._read_lock = threading.Lock()  # one chain read at a time
        self._readers: dict[str, Callable[[Chain, Snapshot], Any]] = {}
        self._derived: dict[str, tuple[int, Any]] = {}  # name -> (block number, value)
        self._users = 0
        self._generation = 0  # bumped by invalidate: a read that began before it is not kept
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None  # the refresher's last failure, None once a read succeeds

    @property
    def chain(self) -> Chain:
        """The web3 connection (made on first use: a node that is down does not stop the server starting)."""
        if self._chain is None:
            if not self.config.manifest.exists():
                raise ConfigError(f"no deployment manifest at {self.config.manifest}: deploy first, or fix network.manifest")
            self._chain = connect(self.rpc_url, load_manifest(self.config.manifest))
        return self._chain

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The oracle's store, opened for one request."""
        if not self.config.store_path.exists():
            raise ConfigError(f"no oracle store at {self.config.store_path}: run the oracle first (python -m oracle run)")
        store = open_store(self.config.store_path)
        try:
            yield store
        finally:
            store.close()

    def snapshot(self) -> Snapshot:
        """The snapshot of the latest block (see the class docstring for when a request waits)."""
        with self._lock:
            current, age_s = self._snapshot, time.monotonic() - self._checked_at
        if current is not None and (age_s < self.poll_s or (self.refreshing and age_s < self.max_stale_s)):
            return current
        return self.refresh()

    def refresh(self, check: bool = False) -> Snapshot:
        """Ask the block number (unless another thread just did, or `check`) and read a new snapshot,
        with every per-block reader, when the chain moved; the caller waits for the read."""
        with self._read_lock:
            with self._lock:
                current, checked_at, generation = self._snapshot, self._checked_at, self._generation
            if current is not None and not check and time.monotonic() - checked_at < self.poll_s:
                return current
            asked_at = time.monotonic()
            try:
                latest = int(self.chain.web3.eth.block_number)
            except (OSError, ValueError) as exc:
                raise ChainError(f"cannot reach the RPC node: {type(exc).__name__}") from None
            if current is None or current.block_number != latest:
                with self.store() as store:
                    current = read_snapshot(self.chain, store)
                with self._lock:
                    readers = dict(self._readers)
                derived = {name: (current.block_number, read(self.chain, current)) for name, read in readers.items()}
                with self._lock:
                    self._derived.update(derived)
            with self._lock:
                if self._generation == generation:
                    self._snapshot, self._checked_at = current, asked_at
            self.last_error = None
            return current

    def register(self, name: str, read: Callable[[Chain, Snapshot], Any]) -> None:
        """Read `read(chain, snapshot)` with every new snapshot from now on (kept as ``per_block(name)``):
        registered before the app starts, it is warmed at startup with the snapshot."""
        with self._lock:
            self._readers.setdefault(name, read)

    def per_block(self, name: str, read: Callable[[Chain, Snapshot], T], snapshot: Snapshot | None = None) -> T:
        """What `read(chain, snapshot)` returns for `snapshot` (default: the current one), read once per
        block (`read` is registered: the refresher reads it with every new snapshot, so pages do not wait)."""
        self.register(name, read)
        snapshot = snapshot or self.snapshot()
        with self._lock:
            cached = self._derived.get(name)
        if cached is not None and cached[0] == snapshot.block_number:
            return cast(T, cached[1])
        with self._read_lock:
            with self._lock:
                cached = self._derived.get(name)
            if cached is not None and cached[0] == snapshot.block_number:
                return cast(T, cached[1])
            value = read(self.chain, snapshot)
            with self._lock:
                self._derived[name] = (snapshot.block_number, value)
            return value

    def age_s(self) -> float | None:
        """Seconds since the snapshot was last known to be the latest block (None before the first read)."""
        with self._lock:
            return None if self._snapshot is None else time.monotonic() - self._checked_at

    def invalidate(self) -> None:
        """Read again on the next request (after a write to the store)."""
        with self._lock:
            self._snapshot = None
            self._derived.clear()
            self._generation += 1

    # -- the background refresher -------------------------------------------------------------

    @property
    def refreshing(self) -> bool:
        """Whether the background refresher runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the background refresher (its first round warms the snapshot); counted, so that
        every ``start`` needs its ``stop`` (several servers may share a cache)."""
        with self._lock:
            self._users += 1
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="dashboard-refresh", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the background refresher once its last user stopped it."""
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users or self._thread is None:
                return
            thread, self._thread = self._thread, None
            self._stop.set()
        thread.join(timeout=timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh(check=True)
            except OracleError as exc:
                if str(exc) != self.last_error:
                    log.warning("dashboard: cannot refresh the snapshot: %s", exc)
                self.last_error = str(exc)
            except Exception:  # noqa: BLE001 - the refresher must outlive one bad read; the log has it
                log.exception("dashboard: reading the snapshot failed")
                self.last_error = "reading the snapshot failed (see the server's log)"
            self._stop.wait(self.poll_s)


# -- per installation and day, from the store ----------------------------------------------------

DAY_CATEGORIES = ("certified", "awaiting_round", "pending_review", "excluded")


@dataclass(frozen=True)
class DayBreakdown:
    """One installation's UTC day: Wh by what happened to its intervals, and why some were left out."""

    day_s: int
    certified_wh: int  # in an issued or submitted round
    awaiting_round_wh: int  # accepted or approved, not in a round yet
    pending_review_wh: int  # flagged, waiting for a reviewer
    excluded_wh: int  # rejected by a reviewer, or excluded after the review deadline
    flags: tuple[str, ...]  # flag codes seen on the flagged intervals
    flagged_intervals: int


def day_breakdown(store: Store, installation_id: int, start_s: int, end_s: int) -> list[DayBreakdown]:
    """Every UTC day in [start_s, end_s) with stored intervals, oldest first (Wh rounded as in a leaf)."""
    rows = store.intervals(installation_id, start_s, end_s)
    if rows.empty:
        return []
    rows = rows.assign(day_s=rows["interval_start"] // DAY_S * DAY_S, wh=certified_wh(rows["energy_wh"]))
    days = []
    for day_s, group in rows.groupby("day_s"):
        certifiable = group["status"].isin(CERTIFIABLE) & (group["energy_wh"] >= 0)
        in_round = group["round_id"].notna()
        flagged = group[group["flags"] != ""]
        days.append(DayBreakdown(
            int(day_s),
            int(group.loc[certifiable & in_round, "wh"].sum()),
            int(group.loc[certifiable & ~in_round, "wh"].sum()),
            int(group.loc[group["status"] == PENDING, "wh"].sum()),
            int(group.loc[group["status"].isin((REJECTED, EXCLUDED)), "wh"].sum()),
            tuple(sorted({c for flags in flagged["flags"] for c in str(flags).split(";") if c})),
            int(len(flagged)),
        ))
    return days


def flagged_intervals(store: Store, installation_id: int, day_s: int) -> pd.DataFrame:
    """The flagged intervals of one day with their status and the latest decision."""
    rows = store.intervals(installation_id, day_s, day_s + DAY_S)
    rows = rows[rows["flags"] != ""].copy()
    reviews = store.reviews_of(installation_id, day_s, day_s + DAY_S)
    rows["reviewer"] = [reviews.get(int(s), {}).get("reviewer", "") for s in rows["interval_start"]]
    rows["reason"] = [reviews.get(int(s), {}).get("reason", "") for s in rows["interval_start"]]
    return rows

