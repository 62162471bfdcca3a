"""Oracle fixtures for tests on the chain: the suite deployed by scripts/deploy.py with its manifest
written to a file, the RPC URL the oracle connects to (brownie's anvil), and the oracle's keys.

The oracle itself never imports brownie: tests drive it with the manifest file and the RPC URL, as
an operator's cron job would. Keys are fixed test keys (no secret anywhere else).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from eth_account import Account

from oracle.timeutil import DAY_S, iso_utc
from oracle_helpers import CAPACITY_W, LAT, LON

SENDER_KEY = "0x" + f"{0x5E4D:064x}"  # pays gas for submissions and claims
OPERATOR_SIGNER_KEY = "0x" + f"{0x0AC1E:064x}"  # the operator's oracle
VERIFIER_SIGNER_KEY = "0x" + f"{0x7E21F1:064x}"  # the independent verifier (cosign)


@dataclass(frozen=True)
class OracleKeys:
    sender: str
    operator_signer: str
    verifier_signer: str

    def environment(self) -> dict[str, str]:
        """The environment variables of the default oracle config (oracle/config.py)."""
        return {"ORACLE_SENDER_KEY": self.sender, "ORACLE_SIGNER_KEY": self.operator_signer,
                "VERIFIER_SIGNER_KEY": self.verifier_signer}


@pytest.fixture(scope="module")
def deployment(operator):
    """The manifest of a fresh deployment of the whole suite (scripts/deployment/suite.py)."""
    from scripts.deployment.suite import deploy_suite

    return deploy_suite(operator, fresh=True, quiet=True)


@pytest.fixture(scope="module")
def manifest_file(deployment, tmp_path_factory):
    """The deployment manifest as a file of its own (``<chain-id>.json``), as the oracle reads it."""
    path = tmp_path_factory.mktemp("deployments") / f"{deployment['chainId']}.json"
    path.write_text(json.dumps(deployment, indent=2))
    return path


@pytest.fixture(scope="session")
def rpc_url(web3):
    return web3.provider.endpoint_uri


@pytest.fixture(scope="module")
def oracle_keys(deployment, operator):
    """The operator's and the verifier's signing keys as the oracle's only signers (quorum 2), and
    a sender key funded with 10 ether; the deployer stays admin."""
    from scripts.deployment.manifest import contracts_from_manifest

    oracle = contracts_from_manifest(deployment)["GenerationOracle"]
    tx = {"from": operator}
    for key in (OPERATOR_SIGNER_KEY, VERIFIER_SIGNER_KEY):
        oracle.addSigner(Account.from_key(key).address, tx)
    oracle.setQuorum(2, tx)
    oracle.removeSigner(operator, tx)
    operator.transfer(Account.from_key(SENDER_KEY).address, "10 ether")
    return OracleKeys(SENDER_KEY, OPERATOR_SIGNER_KEY, VERIFIER_SIGNER_KEY)


@pytest.fixture(scope="module")
def commissioned_s(chain):
    """Three whole UTC days ago: days D, D+1, D+2 are over, today is not."""
    return (int(chain.time()) // DAY_S - 3) * DAY_S


@pytest.fixture(scope="module")
def simulated_installations(deployment, oracle_keys, operator, alice, bob, commissioned_s):
    """Two installations (alice's, bob's) of the simulated plants of oracle_helpers.oracle_config,
    registered on the deployed suite, commissioned at `commissioned_s`; emission factors set."""
    from scripts.deployment.manifest import contracts_from_manifest

    contracts = contracts_from_manifest(deployment)
    registry = contracts["InstallationRegistry"]
    year = int(iso_utc(commissioned_s)[:4])
    for y in {year, year + 1}:
        if registry.emissionFactor(y)[0] == 0:
            registry.setEmissionFactor(y, 300, "test factor", {"from": operator})
    ids = []
    for beneficiary, serial in ((alice, "SIM-1"), (bob, "SIM-2")):
        tx = registry.registerInstallation(
            (beneficiary, CAPACITY_W, int(LAT * 1e6), int(LON * 1e6), 13101, commissioned_s, 0,
             "PV rooftop", "simulated", serial, "PTSP"), {"from": operator})
        ids.append(tx.return_value)
    return contracts, ids


@pytest.fixture
def env(monkeypatch, oracle_keys):
    """The oracle's key variables set for in-process CLI calls."""
    for name, value in oracle_keys.environment().items():
        monkeypatch.setenv(name, value)
