"""scripts/benchmarks/matching.py: the thesis's nested search run over RPC against the deployed
Marketplace, its time budget and extrapolation, and agreement with our planner (timings are not
asserted)."""

import pytest

from oracle.market_codes import KIND_PROVIDER
from scripts.benchmarks.matching import (
    BUDGET_ENV,
    ChainThesisReader,
    DEFAULT_BUDGET_S,
    bench_matching,
    bench_one_market,
    budget_from_env,
    extrapolated_s,
    offer_ids_by_kind,
    print_matching,
    run_baseline,
    totals_agree,
)
from scripts.benchmarks.thesis_search import thesis_nested_search, thesis_read_count
from scripts.market.book import read_book
from oracle.market_codes import KINDS
from scripts.market.matcher import MatchError, plan_matches
from scripts.deployment.market import deploy_market
from scripts.market.population import populate_market

OWNERS, OFFERS_PER_KIND, SEED = 6, 3, 4


@pytest.fixture(scope="module")
def populated(accounts, market):
    return populate_market(accounts, market, OWNERS, OFFERS_PER_KIND, SEED)


@pytest.fixture(scope="module")
def empty_market(operator, token):
    """A second marketplace, with no offers or demands (bench_one_market posts its own market)."""
    return deploy_market(operator, {"PaymentToken": token})


@pytest.fixture(scope="module")
def ids_by_kind(populated):
    return offer_ids_by_kind(populated, OWNERS, OFFERS_PER_KIND, SEED)


@pytest.fixture(scope="module")
def book(populated, marketplace, participant_registry):
    return read_book(marketplace, participant_registry)


@pytest.fixture(scope="module")
def counted_run(marketplace, ids_by_kind, book):
    """A whole baseline pass over the market, and the eth_call requests web3 sent meanwhile."""
    from brownie import web3

    eth_calls = []
    send = web3.manager._make_request

    def counting(method, params):
        eth_calls.extend([method] if method == "eth_call" else [])
        return send(method, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web3.manager, "_make_request", counting)
        run = run_baseline(marketplace, ids_by_kind, OWNERS, book.read_at)
    return run, len(eth_calls)


def test_offer_ids_by_kind_are_the_posted_offers_of_each_kind(ids_by_kind, book):
    assert ids_by_kind == {kind: [o.id for o in book.offers if o.kind == kind] for kind in KINDS}


def test_baseline_makes_one_eth_call_per_thesis_read(counted_run):
    run, eth_calls = counted_run
    expected = thesis_read_count(OWNERS, OFFERS_PER_KIND, OFFERS_PER_KIND, OFFERS_PER_KIND)
    assert run.calls_made == run.calls_total == eth_calls == expected


def test_baseline_over_rpc_finds_what_the_in_memory_reference_and_the_planner_find(counted_run, book):
    run, _ = counted_run
    assert not run.extrapolated and run.seconds == run.measured_s
    assert run.result == thesis_nested_search(book)
    plan = plan_matches(book)
    assert plan.matches and totals_agree(plan, run.result)


def test_chain_reader_offers_capacity_left_after_recorded_matches_and_none_once_expired(marketplace, ids_by_kind, book):
    first_provider = ids_by_kind[KIND_PROVIDER][0]
    posted_kwp = next(o.available_kwp for o in book.offers if o.id == first_provider)
    reader = ChainThesisReader(marketplace, ids_by_kind, book.read_at)
    assert reader.offer_terms(KIND_PROVIDER, 0)[::2] == (first_provider, posted_kwp)
    reader.record_match(1, [first_provider], 5)
    assert reader.offer_terms(KIND_PROVIDER, 0)[2] == posted_kwp - 5
    assert reader.reads == 4
    expired = ChainThesisReader(marketplace, ids_by_kind, now=book.offers[0].expires_at)
    assert expired.offer_terms(KIND_PROVIDER, 0)[2] == 0


def test_baseline_stops_at_the_budget_and_extrapolates_from_its_seconds_per_call(marketplace, ids_by_kind, book):
    ticks = iter(range(10**6))
    run = run_baseline(marketplace, ids_by_kind, OWNERS, book.read_at, budget_s=10, clock=lambda: float(next(ticks)))
    assert run.extrapolated and run.result is None
    assert 1 <= run.calls_made < run.calls_total
    per_call_s = run.measured_s / run.calls_made
    assert run.seconds == pytest.approx(run.measured_s + (run.calls_total - run.calls_made) * per_call_s)


def test_extrapolated_seconds_hand_computed():
    # 100 of 1,000 calls in 2 s: 0.02 s per call, 900 calls left -> 2 + 18 s
    assert extrapolated_s(2.0, 100, 1_000) == pytest.approx(20.0)
    assert extrapolated_s(3.0, 50, 50) == 3.0


@pytest.mark.parametrize("made, total", [(0, 10), (11, 10)])
def test_extrapolated_seconds_refuse_impossible_counts(made, total):
    with pytest.raises(ValueError, match="calls made"):
        extrapolated_s(1.0, made, total)


def test_bench_one_market_with_a_big_budget_measures_the_whole_pass(accounts, empty_market):
    figures = bench_one_market(accounts, empty_market, 5, 3, budget_s=600, seed=SEED)
    assert figures["baseline_extrapolated"] is False and figures["same_totals"] is True
    assert figures["baseline_calls_made"] == figures["baseline_rpc_calls"] == thesis_read_count(5, 3, 3, 3)
    assert figures["baseline_s"] == pytest.approx(figures["baseline_measured_s"], abs=0.01)
    assert figures["ours_rpc_calls"] == 7
    assert figures["speedup"] == pytest.approx(figures["baseline_s"] / figures["ours_s"], rel=0.01)


def test_bench_one_market_with_a_tiny_budget_extrapolates(accounts, empty_market):
    figures = bench_one_market(accounts, empty_market, 5, 3, budget_s=0, seed=SEED)
    assert figures["baseline_extrapolated"] is True and figures["same_totals"] is None
    assert figures["baseline_calls_made"] == 1
    per_call_s = figures["baseline_ms_per_call"] / 1000
    assert figures["baseline_s"] == pytest.approx(figures["baseline_rpc_calls"] * per_call_s, rel=0.001, abs=0.01)


def test_budget_from_env_default_value_and_bad_input():
    assert budget_from_env({}) == DEFAULT_BUDGET_S
    assert budget_from_env({BUDGET_ENV: " 12.5 "}) == 12.5
    for bad in ("soon", "-1", "nan"):
        with pytest.raises(MatchError, match=rf"{BUDGET_ENV} must be a number of seconds >= 0, got '{bad}'"):
            budget_from_env({BUDGET_ENV: bad})


def test_bench_matching_reverts_between_sizes_and_prints_a_row_per_size(capsys):
    # without the revert the second market would sit beside the first: 8 demands, 18 offers
    matching = bench_matching(sizes=((3, 3), (5, 3)), budget_s=600, seed=SEED)
    assert list(matching["markets"]) == ["3x3", "5x3"]
    second = matching["markets"]["5x3"]
    assert second["baseline_rpc_calls"] == thesis_read_count(5, 3, 3, 3) and second["same_totals"] is True
    capsys.readouterr()  # the deployment's transaction lines
    print_matching(matching)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("matching: ") and "budget 600 s per size" in lines[0]
    assert lines[3].split()[:3] == ["5x3", f"{second['ours_s']:.3f}", "7"]
