"""Matcher benchmark: the fast FIFO planner against the thesis DApp's nested search, pure Python.

Usage::

    .venv/bin/python -m scripts.benchmarks.matcher             # 100 owners x 20 offers of each kind, no chain

From Python: ``from scripts.benchmarks.matcher import bench_matcher; bench_matcher()`` returns a dict of
figures (for ``make bench``). Both searches run over the same synthetic book
(scripts/market/population.py's ``market_spec``), so nothing here touches a chain:

- ``fast_rpc_calls``: calls :func:`scripts.market.book.read_book` makes to read that book, counted by
  running it against an in-memory stand-in of the contracts that answers the same views;
- ``thesis_reads``: the reads the thesis's loop makes over RPC, one per getter
  (2 + D(4 + K(3 + K(3 + 2K)))), and what they would cost at the per-read latencies measured in
  shared/design/THESIS_BASELINE.md (1.7 ms lean web3, 4 ms web3 as shipped);
- times are wall-clock of the pure-Python search alone (best of a few runs for the fast planner).
"""

from __future__ import annotations

import time
from dataclasses import astuple
from typing import Any, Sequence

from scripts.benchmarks.thesis_search import thesis_nested_search, thesis_read_count
from scripts.common.paging import CallCounter
from scripts.market.book import Book, read_book
from scripts.market.codes import KINDS
from scripts.market.matcher import MatchError, plan_matches
from scripts.market.population import DEFAULT_SEED, market_spec, spec_as_book

BENCH_NOW = 1_800_000_000
THESIS_SECONDS_PER_READ = {"lean": 0.0017, "default": 0.004}


class InMemoryMarket:
    """Answers Marketplace's and ParticipantRegistry's views from a Book, as tuples like brownie's
    return values, so read_book's real code path can be counted without a chain."""

    def __init__(self, book: Book) -> None:
        self._book = book

    def offerCount(self) -> int:  # noqa: N802 - the contract's name
        return len(self._book.offers)

    def demandCount(self) -> int:  # noqa: N802
        return len(self._book.demands)

    def offersPage(self, from_id: int, count: int) -> list[tuple[Any, ...]]:  # noqa: N802
        return [astuple(o) for o in self._book.offers[from_id - 1 : from_id - 1 + count]]

    def demandsPage(self, from_id: int, count: int) -> list[tuple[Any, ...]]:  # noqa: N802
        return [astuple(d) for d in self._book.demands[from_id - 1 : from_id - 1 + count]]

    def platformFeeBps(self) -> int:  # noqa: N802
        return self._book.platform_fee_bps

    def reputationsOf(self, sellers: Sequence[str]) -> list[int]:  # noqa: N802
        return [self._book.reputation.get(s, 0) for s in sellers]


def _best_of(runs: int, fn: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def bench_matcher(owners: int = 100, offers_per_kind: int = 20, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Time and count reads of the fast planner and the thesis's nested search on one random market."""
    book = spec_as_book(market_spec(owners, offers_per_kind, seed), BENCH_NOW)
    stand_in = InMemoryMarket(book)
    counter = CallCounter()
    read_back = read_book(stand_in, stand_in, counter=counter, clock=lambda: BENCH_NOW)
    if read_back.offers != book.offers or read_back.demands != book.demands:
        raise MatchError("read_book did not read back the benchmark's book: the readers are out of step")

    fast_s, plan = _best_of(5, lambda: plan_matches(book))
    started = time.perf_counter()
    thesis = thesis_nested_search(book)
    thesis_s = time.perf_counter() - started
    fast_totals = plan.total_by_demand()
    thesis_totals = {d: (m.total_clp if m else None) for d, m in thesis.matches.items()}
    per_kind = [sum(1 for o in book.offers if o.kind == kind) for kind in KINDS]
    return {
        "owners": owners,
        "offers_per_kind": offers_per_kind,
        "fast_plan_ms": round(fast_s * 1000, 3),
        "fast_rpc_calls": counter.calls,
        "fast_matches": len(plan.matches),
        "thesis_search_ms": round(thesis_s * 1000, 1),
        "thesis_reads": thesis.reads,
        "thesis_reads_formula": thesis_read_count(len(book.demands), *per_kind),
        "thesis_matches": sum(1 for m in thesis.matches.values() if m is not None),
        "thesis_rpc_estimate_s_lean_web3": round(thesis.reads * THESIS_SECONDS_PER_READ["lean"], 1),
        "thesis_rpc_estimate_s_default_web3": round(thesis.reads * THESIS_SECONDS_PER_READ["default"], 1),
        "same_total_for_every_demand": fast_totals == thesis_totals,
    }


def print_bench(results: dict[str, Any]) -> None:
    print(f"matcher: {results['owners']} owners x {results['offers_per_kind']} offers of each kind (pure Python)")
    for key, value in results.items():
        if key not in ("owners", "offers_per_kind"):
            print(f"  {key:<40} {value:>14,}" if not isinstance(value, bool) else f"  {key:<40} {value!s:>14}")


def main() -> None:
    print_bench(bench_matcher())


if __name__ == "__main__":
    main()
