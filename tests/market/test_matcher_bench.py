"""scripts/benchmarks/matcher.py: figures for `make bench`, checked on a small market (pure Python)."""

from scripts.benchmarks.matcher import bench_matcher
from scripts.benchmarks.thesis_search import thesis_read_count


def test_bench_reports_thesis_reads_per_the_formula():
    results = bench_matcher(owners=12, offers_per_kind=3, seed=5)
    assert results["thesis_reads"] == results["thesis_reads_formula"] == thesis_read_count(12, 3, 3, 3)


def test_bench_fast_path_reads_the_book_in_seven_calls():
    assert bench_matcher(owners=12, offers_per_kind=3, seed=5)["fast_rpc_calls"] == 7


def test_bench_fast_planner_and_thesis_agree_on_every_demand():
    results = bench_matcher(owners=30, offers_per_kind=4, seed=9)
    assert results["same_total_for_every_demand"] is True
    assert results["fast_matches"] == results["thesis_matches"]
