"""Brute force: the optimum the fast planner must equal, by trying every (provider, installer,
manager) combination. For the property tests and the benchmarks only: O(D x V x I x M)."""

from __future__ import annotations

from itertools import product
from typing import Any, Sequence

from oracle.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER, KINDS
from scripts.market.book import Book, Demand, Offer
from scripts.market.matcher import Plan, PlannedMatch, Unmatched, fifo_demands, is_usable_offer, offer_rank, parties_distinct, quote


def brute_force_optimum(
    demand: Demand,
    offers: Sequence[Offer],
    remaining_kwp: dict[int, int],
    platform_fee_bps: int,
    now: int,
    reputation: dict[str, int] | None = None,
) -> PlannedMatch | None:
    """The cheapest feasible triple for one demand by trying every (provider, installer, manager)
    combination; ties by the planner's per-kind rank. None when nothing is feasible.

    ``remaining_kwp`` maps offer id to kWp left (capacity consumed by earlier demands)."""
    reputation = reputation or {}
    if not demand.open or now >= demand.expires_at:
        return None
    by_kind = {
        kind: [
            o for o in offers
            if o.kind == kind and is_usable_offer(o, now) and remaining_kwp.get(o.id, o.available_kwp) >= demand.size_kwp
        ]
        for kind in KINDS
    }
    best: tuple[Any, ...] | None = None
    best_match: PlannedMatch | None = None
    for triple in product(by_kind[KIND_PROVIDER], by_kind[KIND_INSTALLER], by_kind[KIND_MANAGER]):
        if not parties_distinct(demand.owner, [o.seller for o in triple]):
            continue
        price = quote((o.price_clp_per_kwp for o in triple), demand.size_kwp, platform_fee_bps)
        if price.total_clp > demand.max_total_clp:
            continue
        key = (price.total_clp, *(offer_rank(o, reputation) for o in triple))
        if best is None or key < best:
            best = key
            best_match = PlannedMatch(
                demand.id, triple[0].id, triple[1].id, triple[2].id, demand.size_kwp, price, demand.max_total_clp
            )
    return best_match


def brute_force_plan(book: Book, now: int | None = None) -> Plan:
    """FIFO pass choosing each demand's triple by :func:`brute_force_optimum` (O(D x V x I x M))."""
    now = book.read_at if now is None else now
    remaining = {o.id: o.available_kwp for o in book.offers}
    matches: list[PlannedMatch] = []
    unmatched: list[Unmatched] = []
    for demand in fifo_demands(book):
        best = brute_force_optimum(demand, book.offers, remaining, book.platform_fee_bps, now, book.reputation)
        if best is None:
            unmatched.append(Unmatched(demand.id, "no feasible triple"))
            continue
        for offer_id in best.offer_ids:
            remaining[offer_id] -= demand.size_kwp
        matches.append(best)
    return Plan(tuple(matches), tuple(unmatched), now)
