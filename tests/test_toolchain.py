"""Setup helpers: brownie network registration and the slither triage gate."""

import copy
import json

import pytest

from scripts.toolchain import lint, networks


def brownie_like_config():
    return {
        "live": [{"name": "Ethereum", "networks": [{"id": "mainnet", "chainid": 1, "host": "x"}]}],
        "development": [{"name": "Anvil", "id": "development", "cmd": "anvil", "host": "h", "cmd_settings": {}}],
    }


def test_register_networks_adds_ours_and_keeps_others():
    config = brownie_like_config()
    changed = networks.register_networks(config)
    assert set(changed) == {"development", "ganache", "sepolia-env", "volta"}
    dev_ids = [n["id"] for n in config["development"]]
    assert dev_ids == ["development", "ganache"]
    assert config["development"][0]["cmd_settings"]["base_fee"] == 0
    live_ids = {n["id"] for g in config["live"] for n in g["networks"]}
    assert {"mainnet", "sepolia-env", "volta"} <= live_ids
    group = next(g for g in config["live"] if g["name"] == networks.LIVE_GROUP)
    assert next(n for n in group["networks"] if n["id"] == "sepolia-env")["host"] == "$SEPOLIA_RPC_URL"


def test_register_networks_is_idempotent():
    config = brownie_like_config()
    networks.register_networks(config)
    once = copy.deepcopy(config)
    assert networks.register_networks(config) == []
    assert config == once


def test_register_networks_moves_a_clashing_live_id_into_our_group():
    config = brownie_like_config()
    config["live"][0]["networks"].append({"id": "volta", "chainid": 1, "host": "elsewhere"})
    networks.register_networks(config)
    volta = [n for g in config["live"] for n in g["networks"] if n["id"] == "volta"]
    assert len(volta) == 1 and volta[0]["host"] == "$VOLTA_RPC_URL"


def slither_report(*results):
    return {"success": True, "error": None, "results": {"detectors": list(results)}}


def detector(check, impact, fn="claim(uint256)", contract="Vault"):
    return {
        "check": check,
        "impact": impact,
        "description": f"{contract}.{fn} does something\nmore",
        "elements": [
            {"type": "function", "name": fn.split("(")[0],
             "type_specific_fields": {"parent": {"name": contract}, "signature": fn}}
        ],
    }


def test_untriaged_medium_finding_fails_and_informational_does_not():
    findings = lint.parse_findings(slither_report(
        detector("reentrancy-no-eth", "Medium"), detector("naming-convention", "Informational")))
    failing = lint.unexplained(findings, [])
    assert [f.detector for f in failing] == ["reentrancy-no-eth"]
    assert failing[0].elements == ("Vault.claim(uint256)",)


def test_triaged_finding_passes_only_for_its_element():
    findings = lint.parse_findings(slither_report(
        detector("reentrancy-no-eth", "Medium"),
        detector("reentrancy-no-eth", "Medium", fn="refund(uint256)")))
    triage = [lint.TriageEntry("reentrancy-no-eth", "Vault.claim(uint256)", "guarded by nonReentrant")]
    assert [f.elements for f in lint.unexplained(findings, triage)] == [("Vault.refund(uint256)",)]


def test_stale_triage_entry_is_reported():
    triage = [lint.TriageEntry("arbitrary-send-erc20", "Gone.f()", "was fine")]
    assert lint.stale_entries([], triage) == triage


def test_triage_entry_without_reason_is_rejected(tmp_path):
    path = tmp_path / "triage.json"
    path.write_text(json.dumps({"accepted": [{"detector": "x", "element": "A.f()", "reason": " "}]}))
    with pytest.raises(lint.LintError, match="no reason"):
        lint.load_triage(path)


def test_failed_slither_run_is_an_error():
    with pytest.raises(lint.LintError, match="slither failed"):
        lint.parse_findings({"success": False, "error": "compilation failed", "results": {}})


def test_committed_triage_file_is_valid():
    # load_triage returns [] for a missing file, so its existence is checked first.
    assert lint.TRIAGE_PATH.is_file()
    entries = lint.load_triage()
    assert entries, f"{lint.TRIAGE_PATH.name} has no accepted findings"
    for entry in entries:
        assert entry.detector.strip() and entry.element.strip() and entry.reason.strip()
