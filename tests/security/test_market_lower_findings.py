"""Finding 6, marketplace parts: a match binds the prices it was planned at; one width (uint64) for a
project's CLP amounts end to end; a cancelled project's shares earn nothing more; a project stuck in
Installed is resolved after the completion deadline; zero addresses refused by every constructor.
"""

from __future__ import annotations

import brownie
from brownie import Crowdfunding, Marketplace, ParticipantRegistry, PesoToken, Projects, chain

from market_attack_helpers import (
    HONEST_PRICES,
    SIZE_KWP,
    certify_project,
    err,
    fill_campaign,
    post_demand,
    post_offers,
    run_matcher,
)
from oracle.market_codes import PROJECT_COMMISSIONED
from scripts.market.book import read_book
from scripts.market.matcher import plan_matches, submit_plan

ZERO = "0x" + "00" * 20
MAX_CLP = 2**64 - 1


def _deadline_passes(projects, project_id):
    deadline = int(projects.project(project_id)["completionDeadline"])
    chain.sleep(deadline - chain.time() + 1)
    chain.mine()


def _self_funded(suite, operator, owner, honest_sellers):
    """A funded self-funded project of `owner`; its id."""
    token, projects = suite["PaymentToken"], suite["Projects"]
    post_offers(suite["Marketplace"], suite["ParticipantRegistry"], honest_sellers, HONEST_PRICES)
    post_demand(suite["Marketplace"], suite["ParticipantRegistry"], owner, False)
    plan, receipts = run_matcher(suite, operator)
    project_id = receipts[0].events["DemandMatched"]["projectId"]
    token.mint(owner, plan.matches[0].total_clp, {"from": operator})
    token.approve(projects, plan.matches[0].total_clp, {"from": owner})
    projects.fund(project_id, {"from": owner})
    return project_id


def _financed(suite, operator, owner, honest_sellers, investors):
    post_offers(suite["Marketplace"], suite["ParticipantRegistry"], honest_sellers, HONEST_PRICES)
    post_demand(suite["Marketplace"], suite["ParticipantRegistry"], owner, True)
    project_id = run_matcher(suite, operator)[1][0].events["DemandMatched"]["projectId"]
    return project_id, fill_campaign(suite, operator, project_id, investors)


# --- the match binds the planned total ----------------------------------------------------------


def test_provider_raising_its_price_after_the_plan_gets_no_match(suite, operator, alice, honest_sellers):
    marketplace, registry, token = suite["Marketplace"], suite["ParticipantRegistry"], suite["PaymentToken"]
    offer_ids = post_offers(marketplace, registry, honest_sellers, HONEST_PRICES)
    demand_id = post_demand(marketplace, registry, alice, False, max_total_clp=50_000_000)
    book = read_book(marketplace, registry)
    plan = plan_matches(book, now=book.read_at + 60)
    planned = plan.matches[0].total_clp
    marketplace.updateOffer(offer_ids[0], 1_500_000, 20, chain.time() + 30 * 86_400, {"from": honest_sellers[0]})
    with brownie.reverts(revert_pattern=err("MarketplaceTotalChanged")):
        submit_plan(marketplace, plan, operator, quiet=True)
    assert marketplace.demand(demand_id)["open"]
    assert suite["Projects"].projectCount() == 0
    assert token.balanceOf(honest_sellers[0]) == 0
    assert planned == SIZE_KWP * sum(HONEST_PRICES) * 10_200 // 10_000


def test_fee_raised_after_the_plan_gets_no_match(suite, operator, alice, honest_sellers):
    marketplace, registry = suite["Marketplace"], suite["ParticipantRegistry"]
    post_offers(marketplace, registry, honest_sellers, HONEST_PRICES)
    post_demand(marketplace, registry, alice, False)
    book = read_book(marketplace, registry)
    plan = plan_matches(book, now=book.read_at + 60)
    marketplace.setPlatformFeeBps(1_000, {"from": operator})
    with brownie.reverts(revert_pattern=err("MarketplaceTotalChanged")):
        submit_plan(marketplace, plan, operator, quiet=True)


def test_unchanged_book_matches_at_the_planned_total(suite, operator, alice, honest_sellers):
    post_offers(suite["Marketplace"], suite["ParticipantRegistry"], honest_sellers, HONEST_PRICES)
    post_demand(suite["Marketplace"], suite["ParticipantRegistry"], alice, False)
    plan, receipts = run_matcher(suite, operator)
    assert receipts[0].events["DemandMatched"]["totalClp"] == plan.matches[0].total_clp
    project_id = receipts[0].events["DemandMatched"]["projectId"]
    assert suite["Projects"].project(project_id)["totalClp"] == plan.matches[0].total_clp


# --- one width for project amounts --------------------------------------------------------------


def _terms(owner, honest_sellers, total_clp, needs_financing):
    provider_clp = total_clp // 2
    return (owner, *honest_sellers, SIZE_KWP, provider_clp, total_clp - provider_clp, 0, 0, needs_financing)


def test_project_total_just_above_uint64_is_refused(suite, operator, alice, honest_sellers):
    projects = suite["Projects"]
    projects.grantRole(projects.MARKETPLACE_ROLE(), operator, {"from": operator})
    for needs_financing in (True, False):
        with brownie.reverts(revert_pattern=err("ProjectsAmountTooLarge")):
            projects.createProject(_terms(alice, honest_sellers, MAX_CLP + 1, needs_financing), {"from": operator})
    assert projects.projectCount() == 0


def test_campaign_of_the_largest_project_total_can_be_finalized(suite, operator, alice, honest_sellers, honest_investors):
    projects, crowdfunding = suite["Projects"], suite["Crowdfunding"]
    projects.grantRole(projects.MARKETPLACE_ROLE(), operator, {"from": operator})
    project_id = projects.createProject(_terms(alice, honest_sellers, MAX_CLP, True), {"from": operator}).return_value
    paid = fill_campaign(suite, operator, project_id, honest_investors[:1])
    assert sum(paid.values()) == MAX_CLP
    assert crowdfunding.totalShares(project_id) == MAX_CLP
    assert projects.project(project_id)["state"] == 1


def test_marketplace_amounts_are_uint64(suite, alice):
    marketplace = suite["Marketplace"]
    types = {item["name"]: [i["type"] for i in item["inputs"]] for item in marketplace.abi if item.get("type") == "function"}
    assert types["postOffer"][1] == "uint64"
    assert types["postDemand"][1] == "uint64"
    assert types["matchDemand"] == ["uint256"] * 5


# --- a cancelled project's shares earn nothing more ---------------------------------------------


def test_refunded_investors_of_a_cancelled_financed_project_collect_no_revenue(
    suite, operator, alice, honest_sellers, honest_investors
):
    projects, crowdfunding, token = suite["Projects"], suite["Crowdfunding"], suite["PaymentToken"]
    project_id, paid = _financed(suite, operator, alice, honest_sellers, honest_investors)
    assert crowdfunding.acceptsRevenue(project_id)
    projects.cancel(project_id, {"from": alice})
    campaign_id = projects.project(project_id)["campaignId"]
    for investor, amount in paid.items():
        assert crowdfunding.refund(campaign_id, {"from": investor}).return_value == amount
    assert not crowdfunding.acceptsRevenue(project_id)
    token.mint(operator, 14_250, {"from": operator})
    token.approve(crowdfunding, 14_250, {"from": operator})
    with brownie.reverts(revert_pattern=err("CrowdfundingRevenueClosed")):
        crowdfunding.depositRevenue(project_id, 14_250, {"from": operator})
    for investor in honest_investors:
        with brownie.reverts(revert_pattern=err("CrowdfundingNothingToClaim")):
            crowdfunding.claimRevenue(project_id, {"from": investor})
        assert token.balanceOf(investor) == paid[investor]


def test_self_funded_project_cancelled_after_funding_earns_no_revenue(suite, operator, alice, honest_sellers):
    projects, crowdfunding, token = suite["Projects"], suite["Crowdfunding"], suite["PaymentToken"]
    project_id = _self_funded(suite, operator, alice, honest_sellers)
    assert crowdfunding.acceptsRevenue(project_id)
    tx = projects.cancel(project_id, {"from": alice})
    assert "RevenueClosed" in tx.events
    assert not crowdfunding.acceptsRevenue(project_id)
    token.mint(operator, 14_250, {"from": operator})
    token.approve(crowdfunding, 14_250, {"from": operator})
    with brownie.reverts(revert_pattern=err("CrowdfundingRevenueClosed")):
        crowdfunding.depositRevenue(project_id, 14_250, {"from": operator})
    total = projects.project(project_id)["totalClp"]
    assert projects.withdraw({"from": alice}).return_value == total
    with brownie.reverts(revert_pattern=err("CrowdfundingNothingToClaim")):
        crowdfunding.claimRevenue(project_id, {"from": alice})


def test_commissioned_project_keeps_earning_revenue(suite, operator, alice, honest_sellers):
    projects, crowdfunding, token = suite["Projects"], suite["Crowdfunding"], suite["PaymentToken"]
    project_id = _self_funded(suite, operator, alice, honest_sellers)
    projects.confirmDelivery(project_id, {"from": alice})
    projects.confirmInstallation(project_id, {"from": alice})
    projects.confirmCommissioning(project_id, {"from": honest_sellers[2]})
    token.mint(operator, 14_250, {"from": operator})
    token.approve(crowdfunding, 14_250, {"from": operator})
    crowdfunding.depositRevenue(project_id, 14_250, {"from": operator})
    assert crowdfunding.claimRevenue(project_id, {"from": alice}).return_value == 14_250


# --- a project stuck in Installed ----------------------------------------------------------------


def test_inspector_commissions_a_stuck_self_funded_project_after_the_deadline(suite, operator, alice, bob, honest_sellers):
    projects = suite["Projects"]
    project_id = _self_funded(suite, operator, alice, honest_sellers)
    projects.confirmDelivery(project_id, {"from": alice})
    projects.confirmInstallation(project_id, {"from": alice})
    with brownie.reverts(revert_pattern=err("ProjectsBeforeCompletionDeadline")):
        projects.confirmCommissioning(project_id, {"from": operator})
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        projects.confirmCommissioning(project_id, {"from": bob})
    _deadline_passes(projects, project_id)
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        projects.confirmCommissioning(project_id, {"from": bob})
    tx = projects.confirmCommissioning(project_id, {"from": operator})
    assert tx.events["CommissioningConfirmed"]["by"] == operator
    assert projects.project(project_id)["state"] == PROJECT_COMMISSIONED
    assert projects.withdraw({"from": honest_sellers[2]}).return_value == HONEST_PRICES[2] * SIZE_KWP


def test_inspector_who_is_a_party_cannot_stand_in_for_the_manager(suite, operator, alice, honest_sellers):
    projects = suite["Projects"]
    projects.grantRole(projects.INSPECTOR_ROLE(), honest_sellers[1], {"from": operator})
    project_id = _self_funded(suite, operator, alice, honest_sellers)
    projects.confirmDelivery(project_id, {"from": alice})
    projects.confirmInstallation(project_id, {"from": alice})
    _deadline_passes(projects, project_id)
    with brownie.reverts(revert_pattern=err("ProjectsInspectorIsParty")):
        projects.confirmCommissioning(project_id, {"from": honest_sellers[1]})


def test_inspector_who_is_a_party_cannot_attest_a_financed_project(suite, operator, alice, honest_sellers, honest_investors):
    projects = suite["Projects"]
    projects.grantRole(projects.INSPECTOR_ROLE(), honest_sellers[0], {"from": operator})
    project_id, _ = _financed(suite, operator, alice, honest_sellers, honest_investors)
    with brownie.reverts(revert_pattern=err("ProjectsInspectorIsParty")):
        projects.confirmDelivery(project_id, {"from": honest_sellers[0]})


def test_stuck_financed_project_with_certified_generation_is_commissioned_by_the_inspector(
    suite, operator, alice, honest_sellers, honest_investors
):
    projects = suite["Projects"]
    project_id, _ = _financed(suite, operator, alice, honest_sellers, honest_investors)
    projects.confirmDelivery(project_id, {"from": operator})
    projects.confirmInstallation(project_id, {"from": operator})
    _deadline_passes(projects, project_id)
    with brownie.reverts(revert_pattern=err("ProjectsNoCertifiedGeneration")):
        projects.confirmCommissioning(project_id, {"from": operator})
    certify_project(suite, operator, project_id, alice)
    projects.confirmCommissioning(project_id, {"from": operator})
    assert projects.project(project_id)["state"] == PROJECT_COMMISSIONED
    for seller, price in zip(honest_sellers, HONEST_PRICES):
        assert projects.withdraw({"from": seller}).return_value == price * SIZE_KWP


# --- zero addresses in constructors ---------------------------------------------------------------


def test_projects_constructor_refuses_zero_addresses_and_a_zero_period(operator, token):
    for args in ((ZERO, token, operator, 1), (operator, ZERO, operator, 1), (operator, token, ZERO, 1)):
        with brownie.reverts(revert_pattern=err("ProjectsZeroAddress")):
            Projects.deploy(*args, {"from": operator})
    with brownie.reverts(revert_pattern=err("ProjectsZeroCompletionPeriod")):
        Projects.deploy(operator, token, operator, 0, {"from": operator})


def test_crowdfunding_constructor_refuses_zero_addresses(operator, token, suite):
    projects = suite["Projects"]
    for args in ((ZERO, token, projects), (operator, ZERO, projects), (operator, token, ZERO)):
        with brownie.reverts(revert_pattern=err("CrowdfundingZeroAddress")):
            Crowdfunding.deploy(*args, 86_400, 1_000, {"from": operator})


def test_marketplace_constructor_refuses_zero_addresses(operator, suite):
    registry, projects = suite["ParticipantRegistry"], suite["Projects"]
    for args in ((ZERO, registry, projects), (operator, ZERO, projects), (operator, registry, ZERO)):
        with brownie.reverts(revert_pattern=err("MarketplaceZeroAddress")):
            Marketplace.deploy(*args, 200, {"from": operator})


def test_participant_registry_constructor_refuses_a_zero_admin(operator):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryZeroAddress")):
        ParticipantRegistry.deploy(ZERO, {"from": operator})


def test_peso_token_constructor_refuses_a_zero_admin(operator):
    with brownie.reverts(revert_pattern=err("PesoTokenZeroAddress")):
        PesoToken.deploy(ZERO, {"from": operator})
