"""One test per defect of the thesis DApp (shared/design/THESIS_BASELINE.md), showing ours is immune."""

import brownie
import pytest
from brownie import accounts, chain

from market_helpers import UNAUTHORIZED, err, later, match_demand
from oracle.market_codes import CAMPAIGN_FAILED


# 1. No access control: anyone could delete listings, call Matching, change rates, add debt,
#    create projects and grant themselves the right to rate.

def test_outsider_cannot_delete_or_change_others_listings(marketplace, post_offers, post_demand, mallory):
    offer_id = post_offers()[0]
    demand_id = post_demand(False)
    with brownie.reverts(revert_pattern=err("MarketplaceNotOfferSeller")):
        marketplace.withdrawOffer(offer_id, {"from": mallory})
    with brownie.reverts(revert_pattern=err("MarketplaceNotDemandOwner")):
        marketplace.withdrawDemand(demand_id, {"from": mallory})
    with brownie.reverts(revert_pattern=err("MarketplaceNotDemandOwner")):
        marketplace.updateDemand(demand_id, 1, 1, False, later(), {"from": mallory})
    assert marketplace.offer(offer_id)["open"] and marketplace.demand(demand_id)["open"]


def test_outsider_cannot_match_and_put_a_project_on_an_owner(marketplace, projects, post_offers, post_demand, mallory):
    offer_ids = post_offers()
    demand_id = post_demand(True)
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        match_demand(marketplace, demand_id, offer_ids, mallory)
    assert projects.projectCount() == 0


def test_outsider_cannot_change_fee_or_campaign_terms(marketplace, crowdfunding, mallory):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        marketplace.setPlatformFeeBps(1_000, {"from": mallory})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        crowdfunding.setCampaignTerms(1, 1, {"from": mallory})


def test_outsider_cannot_create_projects_or_record_funding(projects, crowdfunding, mallory, registered):
    terms = (registered.owner, mallory, mallory, mallory, 5, 10**9, 1, 1, 0, True)
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        projects.createProject(terms, {"from": mallory})
    with brownie.reverts(revert_pattern=err("CrowdfundingNotProjects")):
        crowdfunding.openCampaign(1, registered.owner, 10**9, {"from": mallory})
    with brownie.reverts(revert_pattern=err("CrowdfundingNotProjects")):
        crowdfunding.recordSelfFunding(1, mallory, 10**9, {"from": mallory})


def test_outsider_cannot_grant_itself_rights(marketplace, projects, crowdfunding, participant_registry, mallory):
    for contract, role in ((marketplace, marketplace.MATCHER_ROLE()), (projects, projects.MARKETPLACE_ROLE()),
                           (projects, projects.INSPECTOR_ROLE()), (crowdfunding, crowdfunding.DEFAULT_ADMIN_ROLE()),
                           (participant_registry, participant_registry.DEFAULT_ADMIN_ROLE())):
        with brownie.reverts(revert_pattern=UNAUTHORIZED):
            contract.grantRole(role, mallory, {"from": mallory})


def test_outsider_cannot_rate(participant_registry, make_project, projects, fund_owner, total, registered, mallory):
    project_id = make_project(False)
    fund_owner(total)
    projects.fund(project_id, {"from": registered.owner})
    projects.confirmDelivery(project_id, {"from": registered.owner})
    projects.confirmInstallation(project_id, {"from": registered.owner})
    projects.confirmCommissioning(project_id, {"from": registered.manager})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotProjectParty")):
        participant_registry.rate(project_id, registered.provider, -1, {"from": mallory})


# 2. The crowdfunding contract reused its funder list and "goal reached" flag across campaigns: a
#    second campaign with 1 token raised paid out; refunds paid 0.

def test_campaign_state_is_not_reused_across_campaigns(crowdfunding, projects, token, make_project, fund_investors,
                                                       investors, total):
    fund_investors()
    first = projects.project(make_project(True))["campaignId"]
    crowdfunding.contribute(first, total, {"from": investors[0]})
    crowdfunding.finalize(first, {"from": investors[0]})
    second_project = make_project(True)
    second = projects.project(second_project)["campaignId"]
    assert crowdfunding.contributionOf(second, investors[0]) == 0
    crowdfunding.contribute(second, 1_000, {"from": investors[1]})
    with brownie.reverts(revert_pattern=rf"CrowdfundingGoalNotMet: {second}, 1000, {total}"):
        crowdfunding.finalize(second, {"from": investors[1]})
    assert projects.project(second_project)["state"] == 0
    chain.sleep(crowdfunding.campaign(second)["deadline"] - chain[-1].timestamp + 1)
    chain.mine()
    before = token.balanceOf(investors[1])
    assert crowdfunding.refund(second, {"from": investors[1]}).return_value == 1_000
    assert token.balanceOf(investors[1]) - before == 1_000
    with brownie.reverts(revert_pattern=err("CrowdfundingNothingToRefund")):
        crowdfunding.refund(second, {"from": investors[0]})


# 3. Off-chain check `cost <= maxPrice` but on-chain `maxPrice > cost`: equality failed on-chain.

def test_demand_whose_max_price_equals_the_total_matches(marketplace, operator, post_offers, post_demand, total):
    offer_ids = post_offers()
    demand_id = post_demand(False, max_total_clp=total)
    assert marketplace.quote(demand_id, *offer_ids)[2] == total
    tx = match_demand(marketplace, demand_id, offer_ids, operator)
    assert tx.events["DemandMatched"]["totalClp"] == total


# 4. Self-funded owners were recorded as their own funder and owed themselves revenue debt.

def test_self_funded_owner_holds_shares_once_and_is_no_funder(crowdfunding, projects, token, make_project, fund_owner,
                                                              total, registered, operator):
    project_id = make_project(False)
    fund_owner(2 * total)
    projects.fund(project_id, {"from": registered.owner})
    assert crowdfunding.campaignCount() == 0
    assert projects.project(project_id)["campaignId"] == 0
    assert crowdfunding.sharesOf(project_id, registered.owner) == total
    assert crowdfunding.totalShares(project_id) == total
    with brownie.reverts(revert_pattern=err("ProjectsWrongState")):
        projects.fund(project_id, {"from": registered.owner})
    token.mint(operator, 1_000, {"from": operator})
    token.approve(crowdfunding, 1_000, {"from": operator})
    crowdfunding.depositRevenue(project_id, 1_000, {"from": operator})
    assert crowdfunding.claimableRevenue(project_id, registered.owner) == 1_000
    assert token.balanceOf(registered.owner) == total  # paid once, not twice


# 5. Deadline checks did nothing silently instead of reverting.

def test_deadline_checks_revert_instead_of_doing_nothing(crowdfunding, projects, make_project, fund_investors,
                                                          investors):
    fund_investors()
    campaign_id = projects.project(make_project(True))["campaignId"]
    crowdfunding.contribute(campaign_id, 10_000, {"from": investors[0]})
    with brownie.reverts(revert_pattern=err("CrowdfundingWrongState")):
        crowdfunding.refund(campaign_id, {"from": investors[0]})  # before the deadline
    chain.sleep(crowdfunding.campaign(campaign_id)["deadline"] - chain[-1].timestamp + 1)
    chain.mine()
    assert crowdfunding.campaign(campaign_id)["state"] == CAMPAIGN_FAILED
    with brownie.reverts(revert_pattern=err("CrowdfundingDeadlinePassed")):
        crowdfunding.contribute(campaign_id, 10_000, {"from": investors[1]})  # after the deadline
    with brownie.reverts(revert_pattern=err("CrowdfundingGoalNotMet")):
        crowdfunding.finalize(campaign_id, {"from": investors[1]})


# 6. Payouts looped over all funders: cost grows without bound and hits the block gas limit.

def _campaign_with(crowdfunding, projects, make_project, token, operator, funders, total):
    project_id = make_project(True)
    campaign_id = projects.project(project_id)["campaignId"]
    share = total // len(funders)
    for i, funder in enumerate(funders):
        amount = share if i else total - share * (len(funders) - 1)
        token.mint(funder, amount + 1, {"from": operator})
        token.approve(crowdfunding, amount, {"from": funder})
        crowdfunding.contribute(campaign_id, amount, {"from": funder})
    finalize_gas = crowdfunding.finalize(campaign_id, {"from": operator}).gas_used
    token.mint(operator, 2_000_000, {"from": operator})
    token.approve(crowdfunding, 2**256 - 1, {"from": operator})
    crowdfunding.depositRevenue(project_id, 1_000_000, {"from": operator})
    deposit_gas = crowdfunding.depositRevenue(project_id, 1_000_000, {"from": operator}).gas_used
    claim_gas = crowdfunding.claimRevenue(project_id, {"from": funders[1]}).gas_used
    return finalize_gas, deposit_gas, claim_gas


def test_no_payout_loop_gas_independent_of_funder_count(crowdfunding, projects, make_project, token, operator,
                                                        investors, total, fund_owner, registered):
    """Finalize, deposit and claim cost the same with 2 funders as with 12 (the thesis paid ~49.5k and
    ~9k gas per funder)."""
    # Projects and Crowdfunding already hold tokens, so both runs pay the same token-side storage costs.
    warm = make_project(False)
    fund_owner(total)
    projects.fund(warm, {"from": registered.owner})
    token.mint(operator, 1_000, {"from": operator})
    token.approve(crowdfunding, 1_000, {"from": operator})
    crowdfunding.depositRevenue(warm, 1_000, {"from": operator})
    extra = [accounts.add() for _ in range(10)]
    for funder in extra:
        operator.transfer(funder, "1 ether")
    few = _campaign_with(crowdfunding, projects, make_project, token, operator, investors[:2], total)
    many = _campaign_with(crowdfunding, projects, make_project, token, operator, investors[2:] + extra, total)
    assert few == many
