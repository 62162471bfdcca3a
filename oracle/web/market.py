"""Marketplace pages (no sign-in): open offers and demands, projects and their milestones, campaigns
and their progress, participants and their roles.

Everything is read once per block (``StateCache.per_block``: the background refresher reads it with
each new snapshot) at the snapshot's block, in batched view calls: ``ChainReader.all_items`` over
Marketplace.offer / demand, Projects.project and Crowdfunding.campaign; participants from the
ParticipantRegistered events and one batched ``participant(account)`` each; the milestones' dates
from the Projects events (one eth_getLogs per event kind and block range) and their blocks' times
(batched). A chain without the market contracts shows a page that says so.

The numeric codes (offer kinds, project and campaign states, role bits) come from
oracle/market_codes.py, the table the brownie scripts and the tests use too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from web3.exceptions import Web3Exception

from oracle.chain.manifest import Chain
from oracle.errors import ChainError
from oracle.market_codes import CAMPAIGN_OPEN, CAMPAIGN_STATE_NAMES, KIND_NAMES, PROJECT_CANCELLED, PROJECT_STATE_NAMES, ROLE_NAMES
from oracle.registry.reader import ChainReader, struct_as_dict
from oracle.web.public import cache_of
from oracle.web.render import render
from oracle.web.state import Snapshot, StateCache, block_times

MARKET_CONTRACTS = ("Marketplace", "Projects", "Crowdfunding", "ParticipantRegistry")

# Projects events, in lifecycle order: (event, milestone)
MILESTONE_EVENTS = (("ProjectCreated", "Matched"), ("ProjectFunded", "Funded"), ("DeliveryConfirmed", "Delivered"),
                    ("InstallationConfirmed", "Installed"), ("CommissioningConfirmed", "Commissioned"),
                    ("ProjectCancelled", "Cancelled"))


@dataclass(frozen=True)
class Offer:
    offer_id: int
    seller: str
    kind: str  # provider / installer / manager
    price_clp_per_kwp: int
    available_kwp: int
    created_at: int  # unix s UTC
    expires_at: int
    open: bool  # not withdrawn nor used up (expiry is separate: see MarketView.is_live)


@dataclass(frozen=True)
class Demand:
    demand_id: int
    owner: str
    size_kwp: int
    max_total_clp: int
    needs_financing: bool
    created_at: int
    expires_at: int
    open: bool


@dataclass(frozen=True)
class Milestone:
    name: str  # Matched, Funded, Delivered, Installed, Commissioned, Cancelled
    done_at: int | None  # unix s UTC of the block that reached it; None while ahead
    tx_hash: str | None


@dataclass(frozen=True)
class Project:
    project_id: int
    owner: str
    provider: str
    installer: str
    manager: str
    size_kwp: int
    provider_clp: int
    installer_clp: int
    manager_clp: int
    fee_clp: int
    total_clp: int
    state: str
    needs_financing: bool
    delivery_confirmed: bool
    campaign_id: int  # 0: none
    completion_deadline: int  # unix s UTC; 0 until funded
    milestones: tuple[Milestone, ...]

    @property
    def cancelled(self) -> bool:
        return self.state == PROJECT_STATE_NAMES[PROJECT_CANCELLED]


@dataclass(frozen=True)
class Campaign:
    campaign_id: int
    project_id: int
    owner: str
    goal_clp: int
    raised_clp: int
    min_contribution_clp: int
    deadline: int  # unix s UTC
    state: str  # open / finalized / failed / cancelled

    @property
    def progress_percent(self) -> int:
        """Raised over goal, 0..100 (rounded down: 100 only when the goal is met)."""
        return min(100, self.raised_clp * 100 // self.goal_clp) if self.goal_clp else 0


@dataclass(frozen=True)
class Participant:
    address: str
    roles: tuple[str, ...]  # role names, in bit order
    score: int
    rating_count: int
    registered_at: int  # unix s UTC


@dataclass(frozen=True)
class MarketView:
    """The marketplace at one block (empty with ``deployed`` False on a chain without it)."""

    deployed: bool
    block_number: int
    block_timestamp: int
    offers: tuple[Offer, ...] = ()
    demands: tuple[Demand, ...] = ()
    projects: dict[int, Project] | None = None
    campaigns: dict[int, Campaign] | None = None
    participants: tuple[Participant, ...] = ()
    platform_fee_bps: int = 0

    def is_live(self, item: Offer | Demand) -> bool:
        """Open and not expired at the block."""
        return item.open and item.expires_at > self.block_timestamp

    @property
    def open_offers(self) -> list[Offer]:
        return [o for o in self.offers if self.is_live(o)]

    @property
    def open_demands(self) -> list[Demand]:
        return [d for d in self.demands if self.is_live(d)]


def role_names(bits: int) -> tuple[str, ...]:
    return tuple(name for bit, name in sorted(ROLE_NAMES.items()) if bits & bit)


def read_market(chain: Chain, snapshot: Snapshot) -> MarketView:
    """The marketplace at the snapshot's block, in batched calls (ChainError when the node fails)."""
    if any(name not in chain.manifest.contracts for name in MARKET_CONTRACTS):
        return MarketView(False, snapshot.block_number, snapshot.block_timestamp)
    try:
        return _read_market(chain, snapshot)
    except OSError as exc:
        raise ChainError(f"cannot read the marketplace: {type(exc).__name__}") from None
    except Web3Exception as exc:
        raise ChainError(f"reading the marketplace failed: {type(exc).__name__}: {str(exc)[:200]}") from None


def _read_market(chain: Chain, snapshot: Snapshot) -> MarketView:
    reader = ChainReader(chain.web3, snapshot.block_number)
    marketplace, projects_contract = chain.contract("Marketplace"), chain.contract("Projects")
    crowdfunding, registry = chain.contract("Crowdfunding"), chain.contract("ParticipantRegistry")
    offers = tuple(Offer(int(o["id"]), str(o["seller"]), KIND_NAMES.get(int(o["kind"]), f"kind {int(o['kind'])}"),
                         int(o["priceClpPerKwp"]), int(o["availableKwp"]), int(o["createdAt"]), int(o["expiresAt"]),
                         bool(o["open"]))
                   for o in reader.all_items(marketplace, "offerCount", "offer"))
    demands = tuple(Demand(int(d["id"]), str(d["owner"]), int(d["sizeKwp"]), int(d["maxTotalClp"]),
                           bool(d["needsFinancing"]), int(d["createdAt"]), int(d["expiresAt"]), bool(d["open"]))
                    for d in reader.all_items(marketplace, "demandCount", "demand"))
    milestones = _milestones(chain, reader, projects_contract)
    projects = {}
    for p in reader.all_items(projects_contract, "projectCount", "project"):
        project_id = int(p["id"])
        state = int(p["state"])
        reached = milestones.get(project_id, {})
        names = [name for _, name in MILESTONE_EVENTS if name != "Cancelled" or state == PROJECT_CANCELLED]
        projects[project_id] = Project(
            project_id, str(p["owner"]), str(p["provider"]), str(p["installer"]), str(p["manager"]), int(p["sizeKwp"]),
            int(p["providerClp"]), int(p["installerClp"]), int(p["managerClp"]), int(p["feeClp"]), int(p["totalClp"]),
            PROJECT_STATE_NAMES[state] if state < len(PROJECT_STATE_NAMES) else f"state {state}",
            bool(p["needsFinancing"]), bool(p["deliveryConfirmed"]), int(p["campaignId"]), int(p["completionDeadline"]),
            tuple(Milestone(name, *reached.get(name, (None, None))) for name in names))
    campaigns = {
        campaign_id: Campaign(campaign_id, int(c["projectId"]), str(c["owner"]), int(c["goalClp"]), int(c["raisedClp"]),
                              int(c["minContributionClp"]), int(c["deadline"]),
                              CAMPAIGN_STATE_NAMES.get(int(c["state"]), f"state {int(c['state'])}"))
        for campaign_id, c in enumerate(reader.all_items(crowdfunding, "campaignCount", "campaign"), 1)}
    registry_first = chain.manifest.entry("ParticipantRegistry").block
    latest_roles: dict[str, int] = {}
    for event in reader.events(registry, "ParticipantRegistered", registry_first):
        latest_roles[str(event["account"])] = int(event["roles"])
    accounts = list(latest_roles)
    records = map(struct_as_dict, reader.call_many(registry, "participant", [(a,) for a in accounts]))
    participants = tuple(
        Participant(account, role_names(int(r["roles"])), int(r["score"]), int(r["ratingCount"]), int(r["registeredAt"]))
        for account, r in zip(accounts, records))
    return MarketView(True, snapshot.block_number, snapshot.block_timestamp, offers, demands, projects, campaigns,
                      participants, int(reader.call(marketplace, "platformFeeBps")))


def _milestones(chain: Chain, reader: ChainReader, projects_contract: Any) -> dict[int, dict[str, tuple[int, str]]]:
    """project id -> milestone -> (unix s UTC, transaction hash), from the Projects events."""
    first = chain.manifest.entry("Projects").block
    found: list[tuple[int, str, int, str]] = []  # project, milestone, block, tx
    for event_name, milestone in MILESTONE_EVENTS:
        for event in reader.events(projects_contract, event_name, first):
            found.append((int(event["projectId"]), milestone, int(event["blockNumber"]), str(event["transactionHash"])))
    times = block_times(chain, sorted({block for _, _, block, _ in found}))
    reached: dict[int, dict[str, tuple[int, str]]] = {}
    for project_id, milestone, block, tx in found:
        reached.setdefault(project_id, {}).setdefault(milestone, (times[block], tx))
    return reached


# -- pages ------------------------------------------------------------------------------------

MARKET_KEY = "market"


def register(cache: StateCache) -> None:
    """Read the market with every new snapshot (the app does it, so /market never waits for a read)."""
    cache.register(MARKET_KEY, read_market)


def market_of(request: Request) -> tuple[Snapshot, MarketView]:
    cache = cache_of(request)
    snapshot = cache.snapshot()
    return snapshot, cache.per_block(MARKET_KEY, read_market, snapshot)


def _id_param(request: Request, name: str) -> int:
    try:
        return int(request.path_params[name])
    except (KeyError, ValueError):
        raise HTTPException(404, f"{name.replace('_', ' ')} must be a number") from None


def _installations_by_project(snapshot: Snapshot) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for item in snapshot.ledger.installations:
        if item.project_id:
            found.setdefault(item.project_id, []).append(item.installation_id)
    return found


async def market_page(request: Request) -> Response:
    snapshot, market = market_of(request)
    projects = sorted((market.projects or {}).values(), key=lambda p: p.project_id)
    campaigns = sorted((market.campaigns or {}).values(), key=lambda c: c.campaign_id)
    return render(request, "market.html", {
        "snapshot": snapshot, "market": market, "projects": projects, "campaigns": campaigns,
        "installations": _installations_by_project(snapshot),
        "state_counts": {name: sum(1 for p in projects if p.state == name) for name in PROJECT_STATE_NAMES}})


async def project_page(request: Request) -> Response:
    snapshot, market = market_of(request)
    project_id = _id_param(request, "project_id")
    item = (market.projects or {}).get(project_id)
    if item is None:
        raise HTTPException(404, f"there is no marketplace project {project_id}: {len(market.projects or {})} exist")
    return render(request, "market_project.html", {
        "snapshot": snapshot, "market": market, "item": item, "campaign": (market.campaigns or {}).get(item.campaign_id),
        "installations": _installations_by_project(snapshot).get(project_id, [])})


async def campaign_page(request: Request) -> Response:
    snapshot, market = market_of(request)
    campaign_id = _id_param(request, "campaign_id")
    item = (market.campaigns or {}).get(campaign_id)
    if item is None:
        raise HTTPException(404, f"there is no crowdfunding campaign {campaign_id}: {len(market.campaigns or {})} exist")
    return render(request, "market_campaign.html", {
        "snapshot": snapshot, "market": market, "item": item, "project": (market.projects or {}).get(item.project_id)})


ROUTES = [
    Route("/market", market_page, name="market"),
    Route("/market/projects/{project_id}", project_page, name="market_project"),
    Route("/market/campaigns/{campaign_id}", campaign_page, name="market_campaign"),
]
