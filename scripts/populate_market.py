"""Fill a local chain's marketplace with a random (seeded) market, for the matcher's scalability check.

Usage (local chains only: it creates and funds accounts)::

    brownie run scripts/populate_market.py --network <id>                  # 100 owners, 20 offers per kind
    brownie run scripts/populate_market.py main 30 10 7 --network <id>     # owners, offers per kind, seed
    brownie run scripts/populate_market.py main 100 20 1 match             # ... then run the matcher

The suite is deployed first when the chain has none (scripts/deploy.py). brownie stops an anvil it
started itself when the command ends, taking the market with it; to populate once and match later::

    anvil --port <the network's port> --accounts 10 --block-base-fee-per-gas 0 --gas-limit 30000000 &
    brownie run scripts/populate_market.py --network <id>
    time brownie run scripts/match.py --network <id>

The market (sizes, prices, capacities) is described in scripts/market/population.py; from
``brownie console``: ``from scripts.market.population import populate_market``.
"""

from __future__ import annotations

from brownie import accounts, chain

from scripts.common.accounts import is_local_chain
from scripts.deployment.manifest import contracts_from_manifest
from scripts.deployment.suite import deploy_suite
from scripts.market.matcher import MatchError, run_matcher
from scripts.market.population import DEFAULT_SEED, populate_market


def main(owners: str = "100", offers_per_kind: str = "20", seed: str = str(DEFAULT_SEED), *then: str) -> None:
    """brownie entry point: ``main [owners] [offers_per_kind] [seed] [match]``."""
    try:
        counts = int(owners), int(offers_per_kind), int(seed)
    except ValueError:
        raise SystemExit(f"populate_market: owners, offers per kind and seed must be integers, got {owners!r}, "
                         f"{offers_per_kind!r}, {seed!r}") from None
    if set(then) - {"match"}:
        raise SystemExit(f"populate_market: unknown argument(s) {sorted(set(then) - {'match'})}; only 'match' may follow")
    if not is_local_chain():
        raise SystemExit("populate_market: local chains only (it creates and funds accounts)")
    try:
        contracts = contracts_from_manifest(deploy_suite(accounts[0], quiet=True))
        populate_market(accounts, contracts, *counts, quiet=False)
        print(f"populate_market: done on chain {chain.id} at block {chain.height}")
        if "match" in then:
            run_matcher(contracts=contracts)
    except MatchError as exc:
        raise SystemExit(f"populate_market: {exc}") from None
