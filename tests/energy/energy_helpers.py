"""Test helpers for the energy contracts: leaves, reading trees, signed rounds (oracle/ does the
Merkle trees and EIP-712 signatures; these only assemble them for brownie calls)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from brownie import chain

from oracle.merkle import StandardMerkleTree, generation_leaf_types, reading_leaf_types
from oracle.signing import Round, round_as_tuple, round_from_generation_tree, sign_round
from scripts.deployment.energy import WITHDRAWAL_NOTICE_S  # noqa: F401  (re-exported for the tests)
from scripts.issue_round import leaf_arg  # noqa: F401  (re-exported for the tests)

DAY_S = 86_400
INTERVAL_S = 900
YEAR_2026_START = 1_767_225_600  # 2026-01-01T00:00:00Z
YEAR_2025_START = 1_735_689_600  # 2025-01-01T00:00:00Z
FACTOR_2026_G_PER_KWH = 350
FACTOR_2025_G_PER_KWH = 380
FIRST_DAY = 10  # test installations are commissioned at the start of day 10 of 2026: their first leaf starts there


def day_start(day_index: int, year_start: int = YEAR_2026_START) -> int:
    """Unix seconds (UTC) of midnight of day `day_index` (0 = 1 January) of the year."""
    return year_start + day_index * DAY_S


def reading_tree(installation_id: int, period_start: int, energies_wh: Sequence[int]) -> StandardMerkleTree:
    """Tree of 15-minute readings (installationId, intervalStart, energyWh) from `period_start`."""
    values = [(installation_id, period_start + i * INTERVAL_S, wh) for i, wh in enumerate(energies_wh)]
    return StandardMerkleTree.of(values, reading_leaf_types)


def solar_day_wh(peak_wh: int = 1_500) -> list[int]:
    """96 synthetic 15-minute readings of a clear day: zero at night, a triangle around noon."""
    return [max(0, peak_wh - abs(i - 52) * peak_wh // 24) if 28 <= i <= 76 else 0 for i in range(96)]


def day_leaf(installation_id: int, day_index: int, energy_wh: int | None = None, days: int = 1) -> tuple[Any, ...]:
    """Generation leaf of `days` whole days from `day_index`, with a real 96-reading root per day 1."""
    start = day_start(day_index)
    readings = solar_day_wh()
    root = reading_tree(installation_id, start, readings).root
    wh = sum(readings) * days if energy_wh is None else energy_wh
    return (installation_id, start, start + days * DAY_S, wh, root)


def proof_arg(tree: StandardMerkleTree, leaf: Sequence[Any]) -> list[str]:
    return ["0x" + node.hex() for node in tree.proof(tuple(leaf))]


@dataclass
class SignedRound:
    round: Round
    tree: StandardMerkleTree

    @property
    def round_id(self) -> int:
        return self.round.round_id

    def as_tuple(self) -> tuple[Any, ...]:
        return round_as_tuple(self.round)

    def proof(self, leaf: Sequence[Any]) -> list[str]:
        return proof_arg(self.tree, leaf)


def make_round(round_id: int, leaves: Sequence[Sequence[Any]], period: tuple[int, int] | None = None) -> SignedRound:
    """A round of `leaves` whose period spans them (or `period`)."""
    tree = StandardMerkleTree.of([tuple(leaf) for leaf in leaves], generation_leaf_types)
    start = min(leaf[1] for leaf in leaves) if period is None else period[0]
    end = max(leaf[2] for leaf in leaves) if period is None else period[1]
    return SignedRound(round_from_generation_tree(round_id, start, end, tree), tree)


def signatures(round_: Round, keys: Sequence[str], oracle_address: Any, chain_id: int | None = None) -> list[str]:
    """65-byte signatures (0x hex) of `round_` by each key, for `oracle_address` on `chain_id`."""
    cid = chain.id if chain_id is None else chain_id
    return ["0x" + sign_round(round_, cid, oracle_address, key).hex() for key in keys]


def submit(oracle: Any, signed: SignedRound, keys: Sequence[str], sender: Any) -> Any:
    return oracle.submitRound(signed.as_tuple(), signatures(signed.round, keys, oracle.address), {"from": sender})


def issue(certificates: Any, signed: SignedRound, leaf: Sequence[Any], sender: Any) -> Any:
    return certificates.issue(signed.round_id, leaf_arg(leaf), signed.proof(leaf), {"from": sender})


def installation_params(
    beneficiary: Any, project_id: int = 0, serial: str = "BL-0001", commissioned_at: int | None = None
) -> tuple[Any, ...]:
    """InstallationParams for a 30 kWp PTSP rooftop in Santiago, commissioned at the start of day
    FIRST_DAY of 2026 unless `commissioned_at` says otherwise."""
    return (
        beneficiary,
        30_000,
        -33_448_900,
        -70_669_300,
        13101,
        day_start(FIRST_DAY) if commissioned_at is None else commissioned_at,
        project_id,
        "PV rooftop, monocrystalline",
        "blue'Log X-1000",
        serial,
        "PTSP",
    )


def agree_terms(sales: Any, installation_id: int, offtaker: Any, tariff_clp_per_kwh: int, valid_from: int, admin: Any) -> Any:
    """The tariff role proposes and `offtaker` accepts terms; returns the acceptance."""
    sales.proposeTerms(installation_id, offtaker, tariff_clp_per_kwh, valid_from, {"from": admin})
    return sales.acceptTerms(installation_id, tariff_clp_per_kwh, valid_from, {"from": offtaker})


def node_signature(account: Any, round_: Round, oracle_address: Any) -> str:
    """Signature by an unlocked node account (anvil/ganache) through eth_signTypedData_v4, fed the
    JSON oracle/signing.py writes for wallets: the path a co-signer without a raw key takes."""
    from brownie import web3

    from oracle.signing import node_sign_round

    return node_sign_round(web3.provider.make_request, str(account), round_, chain.id, oracle_address)
