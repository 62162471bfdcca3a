"""Energy fixtures: registry, oracle (two eth-account signers, quorum 2), certificates, sales.

Signer keys are fixed test keys (never used anywhere else); their signatures are made with
oracle/signing.py exactly as the oracle will make them.
"""

import pytest
from eth_account import Account

from energy_helpers import FACTOR_2025_G_PER_KWH, FACTOR_2026_G_PER_KWH, installation_params

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
def registry(InstallationRegistry, operator):
    contract = InstallationRegistry.deploy(operator, {"from": operator})
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
    return EnergySales.deploy(operator, token, registry, certificates, revenue, {"from": operator})


@pytest.fixture(scope="module")
def site(registry, alice, operator):
    """Installation 1: a PTSP site without a marketplace project; beneficiary alice."""
    return registry.registerInstallation(installation_params(alice, 0, "BL-0001"), {"from": operator}).return_value


@pytest.fixture(scope="module")
def project_site(registry, site, bob, operator):
    """Installation 2: linked to marketplace project 7; beneficiary bob."""
    return registry.registerInstallation(installation_params(bob, 7, "BL-0002"), {"from": operator}).return_value
