"""EnergySales: terms, deposits, settlement into project revenue or to the beneficiary."""

import brownie
import pytest
from brownie import chain

from energy_helpers import FIRST_DAY, WITHDRAWAL_NOTICE_S, agree_terms, day_leaf, day_start, issue, make_round, submit

TARIFF = 95  # CLP per kWh
COMMISSIONED = day_start(FIRST_DAY)


@pytest.fixture
def certified(certificates, oracle, site, project_site, signer_keys, mallory):
    """Certificates 1 (site, a synthetic clear day) and 2 (project site, 50,001 Wh)."""
    leaves = [day_leaf(site, 10), day_leaf(project_site, 10, 50_001)]
    signed = make_round(1, leaves)
    submit(oracle, signed, signer_keys, mallory)
    issue(certificates, signed, leaves[0], mallory)
    issue(certificates, signed, leaves[1], mallory)
    return leaves


def withdraw_now(sales, offtaker, amount_clp):
    """Request a withdrawal and wait out the notice; returns the withdraw transaction."""
    sales.requestWithdrawal(amount_clp, {"from": offtaker})
    chain.sleep(WITHDRAWAL_NOTICE_S)
    return sales.withdraw({"from": offtaker})


@pytest.fixture
def offtaker(token, sales, site, project_site, carol, operator):
    """carol accepted terms for both installations from their commissioning and has deposited 100,000 CLP."""
    token.mint(carol, 1_000_000, {"from": operator})
    token.approve(sales, 1_000_000, {"from": carol})
    sales.deposit(100_000, {"from": carol})
    agree_terms(sales, 1, carol, TARIFF, COMMISSIONED, operator)
    agree_terms(sales, 2, carol, TARIFF, COMMISSIONED, operator)
    return carol


def test_proposed_terms_bind_once_the_offtaker_accepts(sales, site, carol, operator):
    proposed = sales.proposeTerms(site, carol, TARIFF, COMMISSIONED, {"from": operator})
    assert proposed.events["TermsProposed"]["tariffClpPerKwh"] == TARIFF
    assert sales.termsCount(site) == 0
    assert tuple(sales.proposedTerms(site)) == (carol, TARIFF, COMMISSIONED)
    tx = sales.acceptTerms(site, TARIFF, COMMISSIONED, {"from": carol})
    assert tuple(sales.termsAt(site, 0)) == (carol, TARIFF, COMMISSIONED)
    assert tuple(sales.termsInForce(site, COMMISSIONED)) == (carol, TARIFF, COMMISSIONED)
    assert sales.termsCount(site) == 1
    assert sales.proposedTerms(site)[0] == "0x" + "00" * 20
    assert tx.events["TermsAccepted"]["validFrom"] == COMMISSIONED


def test_propose_terms_for_unknown_installation_reverts(sales, carol, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryUnknownInstallation: 5"):
        sales.proposeTerms(5, carol, TARIFF, COMMISSIONED, {"from": operator})


def test_propose_terms_with_zero_offtaker_reverts(sales, site, operator):
    with brownie.reverts(revert_pattern=r"EnergySalesZeroOfftaker: ?"):
        sales.proposeTerms(site, "0x" + "00" * 20, TARIFF, COMMISSIONED, {"from": operator})


def test_deposit_and_withdraw_after_the_notice(sales, token, offtaker):
    assert sales.depositOf(offtaker) == 100_000
    requested = sales.requestWithdrawal(40_000, {"from": offtaker})
    assert requested.events["WithdrawalRequested"]["availableAt"] == requested.timestamp + WITHDRAWAL_NOTICE_S
    with brownie.reverts(revert_pattern=r"EnergySalesWithdrawalNotDue: .*"):
        sales.withdraw({"from": offtaker})
    chain.sleep(WITHDRAWAL_NOTICE_S)
    tx = sales.withdraw({"from": offtaker})
    assert tx.events["Withdrawn"]["amountClp"] == 40_000
    assert sales.depositOf(offtaker) == 60_000
    assert token.balanceOf(offtaker) == 940_000
    assert token.balanceOf(sales) == 60_000
    assert [int(v) for v in sales.withdrawalRequestOf(offtaker)] == [0, 0]


def test_withdrawal_request_lapses_after_its_window_and_can_be_made_again(sales, token, offtaker):
    sales.requestWithdrawal(40_000, {"from": offtaker})
    chain.sleep(WITHDRAWAL_NOTICE_S + sales.WITHDRAWAL_WINDOW_S() + 1)
    with brownie.reverts(revert_pattern=r"EnergySalesWithdrawalExpired: .*"):
        sales.withdraw({"from": offtaker})
    assert sales.depositOf(offtaker) == 100_000
    sales.requestWithdrawal(40_000, {"from": offtaker})
    with brownie.reverts(revert_pattern=r"EnergySalesWithdrawalNotDue: .*"):
        sales.withdraw({"from": offtaker})  # a new request waits the whole notice again
    chain.sleep(WITHDRAWAL_NOTICE_S)
    assert sales.withdraw({"from": offtaker}).events["Withdrawn"]["amountClp"] == 40_000


def test_withdraw_pays_at_most_the_remaining_deposit(sales, token, offtaker):
    tx = withdraw_now(sales, offtaker, 100_001)
    assert tx.return_value == 100_000
    assert sales.depositOf(offtaker) == 0
    assert token.balanceOf(offtaker) == 1_000_000


def test_withdraw_without_request_reverts(sales, offtaker):
    with brownie.reverts(revert_pattern=r"EnergySalesNoWithdrawalRequested: .*"):
        sales.withdraw({"from": offtaker})


def test_zero_deposit_and_withdrawal_request_revert(sales, offtaker):
    with brownie.reverts(revert_pattern=r"EnergySalesZeroAmount: ?"):
        sales.deposit(0, {"from": offtaker})
    with brownie.reverts(revert_pattern=r"EnergySalesZeroAmount: ?"):
        sales.requestWithdrawal(0, {"from": offtaker})


def test_settle_with_project_pays_crowdfunding_revenue(sales, token, revenue, offtaker, certified, project_id, mallory):
    expected = 50_001 * TARIFF // 1000  # floor: 4,750 CLP (4,750.095)
    assert sales.quote(2, 2) == expected
    tx = sales.settle(2, 2, {"from": mallory})
    assert tx.return_value == expected
    assert revenue.revenueOf(project_id) == expected
    assert token.balanceOf(revenue) == expected
    assert sales.depositOf(offtaker) == 100_000 - expected
    assert sales.isSettled(2)
    ev = tx.events["Settled"]
    assert ev["amountClp"] == expected
    assert ev["projectId"] == project_id
    assert ev["energyWh"] == 50_001
    assert tx.events["RevenueDeposited"]["projectId"] == project_id


def test_settle_without_project_owes_the_beneficiary(sales, token, offtaker, certified, alice, mallory):
    expected = certified[0][3] * TARIFF // 1000
    sales.settle(1, 1, {"from": mallory})
    assert sales.owedTo(alice) == expected
    before = token.balanceOf(alice)
    tx = sales.claim({"from": alice})
    assert tx.return_value == expected
    assert token.balanceOf(alice) == before + expected
    assert sales.owedTo(alice) == 0


def test_claim_with_nothing_owed_reverts(sales, mallory):
    with brownie.reverts(revert_pattern=r"(?i)EnergySalesNothingToClaim: .*"):
        sales.claim({"from": mallory})


def test_settling_twice_is_rejected(sales, offtaker, certified, mallory):
    sales.settle(2, 2, {"from": mallory})
    with brownie.reverts(revert_pattern=r"EnergySalesAlreadySettled: 2"):
        sales.settle(2, 2, {"from": mallory})


def test_settling_a_certificate_of_another_installation_is_rejected(sales, offtaker, certified, mallory):
    with brownie.reverts(revert_pattern=r"EnergySalesWrongInstallation: 1, 2, 1"):
        sales.settle(2, 1, {"from": mallory})


def test_settling_an_unknown_certificate_reverts(sales, offtaker, certified, mallory):
    with brownie.reverts(revert_pattern=r"GenerationCertificatesUnknownCertificate: 3"):
        sales.settle(1, 3, {"from": mallory})


def test_settling_without_terms_reverts(sales, certified, mallory):
    with brownie.reverts(revert_pattern=rf"EnergySalesNoTerms: 1, {COMMISSIONED}"):
        sales.settle(1, 1, {"from": mallory})


def test_insufficient_deposit_reverts_and_pays_nothing(sales, revenue, offtaker, certified, project_id, mallory):
    withdraw_now(sales, offtaker, 100_000 - 4_749)  # one peso short of 4,750
    with brownie.reverts(revert_pattern=r"(?i)EnergySalesInsufficientDeposit: .*, 4750, 4749"):
        sales.settle(2, 2, {"from": mallory})
    assert revenue.revenueOf(project_id) == 0
    assert sales.depositOf(offtaker) == 4_749
    assert not sales.isSettled(2)


def test_settlements_of_many_certificates_use_separate_flags(sales, offtaker, certified, mallory):
    sales.settle(1, 1, {"from": mallory})
    assert sales.isSettled(1)
    assert not sales.isSettled(2)
    assert not sales.isSettled(257)


def test_paused_settlement_reverts_and_deposits_still_work(sales, offtaker, certified, operator, mallory):
    sales.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause: ?"):
        sales.settle(2, 2, {"from": mallory})
    withdraw_now(sales, offtaker, 1)
    sales.deposit(1, {"from": offtaker})
    sales.unpause({"from": operator})
    sales.settle(2, 2, {"from": mallory})
    assert sales.isSettled(2)


@pytest.mark.parametrize(
    "call",
    [
        lambda s, a: s.proposeTerms(1, a, 1, COMMISSIONED, {"from": a}),
        lambda s, a: s.pause({"from": a}),
        lambda s, a: s.unpause({"from": a}),
    ],
    ids=["proposeTerms", "pause", "unpause"],
)
def test_mallory_cannot_call_role_gated_functions(sales, site, mallory, call):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        call(sales, mallory)


def test_tariff_above_56_bits_is_rejected(sales, site, carol, operator):
    with brownie.reverts(revert_pattern=rf"EnergySalesTariffTooLarge: {2**56}"):
        sales.proposeTerms(site, carol, 2**56, COMMISSIONED, {"from": operator})


def test_zero_tariff_is_rejected(sales, site, carol, operator):
    with brownie.reverts(revert_pattern=r"EnergySalesZeroTariff: ?"):
        sales.proposeTerms(site, carol, 0, COMMISSIONED, {"from": operator})
    assert sales.proposedTerms(site)[0] == "0x" + "00" * 20


def test_terms_must_follow_the_previous_accepted_terms(sales, site, offtaker, operator):
    with brownie.reverts(revert_pattern=rf"EnergySalesTermsNotAfterPrevious: {site}, {COMMISSIONED}, {COMMISSIONED}"):
        sales.proposeTerms(site, offtaker, TARIFF + 1, COMMISSIONED, {"from": operator})


def test_nobody_can_use_up_a_settlement_that_pays_nothing(sales, certificates, oracle, site, offtaker, signer_keys, mallory):
    """10 Wh at 95 CLP/kWh is 0.95 CLP, floor 0: settling it would mark the certificate paid for
    nothing, so it reverts and the certificate stays unsettled."""
    leaf = day_leaf(site, FIRST_DAY, 10)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    token_id = issue(certificates, signed, leaf, mallory).return_value
    assert sales.quote(site, token_id) == 0
    with brownie.reverts(revert_pattern=rf"EnergySalesNothingToPay: {token_id}"):
        sales.settle(site, token_id, {"from": mallory})
    assert not sales.isSettled(token_id)
    assert sales.depositOf(offtaker) == 100_000


def test_settle_pays_the_beneficiary_when_the_project_refuses_revenue(sales, revenue, offtaker, certified, project_id, bob, mallory):
    """A cancelled project's crowdfunding takes no revenue (acceptsRevenue false): the beneficiary
    is owed the energy instead, as for an installation without a project."""
    revenue.setRefuses(project_id, True)
    tx = sales.settle(2, 2, {"from": mallory})
    assert tx.events["Settled"]["projectId"] == 0
    assert revenue.revenueOf(project_id) == 0
    assert sales.owedTo(bob) == 50_001 * TARIFF // 1000
