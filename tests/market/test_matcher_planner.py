"""Unit tests of the matcher's pure-Python planner (scripts/market/matcher.py) beside the benchmark
references (scripts/benchmarks/): no chain involved."""

import pytest

from oracle.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER
from scripts.benchmarks.brute_force import brute_force_plan
from scripts.benchmarks.thesis_search import thesis_nested_search, thesis_read_count
from scripts.market.book import Book, Demand, Offer
from scripts.market.matcher import CapacityTree, MatchError, describe_plan, plan_matches, quote

NOW = 1_800_000_000
LATER = NOW + 86_400


def offer(id, kind, price, kwp=100, seller=None, expires=LATER, open=True):
    return Offer(id, seller or f"0xseller{id}", kind, price, kwp, NOW - 1000 + id, expires, open)


def demand(id, size, max_total, expires=LATER, open=True, owner=None):
    return Demand(id, owner or f"0xowner{id}", size, max_total, False, NOW - 500 + id, expires, open)


def triple(first_id, prices=(10, 20, 30), kwp=100):
    """One offer of each kind with ids first_id, first_id+1, first_id+2."""
    return [offer(first_id + k, kind, prices[k], kwp) for k, kind in enumerate((KIND_PROVIDER, KIND_INSTALLER, KIND_MANAGER))]


def book(offers, demands, fee_bps=0, reputation=None):
    return Book(tuple(offers), tuple(demands), reputation or {}, fee_bps, NOW)


def test_empty_book_plans_nothing():
    plan = plan_matches(book([], []))
    assert plan.matches == () and plan.unmatched == ()


def test_demand_without_offers_is_unmatched_with_reason():
    plan = plan_matches(book([], [demand(1, 5, 10**9)]))
    assert plan.matches == ()
    assert plan.unmatched[0].demand_id == 1
    assert "no open provider offer" in plan.unmatched[0].reason


def test_missing_kind_is_named_in_reason():
    offers = [offer(1, KIND_PROVIDER, 10), offer(2, KIND_INSTALLER, 10)]
    plan = plan_matches(book(offers, [demand(1, 5, 10**9)]))
    assert "manager" in plan.unmatched[0].reason


def test_cheapest_offer_of_each_kind_is_chosen():
    offers = triple(1, (50, 60, 70)) + triple(4, (40, 65, 20))
    plan = plan_matches(book(offers, [demand(1, 10, 10**9)]))
    m = plan.matches[0]
    assert (m.provider_offer_id, m.installer_offer_id, m.manager_offer_id) == (4, 2, 6)
    assert m.total_clp == (40 + 60 + 20) * 10


def test_owners_own_cheaper_offer_is_skipped_for_the_next_cheapest():
    offers = triple(1, (50, 60, 70)) + [offer(4, KIND_PROVIDER, 49, seller="0xowner1")]
    plan = plan_matches(book(offers, [demand(1, 10, 10**9, owner="0xowner1")]))
    assert plan.matches[0].offer_ids == (1, 2, 3)


def test_one_seller_cheapest_in_two_kinds_gets_only_the_kind_that_saves_most():
    """Seller 0xs is cheapest provider (by 1) and cheapest installer (by 5): it keeps the installer offer."""
    offers = [offer(1, KIND_PROVIDER, 10, seller="0xs"), offer(2, KIND_PROVIDER, 11), offer(3, KIND_INSTALLER, 10, seller="0xs"),
              offer(4, KIND_INSTALLER, 15), offer(5, KIND_MANAGER, 1)]
    plan = plan_matches(book(offers, [demand(1, 2, 10**9)]))
    assert plan.matches[0].offer_ids == (2, 3, 5)
    assert plan.matches == brute_force_plan(book(offers, [demand(1, 2, 10**9)])).matches


def test_checksummed_and_lowercase_addresses_are_the_same_party():
    owner = "0xAbC0000000000000000000000000000000000001"
    offers = triple(1, (50, 60, 70)) + [offer(4, KIND_MANAGER, 1, seller=owner.lower())]
    plan = plan_matches(book(offers, [demand(1, 10, 10**9, owner=owner)]))
    assert plan.matches[0].offer_ids == (1, 2, 3)


def test_demand_without_four_distinct_parties_is_unmatched_with_reason():
    offers = [offer(1, KIND_PROVIDER, 10, seller="0xs"), offer(2, KIND_INSTALLER, 10, seller="0xs"), offer(3, KIND_MANAGER, 10)]
    plan = plan_matches(book(offers, [demand(1, 2, 10**9)]))
    assert not plan.matches
    assert "three different accounts" in plan.unmatched[0].reason


def test_planner_skips_many_offers_of_a_seller_already_taken():
    offers = [offer(k, KIND_PROVIDER, k, seller="0xs") for k in range(1, 20)] + [
        offer(20, KIND_PROVIDER, 100), offer(21, KIND_INSTALLER, 1, seller="0xs"), offer(22, KIND_INSTALLER, 2), offer(23, KIND_MANAGER, 1)]
    fast = plan_matches(book(offers, [demand(1, 2, 10**9)]))
    assert fast.matches == brute_force_plan(book(offers, [demand(1, 2, 10**9)])).matches
    assert fast.matches[0].offer_ids == (1, 22, 23)


def test_price_tie_goes_to_higher_reputation():
    offers = [offer(1, KIND_PROVIDER, 10, seller="0xa"), offer(2, KIND_PROVIDER, 10, seller="0xb")] + triple(3)[1:]
    plan = plan_matches(book(offers, [demand(1, 1, 10**9)], reputation={"0xa": 1, "0xb": 3}))
    assert plan.matches[0].provider_offer_id == 2


def test_price_and_reputation_tie_goes_to_older_offer():
    offers = [offer(7, KIND_PROVIDER, 10, seller="0xa"), offer(2, KIND_PROVIDER, 10, seller="0xb")] + triple(3)[1:]
    plan = plan_matches(book(offers, [demand(1, 1, 10**9)], reputation={"0xa": 2, "0xb": 2}))
    assert plan.matches[0].provider_offer_id == 2


def test_negative_reputation_loses_tie_to_unrated_seller():
    offers = [offer(1, KIND_PROVIDER, 10, seller="0xbad"), offer(2, KIND_PROVIDER, 10, seller="0xnew")] + triple(3)[1:]
    plan = plan_matches(book(offers, [demand(1, 1, 10**9)], reputation={"0xbad": -1}))
    assert plan.matches[0].provider_offer_id == 2


def test_capacity_consumed_by_earlier_demand_moves_later_demand_to_next_offer():
    offers = triple(1, (10, 10, 10), kwp=8) + triple(4, (11, 11, 11), kwp=100)
    plan = plan_matches(book(offers, [demand(1, 5, 10**9), demand(2, 5, 10**9)]))
    assert plan.matches[0].offer_ids == (1, 2, 3)
    assert plan.matches[1].offer_ids == (4, 5, 6)


def test_capacity_exhaustion_is_per_kind():
    offers = triple(1, (10, 10, 10), kwp=10) + [offer(4, KIND_INSTALLER, 12, kwp=3)]
    plan = plan_matches(book(offers, [demand(1, 6, 10**9), demand(2, 3, 10**9)]))
    assert plan.matches[0].offer_ids == (1, 2, 3)
    # the cheap installer has 4 kWp left (>= 3) so it still wins over offer 4
    assert plan.matches[1].offer_ids == (1, 2, 3)


def test_demand_larger_than_any_remaining_capacity_is_unmatched_and_later_smaller_one_matches():
    offers = triple(1, kwp=10)
    plan = plan_matches(book(offers, [demand(1, 7, 10**9), demand(2, 7, 10**9), demand(3, 3, 10**9)]))
    assert [m.demand_id for m in plan.matches] == [1, 3]
    assert plan.unmatched[0].demand_id == 2 and "7 kWp" in plan.unmatched[0].reason


def test_demands_are_served_in_arrival_order_not_list_order():
    offers = triple(1, kwp=5)
    plan = plan_matches(book(offers, [demand(9, 5, 10**9), demand(3, 5, 10**9)]))
    assert [m.demand_id for m in plan.matches] == [3]
    assert [u.demand_id for u in plan.unmatched] == [9]


def test_unaffordable_demand_consumes_no_capacity():
    offers = triple(1, (10, 10, 10), kwp=5)
    plan = plan_matches(book(offers, [demand(1, 5, 149), demand(2, 5, 150)]))
    assert [m.demand_id for m in plan.matches] == [2]
    assert "exceeds max 149" in plan.unmatched[0].reason


def test_total_equal_to_max_price_is_feasible():
    offers = triple(1, (10, 20, 30))
    plan = plan_matches(book(offers, [demand(1, 4, 240)]))
    assert plan.matches[0].total_clp == 240 == plan.matches[0].max_total_clp


def test_total_one_peso_above_max_price_is_unmatched():
    offers = triple(1, (10, 20, 30))
    plan = plan_matches(book(offers, [demand(1, 4, 239)]))
    assert plan.matches == ()


def test_fee_is_rounded_down_like_the_contract():
    # subtotal 3 x 7 x 11 = 231; fee 231 * 250 / 10000 = 5.775 -> 5
    q = quote((7, 7, 7), 11, 250)
    assert (q.subtotal_clp, q.fee_clp, q.total_clp) == (231, 5, 236)


def test_fee_counts_against_max_price():
    offers = triple(1, (7, 7, 7))
    fits = plan_matches(book(offers, [demand(1, 11, 236)], fee_bps=250))
    short = plan_matches(book(offers, [demand(1, 11, 235)], fee_bps=250))
    assert fits.matches[0].quote.fee_clp == 5
    assert short.matches == () and "fee 5" in short.unmatched[0].reason


def test_expired_offer_is_skipped_for_a_dearer_unexpired_one():
    offers = [offer(1, KIND_PROVIDER, 5, expires=NOW), offer(4, KIND_PROVIDER, 9)] + triple(1)[1:]
    plan = plan_matches(book(offers, [demand(1, 1, 10**9)]))
    assert plan.matches[0].provider_offer_id == 4


def test_offer_expiring_one_second_after_now_is_usable():
    offers = [offer(1, KIND_PROVIDER, 5, expires=NOW + 1), offer(4, KIND_PROVIDER, 9)] + triple(1)[1:]
    plan = plan_matches(book(offers, [demand(1, 1, 10**9)]))
    assert plan.matches[0].provider_offer_id == 1


def test_plan_time_margin_excludes_offers_expiring_before_the_match_is_mined():
    offers = [offer(1, KIND_PROVIDER, 5, expires=NOW + 30), offer(4, KIND_PROVIDER, 9)] + triple(1)[1:]
    plan = plan_matches(book(offers, [demand(1, 1, 10**9)]), now=NOW + 60)
    assert plan.matches[0].provider_offer_id == 4


def test_expired_demand_is_unmatched_with_reason():
    plan = plan_matches(book(triple(1), [demand(1, 1, 10**9, expires=NOW)]))
    assert plan.matches == () and "expired" in plan.unmatched[0].reason


def test_closed_offers_and_demands_are_ignored():
    offers = [offer(1, KIND_PROVIDER, 1, open=False)] + triple(2)
    plan = plan_matches(book(offers, [demand(1, 1, 10**9, open=False), demand(2, 1, 10**9)]))
    assert [m.demand_id for m in plan.matches] == [2]
    assert plan.matches[0].provider_offer_id == 2
    assert plan.unmatched == ()


def test_same_offer_serves_several_demands_while_capacity_lasts():
    plan = plan_matches(book(triple(1, kwp=9), [demand(i, 3, 10**9) for i in range(1, 5)]))
    assert [m.demand_id for m in plan.matches] == [1, 2, 3]
    assert plan.unmatched[0].demand_id == 4


def test_capacity_tree_finds_first_fitting_in_rank_order_and_consumes():
    offers = [offer(i, KIND_PROVIDER, 10, kwp=k) for i, k in enumerate([2, 9, 4, 9, 1], start=1)]
    tree = CapacityTree(offers)
    assert tree.first_fitting(3) == 1
    tree.consume(1, 8)
    assert tree.first_fitting(3) == 2
    assert tree.first_fitting(5) == 3
    assert tree.first_fitting(10) is None


def test_capacity_tree_refuses_to_consume_more_than_left():
    tree = CapacityTree([offer(1, KIND_PROVIDER, 10, kwp=2)])
    with pytest.raises(MatchError, match="offer 1 has 2 kWp left"):
        tree.consume(0, 3)


def test_describe_plan_lists_every_demand_in_fifo_order():
    plan = plan_matches(book(triple(1, kwp=5), [demand(2, 5, 10**9), demand(1, 5, 1)]))
    lines = describe_plan(plan)
    assert lines[0].startswith("demand 1: unmatched")
    assert lines[1].startswith("demand 2 (5 kWp): provider offer 1, installer offer 2, manager offer 3")


def test_brute_force_plan_agrees_on_a_hand_built_market():
    offers = triple(1, (10, 30, 5), kwp=6) + triple(4, (12, 25, 9), kwp=6) + triple(7, (11, 26, 4), kwp=20)
    demands = [demand(1, 5, 300), demand(2, 5, 300), demand(3, 6, 10**9), demand(4, 1, 40)]
    fast, brute = plan_matches(book(offers, demands, fee_bps=100)), brute_force_plan(book(offers, demands, fee_bps=100))
    assert fast.matches == brute.matches
    assert [u.demand_id for u in fast.unmatched] == [u.demand_id for u in brute.unmatched]


def test_thesis_reference_counts_reads_per_its_formula():
    offers = triple(1) + triple(4) + triple(7)
    demands = [demand(i, 1, 10**9) for i in range(1, 6)]
    result = thesis_nested_search(book(offers, demands))
    assert result.reads == 2 + 5 * (4 + 3 * (3 + 3 * (3 + 2 * 3))) == thesis_read_count(5, 3, 3, 3)


def test_thesis_read_count_matches_the_measured_full_pass():
    # THESIS_BASELINE.md: (D=20, K=8) with no affordable combination took 24,882 reads
    assert thesis_read_count(20, 8, 8, 8) == 24_882


def test_thesis_reference_reads_every_combination_when_nothing_is_affordable():
    offers = [offer(i, kind, 100) for i, kind in enumerate([KIND_PROVIDER, KIND_INSTALLER, KIND_MANAGER] * 8, start=1)]
    demands = [demand(i, 1, 1) for i in range(1, 21)]
    result = thesis_nested_search(book(offers, demands))
    assert result.reads == 24_882
    assert all(match is None for match in result.matches.values())


def test_thesis_reference_finds_the_same_matches_when_reputations_are_equal():
    offers = triple(1, (10, 30, 5), kwp=6) + triple(4, (10, 25, 9), kwp=6) + triple(7, (11, 25, 4), kwp=20)
    demands = [demand(1, 5, 300), demand(2, 5, 300), demand(3, 6, 10**9), demand(4, 1, 40)]
    fast = plan_matches(book(offers, demands, fee_bps=100))
    thesis = thesis_nested_search(book(offers, demands, fee_bps=100))
    assert {m.demand_id: m for m in fast.matches} == {k: v for k, v in thesis.matches.items() if v is not None}
    assert {u.demand_id for u in fast.unmatched} == {k for k, v in thesis.matches.items() if v is None}


def test_match_cli_rejects_unknown_argument_with_a_message():
    from scripts.match import main

    with pytest.raises(SystemExit, match="unknown argument.*'dry'"):
        main("dyr")


def test_crowdsale_cli_rejects_unknown_command_with_a_message():
    from scripts.crowdsale import main

    with pytest.raises(SystemExit, match="unknown command 'lsit'"):
        main("lsit")
