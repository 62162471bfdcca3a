"""The simulation in about fifteen lines for people: users per role, projects, pesos per flow and
each invariant with OK or FAILED. Names and totals only: no addresses, no transactions."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from scripts.common.format import clp
from scripts.simulation.records import (
    INSTALLER,
    INVESTOR,
    MANAGER,
    OFFTAKER,
    OWNER,
    PROVIDER,
    Invariant,
    MarketSimulation,
    SimulationOutcome,
)


def kwh(energy_wh: int) -> str:
    return f"{energy_wh / 1000:,.1f} kWh"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def invariant_line(item: Invariant) -> str:
    unit: Callable[[int], str] = kwh if "Wh" in item.name else clp
    amounts = unit(item.expected) if item.expected == item.actual else f"{unit(item.expected)} vs {unit(item.actual)}"
    return f"    {'OK    ' if item.ok else 'FAILED'} {item.name}: {amounts} ({item.detail})"


def summary_lines(sim: MarketSimulation, outcome: SimulationOutcome) -> list[str]:
    """The lines print_summary prints."""
    roles = Counter(u.role for u in sim.users)
    owners = sim.by_role(OWNER)
    self_funded = [p for p in sim.projects if not p.financed]
    cancelled = [p for p in self_funded if p.state == "Cancelled"]
    financed = sim.campaign_projects()
    failed = [p for p in financed if p.campaign_failed]
    fees = sum(p.fee_clp for p in sim.projects if p.project_id in set(outcome.commissioned))
    escrow = sum(sim.funded_clp.values()) + sum(p.total_clp for p in financed if not p.campaign_failed)
    role_of = {u.name: u.role for u in sim.users}
    withdrawn = [*sim.withdrawn_clp.items(), *outcome.withdrawn_clp.items()]
    to_sellers = sum(amount for name, amount in withdrawn if role_of.get(name) in (PROVIDER, INSTALLER, MANAGER))
    to_owners = sum(amount for name, amount in withdrawn if role_of.get(name) == OWNER)
    regions = sorted({i.region for i in sim.installed})
    return [
        f"Simulation, seed {sim.seed}: market phase {sim.elapsed_s:.1f} s, settlement and claims {outcome.elapsed_s:.1f} s",
        f"  users: {len(owners)} owners ({sum(u.needs_financing for u in owners)} asking for financing), "
        f"{roles[PROVIDER]} providers, {roles[INSTALLER]} installers, {roles[MANAGER]} managers, "
        f"{roles[INVESTOR]} investors, {roles[OFFTAKER]} offtaker",
        f"  market: {sim.offers_posted} offers, {sim.demands_posted} demands; the matcher made "
        f"{plural(len(sim.projects), 'project')}, {sim.unmatched_demands} demand(s) left unmatched",
        f"  projects: {len(self_funded)} self-funded ({len(cancelled)} cancelled by the owner, refunded), "
        f"{len(financed)} crowdfunded ({len(financed) - len(failed)} funded, {len(failed)} failed and refunded)",
        f"  roofs: {plural(len(sim.installed), 'installation')} of {sum(i.capacity_w for i in sim.installed) / 1000:,.0f} kWp "
        f"in {plural(len(regions), 'region')}; {len(outcome.commissioned)} commissioned, {len(outcome.waiting)} without a certificate yet",
        f"  pesos minted: {clp(sum(sim.minted_clp.values()) + outcome.offtaker_minted_clp)} "
        f"(to owners, investors and the offtaker)",
        f"  escrow: {clp(escrow)} funded; {clp(to_sellers)} paid to sellers, {clp(to_owners)} back to the owner who "
        f"cancelled, {clp(fees)} platform fees",
        f"  crowdfunding: {clp(sum(c.amount_clp for c in sim.contributions))} contributed, "
        f"{clp(sum(r.amount_clp for r in sim.refunds))} refunded to {plural(len(sim.refunds), 'contributor')} of failed campaigns",
        f"  energy: {plural(outcome.certificates, 'certificate')}, {kwh(outcome.certified_wh)} certified, "
        f"{kwh(outcome.settled_wh)} settled ({outcome.settled_here} here) at {sim.tariff_clp_per_kwh} CLP/kWh",
        f"  revenue: {clp(outcome.revenue_clp)} into the projects, {clp(outcome.claimed_clp)} claimed by their shareholders",
        f"  invariants ({sum(i.ok for i in outcome.invariants)} of {len(outcome.invariants)} OK):",
        *(invariant_line(i) for i in outcome.invariants),
    ]


def print_summary(sim: MarketSimulation, outcome: SimulationOutcome) -> None:
    for line in summary_lines(sim, outcome):
        print(line)
