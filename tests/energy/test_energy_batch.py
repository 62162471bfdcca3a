"""GenerationCertificates.issueBatch: several leaves of one round in one transaction, all or nothing,
with exactly the checks of `issue` for every leaf."""

import brownie
import pytest

from energy_helpers import day_leaf, installation_params, issue, leaf_arg, make_round, submit

SUSPENDED = 1


@pytest.fixture
def days10_11(oracle, site, project_site, signer_keys, mallory):
    """Round 1: days 10 and 11 of 2026 for installation 1 (alice) and 2 (bob)."""
    leaves = [day_leaf(site, 10), day_leaf(site, 11), day_leaf(project_site, 10, 50_000), day_leaf(project_site, 11, 60_000)]
    signed = make_round(1, leaves)
    submit(oracle, signed, signer_keys, mallory)
    return signed, leaves


def issue_batch(certificates, signed, leaves, sender, proofs=None):
    proofs = [signed.proof(leaf) for leaf in leaves] if proofs is None else proofs
    return certificates.issueBatch(signed.round_id, [leaf_arg(leaf) for leaf in leaves], proofs, {"from": sender})


def test_batch_mints_every_leaf_to_its_beneficiary_with_sequential_ids(certificates, days10_11, alice, bob, mallory):
    signed, leaves = days10_11
    tx = issue_batch(certificates, signed, leaves, mallory)
    assert tx.return_value == 1
    assert certificates.certificateCount() == 4
    owners = [alice, alice, bob, bob]
    for token_id, (leaf, owner) in enumerate(zip(leaves, owners), start=1):
        assert certificates.balanceOf(owner, token_id) == leaf[3]
        cert = certificates.certificate(token_id)
        assert cert["installationId"] == leaf[0]
        assert cert["periodStart"] == leaf[1]
        assert cert["periodEnd"] == leaf[2]
        assert cert["energyWh"] == leaf[3]
        assert cert["roundId"] == 1
    issued = tx.events["CertificateIssued"]
    assert [int(ev["tokenId"]) for ev in issued] == [1, 2, 3, 4]
    assert [ev["readingsRoot"] for ev in issued] == ["0x" + leaf[4].hex() for leaf in leaves]
    assert len(tx.events["TransferSingle"]) == 4
    assert certificates.certifiedUntil(1) == leaves[1][2]
    assert certificates.certifiedUntil(2) == leaves[3][2]


def test_batch_ids_continue_after_single_issues(certificates, days10_11, mallory):
    signed, leaves = days10_11
    issue(certificates, signed, leaves[0], mallory)
    tx = issue_batch(certificates, signed, leaves[1:3], mallory)
    assert tx.return_value == 2
    assert certificates.certificate(3)["installationId"] == 2
    assert issue(certificates, signed, leaves[3], mallory).return_value == 4


def test_batch_of_one_equals_issue(certificates, days10_11, alice, mallory):
    signed, leaves = days10_11
    assert issue_batch(certificates, signed, leaves[:1], mallory).return_value == 1
    assert certificates.balanceOf(alice, 1) == leaves[0][3]


def test_empty_batch_reverts(certificates, days10_11, mallory):
    signed, _ = days10_11
    with brownie.reverts(revert_pattern=r"GenerationCertificatesEmptyBatch: ?"):
        issue_batch(certificates, signed, [], mallory)


def test_one_proof_per_leaf_is_required(certificates, days10_11, mallory):
    signed, leaves = days10_11
    with brownie.reverts(revert_pattern=r"GenerationCertificatesBatchLengthMismatch: 2, 1"):
        issue_batch(certificates, signed, leaves[:2], mallory, proofs=[signed.proof(leaves[0])])


def assert_nothing_issued(certificates, installation_registry, alice, bob):
    """No certificate, no balance, and every installation's watermark still at its commissioning date."""
    assert certificates.certificateCount() == 0
    count = installation_registry.installationCount()
    assert count >= 2
    for installation_id in range(1, count + 1):
        assert certificates.certifiedUntil(installation_id) == installation_registry.installation(installation_id)["commissionedAt"]
    for token_id in range(1, 5):
        assert certificates.balanceOf(alice, token_id) == 0
        assert certificates.balanceOf(bob, token_id) == 0


def test_one_forged_leaf_reverts_the_whole_batch(certificates, installation_registry, days10_11, alice, bob, mallory):
    signed, leaves = days10_11
    before = certificates.certifiedUntil(1)
    forged = list(leaves[2])
    forged[3] *= 2
    with brownie.reverts(revert_pattern=r"GenerationCertificatesInvalidProof: 1, 2"):
        issue_batch(certificates, signed, [leaves[0], forged], mallory, proofs=[signed.proof(leaves[0]), signed.proof(leaves[2])])
    assert certificates.certifiedUntil(1) == before
    assert_nothing_issued(certificates, installation_registry, alice, bob)


def test_a_proof_for_another_leaf_of_the_batch_is_rejected(certificates, days10_11, mallory):
    signed, leaves = days10_11
    with brownie.reverts(revert_pattern=r"GenerationCertificatesInvalidProof: 1, 2"):
        issue_batch(certificates, signed, leaves[:3], mallory,
                    proofs=[signed.proof(leaves[0]), signed.proof(leaves[1]), signed.proof(leaves[1])])


def test_the_same_leaf_twice_in_a_batch_is_rejected(certificates, installation_registry, days10_11, alice, bob, mallory):
    signed, leaves = days10_11
    with brownie.reverts(revert_pattern=r"InstallationRegistryPeriodNotNext: 1, .*"):
        issue_batch(certificates, signed, [leaves[0], leaves[0]], mallory)
    assert_nothing_issued(certificates, installation_registry, alice, bob)


def test_periods_of_one_installation_must_come_in_order(certificates, installation_registry, days10_11, alice, bob,
                                                        mallory):
    signed, leaves = days10_11
    with brownie.reverts(revert_pattern=r"InstallationRegistryPeriodNotNext: 1, .*"):
        issue_batch(certificates, signed, [leaves[1], leaves[0]], mallory)
    assert_nothing_issued(certificates, installation_registry, alice, bob)


def test_a_batch_cannot_recertify_an_issued_period(certificates, days10_11, alice, mallory):
    signed, leaves = days10_11
    issue(certificates, signed, leaves[0], mallory)
    with brownie.reverts(revert_pattern=r"InstallationRegistryPeriodNotNext: 1, .*"):
        issue_batch(certificates, signed, [leaves[2], leaves[0]], mallory)
    assert certificates.certificateCount() == 1
    assert certificates.balanceOf(alice, 1) == leaves[0][3]


def test_a_suspended_installation_reverts_the_batch(certificates, installation_registry, days10_11, alice, bob,
                                                    operator, mallory):
    signed, leaves = days10_11
    installation_registry.setStatus(2, SUSPENDED, {"from": operator})
    with brownie.reverts(revert_pattern=r"InstallationRegistryNotActive: 2, 1"):
        issue_batch(certificates, signed, leaves, mallory)
    assert_nothing_issued(certificates, installation_registry, alice, bob)


def test_unknown_round_reverts(certificates, days10_11, mallory):
    signed, leaves = days10_11
    with brownie.reverts(revert_pattern=r"GenerationCertificatesUnknownRound: 2"):
        certificates.issueBatch(2, [leaf_arg(leaves[0])], [signed.proof(leaves[0])], {"from": mallory})


def test_a_leaf_from_another_round_is_rejected(certificates, oracle, days10_11, site, signer_keys, mallory):
    signed, leaves = days10_11
    later = day_leaf(site, 12)
    signed2 = make_round(2, [later])
    submit(oracle, signed2, signer_keys, mallory)
    with brownie.reverts(revert_pattern=r"GenerationCertificatesLeafOutsideRound: .*"):
        certificates.issueBatch(1, [leaf_arg(leaves[0]), leaf_arg(later)], [signed.proof(leaves[0]), signed2.proof(later)],
                                {"from": mallory})


def test_paused_batch_issuance_reverts(certificates, days10_11, operator, mallory):
    signed, leaves = days10_11
    certificates.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause: ?"):
        issue_batch(certificates, signed, leaves, mallory)
    certificates.unpause({"from": operator})
    assert issue_batch(certificates, signed, leaves, mallory).return_value == 1


def test_a_beneficiary_reentering_issue_mid_batch_gets_the_next_free_id(
    certificates, installation_registry, oracle, ReentrantCertificateReceiver, project_site, signer_keys, operator, mallory
):
    """Ids are reserved before the first mint: a contract beneficiary that re-enters `issue` from
    onERC1155Received cannot take or overwrite an id of the batch in progress."""
    receiver = ReentrantCertificateReceiver.deploy(certificates, {"from": mallory})
    installation_registry.registerInstallation(installation_params(receiver, 0, "BL-EVIL"), {"from": operator})  # id 3
    leaves = [day_leaf(3, 10), day_leaf(2, 10, 50_000), day_leaf(3, 11, 70_000)]
    signed = make_round(1, leaves)
    submit(oracle, signed, signer_keys, mallory)
    receiver.arm(1, leaf_arg(leaves[2]), signed.proof(leaves[2]), {"from": mallory})

    tx = issue_batch(certificates, signed, leaves[:2], mallory)

    assert tx.return_value == 1
    assert receiver.reenteredTokenId() == 3
    assert certificates.certificateCount() == 3
    for token_id, leaf in ((1, leaves[0]), (2, leaves[1]), (3, leaves[2])):
        cert = certificates.certificate(token_id)
        assert (cert["installationId"], cert["periodStart"], cert["energyWh"]) == (leaf[0], leaf[1], leaf[3])
    assert certificates.balanceOf(receiver, 1) == leaves[0][3]
    assert certificates.balanceOf(receiver, 3) == leaves[2][3]
    assert certificates.certifiedUntil(3) == leaves[2][2]


def test_a_reentrant_issue_cannot_certify_a_period_twice(
    certificates, installation_registry, oracle, ReentrantCertificateReceiver, project_site, signer_keys, operator, mallory
):
    """The receiver re-enters with the very leaf being minted: the watermark has already moved."""
    receiver = ReentrantCertificateReceiver.deploy(certificates, {"from": mallory})
    installation_registry.registerInstallation(installation_params(receiver, 0, "BL-EVIL"), {"from": operator})  # id 3
    leaf = day_leaf(3, 10)
    signed = make_round(1, [leaf, day_leaf(3, 11)])
    submit(oracle, signed, signer_keys, mallory)
    receiver.arm(1, leaf_arg(leaf), signed.proof(leaf), {"from": mallory})
    # The re-entered issue of the same leaf fails because the watermark already moved to its end, and
    # its revert undoes the whole batch (so no certificate and no reenteredTokenId remain).
    with brownie.reverts(revert_pattern=rf"InstallationRegistryPeriodNotNext: 3, {leaf[1]}, {leaf[2]}"):
        issue_batch(certificates, signed, [leaf], mallory)
