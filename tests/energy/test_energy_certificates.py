"""GenerationCertificates: issuance by proof, watermark, metadata, retirement, export, pause."""

import base64
import json

import brownie
import eth_abi
from brownie import web3
import pytest

from energy_helpers import (
    DAY_S,
    FACTOR_2025_G_PER_KWH,
    FACTOR_2026_G_PER_KWH,
    FIRST_DAY,
    YEAR_2025_START,
    day_leaf,
    installation_params,
    issue,
    leaf_arg,
    make_round,
    reading_tree,
    solar_day_wh,
    submit,
)
from oracle.merkle import StandardMerkleTree, reading_leaf_types

SUSPENDED, DECOMMISSIONED = 1, 2


@pytest.fixture
def day10(oracle, site, project_site, signer_keys, mallory):
    """Round 1: day 10 of 2026 for both installations."""
    leaves = [day_leaf(site, 10), day_leaf(project_site, 10, 50_000)]
    signed = make_round(1, leaves)
    submit(oracle, signed, signer_keys, mallory)
    return signed, leaves


@pytest.fixture
def issued(certificates, day10, mallory):
    """Certificate 1: alice's site, day 10."""
    signed, leaves = day10
    return issue(certificates, signed, leaves[0], mallory).return_value


def test_anyone_can_issue_and_the_beneficiary_receives(certificates, day10, alice, mallory):
    signed, leaves = day10
    tx = issue(certificates, signed, leaves[0], mallory)
    assert tx.return_value == 1
    assert certificates.balanceOf(alice, 1) == leaves[0][3]
    assert certificates.balanceOf(mallory, 1) == 0
    ev = tx.events["CertificateIssued"]
    assert ev["tokenId"] == 1
    assert ev["installationId"] == 1
    assert ev["roundId"] == 1
    assert ev["energyWh"] == leaves[0][3]
    assert ev["beneficiary"] == alice
    assert tx.events["TransferSingle"]["to"] == alice


def test_certificate_metadata_is_stored(certificates, issued, day10):
    _, leaves = day10
    cert = certificates.certificate(issued)
    assert cert["installationId"] == 1
    assert cert["periodStart"] == leaves[0][1]
    assert cert["periodEnd"] == leaves[0][2]
    assert cert["energyWh"] == leaves[0][3]
    assert cert["roundId"] == 1
    assert cert["emissionFactorYear"] == 2026
    assert cert["retiredWh"] == 0
    assert cert["exportedWh"] == 0
    assert certificates.certificateCount() == 1


def test_token_ids_are_sequential(certificates, issued, day10, mallory):
    signed, leaves = day10
    assert issue(certificates, signed, leaves[1], mallory).return_value == 2


def test_uri_is_json_with_the_certificate_fields(certificates, issued, day10):
    _, leaves = day10
    uri = certificates.uri(issued)
    prefix = "data:application/json;base64,"
    assert uri.startswith(prefix)
    meta = json.loads(base64.b64decode(uri[len(prefix):]))
    assert meta["properties"]["energyWh"] == leaves[0][3]
    assert meta["properties"]["periodStart"] == leaves[0][1]
    assert meta["properties"]["emissionFactorYear"] == 2026
    assert "readingsRoot" not in meta["properties"]


def test_readings_root_is_in_the_issued_event(certificates, day10, mallory):
    signed, leaves = day10
    tx = issue(certificates, signed, leaves[0], mallory)
    assert tx.events["CertificateIssued"]["readingsRoot"] == "0x" + leaves[0][4].hex()


def test_uri_of_unknown_token_reverts(certificates):
    with brownie.reverts(revert_pattern=r"GenerationCertificatesUnknownCertificate: 1"):
        certificates.uri(1)


def test_a_single_reading_can_be_proven_against_the_readings_root(certificates, issued):
    ev = brownie.history[-1].events["CertificateIssued"]
    root = bytes.fromhex(str(ev["readingsRoot"])[2:])
    start = certificates.certificate(issued)["periodStart"]
    tree = reading_tree(1, start, solar_day_wh())
    reading = (1, start + 52 * 900, solar_day_wh()[52])
    assert StandardMerkleTree.verify(root, reading_leaf_types, reading, tree.proof(reading))
    assert not StandardMerkleTree.verify(root, reading_leaf_types, (1, start + 52 * 900, 1), tree.proof(reading))


def test_watermark_moves_to_period_end(certificates, issued, day10):
    _, leaves = day10
    assert certificates.certifiedUntil(1) == leaves[0][2]


def test_mitigation_is_wh_times_factor_of_the_year(certificates, issued, day10):
    _, leaves = day10
    assert certificates.mitigationGrams(issued, leaves[0][3]) == leaves[0][3] * FACTOR_2026_G_PER_KWH // 1000
    assert certificates.mitigationGrams(issued, 999) == 999 * FACTOR_2026_G_PER_KWH // 1000


def test_year_of_a_2025_period_uses_the_2025_factor(certificates, installation_registry, oracle, signer_keys,
                                                    operator, mallory):
    start = YEAR_2025_START + 364 * DAY_S
    old_site = installation_registry.registerInstallation(
        installation_params(operator, serial="BL-2025", commissioned_at=start), {"from": operator}
    ).return_value
    leaf = (old_site, start, start + DAY_S, 10_000, b"\x01" * 32)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    issue(certificates, signed, leaf, mallory)
    assert certificates.certificate(1)["emissionFactorYear"] == 2025
    assert certificates.mitigationGrams(1, 10_000) == 10_000 * FACTOR_2025_G_PER_KWH // 1000


def test_issuing_without_an_emission_factor_for_the_year_reverts(certificates, installation_registry, oracle,
                                                                 signer_keys, operator, mallory):
    old_site = installation_registry.registerInstallation(
        installation_params(operator, serial="BL-2024", commissioned_at=1_704_067_200), {"from": operator}
    ).return_value
    leaf = (old_site, 1_704_067_200, 1_704_153_600, 10_000, b"\x01" * 32)  # 2024-01-01
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    with brownie.reverts(revert_pattern=r"InstallationRegistryEmissionFactorNotSet: 2024"):
        issue(certificates, signed, leaf, mallory)


def test_same_leaf_twice_is_rejected(certificates, issued, day10, mallory):
    signed, leaves = day10
    with brownie.reverts(revert_pattern=r"InstallationRegistryPeriodNotNext: .*"):
        issue(certificates, signed, leaves[0], mallory)


def test_overlapping_period_in_a_later_round_is_rejected(certificates, oracle, issued, day10, signer_keys, mallory):
    # a two-day leaf covering day 10 (already certified) and day 11
    overlap = day_leaf(1, 10, days=2)
    signed = make_round(2, [overlap])
    submit(oracle, signed, signer_keys, mallory)
    with brownie.reverts(revert_pattern=r"InstallationRegistryPeriodNotNext: .*"):
        issue(certificates, signed, overlap, mallory)


def test_a_later_period_waits_for_the_one_at_the_watermark(certificates, oracle, site, signer_keys, mallory):
    first, second = day_leaf(site, FIRST_DAY), day_leaf(site, FIRST_DAY + 1)
    signed = make_round(1, [first, second])
    submit(oracle, signed, signer_keys, mallory)
    with brownie.reverts(revert_pattern=rf"InstallationRegistryPeriodNotNext: {site}, {second[1]}, {first[1]}"):
        issue(certificates, signed, second, mallory)
    issue(certificates, signed, first, mallory)
    issue(certificates, signed, second, mallory)
    assert certificates.certifiedUntil(site) == second[2]


def test_next_period_after_the_watermark_issues(certificates, oracle, issued, signer_keys, mallory):
    nxt = day_leaf(1, 11)
    signed = make_round(2, [nxt])
    submit(oracle, signed, signer_keys, mallory)
    assert issue(certificates, signed, nxt, mallory).return_value == 2


def test_forged_proof_is_rejected(certificates, day10, mallory):
    signed, leaves = day10
    with brownie.reverts(revert_pattern=r"GenerationCertificatesInvalidProof: 1, 1"):
        certificates.issue(1, leaf_arg(leaves[0]), ["0x" + "ab" * 32], {"from": mallory})


def test_leaf_with_inflated_energy_is_rejected(certificates, day10, mallory):
    signed, leaves = day10
    forged = list(leaves[0])
    forged[3] = leaves[0][3] * 2
    with brownie.reverts(revert_pattern=r"GenerationCertificatesInvalidProof: 1, 1"):
        certificates.issue(1, leaf_arg(forged), signed.proof(leaves[0]), {"from": mallory})


def test_leaf_moved_to_another_installation_is_rejected(certificates, day10, mallory):
    signed, leaves = day10
    forged = list(leaves[0])
    forged[0] = 2
    with brownie.reverts(revert_pattern=r"GenerationCertificatesInvalidProof: 1, 2"):
        certificates.issue(1, leaf_arg(forged), signed.proof(leaves[0]), {"from": mallory})


def test_unknown_round_is_rejected(certificates, day10, mallory):
    signed, leaves = day10
    with brownie.reverts(revert_pattern=r"GenerationCertificatesUnknownRound: 2"):
        certificates.issue(2, leaf_arg(leaves[0]), signed.proof(leaves[0]), {"from": mallory})


def test_leaf_outside_the_round_period_is_rejected(certificates, oracle, site, signer_keys, mallory):
    leaf = day_leaf(site, 10)
    signed = make_round(1, [leaf], period=(leaf[1] + DAY_S // 2, leaf[2]))
    submit(oracle, signed, signer_keys, mallory)
    with brownie.reverts(revert_pattern=r"GenerationCertificatesLeafOutsideRound: .*"):
        issue(certificates, signed, leaf, mallory)


def test_leaf_with_empty_period_is_rejected(certificates, oracle, site, signer_keys, mallory):
    leaf = day_leaf(site, 10)
    empty = (site, leaf[1], leaf[1], 100, leaf[4])
    signed = make_round(1, [leaf, empty], period=(leaf[1], leaf[2]))
    submit(oracle, signed, signer_keys, mallory)
    with brownie.reverts(revert_pattern=r"GenerationCertificatesEmptyPeriod: .*"):
        issue(certificates, signed, empty, mallory)


@pytest.mark.parametrize("energy_wh", [0, 2**80])
def test_leaf_with_invalid_energy_is_rejected(certificates, oracle, site, signer_keys, mallory, energy_wh):
    leaf = day_leaf(site, 10, energy_wh)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    with brownie.reverts(revert_pattern=rf"GenerationCertificatesInvalidEnergy: {energy_wh}"):
        issue(certificates, signed, leaf, mallory)


def test_leaf_of_unregistered_installation_is_rejected(certificates, oracle, site, signer_keys, mallory):
    leaf = day_leaf(99, 10)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    with brownie.reverts(revert_pattern=r"InstallationRegistryUnknownInstallation: 99"):
        issue(certificates, signed, leaf, mallory)


@pytest.mark.parametrize("status", [SUSPENDED, DECOMMISSIONED])
def test_inactive_installation_cannot_issue(certificates, installation_registry, day10, operator, mallory, status):
    signed, leaves = day10
    installation_registry.setStatus(1, status, {"from": operator})
    with brownie.reverts(revert_pattern=rf"InstallationRegistryNotActive: 1, {status}"):
        issue(certificates, signed, leaves[0], mallory)


def test_reactivated_installation_issues_again(certificates, installation_registry, day10, operator, mallory):
    signed, leaves = day10
    installation_registry.setStatus(1, SUSPENDED, {"from": operator})
    installation_registry.setStatus(1, 0, {"from": operator})
    assert issue(certificates, signed, leaves[0], mallory).return_value == 1


def test_certificates_follow_the_beneficiary_at_issuance(certificates, installation_registry, day10, carol, operator,
                                                         mallory):
    signed, leaves = day10
    installation_registry.setBeneficiary(1, carol, {"from": operator})
    issue(certificates, signed, leaves[0], mallory)
    assert certificates.balanceOf(carol, 1) == leaves[0][3]


def test_transfer_moves_wh(certificates, issued, alice, bob):
    certificates.safeTransferFrom(alice, bob, issued, 1_000, b"", {"from": alice})
    assert certificates.balanceOf(bob, issued) == 1_000


def test_retire_burns_and_records(certificates, issued, alice, chain):
    before = certificates.balanceOf(alice, issued)
    tx = certificates.retire(issued, 2_000, "Municipalidad de Santiago", "Scope 2", "2026", "CL", {"from": alice})
    assert tx.return_value == 1
    assert certificates.balanceOf(alice, issued) == before - 2_000
    assert certificates.certificate(issued)["retiredWh"] == 2_000
    assert certificates.retirementCount() == 1
    ev = tx.events["CertificateRetired"]
    assert ev["retirementId"] == 1
    assert ev["tokenId"] == issued
    assert ev["holder"] == alice
    assert ev["amountWh"] == 2_000
    assert ev["beneficiary"] == "Municipalidad de Santiago"
    assert ev["purpose"] == "Scope 2"
    assert ev["reportingPeriod"] == "2026"
    assert ev["country"] == "CL"
    assert ev["retiredAt"] == tx.timestamp


def test_retirement_hash_commits_to_the_event_fields(certificates, issued, alice):
    tx = certificates.retire(issued, 2_000, "Municipalidad de Santiago", "Scope 2", "2026", "CL", {"from": alice})
    fields = (issued, alice.address, 2_000, "Municipalidad de Santiago", "Scope 2", "2026", "CL", tx.timestamp)
    expected = web3.keccak(eth_abi.encode(
        ["uint256", "address", "uint256", "string", "string", "string", "string", "uint256"], fields))
    assert certificates.retirementHash(1) == "0x" + expected.hex().removeprefix("0x")
    assert certificates.verifyRetirement(1, fields)


def test_verify_retirement_rejects_an_altered_field(certificates, issued, alice):
    tx = certificates.retire(issued, 2_000, "Municipalidad de Santiago", "Scope 2", "2026", "CL", {"from": alice})
    forged = (issued, alice.address, 2_000, "Someone Else", "Scope 2", "2026", "CL", tx.timestamp)
    assert not certificates.verifyRetirement(1, forged)
    assert not certificates.verifyRetirement(2, forged)


def test_retire_more_than_balance_reverts(certificates, issued, alice):
    balance = certificates.balanceOf(alice, issued)
    with brownie.reverts(revert_pattern=r"ERC1155InsufficientBalance: .*"):
        certificates.retire(issued, balance + 1, "x", "y", "2026", "CL", {"from": alice})


def test_retire_by_non_holder_reverts(certificates, issued, mallory):
    with brownie.reverts(revert_pattern=r"ERC1155InsufficientBalance: .*"):
        certificates.retire(issued, 1, "x", "y", "2026", "CL", {"from": mallory})


def test_retire_zero_reverts(certificates, issued, alice):
    with brownie.reverts(revert_pattern=r"GenerationCertificatesZeroAmount: ?"):
        certificates.retire(issued, 0, "x", "y", "2026", "CL", {"from": alice})


def test_retire_unknown_token_reverts(certificates, issued, alice):
    with brownie.reverts(revert_pattern=r"GenerationCertificatesUnknownCertificate: 2"):
        certificates.retire(2, 1, "x", "y", "2026", "CL", {"from": alice})


def test_unknown_records_revert(certificates):
    with brownie.reverts(revert_pattern=r"GenerationCertificatesUnknownRecord: 1"):
        certificates.retirementHash(1)
    with brownie.reverts(revert_pattern=r"GenerationCertificatesUnknownRecord: 1"):
        certificates.exportHash(1)


def test_lock_for_export_burns_and_records(certificates, issued, alice):
    before = certificates.balanceOf(alice, issued)
    tx = certificates.lockForExport(issued, 3_000, "RENAMI Chile", "CL-2026-000123", {"from": alice})
    assert tx.return_value == 1
    assert certificates.balanceOf(alice, issued) == before - 3_000
    assert certificates.certificate(issued)["exportedWh"] == 3_000
    ev = tx.events["ExportLocked"]
    assert ev["exportId"] == 1
    assert ev["tokenId"] == issued
    assert ev["holder"] == alice
    assert ev["amountWh"] == 3_000
    assert ev["registry"] == "RENAMI Chile"
    assert ev["externalReference"] == "CL-2026-000123"
    assert ev["exportedAt"] == tx.timestamp
    assert certificates.exportCount() == 1
    fields = (issued, alice.address, 3_000, "RENAMI Chile", "CL-2026-000123", tx.timestamp)
    assert certificates.verifyExport(1, fields)
    assert not certificates.verifyExport(1, (issued, alice.address, 3_001, "RENAMI Chile", "CL-2026-000123", tx.timestamp))


def test_exported_wh_cannot_be_transferred(certificates, issued, alice, bob):
    balance = certificates.balanceOf(alice, issued)
    certificates.lockForExport(issued, balance, "RENAMI Chile", "ref", {"from": alice})
    with brownie.reverts(revert_pattern=r"ERC1155InsufficientBalance: .*"):
        certificates.safeTransferFrom(alice, bob, issued, 1, b"", {"from": alice})


def test_exported_wh_cannot_be_retired(certificates, issued, alice):
    balance = certificates.balanceOf(alice, issued)
    certificates.lockForExport(issued, balance - 10, "RENAMI Chile", "ref", {"from": alice})
    with brownie.reverts(revert_pattern=r"ERC1155InsufficientBalance: .*"):
        certificates.retire(issued, 11, "x", "y", "2026", "CL", {"from": alice})
    certificates.retire(issued, 10, "x", "y", "2026", "CL", {"from": alice})
    cert = certificates.certificate(issued)
    assert cert["retiredWh"] + cert["exportedWh"] == cert["energyWh"]


def test_export_zero_reverts(certificates, issued, alice):
    with brownie.reverts(revert_pattern=r"GenerationCertificatesZeroAmount: ?"):
        certificates.lockForExport(issued, 0, "r", "x", {"from": alice})


def test_paused_issuance_reverts_but_transfer_retire_export_work(certificates, day10, issued, alice, bob, operator,
                                                                 mallory):
    signed, leaves = day10
    certificates.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause: ?"):
        issue(certificates, signed, leaves[1], mallory)
    certificates.safeTransferFrom(alice, bob, issued, 100, b"", {"from": alice})
    certificates.retire(issued, 100, "x", "y", "2026", "CL", {"from": bob})
    certificates.lockForExport(issued, 100, "r", "x", {"from": alice})
    assert certificates.certificate(issued)["retiredWh"] == 100
    certificates.unpause({"from": operator})
    assert issue(certificates, signed, leaves[1], mallory).return_value == 2


def test_supports_erc1155_and_access_control_interfaces(certificates):
    assert certificates.supportsInterface("0xd9b67a26")  # ERC-1155
    assert certificates.supportsInterface("0x0e89341c")  # ERC-1155 metadata URI
    assert certificates.supportsInterface("0x7965db0b")  # AccessControl


@pytest.mark.parametrize("fn", ["pause", "unpause"])
def test_mallory_cannot_pause_or_unpause(certificates, mallory, fn):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        getattr(certificates, fn)({"from": mallory})


def test_views_name_registry_and_oracle(certificates, installation_registry, oracle):
    assert certificates.registry() == installation_registry
    assert certificates.oracle() == oracle


@pytest.mark.parametrize(
    "start,year",
    [(1_735_603_200, 2024), (1_709_164_800, 2024), (1_767_225_600, 2026), (1_767_139_200, 2025)],
    ids=["2024-12-31", "2024-02-29", "2026-01-01", "2025-12-31"],
)
def test_emission_factor_year_is_the_utc_year_of_the_period_start(
    certificates, installation_registry, oracle, site, signer_keys, operator, mallory, start, year
):
    installation_registry.setEmissionFactor(2024, 400, "test 2024", {"from": operator})
    # commissioned at the period tested: the first leaf starts at the commissioning date
    old_site = installation_registry.registerInstallation(
        installation_params(operator, serial="BL-2023", commissioned_at=start), {"from": operator}
    ).return_value
    leaf = (old_site, start, start + DAY_S, 1_000, b"\x02" * 32)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    issue(certificates, signed, leaf, mallory)
    assert certificates.certificate(1)["emissionFactorYear"] == year


def test_generation_before_commissioning_cannot_be_certified(certificates, installation_registry, oracle, site,
                                                             signer_keys, operator, mallory):
    installation_registry.setEmissionFactor(2024, 400, "test 2024", {"from": operator})
    commissioned = installation_registry.installation(site)["commissionedAt"]
    leaf = (site, commissioned - DAY_S, commissioned, 1_000, b"\x03" * 32)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    with brownie.reverts(revert_pattern=rf"InstallationRegistryPeriodNotNext: {site}, {commissioned - DAY_S}, {commissioned}"):
        issue(certificates, signed, leaf, mallory)
