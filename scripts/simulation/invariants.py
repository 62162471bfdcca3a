"""The simulation's invariants, read from the chain at one block (``check_invariants``).

Every peso accounted for:
- pesos minted = pesos held: the token's total supply is held by the accounts the run knows
  (brownie's accounts, or on a live network the demo's LiveActors: the simulation's users, the
  operator and treasury, the demo's accounts) and the suite's contracts; a peso sent out of band to
  any other address breaks it;
- users: each simulated user's balance = what it held before + minted to it (PesosMinted) - what it
  paid into the contracts
  (contributions, escrow, offtaker deposits) + what the contracts paid it (refunds, withdrawals,
  revenue claims, beneficiary claims), from the contracts' events since the simulation began;
- campaigns: per campaign, what the simulation contributed = refunded + sent to escrow + still held
  (the unrefunded contributions, from the contract's views);
- failed campaigns: every contributor got exactly its contribution back, none is left;
- escrow (the whole Projects contract, from its events since deployment): funded = paid out at
  milestones + refunded at cancellation + held, where held = Projects' token balance minus what it
  owes (and equals the escrow the project states leave unreleased);
- fees: what commissioning charged = what the treasury is owed + what it withdrew;
- revenue: per project, deposited = claimed + claimable + dust, 0 <= dust < number of holders
  (each holder's share rounds down), and the holders hold every share;
- revenue deposited for each simulated project = the energy sales settled into it.
Energy: per installation of the simulation, Wh certified = Wh settled.

Each is an Invariant(name, expected, actual, ok): expected and actual are totals (CLP, or Wh for
the last), ok is False as soon as one item (user, campaign, project, installation) differs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

from brownie import accounts as brownie_accounts

from oracle.market_codes import CAMPAIGN_FAILED, CAMPAIGN_FINALIZED, PROJECT_FUNDED, PROJECT_INSTALLED
from scripts.common.format import clp
from scripts.simulation.reads import PinnedReader
from scripts.simulation.records import Invariant, MarketSimulation

class ChainFacts:
    """Views and events at one pinned block, each event list read once."""

    def __init__(self, contracts: dict[str, Any], sim: MarketSimulation, known_accounts: Iterable[Any] = ()) -> None:
        self.contracts = contracts
        self.sim = sim
        self.known_accounts = [str(a) for a in known_accounts]
        self.reader = PinnedReader()
        self._events: dict[tuple[str, str, int], list[dict[str, Any]]] = {}

    def events(self, contract: str, event: str, since_deployment: bool = False) -> list[dict[str, Any]]:
        key = (contract, event, 0 if since_deployment else self.sim.start_block)
        if key not in self._events:
            self._events[key] = self.reader.events(self.contracts[contract], event, key[2])
        return self._events[key]

    def calls(self, contract: str, function: str, args_list: Iterable[tuple[Any, ...]]) -> list[Any]:
        return self.reader.call_many(self.contracts[contract], function, list(args_list))

    def balances(self, addresses: Iterable[str]) -> dict[str, int]:
        addresses = list(addresses)
        return dict(zip(addresses, (int(b) for b in self.calls("PaymentToken", "balanceOf", [(a,) for a in addresses]))))


def summed(items: Iterable[dict[str, Any]], key: str, amount: str | Callable[[dict[str, Any]], int]) -> dict[Any, int]:
    """Amounts of events (or records) summed per key."""
    totals: dict[Any, int] = defaultdict(int)
    for item in items:
        totals[item[key]] += int(item[amount]) if isinstance(amount, str) else amount(item)
    return totals


def invariant(name: str, pairs: dict[Any, tuple[int, int]], what: str, extra_ok: bool = True, note: str = "") -> Invariant:
    """An Invariant over items' (expected, actual) pairs; the detail names the differing items."""
    differing = [str(k) for k, (e, a) in pairs.items() if e != a]
    detail = f"{len(pairs)} {what}" + (f"; differ: {', '.join(differing[:3])}" if differing else "") + (f"; {note}" if note else "")
    return Invariant(name, sum(e for e, _ in pairs.values()), sum(a for _, a in pairs.values()),
                     not differing and extra_ok, detail)


def revenue_holders(sim: MarketSimulation) -> dict[int, list[str]]:
    """Shareholders (addresses) of each simulated project that has shares: a self-funded project's
    owner (unless cancelled), a finalized campaign's contributors."""
    contributors: dict[int, list[str]] = defaultdict(list)
    for c in sim.contributions:
        address = sim.user(c.investor).address
        if address not in contributors[c.campaign_id]:
            contributors[c.campaign_id].append(address)
    holders = {}
    for p in sim.projects:
        if p.state == "Cancelled" or p.campaign_failed:
            continue
        holders[p.project_id] = contributors[p.campaign_id] if p.financed else [sim.user(p.owner).address]
    return holders


def certificates_of(contracts: dict[str, Any], sim: MarketSimulation, facts: ChainFacts | None = None) -> list[dict[str, Any]]:
    """CertificateIssued events of the simulation's installations."""
    ours = {i.installation_id for i in sim.installed}
    issued = (facts or ChainFacts(contracts, sim)).events("GenerationCertificates", "CertificateIssued")
    return [c for c in issued if int(c["installationId"]) in ours]


def pesos_held(facts: ChainFacts) -> Invariant:
    holders = set(facts.known_accounts) | {str(c.address) for c in facts.contracts.values()}
    supply = int(facts.calls("PaymentToken", "totalSupply", [()])[0])
    held = sum(facts.balances(sorted(holders)).values())
    return Invariant("pesos minted = pesos held", supply, held, supply == held,
                     f"{len(holders)} known accounts and contracts")


def user_flows(facts: ChainFacts) -> Invariant:
    minted = summed(facts.events("PaymentToken", "PesosMinted"), "to", "amountClp")
    paid_in = [summed(facts.events("Crowdfunding", "Contributed"), "investor", "amountClp"),
               summed(facts.events("Projects", "ProjectFunded"), "payer", "amountClp"),
               summed(facts.events("EnergySales", "Deposited"), "offtaker", "amountClp")]
    paid_out = [summed(facts.events("Crowdfunding", "Refunded"), "investor", "amountClp"),
                summed(facts.events("Crowdfunding", "RevenueClaimed"), "account", "amountClp"),
                summed(facts.events("Projects", "Withdrawn"), "account", "amountClp"),
                summed(facts.events("EnergySales", "Withdrawn"), "offtaker", "amountClp"),
                summed(facts.events("EnergySales", "Claimed"), "beneficiary", "amountClp")]
    balances = facts.balances(u.address for u in facts.sim.users)
    pairs = {}
    for user in facts.sim.users:
        a = user.address
        before = facts.sim.opening_clp.get(user.name, 0)
        pairs[user.name] = (before + minted[a] - sum(f[a] for f in paid_in) + sum(f[a] for f in paid_out), balances[a])
    return invariant("users: balance = opening + minted - paid in + paid out", pairs, "users")


def campaign_views(facts: ChainFacts) -> tuple[dict[int, dict[str, Any]], dict[tuple[int, str], tuple[int, bool]]]:
    """Each simulated campaign's view, and (contributionOf, refunded) per (campaign, contributor)."""
    ids = [p.campaign_id for p in facts.sim.campaign_projects()]
    campaigns = dict(zip(ids, facts.calls("Crowdfunding", "campaign", [(c,) for c in ids])))
    keys = sorted({(c.campaign_id, facts.sim.user(c.investor).address) for c in facts.sim.contributions})
    amounts = facts.calls("Crowdfunding", "contributionOf", keys)
    refunded = facts.calls("Crowdfunding", "refunded", keys)
    return campaigns, {k: (int(a), bool(r)) for k, a, r in zip(keys, amounts, refunded)}


def campaign_held(campaign: dict[str, Any], positions: dict[tuple[int, str], tuple[int, bool]], campaign_id: int) -> int:
    """CLP Crowdfunding still holds for a campaign: everything raised while open, the unrefunded
    contributions once failed, nothing once finalized."""
    if int(campaign["state"]) == CAMPAIGN_FINALIZED:
        return 0
    unrefunded = sum(a for (c, _), (a, done) in positions.items() if c == campaign_id and not done)
    return unrefunded if int(campaign["state"]) == CAMPAIGN_FAILED else int(campaign["raisedClp"])


def campaign_balance(facts: ChainFacts) -> tuple[Invariant, Invariant]:
    campaigns, positions = campaign_views(facts)
    contributed = summed(({"c": c.campaign_id, "a": c.amount_clp} for c in facts.sim.contributions), "c", "a")
    refunded = summed(facts.events("Crowdfunding", "Refunded"), "campaignId", "amountClp")
    escrowed = summed(facts.events("Crowdfunding", "CampaignFinalized"), "campaignId", "amountClp")
    held = {c: campaign_held(v, positions, c) for c, v in campaigns.items()}
    pairs = {f"campaign {c}": (contributed[c], refunded[c] + escrowed[c] + held[c]) for c in campaigns}
    failed = [c for c, v in campaigns.items() if int(v["state"]) == CAMPAIGN_FAILED]
    refund_of = {(e["campaignId"], e["investor"]): int(e["amountClp"]) for e in facts.events("Crowdfunding", "Refunded")}
    exact = {f"campaign {c} {facts.sim.user(x.investor).name}": (x.amount_clp, refund_of.get((c, facts.sim.user(x.investor).address), 0))
             for c in failed for x in facts.sim.contributions if x.campaign_id == c}
    kept = sum(held[c] for c in failed)
    return (invariant("campaigns: contributed = refunded + escrowed + held", pairs, "campaigns"),
            invariant("failed campaigns: every contribution refunded", exact, f"contributions to {len(failed)} failed campaign(s)",
                      extra_ok=kept == 0, note=f"{clp(kept)} kept"))


def unreleased_escrow(project: dict[str, Any]) -> int:
    """What a project's state leaves in escrow: the total, less the provider once delivered and a
    self-funded installer once installed; nothing once commissioned, cancelled or unfunded."""
    state, total = int(project["state"]), int(project["totalClp"])
    provider = int(project["providerClp"]) if project["deliveryConfirmed"] else 0
    if state == PROJECT_FUNDED:
        return total - provider
    if state == PROJECT_INSTALLED:
        return total - provider - (0 if project["needsFinancing"] else int(project["installerClp"]))
    return 0


def escrow_balance(facts: ChainFacts) -> Invariant:
    def ev(name: str) -> list[dict[str, Any]]:
        return facts.events("Projects", name, since_deployment=True)

    count = int(facts.calls("Projects", "projectCount", [()])[0])
    projects = facts.calls("Projects", "project", [(p,) for p in range(1, count + 1)])
    payees = sorted({str(p[k]) for p in projects for k in ("owner", "provider", "installer", "manager")}
                    | {str(facts.calls("Projects", "treasury", [()])[0])})
    owed = sum(int(o) for o in facts.calls("Projects", "owedTo", [(a,) for a in payees]))
    held = facts.balances([facts.contracts["Projects"].address])[facts.contracts["Projects"].address] - owed
    funded = sum(int(e["amountClp"]) for e in ev("ProjectFunded"))
    paid = (sum(int(e["amountClp"]) for e in ev("DeliveryConfirmed") + ev("InstallationConfirmed"))
            + sum(int(e["managerClp"]) + int(e["installerClp"]) + int(e["feeClp"]) for e in ev("CommissioningConfirmed")))
    refunded = sum(int(e["refundClp"]) for e in ev("ProjectCancelled"))
    by_state = sum(unreleased_escrow(p) for p in projects)
    return Invariant("escrow: funded = paid out + refunded + held", funded, paid + refunded + held,
                     funded == paid + refunded + held and held == by_state,
                     f"{count} projects; {clp(paid)} paid, {clp(refunded)} refunded, {clp(held)} held"
                     + ("" if held == by_state else f", but the project states leave {clp(by_state)}"))


def fee_balance(facts: ChainFacts) -> Invariant:
    treasury = str(facts.calls("Projects", "treasury", [()])[0])
    charged = sum(int(e["feeClp"]) for e in facts.events("Projects", "CommissioningConfirmed", since_deployment=True))
    withdrawn = sum(int(e["amountClp"]) for e in facts.events("Projects", "Withdrawn", since_deployment=True)
                    if e["account"] == treasury)
    owed = int(facts.calls("Projects", "owedTo", [(treasury,)])[0])
    return Invariant("fees: charged = owed to + withdrawn by the treasury", charged, owed + withdrawn,
                     charged == owed + withdrawn, f"owed {clp(owed)}, withdrawn {clp(withdrawn)}")


def revenue_balance(facts: ChainFacts) -> Invariant:
    holders = revenue_holders(facts.sim)
    pairs_ids = [(p, h) for p, hs in holders.items() for h in hs]
    claimed = facts.calls("Crowdfunding", "claimedRevenue", pairs_ids)
    claimable = facts.calls("Crowdfunding", "claimableRevenue", pairs_ids)
    shares = facts.calls("Crowdfunding", "sharesOf", pairs_ids)
    ids = list(holders)
    deposited = dict(zip(ids, (int(d) for d in facts.calls("Crowdfunding", "revenueDeposited", [(p,) for p in ids]))))
    total_shares = dict(zip(ids, (int(s) for s in facts.calls("Crowdfunding", "totalShares", [(p,) for p in ids]))))
    paid = summed(({"p": p, "a": int(c) + int(a)} for (p, _), c, a in zip(pairs_ids, claimed, claimable)), "p", "a")
    held_shares = summed(({"p": p, "s": int(s)} for (p, _), s in zip(pairs_ids, shares)), "p", "s")
    dust = {p: deposited[p] - paid[p] for p in ids}
    bad = [p for p in ids if not 0 <= dust[p] < max(1, len(holders[p])) or held_shares[p] != total_shares[p]]
    return Invariant("revenue: deposited = claimed + claimable + dust", sum(deposited.values()), sum(paid.values()),
                     not bad, f"{len(ids)} projects, dust {clp(sum(dust.values()))}, each below its holder count"
                     + (f"; wrong: projects {', '.join(map(str, bad[:3]))}" if bad else ""))


def revenue_from_sales(facts: ChainFacts) -> Invariant:
    ids = [i.project_id for i in facts.sim.installed]
    deposited = facts.calls("Crowdfunding", "revenueDeposited", [(p,) for p in ids])
    settled = summed(facts.events("EnergySales", "Settled"), "projectId", "amountClp")
    pairs = {f"project {p}": (int(d), settled[p]) for p, d in zip(ids, deposited)}
    return invariant("revenue deposited = energy sales settled", pairs, "installed projects")


def energy_balance(facts: ChainFacts) -> Invariant:
    certified = summed(certificates_of(facts.contracts, facts.sim, facts), "installationId", "energyWh")
    settled = summed(facts.events("EnergySales", "Settled"), "installationId", "energyWh")
    pairs = {f"installation {i.installation_id}": (certified[i.installation_id], settled[i.installation_id])
             for i in facts.sim.installed}
    return invariant("Wh certified = Wh settled", pairs, "installations")


def check_invariants(contracts: dict[str, Any], sim: MarketSimulation, accounts: Iterable[Any] | None = None) -> list[Invariant]:
    """Every invariant of the module docstring, read from the chain now (at the journal's pinned
    block while a resumed live run replays). `accounts`: every account of the run (brownie's
    ``accounts`` by default, the LiveActors on a live network)."""
    facts = ChainFacts(contracts, sim, brownie_accounts if accounts is None else accounts)
    campaigns, failed = campaign_balance(facts)
    return [pesos_held(facts), user_flows(facts), campaigns, failed, escrow_balance(facts), fee_balance(facts),
            revenue_balance(facts), revenue_from_sales(facts), energy_balance(facts)]
