"""`make dashboard` (scripts/toolchain/dashboard.py) as a person or a service manager runs it: it
serves the demo's chain, and stopping it, with Ctrl-C or with `kill`, stops the anvil it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from scripts.toolchain.dashboard import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_missing_demo_state_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "scripts.toolchain.dashboard", "--state", str(tmp_path / "none.json")],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "run `make demo` first" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_stopping_the_dashboard_stops_its_anvil(dashboard_state, stop):
    chain_port, port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.toolchain.dashboard", "--state", str(dashboard_state.chain_state),
         "--config", str(dashboard_state.config_path), "--chain-port", str(chain_port), "--port", str(port)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health.json", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        assert process.poll() is None and listening(chain_port), "the dashboard did not start"
        process.send_signal(stop)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output[-2000:]
    assert "Traceback" not in output
    deadline = time.monotonic() + 10
    while listening(chain_port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not listening(chain_port), f"the anvil on port {chain_port} outlived the dashboard"
