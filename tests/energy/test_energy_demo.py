"""scripts/walkthroughs/energy.py runs end to end (the oracle over a week) on a deployment made by the energy component."""

import pytest

from scripts.deployment.energy import deploy_energy
from scripts.deployment.market import deploy_projects
from scripts.walkthroughs import energy as demo_energy
from scripts.walkthroughs.energy import energy_walkthrough


@pytest.fixture(scope="module")
def deployment(token, MockProjectRevenue, operator):
    crowdfunding = MockProjectRevenue.deploy(token, {"from": operator})
    projects = deploy_projects(operator, token)
    contracts = deploy_energy(operator, {"PaymentToken": token, "Projects": projects, "Crowdfunding": crowdfunding})
    contracts["PaymentToken"] = token
    return contracts


def test_walkthrough_certifies_retires_exports_and_settles(deployment, accounts, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(demo_energy, "DEMO_DIR", tmp_path)
    energy_walkthrough(deployment, accounts)
    out = capsys.readouterr().out
    certificates, sales = deployment["GenerationCertificates"], deployment["EnergySales"]
    assert certificates.certificateCount() == demo_energy.DEMO_DAYS  # one per day of the school's roof
    assert certificates.certifiedUntil(1) == certificates.certificate(demo_energy.DEMO_DAYS)["periodEnd"]
    assert (tmp_path / "rounds" / "round-000001.json").exists()
    assert certificates.retirementCount() == 1
    assert certificates.exportCount() == 1
    assert sales.isSettled(1)
    assert sales.termsCount(1) == 1
    assert deployment["GenerationOracle"].quorum() == 2
    assert "marketplace-project installation is skipped" in out
    assert "kgCO2e" in out
