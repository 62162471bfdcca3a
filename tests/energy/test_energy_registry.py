"""InstallationRegistry: installations, status, beneficiaries, emission factors and roles."""

import brownie
import pytest

from energy_helpers import FIRST_DAY, day_leaf, day_start, installation_params, issue, make_round, submit
from scripts.deployment.market import create_live_project

ACTIVE, SUSPENDED, DECOMMISSIONED = 0, 1, 2


def test_register_stores_every_field(installation_registry, project_id, alice, operator):
    tx = installation_registry.registerInstallation(installation_params(alice, project_id, "BL-9"), {"from": operator})
    assert tx.return_value == 1
    inst = installation_registry.installation(1)
    assert inst["beneficiary"] == alice
    assert inst["status"] == ACTIVE
    assert inst["capacityW"] == 30_000
    assert inst["latE6"] == -33_448_900
    assert inst["lonE6"] == -70_669_300
    assert inst["communeCode"] == 13101
    assert inst["commissionedAt"] == day_start(FIRST_DAY)
    assert inst["projectId"] == project_id
    assert inst["technology"] == "PV rooftop, monocrystalline"
    assert inst["dataloggerKind"] == "blue'Log X-1000"
    assert inst["dataloggerSerial"] == "BL-9"
    assert inst["programme"] == "PTSP"
    ev = tx.events["InstallationRegistered"]
    assert ev["installationId"] == 1
    assert ev["beneficiary"] == alice
    assert ev["projectId"] == project_id
    assert ev["programme"] == "PTSP"


def test_ids_are_sequential_from_one(installation_registry, site, project_site):
    assert site == 1
    assert project_site == 2
    assert installation_registry.installationCount() == 2


def test_installation_core_returns_beneficiary_status_project(installation_registry, project_site, project_id, bob):
    beneficiary, status, linked = installation_registry.installationCore(project_site)
    assert beneficiary == bob
    assert status == ACTIVE
    assert linked == project_id


@pytest.mark.parametrize("installation_id", [0, 3])
def test_unknown_installation_is_rejected(installation_registry, site, project_site, installation_id):
    with brownie.reverts(revert_pattern=rf"InstallationRegistryUnknownInstallation: {installation_id}"):
        installation_registry.installation(installation_id)


def test_zero_beneficiary_is_rejected(installation_registry, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryZeroBeneficiary: ?"):
        installation_registry.registerInstallation(installation_params("0x" + "00" * 20), {"from": operator})


def test_zero_capacity_is_rejected(installation_registry, alice, operator):
    params = list(installation_params(alice))
    params[1] = 0
    with brownie.reverts(revert_pattern=r"InstallationRegistryZeroCapacity: ?"):
        installation_registry.registerInstallation(params, {"from": operator})


@pytest.mark.parametrize("lat,lon", [(90_000_001, 0), (-90_000_001, 0), (0, 180_000_001), (0, -180_000_001)])
def test_coordinates_out_of_range_are_rejected(installation_registry, alice, operator, lat, lon):
    params = list(installation_params(alice))
    params[2], params[3] = lat, lon
    with brownie.reverts(revert_pattern=r"InstallationRegistryInvalidCoordinates: .*"):
        installation_registry.registerInstallation(params, {"from": operator})


def test_suspend_and_reactivate(installation_registry, site, operator):
    tx = installation_registry.setStatus(site, SUSPENDED, {"from": operator})
    ev = tx.events["InstallationStatusChanged"]
    assert ev["previousStatus"] == ACTIVE
    assert ev["newStatus"] == SUSPENDED
    installation_registry.setStatus(site, ACTIVE, {"from": operator})
    assert installation_registry.installation(site)["status"] == ACTIVE


def test_decommissioning_is_final(installation_registry, site, operator):
    installation_registry.setStatus(site, DECOMMISSIONED, {"from": operator})
    with brownie.reverts(revert_pattern=rf"InstallationRegistryDecommissioned: {site}"):
        installation_registry.setStatus(site, ACTIVE, {"from": operator})


def test_setting_the_same_status_is_rejected(installation_registry, site, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryStatusUnchanged: 1, 0"):
        installation_registry.setStatus(site, ACTIVE, {"from": operator})


def test_set_beneficiary(installation_registry, site, alice, carol, operator):
    tx = installation_registry.setBeneficiary(site, carol, {"from": operator})
    ev = tx.events["BeneficiaryChanged"]
    assert ev["previousBeneficiary"] == alice
    assert ev["newBeneficiary"] == carol
    assert installation_registry.installation(site)["beneficiary"] == carol


def test_set_zero_beneficiary_is_rejected(installation_registry, site, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryZeroBeneficiary: ?"):
        installation_registry.setBeneficiary(site, "0x" + "00" * 20, {"from": operator})


def test_set_project_id(installation_registry, projects, site, operator):
    project = create_live_project(projects, operator, operator)
    tx = installation_registry.setProjectId(site, project, {"from": operator})
    assert tx.events["ProjectLinked"]["projectId"] == project
    assert installation_registry.installation(site)["projectId"] == project
    assert tuple(installation_registry.installationOfProject(project)) == (site, False)


def test_setting_the_same_project_again_reverts(installation_registry, project_site, project_id, operator):
    with brownie.reverts(revert_pattern=rf"InstallationRegistryProjectUnchanged: {project_site}, {project_id}"):
        installation_registry.setProjectId(project_site, project_id, {"from": operator})


def test_a_project_links_to_one_installation(installation_registry, site, project_site, project_id, operator):
    with brownie.reverts(revert_pattern=rf"InstallationRegistryProjectAlreadyLinked: {project_id}, {project_site}"):
        installation_registry.setProjectId(site, project_id, {"from": operator})
    installation_registry.setProjectId(project_site, 0, {"from": operator})  # unlinking frees the project
    assert tuple(installation_registry.installationOfProject(project_id)) == (0, False)
    installation_registry.setProjectId(site, project_id, {"from": operator})
    assert tuple(installation_registry.installationOfProject(project_id)) == (site, False)


def test_installation_of_project_is_certified_once_a_certificate_is_issued(
    installation_registry, certificates, oracle, project_site, project_id, signer_keys, mallory
):
    assert tuple(installation_registry.installationOfProject(project_id)) == (project_site, False)
    leaf = day_leaf(project_site, FIRST_DAY)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    issue(certificates, signed, leaf, mallory)
    assert tuple(installation_registry.installationOfProject(project_id)) == (project_site, True)
    assert tuple(installation_registry.installationOfProject(project_id + 1)) == (0, False)


def test_set_datalogger(installation_registry, site, operator):
    tx = installation_registry.setDatalogger(site, "WEB'log", "WL-77", {"from": operator})
    assert tx.events["DataloggerChanged"]["dataloggerSerial"] == "WL-77"
    inst = installation_registry.installation(site)
    assert inst["dataloggerKind"] == "WEB'log"
    assert inst["dataloggerSerial"] == "WL-77"


def test_set_emission_factor_and_change_it_before_use(installation_registry, operator):
    tx = installation_registry.setEmissionFactor(2030, 300, "draft", {"from": operator})
    assert tx.events["EmissionFactorSet"]["gCo2ePerKwh"] == 300
    installation_registry.setEmissionFactor(2030, 290, "CEN 2030", {"from": operator})
    factor, source = installation_registry.emissionFactor(2030)
    assert factor == 290
    assert source == "CEN 2030"
    assert not installation_registry.emissionFactorLocked(2030)


def test_zero_emission_factor_is_rejected(installation_registry, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryZeroEmissionFactor: 2030"):
        installation_registry.setEmissionFactor(2030, 0, "none", {"from": operator})


def test_emission_factor_is_locked_once_a_certificate_uses_it(
    installation_registry, oracle, certificates, site, signer_keys, operator, mallory
):
    leaf = day_leaf(site, 10)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    tx = issue(certificates, signed, leaf, mallory)
    assert "EmissionFactorLocked" in tx.events
    assert installation_registry.emissionFactorLocked(2026)
    with brownie.reverts(revert_pattern=r"InstallationRegistryEmissionFactorLocked: 2026, 350"):
        installation_registry.setEmissionFactor(2026, 1, "silently lower", {"from": operator})
    assert installation_registry.emissionFactor(2026)[0] == 350


def test_authorize_issuance_only_for_certifier(installation_registry, site, mallory, operator):
    for caller in (mallory, operator):
        with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
            installation_registry.authorizeIssuance(site, 2026, 1_767_225_600, 1_767_312_000, 1, {"from": caller})


@pytest.mark.parametrize(
    "call",
    [
        lambda r, a: r.registerInstallation(installation_params(a), {"from": a}),
        lambda r, a: r.setStatus(1, SUSPENDED, {"from": a}),
        lambda r, a: r.setBeneficiary(1, a, {"from": a}),
        lambda r, a: r.setProjectId(1, 1, {"from": a}),
        lambda r, a: r.setDatalogger(1, "x", "y", {"from": a}),
        lambda r, a: r.setEmissionFactor(2031, 1, "fake", {"from": a}),
        lambda r, a: r.authorizeIssuance(1, 2026, 1_767_225_600, 1_767_312_000, 1, {"from": a}),
        lambda r, a: r.grantRole(r.REGISTRAR_ROLE(), a, {"from": a}),
    ],
    ids=["register", "setStatus", "setBeneficiary", "setProjectId", "setDatalogger", "setEmissionFactor",
         "authorizeIssuance", "grantRole"],
)
def test_mallory_cannot_call_role_gated_functions(installation_registry, site, mallory, call):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        call(installation_registry, mallory)


def test_a_second_certifier_cannot_certify_a_period_twice(installation_registry, site, carol, operator):
    """The registry itself refuses a period not starting at the watermark: a certifier other than
    GenerationCertificates (or a future one) cannot certify the same Wh again."""
    installation_registry.grantRole(installation_registry.CERTIFIER_ROLE(), carol, {"from": operator})
    day, next_day = day_start(FIRST_DAY), day_start(FIRST_DAY + 1)
    tx = installation_registry.authorizeIssuance(site, 2026, day, next_day, 10_000, {"from": carol})
    assert tx.return_value == installation_registry.installation(site)["beneficiary"]
    assert installation_registry.certifiedUntil(site) == next_day
    with brownie.reverts(revert_pattern=rf"InstallationRegistryPeriodNotNext: {site}, {day}, {next_day}"):
        installation_registry.authorizeIssuance(site, 2026, day, next_day, 10_000, {"from": carol})
    with brownie.reverts(revert_pattern=rf"InstallationRegistryInvalidPeriod: {next_day}, {next_day}"):
        installation_registry.authorizeIssuance(site, 2026, next_day, next_day, 10_000, {"from": carol})
    assert installation_registry.certifiedUntil(site) == next_day


def test_watermark_starts_at_the_commissioning_date(installation_registry, site):
    assert installation_registry.certifiedUntil(site) == installation_registry.installation(site)["commissionedAt"]


def test_project_id_beyond_48_bits_reverts(installation_registry, site, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryProjectIdTooLarge: .*"):
        installation_registry.setProjectId(site, 2**48, {"from": operator})
