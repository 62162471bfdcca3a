"""Finding 6, energy parts: an installation links only to a live project, and every energy
contract's constructor refuses the zero address."""

import brownie
import pytest

from security_energy import live_project, prepare_energy, register

ZERO = "0x" + "00" * 20
PROJECT_CANCELLED = 4


def test_an_installation_cannot_link_to_an_unknown_project(suite, alice, operator):
    with brownie.reverts(revert_pattern=r"ProjectsUnknownProject: 1000000"):
        register(suite, alice, operator, project_id=10**6)  # Projects.partiesOf reverts for it


def test_an_installation_cannot_link_to_a_cancelled_project(suite, alice, operator):
    projects, registry = suite["Projects"], suite["InstallationRegistry"]
    project = live_project(suite, operator, operator)
    projects.cancel(project, {"from": operator})
    with brownie.reverts(revert_pattern=rf"InstallationRegistryProjectNotLive: {project}, {PROJECT_CANCELLED}"):
        register(suite, alice, operator, project_id=project)
    site = register(suite, alice, operator)
    with brownie.reverts(revert_pattern=rf"InstallationRegistryProjectNotLive: {project}, {PROJECT_CANCELLED}"):
        registry.setProjectId(site, project, {"from": operator})


def test_an_installation_links_to_a_live_project(suite, alice, operator):
    registry = suite["InstallationRegistry"]
    prepare_energy(suite, operator)
    project = live_project(suite, operator, operator)
    site = register(suite, alice, operator, project_id=project)
    assert registry.installation(site)["projectId"] == project
    assert tuple(registry.installationOfProject(project)) == (site, False)
    assert registry.projects() == suite["Projects"]


def test_registry_constructor_refuses_zero_addresses(InstallationRegistry, suite, operator):
    for args in ((ZERO, suite["Projects"]), (operator, ZERO)):
        with brownie.reverts(revert_pattern=r"InstallationRegistryZeroAddress: ?"):
            InstallationRegistry.deploy(*args, {"from": operator})


def test_oracle_constructor_refuses_a_zero_admin_and_a_zero_signer(GenerationOracle, operator):
    with brownie.reverts(revert_pattern=r"GenerationOracleZeroAddress: ?"):
        GenerationOracle.deploy(ZERO, [operator], 1, {"from": operator})
    with brownie.reverts(revert_pattern=r"GenerationOracleZeroSigner: ?"):
        GenerationOracle.deploy(operator, [ZERO], 1, {"from": operator})


@pytest.mark.parametrize("position", [0, 1, 2])
def test_certificates_constructor_refuses_zero_addresses(GenerationCertificates, suite, operator, position):
    args = [operator, suite["GenerationOracle"], suite["InstallationRegistry"]]
    args[position] = ZERO
    with brownie.reverts(revert_pattern=r"GenerationCertificatesZeroAddress: ?"):
        GenerationCertificates.deploy(*args, {"from": operator})


@pytest.mark.parametrize("position", [0, 1, 2, 3, 4])
def test_sales_constructor_refuses_zero_addresses(EnergySales, suite, operator, position):
    args = [operator, suite["PaymentToken"], suite["InstallationRegistry"], suite["GenerationCertificates"],
            suite["Crowdfunding"], 7 * 86_400]
    args[position] = ZERO
    with brownie.reverts(revert_pattern=r"EnergySalesZeroAddress: ?"):
        EnergySales.deploy(*args, {"from": operator})
