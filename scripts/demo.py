"""`make demo`: the main job on a fresh local chain, printed step by step.

Deploys the suite (scripts/deploy.py), prints the manifest, then runs each area's walkthrough in
order. Run it on another local chain with ``brownie run scripts/demo.py --network ganache``.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from brownie import Contract, accounts, chain, network

from scripts.demo_energy import energy_walkthrough
from scripts.demo_market import completion_walkthrough, market_walkthrough
from scripts.deploy import contracts_from_manifest, deploy_suite
from scripts.quiet import brownie_transaction_lines_hidden

Walkthrough = Callable[[dict[str, Contract], Any], None]


def section(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 70 - len(title)))


def walkthroughs() -> list[tuple[str, Walkthrough]]:
    """Each area's demo, in order; each gets the deployed contracts and brownie's accounts."""
    return [
        ("Market: participants, offers, matching, projects, crowdfunding, revenue", market_walkthrough),
        ("Certified generation: the oracle over a week, certificates, retirement, export, energy sales", energy_walkthrough),
        ("Market, completion: a financed project's last tranche after its first certificate", completion_walkthrough),
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
