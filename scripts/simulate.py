"""The ~100-user marketplace simulation on its own (scripts/simulation; `make demo` runs it with the
energy walkthrough certifying the roofs between its two phases).

Usage (local chains only: it creates and funds accounts, mints pesos and moves the clock)::

    brownie run scripts/simulate.py --network <id>                  # 100 users, seed 2026
    brownie run scripts/simulate.py main 30 7 --network <id>        # users, seed

The suite is deployed first when the chain has none (scripts/deploy.py). Nothing certifies the
roofs' generation here, so the second phase commissions no project and settles nothing: the
summary says how many roofs wait for a first certificate, and the invariants are checked all the same.
"""

from __future__ import annotations

from brownie import accounts

from scripts.deployment.manifest import contracts_from_manifest
from scripts.deployment.suite import deploy_suite
from scripts.common.accounts import is_local_chain
from scripts.market.population import DEFAULT_SEED
from scripts.common.quiet import brownie_transaction_lines_hidden
from scripts.simulation import print_summary, settle_revenue_and_claim, simulate_market
from scripts.simulation.batch import BatchError
from scripts.simulation.population import SimulationError


def main(users: str = "100", seed: str = str(DEFAULT_SEED)) -> None:
    """brownie entry point: ``main [users] [seed]``."""
    try:
        counts = int(users), int(seed)
    except ValueError:
        raise SystemExit(f"simulate: users and seed must be integers, got {users!r} and {seed!r}") from None
    if not is_local_chain():
        raise SystemExit("simulate: local chains only (it creates and funds accounts and moves the clock)")
    try:
        with brownie_transaction_lines_hidden():
            contracts = contracts_from_manifest(deploy_suite(accounts[0], quiet=True))
            sim = simulate_market(contracts, accounts, seed=counts[1], users=counts[0])
            outcome = settle_revenue_and_claim(contracts, sim, accounts)
            print_summary(sim, outcome)
    except (SimulationError, BatchError) as exc:
        raise SystemExit(f"simulate: {exc}") from None
    if not outcome.all_ok:
        raise SystemExit("simulate: an invariant FAILED (see above)")
