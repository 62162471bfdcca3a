"""Energy fixtures: registry, oracle (two eth-account signers, quorum 2), certificates, sales.

Signer keys are fixed test keys (never used anywhere else); their signatures are made with
oracle/signing.py exactly as the oracle will make them.
"""

import pytest
from eth_account import Account

from energy_helpers import FACTOR_2025_G_PER_KWH, FACTOR_2026_G_PER_KWH, WITHDRAWAL_NOTICE_S, installation_params
from scripts.deployment.market import create_live_project, deploy_projects

SIGNER_KEYS = ["0x" + f"{i:064x}" for i in (0xA11CE5, 0xB0B5, 0xCA5E)]
UNKNOWN_KEY = "0x" + f"{0xBADBAD:064x}"


@pytest.fixture(scope="session")
def signer_keys():
    """Keys of the operator's oracle and the independent verifier (both in the signer set)."""
    return SIGNER_KEYS[:2]


@pytest.fixture(scope="session")
def spare_key():
    """A third key, not a signer until a test adds it."""
    return SIGNER_KEYS[2]


@pytest.fixture(scope="session")
def unknown_key():
    return UNKNOWN_KEY


def address_of(key):
    return Account.from_key(key).address


@pytest.fixture(scope="module")
def projects(token, operator):
    """A real Projects (deployed as scripts/deployment/market.py does); the operator may create projects."""
    return deploy_projects(operator, token)


@pytest.fixture(scope="module")
def project_id(projects, operator):
    """A live (Matched, self-funded) marketplace project owned by the operator."""
    return create_live_project(projects, operator, operator)


@pytest.fixture(scope="module")
def registry(InstallationRegistry, projects, operator):
    contract = InstallationRegistry.deploy(operator, projects, {"from": operator})
    contract.grantRole(contract.REGISTRAR_ROLE(), operator, {"from": operator})
    contract.setEmissionFactor(2026, FACTOR_2026_G_PER_KWH, "test factor 2026", {"from": operator})
    contract.setEmissionFactor(2025, FACTOR_2025_G_PER_KWH, "test factor 2025", {"from": operator})
    return contract


@pytest.fixture(scope="module")
def oracle(GenerationOracle, operator):
    return GenerationOracle.deploy(operator, [address_of(k) for k in SIGNER_KEYS[:2]], 2, {"from": operator})


@pytest.fixture(scope="module")
def certificates(GenerationCertificates, registry, oracle, operator):
    contract = GenerationCertificates.deploy(operator, oracle, registry, {"from": operator})
    registry.grantRole(registry.CERTIFIER_ROLE(), contract, {"from": operator})
    return contract


@pytest.fixture(scope="module")
def revenue(MockProjectRevenue, token, operator):
    return MockProjectRevenue.deploy(token, {"from": operator})


@pytest.fixture(scope="module")
def sales(EnergySales, token, registry, certificates, revenue, operator):
    return EnergySales.deploy(operator, token, registry, certificates, revenue, WITHDRAWAL_NOTICE_S, {"from": operator})


@pytest.fixture(scope="module")
def site(registry, alice, operator):
    """Installation 1: a PTSP site without a marketplace project; beneficiary alice."""
    return registry.registerInstallation(installation_params(alice, 0, "BL-0001"), {"from": operator}).return_value


@pytest.fixture(scope="module")
def project_site(registry, site, project_id, bob, operator):
    """Installation 2: linked to the live marketplace project `project_id`; beneficiary bob."""
    return registry.registerInstallation(installation_params(bob, project_id, "BL-0002"), {"from": operator}).return_value
