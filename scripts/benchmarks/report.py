"""bench/RESULTS.md from the results of `make bench` (the dict scripts/bench.py writes to
bench/results.json): one table per gas area with the thesis DApp's figure and the ratio thesis / PV
Ledger where there is a baseline, the per-reading and per-round tables, the matching table (ours
against the thesis's nested search over RPC), the oracle figures, and the machine. Extrapolated figures are marked in their table and listed at the top.

No chain and no brownie: ``results_markdown(results)`` is a pure function of the dict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

THESIS_SOURCE = "shared/design/THESIS_BASELINE.md (thesis DApp compiled as published, measured on anvil)"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A markdown table; cells are written as given (format numbers before)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def ratio(baseline: float | None, ours: float) -> str:
    """baseline / ours as "5.3x", or "-" without a baseline."""
    return f"{baseline / ours:,.1f}x" if baseline and ours else "-"


def gas_area_lines(area: str, gas: dict[str, int], thesis: dict[str, dict[str, Any]]) -> list[str]:
    """The table of one gas area; the thesis columns only where the area has thesis figures."""
    lines = [f"### gas.{area}", ""]
    if not thesis:
        return lines + table(["operation", "PV Ledger gas"], [(op, f"{used:,}") for op, used in gas.items()])
    rows = []
    for operation, used in gas.items():
        figure = thesis.get(operation, {})
        rows.append((operation, f"{used:,}", figure.get("figure", "-"), ratio(figure.get("gas"), used)))
    return lines + table(["operation", "PV Ledger gas", "thesis DApp", "thesis / PV Ledger"], rows)


def per_reading_lines(per_reading: dict[str, Any]) -> list[str]:
    fit = per_reading["naive_fit"]
    rows = []
    for size, row in per_reading["installations"].items():
        naive = f"{row['naive']:,.1f}" + (" (extrapolated)" if row["extrapolated"] else "")
        rows.append((f"{int(size):,}", f"{row['ours']:,.1f}", naive, f"{row['ratio']:,.1f}x",
                     f"{row['ours_total_gas']:,}", row["ours_batches"], f"{row['naive_total_gas']:,}"))
    measured = ", ".join(f"{int(n):,}: {gas:,}" for n, gas in fit["measured_total_gas"].items())
    return ["### per_reading_gas: gas per 15-minute reading, daily issuance", "",
            "PV Ledger: one submitRound of N leaves plus issueBatch in batches of 100, over N x 96 readings. "
            "Naive: contracts/test/NaiveReadingStore.sol, one storeReadings of 96 readings per installation-day.", ""] + table(
        ["installations", "PV Ledger", "naive", "naive / PV Ledger", "PV Ledger, day total", "issueBatch calls",
         "naive, day total"], rows) + [
        f"Naive day totals measured (installations: gas): {measured}; straight line "
        f"{fit['gas_per_installation_day']:,} gas per installation-day {fit['fixed_gas']:+,} gas, largest residual "
        f"{fit['max_residual_gas']:,} gas. Sizes whose naive day exceeds one block ({fit['block_gas_limit']:,} gas) "
        "are extrapolated from that line, not sent.", ""]


def round_gas_lines(round_gas: dict[str, int]) -> list[str]:
    first = next(iter(round_gas.values()))
    rows = [(f"{int(leaves):,}", f"{gas:,}", f"{(gas - first) / first:+.2%}") for leaves, gas in round_gas.items()]
    return ["### round_gas: submitRound (quorum 2) per leaf count", "",
            "Only the Merkle root is stored, so the gas does not grow with the leaves.", ""] + table(
        ["leaves", "gas", "vs the smallest round"], rows)


def flat_lines(title: str, figures: dict[str, Any], prefix: str = "") -> list[str]:
    """A two-column table of a (nested) dict of figures, nested keys joined by dots."""
    rows: list[tuple[str, str]] = []

    def walk(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                walk(f"{key}.{sub_key}" if key else str(sub_key), sub_value)
        else:
            rows.append((key, f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)))

    walk(prefix, figures)
    return [f"### {title}", ""] + table(["figure", "value"], rows)


def matching_lines(matching: dict[str, Any]) -> list[str]:
    """The matching table: per market size ours and the thesis's nested search, over RPC."""
    rows, extrapolated, agreed = [], extrapolated_markets({"matching": matching}), []
    for key, row in matching["markets"].items():
        if row["baseline_extrapolated"]:
            baseline = f"{row['baseline_s']:,.1f} (extrapolated)"
            measured = f"{row['baseline_calls_made']:,} calls in {row['baseline_measured_s']:,.1f} s"
        else:
            baseline, measured = f"{row['baseline_s']:,.1f}", "the whole pass"
            agreed += [key] if row["same_totals"] else []
        rows.append((key, f"{row['ours_s']:.3f}", f"{row['ours_rpc_calls']:,}", baseline,
                     f"{row['baseline_rpc_calls']:,}", f"{row['speedup']:,.0f}x",
                     f"{measured}, {row['baseline_ms_per_call']:.2f} ms per call"))
    budget = f"{matching['budget_s_per_size']:g} s"
    return ["## Matching", "",
            "Market DxK: D owners with one demand each, K offers of each kind (scripts/populate_market.py, "
            "seeded), posted on a fresh marketplace per size. Ours: read_book (paged views) + plan_matches, "
            f"best of {matching['ours_runs']} runs. Baseline: the thesis DApp's nested search (shared/design/THESIS_BASELINE.md), "
            "every read one eth_call of our Marketplace's views, 2 + D(4 + K(3 + K(3 + 2K))) reads per pass, "
            f"the same client and chain; it runs until {budget} per size, and a pass that did not finish is "
            "extrapolated: its measured seconds plus the calls left times its measured seconds per call. "
            "Speedup: baseline s / ours s. The seconds per call depend on the machine and its load; "
            "shared/design/THESIS_BASELINE.md measured 1.7 ms (lean web3) to 4 ms (web3 as shipped) per read.", ""] + table(
        ["market", "ours s", "ours RPC calls", "baseline s", "baseline RPC calls", "speedup", "baseline measured"],
        rows) + [
        ("Extrapolated: " + ", ".join(extrapolated) + f" (the baseline's pass did not finish in {budget})."
         if extrapolated else f"Extrapolated: nothing; every baseline pass finished within {budget}."),
        ("Same total per demand, ours and the baseline: " + ", ".join(agreed) + " (every size whose pass finished)."
         if agreed else "No baseline pass finished, so no comparison of the matches."), ""]


def extrapolated_sizes(results: dict[str, Any]) -> list[str]:
    """Installation counts whose naive per-reading figure is extrapolated."""
    per_reading = results.get("per_reading_gas", {}).get("installations", {})
    return [size for size, row in per_reading.items() if row["extrapolated"]]


def extrapolated_markets(results: dict[str, Any]) -> list[str]:
    """Market sizes ("DxK") whose baseline matching time is extrapolated."""
    markets = results.get("matching", {}).get("markets", {})
    return [key for key, row in markets.items() if row["baseline_extrapolated"]]


def extrapolated_line(results: dict[str, Any]) -> str:
    """The report's first statement: which figures are extrapolated, or that none is."""
    parts = []
    if sizes := extrapolated_sizes(results):
        parts.append("the naive baseline's per-reading figure for " + ", ".join(f"{int(s):,}" for s in sizes)
                     + " installations (see per_reading_gas)")
    if markets := extrapolated_markets(results):
        parts.append("the thesis search's matching time for markets " + ", ".join(markets) + " (see Matching)")
    return "Extrapolated: " + "; ".join(parts) + "." if parts else "Extrapolated: nothing; every figure was measured."


def results_markdown(results: dict[str, Any]) -> str:
    """The whole bench/RESULTS.md for `results` (the dict of bench/results.json)."""
    lines = ["# `make bench` results", "",
             "Generated by `make bench` (scripts/benchmarks/report.py) with bench/results.json; both are "
             "regenerated by each run and not committed. Gas is measured on anvil "
             f"(network {results.get('network', '?')}, chain id {results.get('chainId', '?')}); thesis figures: "
             f"{THESIS_SOURCE}. Ratios are thesis (or naive) / PV Ledger, using the lower thesis figure "
             "where it gives a range.", ""]
    lines += [extrapolated_line(results), ""]
    lines += ["## Gas", ""]
    thesis = results.get("thesis", {})
    for area, gas in results.get("gas", {}).items():
        lines += gas_area_lines(area, gas, thesis.get(area, {}))
    if "per_reading_gas" in results:
        lines += per_reading_lines(results["per_reading_gas"])
    if "round_gas" in results:
        lines += round_gas_lines(results["round_gas"])
    if "matching" in results:
        lines += matching_lines(results["matching"])
    if "oracle" in results:
        lines += ["## Oracle", ""] + flat_lines("normalise + quality checks, and the whole ingest", results["oracle"])
    if "dashboard" in results:
        lines += dashboard_lines(results["dashboard"])
    if "env" in results:
        lines += ["## Machine and versions", ""] + flat_lines("env", results["env"])
    return "\n".join(lines).rstrip() + "\n"


def dashboard_lines(dashboard: dict[str, Any]) -> list[str]:
    """The dashboard's page times on the demo's chain, or why they were not measured."""
    lines = ["## Dashboard", ""]
    if "skipped" in dashboard:
        return lines + [f"Not measured: {dashboard['skipped']}.", ""]
    rows = [(f"`{path}`", f"{row['ms']:,.1f}", str(row["status"])) for path, row in dashboard["pages"].items()]
    return lines + [
        f"Public pages served in-process on the last demo's chain ({dashboard['certificates']:,} certificates), "
        f"slowest of three once warm; target {dashboard['budget_ms']} ms. A warm page costs "
        f"{dashboard['warm_page_rpc_requests']} RPC request(s), the first page after a new block "
        f"{dashboard['new_block_rpc_requests']}.", ""] + table(["page", "ms", "HTTP"], rows)


def write_report(results: dict[str, Any], path: Path) -> None:
    """Write results_markdown(results) to `path` (its folder created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(results_markdown(results))
