"""`make dashboard`: the demo's chain state in a local anvil, and the oracle's dashboard over it.

``make demo`` ends by saving its anvil chain (``reports/demo/chain-state.json``, with
:func:`save_anvil_state`); this starts a new anvil from that file on ``--chain-port`` and runs
``python -m oracle serve`` with the demo's oracle config pointed at it, until Ctrl-C, then stops the
anvil. Plain Python (no brownie): it only needs anvil from node_modules and the oracle package.

    python scripts/toolchain/dashboard.py [--state FILE] [--config FILE] [--chain-port 8547] [--port 8000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = PROJECT_ROOT / "reports" / "demo"
STATE_FILE = "chain-state.json"
DEFAULT_CHAIN_PORT = 8547
DEFAULT_PORT = 8000


class DashboardError(Exception):
    """The dashboard cannot start; the message says what to do."""


def rpc(url: str, method: str, params: list[object] | None = None, timeout_s: float = 60.0) -> object:
    response = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []},
                             timeout=timeout_s)
    response.raise_for_status()
    body = response.json()
    if "error" in body:
        raise DashboardError(f"{method}: {body['error'].get('message', body['error'])}")
    return body["result"]


def save_anvil_state(rpc_url: str, path: Path) -> bool:
    """Write the chain of the anvil at `rpc_url` to `path` in anvil's --load-state format (JSON).
    Returns False (and writes nothing) when the node is not anvil (ganache has no such dump)."""
    if not str(rpc(rpc_url, "web3_clientVersion")).lower().startswith("anvil"):
        return False
    dump = str(rpc(rpc_url, "anvil_dumpState"))
    data = gzip.decompress(bytes.fromhex(dump.removeprefix("0x")))
    json.loads(data)  # a state anvil can load is JSON
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now (for a chain or a server of one's own)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_anvil(state: Path, port: int, log_path: Path, timeout_s: float = 30.0) -> subprocess.Popen[bytes]:
    """An anvil on `port` loaded from `state`, answering RPC (DashboardError otherwise)."""
    anvil = shutil.which("anvil") or str(PROJECT_ROOT / "node_modules" / ".bin" / "anvil")
    if not Path(anvil).exists():
        raise DashboardError("anvil is not installed: run `make install`")
    if port_in_use(port):
        raise DashboardError(f"port {port} is in use: stop what listens there or pass --chain-port")
    log = log_path.open("wb")
    process = subprocess.Popen([anvil, "--port", str(port), "--load-state", str(state), "--base-fee", "0",
                                "--gas-limit", "30000000"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DashboardError(f"anvil stopped at start (exit {process.returncode}); see {log_path}")
        try:
            rpc(url, "eth_blockNumber", timeout_s=2)
            return process
        except (requests.RequestException, DashboardError):
            time.sleep(0.2)
    process.terminate()
    raise DashboardError(f"anvil did not answer on {url} within {timeout_s:.0f} s; see {log_path}")


def _stop_like_ctrl_c(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make dashboard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, default=DEMO_DIR / STATE_FILE, help="anvil state saved by make demo")
    parser.add_argument("--config", type=Path, default=DEMO_DIR / "oracle" / "oracle.toml", help="the oracle config")
    parser.add_argument("--chain-port", type=int, default=DEFAULT_CHAIN_PORT, help="port of the anvil it starts")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port of the dashboard")
    args = parser.parse_args(argv)
    from oracle.cli import main as oracle_main

    try:
        if not args.state.exists() or not args.config.exists():
            raise DashboardError(f"no demo state at {args.state.parent}: run `make demo` first (on anvil)")
        process = start_anvil(args.state, args.chain_port, args.state.parent / "dashboard-anvil.log")
    except DashboardError as error:
        print(f"dashboard: {error}", file=sys.stderr)
        return 2
    print(f"dashboard: the demo's chain on http://127.0.0.1:{args.chain_port} (anvil, from {args.state.name})")
    # `kill` (a service manager's stop) ends it as Ctrl-C does, so the anvil it started stops with it:
    # uvicorn hands SIGTERM back once it has shut down, which would otherwise end the process before `finally`
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    try:
        return oracle_main(["--config", str(args.config), "--rpc-url", f"http://127.0.0.1:{args.chain_port}",
                            "serve", "--port", str(args.port)])
    except KeyboardInterrupt:
        return 0
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
