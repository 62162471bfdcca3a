"""scripts/deployment (suite.py, manifest.py): manifest contents, idempotence, redeploy on --fresh or on a changed chain."""

import json

import pytest
from brownie import Crowdfunding, PesoToken, Projects, chain, web3

import scripts.common.accounts
from scripts.deployment import DeploymentError
from scripts.deployment import manifest as deployment_manifest
from scripts.deployment.manifest import deployed_contracts, manifest_matches_chain, manifest_path
from scripts.deployment.suite import contract_names, deploy_suite, get_deployer


@pytest.fixture
def manifest_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(deployment_manifest, "MANIFEST_DIR", tmp_path)
    return tmp_path


def test_deploy_writes_manifest_with_addresses_tx_block_and_commit(manifest_dir, operator):
    manifest = deploy_suite(operator, quiet=True)
    on_disk = json.loads((manifest_dir / f"{chain.id}.json").read_text())
    assert on_disk == manifest
    assert manifest["chainId"] == chain.id
    assert manifest["deployer"] == operator.address
    assert manifest["gitCommit"]
    token = manifest["contracts"]["PaymentToken"]
    assert token["contractType"] == "PesoToken"
    assert len(web3.eth.get_code(token["address"])) > 0
    receipt = web3.eth.get_transaction_receipt(token["deployTx"])
    assert receipt["contractAddress"] == token["address"]
    assert receipt["blockNumber"] == token["block"]
    assert PesoToken.at(token["address"]).hasRole(PesoToken[-1].MINTER_ROLE(), operator)


def test_second_deploy_on_same_chain_sends_nothing(manifest_dir, operator):
    first = deploy_suite(operator, quiet=True)
    nonce = operator.nonce
    second = deploy_suite(operator, quiet=True)
    assert operator.nonce == nonce
    assert second == first


def test_fresh_redeploys(manifest_dir, operator):
    first = deploy_suite(operator, quiet=True)
    again = deploy_suite(operator, fresh=True, quiet=True)
    assert again["contracts"]["PaymentToken"]["address"] != first["contracts"]["PaymentToken"]["address"]


def test_manifest_from_another_chain_state_triggers_redeploy(manifest_dir, operator):
    manifest = deploy_suite(operator, quiet=True)
    manifest["contracts"]["PaymentToken"]["address"] = "0x" + "11" * 20  # no code there
    (manifest_dir / f"{chain.id}.json").write_text(json.dumps(manifest))
    nonce = operator.nonce
    redeployed = deploy_suite(operator, quiet=True)
    assert operator.nonce > nonce
    assert len(web3.eth.get_code(redeployed["contracts"]["PaymentToken"]["address"])) > 0


def test_corrupt_manifest_is_replaced_not_a_crash(manifest_dir, operator):
    (manifest_dir / f"{chain.id}.json").write_text("{not json")
    manifest = deploy_suite(operator, quiet=True)
    assert json.loads((manifest_dir / f"{chain.id}.json").read_text()) == manifest


def test_changed_build_triggers_redeploy(manifest_dir, operator):
    first = deploy_suite(operator, quiet=True)
    changed = json.loads(json.dumps(first))
    changed["contracts"]["PaymentToken"]["buildHash"] = "0x" + "00" * 32
    (manifest_dir / f"{chain.id}.json").write_text(json.dumps(changed))
    assert not manifest_matches_chain(changed, contract_names())
    nonce = operator.nonce
    redeployed = deploy_suite(operator, quiet=True)
    assert operator.nonce > nonce
    assert redeployed["contracts"].keys() == first["contracts"].keys()
    for name, entry in redeployed["contracts"].items():
        assert entry["address"] != first["contracts"][name]["address"], name
        assert len(web3.eth.get_code(entry["address"])) > 0, name
    assert redeployed["contracts"]["PaymentToken"]["buildHash"] == first["contracts"]["PaymentToken"]["buildHash"]
    assert json.loads((manifest_dir / f"{chain.id}.json").read_text()) == redeployed


def test_external_payment_token_is_used_without_deploying(manifest_dir, operator, token, monkeypatch):
    monkeypatch.setenv("PAYMENT_TOKEN_ADDRESS", token.address)
    peso_tokens = len(PesoToken)
    manifest = deploy_suite(operator, quiet=True)
    assert len(PesoToken) == peso_tokens, "a PesoToken was deployed although an external token was given"
    entry = manifest["contracts"]["PaymentToken"]
    assert entry["address"] == token.address
    assert entry["external"] is True
    assert Projects.at(manifest["contracts"]["Projects"]["address"]).paymentToken() == token.address
    assert Crowdfunding.at(manifest["contracts"]["Crowdfunding"]["address"]).paymentToken() == token.address


def test_payment_token_address_without_code_is_a_clear_error(manifest_dir, operator, monkeypatch):
    monkeypatch.setenv("PAYMENT_TOKEN_ADDRESS", "0x" + "22" * 20)
    with pytest.raises(DeploymentError, match="not a contract"):
        deploy_suite(operator, quiet=True)


def test_live_network_without_deployer_key_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(scripts.common.accounts, "is_local_chain", lambda: False)
    monkeypatch.delenv("DEPLOYER_KEYSTORE_ID", raising=False)
    monkeypatch.delenv("DEPLOYER_PRIVATE_KEY", raising=False)
    with pytest.raises(DeploymentError, match="DEPLOYER_PRIVATE_KEY"):
        get_deployer()


# --- deployed_contracts: the one way CLIs (match, crowdsale, issue_round) get the suite -------------


def test_no_manifest_says_deploy_first(manifest_dir):
    with pytest.raises(DeploymentError, match="no deployment manifest .*: deploy first"):
        deployed_contracts(["Marketplace"])


def test_contracts_of_a_current_manifest(manifest_dir, operator):
    manifest = deploy_suite(operator, quiet=True)
    deployed = deployed_contracts(["Marketplace", "GenerationCertificates"])
    assert deployed["Marketplace"].address == manifest["contracts"]["Marketplace"]["address"]


def test_a_manifest_without_a_required_contract(manifest_dir, operator):
    deploy_suite(operator, quiet=True)
    with pytest.raises(DeploymentError, match="has no NoSuchContract: redeploy the suite"):
        deployed_contracts(["Marketplace", "NoSuchContract"])


def test_a_stale_manifest_is_a_clear_error_not_a_traceback(manifest_dir, operator):
    """A local chain restarted since the deployment: the manifest's addresses have no code."""
    deploy_suite(operator, quiet=True)
    path = manifest_path(chain.id)
    manifest = json.loads(path.read_text())
    manifest["contracts"]["Marketplace"]["address"] = "0x" + "5a" * 20
    path.write_text(json.dumps(manifest))
    with pytest.raises(DeploymentError, match="is stale: a contract it lists has no code"):
        deployed_contracts(["Marketplace"])
