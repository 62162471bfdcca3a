"""`make demo` end to end on the real suite, run once for the module: the market walkthrough, the
100-user simulation, the oracle over a week of simulated readings, market revenue fed by energy
sales, the invariants, and the report with its plots."""

import json
import re

import pytest
from PIL import Image

from demo_helpers import run_demo_captured
from scripts import demo
from scripts.simulation.population import SimulationError
from scripts.walkthroughs import energy as demo_energy

# 78.5k before issue 9; +1k for acceptsRevenue (a cancelled project's revenue goes to the beneficiary)
# and +~0.5k for pricing by the terms in force at the certificate's period start: 80.5k for a settle
# that drains the offtaker's deposit to 0 (an SSTORE refund of 4.8k). Since issue 10 the demo settles a
# week of certificates from one deposit, so most settles leave a balance and get no refund: 85.3k.
SETTLE_BUDGET_GAS = 86_000
# the first settle into a project that never had revenue also writes its revenue slots from zero (102.4k)
FIRST_REVENUE_SETTLE_BUDGET_GAS = 103_000


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One `make demo` (on the test chain) for the module: its output, where it wrote, its contracts."""
    return run_demo_captured(tmp_path_factory.mktemp("demo-run"))


def test_the_story_is_printed_in_order_for_people(run):
    out = run.out
    assert "Transaction sent" not in out
    titles = ["=== Market:", "=== Simulation, market phase", "=== Certified generation", "=== Market, completion",
              "=== Simulation, revenue", "=== Report", "=== Done"]
    assert [out.index(t) for t in titles] == sorted(out.index(t) for t in titles)
    assert not re.search(r"0x[0-9a-fA-F]{40}", out)  # names and short addresses, never a full one
    assert "{" not in out.split("=== Market:")[0]  # the manifest is a file, not a page of JSON
    assert "and 42 marketplace project roof(s)" in out  # the walkthrough's crowdfunded roof and the simulation's 41


def test_the_demo_ends_by_saying_how_to_open_the_dashboard_on_its_saved_chain(run):
    report_at = run.out.index("=== Report")
    hint = run.out.index("`make dashboard`, then open http://127.0.0.1:8000/")
    assert report_at < hint < run.out.index("=== Done")
    state = json.loads((run.folder / "demo" / "chain-state.json").read_text())  # what anvil --load-state reads
    assert state["best_block_number"] == len(state["blocks"]) - 1 > 0 and state["accounts"]  # every block, from genesis


def test_energy_sales_pay_the_walkthrough_project_investors_and_its_last_tranche_waits_for_a_certificate(run):
    contracts, txs = run.contracts, run.txs
    crowdfunding, certificates = contracts["Crowdfunding"], contracts["GenerationCertificates"]
    projects, installations, token = contracts["Projects"], contracts["InstallationRegistry"], contracts["PaymentToken"]
    project_id = 2  # the market walkthrough's crowdfunded project (Bruno's)
    installation_id, certified = installations.installationOfProject(project_id)
    assert certified and installation_id != 0
    # from the chain's logs, not brownie's history (under load a receipt there may not have its events yet)
    settled = demo_energy.chain_reader().events(demo_energy.web3_contract(contracts["EnergySales"]), "Settled")
    into_project = [e for e in settled if e["projectId"] == project_id]
    project_certificates = [t for t in range(1, certificates.certificateCount() + 1)
                            if certificates.certificate(t)["installationId"] == installation_id]
    # one settlement per certificate of the project's roof: a certificate a day (its week has no fault)
    assert len(into_project) == len(project_certificates) == demo_energy.DEMO_DAYS
    # the market walkthrough deposited 1,000,001 CLP of revenue for the crowdfunded project before
    assert crowdfunding.revenueDeposited(project_id) == 1_000_001 + sum(e["amountClp"] for e in into_project)
    assert all(e["amountClp"] == e["energyWh"] * e["tariffClpPerKwh"] // 1000 for e in into_project)
    # a certificate a day per installation, but Puerto Montt's outage day is spanned by the next day's
    assert certificates.certificateCount() == installations.installationCount() * demo_energy.DEMO_DAYS - 1
    commissioning = [tx for tx in txs if tx.fn_name == "confirmCommissioning"
                     and tx.events["CommissioningConfirmed"]["projectId"] == project_id]
    issued_blocks = [event.blockNumber for event in certificates.events.get_sequence(0, event_type="CertificateIssued")
                     if event.args.installationId == installation_id]
    assert len(commissioning) == 1 and issued_blocks and max(issued_blocks) < commissioning[0].block_number
    assert token.balanceOf(projects) == 0  # every tranche of every project paid out and withdrawn


def test_the_oracle_round_file_carries_both_signatures_and_the_review(run):
    round_file = json.loads((run.folder / "demo" / "rounds" / "round-000001.json").read_text())
    assert round_file["synthetic"] is True
    excluded = [e for inst in round_file["installations"] for e in inst["excluded"]]
    assert excluded and {e["reviewer"] for e in excluded} == {demo_energy.REVIEWER}
    assert len(round_file["signatures"]) == 2  # the verifier's cosignature is in the published file too
    energy = run.out[run.out.index("=== Certified generation"):run.out.index("=== Market, completion")]
    assert "$ python -m oracle --config" in energy and "cosign" in energy
    assert (run.folder / "demo" / "cadt" / "units.json").exists()


def test_the_simulation_keeps_every_invariant_and_the_report_says_so(run):
    simulation = run.out[run.out.index("=== Simulation, revenue"):run.out.index("=== Report")]
    assert "invariants (9 of 9 OK)" in simulation and "FAILED" not in simulation
    assert "1 failed and refunded" in simulation
    report = (run.folder / "demo" / "report.md").read_text()
    assert "Invariants: 10 of 10 hold." in report and "**FAILED**" not in report
    assert "| Wh certified = Wh accepted by the oracle |" in report
    for name in ("energy_by_day", "certificates", "gas_vs_thesis", "operator_cost"):
        assert f"]({name}.png)" in report
        with Image.open(run.folder / "demo" / f"{name}.png") as image:
            assert image.format == "PNG" and image.width >= 800 and image.height >= 300


def test_settle_into_real_crowdfunding_is_within_budget(run):
    by_project: dict[int, list[int]] = {}
    for tx in run.txs:
        if tx.fn_name == "settle" and "Settled" in tx.events and tx.events["Settled"]["projectId"] != 0:
            by_project.setdefault(tx.events["Settled"]["projectId"], []).append(tx.gas_used)
    assert len(by_project) == 42  # the walkthrough's crowdfunded project and the simulation's 41 roofs
    # the walkthrough's project had revenue before (the market walkthrough deposited some): every settle is warm
    assert max(by_project.pop(2)) <= SETTLE_BUDGET_GAS
    # a simulation project's first revenue writes its zero revenue slots; later settles are warm again
    assert max(gas[0] for gas in by_project.values()) <= FIRST_REVENUE_SETTLE_BUDGET_GAS
    assert max(g for gas in by_project.values() for g in gas[1:]) <= SETTLE_BUDGET_GAS


def test_the_simulation_settings_come_from_the_environment_and_bad_ones_are_one_line_errors(monkeypatch):
    monkeypatch.delenv("DEMO_SIM_USERS", raising=False)
    monkeypatch.delenv("DEMO_SIM_CAMPAIGN_S", raising=False)
    assert demo.simulation_settings(live=False) == (100, None)  # a local chain moves its clock instead
    assert demo.simulation_settings(live=True) == (20, 1200)
    monkeypatch.setenv("DEMO_SIM_USERS", "12")
    monkeypatch.setenv("DEMO_SIM_CAMPAIGN_S", "30")
    assert demo.simulation_settings(live=True) == (12, 30)
    monkeypatch.setenv("DEMO_SIM_USERS", "11")
    with pytest.raises(SystemExit, match=r"^demo: DEMO_SIM_USERS='11': expected a whole number, at least 12$"):
        demo.main()  # refused before anything is deployed or sent
    monkeypatch.setenv("DEMO_SIM_USERS", "12")
    monkeypatch.setenv("DEMO_SIM_CAMPAIGN_S", "half an hour")
    with pytest.raises(SimulationError, match=r"DEMO_SIM_CAMPAIGN_S='half an hour': expected a whole number, at least 1"):
        demo.simulation_settings(live=True)
    assert demo.simulation_settings(live=False) == (12, None)  # read on live networks only
