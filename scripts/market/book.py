"""The marketplace's book (every offer and demand, reputations, fee, chain time) read in a few calls.

``offerCount``, ``demandCount``, ``offersPage`` / ``demandsPage`` in pages of ``page_size``
(default 200), one batched ``reputationsOf`` for every seller, ``platformFeeBps`` and the latest
block's timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from scripts.common.paging import DEFAULT_PAGE_SIZE, CallCounter, latest_block_timestamp, read_paged


@dataclass(frozen=True)
class Offer:
    """An offer as ``Marketplace.offersPage`` returns it (kind: oracle/market_codes.py KIND_*)."""

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


def offer_from_tuple(raw: Sequence[Any]) -> Offer:
    return Offer(int(raw[0]), str(raw[1]), int(raw[2]), int(raw[3]), int(raw[4]), int(raw[5]), int(raw[6]), bool(raw[7]))


def demand_from_tuple(raw: Sequence[Any]) -> Demand:
    return Demand(int(raw[0]), str(raw[1]), int(raw[2]), int(raw[3]), bool(raw[4]), int(raw[5]), int(raw[6]), bool(raw[7]))


def read_book(
    marketplace: Any,
    participant_registry: Any,
    page_size: int = DEFAULT_PAGE_SIZE,
    counter: CallCounter | None = None,
    clock: Callable[[], int] = latest_block_timestamp,
) -> Book:
    """Read every offer and demand, the sellers' reputations and the fee in a few calls.

    Args:
        marketplace, participant_registry: brownie Contract objects (Marketplace, ParticipantRegistry).
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
    scores = counter.call(participant_registry.reputationsOf, sellers) if sellers else []
    fee_bps = int(counter.call(marketplace.platformFeeBps))
    read_at = int(counter.call(clock))
    return Book(
        offers=tuple(offers),
        demands=tuple(demands),
        reputation={seller: int(score) for seller, score in zip(sellers, scores)},
        platform_fee_bps=fee_bps,
        read_at=read_at,
    )
