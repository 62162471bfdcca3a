"""scripts.deploy.deployed_contracts: the one way CLIs (match, crowdsale, issue_round) get the suite,
with clear errors for a missing, incomplete or stale manifest."""

import json

import pytest
from brownie import chain

from scripts import deploy
from scripts.deployment import DeploymentError


@pytest.fixture
def manifest_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(deploy, "MANIFEST_DIR", tmp_path)
    return tmp_path


def test_no_manifest_says_deploy_first(manifest_dir):
    with pytest.raises(DeploymentError, match="no deployment manifest .*: deploy first"):
        deploy.deployed_contracts(["Marketplace"])


def test_contracts_of_a_current_manifest(manifest_dir, operator):
    manifest = deploy.deploy_suite(operator, quiet=True)
    deployed = deploy.deployed_contracts(["Marketplace", "GenerationCertificates"])
    assert deployed["Marketplace"].address == manifest["contracts"]["Marketplace"]["address"]


def test_a_manifest_without_a_required_contract(manifest_dir, operator):
    deploy.deploy_suite(operator, quiet=True)
    with pytest.raises(DeploymentError, match="has no NoSuchContract: redeploy the suite"):
        deploy.deployed_contracts(["Marketplace", "NoSuchContract"])


def test_a_stale_manifest_is_a_clear_error_not_a_traceback(manifest_dir, operator):
    """A local chain restarted since the deployment: the manifest's addresses have no code."""
    deploy.deploy_suite(operator, quiet=True)
    path = deploy.manifest_path(chain.id)
    manifest = json.loads(path.read_text())
    manifest["contracts"]["Marketplace"]["address"] = "0x" + "5a" * 20
    path.write_text(json.dumps(manifest))
    with pytest.raises(DeploymentError, match="is stale: a contract it lists has no code"):
        deploy.deployed_contracts(["Marketplace"])
