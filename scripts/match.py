"""Match the marketplace's open demands to the cheapest feasible (provider, installer, manager) offers.

Usage::

    brownie run scripts/match.py --network <id>             # read the book, plan, submit `match` txs
    brownie run scripts/match.py main dry --network <id>    # read the book, print the plan, send nothing

From ``brownie console``::

    from scripts.match import read_book, plan_matches, print_plan, submit_plan
    book = read_book(marketplace, registry)
    plan = plan_matches(book)
    print_plan(plan, book)
    submit_plan(marketplace, plan, accounts[0])

The contracts come from the chain's deployment manifest (``deployments/<chain-id>.json``, names
``Marketplace`` and ``ParticipantRegistry``). The matcher account (it needs ``MATCHER_ROLE``) is
``accounts[0]`` on local chains; elsewhere a brownie keystore account named by
``$MATCHER_KEYSTORE_ID`` or a key in ``$MATCHER_PRIVATE_KEY`` (environment or .env).
On a local chain started by brownie itself, the chain (and the market) dies with the command: keep
an anvil running on the network's port (see scripts/populate_market.py) to match a market built
by an earlier command.

How it works:

- **Reading.** The whole book is read in a few calls: ``offerCount``, ``demandCount``,
  ``offersPage`` / ``demandsPage`` in pages of ``page_size`` (default 200), one batched
  ``reputationsOf`` for every seller, ``platformFeeBps`` and the latest block's timestamp.
- **Planning** (pure Python, :func:`plan_matches`). Demands are taken in arrival order (FIFO, by
  id). Cost is additive and capacities are per offer, so the cheapest feasible triple is the
  cheapest offer of each kind with ``availableKwp >= sizeKwp``, subject to one rule: owner,
  provider, installer and manager must be four different accounts (the contract refuses anything
  else, ``MarketplacePartiesNotDistinct``). For each kind the candidate offers are sorted once by
  (price, higher reputation first, older first) and held in a segment tree of remaining capacity,
  so "leftmost offer with at least s kWp left (from index i on)" and "consume s kWp" both cost
  O(log n). Per demand and kind the planner takes the first three fitting offers of three
  different sellers other than the owner and picks the cheapest combination of distinct sellers
  among those 27: the two other picks can exclude at most two sellers, so one of the three is
  always usable and no better one is skipped. A pass is O((D + V + I + M) log n) plus the skipped
  offers of sellers already taken. A demand whose cheapest triple costs more than its
  ``maxTotalClp`` (total computed exactly as the contract does, fee included) stays unmatched,
  with the reason, and consumes nothing.
- **Expiry.** An offer or demand is usable iff ``now < expiresAt``, ``now`` being the latest block
  time plus ``expiry_margin_s`` (default 60 s), so what the plan uses is still unexpired when
  its transaction is mined.
- **Submission.** One ``matchDemand`` transaction per planned project, from the matcher account
  (the contract calls it ``matchDemand``: ``match`` is reserved in Solidity), with the total it was
  planned at: the contract reverts (``MarketplaceTotalChanged``) if an offer's price or the fee
  changed between the read and the mining, instead of charging the new price.

Also here, for the benchmark (scripts/bench_matcher.py) and the property tests only: a faithful
pure-Python reference of the thesis DApp's nested search (:func:`thesis_nested_search`: every
demand x provider x installer x manager combination, counting the reads the thesis made over
RPC, 2 + D(4 + K(3 + K(3 + 2K)))) and a brute-force optimum (:func:`brute_force_optimum`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import product
from typing import Any, Callable, Iterable, Protocol, Sequence

from scripts.deployment import DeploymentError, account_from_env
from scripts.market_codes import KIND_INSTALLER as INSTALLER
from scripts.market_codes import KIND_MANAGER as MANAGER
from scripts.market_codes import KIND_NAMES
from scripts.market_codes import KIND_PROVIDER as PROVIDER

KINDS: tuple[int, int, int] = (PROVIDER, INSTALLER, MANAGER)
BPS_DENOMINATOR = 10_000
DEFAULT_PAGE_SIZE = 200
DEFAULT_EXPIRY_MARGIN_S = 60


class MatchError(Exception):
    """The matcher cannot proceed; the message says what to fix."""


@dataclass(frozen=True)
class Offer:
    """An offer as ``Marketplace.offersPage`` returns it (kind 0 provider, 1 installer, 2 manager)."""

    id: int
    seller: str
    kind: int
    price_clp_per_kwp: int
    available_kwp: int
    created_at: int
    expires_at: int
    open: bool


@dataclass(frozen=True)
class Demand:
    """A demand as ``Marketplace.demandsPage`` returns it."""

    id: int
    owner: str
    size_kwp: int
    max_total_clp: int
    needs_financing: bool
    created_at: int
    expires_at: int
    open: bool


@dataclass(frozen=True)
class Book:
    """The marketplace's book at one moment: every offer and demand, the sellers' reputation
    scores, the platform fee and the chain time (unix s, UTC) the book was read at."""

    offers: tuple[Offer, ...]
    demands: tuple[Demand, ...]
    reputation: dict[str, int] = field(default_factory=dict)
    platform_fee_bps: int = 0
    read_at: int = 0


@dataclass(frozen=True)
class Quote:
    """Price of a project: subtotal = sum of price x kWp; fee = subtotal x bps / 10000 rounded down."""

    subtotal_clp: int
    fee_clp: int
    total_clp: int


@dataclass(frozen=True)
class PlannedMatch:
    """A project to create with ``matchDemand(demand_id, provider_offer_id, installer_offer_id,
    manager_offer_id, total_clp)``."""

    demand_id: int
    provider_offer_id: int
    installer_offer_id: int
    manager_offer_id: int
    size_kwp: int
    quote: Quote
    max_total_clp: int

    @property
    def offer_ids(self) -> tuple[int, int, int]:
        return (self.provider_offer_id, self.installer_offer_id, self.manager_offer_id)

    @property
    def total_clp(self) -> int:
        return self.quote.total_clp


@dataclass(frozen=True)
class Unmatched:
    """A demand of the book that the plan leaves open, and why."""

    demand_id: int
    reason: str


@dataclass(frozen=True)
class Plan:
    """Matches in the order they must be submitted (FIFO), and the demands left unmatched."""

    matches: tuple[PlannedMatch, ...]
    unmatched: tuple[Unmatched, ...]
    planned_at: int

    def total_by_demand(self) -> dict[int, int | None]:
        """Each considered demand's planned total (CLP), None when unmatched."""
        totals: dict[int, int | None] = {u.demand_id: None for u in self.unmatched}
        totals.update({m.demand_id: m.total_clp for m in self.matches})
        return totals


# --- pricing ------------------------------------------------------------------------------------


def quote(prices_clp_per_kwp: Iterable[int], size_kwp: int, platform_fee_bps: int) -> Quote:
    """The total exactly as ``Marketplace.match`` computes it (integer CLP, fee rounded down)."""
    subtotal = sum(price * size_kwp for price in prices_clp_per_kwp)
    fee = subtotal * platform_fee_bps // BPS_DENOMINATOR
    return Quote(subtotal, fee, subtotal + fee)


def is_usable_offer(offer: Offer, now: int) -> bool:
    """Open and unexpired at `now` (the contract requires block.timestamp < expiresAt)."""
    return offer.open and now < offer.expires_at


def offer_rank(offer: Offer, reputation: dict[str, int]) -> tuple[int, int, int]:
    """Sort key among offers of one kind: cheaper first, then higher seller reputation, then older."""
    return (offer.price_clp_per_kwp, -reputation.get(offer.seller, 0), offer.id)


def parties_distinct(owner: str, sellers: Sequence[str]) -> bool:
    """Owner and the three sellers are four different accounts (Marketplace.matchDemand requires it)."""
    accounts = [owner.lower(), *(seller.lower() for seller in sellers)]
    return len(set(accounts)) == len(accounts)


# --- the fast planner ---------------------------------------------------------------------------


class CapacityTree:
    """Offers of one kind in rank order with their remaining kWp, in a max segment tree.

    ``first_fitting(s)`` finds the best-ranked offer with at least ``s`` kWp left in O(log n);
    ``consume(i, s)`` takes ``s`` kWp from the i-th offer in O(log n).
    """

    def __init__(self, offers: Sequence[Offer]) -> None:
        self.offers = list(offers)
        size = 1
        while size < max(1, len(self.offers)):
            size *= 2
        self._size = size
        self._max = [-1] * (2 * size)
        for i, offer in enumerate(self.offers):
            self._max[size + i] = offer.available_kwp
        for node in range(size - 1, 0, -1):
            self._max[node] = max(self._max[2 * node], self._max[2 * node + 1])

    def first_fitting(self, size_kwp: int, start: int = 0) -> int | None:
        """Index (in rank order) of the first offer at ``start`` or later with ``remaining >= size_kwp``, or None."""
        if not self.offers or start >= len(self.offers):
            return None
        return self._first_fitting(1, 0, self._size, start, size_kwp)

    def _first_fitting(self, node: int, lo: int, hi: int, start: int, size_kwp: int) -> int | None:
        """Leftmost leaf >= start with enough kWp in the subtree of `node`, which covers [lo, hi)."""
        if hi <= start or self._max[node] < size_kwp:
            return None
        if node >= self._size:
            return lo
        mid = (lo + hi) // 2
        found = self._first_fitting(2 * node, lo, mid, start, size_kwp)
        return found if found is not None else self._first_fitting(2 * node + 1, mid, hi, start, size_kwp)

    def candidates(self, size_kwp: int, owner: str, limit: int = 3) -> list[int]:
        """Indices of the first `limit` offers (rank order) with ``remaining >= size_kwp`` whose sellers are
        different from each other and from `owner`: an offer of a seller already listed is skipped, as
        that seller's better-ranked offer conflicts with exactly the same parties."""
        picked: list[int] = []
        taken = {owner.lower()}
        index = self.first_fitting(size_kwp)
        while index is not None and len(picked) < limit:
            seller = self.offers[index].seller.lower()
            if seller not in taken:
                taken.add(seller)
                picked.append(index)
            index = self.first_fitting(size_kwp, index + 1)
        return picked

    def consume(self, index: int, size_kwp: int) -> None:
        node = self._size + index
        if self._max[node] < size_kwp:
            raise MatchError(f"offer {self.offers[index].id} has {self._max[node]} kWp left, not {size_kwp}")
        self._max[node] -= size_kwp
        node //= 2
        while node:
            self._max[node] = max(self._max[2 * node], self._max[2 * node + 1])
            node //= 2


def fifo_demands(book: Book) -> list[Demand]:
    """The open demands in arrival order (ids grow with arrival)."""
    return sorted((d for d in book.demands if d.open), key=lambda d: d.id)


def plan_matches(book: Book, now: int | None = None) -> Plan:
    """Plan projects for the book's open demands in FIFO order, each with the cheapest feasible
    (provider, installer, manager) offers, capacity consumed as matches are planned.

    Args:
        book: the book (see :func:`read_book`).
        now: unix s (UTC) at which offers and demands must be unexpired (default ``book.read_at``).
    """
    now = book.read_at if now is None else now
    trees = {
        kind: CapacityTree(
            sorted(
                (o for o in book.offers if o.kind == kind and is_usable_offer(o, now) and o.available_kwp > 0),
                key=lambda o: offer_rank(o, book.reputation),
            )
        )
        for kind in KINDS
    }
    matches: list[PlannedMatch] = []
    unmatched: list[Unmatched] = []
    for demand in fifo_demands(book):
        if now >= demand.expires_at:
            unmatched.append(Unmatched(demand.id, f"demand expired at {demand.expires_at}"))
            continue
        candidates = {kind: trees[kind].candidates(demand.size_kwp, demand.owner) for kind in KINDS}
        missing = [KIND_NAMES[k] for k in KINDS if not candidates[k]]
        if missing:
            unmatched.append(
                Unmatched(demand.id, f"no open {missing[0]} offer with {demand.size_kwp} kWp available "
                                     f"from an account other than the owner")
            )
            continue
        best = _cheapest_distinct(demand, trees, candidates, book)
        if best is None:
            unmatched.append(
                Unmatched(demand.id, "no provider, installer and manager offers of three different accounts "
                                     "(other than the owner) fit")
            )
            continue
        picks = dict(zip(KINDS, best))
        chosen = [trees[kind].offers[picks[kind]] for kind in KINDS]
        price = quote((o.price_clp_per_kwp for o in chosen), demand.size_kwp, book.platform_fee_bps)
        if price.total_clp > demand.max_total_clp:
            unmatched.append(
                Unmatched(
                    demand.id,
                    f"cheapest total {price.total_clp} CLP (fee {price.fee_clp}) exceeds max {demand.max_total_clp} CLP",
                )
            )
            continue
        for kind in KINDS:
            trees[kind].consume(picks[kind], demand.size_kwp)
        matches.append(
            PlannedMatch(demand.id, chosen[0].id, chosen[1].id, chosen[2].id, demand.size_kwp, price, demand.max_total_clp)
        )
    return Plan(tuple(matches), tuple(unmatched), now)


def _cheapest_distinct(
    demand: Demand, trees: dict[int, CapacityTree], candidates: dict[int, list[int]], book: Book
) -> tuple[int, int, int] | None:
    """The (provider, installer, manager) tree indices among the candidates whose sellers are distinct
    (and not the owner) with the lowest (total, ranks) key, as :func:`brute_force_optimum` orders them."""
    best_key: tuple[Any, ...] | None = None
    best: tuple[int, int, int] | None = None
    for indices in product(*(candidates[kind] for kind in KINDS)):
        chosen = [trees[kind].offers[i] for kind, i in zip(KINDS, indices)]
        if not parties_distinct(demand.owner, [o.seller for o in chosen]):
            continue
        price = quote((o.price_clp_per_kwp for o in chosen), demand.size_kwp, book.platform_fee_bps)
        key = (price.total_clp, *(offer_rank(o, book.reputation) for o in chosen))
        if best_key is None or key < best_key:
            best_key, best = key, (indices[0], indices[1], indices[2])
    return best


# --- brute force and the thesis reference (benchmark and tests only) ----------------------------


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
    for triple in product(by_kind[PROVIDER], by_kind[INSTALLER], by_kind[MANAGER]):
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
        for p in range(reader.offer_count(PROVIDER)):
            p_id, p_price, p_kwp = reader.offer_terms(PROVIDER, p)
            for i in range(reader.offer_count(INSTALLER)):
                i_id, i_price, i_kwp = reader.offer_terms(INSTALLER, i)
                for m in range(reader.offer_count(MANAGER)):
                    m_id, m_price, m_kwp = reader.offer_terms(MANAGER, m)
                    if not usable_demand or min(p_kwp, i_kwp, m_kwp) < size_kwp:
                        continue
                    if not reader.parties_distinct(d, ((PROVIDER, p), (INSTALLER, i), (MANAGER, m))):
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


# --- reading the book from the chain ------------------------------------------------------------


def offer_from_tuple(raw: Sequence[Any]) -> Offer:
    return Offer(int(raw[0]), str(raw[1]), int(raw[2]), int(raw[3]), int(raw[4]), int(raw[5]), int(raw[6]), bool(raw[7]))


def demand_from_tuple(raw: Sequence[Any]) -> Demand:
    return Demand(int(raw[0]), str(raw[1]), int(raw[2]), int(raw[3]), bool(raw[4]), int(raw[5]), int(raw[6]), bool(raw[7]))


@dataclass
class CallCounter:
    """Counts the contract calls (RPC round trips) made through :meth:`call`."""

    calls: int = 0

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.calls += 1
        return fn(*args)


def read_paged(count: int, page: Callable[[int, int], Sequence[Any]], page_size: int, counter: CallCounter) -> list[Any]:
    """Every item of ids 1..count, read ``page_size`` at a time."""
    if page_size < 1:
        raise MatchError(f"page size must be at least 1, got {page_size}")
    items: list[Any] = []
    for from_id in range(1, count + 1, page_size):
        items.extend(counter.call(page, from_id, page_size))
    return items


def latest_block_timestamp() -> int:
    """Timestamp (unix s) of the connected chain's latest block."""
    from brownie import web3

    return int(web3.eth.get_block("latest")["timestamp"])


def read_book(
    marketplace: Any,
    registry: Any,
    page_size: int = DEFAULT_PAGE_SIZE,
    counter: CallCounter | None = None,
    clock: Callable[[], int] = latest_block_timestamp,
) -> Book:
    """Read every offer and demand, the sellers' reputations and the fee in a few calls.

    Args:
        marketplace, registry: brownie Contract objects (Marketplace, ParticipantRegistry).
        page_size: offers/demands per ``offersPage`` / ``demandsPage`` call.
        counter: pass one to learn how many calls were made.
        clock: returns the chain time the book is read at (one call).
    """
    counter = counter or CallCounter()
    offer_count = int(counter.call(marketplace.offerCount))
    demand_count = int(counter.call(marketplace.demandCount))
    offers = [offer_from_tuple(raw) for raw in read_paged(offer_count, marketplace.offersPage, page_size, counter)]
    demands = [demand_from_tuple(raw) for raw in read_paged(demand_count, marketplace.demandsPage, page_size, counter)]
    sellers = sorted({o.seller for o in offers if o.open})
    scores = counter.call(registry.reputationsOf, sellers) if sellers else []
    fee_bps = int(counter.call(marketplace.platformFeeBps))
    read_at = int(counter.call(clock))
    return Book(
        offers=tuple(offers),
        demands=tuple(demands),
        reputation={seller: int(score) for seller, score in zip(sellers, scores)},
        platform_fee_bps=fee_bps,
        read_at=read_at,
    )


# --- output and submission ----------------------------------------------------------------------


def describe_plan(plan: Plan, book: Book | None = None) -> list[str]:
    """One line per considered demand, in FIFO order: its offers and total, or why it is unmatched."""
    demands = {d.id: d for d in book.demands} if book else {}
    lines: list[tuple[int, str]] = []
    for m in plan.matches:
        owner = f" owner {demands[m.demand_id].owner}" if m.demand_id in demands else ""
        lines.append((
            m.demand_id,
            f"demand {m.demand_id}{owner} ({m.size_kwp} kWp): provider offer {m.provider_offer_id}, "
            f"installer offer {m.installer_offer_id}, manager offer {m.manager_offer_id}; "
            f"total {m.total_clp} CLP (subtotal {m.quote.subtotal_clp} + fee {m.quote.fee_clp}) <= max {m.max_total_clp}",
        ))
    for u in plan.unmatched:
        lines.append((u.demand_id, f"demand {u.demand_id}: unmatched, {u.reason}"))
    return [text for _, text in sorted(lines)]


def print_plan(plan: Plan, book: Book | None = None) -> None:
    for line in describe_plan(plan, book):
        print(line)
    print(f"plan: {len(plan.matches)} project(s), {len(plan.unmatched)} demand(s) unmatched")


def has_matcher_role(marketplace: Any, account: Any) -> bool:
    return bool(marketplace.hasRole(marketplace.MATCHER_ROLE(), account))


def submit_plan(marketplace: Any, plan: Plan, matcher: Any, quiet: bool = False) -> list[Any]:
    """Send one ``matchDemand`` per planned project, in plan order, from `matcher`, each with the total it
    was planned at (the contract reverts if an offer or the fee changed since); returns the receipts.

    Raises MatchError when `matcher` lacks MATCHER_ROLE (checked before anything is sent)."""
    if not has_matcher_role(marketplace, matcher):
        raise MatchError(f"account {matcher} does not have MATCHER_ROLE on Marketplace {marketplace.address}")
    receipts = []
    for n, m in enumerate(plan.matches, start=1):
        tx = marketplace.matchDemand(m.demand_id, *m.offer_ids, m.total_clp, {"from": matcher}, silent=True)
        receipts.append(tx)
        if not quiet:
            project_id = tx.events["DemandMatched"]["projectId"] if "DemandMatched" in tx.events else "?"
            print(f"[{n}/{len(plan.matches)}] demand {m.demand_id} -> project {project_id}, "
                  f"total {m.total_clp} CLP, gas {tx.gas_used}")
    return receipts


# --- brownie entry point ------------------------------------------------------------------------


def get_matcher() -> Any:
    """The matcher: accounts[0] on local chains; elsewhere $MATCHER_KEYSTORE_ID or $MATCHER_PRIVATE_KEY."""
    try:
        return account_from_env("MATCHER", "a matcher")
    except DeploymentError as exc:
        raise MatchError(str(exc)) from None


def market_contracts() -> dict[str, Any]:
    """Marketplace and ParticipantRegistry from the chain's deployment manifest."""
    from scripts.deploy import deployed_contracts

    try:
        return deployed_contracts(["Marketplace", "ParticipantRegistry"])
    except DeploymentError as exc:
        raise MatchError(str(exc)) from None


def run_matcher(
    dry: bool = False,
    contracts: dict[str, Any] | None = None,
    matcher: Any | None = None,
    expiry_margin_s: int = DEFAULT_EXPIRY_MARGIN_S,
    quiet: bool = False,
) -> tuple[Plan, list[Any]]:
    """Read the book, plan, print the plan, and (unless `dry`) submit it. Returns (plan, receipts)."""
    say = (lambda *_: None) if quiet else print
    contracts = contracts or market_contracts()
    started = time.perf_counter()
    counter = CallCounter()
    book = read_book(contracts["Marketplace"], contracts["ParticipantRegistry"], counter=counter)
    read_s = time.perf_counter() - started
    plan = plan_matches(book, now=book.read_at + expiry_margin_s)
    plan_s = time.perf_counter() - started - read_s
    say(f"book: {len(book.offers)} offers, {len(book.demands)} demands, fee {book.platform_fee_bps} bps; "
        f"read in {counter.calls} calls ({read_s:.2f} s), planned in {plan_s * 1000:.1f} ms")
    if not quiet:
        print_plan(plan, book)
    if dry:
        return plan, []
    receipts = submit_plan(contracts["Marketplace"], plan, matcher or get_matcher(), quiet=quiet)
    say(f"submitted {len(receipts)} matchDemand transaction(s) in {time.perf_counter() - started:.2f} s total")
    return plan, receipts


def main(*args: str) -> None:
    """brownie entry point: ``main`` submits, ``main dry`` only prints the plan."""
    unknown = [a for a in args if a not in ("dry", "--dry")]
    if unknown:
        raise SystemExit(f"match: unknown argument(s) {unknown}; the only one is 'dry'")
    try:
        run_matcher(dry=bool(args))
    except MatchError as exc:
        raise SystemExit(f"match: {exc}") from None


__all__ = [
    "Book", "Demand", "Offer", "Plan", "PlannedMatch", "Quote", "Unmatched", "MatchError", "CapacityTree",
    "quote", "parties_distinct", "plan_matches", "brute_force_optimum", "brute_force_plan", "thesis_nested_search",
    "thesis_search", "ThesisReader", "thesis_read_count", "read_book", "print_plan", "describe_plan", "submit_plan", "run_matcher",
]
