"""`brownie run scripts/demo.py` on a live network: a second anvil registered in brownie as a live
network (not a development one), with no unlocked accounts, the deployer's key passed through the
environment, and a block every second besides the transactions' own (``--mixed-mining``), as a
public chain keeps producing blocks: the simulation waits for its campaigns' deadline in real time.
The run is stopped once on purpose inside the simulation (DEMO_STOP_AT), then run again: it resumes
where it stopped and finishes, the simulation's invariants hold, and no transaction was sent twice.

The simulation runs with its smallest population (DEMO_SIM_USERS) and 30-second campaigns
(DEMO_SIM_CAMPAIGN_S) to keep the test short; the contracts allow any duration of at least 1 s."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from scripts.toolchain.dashboard import free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHAIN_ID = 4_242
NETWORK_ID = "pvledger-live-test"
DEPLOYER_KEY = "0x" + "d1" * 32  # a throwaway key: funded only on the test's own anvil
# The simulation's Crowdfunding.finalize (the last transaction before it waits for the failing campaign's
# deadline), after the broadcast and before the receipt: the resumed run replays up to it, then waits out
# what is left of the deadline and sends the refunds. The test checks that this index is that finalize.
STOP_INDEX = 131
STOP_AT = f"sent:{STOP_INDEX}"
FINALIZE_SELECTOR = "0x05261aea"  # finalize(uint256)
SIMULATION = {"DEMO_SIM_USERS": "12", "DEMO_SIM_CAMPAIGN_S": "30"}
RUN_TIMEOUT_S = 900


def _rpc(url: str, method: str, params: list):
    answer = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=10).json()
    if "error" in answer:
        raise AssertionError(f"{method}: {answer['error']}")
    return answer["result"]


@pytest.fixture(scope="module")
def live_chain(tmp_path_factory):
    """(rpc url, environment for brownie) of a fresh anvil with no dev accounts, known to brownie as
    the live network NETWORK_ID in a brownie data folder of its own (a temporary HOME)."""
    anvil = shutil.which("anvil")
    assert anvil, "anvil is installed with `make install` (node_modules/.bin)"
    port = free_port()
    process = subprocess.Popen([anvil, "--accounts", "0", "--chain-id", str(CHAIN_ID), "--port", str(port), "--quiet",
                                "--mixed-mining", "--block-time", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _rpc(url, "eth_chainId", [])
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        from eth_account import Account

        _rpc(url, "anvil_setBalance", [Account.from_key(DEPLOYER_KEY).address, hex(10**21)])
        assert _rpc(url, "eth_accounts", []) == []  # nothing unlocked: every transaction is signed by a key
        home = tmp_path_factory.mktemp("home")
        env = {**os.environ, "HOME": str(home), "DEPLOYER_PRIVATE_KEY": DEPLOYER_KEY,
               "PVLEDGER_DEMO_DIR": str(tmp_path_factory.mktemp("demo")),
               "PVLEDGER_DEPLOYMENTS_DIR": str(tmp_path_factory.mktemp("deployments"))}
        for name in ("DEMO_STOP_AT", "DEMO_CONFIRMATIONS"):
            env.pop(name, None)
        subprocess.run([sys.executable, "scripts/toolchain/networks.py"], cwd=PROJECT_ROOT, env=env, check=True,
                       capture_output=True)
        config_path = home / ".brownie" / "network-config.yaml"
        config = yaml.safe_load(config_path.read_text())
        config["live"].append({"name": "PV Ledger tests", "networks": [
            {"name": "the live-network test's anvil", "id": NETWORK_ID, "chainid": CHAIN_ID, "host": url}]})
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=10)


def _demo(env: dict, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("brownie"), "run", "scripts/demo.py", "--network", NETWORK_ID],
                          cwd=PROJECT_ROOT, env={**env, **SIMULATION, **extra}, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S)


def _journal(env: dict) -> list[dict]:
    path = Path(env["PVLEDGER_DEMO_DIR"]) / f"live-{CHAIN_ID}" / "journal.json"
    return json.loads(path.read_text())["transactions"]


def test_the_demo_runs_on_a_live_network_stops_once_and_resumes_without_sending_twice(live_chain):
    url, env = live_chain
    stopped = _demo(env, DEMO_STOP_AT=STOP_AT)
    assert stopped.returncode != 0, stopped.stdout[-3000:]
    assert "stopped on purpose" in stopped.stdout + stopped.stderr
    assert "Traceback" not in stopped.stdout + stopped.stderr
    assert "Simulation, market phase: 12 users" in stopped.stdout and "Certified generation" not in stopped.stdout
    at_stop = _journal(env)
    assert len(at_stop) == STOP_INDEX and at_stop[-1]["selector"] == FINALIZE_SELECTOR, (
        f"DEMO_STOP_AT={STOP_AT} no longer lands on the simulation's finalize: transaction {len(at_stop)} is "
        f"{at_stop[-1]['selector']}; find the new index in the journal and update STOP_INDEX")
    assert at_stop[-1]["tx_hash"] and at_stop[-1]["block"] is None  # broadcast, not yet known to be mined

    resumed = _demo(env)
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-5000:]
    assert "Traceback" not in output
    assert f"resuming: {STOP_INDEX} transaction(s) of the stopped run are on chain" in output
    # the simulation finished on the live network: a failed campaign refunded for real, every invariant held
    summary = output[output.index("=== Simulation, revenue"):]
    assert "crowdfunded (1 funded, 1 failed and refunded)" in summary, summary
    assert "invariants (9 of 9 OK)" in summary and "FAILED" not in summary, summary
    assert "10 of 10 invariants hold" in summary, summary
    report = (Path(env["PVLEDGER_DEMO_DIR"]) / "report.md").read_text()
    assert "Simulation, seed 2026" in report and "runs on local chains only" not in report

    entries = _journal(env)
    assert len(entries) > 2 * STOP_INDEX and all(e["block"] is not None for e in entries)
    assert entries[STOP_INDEX - 1] == {**at_stop[-1], "block": entries[STOP_INDEX - 1]["block"]}  # not re-signed
    by_sender: dict[str, list[int]] = {}
    for entry in entries:
        by_sender.setdefault(entry["sender"], []).append(entry["nonce"])
    for sender, nonces in by_sender.items():
        # every transaction of a journaled account is in the journal once: nonces 0..n-1, none twice,
        # and the chain has exactly as many from it (nothing sent behind the journal's back)
        assert sorted(nonces) == list(range(len(nonces))), sender
        assert int(_rpc(url, "eth_getTransactionCount", [sender, "latest"]), 16) == len(nonces), sender
    assert "certified" in output and "Done" in output
