"""Finding 4: the offtaker escaped or shifted payment. Now terms are accepted by their offtaker,
never start before the watermark, price each certificate by its period start, and a deposit
leaves only after a notice during which anyone may settle."""

import brownie
import pytest
from brownie import chain

from scripts.deployment.energy import WITHDRAWAL_NOTICE_S
from security_energy import (
    COMMISSIONED_AT,
    DAY_WH,
    agree_terms,
    day_leaf,
    fund_offtaker,
    issue,
    live_project,
    prepare_energy,
    publish,
    register,
)

TARIFF = 95
DEPOSIT = 1_000_000
OWED_PER_DAY = DAY_WH * TARIFF // 1000  # 9,500 CLP


@pytest.fixture(scope="module")
def sold(suite, alice, carol, operator, bob):
    """Installation (no project, beneficiary alice); carol accepted terms from its commissioning
    and deposited; certificate 1 (day 10) is issued and unsettled."""
    prepare_energy(suite, operator)
    site = register(suite, alice, operator)
    agree_terms(suite, site, carol, TARIFF, COMMISSIONED_AT, operator)
    fund_offtaker(suite, carol, DEPOSIT, operator)
    signed = publish(suite, operator, [day_leaf(site, 10)], bob)
    issue(suite, signed, day_leaf(site, 10), bob)
    return site


def test_a_withdrawal_requested_before_settle_cannot_take_the_money_owed(suite, sold, alice, carol, attacker):
    sales, token = suite["EnergySales"], suite["PaymentToken"]
    sales.requestWithdrawal(DEPOSIT, {"from": carol})
    with brownie.reverts(revert_pattern=r"EnergySalesWithdrawalNotDue: .*"):
        sales.withdraw({"from": carol})  # the same moment as the settle below: nothing leaves
    sales.settle(sold, 1, {"from": attacker})  # anyone settles during the notice
    assert sales.owedTo(alice) == OWED_PER_DAY
    chain.sleep(WITHDRAWAL_NOTICE_S)
    paid = sales.withdraw({"from": carol}).return_value
    assert paid == DEPOSIT - OWED_PER_DAY
    assert token.balanceOf(carol) == DEPOSIT - OWED_PER_DAY
    assert token.balanceOf(attacker) == 0
    sales.claim({"from": alice})
    assert token.balanceOf(alice) == OWED_PER_DAY


def test_the_offtakers_withdrawal_in_the_block_of_the_settle_fails_and_settle_pays(suite, sold, alice, carol, attacker):
    sales = suite["EnergySales"]
    sales.requestWithdrawal(DEPOSIT, {"from": carol})
    chain.sleep(WITHDRAWAL_NOTICE_S - 60)
    with brownie.reverts(revert_pattern=r"EnergySalesWithdrawalNotDue: .*"):
        sales.withdraw({"from": carol})
    sales.settle(sold, 1, {"from": attacker})
    assert sales.isSettled(1)
    assert sales.depositOf(carol) == DEPOSIT - OWED_PER_DAY


def test_a_standing_withdrawal_request_cannot_front_run_a_later_certificate(suite, sold, alice, carol, bob, attacker, operator):
    """The offtaker requests a withdrawal, lets it stand past its payable window, and tries to use it
    the moment a new certificate is issued, before anyone settles it: the request has lapsed."""
    sales = suite["EnergySales"]
    sales.settle(sold, 1, {"from": attacker})
    sales.requestWithdrawal(DEPOSIT, {"from": carol})
    chain.sleep(WITHDRAWAL_NOTICE_S + sales.WITHDRAWAL_WINDOW_S() + 1)
    day11 = day_leaf(sold, 11)
    issue(suite, publish(suite, operator, [day11], bob), day11, bob)
    with brownie.reverts(revert_pattern=r"EnergySalesWithdrawalExpired: .*"):
        sales.withdraw({"from": carol})
    sales.settle(sold, 2, {"from": attacker})
    assert sales.owedTo(alice) == 2 * OWED_PER_DAY
    assert sales.depositOf(carol) == DEPOSIT - 2 * OWED_PER_DAY


def test_a_new_offtaker_neither_pays_nor_reprices_the_old_offtakers_certificates(suite, sold, alice, carol, bob, operator):
    sales = suite["EnergySales"]
    registry = suite["InstallationRegistry"]
    fund_offtaker(suite, bob, DEPOSIT, operator)
    watermark = registry.certifiedUntil(sold)
    agree_terms(suite, sold, bob, 500, watermark, operator)  # bob buys from day 11 on, at 500 CLP/kWh
    tx = sales.settle(sold, 1, {"from": bob})
    assert tx.events["Settled"]["offtaker"] == carol
    assert tx.events["Settled"]["tariffClpPerKwh"] == TARIFF
    assert sales.depositOf(carol) == DEPOSIT - OWED_PER_DAY
    assert sales.depositOf(bob) == DEPOSIT
    day11 = day_leaf(sold, 11)
    signed = publish(suite, operator, [day11], bob)
    issue(suite, signed, day11, bob)
    tx = sales.settle(sold, 2, {"from": carol})
    assert tx.events["Settled"]["offtaker"] == bob
    assert sales.depositOf(bob) == DEPOSIT - DAY_WH * 500 // 1000
    assert sales.depositOf(carol) == DEPOSIT - OWED_PER_DAY


def test_terms_starting_before_the_watermark_are_refused(suite, sold, bob, operator):
    sales = suite["EnergySales"]
    watermark = suite["InstallationRegistry"].certifiedUntil(sold)
    with brownie.reverts(revert_pattern=rf"EnergySalesTermsBeforeWatermark: {sold}, {COMMISSIONED_AT}, {watermark}"):
        sales.proposeTerms(sold, bob, 1, COMMISSIONED_AT, {"from": operator})


def test_acceptance_after_the_watermark_moved_past_the_proposal_is_refused(suite, sold, bob, operator):
    sales = suite["EnergySales"]
    watermark = suite["InstallationRegistry"].certifiedUntil(sold)
    sales.proposeTerms(sold, bob, 1, watermark, {"from": operator})
    day11 = day_leaf(sold, 11)
    signed = publish(suite, operator, [day11], bob)
    issue(suite, signed, day11, bob)
    with brownie.reverts(revert_pattern=r"EnergySalesTermsBeforeWatermark: .*"):
        sales.acceptTerms(sold, 1, watermark, {"from": bob})


def test_an_offtaker_cannot_be_bound_to_terms_it_did_not_accept(suite, alice, bob, attacker, operator):
    """Terms proposed to bob bind nobody until bob accepts exactly them: settlement finds no terms
    and bob's deposit stays; nobody else can accept for him, nor he other terms."""
    sales = suite["EnergySales"]
    prepare_energy(suite, operator)
    site = register(suite, alice, operator)
    fund_offtaker(suite, bob, DEPOSIT, operator)
    sales.proposeTerms(site, bob, TARIFF, COMMISSIONED_AT, {"from": operator})
    signed = publish(suite, operator, [day_leaf(site, 10)], bob)
    token_id = issue(suite, signed, day_leaf(site, 10), bob).events["CertificateIssued"]["tokenId"]
    with brownie.reverts(revert_pattern=rf"EnergySalesNoTerms: {site}, {COMMISSIONED_AT}"):
        sales.settle(site, token_id, {"from": attacker})
    with brownie.reverts(revert_pattern=r"EnergySalesTermsNotProposed: .*"):
        sales.acceptTerms(site, TARIFF, COMMISSIONED_AT, {"from": attacker})
    with brownie.reverts(revert_pattern=r"EnergySalesTermsNotProposed: .*"):
        sales.acceptTerms(site, TARIFF + 1, COMMISSIONED_AT, {"from": bob})
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        sales.proposeTerms(site, bob, 10**6, COMMISSIONED_AT, {"from": attacker})
    assert sales.depositOf(bob) == DEPOSIT
    assert sales.termsCount(site) == 0


def test_a_cancelled_projects_energy_is_paid_to_the_beneficiary(suite, alice, carol, operator, bob):
    sales, crowdfunding = suite["EnergySales"], suite["Crowdfunding"]
    prepare_energy(suite, operator)
    project = live_project(suite, operator, operator)
    site = register(suite, alice, operator, project_id=project)
    agree_terms(suite, site, carol, TARIFF, COMMISSIONED_AT, operator)
    fund_offtaker(suite, carol, DEPOSIT, operator)
    suite["Projects"].cancel(project, {"from": operator})
    assert not crowdfunding.acceptsRevenue(project)
    signed = publish(suite, operator, [day_leaf(site, 10)], bob)
    token_id = issue(suite, signed, day_leaf(site, 10), bob).events["CertificateIssued"]["tokenId"]
    tx = sales.settle(site, token_id, {"from": bob})
    assert tx.events["Settled"]["projectId"] == 0
    assert "RevenueDeposited" not in tx.events
    assert sales.owedTo(alice) == OWED_PER_DAY
