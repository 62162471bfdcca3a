"""Property tests of the matcher (scripts/market/matcher.py) on random small markets, pure Python.

The fast planner must pick, for every demand in FIFO order and with the capacity earlier demands
consumed, a triple as cheap as the brute-force optimum; never exceed a demand's max price; never
consume more than an offer has; and agree with the thesis's nested search where that defines a match.
"""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracle.market_codes import KINDS
from scripts.benchmarks.brute_force import brute_force_optimum, brute_force_plan
from scripts.benchmarks.thesis_search import thesis_nested_search, thesis_read_count
from scripts.market.book import Book, Demand, Offer
from scripts.market.matcher import plan_matches, quote

NOW = 1_800_000_000
SELLERS = [f"0x{n:040x}" for n in range(1, 6)]
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def markets(draw, with_reputation=True):
    """A small random book: up to 4 offers per kind and 7 demands, some closed or expired,
    prices and sizes small enough that ties, exact max prices and exhaustion are common."""
    offers = []
    for kind in KINDS:
        for _ in range(draw(st.integers(0, 4))):
            offers.append(
                Offer(
                    id=len(offers) + 1,
                    seller=draw(st.sampled_from(SELLERS)),
                    kind=kind,
                    price_clp_per_kwp=draw(st.integers(1, 12)),
                    available_kwp=draw(st.integers(0, 14)),
                    created_at=NOW - 100,
                    expires_at=NOW + draw(st.sampled_from([-5, 0, 1, 1000])),
                    open=draw(st.booleans() | st.just(True)),
                )
            )
    demands = [
        Demand(
            id=n,
            owner=f"0xowner{n}",
            size_kwp=draw(st.integers(1, 8)),
            max_total_clp=draw(st.integers(0, 400)),
            needs_financing=draw(st.booleans()),
            created_at=NOW - 50,
            expires_at=NOW + draw(st.sampled_from([0, 1, 1000])),
            open=draw(st.booleans() | st.just(True)),
        )
        for n in range(1, draw(st.integers(0, 7)) + 1)
    ]
    reputation = {s: draw(st.integers(-2, 2)) for s in SELLERS} if with_reputation else {}
    fee_bps = draw(st.sampled_from([0, 1, 250, 333, 1000]))
    return Book(tuple(offers), tuple(demands), reputation, fee_bps, NOW)


@given(book=markets())
@PROPERTY_SETTINGS
def test_each_planned_demand_costs_the_brute_force_optimum_given_earlier_matches(book):
    plan = plan_matches(book)
    planned = {m.demand_id: m for m in plan.matches}
    remaining = {o.id: o.available_kwp for o in book.offers}
    for demand in sorted((d for d in book.demands if d.open), key=lambda d: d.id):
        best = brute_force_optimum(demand, book.offers, remaining, book.platform_fee_bps, NOW, book.reputation)
        ours = planned.get(demand.id)
        assert (best is None) == (ours is None)
        if ours is not None:
            assert ours.total_clp == best.total_clp
            for offer_id in ours.offer_ids:
                remaining[offer_id] -= demand.size_kwp


@given(book=markets())
@PROPERTY_SETTINGS
def test_fast_plan_equals_brute_force_plan_including_tie_breaks(book):
    assert plan_matches(book).matches == brute_force_plan(book).matches


@given(book=markets())
@PROPERTY_SETTINGS
def test_no_planned_project_exceeds_its_max_price(book):
    demands = {d.id: d for d in book.demands}
    offers = {o.id: o for o in book.offers}
    for m in plan_matches(book).matches:
        prices = [offers[i].price_clp_per_kwp for i in m.offer_ids]
        assert quote(prices, demands[m.demand_id].size_kwp, book.platform_fee_bps) == m.quote
        assert m.total_clp <= demands[m.demand_id].max_total_clp


@given(book=markets())
@PROPERTY_SETTINGS
def test_plan_uses_only_open_unexpired_offers_of_the_right_kind_within_capacity(book):
    offers = {o.id: o for o in book.offers}
    used = Counter()
    for m in plan_matches(book).matches:
        for kind, offer_id in zip(KINDS, m.offer_ids):
            assert offers[offer_id].kind == kind and offers[offer_id].open and NOW < offers[offer_id].expires_at
            used[offer_id] += m.size_kwp
    assert all(used[i] <= offers[i].available_kwp for i in used)


@given(book=markets(with_reputation=False))
@PROPERTY_SETTINGS
def test_thesis_nested_search_finds_the_same_cost_for_every_demand(book):
    fast = plan_matches(book).total_by_demand()
    thesis = thesis_nested_search(book)
    considered = {d for d, total in fast.items() if total is not None} | {
        d for d, m in thesis.matches.items() if m is not None
    }
    for demand_id in considered:
        assert thesis.matches[demand_id] is not None
        assert thesis.matches[demand_id].total_clp == fast[demand_id]


@given(book=markets())
@PROPERTY_SETTINGS
def test_thesis_nested_search_reads_per_the_formula(book):
    counts = [sum(1 for o in book.offers if o.kind == kind) for kind in KINDS]
    assert thesis_nested_search(book).reads == thesis_read_count(len(book.demands), *counts)
