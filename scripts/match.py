"""Match the marketplace's open demands to the cheapest feasible (provider, installer, manager) offers.

Usage::

    brownie run scripts/match.py --network <id>             # read the book, plan, submit `match` txs
    brownie run scripts/match.py main dry --network <id>    # read the book, print the plan, send nothing

The contracts come from the chain's deployment manifest (``deployments/<chain-id>.json``, names
``Marketplace`` and ``ParticipantRegistry``). The matcher account (it needs ``MATCHER_ROLE``) is
``accounts[0]`` on local chains; elsewhere a brownie keystore account named by
``$MATCHER_KEYSTORE_ID`` or a key in ``$MATCHER_PRIVATE_KEY`` (environment or .env).
On a local chain started by brownie itself, the chain (and the market) dies with the command: keep
an anvil running on the network's port (see scripts/populate_market.py) to match a market built
by an earlier command.

How the book is read and the plan made: scripts/market/book.py and scripts/market/matcher.py
(from ``brownie console``: ``from scripts.market.matcher import plan_matches, print_plan, submit_plan``).
"""

from __future__ import annotations

from scripts.market.matcher import MatchError, run_matcher


def main(*args: str) -> None:
    """brownie entry point: ``main`` submits, ``main dry`` only prints the plan."""
    unknown = [a for a in args if a not in ("dry", "--dry")]
    if unknown:
        raise SystemExit(f"match: unknown argument(s) {unknown}; the only one is 'dry'")
    try:
        run_matcher(dry=bool(args))
    except MatchError as exc:
        raise SystemExit(f"match: {exc}") from None
