"""`make demo`: the main job on a fresh local chain, printed step by step.

Usage::

    brownie run scripts/demo.py                       # development (anvil started by brownie)
    brownie run scripts/demo.py --network ganache

Deploys the suite (scripts/deployment/suite.py), prints where each contract is (the manifest is a
file), then runs each area's walkthrough (scripts/walkthroughs/) in order.
"""

from __future__ import annotations

from typing import Any, Callable

from brownie import Contract, accounts, chain, network

from scripts.common.format import section
from scripts.common.quiet import brownie_transaction_lines_hidden
from scripts.deployment.manifest import contracts_from_manifest, describe_manifest
from scripts.deployment.suite import deploy_suite
from scripts.walkthroughs.energy import energy_walkthrough
from scripts.walkthroughs.market import completion_walkthrough, market_walkthrough

Walkthrough = Callable[[dict[str, Contract], Any], None]


def walkthroughs() -> list[tuple[str, Walkthrough]]:
    """Each area's demo, in order; each gets the deployed contracts and brownie's accounts."""
    return [
        ("Market: participants, offers, matching, projects, crowdfunding, revenue", market_walkthrough),
        ("Certified generation: the oracle over a week, certificates, retirement, export, energy sales", energy_walkthrough),
        ("Market, completion: a financed project's last tranche after its first certificate", completion_walkthrough),
    ]


def run_demo() -> dict[str, Any]:
    """Deploy (fresh), print the contracts, run every walkthrough. Returns the manifest.

    brownie's own per-transaction lines are hidden: each walkthrough prints what matters."""
    with brownie_transaction_lines_hidden():
        section(f"Deploying PV Ledger on {network.show_active()} (chain id {chain.id})")
        manifest = deploy_suite(accounts[0], fresh=True, quiet=True)
        for line in describe_manifest(manifest):
            print(f"   {line}")
        contracts = contracts_from_manifest(manifest)
        for title, walkthrough in walkthroughs():
            section(title)
            walkthrough(contracts, accounts)
        section("Done")
    return manifest


def main() -> None:
    run_demo()
