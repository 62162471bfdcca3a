"""The thesis DApp's matching, as a faithful pure-Python reference: its nested search over every
demand x provider x installer x manager combination, counting the reads the thesis made over RPC
(one ``eth_call`` per getter): 2 + D(4 + K(3 + K(3 + 2K))). Benchmarks and tests only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol

from oracle.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER, KINDS
from scripts.market.book import Book
from scripts.market.matcher import PlannedMatch, Quote, is_usable_offer, parties_distinct, quote


def thesis_read_count(demands: int, providers: int, installers: int, managers: int) -> int:
    """Reads of one pass of the thesis's search: 2 + D(4 + V(3 + I(3 + 2M))) (K each: 2 + D(4 + K(3 + K(3 + 2K))))."""
    return 2 + demands * (4 + providers * (3 + installers * (3 + 2 * managers)))


class ThesisBookReader:
    """The thesis DApp's view of a book: one value per call, every call counted as one RPC read
    (the thesis scripts made one ``eth_call`` per getter)."""

    def __init__(self, book: Book, now: int) -> None:
        self._demands = sorted(book.demands, key=lambda d: d.id)
        self._by_kind = {kind: sorted((o for o in book.offers if o.kind == kind), key=lambda o: o.id) for kind in KINDS}
        self._remaining = {o.id: o.available_kwp for o in book.offers}
        self._closed: set[int] = set()
        self.fee_bps = book.platform_fee_bps
        self.now = now
        self.reads = 0

    def _read(self, value: Any) -> Any:
        self.reads += 1
        return value

    def demand_count(self) -> int:
        return self._read(len(self._demands))

    def fee(self) -> int:
        return self._read(self.fee_bps)

    def offer_count(self, kind: int) -> int:
        return self._read(len(self._by_kind[kind]))

    def demand_field(self, index: int, name: str) -> Any:
        return self._read(getattr(self._demands[index], name))

    def demand_usable(self, index: int) -> tuple[bool, bool]:
        """(open, open and unexpired): our feasibility rules, which the thesis did not have; no read."""
        demand = self._demands[index]
        return demand.open, demand.open and self.now < demand.expires_at

    def parties_distinct(self, demand_index: int, kinds_and_indices: Iterable[tuple[int, int]]) -> bool:
        """Our rule of four distinct parties, which the thesis did not have; no read."""
        sellers = [self._by_kind[kind][i].seller for kind, i in kinds_and_indices]
        return parties_distinct(self._demands[demand_index].owner, sellers)

    def offer_terms(self, kind: int, index: int) -> tuple[int, int, int]:
        """(offer id, price per kWp, kWp usable now): two reads, the offer's id and price (capacity
        and expiry are our feasibility rules, which the thesis did not have; they cost no read here)."""
        offer = self._by_kind[kind][index]
        usable = is_usable_offer(offer, self.now)
        return self._read(offer.id), self._read(offer.price_clp_per_kwp), self._remaining[offer.id] if usable else 0

    def record_match(self, demand_id: int, offer_ids: Iterable[int], size_kwp: int) -> None:
        """The thesis matched on-chain inside the loop; later demands see the consumed capacity."""
        self._closed.add(demand_id)
        for offer_id in offer_ids:
            self._remaining[offer_id] -= size_kwp


@dataclass(frozen=True)
class ThesisResult:
    """What the thesis's nested search found for each demand (None = no affordable combination),
    and the RPC reads it took."""

    matches: dict[int, PlannedMatch | None]
    reads: int


class ThesisReader(Protocol):
    """What the thesis's loop reads, one value per call (see :class:`ThesisBookReader`); ``reads`` is
    the number of reads made so far. scripts/benchmarks/matching.py has one that makes every read an
    ``eth_call`` against the deployed contracts."""

    reads: int

    def demand_count(self) -> int: ...
    def fee(self) -> int: ...
    def offer_count(self, kind: int) -> int: ...
    def demand_field(self, index: int, name: str) -> Any: ...
    def demand_usable(self, index: int) -> tuple[bool, bool]: ...
    def parties_distinct(self, demand_index: int, kinds_and_indices: Iterable[tuple[int, int]]) -> bool: ...
    def offer_terms(self, kind: int, index: int) -> tuple[int, int, int]: ...
    def record_match(self, demand_id: int, offer_ids: Iterable[int], size_kwp: int) -> None: ...


def thesis_nested_search(book: Book, now: int | None = None) -> ThesisResult:
    """:func:`thesis_search` over `book` (pure Python, no RPC: reads are only counted), at `now`
    (unix s, default ``book.read_at``)."""
    return thesis_search(ThesisBookReader(book, book.read_at if now is None else now))


def thesis_search(reader: ThesisReader) -> ThesisResult:
    """The thesis DApp's matching loop, faithfully: for each demand, for each provider, for each
    installer, for each manager, read the terms and evaluate the combination; keep the cheapest
    with ``cost <= maxPrice`` (first found wins ties); then match and go on to the next demand.

    Reads per pass (counted by the reader): 2 (demand count, fee), per demand 4
    (id, size, max price, provider count), per provider 3 (id, price, installer count), per
    installer 3 (id, price, manager count), per manager 2 (id, price). Where the reads go (a book in
    memory or the chain) is the reader's business.
    Feasibility is ours (open, unexpired, capacity, fee, four distinct parties), so results compare
    with the fast planner.
    """
    matches: dict[int, PlannedMatch | None] = {}
    fee_bps = reader.fee()
    for d in range(reader.demand_count()):
        demand_id = reader.demand_field(d, "id")
        size_kwp = reader.demand_field(d, "size_kwp")
        max_total = reader.demand_field(d, "max_total_clp")
        is_open, usable_demand = reader.demand_usable(d)
        best: tuple[int, tuple[int, int, int], Quote] | None = None
        for p in range(reader.offer_count(KIND_PROVIDER)):
            p_id, p_price, p_kwp = reader.offer_terms(KIND_PROVIDER, p)
            for i in range(reader.offer_count(KIND_INSTALLER)):
                i_id, i_price, i_kwp = reader.offer_terms(KIND_INSTALLER, i)
                for m in range(reader.offer_count(KIND_MANAGER)):
                    m_id, m_price, m_kwp = reader.offer_terms(KIND_MANAGER, m)
                    if not usable_demand or min(p_kwp, i_kwp, m_kwp) < size_kwp:
                        continue
                    if not reader.parties_distinct(d, ((KIND_PROVIDER, p), (KIND_INSTALLER, i), (KIND_MANAGER, m))):
                        continue
                    price = quote((p_price, i_price, m_price), size_kwp, fee_bps)
                    if price.total_clp <= max_total and (best is None or price.total_clp < best[0]):
                        best = (price.total_clp, (p_id, i_id, m_id), price)
        if not is_open:
            continue
        if best is None:
            matches[demand_id] = None
            continue
        reader.record_match(demand_id, best[1], size_kwp)
        matches[demand_id] = PlannedMatch(demand_id, *best[1], size_kwp, best[2], max_total)
    return ThesisResult(matches, reader.reads)
