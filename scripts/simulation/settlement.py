"""The second phase of the simulation (``settle_revenue_and_claim``), after the generation of the
installed roofs was certified (by the energy walkthrough in `make demo`, by the tests' rounds):

1. every installed project whose installation has a certificate is commissioned by its manager
   (the last tranche: the manager, the platform fee and, when financed, the installer);
2. every certificate of the simulation's installations not settled yet (the energy walkthrough
   settles those it certified) is settled: the offtaker deposits what they cost at the accepted
   tariff, and the settlement pays it into the project's crowdfunding revenue;
3. the managers, installers and the treasury withdraw what Projects owes them;
4. every shareholder (the investors of a finalized campaign, a self-funding owner) claims its
   revenue;
5. the invariants are checked (scripts/simulation/invariants.py).
"""

from __future__ import annotations

import time
from typing import Any

from oracle.market_codes import PROJECT_INSTALLED
from scripts.simulation.batch import Tx, send_all
from scripts.simulation.invariants import certificates_of, check_invariants, revenue_holders
from scripts.simulation.reads import PinnedReader, call_many, events_of
from scripts.simulation.records import MarketSimulation, SimulationOutcome, frozen_mapping


def accounts_by_address(accounts: Any) -> dict[str, Any]:
    """brownie's accounts, or a live network's LiveActors (the simulation's were added to them), by address."""
    return {account.address: account for account in accounts}


def commission_certified(contracts: dict[str, Any], sim: MarketSimulation, account_of: dict[str, Any]) -> tuple[list[int], list[int]]:
    """Each installed project with certified generation is commissioned by its manager.
    Returns (commissioned project ids, ids still waiting for a first certificate)."""
    projects, registry = contracts["Projects"], contracts["InstallationRegistry"]
    ids = [i.project_id for i in sim.installed]
    reader = PinnedReader()
    views = call_many(projects, "project", [(p,) for p in ids], reader)
    linked = call_many(registry, "installationOfProject", [(p,) for p in ids], reader)
    ready = [(p, v) for p, v, (_, certified) in zip(ids, views, linked) if certified and int(v["state"]) == PROJECT_INSTALLED]
    send_all([Tx(account_of[v["manager"]], projects.confirmCommissioning, (p,)) for p, v in ready])
    waiting = [p for p, (_, certified) in zip(ids, linked) if not certified]
    return [p for p, _ in ready], waiting


def settle_unsettled(contracts: dict[str, Any], sim: MarketSimulation, account_of: dict[str, Any],
                     minter: Any) -> tuple[int, int, int]:
    """Settle every certificate of the simulation's installations still unsettled, from the
    offtaker's deposit topped up to what they cost (the operator, `minter`, mints the top-up and
    sends the settlements: anyone may settle, the terms' offtaker pays). Returns (certificates of the installations,
    certificates settled here, CLP minted for the offtaker)."""
    token, sales = contracts["PaymentToken"], contracts["EnergySales"]
    offtaker = account_of[sim.offtaker.address]
    certificates = certificates_of(contracts, sim)
    reader = PinnedReader()
    settled = call_many(sales, "isSettled", [(c["tokenId"],) for c in certificates], reader)
    open_ = [c for c, done in zip(certificates, settled) if not done]
    cost_clp = sum(call_many(sales, "quote", [(c["installationId"], c["tokenId"]) for c in open_], reader))
    missing_clp = max(0, cost_clp - int(sales.depositOf(offtaker)))
    if missing_clp:
        send_all([Tx(minter, token.mint, (offtaker, missing_clp))])
        send_all([Tx(offtaker, token.approve, (sales, missing_clp)), Tx(offtaker, sales.deposit, (missing_clp,))])
    send_all([Tx(minter, sales.settle, (c["installationId"], c["tokenId"])) for c in open_])  # anyone may settle
    return len(certificates), len(open_), missing_clp


def withdraw_payments(contracts: dict[str, Any], sim: MarketSimulation, account_of: dict[str, Any]) -> dict[str, int]:
    """Every simulated user and the treasury withdraw what Projects owes them; CLP by name."""
    projects = contracts["Projects"]
    names = {u.address: u.name for u in sim.users}
    names.setdefault(str(projects.treasury()), "treasury")
    addresses = list(names)
    owed = dict(zip(addresses, (int(v) for v in call_many(projects, "owedTo", [(a,) for a in addresses]))))
    payees = [a for a in addresses if owed[a] and a in account_of]
    send_all([Tx(account_of[a], projects.withdraw) for a in payees])
    return {names[a]: owed[a] for a in payees}


def claim_revenue(contracts: dict[str, Any], sim: MarketSimulation, account_of: dict[str, Any]) -> int:
    """Every shareholder of the simulation's projects claims what it can; returns the CLP claimed."""
    crowdfunding = contracts["Crowdfunding"]
    pairs = [(p, h) for p, holders in revenue_holders(sim).items() for h in holders]
    claimable = call_many(crowdfunding, "claimableRevenue", [(p, h) for p, h in pairs])
    receipts = send_all([Tx(account_of[h], crowdfunding.claimRevenue, (p,)) for (p, h), amount in zip(pairs, claimable) if amount])
    return sum(int(e["amountClp"]) for e in events_of(crowdfunding, "RevenueClaimed", receipts))


def settle_revenue_and_claim(contracts: dict[str, Any], sim: MarketSimulation, accounts: Any) -> SimulationOutcome:
    """Run the second phase (see the module docstring) and check the invariants.

    Args:
        contracts: the suite by manifest name.
        sim: what simulate_market returned on this chain.
        accounts: brownie's ``accounts`` (accounts[0] the operator and minter; the simulation's
            accounts were added to them by simulate_market).
    """
    started = time.perf_counter()
    account_of = accounts_by_address(accounts)
    commissioned, waiting = commission_certified(contracts, sim, account_of)
    certificates, settled_here, minted_clp = settle_unsettled(contracts, sim, account_of, accounts[0])
    withdrawn = withdraw_payments(contracts, sim, account_of)
    claimed_clp = claim_revenue(contracts, sim, account_of)
    invariants = check_invariants(contracts, sim, accounts)
    totals = {i.name: i for i in invariants}
    certified = totals["Wh certified = Wh settled"]
    return SimulationOutcome(
        commissioned=tuple(commissioned), waiting=tuple(waiting), certificates=certificates,
        settled_here=settled_here, certified_wh=certified.expected, settled_wh=certified.actual,
        revenue_clp=totals["revenue deposited = energy sales settled"].expected, claimed_clp=claimed_clp,
        offtaker_minted_clp=minted_clp, withdrawn_clp=frozen_mapping(withdrawn), invariants=tuple(invariants),
        elapsed_s=time.perf_counter() - started,
    )
