"""Market fixtures: the four contracts deployed and wired by scripts/deployment/market.py, named
participants, and helpers that build a market state (registered parties, offers, a demand, a project).

Only fixtures live here; constants and plain helpers are in market_helpers.py."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from market_helpers import PRICES, SIZE_KWP, later, match_demand, total_for
from oracle.market_codes import (
    KIND_INSTALLER,
    KIND_MANAGER,
    KIND_PROVIDER,
    ROLE_INSTALLER,
    ROLE_INVESTOR,
    ROLE_MANAGER,
    ROLE_OWNER,
    ROLE_PROVIDER,
)
from scripts.deployment.market import deploy_market


@pytest.fixture(scope="module")
def market(operator, token):
    return deploy_market(operator, {"PaymentToken": token})


@pytest.fixture(scope="module")
def participant_registry(market):
    return market["ParticipantRegistry"]


@pytest.fixture(scope="module")
def marketplace(market):
    return market["Marketplace"]


@pytest.fixture(scope="module")
def projects(market):
    return market["Projects"]


@pytest.fixture(scope="module")
def crowdfunding(market):
    return market["Crowdfunding"]


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def provider(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def installer(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def manager(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def investors(accounts):
    return [accounts[2], accounts[3], accounts[7], accounts[8]]


@pytest.fixture(scope="module")
def fee_bps(marketplace):
    return marketplace.platformFeeBps()


@pytest.fixture(scope="module")
def total(fee_bps):
    return total_for(SIZE_KWP, list(PRICES.values()), fee_bps)


@dataclass
class Parties:
    owner: object
    provider: object
    installer: object
    manager: object


@pytest.fixture(scope="module")
def registered(participant_registry, owner, provider, installer, manager, investors):
    """Owner, provider, installer, manager and the investors registered for their roles."""
    participant_registry.register(ROLE_OWNER, "ipfs://owner", {"from": owner})
    participant_registry.register(ROLE_PROVIDER, "ipfs://provider", {"from": provider})
    participant_registry.register(ROLE_INSTALLER, "ipfs://installer", {"from": installer})
    participant_registry.register(ROLE_MANAGER, "ipfs://manager", {"from": manager})
    for investor in investors:
        participant_registry.register(ROLE_INVESTOR, "ipfs://investor", {"from": investor})
    return Parties(owner, provider, installer, manager)


@pytest.fixture(scope="module")
def post_offers(marketplace, registered):
    """post_offers(capacity_kwp=10, prices=PRICES) -> [providerOfferId, installerOfferId, managerOfferId]."""

    def post(capacity_kwp: int = 10, prices: dict[int, int] | None = None, expires_at: int | None = None) -> list[int]:
        prices = prices or PRICES
        sellers = {KIND_PROVIDER: registered.provider, KIND_INSTALLER: registered.installer, KIND_MANAGER: registered.manager}
        ids = []
        for kind in (KIND_PROVIDER, KIND_INSTALLER, KIND_MANAGER):
            tx = marketplace.postOffer(kind, prices[kind], capacity_kwp, expires_at or later(), {"from": sellers[kind]})
            ids.append(tx.return_value)
        return ids

    return post


@pytest.fixture(scope="module")
def post_demand(marketplace, registered):
    """post_demand(needs_financing, size_kwp=SIZE_KWP, max_total_clp=10M) -> demandId."""

    def post(needs_financing: bool = False, size_kwp: int = SIZE_KWP, max_total_clp: int = 10_000_000,
             expires_at: int | None = None) -> int:
        tx = marketplace.postDemand(size_kwp, max_total_clp, needs_financing, expires_at or later(), {"from": registered.owner})
        return tx.return_value

    return post


@pytest.fixture(scope="module")
def make_project(marketplace, operator, post_offers, post_demand):
    """make_project(needs_financing) -> projectId, matched by the operator (MATCHER_ROLE)."""

    def make(needs_financing: bool = False) -> int:
        offer_ids = post_offers()
        demand_id = post_demand(needs_financing)
        return match_demand(marketplace, demand_id, offer_ids, operator).return_value

    return make


@pytest.fixture(scope="module")
def fund_owner(token, operator, owner, projects):
    """Mint the owner enough pesos and approve Projects for them."""

    def fund(amount: int) -> None:
        token.mint(owner, amount, {"from": operator})
        token.approve(projects, amount, {"from": owner})

    return fund


@pytest.fixture(scope="module")
def fund_investors(token, operator, investors, crowdfunding):
    """Every investor gets `amount` pesos approved for Crowdfunding."""

    def fund(amount: int = 100_000_000) -> None:
        for investor in investors:
            token.mint(investor, amount, {"from": operator})
            token.approve(crowdfunding, amount, {"from": investor})

    return fund
