"""scripts/demo_energy.py runs end to end on a deployment made by the energy component."""

import pytest

from scripts.bench_energy import deploy_projects
from scripts.demo_energy import energy_walkthrough, synthetic_readings_wh
from scripts.deployment.energy import deploy_energy


@pytest.fixture(scope="module")
def deployment(token, MockProjectRevenue, operator):
    crowdfunding = MockProjectRevenue.deploy(token, {"from": operator})
    projects = deploy_projects(operator, token)
    contracts = deploy_energy(operator, {"PaymentToken": token, "Projects": projects, "Crowdfunding": crowdfunding})
    contracts["PaymentToken"] = token
    return contracts


def test_synthetic_day_has_96_readings_zero_at_night():
    readings = synthetic_readings_wh(30_000)
    assert len(readings) == 96
    assert readings[0] == 0
    assert max(readings) == readings[64] == 6_000


def test_walkthrough_certifies_retires_exports_and_settles(deployment, accounts, capsys):
    energy_walkthrough(deployment, accounts)
    out = capsys.readouterr().out
    certificates, sales = deployment["GenerationCertificates"], deployment["EnergySales"]
    assert certificates.certificateCount() == 1
    assert certificates.retirementCount() == 1
    assert certificates.exportCount() == 1
    assert sales.isSettled(1)
    assert sales.termsCount(1) == 1
    assert deployment["GenerationOracle"].quorum() == 2
    assert "marketplace-project installation is skipped" in out
    assert "kgCO2e" in out
