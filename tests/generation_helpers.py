"""Generation test helpers shared by tests/energy and tests/security (not fixtures): days of 2026,
15-minute reading trees, generation leaves, rounds over them, installation parameters and a
signature by a node-unlocked account. oracle/ builds the Merkle trees and EIP-712 signatures; these
only assemble them for brownie calls.

Imported as a top-level module (tests/ is on sys.path through tests/conftest.py), like each area's
own helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from brownie import chain, web3

from oracle.leaves import generation_tree
from oracle.leaves import reading_tree as oracle_reading_tree
from oracle.merkle import StandardMerkleTree
from oracle.signing import Round, node_sign_round, round_as_tuple, round_from_generation_tree
from oracle.timeutil import DAY_S, INTERVAL_S

YEAR_2026_START = 1_767_225_600  # 2026-01-01T00:00:00Z
YEAR_2025_START = 1_735_689_600  # 2025-01-01T00:00:00Z
FIRST_DAY = 10  # test installations are commissioned at the start of day 10 of 2026: their first leaf starts there
CAPACITY_W = 30_000  # the test installations' capacity (installation_params)


def day_start(day_index: int, year_start: int = YEAR_2026_START) -> int:
    """Unix seconds (UTC) of midnight of day `day_index` (0 = 1 January) of the year."""
    return year_start + day_index * DAY_S


def reading_tree(installation_id: int, period_start: int, energies_wh: Sequence[int]) -> StandardMerkleTree:
    """Tree of 15-minute readings (installationId, intervalStart, energyWh) from `period_start`."""
    return oracle_reading_tree(installation_id, [(period_start + i * INTERVAL_S, wh) for i, wh in enumerate(energies_wh)])


def solar_day_wh(peak_wh: int = 1_500) -> list[int]:
    """96 synthetic 15-minute readings of a clear day: zero at night, a triangle around noon."""
    return [max(0, peak_wh - abs(i - 52) * peak_wh // 24) if 28 <= i <= 76 else 0 for i in range(96)]


DAY_WH = sum(solar_day_wh())  # what day_leaf certifies per day unless told otherwise


def day_leaf(installation_id: int, day_index: int, energy_wh: int | None = None, days: int = 1) -> tuple[Any, ...]:
    """Generation leaf of `days` whole days from `day_index`, with a real 96-reading root per day 1."""
    start = day_start(day_index)
    root = reading_tree(installation_id, start, solar_day_wh()).root
    wh = DAY_WH * days if energy_wh is None else energy_wh
    return (installation_id, start, start + days * DAY_S, wh, root)


def proof_arg(tree: StandardMerkleTree, leaf: Sequence[Any]) -> list[str]:
    return tree.proof_hex(tuple(leaf))


@dataclass
class SignedRound:
    """A round and the generation tree its Merkle root commits to."""

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
    tree = generation_tree(leaves)
    start = min(leaf[1] for leaf in leaves) if period is None else period[0]
    end = max(leaf[2] for leaf in leaves) if period is None else period[1]
    return SignedRound(round_from_generation_tree(round_id, start, end, tree), tree)


def installation_params(
    beneficiary: Any, project_id: int = 0, serial: str = "BL-0001", commissioned_at: int | None = None
) -> tuple[Any, ...]:
    """InstallationParams for a 30 kWp PTSP rooftop in Santiago, commissioned at the start of day
    FIRST_DAY of 2026 unless `commissioned_at` says otherwise."""
    return (
        beneficiary,
        CAPACITY_W,
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


def node_signature(account: Any, round_: Round, oracle_address: Any) -> str:
    """Signature by an unlocked node account (anvil/ganache) through eth_signTypedData_v4, fed the
    JSON oracle/signing.py writes for wallets: the path a co-signer without a raw key takes."""
    return node_sign_round(web3.provider.make_request, str(account), round_, chain.id, oracle_address)
