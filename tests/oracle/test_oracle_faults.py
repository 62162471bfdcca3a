"""Faults: the real oracle process (``python -m oracle``) killed with SIGKILL at each crash point of
oracle/faults.py and run again; the RPC node down, then back; a submission dropped by the node.

Every recovery must end where one clean run ends (:func:`assert_one_clean_outcome`): round 1 on
chain with the root the store built, one certificate per leaf carrying the Wh of the store's
accepted and approved intervals, each installation's watermark at the end of its certified days,
the sender's nonce (every transaction it ever sent) exactly what a clean run uses, every interval
imported once and in at most one round, the round ``issued``. Nothing lost, nothing sent twice.

The setup is test_oracle_chain.py's (fixtures in conftest.py, config in oracle_helpers.py): two simulated installations over three UTC days, a spike on
installation 1's second day that waits for review (so that installation certifies one day and the
other three). The clock is fixed (``--now``) so a rerun finds no new readings. Only the run that is
killed is a subprocess (~4 s of imports); the steps before it and the reruns call the CLI
in-process. The last test kills an ingest between two CSV files (the content-hash path).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from eth_account import Account
from web3.exceptions import TransactionNotFound

from oracle.cli import main
from oracle.faults import CRASH_ENV
from oracle.store import open_store
from oracle.timeutil import DAY_S, INTERVAL_S, iso_utc
from oracle_helpers import MAR_1_2026, oracle_config, write_config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CERTIFIED_DAYS = (1, 3)  # per installation: the spike holds installation 1's later days back
ROUND_FILE = "round-000001.json"
CLOSED_PORT_URL = "http://127.0.0.1:9"


@dataclass
class Plant:
    """The operator's and the verifier's configs over the deployed suite, and the CLI on them."""

    config: Path
    verifier: Path
    data_dir: Path
    now: str
    environment: dict[str, str]
    ids: list[int]
    contracts: dict
    commissioned_s: int

    def cli(self, *args: str, config: Path | None = None) -> int:
        """`python -m oracle ARGS` in this process (the steps that are not killed)."""
        return main(["--config", str(config or self.config), "--now", self.now, *args])

    def killed_at(self, point: str, *args: str) -> None:
        """`python -m oracle ARGS` in a subprocess that kills itself at crash point `point`."""
        done = subprocess.run(
            [sys.executable, "-m", "oracle", "--config", str(self.config), "--now", self.now,
             *args],
            cwd=PROJECT_ROOT, env={**os.environ, **self.environment, CRASH_ENV: point},
            capture_output=True, text=True, timeout=180,
        )
        assert done.returncode == -signal.SIGKILL, (
            f"{' '.join(args)} not killed at {point} (exit {done.returncode}):\n"
            f"{done.stdout}\n{done.stderr}")

    def first_run(self) -> None:
        """The cron job ingests, builds round 1, signs it and waits for the verifier."""
        assert self.cli("run") == 1  # 1: the spike is pending review
        assert not self.cosigned.exists()

    def cosign(self) -> None:
        """The verifier checks and signs the round file, leaving its copy where `run` looks."""
        round_file = self.data_dir / "rounds" / ROUND_FILE
        assert self.cli("cosign", str(round_file), "--out", str(self.cosigned),
                        config=self.verifier) == 0

    def second_run(self) -> None:
        """The cron job merges the cosignature, submits and claims round 1."""
        assert self.cli("run") == 1

    def submit(self) -> None:
        assert self.cli("submit", "--round-file", str(self.cosigned)) == 0

    def claim_one_by_one(self) -> None:
        assert self.cli("claim", "--batch-size", "1") == 0

    @property
    def cosigned(self) -> Path:
        return self.data_dir / "cosigned" / ROUND_FILE

    @property
    def store_path(self) -> Path:
        return self.data_dir / "oracle.sqlite"

    def intervals(self) -> list[tuple]:
        """Every stored interval with its import (not its round: building assigns that)."""
        with sqlite3.connect(self.store_path) as db:
            return db.execute(
                "SELECT installation_id, interval_start, energy_wh, coverage, flags, status, "
                "import_id FROM intervals ORDER BY installation_id, interval_start").fetchall()

    def journal(self) -> list[tuple]:
        """The store's transaction journal: (key, tx_hash, nonce, receipt status)."""
        with sqlite3.connect(self.store_path) as db:
            return db.execute(
                "SELECT key, tx_hash, nonce, status FROM transactions ORDER BY nonce").fetchall()

    def round_status(self) -> str:
        store = open_store(self.store_path)
        try:
            return store.round(1).status
        finally:
            store.close()


@pytest.fixture
def plant(tmp_path, manifest_file, rpc_url, simulated_installations, commissioned_s,
          oracle_keys, env):
    contracts, ids = simulated_installations
    operator_dir, verifier_dir = tmp_path / "operator", tmp_path / "verifier"
    operator_dir.mkdir(), verifier_dir.mkdir()
    return Plant(
        config=oracle_config(operator_dir, manifest_file, rpc_url, ids, commissioned_s),
        verifier=oracle_config(verifier_dir, manifest_file, rpc_url, ids, commissioned_s,
                               signer_env="VERIFIER_SIGNER_KEY"),
        data_dir=operator_dir / "var",
        now=iso_utc(commissioned_s + 3 * DAY_S),  # the three days are over; today is not read
        environment=oracle_keys.environment(),
        ids=ids,
        contracts=contracts,
        commissioned_s=commissioned_s,
    )


@pytest.fixture
def sender_nonce(web3, oracle_keys):
    """How many transactions the sender has sent since the test began (its nonce's increase)."""
    address = Account.from_key(oracle_keys.sender).address
    start = web3.eth.get_transaction_count(address)
    return lambda: web3.eth.get_transaction_count(address) - start


def certifiable_wh(rows) -> int:  # noqa: ANN001 (a Store.intervals frame)
    """The Wh a leaf certifies of these intervals: the accepted and approved ones, each rounded."""
    certifiable = rows[rows["status"].isin(["accepted", "approved"])]
    return int(sum(max(0, int(wh + 0.5)) for wh in certifiable["energy_wh"]))


def assert_one_clean_outcome(plant: Plant, sent: int, claim_batches: int) -> None:
    """The chain and the store are as one clean run leaves them; `sent` (the sender's nonce
    increase) must be one submission plus `claim_batches` claims."""
    oracle = plant.contracts["GenerationOracle"]
    certificates = plant.contracts["GenerationCertificates"]
    store = open_store(plant.store_path)
    try:
        rounds = store.rounds()
        assert [(r.round_id, r.status) for r in rounds] == [(1, "issued")]
        assert oracle.lastRoundId() == 1
        assert oracle.roundRoot(1) == rounds[0].merkle_root

        leaves = {leaf["token_id"]: leaf for leaf in store.leaves(1)}
        assert len(leaves) == sum(CERTIFIED_DAYS) == certificates.certificateCount()
        for token_id in range(1, certificates.certificateCount() + 1):  # each leaf issued once
            cert = certificates.certificate(token_id)
            leaf = leaves[token_id]  # and the store knows which certificate it became
            assert (cert["installationId"], cert["periodStart"], cert["periodEnd"],
                    cert["energyWh"]) == (leaf["installation_id"], leaf["period_start"],
                                          leaf["period_end"], leaf["energy_wh"])

        for installation_id, days in zip(plant.ids, CERTIFIED_DAYS):
            end = plant.commissioned_s + days * DAY_S
            assert certificates.certifiedUntil(installation_id) == end
            own = sorted((leaf["period_start"], leaf["period_end"], leaf["energy_wh"])
                         for leaf in leaves.values() if leaf["installation_id"] == installation_id)
            assert [(start, stop) for start, stop, _ in own] == [
                (plant.commissioned_s + d * DAY_S, plant.commissioned_s + (d + 1) * DAY_S)
                for d in range(days)]
            for start, stop, energy_wh in own:
                rows = store.intervals(installation_id, start, stop)
                assert energy_wh == certifiable_wh(rows) > 0
                assert (rows["round_id"] == 1).all()  # every interval of the leaf is in round 1
            later = store.intervals(installation_id, end, plant.commissioned_s + 3 * DAY_S)
            assert later["round_id"].isna().all()  # none after the watermark is in a round

        imports = store.db.execute(
            "SELECT installation_id, SUM(interval_count), SUM(energy_wh) FROM imports "
            "WHERE error IS NULL GROUP BY installation_id ORDER BY installation_id").fetchall()
        stored = store.db.execute(
            "SELECT installation_id, COUNT(*), SUM(energy_wh) FROM intervals "
            "GROUP BY installation_id ORDER BY installation_id").fetchall()
        assert [(i, n) for i, n, _ in imports] == [(i, 3 * 96) for i in plant.ids]
        assert [(i, n) for i, n, _ in stored] == [(i, 3 * 96) for i in plant.ids]
        # each reading imported once: the imports add up to what is stored
        assert [wh for *_, wh in imports] == pytest.approx([wh for *_, wh in stored])
    finally:
        store.close()

    assert sent == 1 + claim_batches
    journal = plant.journal()
    assert [nonce for _, _, nonce, _ in journal] == list(range(sent))  # one entry per nonce
    assert all(status == 1 for *_, status in journal)


def test_a_clean_run_certifies_each_leaf_once_with_two_transactions(plant, sender_nonce):
    plant.first_run()
    plant.cosign()
    plant.second_run()
    assert_one_clean_outcome(plant, sender_nonce(), claim_batches=1)


# crash point: the steps before the killed command, the killed command, the steps that finish
# the round, and how many claim batches a clean run of those steps sends
CRASHES = {
    "ingest:stored": ([], ["run"], ["first_run", "cosign", "second_run"], 1),
    "build:stored": ([], ["run"], ["first_run", "cosign", "second_run"], 1),
    "sign:stored": ([], ["run"], ["first_run", "cosign", "second_run"], 1),
    "submit:sent": (["first_run", "cosign"], ["run"], ["second_run"], 1),
    "submit:receipt": (["first_run", "cosign"], ["run"], ["second_run"], 1),
    "claim:batch": (["first_run", "cosign", "submit"], ["claim", "--batch-size", "1"],
                    ["claim_one_by_one"], sum(CERTIFIED_DAYS)),
}


@pytest.mark.parametrize("point", list(CRASHES))
def test_a_run_killed_at_a_crash_point_resumes_without_losing_or_resending(plant, sender_nonce,
                                                                           point):
    before, killed, after, claim_batches = CRASHES[point]
    for step in before:
        getattr(plant, step)()
    plant.killed_at(point, *killed)
    at_kill = plant.intervals()
    if point == "ingest:stored":  # killed once the first installation's readings were committed
        assert {row[0] for row in at_kill} == {plant.ids[0]}
    for step in after:
        getattr(plant, step)()
    imported_before = {row[0] for row in at_kill}
    # what the killed run stored is left exactly as it was: nothing re-imported or counted twice
    assert [row for row in plant.intervals() if row[0] in imported_before] == at_kill
    assert_one_clean_outcome(plant, sender_nonce(), claim_batches)


def test_the_node_down_sends_nothing_and_the_next_run_completes(plant, sender_nonce, capsys):
    plant.first_run()
    plant.cosign()
    capsys.readouterr()
    assert plant.cli("--rpc-url", CLOSED_PORT_URL, "run") == 3
    assert "cannot reach the RPC node" in capsys.readouterr().err
    assert plant.journal() == [] and sender_nonce() == 0
    assert plant.round_status() == "signed"
    assert plant.contracts["GenerationOracle"].lastRoundId() == 0
    plant.second_run()
    assert_one_clean_outcome(plant, sender_nonce(), claim_batches=1)


def test_a_submission_dropped_by_the_node_is_mined_once_on_the_next_run(plant, sender_nonce,
                                                                        web3):
    plant.first_run()
    plant.cosign()
    web3.provider.make_request("evm_setAutomine", [False])
    try:
        plant.killed_at("submit:sent", "run")  # broadcast, left in the mempool
        [(_, tx_hash, nonce, status)] = plant.journal()
        assert nonce == 0 and status is None
        assert web3.eth.get_transaction(tx_hash)["blockNumber"] is None  # pending
        web3.provider.make_request("anvil_dropAllTransactions", [])
        with pytest.raises(TransactionNotFound):
            web3.eth.get_transaction(tx_hash)
    finally:
        web3.provider.make_request("evm_setAutomine", [True])
    assert plant.contracts["GenerationOracle"].lastRoundId() == 0
    assert plant.round_status() == "submitted"
    plant.second_run()
    assert_one_clean_outcome(plant, sender_nonce(), claim_batches=1)


def test_an_ingest_killed_between_two_files_imports_each_file_once(tmp_path, manifest_file,
                                                                    rpc_url, oracle_keys, env):
    """The file path of ingest (content hashes), where the simulated source resumes by time."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    total_wh = 0.0
    for day in range(2):
        starts = MAR_1_2026 + day * DAY_S + np.arange(96) * INTERVAL_S
        energy_wh = np.where((np.arange(96) >= 44) & (np.arange(96) < 88), 500.0 + day, 0.0)
        timestamps = [iso_utc(int(s)) for s in starts]
        frame = pd.DataFrame({"timestamp": timestamps, "energy_wh": energy_wh})
        frame.to_csv(inbox / f"day-{day}.csv", index=False)
        total_wh += energy_wh.sum()
    config = write_config(tmp_path, manifest_file, rpc_url, f"""
[[installations]]
id = 7
capacity_w = 10000
lat = -33.4489
lon = -70.6693
source = {{ kind = "csv", path = "{inbox}/day-*.csv" }}
""")
    plant = Plant(config, config, tmp_path / "var", iso_utc(MAR_1_2026 + 2 * DAY_S),
                  oracle_keys.environment(), [7], {}, MAR_1_2026)
    plant.killed_at("ingest:stored", "ingest")
    at_kill = plant.intervals()
    assert len(at_kill) == 96  # the first file is in, the second is not
    assert plant.cli("ingest") in (0, 1)
    assert [row for row in plant.intervals() if row[1] < MAR_1_2026 + DAY_S] == at_kill
    with sqlite3.connect(plant.store_path) as db:
        imports = db.execute("SELECT sha256, interval_count FROM imports WHERE error IS NULL "
                             "ORDER BY import_id").fetchall()
        count, stored_wh = db.execute("SELECT COUNT(*), SUM(energy_wh) FROM intervals").fetchone()
    assert [n for _, n in imports] == [96, 96] and len({sha for sha, _ in imports}) == 2
    assert count == 192 and stored_wh == pytest.approx(total_wh)
    assert plant.cli("ingest") in (0, 1)  # a third run finds both files seen
    with sqlite3.connect(plant.store_path) as db:
        assert db.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 2
