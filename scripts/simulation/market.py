"""The market phase of the simulation (``simulate_market``), one function per step, on the suite
as scripts/deploy.py wires it: accounts[0] is the operator (matcher, inspector, registrar, tariff
role, treasury and the peso token's minter). It creates and funds accounts and mints pesos. On a
local chain it moves the clock past the campaigns' deadline; on a live network (``live_campaign_s``,
accounts a scripts/common/live.py LiveActors) the operator sets short campaign terms before the
matching, the simulation waits in real time for the deadline, and the terms are set back after.

Steps: create and fund the users' accounts (seeded keys, populate_market.funded_accounts); each
registers its role; sellers post one offer each, owners one demand each; the matcher
(scripts/market/book.py read_book and scripts/market/matcher.py plan_matches, over the simulation's own offers and demands)
plans the projects and its matchDemand calls are sent in plan order; self-funded owners pay into
escrow (one of them cancels and takes the escrow back); investors contribute, full campaigns are
finalized, the clock passes the deadline (scripts/market/crowdsale.py travel_past_deadline, or
wait_past_deadline on a live network) and every contributor of a failed campaign takes a refund;
delivery and installation are confirmed (the
owner for a self-funded project, the platform's inspector for a financed one) and the sellers
withdraw what they are owed; each installed roof is registered as an installation linked to its
project, with the offtaker's accepted terms at the demo tariff.

Each step sends its transactions in batches (scripts/simulation/batch.py), not one brownie
transaction at a time: match.submit_plan and crowdsale.contribute_from / refund_failed send the
same calls one by one, which takes minutes for ~650 transactions on this machine. On a live
network batch.py sends them one by one through the journal, and the users' keys are derived from
the deployer's (LiveActors.funded), not from the public seed.

Times the simulation computes (offers' expiry, the roofs' commissioning) are read from the block
reads go to (scripts/common/paging.py read_block_timestamp), so a resumed live run computes the
same ones.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from oracle.market_codes import (
    KIND_INSTALLER,
    KIND_MANAGER,
    KIND_PROVIDER,
    PROJECT_INSTALLED,
    PROJECT_STATE_NAMES,
    ROLE_INVESTOR,
    ROLE_OF_KIND,
    ROLE_OWNER,
)
from oracle.timeutil import DAY_S
from scripts.common.live import LiveActors
from scripts.market.crowdsale import campaign_by_id, travel_past_deadline, wait_past_deadline
from scripts.walkthroughs.energy import DEMO_DAYS, TARIFF_CLP_PER_KWH, ProjectRoof
from scripts.common.paging import read_block_number, read_block_timestamp
from scripts.market.book import Book, read_book
from scripts.market.matcher import DEFAULT_EXPIRY_MARGIN_S, plan_matches
from scripts.market.population import DEFAULT_SEED, LIFETIME_S, MarketSpec, funded_accounts
from scripts.walkthroughs.sample_installations import load_sample_installations
from scripts.simulation.batch import Tx, send_all
from scripts.simulation.population import (
    CrowdsalePlan,
    SimulationError,
    owner_who_cancels,
    plan_crowdsales,
    population,
    roof_sites,
    simulated_market,
    user_name,
)
from scripts.simulation.reads import call_many, events_of
from scripts.simulation.records import (
    INSTALLER,
    INVESTOR,
    MANAGER,
    OFFTAKER,
    OWNER,
    PROVIDER,
    Contribution,
    MarketSimulation,
    Refund,
    SimProject,
    SimUser,
    frozen_mapping,
)

ROLE_OF_SELLER_KIND = {KIND_PROVIDER: PROVIDER, KIND_INSTALLER: INSTALLER, KIND_MANAGER: MANAGER}
KEY_LABEL = "simulation"  # funded_accounts derives keys from (seed, label, n): not populate_market's
# Gas money per user on a live network: about 1M gas at 10 gwei (a user sends at most ~6 transactions
# of ~100k gas); the offtaker gets it once more per owner (it accepts each roof's terms and pays for
# and settles its certificates, one transaction each).
LIVE_USER_FUNDING_WEI = 10**16


@dataclass
class Cast:
    """The users and their brownie accounts, by name."""

    users: list[SimUser]
    accounts: dict[str, Any]
    spec: MarketSpec

    def named(self, role: str) -> list[SimUser]:
        return [u for u in self.users if u.role == role]

    def name_of(self, address: str) -> str:
        return next(u.name for u in self.users if u.address == str(address))


@dataclass
class Flows:
    """The pesos moved by the simulation, filled in as it goes."""

    minted: dict[str, int] = field(default_factory=dict)
    funded: dict[int, int] = field(default_factory=dict)
    withdrawn: dict[str, int] = field(default_factory=dict)
    contributions: list[Contribution] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)

    def add(self, book: dict[Any, int], key: Any, amount_clp: int) -> None:
        book[key] = book.get(key, 0) + amount_clp


def user_accounts(accounts: Any, count: int, seed: int, label: str, live_funding_wei: int) -> list[Any]:
    """`count` accounts for the users `label`: on a local chain funded_accounts' (keys from the seed,
    10 ether each); on a live network (LiveActors) keys derived from the deployer's, topped up to
    `live_funding_wei` by the deployer (journaled transfers)."""
    if isinstance(accounts, LiveActors):
        return [accounts.funded(f"{label} {seed} {n}", live_funding_wei) for n in range(count)]
    return funded_accounts(accounts, count, seed, label)


def create_cast(accounts: Any, seed: int, users: int) -> Cast:
    """Accounts for every user (seeded keys with gas money, see user_accounts) and the offtaker."""
    people = population(users)
    spec = simulated_market(people, seed)
    cast = Cast([], {}, spec)

    def enrol(role: str, flags: Sequence[bool], live_funding_wei: int = LIVE_USER_FUNDING_WEI) -> None:
        label = f"{KEY_LABEL} {role}"
        for number, (account, flag) in enumerate(
            zip(user_accounts(accounts, len(flags), seed, label, live_funding_wei), flags), start=1
        ):
            cast.users.append(SimUser(user_name(role, number), role, account.address, flag))
            cast.accounts[cast.users[-1].name] = account

    enrol(OWNER, [d.needs_financing for d in spec.demands])
    for kind, role in ROLE_OF_SELLER_KIND.items():
        enrol(role, [False] * sum(o.kind == kind for o in spec.offers))
    enrol(INVESTOR, [False] * people.investors)
    enrol(OFFTAKER, [False], LIVE_USER_FUNDING_WEI * (1 + people.owners))
    return cast


def register_cast(registry: Any, cast: Cast) -> None:
    """Every market participant registers its role (the offtaker is not a market role)."""
    roles = {OWNER: ROLE_OWNER, INVESTOR: ROLE_INVESTOR, **{r: ROLE_OF_KIND[k] for k, r in ROLE_OF_SELLER_KIND.items()}}
    send_all([Tx(cast.accounts[u.name], registry.register, (roles[u.role], f"ipfs://pv-ledger/simulation/{u.name}"))
              for u in cast.users if u.role in roles])


def post_book(marketplace: Any, cast: Cast) -> tuple[list[int], list[int]]:
    """Each seller posts its offer, each owner its demand, in the spec's order (the matcher takes
    demands first come, first served, so the ids must follow it); returns (offer ids, demand ids)."""
    expires_at = read_block_timestamp() + LIFETIME_S
    sellers = {role: iter(cast.named(role)) for role in ROLE_OF_SELLER_KIND.values()}
    offers = [Tx(cast.accounts[next(sellers[ROLE_OF_SELLER_KIND[o.kind]]).name], marketplace.postOffer,
                 (o.kind, o.price_clp_per_kwp, o.capacity_kwp, expires_at)) for o in cast.spec.offers]
    demands = [Tx(cast.accounts[owner.name], marketplace.postDemand,
                  (d.size_kwp, d.max_total_clp, d.needs_financing, expires_at))
               for owner, d in zip(cast.named(OWNER), cast.spec.demands)]
    receipts = send_all([*offers, *demands], ordered=True)
    return ([int(e["offerId"]) for e in events_of(marketplace, "OfferPosted", receipts)],
            [int(e["demandId"]) for e in events_of(marketplace, "DemandPosted", receipts)])


def match_book(contracts: dict[str, Any], matcher: Any, offer_ids: list[int], demand_ids: list[int]) -> tuple[dict[int, int], int]:
    """The matcher over the simulation's part of the book (other offers and demands on the chain
    are left alone). Returns ({demand id: project id}, demands left unmatched)."""
    book = read_book(contracts["Marketplace"], contracts["ParticipantRegistry"])
    ours = Book(tuple(o for o in book.offers if o.id in set(offer_ids)),
                tuple(d for d in book.demands if d.id in set(demand_ids)),
                book.reputation, book.platform_fee_bps, book.read_at)
    plan = plan_matches(ours, now=ours.read_at + DEFAULT_EXPIRY_MARGIN_S)
    marketplace = contracts["Marketplace"]
    receipts = send_all([Tx(matcher, marketplace.matchDemand, (m.demand_id, *m.offer_ids, m.total_clp))
                         for m in plan.matches], ordered=True)
    matched = {int(e["demandId"]): int(e["projectId"]) for e in events_of(marketplace, "DemandMatched", receipts)}
    return matched, len(plan.unmatched)


def mint(token: Any, minter: Any, cast: Cast, flows: Flows, amounts_clp: dict[str, int]) -> None:
    """Mint each user (by name) its amount, in one batch."""
    send_all([Tx(minter, token.mint, (cast.accounts[name], amount)) for name, amount in amounts_clp.items()])
    for name, amount in amounts_clp.items():
        flows.add(flows.minted, name, amount)


def fund_self_funded(contracts: dict[str, Any], minter: Any, cast: Cast, flows: Flows,
                     views: dict[int, Any], project_ids: list[int]) -> None:
    """Each self-funded owner gets his project's total minted and pays it into escrow."""
    token, projects = contracts["PaymentToken"], contracts["Projects"]
    owners = {p: cast.name_of(views[p]["owner"]) for p in project_ids}
    mint(token, minter, cast, flows, {owners[p]: int(views[p]["totalClp"]) for p in project_ids})
    send_all([tx for p in project_ids for tx in (Tx(cast.accounts[owners[p]], token.approve, (projects, views[p]["totalClp"])),
                                                Tx(cast.accounts[owners[p]], projects.fund, (p,)))])
    for p in project_ids:
        flows.add(flows.funded, p, int(views[p]["totalClp"]))


def set_campaign_terms(crowdfunding: Any, operator: Any, duration_s: int) -> tuple[int, int]:
    """The operator gives new campaigns `duration_s` (the minimum contribution unchanged); returns
    the terms before, (duration s, minimum contribution CLP), to set back with restore_campaign_terms."""
    before = int(crowdfunding.campaignDurationS()), int(crowdfunding.minContributionClp())
    if duration_s < 1:
        raise SimulationError(f"campaigns must last at least 1 s, got {duration_s}")
    crowdfunding.setCampaignTerms(duration_s, before[1], {"from": operator}, silent=True)
    return before


def restore_campaign_terms(crowdfunding: Any, operator: Any, terms: tuple[int, int]) -> None:
    crowdfunding.setCampaignTerms(*terms, {"from": operator}, silent=True)


def check_campaigns_open(crowdfunding: Any, campaign_ids: Sequence[int]) -> None:
    """Live networks: every campaign must still be open to contributions (its deadline ahead of the
    block reads go to, so a resumed run checks what the stopped one saw) when the investors start;
    SimulationError naming the first that is not."""
    now = read_block_timestamp()
    for campaign_id in campaign_ids:
        deadline = campaign_by_id(crowdfunding, campaign_id).deadline
        if deadline <= now:
            raise SimulationError(f"campaign {campaign_id}'s deadline passed {now - deadline} s before its investors "
                                  "could contribute: give the simulation's campaigns longer (a longer campaign "
                                  "duration) and start a fresh run")


def run_crowdsales(contracts: dict[str, Any], operator: Any, cast: Cast, flows: Flows, plan: CrowdsalePlan,
                   campaign_ids: list[int], live: bool = False) -> None:
    """Investors get their contributions minted, approve them and contribute; full campaigns are
    finalized; the clock passes the deadline (`live`: the simulation waits for it), so the others fail."""
    token, crowdfunding = contracts["PaymentToken"], contracts["Crowdfunding"]
    if live:
        check_campaigns_open(crowdfunding, campaign_ids)
    owed = dict(sorted(plan.owed_by().items()))
    mint(token, operator, cast, flows, owed)
    receipts = send_all([*(Tx(cast.accounts[name], token.approve, (crowdfunding, amount)) for name, amount in owed.items()),
                         *(Tx(cast.accounts[name], crowdfunding.contribute, (c, amount)) for c, name, amount in plan.contributions)])
    flows.contributions.extend(Contribution(int(e["campaignId"]), cast.name_of(e["investor"]), int(e["amountClp"]))
                               for e in events_of(crowdfunding, "Contributed", receipts))
    send_all([Tx(operator, crowdfunding.finalize, (c,)) for c in campaign_ids if c not in plan.failing])
    if plan.failing:
        (wait_past_deadline if live else travel_past_deadline)(crowdfunding, max(plan.failing))


def refund_failed_campaigns(crowdfunding: Any, cast: Cast, flows: Flows, plan: CrowdsalePlan) -> None:
    """Each contributor of a failed campaign takes its refund."""
    receipts = send_all([Tx(cast.accounts[name], crowdfunding.refund, (c,))
                         for c, name, _ in plan.contributions if c in plan.failing])
    flows.refunds.extend(Refund(int(e["campaignId"]), cast.name_of(e["investor"]), int(e["amountClp"]))
                         for e in events_of(crowdfunding, "Refunded", receipts))


def withdraw_owed(projects: Any, cast: Cast, flows: Flows, names: Sequence[str]) -> None:
    """Each of `names` withdraws what Projects owes it, if anything."""
    owed = dict(zip(names, (int(v) for v in call_many(projects, "owedTo", [(cast.accounts[n].address,) for n in names]))))
    send_all([Tx(cast.accounts[name], projects.withdraw) for name, amount in owed.items() if amount])
    for name, amount in owed.items():
        if amount:
            flows.add(flows.withdrawn, name, amount)


def cancel_self_funded(projects: Any, cast: Cast, flows: Flows, owner: str, project_id: int) -> None:
    """The owner cancels his funded project before delivery and withdraws the whole escrow."""
    send_all([Tx(cast.accounts[owner], projects.cancel, (project_id,))])
    withdraw_owed(projects, cast, flows, [owner])


def build(projects: Any, inspector: Any, cast: Cast, views: dict[int, Any], project_ids: list[int]) -> None:
    """Delivery and installation of each funded project, attested by its owner (self-funded) or
    by the platform's inspector (financed: the investors' money)."""
    txs = []
    for project_id in project_ids:
        project = views[project_id]
        attester = inspector if project["needsFinancing"] else cast.accounts[cast.name_of(project["owner"])]
        txs += [Tx(attester, projects.confirmDelivery, (project_id,)), Tx(attester, projects.confirmInstallation, (project_id,))]
    send_all(txs)


def register_roofs(contracts: dict[str, Any], operator: Any, cast: Cast, views: dict[int, Any], project_ids: list[int],
                   commissioned_at: int, rng: random.Random) -> list[ProjectRoof]:
    """Each installed project's roof becomes an installation (beneficiary: its owner) in a sample
    town, and the offtaker accepts terms at the tariff from its commissioning on."""
    registry, sales = contracts["InstallationRegistry"], contracts["EnergySales"]
    offtaker = cast.accounts[cast.named(OFFTAKER)[0].name]
    sites = roof_sites(project_ids, load_sample_installations(), rng)
    owners = {p: str(views[p]["owner"]) for p in project_ids}
    capacity_w = {p: int(views[p]["sizeKwp"]) * 1000 for p in project_ids}
    receipts = send_all([Tx(operator, registry.registerInstallation, (
        (owners[p], capacity_w[p], round(sites[p].lat * 1e6), round(sites[p].lon * 1e6), int(sites[p].commune_code),
         commissioned_at, p, "PV rooftop, monocrystalline", "blue'Log X-1000", f"SIM-{p:05d}", "PV Ledger marketplace"),
    )) for p in project_ids])
    installation_of = {int(e["projectId"]): int(e["installationId"]) for e in events_of(registry, "InstallationRegistered", receipts)}
    terms = (TARIFF_CLP_PER_KWH, commissioned_at)
    send_all([Tx(operator, sales.proposeTerms, (installation_of[p], offtaker, *terms)) for p in project_ids])
    send_all([Tx(offtaker, sales.acceptTerms, (installation_of[p], *terms)) for p in project_ids])
    installed = [ProjectRoof(installation_of[p], p, f"{cast.name_of(owners[p])}'s roof, {sites[p].commune}",
                             capacity_w[p], sites[p].lat, sites[p].lon, sites[p].region) for p in project_ids]
    return installed


def project_records(projects: Any, matched: dict[int, int], failing_campaigns: frozenset[int], cast: Cast) -> tuple[SimProject, ...]:
    records = []
    ordered = sorted(matched.items(), key=lambda item: item[1])
    for (demand_id, project_id), p in zip(ordered, call_many(projects, "project", [(p,) for _, p in ordered])):
        records.append(SimProject(project_id, demand_id, cast.name_of(p["owner"]), int(p["sizeKwp"]), int(p["totalClp"]),
                                  int(p["feeClp"]), bool(p["needsFinancing"]), int(p["campaignId"]),
                                  PROJECT_STATE_NAMES[int(p["state"])], int(p["campaignId"]) in failing_campaigns))
    return tuple(records)


def simulate_market(contracts: dict[str, Any], accounts: Any, seed: int = DEFAULT_SEED, users: int = 100,
                    history_days: int = DEMO_DAYS, live_campaign_s: int | None = None) -> MarketSimulation:
    """Run the market phase (see the module docstring) on deployed contracts (manifest names).

    Args:
        contracts: the suite by manifest name (scripts/deploy.py contracts_from_manifest).
        accounts: brownie's ``accounts`` (accounts[0] the operator; the users' accounts are added).
        seed: the same seed gives the same market, campaigns and roofs.
        users: market participants (owners, providers, installers, managers, investors), at least 12.
        history_days: the installations are commissioned at midnight UTC this many days before the
            chain's clock after the campaigns, so that many days of generation can be certified.
        live_campaign_s: None on a local chain (the clock is moved past the campaigns' deadline); on a
            live network the campaigns' duration in seconds: long enough for the matching, the
            self-funded payments and every contribution, since the simulation then waits that long.
    """
    started, start_block = time.perf_counter(), read_block_number() + 1
    operator, rng, flows = accounts[0], random.Random(f"pv-ledger simulation {seed}"), Flows()
    projects = contracts["Projects"]
    cast = create_cast(accounts, seed, users)
    opening = call_many(contracts["PaymentToken"], "balanceOf", [(u.address,) for u in cast.users])
    register_cast(contracts["ParticipantRegistry"], cast)
    offer_ids, demand_ids = post_book(contracts["Marketplace"], cast)
    live = live_campaign_s is not None
    terms_before = set_campaign_terms(contracts["Crowdfunding"], operator, live_campaign_s) if live else None
    matched, unmatched = match_book(contracts, operator, offer_ids, demand_ids)
    ids = sorted(matched.values())
    views = dict(zip(ids, call_many(projects, "project", [(p,) for p in ids])))
    self_funded = [p for p, view in views.items() if not view["needsFinancing"]]
    goals = [(int(view["campaignId"]), int(view["totalClp"])) for view in views.values() if view["needsFinancing"]]
    fund_self_funded(contracts, operator, cast, flows, views, self_funded)
    plan = plan_crowdsales(goals, [u.name for u in cast.named(INVESTOR)], rng)
    run_crowdsales(contracts, operator, cast, flows, plan, [c for c, _ in goals], live)
    if terms_before is not None:
        restore_campaign_terms(contracts["Crowdfunding"], operator, terms_before)
    refund_failed_campaigns(contracts["Crowdfunding"], cast, flows, plan)
    cancelled = owner_who_cancels(self_funded, rng)
    if cancelled is not None:
        cancel_self_funded(projects, cast, flows, cast.name_of(views[cancelled]["owner"]), cancelled)
    funded = [p for p, view in views.items() if p != cancelled and int(view["campaignId"]) not in plan.failing]
    build(projects, operator, cast, views, funded)
    withdraw_owed(projects, cast, flows, [u.name for u in cast.users if u.role in (PROVIDER, INSTALLER)])
    commissioned_at = (read_block_timestamp() // DAY_S - history_days) * DAY_S
    states = dict(zip(funded, (int(v["state"]) for v in call_many(projects, "project", [(p,) for p in funded]))))
    installed_ids = [p for p in funded if states[p] == PROJECT_INSTALLED]
    installed = register_roofs(contracts, operator, cast, views, installed_ids, commissioned_at, rng)
    return MarketSimulation(
        seed=seed, users=tuple(cast.users), projects=project_records(projects, matched, plan.failing, cast),
        installed=tuple(installed), offers_posted=len(offer_ids), demands_posted=len(demand_ids),
        unmatched_demands=unmatched, contributions=tuple(flows.contributions), refunds=tuple(flows.refunds),
        opening_clp=frozen_mapping({u.name: int(b) for u, b in zip(cast.users, opening)}),
        minted_clp=frozen_mapping(flows.minted), funded_clp=frozen_mapping(flows.funded),
        withdrawn_clp=frozen_mapping(flows.withdrawn), tariff_clp_per_kwh=TARIFF_CLP_PER_KWH,
        commissioned_at=commissioned_at, start_block=start_block, elapsed_s=time.perf_counter() - started,
    )

