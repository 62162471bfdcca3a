"""`make demo` end to end on the real suite: both walkthroughs, the oracle over a week of simulated
readings, market revenue fed by energy sales."""

import json
import re

import pytest
from brownie import history

from scripts import demo
from scripts.deployment import manifest as deployment_manifest
from scripts.walkthroughs import energy as demo_energy
from scripts.walkthroughs.sample_installations import load_sample_installations

# 78.5k before issue 9; +1k for acceptsRevenue (a cancelled project's revenue goes to the beneficiary)
# and +~0.5k for pricing by the terms in force at the certificate's period start: 80.5k for a settle
# that drains the offtaker's deposit to 0 (an SSTORE refund of 4.8k). Since issue 10 the demo settles a
# week of certificates from one deposit, so most settles leave a balance and get no refund: 85.3k.
SETTLE_BUDGET_GAS = 86_000


@pytest.fixture
def manifest_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(deployment_manifest, "MANIFEST_DIR", tmp_path)
    monkeypatch.setattr(demo_energy, "DEMO_DIR", tmp_path / "demo")
    return tmp_path


def test_demo_runs_both_walkthroughs_and_energy_sales_pay_project_investors(manifest_dir, capsys):
    manifest = demo.run_demo()
    out = capsys.readouterr().out
    contracts = deployment_manifest.contracts_from_manifest(manifest)
    crowdfunding, certificates = contracts["Crowdfunding"], contracts["GenerationCertificates"]

    assert "Transaction sent" not in out
    assert out.index("=== Market") < out.index("=== Certified generation") < out.index("=== Market, completion")
    assert out.index("=== Market, completion") < out.index("=== Done")
    assert "and 1 marketplace project roof(s)" in out

    settles = [tx for tx in history if tx.fn_name == "settle" and "Settled" in tx.events]
    into_project = [tx.events["Settled"] for tx in settles if tx.events["Settled"]["projectId"] != 0]
    project_id = into_project[0]["projectId"]
    project_installation, _ = contracts["InstallationRegistry"].installationOfProject(project_id)
    project_certificates = [t for t in range(1, certificates.certificateCount() + 1)
                            if certificates.certificate(t)["installationId"] == project_installation]
    # one settlement per certificate of the project's roof: a certificate a day (its week has no fault)
    assert len(into_project) == len(project_certificates) == demo_energy.DEMO_DAYS
    # the market walkthrough deposited 1,000,001 CLP of revenue for the crowdfunded project before
    assert crowdfunding.revenueDeposited(project_id) == 1_000_001 + sum(e["amountClp"] for e in into_project)
    assert all(e["amountClp"] == e["energyWh"] * e["tariffClpPerKwh"] // 1000 for e in into_project)
    # every sample building and the project's roof: a certificate a day, but Puerto Montt's outage day is
    # spanned by the next day's certificate
    samples = load_sample_installations()
    assert certificates.certificateCount() == (len(samples) + 1) * demo_energy.DEMO_DAYS - 1
    assert all(certificates.certifiedUntil(i) == certificates.certificate(certificates.certificateCount())["periodEnd"]
               for i in range(1, len(samples) + 2))

    # the financed project's last tranche was released only after its installation's certificate
    projects, installations, token = contracts["Projects"], contracts["InstallationRegistry"], contracts["PaymentToken"]
    commissioning = [tx for tx in history if tx.fn_name == "confirmCommissioning"]
    financed = [tx for tx in commissioning if projects.project(tx.events["CommissioningConfirmed"]["projectId"])["needsFinancing"]]
    assert len(financed) == 1 and financed[0].events["CommissioningConfirmed"]["projectId"] == project_id
    issued_blocks = [event.blockNumber for event in certificates.events.get_sequence(0, event_type="CertificateIssued")]
    assert issued_blocks and max(issued_blocks) < financed[0].block_number
    installation_id, certified = installations.installationOfProject(project_id)
    assert certified and installation_id != 0
    assert token.balanceOf(projects) == 0  # every tranche of both projects paid out and withdrawn

    # the oracle's round file: two signatures, the reviewer's rejections listed with her reason
    round_file = json.loads((manifest_dir / "demo" / "rounds" / "round-000001.json").read_text())
    assert round_file["synthetic"] is True
    excluded = [e for inst in round_file["installations"] for e in inst["excluded"]]
    assert excluded and {e["reviewer"] for e in excluded} == {demo_energy.REVIEWER}
    assert len(round_file["signatures"]) == 2  # the verifier's cosignature is in the published file too
    energy = out[out.index("=== Certified generation"):out.index("=== Market, completion")]
    assert "$ python -m oracle --config" in energy and "cosign" in energy and not re.search(r"0x[0-9a-fA-F]{40}", energy)
    assert (manifest_dir / "demo" / "cadt" / "units.json").exists()


def test_settle_into_real_crowdfunding_is_within_budget(manifest_dir, capsys):
    demo.run_demo()
    capsys.readouterr()
    into_project = [tx for tx in history if tx.fn_name == "settle" and "Settled" in tx.events
                    and tx.events["Settled"]["projectId"] != 0]
    # the most expensive of the week's settlements into Crowdfunding (all but the last leave a balance)
    assert len(into_project) == demo_energy.DEMO_DAYS and max(tx.gas_used for tx in into_project) <= SETTLE_BUDGET_GAS
