"""Finding 5: rounds without bounds. Now the admin revokes a bad round, round ids increase by
exactly one, a leaf carries at most its installation's capacity over its period, and a round
issues at most the leaves and Wh it declared."""

import brownie
import pytest

from security_energy import CAPACITY_W, DAY_S, day_leaf, issue, issue_batch, prepare_energy, publish, register, signed_round, submit

MAX_DAY_WH = CAPACITY_W * DAY_S // 3600  # 720,000 Wh


@pytest.fixture(scope="module")
def sites(suite, alice, bob, operator):
    prepare_energy(suite, operator)
    return register(suite, alice, operator), register(suite, bob, operator)


def test_a_revoked_round_issues_nothing_more_and_keeps_what_was_issued(suite, sites, alice, bob, attacker, operator):
    oracle, certificates = suite["GenerationOracle"], suite["GenerationCertificates"]
    first, second = day_leaf(sites[0], 10), day_leaf(sites[1], 10)
    signed = publish(suite, operator, [first, second], bob)
    issue(suite, signed, first, bob)
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        oracle.revokeRound(signed.round_id, "attacker", {"from": attacker})
    tx = oracle.revokeRound(signed.round_id, "meter of installation 2 read double", {"from": operator})
    assert tx.events["RoundRevoked"]["reason"] == "meter of installation 2 read double"
    assert oracle.rounds(signed.round_id)["revoked"]
    with brownie.reverts(revert_pattern=rf"GenerationCertificatesRoundRevoked: {signed.round_id}"):
        issue(suite, signed, second, attacker)
    assert certificates.balanceOf(alice, 1) == first[3]
    assert certificates.balanceOf(bob, 2) == 0
    with brownie.reverts(revert_pattern=rf"GenerationOracleRoundAlreadyRevoked: {signed.round_id}"):
        oracle.revokeRound(signed.round_id, "again", {"from": operator})
    with brownie.reverts(revert_pattern=r"GenerationOracleUnknownRound: 99"):
        oracle.revokeRound(99, "never submitted", {"from": operator})


def test_a_round_with_the_last_id_cannot_block_later_rounds(suite, sites, operator, attacker, bob):
    oracle = suite["GenerationOracle"]
    blocking = signed_round(suite, operator, [day_leaf(sites[0], 10)], round_id=2**32 - 1)
    with brownie.reverts(revert_pattern=rf"GenerationOracleRoundNotNext: {2**32 - 1}, 1"):
        submit(suite, blocking, operator, attacker)
    publish(suite, operator, [day_leaf(sites[0], 10)], bob)
    publish(suite, operator, [day_leaf(sites[0], 11)], bob)
    assert oracle.lastRoundId() == 2


def test_a_leaf_above_the_installations_capacity_does_not_issue(suite, sites, alice, bob, operator):
    too_much = day_leaf(sites[0], 10, energy_wh=MAX_DAY_WH + 1)
    at_capacity = day_leaf(sites[1], 10, energy_wh=MAX_DAY_WH)
    signed = publish(suite, operator, [too_much, at_capacity], bob)
    with brownie.reverts(
        revert_pattern=rf"InstallationRegistryEnergyAboveCapacity: {sites[0]}, {MAX_DAY_WH + 1}, {MAX_DAY_WH}"
    ):
        issue(suite, signed, too_much, bob)
    issue(suite, signed, at_capacity, bob)
    assert suite["GenerationCertificates"].balanceOf(bob, 1) == MAX_DAY_WH


def test_a_round_issues_no_more_leaves_than_it_declared(suite, sites, bob, operator, attacker):
    certificates = suite["GenerationCertificates"]
    leaves = [day_leaf(sites[0], 10), day_leaf(sites[1], 10)]
    signed = publish(suite, operator, leaves, bob, leaf_count=1)
    with brownie.reverts(revert_pattern=rf"GenerationCertificatesRoundLeavesExceeded: {signed.round_id}, 2, 1"):
        issue_batch(suite, signed, leaves, attacker)
    issue(suite, signed, leaves[0], bob)
    with brownie.reverts(revert_pattern=rf"GenerationCertificatesRoundLeavesExceeded: {signed.round_id}, 2, 1"):
        issue(suite, signed, leaves[1], attacker)
    assert tuple(certificates.issuedOfRound(signed.round_id)) == (1, leaves[0][3])


def test_a_round_issues_no_more_wh_than_it_declared(suite, sites, bob, operator, attacker):
    certificates = suite["GenerationCertificates"]
    leaves = [day_leaf(sites[0], 10, energy_wh=60_000), day_leaf(sites[1], 10, energy_wh=50_000)]
    signed = publish(suite, operator, leaves, bob, total_energy_wh=100_000)
    with brownie.reverts(revert_pattern=rf"GenerationCertificatesRoundEnergyExceeded: {signed.round_id}, 110000, 100000"):
        issue_batch(suite, signed, leaves, attacker)
    issue(suite, signed, leaves[0], bob)
    with brownie.reverts(revert_pattern=rf"GenerationCertificatesRoundEnergyExceeded: {signed.round_id}, 110000, 100000"):
        issue(suite, signed, leaves[1], attacker)
    assert tuple(certificates.issuedOfRound(signed.round_id)) == (1, 60_000)
