"""A random (seeded) market for the matcher's scalability check: its spec, its book without a chain,
and the same market posted on a local chain by funded throwaway accounts.

Each owner posts one demand (2 to 10 kWp, a max total between 0.85 and 1.35 million CLP per kWp,
about one in three needing financing); each offer comes from its own seller with a price per kWp
typical of Chilean rooftop PV (provider 450k to 650k CLP, installer 200k to 350k, manager 50k to
120k) and 20 to 80 kWp of capacity. With these figures most demands match and some do not.
The brownie entry point is scripts/populate_market.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from oracle.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER, KINDS, ROLE_OF_KIND, ROLE_OWNER
from scripts.market.book import Book, Demand, Offer
from scripts.market.matcher import MatchError

PRICE_RANGE_CLP_PER_KWP = {
    KIND_PROVIDER: (450_000, 650_000), KIND_INSTALLER: (200_000, 350_000), KIND_MANAGER: (50_000, 120_000),
}
CAPACITY_RANGE_KWP = (20, 80)
DEMAND_SIZE_RANGE_KWP = (2, 10)
MAX_TOTAL_RANGE_CLP_PER_KWP = (850_000, 1_350_000)
FINANCING_SHARE = 1 / 3
LIFETIME_S = 90 * 24 * 3600
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class OfferSpec:
    kind: int
    price_clp_per_kwp: int
    capacity_kwp: int


@dataclass(frozen=True)
class DemandSpec:
    size_kwp: int
    max_total_clp: int
    needs_financing: bool


@dataclass(frozen=True)
class MarketSpec:
    """A market to create: demands in posting order, offers in posting order (kinds interleaved)."""

    demands: tuple[DemandSpec, ...]
    offers: tuple[OfferSpec, ...]


@dataclass(frozen=True)
class PopulatedMarket:
    """What :func:`populate_market` created on chain."""

    owners: tuple[Any, ...]
    sellers: tuple[Any, ...]
    demand_ids: tuple[int, ...]
    offer_ids: tuple[int, ...]


def market_spec(owners: int = 100, offers_per_kind: int = 20, seed: int = DEFAULT_SEED) -> MarketSpec:
    """A random market, the same for the same arguments."""
    if owners < 0 or offers_per_kind < 0:
        raise MatchError(f"owners and offers per kind must be >= 0, got {owners} and {offers_per_kind}")
    rng = random.Random(seed)
    demands = []
    for _ in range(owners):
        size = rng.randint(*DEMAND_SIZE_RANGE_KWP)
        demands.append(DemandSpec(size, size * rng.randint(*MAX_TOTAL_RANGE_CLP_PER_KWP), rng.random() < FINANCING_SHARE))
    offers = [
        OfferSpec(kind, rng.randint(*PRICE_RANGE_CLP_PER_KWP[kind]), rng.randint(*CAPACITY_RANGE_KWP))
        for _ in range(offers_per_kind)
        for kind in KINDS
    ]
    return MarketSpec(tuple(demands), tuple(offers))


def spec_as_book(spec: MarketSpec, now: int, platform_fee_bps: int = 200) -> Book:
    """The book the chain would hold after posting `spec` at `now` (no chain needed; for benchmarks)."""
    offers = tuple(
        Offer(i, f"0x{i:040x}", o.kind, o.price_clp_per_kwp, o.capacity_kwp, now, now + LIFETIME_S, True)
        for i, o in enumerate(spec.offers, start=1)
    )
    demands = tuple(
        Demand(i, f"0x{10**6 + i:040x}", d.size_kwp, d.max_total_clp, d.needs_financing, now, now + LIFETIME_S, True)
        for i, d in enumerate(spec.demands, start=1)
    )
    return Book(offers, demands, {}, platform_fee_bps, now)


def funded_accounts(accounts: Any, count: int, seed: int, label: str) -> list[Any]:
    """`count` local accounts with keys derived from (seed, label, n), each given 10 ether for gas
    (anvil_setBalance where the chain has it, a transfer from accounts[0] otherwise)."""
    from brownie import web3

    created = []
    for n in range(count):
        key = keccak(text=f"pv-ledger populate_market {seed} {label} {n}").hex()
        account = accounts.add(key)
        try:
            web3.provider.make_request("anvil_setBalance", [account.address, hex(10**19)])
        except Exception:  # noqa: BLE001 - not anvil: fall back to a plain transfer
            pass
        if web3.eth.get_balance(account.address) < 10**18:
            accounts[0].transfer(account, 10**19, silent=True)
        created.append(account)
    return created


def populate_market(
    accounts: Any,
    contracts: dict[str, Any],
    owners: int = 100,
    offers_per_kind: int = 20,
    seed: int = DEFAULT_SEED,
    quiet: bool = True,
) -> PopulatedMarket:
    """Create `owners` owners with one demand each and `offers_per_kind` offers of each kind, each
    from its own seller, all registered in the ParticipantRegistry. Local chains only.

    Args:
        accounts: brownie's ``accounts`` (new local accounts are added to it).
        contracts: at least ``ParticipantRegistry`` and ``Marketplace`` (e.g. from the manifest).
    """
    from brownie import chain

    participant_registry, marketplace = contracts["ParticipantRegistry"], contracts["Marketplace"]
    spec = market_spec(owners, offers_per_kind, seed)
    owner_accounts = funded_accounts(accounts, owners, seed, "owner")
    seller_accounts = funded_accounts(accounts, len(spec.offers), seed, "seller")
    expires_at = chain.time() + LIFETIME_S
    demand_ids, offer_ids = [], []
    for account, offer in zip(seller_accounts, spec.offers):
        participant_registry.register(ROLE_OF_KIND[offer.kind], "ipfs://pv-ledger/seller", {"from": account}, silent=True)
        tx = marketplace.postOffer(offer.kind, offer.price_clp_per_kwp, offer.capacity_kwp, expires_at,
                                   {"from": account}, silent=True)
        offer_ids.append(int(tx.events["OfferPosted"]["offerId"]))
    for account, demand in zip(owner_accounts, spec.demands):
        participant_registry.register(ROLE_OWNER, "ipfs://pv-ledger/owner", {"from": account}, silent=True)
        tx = marketplace.postDemand(demand.size_kwp, demand.max_total_clp, demand.needs_financing, expires_at,
                                    {"from": account}, silent=True)
        demand_ids.append(int(tx.events["DemandPosted"]["demandId"]))
    if not quiet:
        print(f"populate_market: {owners} demands (ids {demand_ids[:1]}..{demand_ids[-1:]}), "
              f"{len(offer_ids)} offers ({offers_per_kind} of each kind)")
    return PopulatedMarket(tuple(owner_accounts), tuple(seller_accounts), tuple(demand_ids), tuple(offer_ids))
