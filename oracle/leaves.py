"""Readings to leaves: the one helper that turns 15-minute readings into the trees a round commits to.

- a reading leaf is (installationId, intervalStart, energyWh), one per 15-minute interval;
- a generation leaf is (installationId, periodStart, periodEnd, energyWh, readingsRoot), one per
  installation per period, where energyWh is the sum of its readings and readingsRoot the root of
  their tree.

Energies are whole Wh (what the contracts store); interval starts are unix seconds UTC, multiples of
900, inside [periodStart, periodEnd). Used by the oracle's round builder, the demo, the benchmarks and
the tests, so a leaf means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from oracle.merkle import MerkleTreeError, StandardMerkleTree, generation_leaf_types, reading_leaf_types
from oracle.timeutil import INTERVAL_S

GenerationLeaf = tuple[int, int, int, int, bytes]


@dataclass(frozen=True)
class InstallationPeriod:
    """One installation's generation leaf and the tree of the readings under it."""

    leaf: GenerationLeaf
    readings: StandardMerkleTree

    @property
    def energy_wh(self) -> int:
        return self.leaf[3]


def reading_tree(installation_id: int, readings_wh: Iterable[tuple[int, int]]) -> StandardMerkleTree:
    """Tree of (installationId, intervalStart, energyWh) leaves from (interval_start_s, energy_wh) pairs."""
    return StandardMerkleTree.of(
        [(installation_id, int(start_s), int(wh)) for start_s, wh in readings_wh], reading_leaf_types
    )


def installation_period(
    installation_id: int, period_start_s: int, period_end_s: int, readings_wh: Sequence[tuple[int, int]]
) -> InstallationPeriod:
    """The generation leaf of `readings_wh` ((interval_start_s, energy_wh) pairs) over
    [period_start_s, period_end_s). Raises MerkleTreeError for a reading outside the period, off the
    15-minute grid, negative, or twice for one interval."""
    if not readings_wh:
        raise MerkleTreeError(f"installation {installation_id}: no readings for the period")
    for start_s, wh in readings_wh:
        if start_s % INTERVAL_S or not period_start_s <= start_s < period_end_s:
            raise MerkleTreeError(
                f"installation {installation_id}: reading at {start_s} is outside "
                f"[{period_start_s}, {period_end_s}) or off the 15-minute grid"
            )
        if wh < 0:
            raise MerkleTreeError(f"installation {installation_id}: negative reading {wh} Wh at {start_s}")
    tree = reading_tree(installation_id, readings_wh)
    total_wh = sum(int(wh) for _, wh in readings_wh)
    return InstallationPeriod((installation_id, period_start_s, period_end_s, total_wh, tree.root), tree)


def generation_tree(leaves: Iterable[Sequence[object]]) -> StandardMerkleTree:
    """The tree of generation leaves a round's merkleRoot commits to."""
    return StandardMerkleTree.of([tuple(leaf) for leaf in leaves], generation_leaf_types)


def leaf_arg(leaf: Sequence[object]) -> tuple[object, ...]:
    """A generation leaf as a contract argument, bytes32 as 0x hex (what brownie and JSON take)."""
    return tuple("0x" + v.hex() if isinstance(v, bytes) else v for v in leaf)
