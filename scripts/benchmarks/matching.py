"""``matching`` of `make bench`: our matcher against the thesis's nested search, both over RPC on
the same chain and the same market.

For each market size "DxK" (D owners with one demand each, K offers of each kind, the seeded market
of scripts/populate_market.py) on a freshly deployed marketplace (chain state reverted between sizes):

- **ours**: :func:`scripts.market.book.read_book` (a few paged calls) + :func:`scripts.market.matcher.plan_matches`,
  wall-clock, best of ``OURS_RUNS``; calls counted with ``CallCounter``.
- **baseline**: the thesis DApp's loop (:func:`scripts.benchmarks.thesis_search.thesis_search`, the same code as the
  in-memory reference) through :class:`ChainThesisReader`, which makes every read one ``eth_call``
  of our contracts' views, in the thesis's order and number
  (:func:`scripts.benchmarks.thesis_search.thesis_read_count`, 2 + D(4 + K(3 + K(3 + 2K)))). It runs until the
  size's time budget (``BENCH_MATCHING_BUDGET_S``, default 30 s); a pass that did not finish is
  extrapolated: measured seconds + calls left x measured seconds per call, and marked
  ``baseline_extrapolated``. Where it finished, its total per demand must equal ours.
- ``speedup`` = baseline_s / ours_s.

Both sides use the same client (brownie contract objects over HTTP JSON-RPC to the local node) and
the same chain time (the book's ``read_at``). Not timed nor counted, as the thesis had them for
free: which offer ids are of which kind (the thesis kept one contract per kind; ours keeps one
list), taken from the market as it was posted.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from oracle.market_codes import KINDS
from scripts.benchmarks.thesis_search import ThesisResult, thesis_read_count, thesis_search
from scripts.common.paging import CallCounter
from scripts.market.book import Book, Demand, Offer, demand_from_tuple, offer_from_tuple, read_book
from scripts.market.matcher import MatchError, Plan, is_usable_offer, parties_distinct, plan_matches
from scripts.market.population import DEFAULT_SEED, PopulatedMarket, market_spec, populate_market

MARKET_SIZES: tuple[tuple[int, int], ...] = ((5, 3), (10, 5), (20, 8), (40, 10), (100, 20))
BUDGET_ENV = "BENCH_MATCHING_BUDGET_S"
DEFAULT_BUDGET_S = 30.0  # at most 5 x 30 s of baseline: `make bench` under 10 min on a busy 2-core machine (60 s: 9 min 43 s)
OURS_RUNS = 3


class BudgetExhausted(Exception):
    """The baseline's time budget ran out (raised by the reader after a read)."""


def budget_from_env(environ: dict[str, str] | None = None) -> float:
    """Seconds per size for the baseline: ``$BENCH_MATCHING_BUDGET_S`` or DEFAULT_BUDGET_S."""
    raw = (os.environ if environ is None else environ).get(BUDGET_ENV, "").strip()
    if not raw:
        return DEFAULT_BUDGET_S
    try:
        budget_s = float(raw)
    except ValueError:
        budget_s = -1.0
    if not math.isfinite(budget_s) or budget_s < 0:
        raise MatchError(f"{BUDGET_ENV} must be a number of seconds >= 0, got {raw!r}")
    return budget_s


def market_key(owners: int, offers_per_kind: int) -> str:
    """The results key of a market size: "DxK"."""
    return f"{owners}x{offers_per_kind}"


def extrapolated_s(measured_s: float, calls_made: int, calls_total: int) -> float:
    """Seconds of a whole pass from a partial one: measured + calls left x measured seconds per call."""
    if calls_made < 1 or calls_total < calls_made:
        raise ValueError(f"need 1 <= calls made <= calls in a pass, got {calls_made} of {calls_total}")
    return measured_s + (calls_total - calls_made) * (measured_s / calls_made)


class ChainThesisReader:
    """The thesis's reads (same methods as :class:`scripts.benchmarks.thesis_search.ThesisBookReader`), each one
    ``eth_call`` of Marketplace's views: ``demandCount``, ``platformFeeBps``, ``offerCount`` (per kind
    count: the thesis read its kind's contract), ``demand(id)`` per demand field, ``offer(id)`` per
    offer field. Capacity, expiry and sellers come with the struct a read returned (the thesis had no
    such rules, so they cost no read). Matches are recorded locally, not sent.

    Args:
        marketplace: the Marketplace contract (brownie).
        offer_ids_by_kind: the offer ids of each kind, in id order (what the thesis's per-kind
            contracts held).
        now: chain time (unix s) at which offers and demands must be unexpired.
        budget_s: after a read that ends past this many seconds from the first, BudgetExhausted.
    """

    def __init__(self, marketplace: Any, offer_ids_by_kind: dict[int, list[int]], now: int,
                 budget_s: float = math.inf, clock: Callable[[], float] = time.perf_counter) -> None:
        self._marketplace = marketplace
        self._ids = offer_ids_by_kind
        self._demands: dict[int, Demand] = {}
        self._offers: dict[int, Offer] = {}
        self._consumed_kwp: dict[int, int] = {}
        self.now = now
        self.counter = CallCounter()
        self._budget_s = budget_s
        self._clock = clock
        self.started = clock()

    @property
    def reads(self) -> int:
        return self.counter.calls

    def elapsed_s(self) -> float:
        return self._clock() - self.started

    def _read(self, fn: Callable[..., Any], *args: Any) -> Any:
        value = self.counter.call(fn, *args)
        if self.elapsed_s() >= self._budget_s:
            raise BudgetExhausted(f"{self.reads} reads in {self.elapsed_s():.1f} s")
        return value

    def demand_count(self) -> int:
        return int(self._read(self._marketplace.demandCount))

    def fee(self) -> int:
        return int(self._read(self._marketplace.platformFeeBps))

    def offer_count(self, kind: int) -> int:
        total = int(self._read(self._marketplace.offerCount))
        if total != sum(len(ids) for ids in self._ids.values()):
            raise MatchError(f"the chain holds {total} offers, the benchmark's market "
                             f"{sum(len(ids) for ids in self._ids.values())}")
        return len(self._ids[kind])

    def demand_field(self, index: int, name: str) -> Any:
        demand = demand_from_tuple(self._read(self._marketplace.demand, index + 1))
        self._demands[index] = demand
        return getattr(demand, name)

    def demand_usable(self, index: int) -> tuple[bool, bool]:
        """(open, open and unexpired) of the demand as last read; no read."""
        demand = self._demands[index]
        return demand.open, demand.open and self.now < demand.expires_at

    def parties_distinct(self, demand_index: int, kinds_and_indices: Iterable[tuple[int, int]]) -> bool:
        sellers = [self._offers[self._ids[kind][i]].seller for kind, i in kinds_and_indices]
        return parties_distinct(self._demands[demand_index].owner, sellers)

    def offer_terms(self, kind: int, index: int) -> tuple[int, int, int]:
        """(offer id, price per kWp, kWp usable now): two reads, as the thesis read id and price."""
        offer_id = self._ids[kind][index]
        read_id = offer_from_tuple(self._read(self._marketplace.offer, offer_id)).id
        offer = offer_from_tuple(self._read(self._marketplace.offer, offer_id))
        self._offers[offer_id] = offer
        left_kwp = offer.available_kwp - self._consumed_kwp.get(offer_id, 0)
        return read_id, offer.price_clp_per_kwp, left_kwp if is_usable_offer(offer, self.now) else 0

    def record_match(self, demand_id: int, offer_ids: Iterable[int], size_kwp: int) -> None:
        for offer_id in offer_ids:
            self._consumed_kwp[offer_id] = self._consumed_kwp.get(offer_id, 0) + size_kwp


@dataclass(frozen=True)
class BaselineRun:
    """The baseline on one market: the result if the pass finished (None if the budget ran out), the
    calls made, the calls of a whole pass, and the seconds measured."""

    result: ThesisResult | None
    calls_made: int
    calls_total: int
    measured_s: float

    @property
    def extrapolated(self) -> bool:
        return self.result is None

    @property
    def seconds(self) -> float:
        """The pass's seconds: measured, or extrapolated when it did not finish."""
        if not self.extrapolated:
            return self.measured_s
        return extrapolated_s(self.measured_s, self.calls_made, self.calls_total)


def offer_ids_by_kind(populated: PopulatedMarket, owners: int, offers_per_kind: int, seed: int) -> dict[int, list[int]]:
    """The posted offer ids of each kind, in id order (market_spec gives each posted offer's kind)."""
    spec = market_spec(owners, offers_per_kind, seed)
    return {kind: sorted(i for i, o in zip(populated.offer_ids, spec.offers) if o.kind == kind) for kind in KINDS}


def run_baseline(marketplace: Any, ids_by_kind: dict[int, list[int]], demands: int, now: int,
                 budget_s: float = math.inf, clock: Callable[[], float] = time.perf_counter) -> BaselineRun:
    """The thesis's nested search over RPC until `budget_s` (seconds of `clock`); see
    :class:`ChainThesisReader`."""
    calls_total = thesis_read_count(demands, *(len(ids_by_kind[kind]) for kind in KINDS))
    reader = ChainThesisReader(marketplace, ids_by_kind, now, budget_s, clock)
    try:
        result: ThesisResult | None = thesis_search(reader)
    except BudgetExhausted:
        result = None
    return BaselineRun(result, reader.reads, calls_total, reader.elapsed_s())


def time_ours(marketplace: Any, registry: Any) -> tuple[float, int, Book, Plan]:
    """(seconds of read_book + plan_matches, calls made, the book, the plan): one run."""
    counter = CallCounter()
    started = time.perf_counter()
    book = read_book(marketplace, registry, counter=counter)
    plan = plan_matches(book)
    return time.perf_counter() - started, counter.calls, book, plan


def run_ours(marketplace: Any, registry: Any, runs: int = OURS_RUNS) -> tuple[float, int, Book, Plan]:
    """The fastest of `runs` runs of :func:`time_ours`."""
    return min((time_ours(marketplace, registry) for _ in range(max(1, runs))), key=lambda run: run[0])


def totals_agree(plan: Plan, result: ThesisResult) -> bool:
    """Every demand has the same planned total (CLP, None = unmatched) in both."""
    return plan.total_by_demand() == {d: (m.total_clp if m else None) for d, m in result.matches.items()}


def bench_one_market(accounts: Any, contracts: dict[str, Any], owners: int, offers_per_kind: int,
                     budget_s: float, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Populate one market on the connected chain and measure both sides (see the module docstring)."""
    marketplace, registry = contracts["Marketplace"], contracts["ParticipantRegistry"]
    populated = populate_market(accounts, contracts, owners, offers_per_kind, seed)
    ours_s, ours_calls, book, plan = run_ours(marketplace, registry)
    baseline = run_baseline(marketplace, offer_ids_by_kind(populated, owners, offers_per_kind, seed),
                            len(book.demands), book.read_at, budget_s)
    return {
        "ours_s": round(ours_s, 4),
        "baseline_s": round(baseline.seconds, 2),
        "ours_rpc_calls": ours_calls,
        "baseline_rpc_calls": baseline.calls_total,
        "baseline_extrapolated": baseline.extrapolated,
        "speedup": round(baseline.seconds / ours_s, 1),
        "baseline_measured_s": round(baseline.measured_s, 4),
        "baseline_calls_made": baseline.calls_made,
        "baseline_ms_per_call": round(baseline.measured_s / baseline.calls_made * 1000, 3),
        "ours_matches": len(plan.matches),
        "same_totals": None if baseline.result is None else totals_agree(plan, baseline.result),
    }


def bench_matching(sizes: Iterable[tuple[int, int]] = MARKET_SIZES, budget_s: float | None = None,
                   seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """``matching``: "DxK" -> figures (bench_one_market), each size on a fresh market deployed on the
    connected local chain (one deployment, chain reverted to it between sizes), plus the budget and
    the runs ours is the best of.

    Raises MatchError when the baseline finished and disagrees with ours on some demand's total."""
    from brownie import PesoToken, accounts, chain

    from scripts.deployment.market import deploy_market

    budget_s = budget_from_env() if budget_s is None else budget_s
    operator = accounts[0]
    token = PesoToken.deploy(operator, {"from": operator}, silent=True)
    contracts = deploy_market(operator, {"PaymentToken": token})
    markets: dict[str, Any] = {}
    chain.snapshot()
    try:
        for owners, offers_per_kind in sizes:
            figures = bench_one_market(accounts, contracts, owners, offers_per_kind, budget_s, seed)
            chain.revert()
            if figures["same_totals"] is False:
                raise MatchError(f"market {market_key(owners, offers_per_kind)}: the thesis's search and ours "
                                 "planned different totals")
            markets[market_key(owners, offers_per_kind)] = figures
    finally:
        chain.revert()
    return {"budget_s_per_size": budget_s, "ours_runs": OURS_RUNS, "markets": markets}


def print_matching(matching: dict[str, Any]) -> None:
    print(f"matching: read_book + plan (ours) against the thesis's nested search, both over RPC on this chain "
          f"(baseline budget {matching['budget_s_per_size']:g} s per size)")
    print(f"  {'market':>7} {'ours s':>8} {'calls':>6} {'baseline s':>12} {'calls':>10} {'speedup':>10}")
    for key, row in matching["markets"].items():
        mark = f"  (extrapolated after {row['baseline_calls_made']:,} calls)" if row["baseline_extrapolated"] else ""
        print(f"  {key:>7} {row['ours_s']:>8.3f} {row['ours_rpc_calls']:>6,} {row['baseline_s']:>12,.1f} "
              f"{row['baseline_rpc_calls']:>10,} {row['speedup']:>9,.0f}x{mark}")
