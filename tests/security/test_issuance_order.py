"""Finding 3: issuing a later period first destroyed the earlier ones. The rule now: a leaf must
start exactly at its installation's watermark, so no order of calls by anyone makes a verified
period uncertifiable."""

from pathlib import Path

import brownie
import pytest
from eth_account import Account

from oracle.chain.issuance import claim_round
from oracle.chain.manifest import ContractEntry, Manifest, connect
from oracle.chain.transactions import MemoryJournal, Sender
from security_energy import DAY_WH, day_leaf, issue, issue_batch, prepare_energy, publish, register


@pytest.fixture(scope="module")
def site(suite, alice, operator):
    prepare_energy(suite, operator)
    return register(suite, alice, operator)


def relayer_claim(suite, operator, round_id, tree):
    """Issue a whole round as the oracle's relayer does (oracle/chain/issuance.py, on web3), from a
    fresh key the operator funds."""
    from brownie import chain, web3

    names = ("GenerationOracle", "InstallationRegistry", "GenerationCertificates")
    entries = {name: ContractEntry(name, suite[name]._name, suite[name].address, 0) for name in names}
    relayer = Account.create()
    operator.transfer(relayer.address, "1 ether")
    oracle_chain = connect(web3.provider.endpoint_uri, Manifest(Path("suite"), chain.id, entries))
    return claim_round(oracle_chain, Sender(oracle_chain, relayer, MemoryJournal()), round_id, tree, say=lambda _: None)


def test_front_running_day_11_before_day_10_fails_and_both_issue_in_order(suite, site, alice, attacker, operator, bob):
    certificates = suite["GenerationCertificates"]
    day10, day11 = day_leaf(site, 10), day_leaf(site, 11)
    signed = publish(suite, operator, [day10, day11], bob)
    with brownie.reverts(revert_pattern=rf"InstallationRegistryPeriodNotNext: {site}, {day11[1]}, {day10[1]}"):
        issue(suite, signed, day11, attacker)
    tx = issue_batch(suite, signed, [day10, day11], bob)  # the relayer's batch, after the attempt
    assert [ev["periodStart"] for ev in tx.events["CertificateIssued"]] == [day10[1], day11[1]]
    assert certificates.balanceOf(alice, 1) == certificates.balanceOf(alice, 2) == DAY_WH
    assert certificates.balanceOf(attacker, 1) == certificates.balanceOf(attacker, 2) == 0
    assert certificates.certifiedUntil(site) == day11[2]


def test_front_running_inside_an_issue_batch_fails(suite, site, attacker, operator, bob):
    certificates = suite["GenerationCertificates"]
    day10, day11 = day_leaf(site, 10), day_leaf(site, 11)
    signed = publish(suite, operator, [day10, day11], bob)
    for order in ([day11], [day11, day10]):
        with brownie.reverts(revert_pattern=rf"InstallationRegistryPeriodNotNext: {site}, {day11[1]}, {day10[1]}"):
            issue_batch(suite, signed, order, attacker)
    assert certificates.certificateCount() == 0
    issue_batch(suite, signed, [day10, day11], bob)
    assert certificates.certificateCount() == 2


def test_a_seven_day_round_issued_last_day_first_loses_nothing(suite, site, alice, attacker, operator, bob):
    certificates = suite["GenerationCertificates"]
    days = [day_leaf(site, 10 + i, energy_wh=DAY_WH + i) for i in range(7)]
    signed = publish(suite, operator, days, bob)
    with brownie.reverts(revert_pattern=r"InstallationRegistryPeriodNotNext: .*"):
        issue(suite, signed, days[-1], attacker)
    result = relayer_claim(suite, operator, signed.round_id, signed.tree)
    assert len(result.certificates) == 7
    assert sum(certificates.balanceOf(alice, token_id) for token_id in range(1, 8)) == sum(d[3] for d in days)
    assert certificates.certifiedUntil(site) == days[-1][2]


def test_a_leaf_spanning_an_outage_issues_and_a_leaf_after_the_gap_does_not(suite, site, alice, operator, bob):
    """Days 11 and 12 were lost to a datalogger outage: the leaf after the gap alone cannot skip
    them, the leaf spanning 11-13 from the watermark issues with what was measured over it."""
    certificates = suite["GenerationCertificates"]
    day10, after_gap = day_leaf(site, 10), day_leaf(site, 13)
    spanning = day_leaf(site, 11, days=3, energy_wh=120_000)
    signed = publish(suite, operator, [day10, after_gap, spanning], bob)
    issue(suite, signed, day10, bob)
    with brownie.reverts(revert_pattern=rf"InstallationRegistryPeriodNotNext: {site}, {after_gap[1]}, {day10[2]}"):
        issue(suite, signed, after_gap, bob)
    issue(suite, signed, spanning, bob)
    assert certificates.certifiedUntil(site) == spanning[2]
    assert certificates.balanceOf(alice, 2) == 120_000


def test_a_failed_front_run_leaves_the_watermark_at_the_commissioning_date(suite, site, attacker, operator, bob):
    registry = suite["InstallationRegistry"]
    commissioned = registry.installation(site)["commissionedAt"]
    later = day_leaf(site, 12)
    signed = publish(suite, operator, [later], bob)
    with brownie.reverts(revert_pattern=r"InstallationRegistryPeriodNotNext: .*"):
        issue(suite, signed, later, attacker)
    assert registry.certifiedUntil(site) == commissioned
    assert tuple(registry.installationOfProject(registry.installation(site)["projectId"])) == (0, False)
