"""Finding 2 (medium): Crowdfunding's PROJECTS_ROLE and Projects' CROWDFUNDING_ROLE accepted any holder,
and an admin could grant them to anyone. Shown: a refund pool of another campaign's money, phantom
self-funding shares, and an unpaid project marked funded whose owner withdrew another's escrow.

Now those calls are accepted only from the stored peer contract. The attack: an address given every
role any admin can grant, on every contract of the suite, tries each of them; the victims' money
stays where it is.
"""

from __future__ import annotations

import brownie
import pytest

from market_attack_helpers import HONEST_PRICES, err, fill_campaign, post_demand, post_offers, run_matcher


def _grantable_roles(contract) -> list[bytes]:
    """DEFAULT_ADMIN_ROLE and every `*_ROLE` constant the contract's ABI exposes."""
    names = [
        item["name"] for item in contract.abi
        if item.get("type") == "function" and item["name"].endswith("_ROLE") and not item.get("inputs")
    ]
    return [getattr(contract, name)() for name in names]


@pytest.fixture(scope="module")
def victims(suite, operator, alice, bob, honest_investors, accomplices):
    """Two financed projects of honest owners: one finalized (its escrow in Projects), one whose
    campaign holds contributions (in Crowdfunding); returns their ids and the investors' stakes."""
    marketplace, registry = suite["Marketplace"], suite["ParticipantRegistry"]
    post_offers(marketplace, registry, accomplices, HONEST_PRICES, capacity_kwp=50)
    post_demand(marketplace, registry, alice, True)
    post_demand(marketplace, registry, bob, True)
    _, receipts = run_matcher(suite, operator)
    funded, open_ = (tx.events["DemandMatched"]["projectId"] for tx in receipts)
    fill_campaign(suite, operator, funded, honest_investors)
    token, crowdfunding, projects = suite["PaymentToken"], suite["Crowdfunding"], suite["Projects"]
    campaign = projects.project(open_)["campaignId"]
    token.mint(honest_investors[0], 1_000_000, {"from": operator})
    token.approve(crowdfunding, 1_000_000, {"from": honest_investors[0]})
    crowdfunding.contribute(campaign, 1_000_000, {"from": honest_investors[0]})
    return {"funded": funded, "open": open_, "open_campaign": campaign}


@pytest.fixture(scope="module")
def all_powerful(suite, operator, attacker):
    """The attacker holding every grantable role of every contract (as a rogue or careless admin could give)."""
    for contract in suite.values():
        if not hasattr(contract, "grantRole"):
            continue
        for role in _grantable_roles(contract):
            contract.grantRole(role, attacker, {"from": operator})
    return attacker


def _money(suite, victims, holders):
    token, crowdfunding = suite["PaymentToken"], suite["Crowdfunding"]
    return {
        "projects": int(token.balanceOf(suite["Projects"])),
        "crowdfunding": int(token.balanceOf(crowdfunding)),
        "holders": [int(token.balanceOf(h)) for h in holders],
        "shares": [int(crowdfunding.sharesOf(victims["funded"], h)) for h in holders],
        "total_shares": int(crowdfunding.totalShares(victims["funded"])),
    }


def test_peer_roles_no_longer_exist(suite):
    assert not hasattr(suite["Projects"], "CROWDFUNDING_ROLE")
    assert not hasattr(suite["Crowdfunding"], "PROJECTS_ROLE")


def test_every_grantable_role_does_not_let_an_address_cancel_a_campaign_into_a_refund(
    suite, victims, all_powerful, honest_investors
):
    crowdfunding, token = suite["Crowdfunding"], suite["PaymentToken"]
    before = _money(suite, victims, [all_powerful, *honest_investors])
    pool = token.balanceOf(crowdfunding)
    with brownie.reverts(revert_pattern=err("CrowdfundingNotProjects")):
        crowdfunding.cancelCampaign(victims["open_campaign"], pool, {"from": all_powerful})
    with brownie.reverts(revert_pattern=err("CrowdfundingWrongState")):
        crowdfunding.refund(victims["open_campaign"], {"from": all_powerful})
    with brownie.reverts(revert_pattern=err("CrowdfundingNotProjects")):
        crowdfunding.closeRevenue(victims["funded"], {"from": all_powerful})
    with brownie.reverts(revert_pattern=err("CrowdfundingNotProjects")):
        crowdfunding.openCampaign(victims["funded"], all_powerful, 1, {"from": all_powerful})
    assert _money(suite, victims, [all_powerful, *honest_investors]) == before


def test_every_grantable_role_does_not_let_an_address_record_phantom_shares(
    suite, victims, all_powerful, honest_investors, operator
):
    crowdfunding, token = suite["Crowdfunding"], suite["PaymentToken"]
    before = _money(suite, victims, [all_powerful, *honest_investors])
    with brownie.reverts(revert_pattern=err("CrowdfundingNotProjects")):
        crowdfunding.recordSelfFunding(victims["funded"], all_powerful, 10**12, {"from": all_powerful})
    with brownie.reverts(revert_pattern=err("CrowdfundingNotProjects")):
        crowdfunding.recordSelfFunding(victims["open"], all_powerful, 10**12, {"from": all_powerful})
    # the one path that records self-funding, Projects.fund, refuses a financed project
    projects = suite["Projects"]
    owner = projects.project(victims["open"])["owner"]
    with brownie.reverts(revert_pattern=err("ProjectsFinancedByCampaign")):
        projects.fund(victims["open"], {"from": owner})
    assert _money(suite, victims, [all_powerful, *honest_investors]) == before
    # revenue of the funded project is shared by its investors only
    token.mint(operator, 100_000, {"from": operator})
    token.approve(crowdfunding, 100_000, {"from": operator})
    crowdfunding.depositRevenue(victims["funded"], 100_000, {"from": operator})
    with brownie.reverts(revert_pattern=err("CrowdfundingNothingToClaim")):
        crowdfunding.claimRevenue(victims["funded"], {"from": all_powerful})
    claimed = [crowdfunding.claimRevenue(victims["funded"], {"from": inv}).return_value for inv in honest_investors]
    assert sum(claimed) == 100_000


def test_every_grantable_role_does_not_let_an_address_mark_an_unpaid_project_funded(
    suite, victims, all_powerful, honest_investors
):
    projects = suite["Projects"]
    before = _money(suite, victims, [all_powerful, *honest_investors])
    total = projects.project(victims["open"])["totalClp"]
    with brownie.reverts(revert_pattern=err("ProjectsNotCrowdfunding")):
        projects.onCampaignFinalized(victims["open"], total, {"from": all_powerful})
    assert projects.project(victims["open"])["state"] == 0
    with brownie.reverts(revert_pattern=err("ProjectsNothingToWithdraw")):
        projects.withdraw({"from": all_powerful})
    assert _money(suite, victims, [all_powerful, *honest_investors]) == before


def test_the_real_peers_still_make_those_calls(suite, victims, operator, honest_investors):
    """The legitimate path: a cancelled project's campaign is refunded by the real Projects contract."""
    projects, crowdfunding, token = suite["Projects"], suite["Crowdfunding"], suite["PaymentToken"]
    before = token.balanceOf(honest_investors[0])
    projects.cancel(victims["open"], {"from": operator})
    assert crowdfunding.refund(victims["open_campaign"], {"from": honest_investors[0]}).return_value == 1_000_000
    assert token.balanceOf(honest_investors[0]) == before + 1_000_000
    assert not crowdfunding.acceptsRevenue(victims["open"])
