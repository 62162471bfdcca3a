"""The deployment manifest (``deployments/<chain-id>.json``, written by scripts/deploy.py) and a web3
connection checked against it.

The ABIs come from the committed ``abi/`` folder (``abi/<contractType>.json``); a contract deployed
elsewhere (an external payment token, contract type ``ERC20``) uses the ERC-20 part of PesoToken's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract

from oracle.errors import ChainError, ConfigError

ABI_DIR = Path(__file__).resolve().parents[2] / "abi"
EXTERNAL_TOKEN_TYPE = "ERC20"
ERC20_MEMBERS = frozenset({"name", "symbol", "decimals", "totalSupply", "balanceOf", "transfer",
                           "allowance", "approve", "transferFrom", "Transfer", "Approval"})
DEFAULT_TIMEOUT_S = 30


@dataclass(frozen=True)
class ContractEntry:
    name: str
    contract_type: str
    address: str
    block: int  # deployment block (0 when unknown, e.g. an external token)


@dataclass(frozen=True)
class Manifest:
    path: Path
    chain_id: int
    contracts: dict[str, ContractEntry]

    def entry(self, name: str) -> ContractEntry:
        if name not in self.contracts:
            raise ConfigError(f"the manifest {self.path} has no {name}: deploy the suite that has it")
        return self.contracts[name]


def load_manifest(path: Path | str) -> Manifest:
    """Read and check a manifest; every problem is a one-line ConfigError."""
    manifest_path = Path(path)
    try:
        data = json.loads(manifest_path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no deployment manifest at {manifest_path}: deploy first (brownie run scripts/deploy.py)") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the manifest {manifest_path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"the manifest {manifest_path} is not JSON (line {exc.lineno}): {exc.msg}") from None
    try:
        chain_id = int(data["chainId"])
        contracts = {
            name: ContractEntry(name, str(entry["contractType"]), Web3.to_checksum_address(entry["address"]),
                                int(entry.get("block", 0)))
            for name, entry in data["contracts"].items()
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"the manifest {manifest_path} lacks chainId or contracts with contractType and address ({exc})") from None
    return Manifest(manifest_path, chain_id, contracts)


@cache
def abi_of(contract_type: str) -> tuple[dict[str, Any], ...]:
    """The committed ABI of a contract type (``abi/<type>.json``)."""
    if contract_type == EXTERNAL_TOKEN_TYPE:
        return tuple(item for item in abi_of("PesoToken") if item.get("name") in ERC20_MEMBERS)
    path = ABI_DIR / f"{contract_type}.json"
    try:
        return tuple(json.loads(path.read_text()))
    except FileNotFoundError:
        raise ConfigError(f"no ABI for {contract_type} at {path}: run `make abi`") from None


@dataclass
class Chain:
    """A web3 connection to the manifest's chain and its contracts (``chain.contract("GenerationOracle")``)."""

    web3: Web3
    manifest: Manifest

    def contract(self, name: str) -> Contract:
        entry = self.manifest.entry(name)
        return self.web3.eth.contract(address=entry.address, abi=list(abi_of(entry.contract_type)), decode_tuples=True)

    @property
    def chain_id(self) -> int:
        return self.manifest.chain_id


def connect(rpc_url: str, manifest: Manifest, timeout_s: float = DEFAULT_TIMEOUT_S) -> Chain:
    """Connect to `rpc_url` and check that it serves the manifest's chain (ChainError otherwise)."""
    # no retries inside web3: oracle.chain.transactions.Sender retries with its own backoff
    web3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout_s}, exception_retry_configuration=None))
    try:
        chain_id = int(web3.eth.chain_id)
    except Exception as exc:  # requests' and web3's connection errors have no common base
        raise ChainError(f"cannot reach the RPC node at {redact_url(rpc_url)}: {type(exc).__name__}") from None
    if chain_id != manifest.chain_id:
        raise ChainError(
            f"the RPC node at {redact_url(rpc_url)} serves chain {chain_id}, but the manifest {manifest.path} "
            f"is for chain {manifest.chain_id}: wrong --rpc-url or manifest"
        )
    return Chain(web3, manifest)


def redact_url(url: str) -> str:
    """An RPC URL fit for messages: provider API keys (in the path or query) are cut off."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}" + ("/..." if parts.path.strip("/") or parts.query else "")
