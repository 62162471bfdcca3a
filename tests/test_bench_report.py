"""scripts/benchmarks/report.py (bench/RESULTS.md from the results dict) and the per-reading arithmetic
of scripts/benchmarks/energy.py, on small hand-made inputs (no benchmark is run)."""

import pytest

from scripts.benchmarks.energy import amortised_gas_per_reading, linear_fit
from scripts.benchmarks.report import results_markdown

RESULTS = {
    "network": "dev-h2",
    "chainId": 31337,
    "env": {"machine": "Linux 6.1 x86_64", "cpu_count": 2, "python": "3.11.9"},
    "gas": {"market": {"postOffer": 82_600, "register participant": 70_000}, "token": {"mint": 51_000}},
    "thesis": {"market": {"postOffer": {"figure": "~98,000 (new offer)", "gas": 98_000},
                          "register participant": {"figure": "- (one contract per role)", "gas": None}}},
    "round_gas": {"10": 127_700, "100000": 128_900},
    "per_reading_gas": {
        "installations": {
            "1": {"ours": 2_500.0, "naive": 13_000.0, "ratio": 5.2, "extrapolated": False,
                  "ours_round_gas": 120_000, "ours_batches": 1, "ours_total_gas": 240_000, "naive_total_gas": 1_248_000},
            "1000": {"ours": 820.0, "naive": 13_000.0, "ratio": 15.9, "extrapolated": True,
                     "ours_round_gas": 130_000, "ours_batches": 10, "ours_total_gas": 78_720_000,
                     "naive_total_gas": 1_248_000_000},
        },
        "naive_fit": {"block_gas_limit": 30_000_000, "measured_total_gas": {"1": 1_248_000, "10": 12_480_000},
                      "gas_per_installation_day": 1_248_000.0, "fixed_gas": 0.0, "max_residual_gas": 0.0},
    },
    "matching": {"budget_s_per_size": 60.0, "ours_runs": 3, "markets": {
        "5x3": {"ours_s": 0.0412, "baseline_s": 8.03, "ours_rpc_calls": 7, "baseline_rpc_calls": 472,
                "baseline_extrapolated": False, "speedup": 194.9, "baseline_measured_s": 8.0312,
                "baseline_calls_made": 472, "baseline_ms_per_call": 17.015, "ours_matches": 5, "same_totals": True},
        "100x20": {"ours_s": 0.2, "baseline_s": 29_348.8, "ours_rpc_calls": 7, "baseline_rpc_calls": 1_726_402,
                   "baseline_extrapolated": True, "speedup": 146_744.0, "baseline_measured_s": 60.0,
                   "baseline_calls_made": 3_530, "baseline_ms_per_call": 17.0, "ours_matches": 80,
                   "same_totals": None},
    }},
    "oracle": {"readings_per_min": 2_000_000, "peak_mem_mb": {"4": 157.8}},
}


def test_report_puts_the_thesis_figure_and_ratio_beside_our_gas():
    markdown = results_markdown(RESULTS)
    assert "| postOffer | 82,600 | ~98,000 (new offer) | 1.2x |" in markdown
    assert "| register participant | 70,000 | - (one contract per role) | - |" in markdown


def test_report_area_without_baseline_has_no_thesis_column():
    markdown = results_markdown(RESULTS)
    token = markdown.split("### gas.token")[1].split("###")[0]
    assert "| operation | PV Ledger gas |\n" in token
    assert "| mint | 51,000 |" in token
    assert "thesis" not in token


def test_report_marks_and_lists_the_extrapolated_sizes():
    markdown = results_markdown(RESULTS)
    assert "| 1,000 | 820.0 | 13,000.0 (extrapolated) | 15.9x |" in markdown
    assert "| 1 | 2,500.0 | 13,000.0 | 5.2x | 240,000 | 1 | 1,248,000 |" in markdown
    assert "1,248,000.0 gas per installation-day +0.0 gas, largest residual 0.0 gas" in markdown
    assert ("Extrapolated: the naive baseline's per-reading figure for 1,000 installations (see per_reading_gas); "
            "the thesis search's matching time for markets 100x20 (see Matching).") in markdown


def test_report_matching_table_marks_the_extrapolated_market_and_how():
    markdown = results_markdown(RESULTS)
    assert "| 5x3 | 0.041 | 7 | 8.0 | 472 | 195x | the whole pass, 17.02 ms per call |" in markdown
    assert ("| 100x20 | 0.200 | 7 | 29,348.8 (extrapolated) | 1,726,402 | 146,744x | "
            "3,530 calls in 60.0 s, 17.00 ms per call |") in markdown
    assert "Extrapolated: 100x20 (the baseline's pass did not finish in 60 s)." in markdown
    assert "Same total per demand, ours and the baseline: 5x3 (every size whose pass finished)." in markdown
    assert "best of 3 runs" in markdown and "runs until 60 s per size" in markdown


def test_report_matching_without_extrapolation_says_every_pass_finished():
    finished = {**RESULTS["matching"], "markets": {"5x3": RESULTS["matching"]["markets"]["5x3"]}}
    markdown = results_markdown({**RESULTS, "matching": finished})
    assert "Extrapolated: nothing; every baseline pass finished within 60 s." in markdown
    assert "matching time" not in markdown.split("## Gas")[0]


def test_report_without_extrapolation_says_everything_was_measured():
    results = {**RESULTS, "matching": {**RESULTS["matching"], "markets": {}},
               "per_reading_gas": {**RESULTS["per_reading_gas"], "installations": {
                   "1": RESULTS["per_reading_gas"]["installations"]["1"]}}}
    assert "Extrapolated: nothing; every figure was measured." in results_markdown(results)


def test_report_round_gas_oracle_and_env_tables():
    markdown = results_markdown(RESULTS)
    assert "| 100,000 | 128,900 | +0.94% |" in markdown
    assert "| readings_per_min | 2,000,000 |" in markdown
    assert "| peak_mem_mb.4 | 157.8 |" in markdown
    assert "| cpu_count | 2 |" in markdown
    assert "| machine | Linux 6.1 x86_64 |" in markdown


def test_amortised_gas_per_reading_hand_computed():
    # 100 installations x 96 readings = 9,600 readings; 96,000 + 9,504,000 gas = 9,600,000 -> 1,000
    assert amortised_gas_per_reading(96_000, [9_504_000], 100) == 1_000.0
    # 1,000 installations in 10 batches: (130,000 + 10 x 7,800,000) / 96,000 = 813.854...
    assert amortised_gas_per_reading(130_000, [7_800_000] * 10, 1_000) == pytest.approx(78_130_000 / 96_000)


def test_amortised_gas_per_reading_rejects_no_installations():
    with pytest.raises(ValueError, match="installations must be positive"):
        amortised_gas_per_reading(100_000, [], 0)


def test_linear_fit_of_an_exact_line_has_no_residual():
    assert linear_fit([1, 10, 20], [1_000, 10_000, 20_000]) == (1_000.0, 0.0, 0.0)


def test_linear_fit_reports_the_middle_point_off_the_line():
    # the line through (1, 1,500) and (20, 20,500) is 1,000 n + 500; (10, 10,600) lies 100 above it
    assert linear_fit([1, 10, 20], [1_500, 10_600, 20_500]) == (1_000.0, 500.0, 100.0)


def test_report_dashboard_table_or_why_it_was_not_measured():
    measured = {"pages": {"/": {"ms": 14.2, "status": 200}, "/market": {"ms": 321.0, "status": 200}},
                "warm_page_rpc_requests": 1, "new_block_rpc_requests": 72, "certificates": 377, "budget_ms": 300}
    text = results_markdown({**RESULTS, "dashboard": measured})
    assert "## Dashboard" in text and "| `/market` | 321.0 | 200 |" in text
    assert "377 certificates" in text and "A warm page costs 1 RPC request(s), the first page after a new block 72" in text
    skipped = results_markdown({**RESULTS, "dashboard": {"skipped": "no saved demo chain at x: run `make demo` first"}})
    assert "Not measured: no saved demo chain at x: run `make demo` first." in skipped and "| page |" not in skipped
