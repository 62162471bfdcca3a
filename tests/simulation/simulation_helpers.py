"""Simulation test helpers (not fixtures): the simulation's two phases and, between them, the
certification the energy walkthrough does in `make demo`: one round with a day leaf per installed
roof and day (signed by the deployment's oracle signer, the operator, through the node), issued in
batches, and the first day sold as scripts/walkthroughs/energy.py sell_energy sells (the rest is left for
the second phase to settle).

Imported as a top-level module (pytest puts tests/simulation on sys.path), like each area's helpers.
"""

from __future__ import annotations

from typing import Any

from generation_helpers import make_round, node_signature, reading_tree, solar_day_wh
from oracle.leaves import leaf_arg
from oracle.timeutil import DAY_S, utc_year
from scripts.walkthroughs.energy import Cast, issued_certificates, sell_energy
from scripts.simulation import settle_revenue_and_claim, simulate_market

SMALL_USERS, SMALL_SEED = 30, 11
FULL_USERS, FULL_SEED = 100, 2026
CERTIFIED_DAYS = 2
ISSUE_BATCH = 100
TEST_FACTOR_G_PER_KWH = 300


def day_leaves(sim: Any, day: int) -> list[tuple[Any, ...]]:
    """Day `day` (0 = commissioning day) of every installed roof: a clear day at its capacity."""
    leaves = []
    for roof in sim.installed:
        start = sim.commissioned_at + day * DAY_S
        readings = solar_day_wh(peak_wh=roof.capacity_w // 4)  # a 15-minute interval at full power
        root = reading_tree(roof.installation_id, start, readings).root
        leaves.append((roof.installation_id, start, start + DAY_S, sum(readings), root))
    return leaves


def certify(suite: dict, sim: Any, operator: Any, days: int) -> list[tuple[Any, ...]]:
    """Certify `days` days of every roof of `sim`; returns the leaves issued."""
    registry, oracle, certificates = suite["InstallationRegistry"], suite["GenerationOracle"], suite["GenerationCertificates"]
    leaves = [leaf for day in range(days) for leaf in day_leaves(sim, day)]
    for year in sorted({utc_year(leaf[1]) for leaf in leaves}):
        if registry.emissionFactor(year)[0] == 0:
            registry.setEmissionFactor(year, TEST_FACTOR_G_PER_KWH, "simulation test factor", {"from": operator})
    signed = make_round(int(oracle.lastRoundId()) + 1, leaves)
    oracle.submitRound(signed.as_tuple(), [node_signature(operator, signed.round, oracle.address)], {"from": operator})
    for first in range(0, len(leaves), ISSUE_BATCH):
        chunk = leaves[first:first + ISSUE_BATCH]
        certificates.issueBatch(signed.round_id, [leaf_arg(leaf) for leaf in chunk], [signed.proof(leaf) for leaf in chunk],
                                {"from": operator})
    return leaves


def sell_first_day(suite: dict, sim: Any, accounts: Any, operator: Any) -> None:
    """What the energy walkthrough does: the offtaker deposits for and settles the certificates of
    the first certified day of every roof (sell_energy of scripts/walkthroughs/energy.py)."""
    by_installation = issued_certificates(suite["GenerationCertificates"], [i.installation_id for i in sim.installed], 0)
    first_day = [certificates[0] for certificates in by_installation.values() if certificates]
    offtaker = next(a for a in accounts if a.address == sim.offtaker.address)
    sell_energy(suite, Cast(operator, offtaker, None, {}, {}), accounts, first_day)


def run_simulation(suite: dict, accounts: Any, operator: Any, users: int, seed: int, days: int) -> tuple[Any, Any]:
    """Both phases with `days` days certified between them, the first day sold before the second."""
    sim = simulate_market(suite, accounts, seed=seed, users=users)
    certify(suite, sim, operator, days)
    sell_first_day(suite, sim, accounts, operator)
    return sim, settle_revenue_and_claim(suite, sim, accounts)
