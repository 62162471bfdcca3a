"""`make demo`: the main job on a fresh local chain, printed step by step.

Deploys the suite (scripts/deploy.py), prints the manifest, then runs each area's walkthrough in
order. Run it on another local chain with ``brownie run scripts/demo.py --network ganache``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from typing import Any, Callable, Iterator, TextIO

from brownie import Contract, accounts, chain, network

from scripts.demo_energy import energy_walkthrough
from scripts.demo_market import market_walkthrough
from scripts.deploy import contracts_from_manifest, deploy_suite

Walkthrough = Callable[[dict[str, Contract], Any], None]


def section(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 70 - len(title)))


class _TransactionLineFilter(io.TextIOBase):
    """Drops brownie's per-transaction report lines from what passes through it."""

    NOISE = re.compile(r"^\s*(Transaction sent:|Gas price:|\S+ confirmed\b|\S+ deployed at:)")
    ANSI = re.compile(r"\x1b\[[0-9;]*m")

    def __init__(self, target: TextIO) -> None:
        self._target = target
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if not self.NOISE.match(self.ANSI.sub("", line.lstrip("\r"))):
                self._target.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self._target.flush()


@contextlib.contextmanager
def brownie_transaction_lines_hidden() -> Iterator[None]:
    """brownie 1.22.2 ignores ``--silent`` for transactions sent without ``silent=True`` (its
    compiled account module never reads the flag), so filter its report lines out of stdout."""
    with contextlib.redirect_stdout(_TransactionLineFilter(sys.stdout)):
        yield


def walkthroughs() -> list[tuple[str, Walkthrough]]:
    """Each area's demo, in order; each gets the deployed contracts and brownie's accounts."""
    return [
        ("Market: participants, offers, matching, projects, crowdfunding, revenue", market_walkthrough),
        ("Certified generation: round, certificates, retirement, export, energy sales", energy_walkthrough),
    ]


def run_demo() -> dict[str, Any]:
    """Deploy (fresh), print the manifest, run every walkthrough. Returns the manifest.

    brownie's own per-transaction lines are hidden: each walkthrough prints what matters."""
    with brownie_transaction_lines_hidden():
        section(f"Deploying PV Ledger on {network.show_active()} (chain id {chain.id})")
        manifest = deploy_suite(accounts[0], fresh=True, quiet=True)
        print(json.dumps(manifest, indent=2))
        contracts = contracts_from_manifest(manifest)
        for title, walkthrough in walkthroughs():
            section(title)
            walkthrough(contracts, accounts)
        section("Done")
    return manifest


def main() -> None:
    run_demo()
