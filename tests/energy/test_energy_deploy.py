"""scripts/deployment/energy.py: the energy component deploys and wires its four contracts."""

import pytest

from energy_helpers import FIRST_DAY, agree_terms, day_leaf, day_start, installation_params, issue, make_round, node_signature
from scripts.deployment.market import create_live_project, deploy_projects
from scripts.deployment import DeploymentError
from scripts.deployment.energy import WITHDRAWAL_NOTICE_S, deploy_energy, oracle_signers


@pytest.fixture(scope="module")
def energy(token, MockProjectRevenue, operator):
    crowdfunding = MockProjectRevenue.deploy(token, {"from": operator})
    projects = deploy_projects(operator, token)
    deployed = deploy_energy(operator, {"PaymentToken": token, "Projects": projects, "Crowdfunding": crowdfunding})
    deployed["Crowdfunding"] = crowdfunding
    deployed["Projects"] = projects
    return deployed


def test_returns_the_four_manifest_names(energy):
    assert {"InstallationRegistry", "GenerationOracle", "GenerationCertificates", "EnergySales"} <= set(energy)


def test_missing_projects_or_crowdfunding_raises_deployment_error(token, operator):
    with pytest.raises(DeploymentError, match="Projects.*market"):
        deploy_energy(operator, {"PaymentToken": token})
    with pytest.raises(DeploymentError, match="Crowdfunding.*market"):
        deploy_energy(operator, {"PaymentToken": token, "Projects": token})


def test_missing_payment_token_raises_deployment_error(operator):
    with pytest.raises(DeploymentError, match="PaymentToken"):
        deploy_energy(operator, {})


def test_roles_are_wired(energy, operator):
    installation_registry, certificates = energy["InstallationRegistry"], energy["GenerationCertificates"]
    assert installation_registry.hasRole(installation_registry.DEFAULT_ADMIN_ROLE(), operator)
    assert installation_registry.hasRole(installation_registry.REGISTRAR_ROLE(), operator)
    assert installation_registry.hasRole(installation_registry.CERTIFIER_ROLE(), certificates)
    assert certificates.registry() == installation_registry
    assert certificates.oracle() == energy["GenerationOracle"]
    sales = energy["EnergySales"]
    assert sales.hasRole(sales.TARIFF_ROLE(), operator)
    assert sales.withdrawalNoticeS() == WITHDRAWAL_NOTICE_S == 7 * 86_400
    assert installation_registry.projects() == energy["Projects"]
    assert energy["Projects"].installationRegistry() == installation_registry  # a financed project's last tranche reads it


def test_local_chain_oracle_signer_is_the_deployer(energy, operator):
    oracle = energy["GenerationOracle"]
    assert list(oracle.signers()) == [operator]
    assert oracle.quorum() == 1


def test_live_chain_without_oracle_signers_is_an_error(operator, monkeypatch):
    monkeypatch.delenv("ORACLE_SIGNERS", raising=False)
    with pytest.raises(DeploymentError, match="ORACLE_SIGNERS"):
        oracle_signers(operator, 11155111, local=False)


def test_live_chain_signers_and_quorum_from_environment(operator, alice, monkeypatch):
    monkeypatch.setenv("ORACLE_SIGNERS", f"{operator.address}, {alice.address}")
    monkeypatch.setenv("ORACLE_QUORUM", "2")
    assert oracle_signers(operator, 11155111, local=False) == ([operator.address, alice.address], 2)
    monkeypatch.setenv("ORACLE_QUORUM", "3")
    with pytest.raises(DeploymentError, match="ORACLE_QUORUM"):
        oracle_signers(operator, 11155111, local=False)


def test_empty_oracle_quorum_means_every_signer(operator, alice, monkeypatch):
    monkeypatch.setenv("ORACLE_SIGNERS", f"{operator.address},{alice.address}")
    monkeypatch.setenv("ORACLE_QUORUM", "")
    assert oracle_signers(operator, 11155111, local=False)[1] == 2


def test_deployed_suite_certifies_and_settles_into_the_project(energy, token, operator, alice, carol, mallory):
    installation_registry, oracle = energy["InstallationRegistry"], energy["GenerationOracle"]
    certificates, sales = energy["GenerationCertificates"], energy["EnergySales"]
    installation_registry.setEmissionFactor(2026, 350, "test", {"from": operator})
    project_id = create_live_project(energy["Projects"], operator, operator)
    installation_registry.registerInstallation(installation_params(alice, project_id), {"from": operator})
    agree_terms(sales, 1, carol, 100, day_start(FIRST_DAY), operator)
    leaf = day_leaf(1, FIRST_DAY, 10_000)
    signed = make_round(1, [leaf])
    oracle.submitRound(signed.as_tuple(), [node_signature(operator, signed.round, oracle.address)], {"from": mallory})
    issue(certificates, signed, leaf, mallory)
    token.mint(carol, 10_000, {"from": operator})
    token.approve(sales, 10_000, {"from": carol})
    sales.deposit(10_000, {"from": carol})
    sales.settle(1, 1, {"from": mallory})
    assert energy["Crowdfunding"].revenueOf(project_id) == 1_000
    assert certificates.balanceOf(alice, 1) == 10_000
