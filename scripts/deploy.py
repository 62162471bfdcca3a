"""Deploy the PV Ledger suite, wire its roles and write ``deployments/<chain-id>.json``.

Usage::

    brownie run scripts/deploy.py                          # development (anvil started by brownie)
    brownie run scripts/deploy.py --network ganache
    brownie run scripts/deploy.py main fresh               # redeploy even if the manifest matches
    brownie run scripts/deploy.py --network sepolia-env    # deployer from DEPLOYER_KEYSTORE_ID
                                                           # or DEPLOYER_PRIVATE_KEY (.env)

Idempotent: when the chain's manifest lists every contract of the suite, each with code on chain
equal to what was deployed and built from the same bytecode as today's build, nothing is sent and
the manifest is returned as it is. Anything else (a fresh chain, a changed contract, ``fresh``)
deploys the whole suite again, so the manifest always describes one consistent wiring. Prints one
line per contract; the manifest itself is the file.

The suite is a list of components (scripts/deployment/suite.py), each a function that deploys one
area's contracts given the deployer and what earlier components deployed, and wires their roles.
From ``brownie console``: ``from scripts.deployment.suite import deploy_suite; m = deploy_suite(accounts[0])``.
"""

from __future__ import annotations

from typing import Any

from scripts.deployment import DeploymentError
from scripts.deployment.manifest import describe_manifest
from scripts.deployment.suite import deploy_suite


def main(*args: str) -> dict[str, Any]:
    """brownie entry point; pass ``fresh`` (or ``--fresh``) to redeploy."""
    unknown = [a for a in args if a not in ("fresh", "--fresh", "--")]
    if unknown:
        raise SystemExit(f"deploy: unknown argument(s) {unknown}; the only one is 'fresh'")
    try:
        manifest = deploy_suite(fresh=bool({"fresh", "--fresh"} & set(args)))
    except DeploymentError as exc:
        raise SystemExit(f"deploy: {exc}") from None
    for line in describe_manifest(manifest):
        print(f"   {line}")
    return manifest
