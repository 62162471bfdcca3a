"""Shared fixtures: named accounts, the peso token, isolation between tests.

Area fixtures live beside their tests (tests/market/conftest.py, tests/energy/conftest.py).
"""

import pytest

from demo_helpers import run_demo_captured
from scripts.deployment.suite import deploy_contracts
from scripts.toolchain.brownie_fixes import install

install()  # brownie 1.22.2 + anvil: a mined transaction must not be called "dropped" (see the module)


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the state the module fixtures left (brownie snapshots/reverts)."""


@pytest.fixture(scope="session")
def operator(accounts):
    """Platform operator: deployer, admin of every contract."""
    return accounts[0]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def mallory(accounts):
    """An account with no role anywhere: used to attack access control."""
    return accounts[9]


@pytest.fixture(scope="module")
def token(PesoToken, operator):
    """The peso token (0 decimals, 1 token = 1 CLP), admin and minter = operator."""
    return PesoToken.deploy(operator, {"from": operator})


@pytest.fixture(scope="module")
def suite(operator):
    """Every contract of the suite by manifest name (PaymentToken, ParticipantRegistry, Marketplace,
    Projects, Crowdfunding, InstallationRegistry, GenerationOracle, GenerationCertificates,
    EnergySales), deployed by the operator through the deployment components, without a manifest."""
    return deploy_contracts(operator)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory):
    """One `make demo` for the dashboard's tests, which need only what it wrote (the saved chain, the
    oracle's config and store): brownie's module isolation resets the chain at every module, so
    tests of the chain itself (tests/test_demo.py) run their own."""
    return run_demo_captured(tmp_path_factory.mktemp("demo-run"))
