"""Deploy the PV Ledger suite, wire its roles and write ``deployments/<chain-id>.json``.

Usage::

    brownie run scripts/deploy.py                          # development (anvil started by brownie)
    brownie run scripts/deploy.py --network ganache
    brownie run scripts/deploy.py main fresh               # redeploy even if the manifest matches
    brownie run scripts/deploy.py --network sepolia-env    # deployer from DEPLOYER_KEYSTORE_ID
                                                           # or DEPLOYER_PRIVATE_KEY (.env)

Idempotent: when the chain's manifest lists every contract of the suite, each with code on chain
equal to what was deployed and built from the same bytecode as today's build, nothing is sent and
the manifest is returned as it is. Anything else (a fresh chain, a changed contract, ``fresh``)
deploys the whole suite again, so the manifest always describes one consistent wiring.

The suite is a list of components (``scripts/deployment/*.py``), each a function that deploys its
contracts given the deployer and what earlier components deployed, and wires their roles.
From ``brownie console``: ``from scripts.deploy import deploy_suite; m = deploy_suite(accounts[0])``.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from brownie import Contract, chain, network, project, web3
from brownie.exceptions import ContractNotFound
from brownie.network.account import LocalAccount
from eth_utils import keccak

from scripts.deployment import DeploymentError, account_from_env
from scripts.deployment.energy import deploy_energy
from scripts.deployment.market import deploy_market
from scripts.deployment.token import EXTERNAL_TOKEN_TYPE, deploy_token, erc20_abi

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST_DIR = PROJECT_ROOT / "deployments"

Deployed = dict[str, Contract]


@dataclass(frozen=True)
class Component:
    """One area of the suite: the contracts it deploys, and how."""

    name: str
    contracts: tuple[str, ...]
    deploy: Callable[[LocalAccount, Deployed], Deployed]


def suite() -> list[Component]:
    """The components in deployment order (later ones may use earlier ones' contracts)."""
    return [
        Component("token", ("PaymentToken",), deploy_token),
        Component("market", ("ParticipantRegistry", "Marketplace", "Projects", "Crowdfunding"), deploy_market),
        Component(
            "energy",
            ("InstallationRegistry", "GenerationOracle", "GenerationCertificates", "EnergySales"),
            deploy_energy,
        ),
    ]


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


def get_deployer() -> LocalAccount:
    """accounts[0] on local chains; on live networks $DEPLOYER_KEYSTORE_ID or $DEPLOYER_PRIVATE_KEY."""
    return account_from_env("DEPLOYER", "a deployer")


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


def manifest_matches_chain(manifest: dict[str, Any], components: list[Component]) -> bool:
    """True when every contract of `components` is in the manifest, built from today's bytecode and
    still has the code that was deployed at its address."""
    recorded = manifest.get("contracts", {})
    for component in components:
        for name in component.contracts:
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


def deploy_suite(deployer: LocalAccount | None = None, fresh: bool = False, quiet: bool = False) -> dict[str, Any]:
    """Deploy (or reuse) the whole suite on the connected chain and return its manifest.

    Args:
        deployer: account that deploys and becomes admin of every contract (default: get_deployer()).
        fresh: deploy again even when the manifest matches the chain.
        quiet: print nothing.
    """
    say = (lambda *_: None) if quiet else print
    chain_id = chain.id
    components = suite()
    existing = load_manifest(chain_id)
    if existing and not fresh and manifest_matches_chain(existing, components):
        say(f"deploy: chain {chain_id} already has this suite ({manifest_path(chain_id)}); nothing sent")
        return existing

    deployer = deployer or get_deployer()
    deployed: Deployed = {}
    for component in components:
        say(f"deploy: {component.name} ...")
        new = component.deploy(deployer, dict(deployed))
        missing = set(component.contracts) - set(new)
        if missing:
            raise DeploymentError(f"component {component.name} did not deploy {sorted(missing)}")
        deployed.update(new)

    manifest = {
        "chainId": chain_id,
        "network": network.show_active(),
        "deployer": deployer.address,
        "gitCommit": git_commit(),
        "deployedAt": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "contracts": {name: _entry(contract) for name, contract in deployed.items()},
    }
    MANIFEST_DIR.mkdir(exist_ok=True)
    manifest_path(chain_id).write_text(json.dumps(manifest, indent=2) + "\n")
    say(f"deploy: wrote {manifest_path(chain_id)}")
    return manifest


def main(*args: str) -> dict[str, Any]:
    """brownie entry point; pass ``fresh`` (or ``--fresh``) to redeploy."""
    unknown = [a for a in args if a not in ("fresh", "--fresh", "--")]
    if unknown:
        raise SystemExit(f"deploy: unknown argument(s) {unknown}; the only one is 'fresh'")
    try:
        manifest = deploy_suite(fresh=bool({"fresh", "--fresh"} & set(args)))
    except DeploymentError as exc:
        raise SystemExit(f"deploy: {exc}") from None
    print(json.dumps(manifest, indent=2))
    return manifest
