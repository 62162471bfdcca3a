"""scripts/market/matcher.py against the deployed contracts: read the book, plan, submit, check every demand.

Uses the market fixtures of tests/market/conftest.py and scripts/market/population.py's random market.
"""

import math

import pytest
from market_helpers import later
from oracle.market_codes import ROLE_OWNER

from scripts.benchmarks.brute_force import brute_force_plan
from scripts.common.paging import CallCounter
from scripts.market.book import read_book
from scripts.market.matcher import MatchError, plan_matches, run_matcher, submit_plan
from scripts.market.population import market_spec, populate_market

OWNERS, OFFERS_PER_KIND, SEED = 16, 4, 11
UNAFFORDABLE_MAX_CLP = 1_000


@pytest.fixture(scope="module")
def populated(accounts, market, participant_registry, marketplace, operator):
    """A random market of 16 owners and 4 offers of each kind, plus one more demand nobody can afford."""
    created = populate_market(accounts, market, OWNERS, OFFERS_PER_KIND, SEED)
    cheapskate = accounts.add()
    operator.transfer(cheapskate, 10**18)
    participant_registry.register(ROLE_OWNER, "ipfs://cheapskate", {"from": cheapskate})
    marketplace.postDemand(3, UNAFFORDABLE_MAX_CLP, False, later(), {"from": cheapskate})
    return created


@pytest.fixture
def book(populated, marketplace, participant_registry):
    return read_book(marketplace, participant_registry)


def test_read_book_returns_every_offer_and_demand_as_posted(populated, book):
    spec = market_spec(OWNERS, OFFERS_PER_KIND, SEED)
    assert [(o.kind, o.price_clp_per_kwp, o.available_kwp, o.open) for o in book.offers] == [
        (s.kind, s.price_clp_per_kwp, s.capacity_kwp, True) for s in spec.offers
    ]
    assert [(d.size_kwp, d.max_total_clp, d.needs_financing) for d in book.demands[:OWNERS]] == [
        (s.size_kwp, s.max_total_clp, s.needs_financing) for s in spec.demands
    ]
    assert [o.seller for o in book.offers] == [str(a) for a in populated.sellers]
    assert book.demands[-1].max_total_clp == UNAFFORDABLE_MAX_CLP


def test_read_book_takes_seven_calls_for_a_small_market(populated, marketplace, participant_registry):
    counter = CallCounter()
    read_book(marketplace, participant_registry, counter=counter)
    # offerCount, demandCount, one offersPage, one demandsPage, reputationsOf, platformFeeBps, block
    assert counter.calls == 7


def test_read_book_in_small_pages_reads_everything(populated, marketplace, participant_registry, book):
    counter = CallCounter()
    paged = read_book(marketplace, participant_registry, page_size=5, counter=counter)
    assert paged.offers == book.offers and paged.demands == book.demands
    assert counter.calls == 5 + math.ceil(len(book.offers) / 5) + math.ceil(len(book.demands) / 5)


def test_read_book_has_fee_and_reputation_of_every_open_seller(populated, book, marketplace):
    assert book.platform_fee_bps == marketplace.platformFeeBps()
    assert set(book.reputation) == {o.seller for o in book.offers}
    assert all(score == 0 for score in book.reputation.values())


def test_plan_from_chain_equals_brute_force_and_leaves_the_unaffordable_demand(book):
    plan = plan_matches(book)
    assert plan.matches and plan.matches == brute_force_plan(book).matches
    assert book.demands[-1].id in {u.demand_id for u in plan.unmatched}


def test_planned_totals_equal_the_contract_quote(book, marketplace):
    for m in plan_matches(book).matches:
        assert [int(v) for v in marketplace.quote(m.demand_id, *m.offer_ids)] == [
            m.quote.subtotal_clp, m.quote.fee_clp, m.quote.total_clp
        ]


def test_submitted_plan_creates_each_planned_project(book, marketplace, projects, operator):
    plan = plan_matches(book, now=book.read_at + 60)
    receipts = submit_plan(marketplace, plan, operator, quiet=True)
    demands = {d.id: d for d in book.demands}
    offers = {o.id: o for o in book.offers}
    assert len(receipts) == len(plan.matches)
    for m, tx in zip(plan.matches, receipts):
        event = tx.events["DemandMatched"]
        assert event["demandId"] == m.demand_id and event["totalClp"] == m.total_clp
        project = projects.project(event["projectId"])
        assert project["owner"] == demands[m.demand_id].owner
        assert project["provider"] == offers[m.provider_offer_id].seller
        assert project["installer"] == offers[m.installer_offer_id].seller
        assert project["manager"] == offers[m.manager_offer_id].seller
        assert project["sizeKwp"] == m.size_kwp and project["totalClp"] == m.total_clp
        assert (project["campaignId"] != 0) == demands[m.demand_id].needs_financing
        assert marketplace.demand(m.demand_id)["open"] is False


def test_submitted_plan_leaves_unmatched_demands_open(book, marketplace, operator):
    plan = plan_matches(book, now=book.read_at + 60)
    submit_plan(marketplace, plan, operator, quiet=True)
    for u in plan.unmatched:
        assert marketplace.demand(u.demand_id)["open"] is True


def test_submitted_plan_consumes_exactly_the_planned_capacity(book, marketplace, operator):
    plan = plan_matches(book, now=book.read_at + 60)
    submit_plan(marketplace, plan, operator, quiet=True)
    for o in book.offers:
        used = sum(m.size_kwp for m in plan.matches if o.id in m.offer_ids)
        assert marketplace.offer(o.id)["availableKwp"] == o.available_kwp - used


def test_second_pass_after_submission_plans_nothing(book, marketplace, participant_registry, operator):
    first = plan_matches(book, now=book.read_at + 60)
    submit_plan(marketplace, first, operator, quiet=True)
    second = plan_matches(read_book(marketplace, participant_registry))
    assert second.matches == ()
    assert {u.demand_id for u in second.unmatched} == {u.demand_id for u in first.unmatched}


def test_submit_plan_refuses_account_without_matcher_role(book, marketplace, mallory):
    plan = plan_matches(book)
    with pytest.raises(MatchError, match="does not have MATCHER_ROLE"):
        submit_plan(marketplace, plan, mallory, quiet=True)
    assert marketplace.demand(plan.matches[0].demand_id)["open"] is True


def test_run_matcher_dry_sends_nothing(populated, market, marketplace, operator):
    plan, receipts = run_matcher(dry=True, contracts=market, matcher=operator, quiet=True)
    assert plan.matches and receipts == []
    assert all(marketplace.demand(m.demand_id)["open"] for m in plan.matches)


def test_run_matcher_submits_the_plan(populated, market, marketplace, operator):
    plan, receipts = run_matcher(contracts=market, matcher=operator, quiet=True)
    assert len(receipts) == len(plan.matches) > 0
    assert not any(marketplace.demand(m.demand_id)["open"] for m in plan.matches)
