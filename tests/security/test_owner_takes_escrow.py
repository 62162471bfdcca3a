"""Finding 1 (high): an owner who holds (or controls) every role of his own financed project confirmed
his own milestones and withdrew the investors' money with nothing built.

Each attack test performs the attack on the suite wired as scripts/deploy.py wires it, asserts every
step the attacker can try reverts with its error, and that after the completion deadline the
investors get every peso back and the attacker none of it. Beside them: the honest financed path
(inspector, a real certificate through a signed round, commissioning, every party paid its price)
and the self-funded path.
"""

from __future__ import annotations

import brownie
from brownie import chain

from market_attack_helpers import (
    EVERY_ROLE,
    HONEST_PRICES,
    SIZE_KWP,
    err,
    certify_project,
    fill_campaign,
    post_demand,
    post_offers,
    register,
    run_matcher,
)
from oracle.market_codes import PROJECT_CANCELLED, PROJECT_COMMISSIONED, PROJECT_FUNDED, PROJECT_INSTALLED

CHEAPER = tuple(price - 1 for price in HONEST_PRICES)  # 1 CLP per kWp under the honest sellers


def _balances(token, holders):
    return {holder: int(token.balanceOf(holder)) for holder in holders}


def _attempt_everything_before_the_deadline(projects, project_id, actors):
    """Every confirmation, withdrawal and cancellation the attacker's addresses can try while Funded."""
    for actor in actors:
        with brownie.reverts(revert_pattern=err("ProjectsNotInspector")):
            projects.confirmDelivery(project_id, {"from": actor})
        with brownie.reverts(revert_pattern=err("ProjectsNotInspector")):
            projects.confirmInstallation(project_id, {"from": actor})
        with brownie.reverts(revert_pattern=err("ProjectsNothingToWithdraw")):
            projects.withdraw({"from": actor})
    manager = actors[-1]
    with brownie.reverts(revert_pattern=err("ProjectsWrongState")):
        projects.confirmCommissioning(project_id, {"from": manager})


def _past_the_deadline(projects, project_id):
    deadline = int(projects.project(project_id)["completionDeadline"])
    chain.sleep(deadline - chain.time() + 1)
    chain.mine()


def _refund_everyone(crowdfunding, campaign_id, paid):
    for investor, amount in paid.items():
        assert crowdfunding.refund(campaign_id, {"from": investor}).return_value == amount


def test_one_address_holding_every_role_cannot_take_the_investors_money(
    suite, operator, attacker, honest_sellers, honest_investors
):
    token, registry, marketplace = suite["PaymentToken"], suite["ParticipantRegistry"], suite["Marketplace"]
    projects, crowdfunding = suite["Projects"], suite["Crowdfunding"]
    register(registry, attacker, EVERY_ROLE)
    own_offers = post_offers(marketplace, registry, [attacker] * 3, CHEAPER)
    post_offers(marketplace, registry, honest_sellers, HONEST_PRICES)
    demand_id = post_demand(marketplace, registry, attacker, True)

    # The contract refuses the self-dealing match even at the right price...
    total = marketplace.quote(demand_id, *own_offers)[2]
    with brownie.reverts(revert_pattern=err("MarketplacePartiesNotDistinct")):
        marketplace.matchDemand(demand_id, *own_offers, total, {"from": operator})
    # ...and the operator's matcher skips the attacker's cheaper offers for the honest ones.
    plan, receipts = run_matcher(suite, operator)
    assert [m.demand_id for m in plan.matches] == [demand_id]
    project_id = receipts[0].events["DemandMatched"]["projectId"]
    _, owner, provider, installer, manager = projects.partiesOf(project_id)
    assert owner == attacker and [provider, installer, manager] == honest_sellers

    before = _balances(token, [attacker])
    paid = fill_campaign(suite, operator, project_id, honest_investors)
    assert projects.project(project_id)["state"] == PROJECT_FUNDED
    with brownie.reverts(revert_pattern=err("ProjectsNotInspector")):
        projects.confirmDelivery(project_id, {"from": attacker})
    with brownie.reverts(revert_pattern=err("ProjectsNotInspector")):
        projects.confirmInstallation(project_id, {"from": attacker})
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        projects.confirmCommissioning(project_id, {"from": attacker})
    with brownie.reverts(revert_pattern=err("ProjectsNothingToWithdraw")):
        projects.withdraw({"from": attacker})

    _past_the_deadline(projects, project_id)
    projects.cancel(project_id, {"from": attacker})
    assert projects.project(project_id)["state"] == PROJECT_CANCELLED
    _refund_everyone(crowdfunding, projects.project(project_id)["campaignId"], paid)
    assert _balances(token, [attacker]) == before
    assert token.balanceOf(projects) == 0


def test_four_colluding_addresses_matched_by_the_planner_cannot_take_the_investors_money(
    suite, operator, attacker, accomplices, honest_sellers, honest_investors
):
    token, registry, marketplace = suite["PaymentToken"], suite["ParticipantRegistry"], suite["Marketplace"]
    projects, crowdfunding = suite["Projects"], suite["Crowdfunding"]
    post_offers(marketplace, registry, honest_sellers, HONEST_PRICES)
    post_offers(marketplace, registry, accomplices, CHEAPER)
    demand_id = post_demand(marketplace, registry, attacker, True)

    plan, receipts = run_matcher(suite, operator)
    assert [m.demand_id for m in plan.matches] == [demand_id]
    project_id = receipts[0].events["DemandMatched"]["projectId"]
    _, owner, provider, installer, manager = projects.partiesOf(project_id)
    assert [owner, provider, installer, manager] == [attacker, *accomplices]
    assert projects.project(project_id)["totalClp"] == plan.matches[0].total_clp

    gang = [attacker, *accomplices]
    before = _balances(token, gang)
    paid = fill_campaign(suite, operator, project_id, honest_investors)
    assert sum(paid.values()) == plan.matches[0].total_clp
    _attempt_everything_before_the_deadline(projects, project_id, gang)
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        projects.cancel(project_id, {"from": accomplices[0]})

    _past_the_deadline(projects, project_id)
    with brownie.reverts(revert_pattern=err("ProjectsWrongState")):
        projects.confirmCommissioning(project_id, {"from": accomplices[2]})
    projects.cancel(project_id, {"from": accomplices[1]})
    campaign_id = projects.project(project_id)["campaignId"]
    _refund_everyone(crowdfunding, campaign_id, paid)
    for investor in honest_investors:
        assert token.balanceOf(investor) == paid[investor]
    assert _balances(token, gang) == before
    assert token.balanceOf(projects) == 0


def test_colluding_manager_cannot_commission_an_attested_project_without_certified_generation(
    suite, operator, attacker, accomplices, honest_sellers, honest_investors
):
    """Even if the inspector is fooled into attesting delivery and installation, the last tranche
    waits for certified generation; after the deadline the rest of the escrow is refunded."""
    token, registry, marketplace = suite["PaymentToken"], suite["ParticipantRegistry"], suite["Marketplace"]
    projects, crowdfunding = suite["Projects"], suite["Crowdfunding"]
    post_offers(marketplace, registry, accomplices, CHEAPER)
    demand_id = post_demand(marketplace, registry, attacker, True)
    project_id = run_matcher(suite, operator)[1][0].events["DemandMatched"]["projectId"]
    paid = fill_campaign(suite, operator, project_id, honest_investors)
    projects.confirmDelivery(project_id, {"from": operator})
    projects.confirmInstallation(project_id, {"from": operator})
    assert projects.owedTo(accomplices[1]) == 0  # the installer is paid at commissioning only
    with brownie.reverts(revert_pattern=err("ProjectsNoCertifiedGeneration")):
        projects.confirmCommissioning(project_id, {"from": accomplices[2]})
    _past_the_deadline(projects, project_id)
    with brownie.reverts(revert_pattern=err("ProjectsNoCertifiedGeneration")):
        projects.confirmCommissioning(project_id, {"from": accomplices[2]})
    projects.cancel(project_id, {"from": honest_investors[0]})
    provider_clp = CHEAPER[0] * SIZE_KWP
    refund_clp = sum(paid.values()) - provider_clp
    campaign_id = projects.project(project_id)["campaignId"]
    refunds = [crowdfunding.refund(campaign_id, {"from": inv}).return_value for inv in honest_investors]
    assert sum(refunds) == refund_clp
    assert projects.owedTo(accomplices[1]) == 0 and projects.owedTo(accomplices[2]) == 0
    assert projects.owedTo(operator) == 0  # no platform fee for a cancelled project
    assert demand_id > 0
    # the fooled inspection cost the investors the provider's price only; nothing else is left in escrow
    assert token.balanceOf(projects) == provider_clp
    assert token.balanceOf(accomplices[1]) == 0 and token.balanceOf(accomplices[2]) == 0


def test_honest_financed_project_is_paid_out_after_inspection_and_certified_generation(
    suite, operator, alice, honest_sellers, honest_investors
):
    token, registry, marketplace = suite["PaymentToken"], suite["ParticipantRegistry"], suite["Marketplace"]
    projects, crowdfunding = suite["Projects"], suite["Crowdfunding"]
    offer_ids = post_offers(marketplace, registry, honest_sellers, HONEST_PRICES)
    demand_id = post_demand(marketplace, registry, alice, True)
    plan, receipts = run_matcher(suite, operator)
    assert plan.matches[0].offer_ids == tuple(offer_ids)
    project_id = receipts[0].events["DemandMatched"]["projectId"]
    fill_campaign(suite, operator, project_id, honest_investors)
    provider, installer, manager = honest_sellers

    assert projects.confirmDelivery(project_id, {"from": operator}).events["DeliveryConfirmed"]["by"] == operator
    projects.confirmInstallation(project_id, {"from": operator})
    assert projects.project(project_id)["state"] == PROJECT_INSTALLED
    with brownie.reverts(revert_pattern=err("ProjectsNoCertifiedGeneration")):
        projects.confirmCommissioning(project_id, {"from": manager})

    installation_id = certify_project(suite, operator, project_id, alice)
    assert suite["InstallationRegistry"].installationOfProject(project_id) == (installation_id, True)
    _past_the_deadline(projects, project_id)
    with brownie.reverts(revert_pattern=err("ProjectsGenerationCertified")):
        projects.cancel(project_id, {"from": honest_investors[0]})
    tx = projects.confirmCommissioning(project_id, {"from": manager})
    assert projects.project(project_id)["state"] == PROJECT_COMMISSIONED
    assert tx.events["CommissioningConfirmed"]["installerClp"] == HONEST_PRICES[1] * SIZE_KWP

    fee_clp = plan.matches[0].quote.fee_clp
    treasury_before = token.balanceOf(operator)
    for seller, price in zip(honest_sellers, HONEST_PRICES):
        assert projects.withdraw({"from": seller}).return_value == price * SIZE_KWP
        assert token.balanceOf(seller) == price * SIZE_KWP
    assert projects.withdraw({"from": operator}).return_value == fee_clp
    assert token.balanceOf(operator) - treasury_before == fee_clp
    assert token.balanceOf(projects) == 0
    assert crowdfunding.acceptsRevenue(project_id)
    assert demand_id > 0


def test_self_funded_project_keeps_the_owners_confirmations(suite, operator, alice, honest_sellers):
    token, registry, marketplace = suite["PaymentToken"], suite["ParticipantRegistry"], suite["Marketplace"]
    projects = suite["Projects"]
    post_offers(marketplace, registry, honest_sellers, HONEST_PRICES)
    post_demand(marketplace, registry, alice, False)
    plan, receipts = run_matcher(suite, operator)
    project_id = receipts[0].events["DemandMatched"]["projectId"]
    total = plan.matches[0].total_clp
    token.mint(alice, total, {"from": operator})
    token.approve(projects, total, {"from": alice})
    projects.fund(project_id, {"from": alice})
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        projects.confirmDelivery(project_id, {"from": operator})
    projects.confirmDelivery(project_id, {"from": alice})
    assert projects.confirmInstallation(project_id, {"from": alice}).events["InstallationConfirmed"]["amountClp"] == (
        HONEST_PRICES[1] * SIZE_KWP
    )
    projects.confirmCommissioning(project_id, {"from": honest_sellers[2]})
    assert projects.project(project_id)["state"] == PROJECT_COMMISSIONED
    for seller, price in zip(honest_sellers, HONEST_PRICES):
        assert projects.withdraw({"from": seller}).return_value == price * SIZE_KWP
    assert projects.withdraw({"from": operator}).return_value == plan.matches[0].quote.fee_clp
    assert token.balanceOf(projects) == 0
