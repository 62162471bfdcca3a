"""InstallationRegistry: installations, status, beneficiaries, emission factors and roles."""

import brownie
import pytest

from energy_helpers import FIRST_DAY, day_leaf, day_start, installation_params, issue, make_round, submit
from scripts.deployment.market import create_live_project

ACTIVE, SUSPENDED, DECOMMISSIONED = 0, 1, 2


def test_register_stores_every_field(registry, project_id, alice, operator):
    tx = registry.registerInstallation(installation_params(alice, project_id, "BL-9"), {"from": operator})
    assert tx.return_value == 1
    inst = registry.installation(1)
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


def test_ids_are_sequential_from_one(registry, site, project_site):
    assert site == 1
    assert project_site == 2
    assert registry.installationCount() == 2


def test_installation_core_returns_beneficiary_status_project(registry, project_site, project_id, bob):
    beneficiary, status, linked = registry.installationCore(project_site)
    assert beneficiary == bob
    assert status == ACTIVE
    assert linked == project_id


@pytest.mark.parametrize("installation_id", [0, 3])
def test_unknown_installation_is_rejected(registry, site, project_site, installation_id):
    with brownie.reverts(revert_pattern=rf"InstallationRegistryUnknownInstallation: {installation_id}"):
        registry.installation(installation_id)


def test_zero_beneficiary_is_rejected(registry, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryZeroBeneficiary: ?"):
        registry.registerInstallation(installation_params("0x" + "00" * 20), {"from": operator})


def test_zero_capacity_is_rejected(registry, alice, operator):
    params = list(installation_params(alice))
    params[1] = 0
    with brownie.reverts(revert_pattern=r"InstallationRegistryZeroCapacity: ?"):
        registry.registerInstallation(params, {"from": operator})


@pytest.mark.parametrize("lat,lon", [(90_000_001, 0), (-90_000_001, 0), (0, 180_000_001), (0, -180_000_001)])
def test_coordinates_out_of_range_are_rejected(registry, alice, operator, lat, lon):
    params = list(installation_params(alice))
    params[2], params[3] = lat, lon
    with brownie.reverts(revert_pattern=r"InstallationRegistryInvalidCoordinates: .*"):
        registry.registerInstallation(params, {"from": operator})


def test_suspend_and_reactivate(registry, site, operator):
    tx = registry.setStatus(site, SUSPENDED, {"from": operator})
    ev = tx.events["InstallationStatusChanged"]
    assert ev["previousStatus"] == ACTIVE
    assert ev["newStatus"] == SUSPENDED
    registry.setStatus(site, ACTIVE, {"from": operator})
    assert registry.installation(site)["status"] == ACTIVE


def test_decommissioning_is_final(registry, site, operator):
    registry.setStatus(site, DECOMMISSIONED, {"from": operator})
    with brownie.reverts(revert_pattern=rf"InstallationRegistryDecommissioned: {site}"):
        registry.setStatus(site, ACTIVE, {"from": operator})


def test_setting_the_same_status_is_rejected(registry, site, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryStatusUnchanged: 1, 0"):
        registry.setStatus(site, ACTIVE, {"from": operator})


def test_set_beneficiary(registry, site, alice, carol, operator):
    tx = registry.setBeneficiary(site, carol, {"from": operator})
    ev = tx.events["BeneficiaryChanged"]
    assert ev["previousBeneficiary"] == alice
    assert ev["newBeneficiary"] == carol
    assert registry.installation(site)["beneficiary"] == carol


def test_set_zero_beneficiary_is_rejected(registry, site, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryZeroBeneficiary: ?"):
        registry.setBeneficiary(site, "0x" + "00" * 20, {"from": operator})


def test_set_project_id(registry, projects, site, operator):
    project = create_live_project(projects, operator, operator)
    tx = registry.setProjectId(site, project, {"from": operator})
    assert tx.events["ProjectLinked"]["projectId"] == project
    assert registry.installation(site)["projectId"] == project
    assert tuple(registry.installationOfProject(project)) == (site, False)


def test_setting_the_same_project_again_reverts(registry, project_site, project_id, operator):
    with brownie.reverts(revert_pattern=rf"InstallationRegistryProjectUnchanged: {project_site}, {project_id}"):
        registry.setProjectId(project_site, project_id, {"from": operator})


def test_a_project_links_to_one_installation(registry, site, project_site, project_id, operator):
    with brownie.reverts(revert_pattern=rf"InstallationRegistryProjectAlreadyLinked: {project_id}, {project_site}"):
        registry.setProjectId(site, project_id, {"from": operator})
    registry.setProjectId(project_site, 0, {"from": operator})  # unlinking frees the project
    assert tuple(registry.installationOfProject(project_id)) == (0, False)
    registry.setProjectId(site, project_id, {"from": operator})
    assert tuple(registry.installationOfProject(project_id)) == (site, False)


def test_installation_of_project_is_certified_once_a_certificate_is_issued(
    registry, certificates, oracle, project_site, project_id, signer_keys, mallory
):
    assert tuple(registry.installationOfProject(project_id)) == (project_site, False)
    leaf = day_leaf(project_site, FIRST_DAY)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    issue(certificates, signed, leaf, mallory)
    assert tuple(registry.installationOfProject(project_id)) == (project_site, True)
    assert tuple(registry.installationOfProject(project_id + 1)) == (0, False)


def test_set_datalogger(registry, site, operator):
    tx = registry.setDatalogger(site, "WEB'log", "WL-77", {"from": operator})
    assert tx.events["DataloggerChanged"]["dataloggerSerial"] == "WL-77"
    inst = registry.installation(site)
    assert inst["dataloggerKind"] == "WEB'log"
    assert inst["dataloggerSerial"] == "WL-77"


def test_set_emission_factor_and_change_it_before_use(registry, operator):
    tx = registry.setEmissionFactor(2030, 300, "draft", {"from": operator})
    assert tx.events["EmissionFactorSet"]["gCo2ePerKwh"] == 300
    registry.setEmissionFactor(2030, 290, "CEN 2030", {"from": operator})
    factor, source = registry.emissionFactor(2030)
    assert factor == 290
    assert source == "CEN 2030"
    assert not registry.emissionFactorLocked(2030)


def test_zero_emission_factor_is_rejected(registry, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryZeroEmissionFactor: 2030"):
        registry.setEmissionFactor(2030, 0, "none", {"from": operator})


def test_emission_factor_is_locked_once_a_certificate_uses_it(
    registry, oracle, certificates, site, signer_keys, operator, mallory
):
    leaf = day_leaf(site, 10)
    signed = make_round(1, [leaf])
    submit(oracle, signed, signer_keys, mallory)
    tx = issue(certificates, signed, leaf, mallory)
    assert "EmissionFactorLocked" in tx.events
    assert registry.emissionFactorLocked(2026)
    with brownie.reverts(revert_pattern=r"InstallationRegistryEmissionFactorLocked: 2026, 350"):
        registry.setEmissionFactor(2026, 1, "silently lower", {"from": operator})
    assert registry.emissionFactor(2026)[0] == 350


def test_authorize_issuance_only_for_certifier(registry, site, mallory, operator):
    for caller in (mallory, operator):
        with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
            registry.authorizeIssuance(site, 2026, 1_767_225_600, 1_767_312_000, 1, {"from": caller})


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
def test_mallory_cannot_call_role_gated_functions(registry, site, mallory, call):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        call(registry, mallory)


def test_a_second_certifier_cannot_certify_a_period_twice(registry, site, carol, operator):
    """The registry itself refuses a period not starting at the watermark: a certifier other than
    GenerationCertificates (or a future one) cannot certify the same Wh again."""
    registry.grantRole(registry.CERTIFIER_ROLE(), carol, {"from": operator})
    day, next_day = day_start(FIRST_DAY), day_start(FIRST_DAY + 1)
    tx = registry.authorizeIssuance(site, 2026, day, next_day, 10_000, {"from": carol})
    assert tx.return_value == registry.installation(site)["beneficiary"]
    assert registry.certifiedUntil(site) == next_day
    with brownie.reverts(revert_pattern=rf"InstallationRegistryPeriodNotNext: {site}, {day}, {next_day}"):
        registry.authorizeIssuance(site, 2026, day, next_day, 10_000, {"from": carol})
    with brownie.reverts(revert_pattern=rf"InstallationRegistryInvalidPeriod: {next_day}, {next_day}"):
        registry.authorizeIssuance(site, 2026, next_day, next_day, 10_000, {"from": carol})
    assert registry.certifiedUntil(site) == next_day


def test_watermark_starts_at_the_commissioning_date(registry, site):
    assert registry.certifiedUntil(site) == registry.installation(site)["commissionedAt"]


def test_project_id_beyond_48_bits_reverts(registry, site, operator):
    with brownie.reverts(revert_pattern=r"InstallationRegistryProjectIdTooLarge: .*"):
        registry.setProjectId(site, 2**48, {"from": operator})
