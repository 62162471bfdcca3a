"""The ~100-user marketplace simulation (issue 11, make demo item 3), in two phases with the
certification of generation between them (the energy walkthrough in `make demo`, rounds in the tests):

- ``simulate_market(contracts, accounts, seed, users)`` -> MarketSimulation (market.py): users,
  offers and demands, matching, self-funding and crowdsales, milestones, roofs as installations;
- ``settle_revenue_and_claim(contracts, sim, accounts)`` -> SimulationOutcome (settlement.py):
  commissioning, energy sales left unsettled, withdrawals, claims, then
  ``check_invariants(contracts, sim)`` (invariants.py);
- ``print_summary(sim, outcome)`` (summary.py).

The pure planning (roles, campaigns, roofs) is in population.py, the batched transactions in
batch.py, the batched chain reads in reads.py, the records in records.py.

It runs on live networks too (scripts/demo.py): with the demo's LiveActors as accounts, batch.py
sends through the transaction journal one by one, and ``simulate_market(..., live_campaign_s=N)``
gives the campaigns N-second terms and waits for their deadline instead of moving the clock.
"""

from scripts.simulation.invariants import check_invariants
from scripts.simulation.market import simulate_market
from scripts.simulation.records import (
    Invariant,
    MarketSimulation,
    SimProject,
    SimulationOutcome,
    SimUser,
)
from scripts.simulation.settlement import settle_revenue_and_claim
from scripts.simulation.summary import print_summary

__all__ = [
    "Invariant", "MarketSimulation", "SimProject", "SimUser", "SimulationOutcome",
    "check_invariants", "print_summary", "settle_revenue_and_claim", "simulate_market",
]
