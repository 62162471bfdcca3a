"""`make demo` end to end on the real suite: both walkthroughs, market revenue fed by energy sales."""

import pytest
from brownie import history

from scripts import demo
from scripts import deploy

# 78.5k before issue 9; +1k for acceptsRevenue (a cancelled project's revenue goes to the beneficiary)
# and +~0.5k for pricing by the terms in force at the certificate's period start.
SETTLE_BUDGET_GAS = 82_000


@pytest.fixture
def manifest_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(deploy, "MANIFEST_DIR", tmp_path)
    return tmp_path


def test_demo_runs_both_walkthroughs_and_energy_sales_pay_project_investors(manifest_dir, capsys):
    manifest = demo.run_demo()
    out = capsys.readouterr().out
    contracts = deploy.contracts_from_manifest(manifest)
    crowdfunding, certificates = contracts["Crowdfunding"], contracts["GenerationCertificates"]

    assert "Transaction sent" not in out
    assert out.index("=== Market") < out.index("=== Certified generation") < out.index("=== Market, completion")
    assert out.index("=== Market, completion") < out.index("=== Done")
    assert "marketplace-project installation is skipped" not in out

    settles = [tx for tx in history if tx.fn_name == "settle" and "Settled" in tx.events]
    into_project = [tx for tx in settles if tx.events["Settled"]["projectId"] != 0]
    assert len(into_project) == 1
    settled = into_project[0].events["Settled"]
    project_id = settled["projectId"]
    # the market walkthrough deposited 1,000,001 CLP of revenue for the crowdfunded project before
    assert crowdfunding.revenueDeposited(project_id) == 1_000_001 + settled["amountClp"]
    assert settled["amountClp"] == settled["energyWh"] * settled["tariffClpPerKwh"] // 1000
    assert certificates.certificateCount() == 2

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


def test_settle_into_real_crowdfunding_is_within_budget(manifest_dir, capsys):
    demo.run_demo()
    capsys.readouterr()
    into_project = [tx for tx in history if tx.fn_name == "settle" and "Settled" in tx.events
                    and tx.events["Settled"]["projectId"] != 0]
    assert into_project and into_project[-1].gas_used <= SETTLE_BUDGET_GAS
