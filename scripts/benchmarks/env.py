"""The machine and the versions every figure of `make bench` depends on (``env`` in bench/results.json)."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from scripts.common.paths import PROJECT_ROOT

SOLC_VERSION = "0.8.28"
PACKAGES = ("eth-brownie", "web3", "pandas", "numpy", "pvlib")


def tool_version(command: list[str]) -> str:
    """First line of `command`'s output (a --version), or why it could not be read."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        return f"unavailable ({type(error).__name__})"
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return next((line for line in lines if "version" in line.lower()), lines[0] if lines else "")


def machine_env() -> dict[str, Any]:
    """The machine (uname, CPU count) and the versions of Python, node, the solc bridge, anvil and
    the Python packages the figures depend on."""
    uname = platform.uname()
    solc = Path(os.environ.get("SOLCX_BINARY_PATH", PROJECT_ROOT / ".solcx")) / f"solc-v{SOLC_VERSION}"
    return {
        "machine": f"{uname.system} {uname.release} {uname.machine}",
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "node": tool_version(["node", "--version"]),
        "solc": tool_version([str(solc), "--version"]),
        "anvil": tool_version(["anvil", "--version"]),
        **{package: metadata.version(package) for package in PACKAGES},
    }
