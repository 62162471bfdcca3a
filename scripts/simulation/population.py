"""The simulated market, planned in pure Python from a seed (no chain): how many users of each role,
their demands and offers (scripts/populate_market.market_spec), which campaigns fail and who
contributes what, which self-funded owner changes his mind, and where each roof is.

Roles follow the thesis's validation (about a hundred users building projects with and without
financing): 45 % owners (about one in three needing financing, at least two), 8 % each providers,
installers and managers (one offer each), the rest investors, plus one offtaker who buys the
energy. About one campaign in ten fails (at least one): its contributors put in 30 to 70 % of
the goal and get it back; the others are filled by two to five investors each.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Sequence

from scripts.market.population import MarketSpec, market_spec
from scripts.walkthroughs.sample_installations import SampleInstallation

OWNER_SHARE = 0.45
SELLER_SHARE_PER_KIND = 0.08
MIN_FINANCED_OWNERS = 2
MIN_USERS = 12
FAILED_CAMPAIGN_SHARE = 0.1
FAILED_RAISE_RANGE = (0.3, 0.7)  # share of the goal a failing campaign raises
CONTRIBUTORS_RANGE = (2, 5)  # investors per campaign
WEIGHT_RANGE = (1.0, 3.0)  # relative size of each contribution of a campaign


class SimulationError(Exception):
    """The simulation cannot run as asked; the message says what to change."""


@dataclass(frozen=True)
class Population:
    """How many users of each market role (one offtaker comes on top)."""

    owners: int
    offers_per_kind: int
    investors: int

    @property
    def users(self) -> int:
        return self.owners + 3 * self.offers_per_kind + self.investors


@dataclass(frozen=True)
class CrowdsalePlan:
    """Campaigns that will fail, and every contribution (campaign id, investor name, CLP) in order."""

    failing: frozenset[int]
    contributions: tuple[tuple[int, str, int], ...]

    def of_campaign(self, campaign_id: int) -> list[tuple[str, int]]:
        return [(investor, amount) for cid, investor, amount in self.contributions if cid == campaign_id]

    def owed_by(self) -> dict[str, int]:
        """CLP each investor needs for its contributions."""
        totals: dict[str, int] = {}
        for _, investor, amount in self.contributions:
            totals[investor] = totals.get(investor, 0) + amount
        return totals


def population(users: int) -> Population:
    """The role counts for `users` market participants (at least MIN_USERS)."""
    if users < MIN_USERS:
        raise SimulationError(f"a simulation needs at least {MIN_USERS} users, got {users}")
    owners = round(users * OWNER_SHARE)
    per_kind = max(1, round(users * SELLER_SHARE_PER_KIND))
    return Population(owners, per_kind, users - owners - 3 * per_kind)


def simulated_market(people: Population, seed: int) -> MarketSpec:
    """populate_market's seeded market for these owners and sellers, with at least
    MIN_FINANCED_OWNERS demands needing financing (so one campaign can fail and one succeed)."""
    spec = market_spec(people.owners, people.offers_per_kind, seed)
    demands = list(spec.demands)
    missing = MIN_FINANCED_OWNERS - sum(d.needs_financing for d in demands)
    for index, demand in enumerate(demands):
        if missing <= 0:
            break
        if not demand.needs_financing:
            demands[index] = dataclasses.replace(demand, needs_financing=True)
            missing -= 1
    return MarketSpec(tuple(demands), spec.offers)


def split(total_clp: int, parts: int, rng: random.Random) -> list[int]:
    """`total_clp` in `parts` random positive amounts that add up to it exactly."""
    weights = [rng.uniform(*WEIGHT_RANGE) for _ in range(parts)]
    amounts = [int(total_clp * w / sum(weights)) for w in weights[:-1]]
    return [*amounts, total_clp - sum(amounts)]


def plan_crowdsales(goals: Sequence[tuple[int, int]], investors: Sequence[str], rng: random.Random) -> CrowdsalePlan:
    """Which campaigns fail and who contributes what. `goals`: (campaign id, goal CLP) in id order.

    A failing campaign raises 30 to 70 % of its goal; the others exactly their goal."""
    if goals and len(investors) < CONTRIBUTORS_RANGE[0]:
        raise SimulationError(f"campaigns need at least {CONTRIBUTORS_RANGE[0]} investors, there are {len(investors)}")
    failing_count = max(1, round(len(goals) * FAILED_CAMPAIGN_SHARE)) if goals else 0
    if failing_count == len(goals) > 1:
        failing_count -= 1
    failing = frozenset(rng.sample([cid for cid, _ in goals], failing_count))
    contributions: list[tuple[int, str, int]] = []
    for campaign_id, goal_clp in goals:
        raised_clp = int(goal_clp * rng.uniform(*FAILED_RAISE_RANGE)) if campaign_id in failing else goal_clp
        count = rng.randint(CONTRIBUTORS_RANGE[0], min(CONTRIBUTORS_RANGE[1], len(investors)))
        chosen = rng.sample(list(investors), count)
        contributions.extend((campaign_id, name, amount) for name, amount in zip(chosen, split(raised_clp, count, rng)))
    return CrowdsalePlan(failing, tuple(contributions))


def owner_who_cancels(self_funded_project_ids: Sequence[int], rng: random.Random) -> int | None:
    """One self-funded project whose owner cancels after paying (changes his mind before delivery),
    when there are at least three self-funded projects; None otherwise."""
    return rng.choice(list(self_funded_project_ids)) if len(self_funded_project_ids) >= 3 else None


def roof_sites(project_ids: Sequence[int], samples: Sequence[SampleInstallation], rng: random.Random) -> dict[int, SampleInstallation]:
    """The sample town (region, commune, coordinates) of each project's roof."""
    return {project_id: rng.choice(list(samples)) for project_id in project_ids}


def user_name(role: str, number: int) -> str:
    """"owner-07": role and a 1-based number, two digits."""
    return f"{role}-{number:02d}"
