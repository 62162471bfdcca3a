"""The deployment manifest, ``deployments/<chain-id>.json``: what was deployed where, from which build.

Each entry records the contract type, address, deploy transaction and block, and the keccak of
today's creation bytecode and of the code on chain, so :func:`manifest_matches_chain` can tell
whether a manifest still describes the connected chain. A contract without a deploy receipt (the
production payment token) is marked ``external``. The oracle reads the same file (oracle/chain/manifest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from brownie import Contract, chain, network, project, web3
from brownie.exceptions import ContractNotFound
from eth_utils import keccak

from scripts.common.format import short_address
from scripts.common.paths import PROJECT_ROOT
from scripts.deployment import DeploymentError
from scripts.deployment.token import EXTERNAL_TOKEN_TYPE, erc20_abi

# $PVLEDGER_DEPLOYMENTS_DIR: somewhere else (the live-network test keeps its manifests out of the project)
MANIFEST_DIR = Path(os.environ.get("PVLEDGER_DEPLOYMENTS_DIR") or PROJECT_ROOT / "deployments")

Deployed = dict[str, Contract]


def manifest_path(chain_id: int) -> Path:
    return MANIFEST_DIR / f"{chain_id}.json"


def _project() -> Any:
    loaded = project.get_loaded_projects()
    if not loaded:
        raise DeploymentError("no brownie project is loaded: run from the project root with brownie")
    return loaded[0]


def build_hash(contract_type: str) -> str:
    """keccak256 of the creation bytecode in today's build of `contract_type`."""
    bytecode = getattr(_project(), contract_type)._build["bytecode"]
    return "0x" + keccak(hexstr=bytecode).hex()


def code_hash(address: str) -> str:
    """keccak256 of the runtime code at `address` on the connected chain (of b'' if none)."""
    return "0x" + keccak(bytes(web3.eth.get_code(address))).hex()


def git_commit() -> str:
    """The commit the deployed code was built from, with ``-dirty`` for uncommitted changes."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}-dirty" if dirty else sha


def load_manifest(chain_id: int) -> dict[str, Any] | None:
    """The manifest of `chain_id`, or None when there is none or it cannot be read."""
    path = manifest_path(chain_id)
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return manifest if isinstance(manifest, dict) else None


def manifest_matches_chain(manifest: dict[str, Any], contract_names: Iterable[str]) -> bool:
    """True when every one of `contract_names` is in the manifest, built from today's bytecode and
    still has the code that was deployed at its address."""
    recorded = manifest.get("contracts", {})
    for name in contract_names:
        entry = recorded.get(name)
        if not isinstance(entry, dict) or not entry.get("address"):
            return False
        if not entry.get("external"):
            if entry.get("contractType") not in _project().keys():
                return False
            if entry.get("buildHash") != build_hash(entry["contractType"]):
                return False
        if entry.get("codeHash") != code_hash(entry["address"]) or len(web3.eth.get_code(entry["address"])) == 0:
            return False
        if not entry.get("external") and not _deployed_by(entry.get("deployTx"), entry["address"]):
            return False
    return True


def _deployed_by(tx_hash: str | None, address: str) -> bool:
    """True when `tx_hash` is a transaction on this chain that created the contract at `address`."""
    if not tx_hash:
        return False
    try:
        receipt = web3.eth.get_transaction_receipt(tx_hash)
    except Exception:  # noqa: BLE001 - web3 raises TransactionNotFound or a provider error
        return False
    return receipt is not None and receipt.get("contractAddress") == address


def contracts_from_manifest(manifest: dict[str, Any]) -> Deployed:
    """brownie Contract objects for every entry of a manifest (ABI from the local build)."""
    deployed: Deployed = {}
    for name, entry in manifest["contracts"].items():
        if entry["contractType"] == EXTERNAL_TOKEN_TYPE:
            abi = erc20_abi()
        else:
            abi = getattr(_project(), entry["contractType"]).abi
        deployed[name] = Contract.from_abi(entry["contractType"], entry["address"], abi)
    return deployed


def deployed_contracts(required: Iterable[str]) -> Deployed:
    """The connected chain's deployed suite from its manifest, checked: DeploymentError when there is
    no manifest, when it lacks a `required` contract, or when it is stale (no code at an address,
    e.g. a local chain restarted since `make demo`)."""
    path = manifest_path(chain.id)
    manifest = load_manifest(chain.id)
    if manifest is None:
        raise DeploymentError(f"no deployment manifest {path}: deploy first (brownie run scripts/deploy.py)")
    try:
        deployed = contracts_from_manifest(manifest)
    except ContractNotFound:
        raise DeploymentError(
            f"manifest {path} is stale: a contract it lists has no code on this chain; deploy again "
            "(brownie run scripts/deploy.py)"
        ) from None
    missing = [name for name in required if name not in deployed]
    if missing:
        raise DeploymentError(f"manifest {path} has no {', '.join(missing)}: redeploy the suite")
    return deployed


def _entry(contract: Contract) -> dict[str, Any]:
    """Manifest entry; a contract without a deploy receipt was not deployed by us (e.g. the
    production payment token) and is marked external."""
    entry: dict[str, Any] = {"contractType": contract._name, "address": contract.address}
    receipt = getattr(contract, "tx", None)
    if receipt is None:
        entry["external"] = True
    else:
        entry["deployTx"] = receipt.txid
        entry["block"] = receipt.block_number
        entry["buildHash"] = build_hash(contract._name)
    entry["codeHash"] = code_hash(contract.address)
    return entry


def write_manifest(deployer: Any, deployed: Deployed) -> dict[str, Any]:
    """Record `deployed` (by manifest name) as the connected chain's manifest; returns it."""
    manifest = {
        "chainId": chain.id,
        "network": network.show_active(),
        "deployer": deployer.address,
        "gitCommit": git_commit(),
        "deployedAt": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "contracts": {name: _entry(contract) for name, contract in deployed.items()},
    }
    MANIFEST_DIR.mkdir(exist_ok=True)
    manifest_path(chain.id).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def describe_manifest(manifest: dict[str, Any]) -> list[str]:
    """One line per contract (name, type, short address) and one naming the file: what a person
    reads on the terminal; the whole manifest is in its file."""
    lines = [f"{name:<24} {entry['contractType']:<24} {short_address(entry['address'])}"
             for name, entry in manifest["contracts"].items()]
    path = manifest_path(manifest["chainId"])
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    lines.append(f"manifest (addresses, deploy transactions and blocks, git commit "
                 f"{manifest.get('gitCommit', '?')[:8]}): {shown}")
    return lines
