"""Market test helpers (not fixtures): the default prices, the pricing rule in Python, time helpers
and revert patterns. The contracts' codes (ROLE_*, KIND_*, PROJECT_*, CAMPAIGN_*) are imported from
oracle/market_codes.py by each test, under their own names.

Test modules import these from here, never from conftest: pytest keeps one sys.modules["conftest"],
so `from conftest import ...` breaks as soon as another directory's conftest.py is loaded first.
"""

from __future__ import annotations

from brownie import chain

from oracle.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER

DAY = 24 * 3600

# Default prices: 5 kWp at 600k + 300k + 100k CLP/kWp = 5,000,000 subtotal, 2 % fee = 100,000.
SIZE_KWP = 5
PRICES = {KIND_PROVIDER: 600_000, KIND_INSTALLER: 300_000, KIND_MANAGER: 100_000}
SUBTOTAL = SIZE_KWP * sum(PRICES.values())


def total_for(size_kwp: int, prices: list[int], fee_bps: int) -> int:
    """The pricing rule of IMarketplace, in Python."""
    subtotal = sum(p * size_kwp for p in prices)
    return subtotal + subtotal * fee_bps // 10_000


def now() -> int:
    """Timestamp of the latest block (what the next transaction's block.timestamp is at least)."""
    return chain[-1].timestamp


def later(seconds: int = 30 * DAY) -> int:
    return now() + seconds


def err(name: str) -> str:
    """revert_pattern for a custom error (brownie decodes it as "Name: arg1, arg2", or "Name: " without args)."""
    return rf"{name}:.*"


UNAUTHORIZED = err("AccessControlUnauthorizedAccount")


def ints(values) -> list[int]:
    """Plain ints from a brownie return tuple (its Wei items cannot be compared to lists of ints)."""
    return [int(v) for v in values]


def quoted_total(marketplace, demand_id: int, offer_ids) -> int:
    """The total a match is planned at: Marketplace.quote's (the pricing rule scripts/match.py uses)."""
    return int(marketplace.quote(demand_id, *offer_ids)[2])


def match_demand(marketplace, demand_id: int, offer_ids, sender):
    """matchDemand with the total quoted now, as scripts/match.py submits it; returns the receipt."""
    offer_ids = list(offer_ids)
    return marketplace.matchDemand(demand_id, *offer_ids, quoted_total(marketplace, demand_id, offer_ids), {"from": sender})
