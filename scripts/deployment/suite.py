"""The suite: its components in deployment order, deployed (or reused) and recorded in the manifest.

From ``brownie console``: ``from scripts.deployment.suite import deploy_suite; m = deploy_suite(accounts[0])``.
Idempotent: when the chain's manifest lists every contract of the suite, each with code on chain
equal to what was deployed and built from the same bytecode as today's build, nothing is sent and
the manifest is returned as it is. Anything else (a fresh chain, a changed contract, ``fresh``)
deploys the whole suite again, so the manifest always describes one consistent wiring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from brownie import chain
from brownie.network.account import LocalAccount

from scripts.common.accounts import AccountError, account_from_env
from scripts.deployment import DeploymentError
from scripts.deployment.energy import deploy_energy
from scripts.deployment.manifest import Deployed, load_manifest, manifest_matches_chain, manifest_path, write_manifest
from scripts.deployment.market import deploy_market
from scripts.deployment.token import deploy_token


@dataclass(frozen=True)
class Component:
    """One area of the suite: the contracts it deploys, and how."""

    name: str
    contracts: tuple[str, ...]
    deploy: Callable[[LocalAccount, Deployed], Deployed]


def components() -> list[Component]:
    """The components in deployment order (later ones may use earlier ones' contracts)."""
    return [
        Component("token", ("PaymentToken",), deploy_token),
        Component("market", ("ParticipantRegistry", "Marketplace", "Projects", "Crowdfunding"), deploy_market),
        Component(
            "energy",
            ("InstallationRegistry", "GenerationOracle", "GenerationCertificates", "EnergySales"),
            deploy_energy,
        ),
    ]


def contract_names() -> list[str]:
    """Every contract of the suite by manifest name, in deployment order."""
    return [name for component in components() for name in component.contracts]


def get_deployer() -> LocalAccount:
    """accounts[0] on local chains; on live networks $DEPLOYER_KEYSTORE_ID or $DEPLOYER_PRIVATE_KEY."""
    try:
        return account_from_env("DEPLOYER", "a deployer")
    except AccountError as exc:
        raise DeploymentError(str(exc)) from None


def deploy_contracts(deployer: LocalAccount, say: Callable[[str], None] = lambda _: None) -> Deployed:
    """Deploy and wire every component, in order, without writing a manifest (tests use this).

    Returns every contract by manifest name."""
    deployed: Deployed = {}
    for component in components():
        say(f"deploy: {component.name} ...")
        new = component.deploy(deployer, dict(deployed))
        missing = set(component.contracts) - set(new)
        if missing:
            raise DeploymentError(f"component {component.name} did not deploy {sorted(missing)}")
        deployed.update(new)
    return deployed


def deploy_suite(deployer: LocalAccount | None = None, fresh: bool = False, quiet: bool = False) -> dict[str, Any]:
    """Deploy (or reuse) the whole suite on the connected chain and return its manifest.

    Args:
        deployer: account that deploys and becomes admin of every contract (default: get_deployer()).
        fresh: deploy again even when the manifest matches the chain.
        quiet: print nothing.
    """
    say: Callable[[str], None] = (lambda _: None) if quiet else print
    existing = load_manifest(chain.id)
    if existing and not fresh and manifest_matches_chain(existing, contract_names()):
        say(f"deploy: chain {chain.id} already has this suite ({manifest_path(chain.id)}); nothing sent")
        return existing
    deployer = deployer or get_deployer()
    manifest = write_manifest(deployer, deploy_contracts(deployer, say))
    say(f"deploy: wrote {manifest_path(chain.id)}")
    return manifest
