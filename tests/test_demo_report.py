"""scripts/report: the demo report's figures from mined transactions, and the report itself."""

from pathlib import Path

import pytest
from brownie import web3
from PIL import Image

from scripts.benchmarks.cost_model import (TX_ENVELOPE_BYTES, Assumptions, ProjectProfile, centralised_mwh_clp,
                                           centralised_project_clp, tx_cost_clp)
from scripts.report.chain_gas import ContractFunctions, MinedTx, gas_by_function, mined_transactions
from scripts.report.figures import RunActivity, gas_comparisons, operator_cost_bars
from scripts.report.markdown import ReportInputs, write_report
from scripts.simulation import Invariant
from scripts.walkthroughs.energy import DayEnergy, InstallationOutcome

CROWDFUNDING = "0x" + "cf" * 20


def tx(label: str, gas: int, status: int = 1, logs: tuple[str, ...] = (), calldata: int = 100) -> MinedTx:
    contract, function = label.split(".")
    return MinedTx(1, "0xaa", contract, function, gas, calldata, status, logs)


def test_mined_transactions_names_each_call_and_reads_its_gas(token, operator, alice):
    first = web3.eth.block_number + 1
    mint = token.mint(alice, 5, {"from": operator})
    transfer = token.transfer(operator, 2, {"from": alice})
    operator.transfer(alice, 1)
    functions = {token.address.lower(): ContractFunctions("PaymentToken", dict(token.selectors))}
    mined = mined_transactions(web3.provider.endpoint_uri, first, web3.eth.block_number, functions)
    assert [m.label for m in mined] == ["PaymentToken.mint", "PaymentToken.transfer", "(unknown).transfer"]
    assert [m.gas_used for m in mined[:2]] == [mint.gas_used, transfer.gas_used]
    assert mined[0].sender == operator.address.lower() and mined[0].calldata_bytes == 68
    assert token.address.lower() in mined[0].log_addresses  # the Transfer event


def test_gas_by_function_counts_successful_calls_only():
    rows = gas_by_function([tx("A.f", 100), tx("A.f", 300), tx("A.f", 1_000_000, status=0), tx("B.g", 50)])
    assert [(r.label, r.calls, r.median_gas, r.max_gas, r.total_gas) for r in rows] == [
        ("A.f", 2, 200, 300, 400), ("B.g", 1, 50, 50, 50)]


def test_a_match_is_financed_when_it_logged_a_crowdfunding_event():
    rows = gas_comparisons([tx("Marketplace.matchDemand", 170_000), tx("Marketplace.matchDemand", 230_000, logs=(CROWDFUNDING,)),
                            tx("Marketplace.postOffer", 82_000)], CROWDFUNDING)
    ours = {r.operation: r.ours_gas for r in rows}
    assert ours == {"post an offer": 82_000, "match a self-funded project": 170_000,
                    "match a financed project (+ campaign)": 230_000}
    assert all(r.thesis_gas > r.ours_gas for r in rows)


def test_operator_cost_prices_the_operating_transactions_and_the_same_work_centralised():
    txs = [tx("Marketplace.postOffer", 80_000), tx("GenerationOracle.submitRound", 130_000, calldata=452),
           tx("(deployment).create", 3_000_000), tx("PaymentToken.mint", 50_000), tx("(unknown).transfer", 21_000)]
    activity = RunActivity(financed_projects=2, self_funded_projects=3, contributors_per_financed_project=4,
                           certified_mwh=10.0, days=7)
    assumptions = Assumptions()
    bars = operator_cost_bars(txs, activity, assumptions)
    assert len(bars) == len(assumptions.chains) + 1
    ethereum = assumptions.chains[0]
    hosting = assumptions.onchain.oracle_hosting_clp_per_month * 7 / 30
    assert bars[0].market_clp == pytest.approx(tx_cost_clp(80_000, 100 + TX_ENVELOPE_BYTES, ethereum))  # no deploy, mint, funding
    assert bars[0].certification_clp == pytest.approx(tx_cost_clp(130_000, 452 + TX_ENVELOPE_BYTES, ethereum) + hosting)
    profile, central = ProjectProfile(contributors=4), assumptions.centralised
    assert bars[-1].market_clp == pytest.approx(2 * centralised_project_clp(central, profile, True)
                                                + 3 * centralised_project_clp(central, profile, False))
    assert bars[-1].certification_clp == pytest.approx(10.0 * centralised_mwh_clp(central, assumptions.energy))


def _installation(name: str, flagged: int) -> InstallationOutcome:
    days = tuple(DayEnergy(f"2026-11-{d:02d}", 200_000, 5_000 if d == 3 and flagged else 0, flagged if d == 3 else 0)
                 for d in range(1, 8))
    return InstallationOutcome(1, name, "Maule", 40_000, days, 1_400_000, 300_000, 200_000, 0, 0)


def test_the_report_shows_every_plot_and_a_failed_invariant(tmp_path):
    inputs = ReportInputs(
        network="development", chain_id=31337, git_commit="0123456789ab",
        installations=(_installation("Liceo A", 4), _installation("CESFAM B", 0)), simulation_lines=["a line"],
        invariants=[Invariant("pesos minted = pesos held", 10, 10, True), Invariant("Wh certified = Wh accepted", 5, 6, False, "off by 1")],
        txs=[tx("Marketplace.postOffer", 82_000), tx("GenerationCertificates.issueBatch", 7_000_000)],
        block_gas_limit=30_000_000, crowdfunding_address=CROWDFUNDING,
        activity=RunActivity(1, 1, 3, 2.8, 7), round_files=[tmp_path / "rounds" / "round-000001.json"],
        cadt_export_dir=tmp_path / "cadt")
    report = write_report(inputs, tmp_path / "demo").read_text()
    assert "Invariants: 1 of 2 hold; FAILED: Wh certified = Wh accepted." in report
    assert "**FAILED** off by 1" in report
    assert "7,000,000 gas (GenerationCertificates.issueBatch), 23.3% of the block gas limit" in report
    assert "| Liceo A | 40.0 | 1,400.0 | 4 | 300.0 | 200.0 |" in report
    for name in ("energy_by_day", "certificates", "gas_vs_thesis", "operator_cost"):
        assert f"]({name}.png)" in report
        with Image.open(tmp_path / "demo" / f"{name}.png") as image:
            assert image.format == "PNG"


def test_the_day_axis_names_both_years_when_the_week_crosses_new_year():
    from scripts.report.plots import day_axis_label

    assert day_axis_label(["2026-03-01", "2026-03-07"]) == "UTC day (2026, month-day)"
    assert day_axis_label(["2026-12-30", "2027-01-05"]) == "UTC day (month-day, 2026-12-30 to 2027-01-05)"
