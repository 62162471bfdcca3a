"""Projects: funding, escrow, milestone payouts (pull), platform fee, cancellation refunds, access control."""

import brownie
import pytest

from market_helpers import DAY, PRICES, SIZE_KWP, SUBTOTAL, UNAUTHORIZED, err
from oracle.market_codes import (
    CAMPAIGN_CANCELLED,
    KIND_INSTALLER,
    KIND_MANAGER,
    KIND_PROVIDER,
    PROJECT_CANCELLED,
    PROJECT_COMMISSIONED,
    PROJECT_FUNDED,
    PROJECT_INSTALLED,
    PROJECT_MATCHED,
)

PROVIDER_CLP = PRICES[KIND_PROVIDER] * SIZE_KWP
INSTALLER_CLP = PRICES[KIND_INSTALLER] * SIZE_KWP
MANAGER_CLP = PRICES[KIND_MANAGER] * SIZE_KWP


@pytest.fixture
def self_funded(make_project):
    return make_project(False)


@pytest.fixture
def funded(self_funded, projects, fund_owner, total, registered):
    fund_owner(total)
    projects.fund(self_funded, {"from": registered.owner})
    return self_funded


@pytest.fixture
def crowdfunded(make_project, projects, crowdfunding, fund_investors, investors, total):
    """A financed project whose campaign met its goal (two investors) and was finalized."""
    project_id = make_project(True)
    campaign_id = projects.project(project_id)["campaignId"]
    fund_investors(total)
    crowdfunding.contribute(campaign_id, total // 3, {"from": investors[0]})
    crowdfunding.contribute(campaign_id, total, {"from": investors[1]})
    crowdfunding.finalize(campaign_id, {"from": investors[2]})
    return project_id


# --- creation and views --------------------------------------------------------------------------

def test_create_project_only_by_marketplace(projects, mallory, registered):
    terms = (registered.owner, registered.provider, registered.installer, registered.manager, 5, 1, 1, 1, 0, False)
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        projects.createProject(terms, {"from": mallory})


def test_unknown_project_reverts(projects, registered):
    with brownie.reverts(revert_pattern=err("ProjectsUnknownProject")):
        projects.project(1)
    with brownie.reverts(revert_pattern=err("ProjectsUnknownProject")):
        projects.fund(1, {"from": registered.owner})


def test_project_count_and_parties(projects, self_funded, registered):
    assert projects.projectCount() == 1
    state, owner, provider, installer, manager = projects.partiesOf(self_funded)
    assert state == PROJECT_MATCHED
    assert owner == registered.owner
    assert provider == registered.provider
    assert installer == registered.installer
    assert manager == registered.manager


def test_wiring(projects, crowdfunding, marketplace, token, operator):
    assert projects.paymentToken() == token
    assert projects.treasury() == operator
    assert projects.crowdfunding() == crowdfunding
    assert projects.hasRole(projects.MARKETPLACE_ROLE(), marketplace)
    assert projects.hasRole(projects.INSPECTOR_ROLE(), operator)
    assert projects.completionPeriodS() == 180 * DAY
    # peer contracts, not roles: neither contract has a role for the other any more
    assert not hasattr(projects, "CROWDFUNDING_ROLE") and not hasattr(crowdfunding, "PROJECTS_ROLE")


# --- funding -------------------------------------------------------------------------------------

def test_owner_funds_into_escrow_and_holds_all_shares(projects, crowdfunding, token, self_funded, fund_owner, total,
                                                      registered):
    fund_owner(total)
    tx = projects.fund(self_funded, {"from": registered.owner})
    assert projects.project(self_funded)["state"] == PROJECT_FUNDED
    assert token.balanceOf(projects) == total
    assert token.balanceOf(registered.owner) == 0
    assert crowdfunding.sharesOf(self_funded, registered.owner) == total
    assert crowdfunding.totalShares(self_funded) == total
    assert tx.events["ProjectFunded"]["payer"] == registered.owner
    assert tx.events["ProjectFunded"]["amountClp"] == total
    assert tx.events["SelfFundingRecorded"]["shares"] == total


def test_fund_by_other_account_reverts(projects, self_funded, mallory):
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        projects.fund(self_funded, {"from": mallory})


def test_fund_twice_reverts(projects, funded, fund_owner, total, registered):
    fund_owner(total)
    with brownie.reverts(revert_pattern=rf"ProjectsWrongState: {funded}, {PROJECT_FUNDED}, {PROJECT_MATCHED}"):
        projects.fund(funded, {"from": registered.owner})


def test_fund_financed_project_by_owner_reverts(projects, make_project, fund_owner, total, registered):
    project_id = make_project(True)
    fund_owner(total)
    with brownie.reverts(revert_pattern=err("ProjectsFinancedByCampaign")):
        projects.fund(project_id, {"from": registered.owner})


def test_fund_without_allowance_reverts(projects, self_funded, registered):
    with brownie.reverts(revert_pattern=err("ERC20InsufficientAllowance")):
        projects.fund(self_funded, {"from": registered.owner})


def test_finalized_campaign_funds_project(projects, token, crowdfunded, total):
    assert projects.project(crowdfunded)["state"] == PROJECT_FUNDED
    assert token.balanceOf(projects) == total


def test_on_campaign_finalized_only_by_crowdfunding(projects, self_funded, mallory, operator, total):
    """Not a role: the admin (operator) is refused as well as an outsider."""
    for caller in (mallory, operator):
        with brownie.reverts(revert_pattern=err("ProjectsNotCrowdfunding")):
            projects.onCampaignFinalized(self_funded, total, {"from": caller})


def test_on_campaign_finalized_checks_amount_and_state(Projects, operator, token, registered, total):
    """A fresh Projects whose crowdfunding contract is an account standing in for it."""
    bare = Projects.deploy(operator, token, operator, DAY, {"from": operator})
    bare.setCrowdfunding(operator, {"from": operator})
    bare.grantRole(bare.MARKETPLACE_ROLE(), operator, {"from": operator})
    terms = (registered.owner, registered.provider, registered.installer, registered.manager, SIZE_KWP,
             PROVIDER_CLP, INSTALLER_CLP, MANAGER_CLP, total - SUBTOTAL, False)
    project_id = bare.createProject(terms, {"from": operator}).return_value
    with brownie.reverts(revert_pattern=err("ProjectsWrongFundingAmount")):
        bare.onCampaignFinalized(project_id, total - 1, {"from": operator})
    tx = bare.onCampaignFinalized(project_id, total, {"from": operator})
    assert tx.events["ProjectFunded"]["completionDeadline"] == tx.timestamp + DAY
    with brownie.reverts(revert_pattern=err("ProjectsWrongState")):
        bare.onCampaignFinalized(project_id, total, {"from": operator})


# --- milestones ----------------------------------------------------------------------------------

def test_full_lifecycle_pays_every_party_and_treasury(projects, token, funded, registered, operator, total):
    treasury_before = token.balanceOf(operator)
    tx = projects.confirmDelivery(funded, {"from": registered.owner})
    assert tx.events["DeliveryConfirmed"]["amountClp"] == PROVIDER_CLP
    assert projects.owedTo(registered.provider) == PROVIDER_CLP
    tx = projects.confirmInstallation(funded, {"from": registered.owner})
    assert tx.events["InstallationConfirmed"]["amountClp"] == INSTALLER_CLP
    assert projects.project(funded)["state"] == PROJECT_INSTALLED
    tx = projects.confirmCommissioning(funded, {"from": registered.manager})
    assert tx.events["CommissioningConfirmed"]["managerClp"] == MANAGER_CLP
    assert tx.events["CommissioningConfirmed"]["feeClp"] == total - SUBTOTAL
    assert projects.project(funded)["state"] == PROJECT_COMMISSIONED
    for party, amount in ((registered.provider, PROVIDER_CLP), (registered.installer, INSTALLER_CLP),
                          (registered.manager, MANAGER_CLP)):
        tx = projects.withdraw({"from": party})
        assert tx.return_value == amount
        assert tx.events["Withdrawn"]["amountClp"] == amount
        assert token.balanceOf(party) == amount
    projects.withdraw({"from": operator})
    assert token.balanceOf(operator) - treasury_before == total - SUBTOTAL
    assert token.balanceOf(projects) == 0


def test_fee_goes_to_treasury_set_by_admin(projects, funded, registered, operator, carol, total):
    projects.setTreasury(carol, {"from": operator})
    projects.confirmDelivery(funded, {"from": registered.owner})
    projects.confirmInstallation(funded, {"from": registered.owner})
    projects.confirmCommissioning(funded, {"from": registered.manager})
    assert projects.owedTo(carol) == total - SUBTOTAL
    assert projects.owedTo(operator) == 0


def test_set_treasury_by_non_admin_reverts(projects, mallory):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        projects.setTreasury(mallory, {"from": mallory})


def test_set_treasury_zero_reverts(projects, operator):
    with brownie.reverts(revert_pattern=err("ProjectsZeroAddress")):
        projects.setTreasury("0x" + "00" * 20, {"from": operator})


def test_set_crowdfunding_only_once_and_only_admin(projects, operator, mallory):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        projects.setCrowdfunding(mallory, {"from": mallory})
    with brownie.reverts(revert_pattern=err("ProjectsCrowdfundingAlreadySet")):
        projects.setCrowdfunding(mallory, {"from": operator})


def test_constructor_rejects_zero_addresses(Projects, token, operator):
    with brownie.reverts(revert_pattern=err("ProjectsZeroAddress")):
        Projects.deploy(operator, token, "0x" + "00" * 20, DAY, {"from": operator})


def test_fund_without_crowdfunding_set_reverts(Projects, token, operator):
    bare = Projects.deploy(operator, token, operator, DAY, {"from": operator})
    bare.grantRole(bare.MARKETPLACE_ROLE(), operator, {"from": operator})
    terms = (operator, operator, operator, operator, 1, 1, 1, 1, 0, False)
    bare.createProject(terms, {"from": operator})
    with brownie.reverts(revert_pattern=err("ProjectsCrowdfundingNotSet")):
        bare.fund(1, {"from": operator})
    with brownie.reverts(revert_pattern=err("ProjectsCrowdfundingNotSet")):
        bare.createProject(terms[:-1] + (True,), {"from": operator})


@pytest.mark.parametrize("step", ["confirmDelivery", "confirmInstallation", "confirmCommissioning"])
def test_milestone_by_outsider_reverts(projects, funded, mallory, step):
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        getattr(projects, step)(funded, {"from": mallory})


def test_only_manager_confirms_commissioning(projects, funded, registered):
    projects.confirmDelivery(funded, {"from": registered.owner})
    projects.confirmInstallation(funded, {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        projects.confirmCommissioning(funded, {"from": registered.owner})


def test_provider_cannot_confirm_own_delivery(projects, funded, registered):
    with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
        projects.confirmDelivery(funded, {"from": registered.provider})


def test_delivery_before_funding_reverts(projects, self_funded, registered):
    with brownie.reverts(revert_pattern=err("ProjectsWrongState")):
        projects.confirmDelivery(self_funded, {"from": registered.owner})


def test_delivery_twice_reverts(projects, funded, registered):
    projects.confirmDelivery(funded, {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("ProjectsDeliveryAlreadyConfirmed")):
        projects.confirmDelivery(funded, {"from": registered.owner})


def test_installation_before_delivery_reverts(projects, funded, registered):
    with brownie.reverts(revert_pattern=err("ProjectsDeliveryNotConfirmed")):
        projects.confirmInstallation(funded, {"from": registered.owner})


def test_installation_before_funding_reverts(projects, self_funded, registered):
    with brownie.reverts(revert_pattern=err("ProjectsWrongState")):
        projects.confirmInstallation(self_funded, {"from": registered.owner})


def test_commissioning_before_installation_reverts(projects, funded, registered):
    with brownie.reverts(revert_pattern=err("ProjectsWrongState")):
        projects.confirmCommissioning(funded, {"from": registered.manager})


def test_withdraw_with_nothing_owed_reverts(projects, mallory):
    with brownie.reverts(revert_pattern=err("ProjectsNothingToWithdraw")):
        projects.withdraw({"from": mallory})


def test_withdraw_twice_pays_once(projects, funded, registered):
    projects.confirmDelivery(funded, {"from": registered.owner})
    projects.withdraw({"from": registered.provider})
    with brownie.reverts(revert_pattern=err("ProjectsNothingToWithdraw")):
        projects.withdraw({"from": registered.provider})


# --- cancellation --------------------------------------------------------------------------------

def test_cancel_matched_project_refunds_nothing(projects, self_funded, registered):
    tx = projects.cancel(self_funded, {"from": registered.owner})
    assert projects.project(self_funded)["state"] == PROJECT_CANCELLED
    assert tx.events["ProjectCancelled"]["refundClp"] == 0
    assert projects.owedTo(registered.owner) == 0


def test_cancel_funded_project_refunds_owner(projects, token, funded, registered, total):
    projects.cancel(funded, {"from": registered.owner})
    assert projects.owedTo(registered.owner) == total
    projects.withdraw({"from": registered.owner})
    assert token.balanceOf(registered.owner) == total


def test_cancel_after_delivery_refunds_the_rest(projects, funded, registered, total):
    projects.confirmDelivery(funded, {"from": registered.owner})
    tx = projects.cancel(funded, {"from": registered.owner})
    assert tx.events["ProjectCancelled"]["refundClp"] == total - PROVIDER_CLP
    assert projects.owedTo(registered.owner) == total - PROVIDER_CLP
    assert projects.owedTo(registered.provider) == PROVIDER_CLP


def test_admin_may_cancel(projects, funded, operator, registered, total):
    projects.cancel(funded, {"from": operator})
    assert projects.owedTo(registered.owner) == total


def test_cancel_by_outsider_reverts(projects, funded, mallory, registered):
    for account in (mallory, registered.provider, registered.manager):
        with brownie.reverts(revert_pattern=err("ProjectsNotAuthorized")):
            projects.cancel(funded, {"from": account})


def test_cancel_after_installation_reverts(projects, funded, registered):
    projects.confirmDelivery(funded, {"from": registered.owner})
    projects.confirmInstallation(funded, {"from": registered.owner})
    with brownie.reverts(revert_pattern=rf"ProjectsNotCancellable: {funded}, {PROJECT_INSTALLED}"):
        projects.cancel(funded, {"from": registered.owner})


def test_cancel_twice_reverts(projects, funded, registered):
    projects.cancel(funded, {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("ProjectsNotCancellable")):
        projects.cancel(funded, {"from": registered.owner})


def test_cancelled_project_cannot_progress(projects, funded, registered, fund_owner, total):
    projects.cancel(funded, {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("ProjectsWrongState")):
        projects.confirmDelivery(funded, {"from": registered.owner})


def test_cancel_crowdfunded_project_returns_escrow_to_contributors(projects, crowdfunding, token, crowdfunded,
                                                                   registered, investors, total, operator):
    campaign_id = projects.project(crowdfunded)["campaignId"]
    projects.confirmDelivery(crowdfunded, {"from": operator})  # a financed project's inspector
    projects.cancel(crowdfunded, {"from": registered.owner})
    pool = total - PROVIDER_CLP
    assert crowdfunding.campaign(campaign_id)["state"] == CAMPAIGN_CANCELLED
    assert token.balanceOf(crowdfunding) == pool
    paid = [crowdfunding.refund(campaign_id, {"from": investor}).return_value for investor in investors[:2]]
    assert sum(paid) == pool
    contributions = [crowdfunding.contributionOf(campaign_id, investor) for investor in investors[:2]]
    for amount, contribution in zip(paid, contributions):
        assert abs(amount - contribution * pool / total) < 1
    assert token.balanceOf(crowdfunding) == 0


def test_cancel_financed_project_before_goal_refunds_contributions(projects, crowdfunding, token, make_project,
                                                                    fund_investors, investors, registered):
    project_id = make_project(True)
    campaign_id = projects.project(project_id)["campaignId"]
    fund_investors(1_000_000)
    crowdfunding.contribute(campaign_id, 123_456, {"from": investors[0]})
    projects.cancel(project_id, {"from": registered.owner})
    assert crowdfunding.campaign(campaign_id)["state"] == CAMPAIGN_CANCELLED
    assert crowdfunding.refund(campaign_id, {"from": investors[0]}).return_value == 123_456
    assert token.balanceOf(investors[0]) == 1_000_000
