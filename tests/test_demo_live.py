"""`brownie run scripts/demo.py` on a live network: a second anvil registered in brownie as a live
network (not a development one), with no unlocked accounts, the deployer's key passed through the
environment. The run is stopped once on purpose (DEMO_STOP_AT), then run again: it resumes where it
stopped and finishes, and no transaction was sent twice."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHAIN_ID = 4_242
NETWORK_ID = "pvledger-live-test"
DEPLOYER_KEY = "0x" + "d1" * 32  # a throwaway key: funded only on the test's own anvil
STOP_AT = "sent:30"  # inside the market walkthrough, after the broadcast and before the receipt
RUN_TIMEOUT_S = 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
    process = subprocess.Popen([anvil, "--accounts", "0", "--chain-id", str(CHAIN_ID), "--port", str(port), "--quiet"],
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
        env.pop("DEMO_STOP_AT", None)
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
                          cwd=PROJECT_ROOT, env={**env, **extra}, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)


def test_the_demo_runs_on_a_live_network_stops_once_and_resumes_without_sending_twice(live_chain):
    url, env = live_chain
    stopped = _demo(env, DEMO_STOP_AT=STOP_AT)
    assert stopped.returncode != 0, stopped.stdout[-3000:]
    assert "stopped on purpose" in stopped.stdout + stopped.stderr
    assert "Traceback" not in stopped.stdout + stopped.stderr

    resumed = _demo(env)
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-5000:]
    assert "Traceback" not in output
    assert "resuming: 30 transaction(s) of the stopped run are on chain" in output

    journal = json.loads(next(Path(env["PVLEDGER_DEMO_DIR"]).glob(f"live-{CHAIN_ID}/journal.json")).read_text())
    entries = journal["transactions"]
    assert len(entries) > 60 and all(e["block"] is not None for e in entries)
    by_sender: dict[str, list[int]] = {}
    for entry in entries:
        by_sender.setdefault(entry["sender"], []).append(entry["nonce"])
    for sender, nonces in by_sender.items():
        # every transaction of a journaled account is in the journal once: nonces 0..n-1, none twice,
        # and the chain has exactly as many from it (nothing sent behind the journal's back)
        assert sorted(nonces) == list(range(len(nonces))), sender
        assert int(_rpc(url, "eth_getTransactionCount", [sender, "latest"]), 16) == len(nonces), sender
    assert "certified" in output and "Done" in output
