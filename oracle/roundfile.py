"""Round files: everything a round commits to, in formats standard tools re-verify.

One JSON file per round (``round-000007.json``)::

    {
      "format": "pv-ledger-round/1",
      "roundId": 7, "chainId": 31337, "oracle": "0x...",   # the GenerationOracle (EIP-712 verifyingContract)
      "dataUri": "https://.../round-000007.json" or "",    # keccak256 of it is the round's dataUriHash
      "synthetic": false,                                  # true when any reading is simulated
      "typedData": {... eth_signTypedData_v4 JSON, with EIP712Domain ...},
      "signatures": [{"signer": "0x...", "signature": "0x<65 bytes>"}],
      "generationTree": {... @openzeppelin/merkle-tree standard-v1 dump of the generation leaves ...},
      "installations": [
        {"installationId": 1, "periodStart": "2026-03-01T00:00:00Z", "periodEnd": "...",
         "energyWh": 123456, "readingsRoot": "0x...",
         "readings": {... standard-v1 dump of (installationId, intervalStart, energyWh) leaves ...},
         "excluded": [{"intervalStart": "...Z", "energyWh": 812.0, "flags": "above_capacity",
                       "decision": "rejected", "reviewer": "ana", "reason": "inverter fault"}]}
      ]
    }

Anyone can check it without this code: ``StandardMerkleTree.load(generationTree).root`` equals
``typedData.message.merkleRoot``; each installation's readings tree root equals its leaf's
readingsRoot and its readings sum to the leaf's energyWh; ``ethers.verifyTypedData(domain, types,
message, signature)`` returns each signer. :func:`verify_round_file` does exactly those checks.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from oracle.errors import InputError
from oracle.leaves import InstallationPeriod
from oracle.merkle import MerkleTreeError, StandardMerkleTree, generation_leaf_types, reading_leaf_types
from oracle.signing import Round, SigningError, recover_round_signer, round_typed_data
from oracle.timeutil import iso_utc, parse_utc

FORMAT = "pv-ledger-round/1"


def round_file_name(round_id: int) -> str:
    return f"round-{round_id:06d}.json"


@dataclass
class RoundFile:
    """A round file in memory (see the module docstring)."""

    round: Round
    chain_id: int
    oracle_address: str
    generation: StandardMerkleTree
    periods: list[InstallationPeriod]
    excluded: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)
    data_uri: str = ""
    synthetic: bool = False

    def to_json(self) -> dict[str, Any]:
        installations = []
        for period in self.periods:
            installation_id, start, end, energy_wh, root = period.leaf
            installations.append({
                "installationId": installation_id,
                "periodStart": iso_utc(start),
                "periodEnd": iso_utc(end),
                "energyWh": energy_wh,
                "readingsRoot": "0x" + root.hex(),
                "readings": period.readings.dump(),
                "excluded": self.excluded.get((installation_id, start), []),
            })
        return {
            "format": FORMAT,
            "roundId": self.round.round_id,
            "chainId": self.chain_id,
            "oracle": self.oracle_address,
            "dataUri": self.data_uri,
            "synthetic": self.synthetic,
            "typedData": round_typed_data(self.round, self.chain_id, self.oracle_address),
            "signatures": [{"signer": s, "signature": sig} for s, sig in sorted(self.signatures.items())],
            "generationTree": self.generation.dump(),
            "installations": installations,
        }

    def write(self, path: Path) -> None:
        """Write atomically (a temporary file renamed over the target): a crash never leaves half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1) + "\n")
        os.replace(tmp, path)


def _round_from_typed_data(typed: dict[str, Any]) -> Round:
    message = typed["message"]
    return Round(
        round_id=int(message["roundId"]),
        period_start=int(message["periodStart"]),
        period_end=int(message["periodEnd"]),
        merkle_root=message["merkleRoot"],
        leaf_count=int(message["leafCount"]),
        total_energy_wh=int(message["totalEnergyWh"]),
        data_uri_hash=message["dataUriHash"],
    )


def load_round_file(path: Path) -> RoundFile:
    """Parse a round file; a file that is not one is an InputError naming what is wrong.
    (Parsing is not verifying: see :func:`verify_round_file`.)"""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise InputError(f"no round file at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the round file {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"round file {path} is not JSON (line {exc.lineno}): {exc.msg}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{path} is not a PV Ledger round file (format {FORMAT!r} expected)")
    try:
        typed = data["typedData"]
        round_ = _round_from_typed_data(typed)
        domain = typed["domain"]
        if int(domain["chainId"]) != int(data["chainId"]) or to_checksum_address(domain["verifyingContract"]) != to_checksum_address(data["oracle"]):
            raise InputError(f"round file {path}: its typed data is signed for chain {domain['chainId']} and oracle "
                             f"{domain['verifyingContract']}, not the chain {data['chainId']} and oracle {data['oracle']} it names")
        generation = StandardMerkleTree.load(data["generationTree"])
        periods, excluded = [], {}
        for item in data["installations"]:
            readings = StandardMerkleTree.load(item["readings"])
            leaf = (int(item["installationId"]), parse_utc(item["periodStart"]), parse_utc(item["periodEnd"]),
                    int(item["energyWh"]), bytes.fromhex(item["readingsRoot"][2:]))
            periods.append(InstallationPeriod(leaf, readings))
            excluded[(leaf[0], leaf[1])] = list(item.get("excluded", []))
        signatures = {to_checksum_address(s["signer"]): str(s["signature"]) for s in data.get("signatures", [])}
        return RoundFile(round_, int(data["chainId"]), to_checksum_address(data["oracle"]), generation, periods,
                         excluded, signatures, str(data.get("dataUri", "")), bool(data.get("synthetic", False)))
    except (KeyError, TypeError, ValueError, IndexError, MerkleTreeError, SigningError) as exc:
        raise InputError(f"round file {path} is malformed: {type(exc).__name__}: {exc}") from None


def verify_round_file(rf: RoundFile) -> list[str]:
    """Every reason the round file does not hold together (empty when it does): trees, totals,
    periods, typed data, and that each listed signature recovers to its signer."""
    problems: list[str] = []
    r = rf.round
    if rf.generation.types != generation_leaf_types:
        problems.append(f"the generation tree has leaf types {rf.generation.types}, not {generation_leaf_types}")
        return problems
    if rf.generation.root != r.merkle_root:
        problems.append(f"generation tree root {rf.generation.root_hex} is not the signed merkleRoot 0x{r.merkle_root.hex()}")
    if len(rf.generation) != r.leaf_count:
        problems.append(f"{len(rf.generation)} generation leaves, but the round says leafCount {r.leaf_count}")
    total = sum(v[3] for v in rf.generation.values)
    if total != r.total_energy_wh:
        problems.append(f"generation leaves sum to {total} Wh, but the round says totalEnergyWh {r.total_energy_wh}")
    leaves = {tuple(v) for v in rf.generation.values}
    if len(rf.periods) != len(leaves):
        problems.append(f"{len(rf.periods)} installation sections for {len(leaves)} generation leaves")
    for period in rf.periods:
        installation_id, start, end, energy_wh, root = period.leaf
        where = f"installation {installation_id} from {iso_utc(start)}"
        if tuple(period.leaf) not in leaves:
            problems.append(f"{where}: its leaf is not in the generation tree")
        if period.readings.types != reading_leaf_types:
            problems.append(f"{where}: readings tree has leaf types {period.readings.types}")
            continue
        if period.readings.root != root:
            problems.append(f"{where}: readings tree root {period.readings.root_hex} is not the leaf's readingsRoot 0x{root.hex()}")
        readings_wh = sum(v[2] for v in period.readings.values)
        if readings_wh != energy_wh:
            problems.append(f"{where}: readings sum to {readings_wh} Wh, the leaf says {energy_wh} Wh")
        outside = [v for v in period.readings.values if v[0] != installation_id or not start <= v[1] < end or v[1] % 900]
        if outside:
            problems.append(f"{where}: {len(outside)} reading(s) of another installation, outside the period or off the 15-minute grid")
        if not r.period_start <= start < end <= r.period_end:
            problems.append(f"{where}: the leaf's period is outside the round's")
    for signer, signature in rf.signatures.items():
        try:
            recovered = recover_round_signer(r, rf.chain_id, rf.oracle_address, signature)
        except SigningError as exc:
            problems.append(f"signature of {signer}: {exc}")
            continue
        if to_checksum_address(recovered) != signer:
            problems.append(f"the signature listed for {signer} recovers to {recovered}")
    return problems
