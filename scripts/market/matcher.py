"""The matcher: the marketplace's open demands planned, FIFO, with the cheapest feasible (provider,
installer, manager) offers, and the plan submitted as ``matchDemand`` transactions.

From ``brownie console``::

    from scripts.market.book import read_book
    from scripts.market.matcher import plan_matches, print_plan, submit_plan
    book = read_book(marketplace, participant_registry)
    plan = plan_matches(book)
    print_plan(plan, book)
    submit_plan(marketplace, plan, accounts[0])

(``brownie run scripts/match.py`` runs :func:`run_matcher` on the chain's deployment.)

How it works:

- **Reading** (scripts/market/book.py): the whole book in a few calls.
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

The benchmarks' references (the thesis's nested search, a brute-force optimum) are in
scripts/benchmarks/thesis_search.py and scripts/benchmarks/brute_force.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import product
from typing import Any, Iterable, Sequence

from oracle.market_codes import KIND_NAMES, KINDS
from scripts.common.format import clp, short_address
from scripts.common.accounts import AccountError, account_from_env
from scripts.common.paging import CallCounter
from scripts.deployment import DeploymentError
from scripts.market.book import Book, Demand, Offer, read_book

BPS_DENOMINATOR = 10_000
DEFAULT_EXPIRY_MARGIN_S = 60


class MatchError(Exception):
    """The matcher cannot proceed; the message says what to fix."""


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
    (and not the owner) with the lowest (total, ranks) key, as scripts/benchmarks/brute_force.py orders them."""
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


# --- output and submission ----------------------------------------------------------------------


def describe_plan(plan: Plan, book: Book | None = None) -> list[str]:
    """One line per considered demand, in FIFO order: its offers and total, or why it is unmatched."""
    demands = {d.id: d for d in book.demands} if book else {}
    lines: list[tuple[int, str]] = []
    for m in plan.matches:
        owner = f" owner {short_address(demands[m.demand_id].owner)}" if m.demand_id in demands else ""
        lines.append((
            m.demand_id,
            f"demand {m.demand_id}{owner} ({m.size_kwp} kWp): provider offer {m.provider_offer_id}, "
            f"installer offer {m.installer_offer_id}, manager offer {m.manager_offer_id}; "
            f"total {clp(m.total_clp)} (subtotal {clp(m.quote.subtotal_clp)} + fee {clp(m.quote.fee_clp)}) <= max {clp(m.max_total_clp)}",
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


# --- running it on the chain's deployment -------------------------------------------------------


def get_matcher() -> Any:
    """The matcher: accounts[0] on local chains; elsewhere $MATCHER_KEYSTORE_ID or $MATCHER_PRIVATE_KEY."""
    try:
        return account_from_env("MATCHER", "a matcher")
    except AccountError as exc:
        raise MatchError(str(exc)) from None


def market_contracts() -> dict[str, Any]:
    """Marketplace and ParticipantRegistry from the chain's deployment manifest."""
    from scripts.deployment.manifest import deployed_contracts

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
