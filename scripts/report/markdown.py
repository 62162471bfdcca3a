"""reports/demo/report.md: the demo's story in figures, with its PNG plots beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scripts.benchmarks.cost_model import PRICE_SOURCE, Assumptions, format_assumptions
from scripts.report.chain_gas import MinedTx, gas_by_function
from scripts.report.figures import NOT_OPERATING, RunActivity, gas_comparisons, operator_cost_bars
from scripts.simulation import Invariant
from scripts.report.plots import (InstallationFigures, plot_certificates, plot_energy_by_day, plot_gas_vs_thesis,
                                  plot_operator_cost)

TOP_FUNCTIONS = 12


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows. installations: the energy walkthrough's per-installation
    outcome; txs: every transaction the run mined (scripts/report/chain_gas.py)."""

    network: str
    chain_id: int
    git_commit: str
    installations: Sequence[InstallationFigures]
    simulation_lines: Sequence[str]
    invariants: Sequence[Invariant]
    txs: Sequence[MinedTx]
    block_gas_limit: int
    crowdfunding_address: str
    activity: RunActivity
    round_files: Sequence[Path]
    cadt_export_dir: Path


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def _kwh(wh: float) -> str:
    return f"{wh / 1000:,.1f}"


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve().parent.parent))
    except ValueError:
        return str(path)


def write_report(inputs: ReportInputs, out_dir: Path, assumptions: Assumptions = Assumptions()) -> Path:
    """Draw the four plots into `out_dir` and write `out_dir`/report.md. Returns the report's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    energy_png = plot_energy_by_day(inputs.installations, out_dir / "energy_by_day.png")
    certificates_png = plot_certificates(inputs.installations, out_dir / "certificates.png")
    comparisons = gas_comparisons(inputs.txs, inputs.crowdfunding_address)
    gas_png = plot_gas_vs_thesis(comparisons, out_dir / "gas_vs_thesis.png") if comparisons else None
    bars = operator_cost_bars(inputs.txs, inputs.activity, assumptions)
    cost_png = plot_operator_cost(bars, out_dir / "operator_cost.png",
                                  f"Operator cost of this run ({inputs.activity.days} days): on chain against a centralised registry")
    issued = sum(i.issued_wh for i in inputs.installations)
    flagged = sum(d.flagged_intervals for i in inputs.installations for d in i.daily)
    heaviest = max((tx for tx in inputs.txs if tx.status == 1), key=lambda tx: tx.gas_used)
    failed = [inv for inv in inputs.invariants if not inv.ok]
    lines = [
        "# PV Ledger demo report",
        "",
        f"Network `{inputs.network}` (chain id {inputs.chain_id}), git commit `{inputs.git_commit[:8]}`. "
        "Written by `make demo` (scripts/demo.py); every figure below was read from the chain or the "
        "oracle's store of this run. All generation data is SYNTHETIC (simulated with pvlib, seeded); "
        "the installations are the SAMPLE set of data/ptsp_installations.csv plus the simulation's project roofs.",
        "",
        "## Summary",
        "",
        f"- {len(inputs.installations)} installations, {_kwh(issued)} kWh certified over {inputs.activity.days} days; "
        f"{flagged} flagged 15-minute intervals kept out by the review.",
        f"- {len(inputs.txs):,} transactions mined; the heaviest used {heaviest.gas_used:,} gas "
        f"({heaviest.label}), {heaviest.gas_used / inputs.block_gas_limit:.1%} of the block gas limit "
        f"({inputs.block_gas_limit:,}).",
        f"- Invariants: {len(inputs.invariants) - len(failed)} of {len(inputs.invariants)} hold"
        + (f"; FAILED: {', '.join(inv.name for inv in failed)}." if failed else "."),
        "",
        "## Generation per installation and day",
        "",
        f"![energy per installation and day]({energy_png.name})",
        "",
        *_table(["installation", "capacity kWp", "certified kWh", "flagged intervals", "retired kWh", "locked for export kWh"],
                [(i.name, f"{i.capacity_w / 1000:,.1f}", _kwh(i.issued_wh), sum(d.flagged_intervals for d in i.daily),
                  _kwh(i.retired_wh), _kwh(i.export_locked_wh)) for i in inputs.installations]),
        "",
        "## Certificates issued, retired and exported",
        "",
        f"![certificates]({certificates_png.name})",
        "",
        f"Round files: {', '.join(f'`{_relative(p, out_dir)}`' for p in inputs.round_files) or 'none'}. "
        f"CADT export: `{_relative(inputs.cadt_export_dir, out_dir)}`.",
        "",
        "## The simulation and its invariants",
        "",
        *[f"    {line}" for line in inputs.simulation_lines],
        "",
        *_table(["invariant", "expected", "found", ""],
                [(inv.name, f"{inv.expected:,}", f"{inv.actual:,}", "OK" if inv.ok else f"**FAILED** {inv.detail}")
                 for inv in inputs.invariants]),
        "",
        "## Gas per operation against the thesis DApp",
        "",
    ]
    if gas_png is not None:
        lines += [f"![gas against the thesis]({gas_png.name})", "",
                  "Thesis figures: shared/design/THESIS_BASELINE.md (its contracts compiled as published and "
                  "measured on anvil); where it gives a range, its lower figure. The thesis had no certified generation.", ""]
    lines += _table(["contract.function", "calls", "median gas", "max gas", "total gas"],
                    [(f.label, f.calls, f"{f.median_gas:,}", f"{f.max_gas:,}", f"{f.total_gas:,}")
                     for f in gas_by_function(inputs.txs)[:TOP_FUNCTIONS]])
    lines += [
        "",
        "## Operator cost: on chain against a centralised registry",
        "",
        f"![operator cost]({cost_png.name})",
        "",
        *_table(["side", "marketplace CLP", "certified generation CLP", "total CLP"],
                [(b.side, f"{b.market_clp:,.0f}", f"{b.certification_clp:,.0f}", f"{b.total_clp:,.0f}") for b in bars]),
        "",
        f"On chain: every transaction of the run except {', '.join(sorted(NOT_OPERATING))} (one-off or "
        "local-chain only), priced with its gas and calldata, plus the oracle's hosting for the run's days. "
        f"Centralised: scripts/benchmarks/cost_model.py's model (staff time per project and per certificate, hosting, "
        f"database, audit) for the same {inputs.activity.financed_projects} financed and "
        f"{inputs.activity.self_funded_projects} self-funded projects and {inputs.activity.certified_mwh:,.3f} MWh. "
        f"Prices ({PRICE_SOURCE}):",
        "",
        "```",
        format_assumptions(assumptions),
        "```",
        "",
        "docs/cost-model.md explains the model and its parameters.",
        "",
    ]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines))
    return path
