"""`make demo`: the main job on a fresh local chain, printed step by step.

Deploys the suite (scripts/deploy.py), prints where each contract is (the manifest is a file), then runs each area's walkthrough in
order. Run it on another local chain with ``brownie run scripts/demo.py --network ganache``.
"""

from __future__ import annotations

from typing import Any, Callable

from brownie import Contract, accounts, chain, network

from scripts.demo_energy import energy_walkthrough
from scripts.demo_market import completion_walkthrough, market_walkthrough
from scripts.deploy import PROJECT_ROOT, contracts_from_manifest, deploy_suite, manifest_path
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


def print_manifest(manifest: dict[str, Any]) -> None:
    """One line per contract (name, type, short address); the whole manifest is in its file."""
    for name, entry in manifest["contracts"].items():
        address = entry["address"]
        print(f"   {name:<24} {entry['contractType']:<24} {address[:8]}...{address[-4:]}")
    path = manifest_path(manifest["chainId"])
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    print(f"   manifest (addresses, deploy transactions and blocks, git commit {manifest.get('gitCommit', '?')[:8]}): {shown}")


def run_demo() -> dict[str, Any]:
    """Deploy (fresh), print the contracts, run every walkthrough. Returns the manifest.

    brownie's own per-transaction lines are hidden: each walkthrough prints what matters."""
    with brownie_transaction_lines_hidden():
        section(f"Deploying PV Ledger on {network.show_active()} (chain id {chain.id})")
        manifest = deploy_suite(accounts[0], fresh=True, quiet=True)
        print_manifest(manifest)
        contracts = contracts_from_manifest(manifest)
        for title, walkthrough in walkthroughs():
            section(title)
            walkthrough(contracts, accounts)
        section("Done")
    return manifest


def main() -> None:
    run_demo()
