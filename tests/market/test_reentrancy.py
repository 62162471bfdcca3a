"""Reentrancy attacks with a malicious ERC-20 (contracts/test/ReentrantToken.sol) against every function
that pays out: Projects.withdraw, Projects.cancel, Crowdfunding.finalize, refund and claimRevenue.

The token calls the attacker whenever the victim contract sends tokens; the attacker then re-enters the
victim. Each test checks the re-entry was attempted, was refused by the reentrancy guard, and that the
attacker got exactly what it was owed, once."""

import pytest
from brownie import ReentrancyAttacker, ReentrantToken, chain
from web3 import Web3

from market_helpers import PRICES, SIZE_KWP, later, match_demand
from oracle.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER, ROLE_OWNER, ROLE_PROVIDER

GUARD_SELECTOR = Web3.keccak(text="ReentrancyGuardReentrantCall()")[:4].hex().removeprefix("0x")


@pytest.fixture(scope="module")
def token(operator):
    """Overrides the peso token: the whole market of this module runs on the malicious token."""
    return ReentrantToken.deploy({"from": operator})


@pytest.fixture(scope="module")
def attacker(operator):
    return ReentrancyAttacker.deploy({"from": operator})


def act(attacker, contract, fn_name, *args):
    """The attacker contract calls contract.fn_name(*args)."""
    data = getattr(contract, fn_name).encode_input(*args)
    return attacker.execute(contract, data, {"from": attacker.tx.sender})


def arm(attacker, contract, fn_name, *args):
    attacker.arm(contract, getattr(contract, fn_name).encode_input(*args), {"from": attacker.tx.sender})


def assert_reentry_refused(attacker):
    assert attacker.attempted()
    assert not attacker.reentrySucceeded()
    assert attacker.reentryError().hex().removeprefix("0x").startswith(GUARD_SELECTOR)


def _fund_attacker(token, crowdfunding, attacker, operator, amount):
    token.mint(attacker, amount, {"from": operator})
    act(attacker, token, "approve", crowdfunding, amount)


def test_withdraw_cannot_be_reentered(token, attacker, participant_registry, marketplace, projects, operator, registered,
                                      post_demand, fund_owner, total):
    act(attacker, participant_registry, "register", ROLE_PROVIDER, "ipfs://evil")
    act(attacker, marketplace, "postOffer", KIND_PROVIDER, PRICES[KIND_PROVIDER], 10, later())
    installer_offer = marketplace.postOffer(KIND_INSTALLER, PRICES[KIND_INSTALLER], 10, later(),
                                            {"from": registered.installer}).return_value
    manager_offer = marketplace.postOffer(KIND_MANAGER, PRICES[KIND_MANAGER], 10, later(),
                                          {"from": registered.manager}).return_value
    project_id = match_demand(marketplace, post_demand(False), [1, installer_offer, manager_offer], operator).return_value
    fund_owner(total)
    projects.fund(project_id, {"from": registered.owner})
    projects.confirmDelivery(project_id, {"from": registered.owner})
    owed = PRICES[KIND_PROVIDER] * SIZE_KWP
    token.setHook(projects, attacker, {"from": operator})
    arm(attacker, projects, "withdraw")
    act(attacker, projects, "withdraw")
    assert_reentry_refused(attacker)
    assert token.balanceOf(attacker) == owed
    assert projects.owedTo(attacker) == 0
    assert token.balanceOf(projects) == total - owed


def test_cancel_cannot_be_reentered(token, attacker, participant_registry, marketplace, projects, crowdfunding, operator,
                                    post_offers, fund_investors, investors, total):
    act(attacker, participant_registry, "register", ROLE_OWNER, "ipfs://evil")
    demand_id = marketplace.demandCount() + 1
    act(attacker, marketplace, "postDemand", SIZE_KWP, 10_000_000, True, later())
    project_id = match_demand(marketplace, demand_id, post_offers(), operator).return_value
    campaign_id = projects.project(project_id)["campaignId"]
    fund_investors(total)
    crowdfunding.contribute(campaign_id, total, {"from": investors[0]})
    crowdfunding.finalize(campaign_id, {"from": investors[0]})
    token.setHook(projects, attacker, {"from": operator})
    arm(attacker, projects, "cancel", project_id)
    act(attacker, projects, "cancel", project_id)
    assert_reentry_refused(attacker)
    assert token.balanceOf(crowdfunding) == total
    assert token.balanceOf(projects) == 0
    assert crowdfunding.refund(campaign_id, {"from": investors[0]}).return_value == total


def test_finalize_cannot_be_reentered(token, attacker, projects, crowdfunding, operator, make_project, fund_investors,
                                      investors, total):
    project_id = make_project(True)
    campaign_id = projects.project(project_id)["campaignId"]
    fund_investors(total)
    crowdfunding.contribute(campaign_id, total, {"from": investors[0]})
    token.setHook(crowdfunding, attacker, {"from": operator})
    arm(attacker, crowdfunding, "finalize", campaign_id)
    crowdfunding.finalize(campaign_id, {"from": investors[1]})
    assert_reentry_refused(attacker)
    assert token.balanceOf(projects) == total
    assert projects.project(project_id)["state"] == 1


def test_refund_cannot_be_reentered(token, attacker, projects, crowdfunding, operator, make_project, fund_investors,
                                    investors):
    project_id = make_project(True)
    campaign_id = projects.project(project_id)["campaignId"]
    _fund_attacker(token, crowdfunding, attacker, operator, 50_000)
    fund_investors(1_000_000)
    act(attacker, crowdfunding, "contribute", campaign_id, 50_000)
    crowdfunding.contribute(campaign_id, 70_000, {"from": investors[0]})
    chain.sleep(crowdfunding.campaign(campaign_id)["deadline"] - chain[-1].timestamp + 1)
    chain.mine()
    token.setHook(crowdfunding, attacker, {"from": operator})
    arm(attacker, crowdfunding, "refund", campaign_id)
    act(attacker, crowdfunding, "refund", campaign_id)
    assert_reentry_refused(attacker)
    assert token.balanceOf(attacker) == 50_000
    assert token.balanceOf(crowdfunding) == 70_000


def test_claim_revenue_cannot_be_reentered(token, attacker, projects, crowdfunding, operator, make_project,
                                           fund_investors, investors, total):
    project_id = make_project(True)
    campaign_id = projects.project(project_id)["campaignId"]
    stake = total // 2
    _fund_attacker(token, crowdfunding, attacker, operator, stake)
    fund_investors(total)
    act(attacker, crowdfunding, "contribute", campaign_id, stake)
    crowdfunding.contribute(campaign_id, total, {"from": investors[0]})
    crowdfunding.finalize(campaign_id, {"from": investors[0]})
    token.mint(operator, 1_000_000, {"from": operator})
    token.approve(crowdfunding, 1_000_000, {"from": operator})
    crowdfunding.depositRevenue(project_id, 1_000_000, {"from": operator})
    token.setHook(crowdfunding, attacker, {"from": operator})
    arm(attacker, crowdfunding, "claimRevenue", project_id)
    act(attacker, crowdfunding, "claimRevenue", project_id)
    assert_reentry_refused(attacker)
    assert token.balanceOf(attacker) == stake * 1_000_000 // total
    assert crowdfunding.claimableRevenue(project_id, attacker) == 0


def test_claim_cannot_reenter_refund_across_functions(token, attacker, projects, crowdfunding, operator, make_project,
                                                      fund_investors, investors, total):
    """The guard is shared: re-entering another paying function of the same contract is refused too."""
    project_id = make_project(True)
    campaign_id = projects.project(project_id)["campaignId"]
    _fund_attacker(token, crowdfunding, attacker, operator, total)
    act(attacker, crowdfunding, "contribute", campaign_id, total)
    crowdfunding.finalize(campaign_id, {"from": operator})
    token.mint(operator, 1_000, {"from": operator})
    token.approve(crowdfunding, 1_000, {"from": operator})
    crowdfunding.depositRevenue(project_id, 1_000, {"from": operator})
    token.setHook(crowdfunding, attacker, {"from": operator})
    arm(attacker, crowdfunding, "refund", campaign_id)
    act(attacker, crowdfunding, "claimRevenue", project_id)
    assert_reentry_refused(attacker)
    assert token.balanceOf(attacker) == 1_000
