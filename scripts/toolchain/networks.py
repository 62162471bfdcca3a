"""Register PV Ledger's networks in brownie's user network config, idempotently.

brownie keeps networks in ``~/.brownie/network-config.yaml`` (or ``$BROWNIE_DATA_FOLDER``), not in
the project. This script creates that file from brownie's default when it is missing and then
adds or updates the networks PV Ledger uses, leaving every other entry as it was:

- ``development``: anvil started by brownie (brownie's default; we only pin its settings);
- ``ganache``: npm ganache 7 started by brownie;
- ``sepolia-env``: Sepolia, RPC URL from ``$SEPOLIA_RPC_URL``;
- ``volta``: Energy Web Volta testnet, RPC URL from ``$VOLTA_RPC_URL``.

It reads and writes YAML only (no brownie import), so it is cheap to run on every ``make``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

# anvil's default mnemonic, given to ganache too so both chains have the same dev accounts.
DEV_MNEMONIC = "test test test test test test test test test test test junk"

DEVELOPMENT_NETWORKS: list[dict[str, Any]] = [
    {
        "name": "Anvil (PV Ledger default)",
        "id": "development",
        "cmd": "anvil",
        "host": "http://127.0.0.1",
        "cmd_settings": {
            "port": 8545,
            "gas_limit": 30_000_000,
            "accounts": 10,
            "base_fee": 0,
        },
    },
    {
        "name": "Ganache 7 (PV Ledger)",
        "id": "ganache",
        "cmd": "ganache",
        "host": "http://127.0.0.1",
        "cmd_settings": {
            "port": 8545,
            "gas_limit": 30_000_000,
            "accounts": 10,
            "chain_id": 1337,
            "mnemonic": DEV_MNEMONIC,
        },
    },
]

LIVE_NETWORKS: list[dict[str, Any]] = [
    {
        "name": "Sepolia (RPC URL from $SEPOLIA_RPC_URL)",
        "id": "sepolia-env",
        "chainid": 11155111,
        "host": "$SEPOLIA_RPC_URL",
        "explorer": "https://api-sepolia.etherscan.io/api",
    },
    {
        "name": "Energy Web Volta (RPC URL from $VOLTA_RPC_URL)",
        "id": "volta",
        "chainid": 73799,
        "host": "$VOLTA_RPC_URL",
    },
]

LIVE_GROUP = "PV Ledger"


def brownie_data_folder() -> Path:
    """Folder where brownie keeps its user data (network-config.yaml, accounts, packages)."""
    override = os.environ.get("BROWNIE_DATA_FOLDER")
    return Path(override).expanduser() if override else Path.home() / ".brownie"


def brownie_default_network_config() -> Path:
    """The network-config.yaml shipped inside the installed brownie package (located, not imported)."""
    spec = importlib.util.find_spec("brownie")
    if spec is None or spec.origin is None:
        raise SystemExit("networks: eth-brownie is not installed in this Python (run `make install`)")
    return Path(spec.origin).parent / "data" / "network-config.yaml"


def _upsert(entries: list[dict[str, Any]], wanted: dict[str, Any]) -> bool:
    """Replace the entry with wanted's id, or append it. Returns True when something changed."""
    for i, entry in enumerate(entries):
        if entry.get("id") == wanted["id"]:
            if entry == wanted:
                return False
            entries[i] = wanted
            return True
    entries.append(wanted)
    return True


def register_networks(config: dict[str, Any]) -> list[str]:
    """Add or update PV Ledger's networks in a parsed network-config; returns the ids changed."""
    changed: list[str] = []
    development = config.setdefault("development", [])
    for network in DEVELOPMENT_NETWORKS:
        if _upsert(development, dict(network)):
            changed.append(network["id"])
    live = config.setdefault("live", [])
    group = next((g for g in live if g.get("name") == LIVE_GROUP), None)
    if group is None:
        group = {"name": LIVE_GROUP, "networks": []}
        live.append(group)
    # a live network id must be unique across every group
    for other in live:
        if other is not group:
            ids = {n["id"] for n in LIVE_NETWORKS}
            other["networks"] = [n for n in other.get("networks", []) if n.get("id") not in ids]
    for network in LIVE_NETWORKS:
        if _upsert(group.setdefault("networks", []), dict(network)):
            changed.append(network["id"])
    return changed


def main() -> int:
    folder = brownie_data_folder()
    path = folder / "network-config.yaml"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(brownie_default_network_config(), path)
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        print(f"networks: {path} is not valid YAML ({exc}); fix or delete it and rerun", file=sys.stderr)
        return 1
    changed = register_networks(config)
    if changed:
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        print(f"networks: registered {', '.join(changed)} in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
