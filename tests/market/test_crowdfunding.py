"""Crowdfunding: campaigns (contribute, finalize, refund), shares, revenue accumulator, access control."""

import brownie
import pytest
from brownie import Crowdfunding, chain

from market_helpers import DAY, UNAUTHORIZED, err, ints
from oracle.market_codes import CAMPAIGN_CANCELLED, CAMPAIGN_FAILED, CAMPAIGN_FINALIZED, CAMPAIGN_OPEN


@pytest.fixture
def campaign(make_project, projects, fund_investors):
    """(projectId, campaignId) of a freshly matched financed project; investors hold 100M pesos each."""
    project_id = make_project(True)
    fund_investors()
    return project_id, projects.project(project_id)["campaignId"]


def _expire(campaign_id, crowdfunding):
    chain.sleep(crowdfunding.campaign(campaign_id)["deadline"] - chain[-1].timestamp + 1)
    chain.mine()


@pytest.fixture
def finalized(campaign, crowdfunding, investors, total):
    """Campaign met by investors 0 (1/4) and 1 (3/4 + rounding) and finalized."""
    project_id, campaign_id = campaign
    crowdfunding.contribute(campaign_id, total // 4, {"from": investors[0]})
    crowdfunding.contribute(campaign_id, total, {"from": investors[1]})
    crowdfunding.finalize(campaign_id, {"from": investors[0]})
    return project_id, campaign_id


# --- contribute ----------------------------------------------------------------------------------

def test_contribute_pulls_tokens_and_records_contribution(crowdfunding, token, campaign, investors):
    _, campaign_id = campaign
    tx = crowdfunding.contribute(campaign_id, 50_000, {"from": investors[0]})
    assert crowdfunding.contributionOf(campaign_id, investors[0]) == 50_000
    assert crowdfunding.campaign(campaign_id)["raisedClp"] == 50_000
    assert token.balanceOf(crowdfunding) == 50_000
    ev = tx.events["Contributed"]
    assert ev["campaignId"] == campaign_id
    assert ev["investor"] == investors[0]
    assert ev["amountClp"] == 50_000
    assert ev["raisedClp"] == 50_000


def test_contribute_is_capped_at_what_is_missing(crowdfunding, token, campaign, investors, total):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, total - 10_000, {"from": investors[0]})
    before = token.balanceOf(investors[1])
    tx = crowdfunding.contribute(campaign_id, 1_000_000, {"from": investors[1]})
    assert tx.events["Contributed"]["amountClp"] == 10_000
    assert before - token.balanceOf(investors[1]) == 10_000
    assert crowdfunding.campaign(campaign_id)["raisedClp"] == total


def test_contribute_below_minimum_reverts(crowdfunding, campaign, investors):
    _, campaign_id = campaign
    minimum = crowdfunding.campaign(campaign_id)["minContributionClp"]
    with brownie.reverts(revert_pattern=rf"CrowdfundingBelowMinimum: {campaign_id}, {minimum - 1}, {minimum}"):
        crowdfunding.contribute(campaign_id, minimum - 1, {"from": investors[0]})


def test_last_contribution_below_minimum_allowed_when_it_completes_goal(crowdfunding, campaign, investors, total):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, total - 5, {"from": investors[0]})
    crowdfunding.contribute(campaign_id, 5, {"from": investors[1]})
    assert crowdfunding.campaign(campaign_id)["raisedClp"] == total


def test_contribute_zero_reverts(crowdfunding, campaign, investors):
    with brownie.reverts(revert_pattern=err("CrowdfundingZeroAmount")):
        crowdfunding.contribute(campaign[1], 0, {"from": investors[0]})


def test_contribute_after_goal_met_reverts(crowdfunding, campaign, investors, total):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, total, {"from": investors[0]})
    with brownie.reverts(revert_pattern=err("CrowdfundingGoalAlreadyMet")):
        crowdfunding.contribute(campaign_id, 1_000, {"from": investors[1]})


def test_contribute_after_deadline_reverts(crowdfunding, campaign, investors):
    _, campaign_id = campaign
    _expire(campaign_id, crowdfunding)
    with brownie.reverts(revert_pattern=err("CrowdfundingDeadlinePassed")):
        crowdfunding.contribute(campaign_id, 10_000, {"from": investors[0]})


def test_contribute_to_finalized_campaign_reverts(crowdfunding, finalized, investors):
    with brownie.reverts(revert_pattern=rf"CrowdfundingWrongState: {finalized[1]}, {CAMPAIGN_FINALIZED}"):
        crowdfunding.contribute(finalized[1], 10_000, {"from": investors[2]})


def test_contribute_to_unknown_campaign_reverts(crowdfunding, investors):
    with brownie.reverts(revert_pattern=err("CrowdfundingUnknownCampaign")):
        crowdfunding.contribute(4, 10_000, {"from": investors[0]})


def test_contribute_without_allowance_reverts(crowdfunding, campaign, mallory):
    with brownie.reverts(revert_pattern=err("ERC20InsufficientAllowance")):
        crowdfunding.contribute(campaign[1], 10_000, {"from": mallory})


# --- finalize ------------------------------------------------------------------------------------

def test_finalize_sends_raise_to_project_and_issues_shares(crowdfunding, projects, token, finalized, investors,
                                                           total):
    project_id, campaign_id = finalized
    assert crowdfunding.campaign(campaign_id)["state"] == CAMPAIGN_FINALIZED
    assert token.balanceOf(projects) == total
    assert token.balanceOf(crowdfunding) == 0
    assert crowdfunding.totalShares(project_id) == total
    assert crowdfunding.sharesOf(project_id, investors[0]) == total // 4
    assert crowdfunding.sharesOf(project_id, investors[1]) == total - total // 4


def test_shares_are_zero_before_finalize(crowdfunding, campaign, investors):
    project_id, campaign_id = campaign
    crowdfunding.contribute(campaign_id, 10_000, {"from": investors[0]})
    assert crowdfunding.sharesOf(project_id, investors[0]) == 0
    assert crowdfunding.totalShares(project_id) == 0


def test_finalize_before_goal_reverts(crowdfunding, campaign, investors, total):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, 10_000, {"from": investors[0]})
    with brownie.reverts(revert_pattern=rf"CrowdfundingGoalNotMet: {campaign_id}, 10000, {total}"):
        crowdfunding.finalize(campaign_id, {"from": investors[0]})


def test_finalize_twice_reverts(crowdfunding, finalized, investors):
    with brownie.reverts(revert_pattern=err("CrowdfundingWrongState")):
        crowdfunding.finalize(finalized[1], {"from": investors[0]})


def test_goal_met_campaign_can_be_finalized_after_deadline(crowdfunding, campaign, investors, total):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, total, {"from": investors[0]})
    _expire(campaign_id, crowdfunding)
    assert crowdfunding.campaign(campaign_id)["state"] == CAMPAIGN_OPEN
    crowdfunding.finalize(campaign_id, {"from": investors[0]})
    assert crowdfunding.campaign(campaign_id)["state"] == CAMPAIGN_FINALIZED


# --- refund --------------------------------------------------------------------------------------

def test_missed_deadline_fails_campaign_and_refunds_every_peso(crowdfunding, token, campaign, investors):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, 12_345, {"from": investors[0]})
    crowdfunding.contribute(campaign_id, 54_321, {"from": investors[1]})
    _expire(campaign_id, crowdfunding)
    assert crowdfunding.campaign(campaign_id)["state"] == CAMPAIGN_FAILED
    for investor, amount in ((investors[0], 12_345), (investors[1], 54_321)):
        before = token.balanceOf(investor)
        tx = crowdfunding.refund(campaign_id, {"from": investor})
        assert tx.return_value == amount
        assert tx.events["Refunded"]["amountClp"] == amount
        assert token.balanceOf(investor) - before == amount
        assert crowdfunding.refunded(campaign_id, investor)
    assert token.balanceOf(crowdfunding) == 0


def test_refund_before_deadline_reverts(crowdfunding, campaign, investors):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, 10_000, {"from": investors[0]})
    with brownie.reverts(revert_pattern=rf"CrowdfundingWrongState: {campaign_id}, {CAMPAIGN_OPEN}"):
        crowdfunding.refund(campaign_id, {"from": investors[0]})


def test_refund_of_finalized_campaign_reverts(crowdfunding, finalized, investors):
    with brownie.reverts(revert_pattern=rf"CrowdfundingWrongState: {finalized[1]}, {CAMPAIGN_FINALIZED}"):
        crowdfunding.refund(finalized[1], {"from": investors[0]})


def test_refund_twice_reverts(crowdfunding, campaign, investors):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, 10_000, {"from": investors[0]})
    _expire(campaign_id, crowdfunding)
    crowdfunding.refund(campaign_id, {"from": investors[0]})
    with brownie.reverts(revert_pattern=err("CrowdfundingNothingToRefund")):
        crowdfunding.refund(campaign_id, {"from": investors[0]})


def test_refund_to_non_contributor_reverts(crowdfunding, campaign, investors, mallory):
    _, campaign_id = campaign
    crowdfunding.contribute(campaign_id, 10_000, {"from": investors[0]})
    _expire(campaign_id, crowdfunding)
    with brownie.reverts(revert_pattern=err("CrowdfundingNothingToRefund")):
        crowdfunding.refund(campaign_id, {"from": mallory})


def test_refund_of_unknown_campaign_reverts(crowdfunding, mallory):
    with brownie.reverts(revert_pattern=err("CrowdfundingUnknownCampaign")):
        crowdfunding.refund(9, {"from": mallory})


# --- revenue -------------------------------------------------------------------------------------

@pytest.fixture
def payer(token, operator, crowdfunding):
    token.mint(operator, 10**12, {"from": operator})
    token.approve(crowdfunding, 10**12, {"from": operator})
    return operator


def test_deposit_revenue_pulls_tokens_and_emits(crowdfunding, token, finalized, payer):
    project_id, _ = finalized
    tx = crowdfunding.depositRevenue(project_id, 1_000_000, {"from": payer})
    assert token.balanceOf(crowdfunding) == 1_000_000
    ev = tx.events["RevenueDeposited"]
    assert ev["projectId"] == project_id
    assert ev["payer"] == payer
    assert ev["amountClp"] == 1_000_000


def test_claims_split_revenue_by_shares_rounding_down(crowdfunding, token, finalized, payer, investors, total):
    project_id, _ = finalized
    crowdfunding.depositRevenue(project_id, 1_000_001, {"from": payer})
    shares = [crowdfunding.sharesOf(project_id, i) for i in investors[:2]]
    expected = [s * 1_000_001 // total for s in shares]
    assert ints(crowdfunding.claimableRevenue(project_id, i) for i in investors[:2]) == expected
    for investor, amount in zip(investors[:2], expected):
        before = token.balanceOf(investor)
        tx = crowdfunding.claimRevenue(project_id, {"from": investor})
        assert tx.return_value == amount
        assert tx.events["RevenueClaimed"]["amountClp"] == amount
        assert token.balanceOf(investor) - before == amount
        assert crowdfunding.claimedRevenue(project_id, investor) == amount
    assert token.balanceOf(crowdfunding) == 1_000_001 - sum(expected)


def test_rounding_dust_stays_claimable(crowdfunding, finalized, payer, investors, total):
    project_id, _ = finalized
    shares = crowdfunding.sharesOf(project_id, investors[1])
    crowdfunding.depositRevenue(project_id, 3, {"from": payer})
    first = crowdfunding.claimRevenue(project_id, {"from": investors[1]}).return_value
    assert first == shares * 3 // total
    for _ in range(6):
        crowdfunding.depositRevenue(project_id, 3, {"from": payer})
    # 21 pesos deposited 3 at a time: the claims add up to floor(shares x 21 / total), nothing lost to rounding
    assert crowdfunding.revenueDeposited(project_id) == 21
    assert first + crowdfunding.claimRevenue(project_id, {"from": investors[1]}).return_value == shares * 21 // total


def test_claim_with_nothing_to_claim_reverts(crowdfunding, finalized, investors, mallory, payer):
    project_id, _ = finalized
    with brownie.reverts(revert_pattern=err("CrowdfundingNothingToClaim")):
        crowdfunding.claimRevenue(project_id, {"from": investors[0]})
    crowdfunding.depositRevenue(project_id, 1_000_000, {"from": payer})
    with brownie.reverts(revert_pattern=err("CrowdfundingNothingToClaim")):
        crowdfunding.claimRevenue(project_id, {"from": mallory})
    crowdfunding.claimRevenue(project_id, {"from": investors[0]})
    with brownie.reverts(revert_pattern=err("CrowdfundingNothingToClaim")):
        crowdfunding.claimRevenue(project_id, {"from": investors[0]})


def test_deposit_to_project_without_shares_reverts(crowdfunding, campaign, payer):
    project_id, _ = campaign
    with brownie.reverts(revert_pattern=rf"CrowdfundingNoShares: {project_id}"):
        crowdfunding.depositRevenue(project_id, 1_000, {"from": payer})
    with brownie.reverts(revert_pattern=err("CrowdfundingNoShares")):
        crowdfunding.depositRevenue(999, 1_000, {"from": payer})


def test_deposit_zero_reverts(crowdfunding, finalized, payer):
    with brownie.reverts(revert_pattern=err("CrowdfundingZeroAmount")):
        crowdfunding.depositRevenue(finalized[0], 0, {"from": payer})


def test_self_funded_owner_claims_all_revenue(crowdfunding, projects, make_project, fund_owner, total, registered,
                                              payer):
    project_id = make_project(False)
    fund_owner(total)
    projects.fund(project_id, {"from": registered.owner})
    crowdfunding.depositRevenue(project_id, 777_777, {"from": payer})
    assert crowdfunding.claimRevenue(project_id, {"from": registered.owner}).return_value == 777_777


# --- campaign views and terms --------------------------------------------------------------------

def test_campaigns_page(crowdfunding, make_project):
    for _ in range(3):
        make_project(True)
    assert crowdfunding.campaignCount() == 3
    assert [c["projectId"] for c in crowdfunding.campaignsPage(1, 10)] == [1, 2, 3]
    assert [c["projectId"] for c in crowdfunding.campaignsPage(2, 1)] == [2]
    assert [c["projectId"] for c in crowdfunding.campaignsPage(0, 1)] == [1]
    assert len(crowdfunding.campaignsPage(4, 1)) == 0


def test_unknown_campaign_view_reverts(crowdfunding):
    with brownie.reverts(revert_pattern=err("CrowdfundingUnknownCampaign")):
        crowdfunding.campaign(1)


def test_admin_sets_campaign_terms_for_new_campaigns(crowdfunding, make_project, projects, operator):
    tx = crowdfunding.setCampaignTerms(7 * DAY, 5_000, {"from": operator})
    assert tx.events["CampaignTermsSet"]["durationS"] == 7 * DAY
    assert crowdfunding.campaignDurationS() == 7 * DAY
    assert crowdfunding.minContributionClp() == 5_000
    project_id = make_project(True)
    tx_campaign = crowdfunding.campaign(projects.project(project_id)["campaignId"])
    assert tx_campaign["minContributionClp"] == 5_000


def test_campaign_terms_validation(crowdfunding, operator):
    with brownie.reverts(revert_pattern=err("CrowdfundingZeroDuration")):
        crowdfunding.setCampaignTerms(0, 1, {"from": operator})
    with brownie.reverts(revert_pattern=err("CrowdfundingValueTooLarge")):
        crowdfunding.setCampaignTerms(1, 2**64, {"from": operator})


def test_admin_functions_reject_outsider(crowdfunding, mallory):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        crowdfunding.setCampaignTerms(1, 1, {"from": mallory})


@pytest.mark.parametrize("call", [
    lambda cf, m: cf.openCampaign(1, m, 1_000, {"from": m}),
    lambda cf, m: cf.recordSelfFunding(1, m, 1_000, {"from": m}),
    lambda cf, m: cf.cancelCampaign(1, 0, {"from": m}),
    lambda cf, m: cf.closeRevenue(1, {"from": m}),
])
def test_projects_only_functions_reject_anyone_but_the_projects_contract(crowdfunding, mallory, operator, call):
    """Not a role: the admin (operator) is refused as well as an outsider."""
    for caller in (mallory, operator):
        with brownie.reverts(revert_pattern=err("CrowdfundingNotProjects")):
            call(crowdfunding, caller)


def test_projects_only_checks(operator, token):
    """Called by its projects contract (an account stands in for it in a fresh Crowdfunding): a zero goal
    or share count is refused, shares are recorded once, a campaign is cancelled once, revenue closed once."""
    crowdfunding = Crowdfunding.deploy(operator, token, operator, DAY, 1_000, {"from": operator})
    with brownie.reverts(revert_pattern=err("CrowdfundingZeroAmount")):
        crowdfunding.openCampaign(50, operator, 0, {"from": operator})
    with brownie.reverts(revert_pattern=err("CrowdfundingZeroAmount")):
        crowdfunding.recordSelfFunding(50, operator, 0, {"from": operator})
    crowdfunding.recordSelfFunding(50, operator, 10, {"from": operator})
    with brownie.reverts(revert_pattern=err("CrowdfundingAlreadyFunded")):
        crowdfunding.recordSelfFunding(50, operator, 10, {"from": operator})
    crowdfunding.closeRevenue(50, {"from": operator})
    with brownie.reverts(revert_pattern=err("CrowdfundingRevenueClosed")):
        crowdfunding.closeRevenue(50, {"from": operator})
    campaign_id = crowdfunding.openCampaign(51, operator, 1_000, {"from": operator}).return_value
    crowdfunding.cancelCampaign(campaign_id, 0, {"from": operator})
    assert crowdfunding.campaign(campaign_id)["state"] == CAMPAIGN_CANCELLED
    with brownie.reverts(revert_pattern=err("CrowdfundingWrongState")):
        crowdfunding.cancelCampaign(campaign_id, 0, {"from": operator})
