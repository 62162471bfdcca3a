"""Helpers for the marketplace findings of issue 9 (not fixtures): posting a book, matching it with
scripts/match.py as the operator runs it, funding a campaign, and certifying an installation's
generation through a real signed round (oracle/merkle.py + oracle/signing.py), as
scripts/walkthroughs/energy.py does.

Named apart from tests/market/market_helpers.py: pytest keeps one sys.modules entry per module name.
"""

from __future__ import annotations

from typing import Any, Sequence

from brownie import chain

from oracle.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER
from oracle.timeutil import utc_year
from generation_helpers import DAY_S, YEAR_2026_START, day_leaf, installation_params
from scripts.market.book import read_book
from oracle.market_codes import ROLE_INSTALLER, ROLE_INVESTOR, ROLE_MANAGER, ROLE_OWNER, ROLE_PROVIDER
from scripts.market.matcher import plan_matches, submit_plan
from security_energy import issue, publish

SIZE_KWP = 5
HONEST_PRICES = (600_000, 300_000, 100_000)  # provider, installer, manager, CLP per kWp
KINDS = (KIND_PROVIDER, KIND_INSTALLER, KIND_MANAGER)
SELLER_ROLES = (ROLE_PROVIDER, ROLE_INSTALLER, ROLE_MANAGER)
EVERY_ROLE = ROLE_OWNER | ROLE_PROVIDER | ROLE_INSTALLER | ROLE_MANAGER | ROLE_INVESTOR


def err(name: str) -> str:
    """revert_pattern of a custom error as brownie decodes it ("Name: args")."""
    return rf"{name}:.*"


def later(seconds: int = 60 * DAY_S) -> int:
    return chain[-1].timestamp + seconds


def register(registry: Any, account: Any, roles: int) -> None:
    if registry.rolesOf(account) & roles != roles:
        registry.register(roles, "ipfs://party", {"from": account})


def post_offers(marketplace: Any, registry: Any, sellers: Sequence[Any], prices: Sequence[int],
                capacity_kwp: int = 20) -> list[int]:
    """One offer per kind (provider, installer, manager) from `sellers` at `prices`; their ids."""
    ids = []
    for kind, role, seller, price in zip(KINDS, SELLER_ROLES, sellers, prices):
        register(registry, seller, role)
        ids.append(marketplace.postOffer(kind, price, capacity_kwp, later(), {"from": seller}).return_value)
    return ids


def post_demand(marketplace: Any, registry: Any, owner: Any, needs_financing: bool,
                max_total_clp: int = 10_000_000, size_kwp: int = SIZE_KWP) -> int:
    register(registry, owner, ROLE_OWNER)
    return marketplace.postDemand(size_kwp, max_total_clp, needs_financing, later(), {"from": owner}).return_value


def run_matcher(suite: dict, operator: Any):
    """What the operator's cron job does: read the book, plan (scripts/match.py), submit. (plan, receipts)."""
    book = read_book(suite["Marketplace"], suite["ParticipantRegistry"])
    plan = plan_matches(book, now=book.read_at + 60)
    return plan, submit_plan(suite["Marketplace"], plan, operator, quiet=True)


def fill_campaign(suite: dict, operator: Any, project_id: int, investors: Sequence[Any]) -> dict[Any, int]:
    """`investors` fill the project's campaign in (nearly) equal parts and it is finalized; their contributions."""
    token, crowdfunding, projects = suite["PaymentToken"], suite["Crowdfunding"], suite["Projects"]
    campaign_id = projects.project(project_id)["campaignId"]
    goal = int(crowdfunding.campaign(campaign_id)["goalClp"])
    part = goal // len(investors)
    paid: dict[Any, int] = {}
    for i, investor in enumerate(investors):
        amount = goal - part * (len(investors) - 1) if i == 0 else part
        token.mint(investor, amount, {"from": operator})
        token.approve(crowdfunding, amount, {"from": investor})
        crowdfunding.contribute(campaign_id, amount, {"from": investor})
        paid[investor] = amount
    crowdfunding.finalize(campaign_id, {"from": operator})
    return paid


def register_installation(suite: dict, operator: Any, project_id: int, beneficiary: Any,
                          commissioned_at: int) -> int:
    """The registrar (operator) registers the project's plant, linked to the project; its id."""
    params = installation_params(beneficiary, project_id, f"BL-P{project_id}", commissioned_at)
    return suite["InstallationRegistry"].registerInstallation(params, {"from": operator}).return_value


def certify_day(suite: dict, operator: Any, installation_id: int, day_start_s: int) -> int:
    """A real certificate of one day of `installation_id` from `day_start_s` (UTC midnight): the
    leaf of 96 synthetic readings, a round signed (EIP-712, through the node) by the operator, the
    local deployment's oracle signer, submitted, and the leaf issued with its Merkle proof. Token id."""
    registry = suite["InstallationRegistry"]
    year = utc_year(day_start_s)
    if registry.emissionFactor(year)[0] == 0:
        registry.setEmissionFactor(year, 350, "test factor", {"from": operator})
    leaf = day_leaf(installation_id, (day_start_s - YEAR_2026_START) // DAY_S)
    signed = publish(suite, operator, [leaf], operator)
    return issue(suite, signed, leaf, operator).events["CertificateIssued"]["tokenId"]


def certify_project(suite: dict, operator: Any, project_id: int, beneficiary: Any) -> int:
    """Register the project's installation (commissioned at the start of yesterday, UTC) and certify
    yesterday's generation, its first leaf (leaves start at the watermark); the installation id
    (installationOfProject then reports certified)."""
    yesterday = (chain.time() // DAY_S - 1) * DAY_S
    installation_id = register_installation(suite, operator, project_id, beneficiary, yesterday)
    certify_day(suite, operator, installation_id, yesterday)
    return installation_id
