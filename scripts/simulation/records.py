"""What the simulation creates and measures, as frozen records (amounts in whole CLP, energy in Wh,
times in unix seconds UTC). Users are named by role and number ("owner-07"); addresses are kept for
the chain reads, never printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, TypeVar

from scripts.walkthroughs.energy import ProjectRoof

K = TypeVar("K")

OWNER, PROVIDER, INSTALLER, MANAGER, INVESTOR, OFFTAKER = "owner", "provider", "installer", "manager", "investor", "offtaker"
ROLES = (OWNER, PROVIDER, INSTALLER, MANAGER, INVESTOR, OFFTAKER)


def frozen_mapping(items: Mapping[K, int] | None = None) -> Mapping[K, int]:
    """A read-only copy of `items` (for the mappings inside frozen records)."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class SimUser:
    """One simulated participant: `name` ("investor-12"), its role and its account's address.
    needs_financing is set for owners only (True: the owner's demand asks for a crowdfunding)."""

    name: str
    role: str
    address: str
    needs_financing: bool = False


@dataclass(frozen=True)
class SimProject:
    """A matched project. state: Projects' state name at the end of the market phase ("Installed",
    "Matched" for a project whose campaign failed, "Cancelled"); campaign_id 0 when self-funded."""

    project_id: int
    demand_id: int
    owner: str
    size_kwp: int
    total_clp: int
    fee_clp: int
    financed: bool
    campaign_id: int
    state: str
    campaign_failed: bool = False


@dataclass(frozen=True)
class Contribution:
    """CLP `investor` contributed to campaign `campaign_id` (accepted by the contract)."""

    campaign_id: int
    investor: str
    amount_clp: int


@dataclass(frozen=True)
class Refund:
    """CLP `investor` got back from failed campaign `campaign_id`."""

    campaign_id: int
    investor: str
    amount_clp: int


@dataclass(frozen=True)
class MarketSimulation:
    """Everything the market phase did, for the second phase, the invariants and the summary.

    opening_clp: each user's pesos before the simulation (a seed used before on the same chain gives
    the same accounts back); minted_clp: pesos minted to each user by name; funded_clp: what each self-funded project's owner
    paid into escrow, by project id; withdrawn_clp: what each user withdrew from Projects (milestone
    payments, a cancelled project's refund). start_block: the first block of the simulation (the
    invariants read events from it on); commissioned_at: the installations' commissioning date."""

    seed: int
    users: tuple[SimUser, ...]
    projects: tuple[SimProject, ...]
    installed: tuple[ProjectRoof, ...]  # the installed projects' roofs, registered as installations
    offers_posted: int
    demands_posted: int
    unmatched_demands: int
    contributions: tuple[Contribution, ...]
    refunds: tuple[Refund, ...]
    opening_clp: Mapping[str, int]
    minted_clp: Mapping[str, int]
    funded_clp: Mapping[int, int]
    withdrawn_clp: Mapping[str, int]
    tariff_clp_per_kwh: int
    commissioned_at: int
    start_block: int
    elapsed_s: float

    def by_role(self, role: str) -> tuple[SimUser, ...]:
        return tuple(u for u in self.users if u.role == role)

    def user(self, name: str) -> SimUser:
        for candidate in self.users:
            if candidate.name == name:
                return candidate
        raise KeyError(f"no simulated user {name!r}")

    @property
    def offtaker(self) -> SimUser:
        return self.by_role(OFFTAKER)[0]

    def campaign_projects(self) -> tuple[SimProject, ...]:
        return tuple(p for p in self.projects if p.financed)


@dataclass(frozen=True)
class Invariant:
    """One checked property: `expected` and `actual` are the totals compared (CLP or Wh, see the
    name); ok is False when any item (campaign, project, installation, user) differs."""

    name: str
    expected: int
    actual: int
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class SimulationOutcome:
    """The second phase: commissioning, energy sales, withdrawals and claims, and the invariants.

    settled_here: certificates this phase settled (the rest were settled before it, e.g. by the
    energy walkthrough); certified_wh / settled_wh / revenue_clp: totals over the simulation's
    installations; claimed_clp: revenue claimed by investors and self-funding owners in this phase."""

    commissioned: tuple[int, ...]
    waiting: tuple[int, ...]
    certificates: int
    settled_here: int
    certified_wh: int
    settled_wh: int
    revenue_clp: int
    claimed_clp: int
    offtaker_minted_clp: int
    withdrawn_clp: Mapping[str, int] = field(default_factory=frozen_mapping)
    invariants: tuple[Invariant, ...] = ()
    elapsed_s: float = 0.0

    @property
    def all_ok(self) -> bool:
        return all(i.ok for i in self.invariants)
