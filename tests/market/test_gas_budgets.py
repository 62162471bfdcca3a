"""Gas budgets of issue 4 (gas is deterministic on anvil, so these are exact regressions checks).

register <= 70k, post offer or demand <= 90k, match with project and campaign <= 250k,
contribute <= 80k, claimRevenue <= 60k, depositRevenue <= 50k, whatever the number of investors.
"""

import pytest
from brownie import accounts

from market_helpers import later, match_demand
from oracle.market_codes import ROLE_INVESTOR, ROLE_OWNER

REGISTER_BUDGET = 70_000
POST_BUDGET = 90_000
MATCH_BUDGET = 250_000
CONTRIBUTE_BUDGET = 80_000
CLAIM_BUDGET = 60_000
DEPOSIT_BUDGET = 50_000


def test_register_participant_within_budget(participant_registry, alice):
    tx = participant_registry.register(ROLE_OWNER | ROLE_INVESTOR, "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", {"from": alice})
    assert tx.gas_used <= REGISTER_BUDGET


def test_post_offer_within_budget(marketplace, registered):
    tx = marketplace.postOffer(0, 600_000, 50, later(), {"from": registered.provider})
    assert tx.gas_used <= POST_BUDGET


def test_post_demand_within_budget(marketplace, registered):
    tx = marketplace.postDemand(5, 10_000_000, True, later(), {"from": registered.owner})
    assert tx.gas_used <= POST_BUDGET


def test_match_with_project_and_campaign_within_budget(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers()
    tx = match_demand(marketplace, post_demand(True), offer_ids, operator)
    assert "CampaignOpened" in tx.events
    assert tx.gas_used <= MATCH_BUDGET


def test_match_self_funded_within_budget(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers()
    tx = match_demand(marketplace, post_demand(False), offer_ids, operator)
    assert tx.gas_used <= MATCH_BUDGET


def test_contribute_within_budget(crowdfunding, make_project, fund_investors, investors):
    """New and repeat contributors. The contract's very first contribution ever is left out: it also pays
    the token's one-time 0 -> non-zero write of this contract's balance (+17k, in PesoToken's storage)."""
    make_project(True)
    fund_investors()
    crowdfunding.contribute(1, 10_000, {"from": investors[0]})
    gas = [crowdfunding.contribute(1, 10_000, {"from": investor}).gas_used for investor in investors[1:]]
    gas.append(crowdfunding.contribute(1, 10_000, {"from": investors[0]}).gas_used)
    assert max(gas) <= CONTRIBUTE_BUDGET


def _funded_campaign(crowdfunding, projects, make_project, token, operator, investor_accounts, total):
    """A finalized campaign shared by `investor_accounts`, each left holding 1,000 pesos; returns the project id."""
    project_id = make_project(True)
    campaign_id = projects.project(project_id)["campaignId"]
    share = total // len(investor_accounts)
    for i, investor in enumerate(investor_accounts):
        amount = total - share * (len(investor_accounts) - 1) if i == 0 else share
        token.mint(investor, amount + 1_000, {"from": operator})
        token.approve(crowdfunding, amount, {"from": investor})
        crowdfunding.contribute(campaign_id, amount, {"from": investor})
    crowdfunding.finalize(campaign_id, {"from": operator})
    return project_id


def _deposit_and_claim_gas(crowdfunding, token, operator, project_id, claimer):
    """Gas of a deposit by a payer that keeps a balance and an allowance (as EnergySales would, approving
    once), and of a claim by a shareholder that holds pesos."""
    token.mint(operator, 10_000_000, {"from": operator})
    token.approve(crowdfunding, 2**256 - 1, {"from": operator})
    crowdfunding.depositRevenue(project_id, 1_000_000, {"from": operator})
    deposit = crowdfunding.depositRevenue(project_id, 1_000_000, {"from": operator}).gas_used
    claim = crowdfunding.claimRevenue(project_id, {"from": claimer}).gas_used
    return deposit, claim


@pytest.fixture(scope="module")
def many_investors():
    created = [accounts.add() for _ in range(20)]
    for investor in created:
        accounts[0].transfer(investor, "1 ether")
    return created


def test_deposit_and_claim_within_budget_with_one_investor(crowdfunding, projects, make_project, token, operator,
                                                           investors, total):
    project_id = _funded_campaign(crowdfunding, projects, make_project, token, operator, investors[:1], total)
    deposit, claim = _deposit_and_claim_gas(crowdfunding, token, operator, project_id, investors[0])
    assert deposit <= DEPOSIT_BUDGET
    assert claim <= CLAIM_BUDGET


def test_deposit_and_claim_gas_independent_of_investor_count(crowdfunding, projects, make_project, token, operator,
                                                             investors, many_investors, total):
    """2 investors or 20: a deposit and a (partial) claim cost exactly the same gas."""
    two = _funded_campaign(crowdfunding, projects, make_project, token, operator, investors[:2], total)
    one_gas = _deposit_and_claim_gas(crowdfunding, token, operator, two, investors[1])
    many = _funded_campaign(crowdfunding, projects, make_project, token, operator, many_investors, total)
    many_gas = _deposit_and_claim_gas(crowdfunding, token, operator, many, many_investors[7])
    assert many_gas == one_gas
    assert many_gas[0] <= DEPOSIT_BUDGET
    assert many_gas[1] <= CLAIM_BUDGET
