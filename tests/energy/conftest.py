"""Energy fixtures: installation_registry, oracle (two eth-account signers, quorum 2), certificates, sales.

Each contract is deployed and wired by scripts/deployment/energy.py's per-contract functions, as
the suite is; what differs from the suite is chosen here on purpose: fixed signer keys (quorum 2),
a Projects whose operator creates projects directly (no marketplace match), and a mock
IProjectRevenue in place of Crowdfunding, so each contract is tested on its own.

Signer keys are fixed test keys (never used anywhere else); their signatures are made with
oracle/signing.py exactly as the oracle will make them.
"""

import pytest
from eth_account import Account

from energy_helpers import FACTOR_2025_G_PER_KWH, FACTOR_2026_G_PER_KWH, installation_params
from scripts.deployment.energy import (
    deploy_certificates,
    deploy_generation_oracle,
    deploy_installation_registry,
    deploy_sales,
)
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
def installation_registry(projects, operator):
    """Deployed as scripts/deployment/energy.py does (operator = admin and registrar), with the 2025
    and 2026 emission factors."""
    contract = deploy_installation_registry(operator, projects)
    contract.setEmissionFactor(2026, FACTOR_2026_G_PER_KWH, "test factor 2026", {"from": operator})
    contract.setEmissionFactor(2025, FACTOR_2025_G_PER_KWH, "test factor 2025", {"from": operator})
    return contract


@pytest.fixture(scope="module")
def oracle(operator):
    return deploy_generation_oracle(operator, [address_of(k) for k in SIGNER_KEYS[:2]], 2)


@pytest.fixture(scope="module")
def certificates(installation_registry, oracle, operator):
    return deploy_certificates(operator, oracle, installation_registry)


@pytest.fixture(scope="module")
def revenue(MockProjectRevenue, token, operator):
    return MockProjectRevenue.deploy(token, {"from": operator})


@pytest.fixture(scope="module")
def sales(token, installation_registry, certificates, revenue, operator):
    """EnergySales paying project revenue into the mock (`revenue`), so settlements are observable
    without a market."""
    return deploy_sales(operator, token, installation_registry, certificates, revenue)


@pytest.fixture(scope="module")
def site(installation_registry, alice, operator):
    """Installation 1: a PTSP site without a marketplace project; beneficiary alice."""
    tx = installation_registry.registerInstallation(installation_params(alice, 0, "BL-0001"), {"from": operator})
    return tx.return_value


@pytest.fixture(scope="module")
def project_site(installation_registry, site, project_id, bob, operator):
    """Installation 2: linked to the live marketplace project `project_id`; beneficiary bob."""
    tx = installation_registry.registerInstallation(installation_params(bob, project_id, "BL-0002"), {"from": operator})
    return tx.return_value
