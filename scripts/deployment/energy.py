"""Certified generation: InstallationRegistry, GenerationOracle, GenerationCertificates, EnergySales.

Wiring: the deployer is admin of all four, registrar of the registry and tariff setter of sales;
the registry links installations only to live projects of ``deployed["Projects"]``;
GenerationCertificates gets the registry's CERTIFIER_ROLE; EnergySales pays project revenue into
``deployed["Crowdfunding"]`` (the market component must come first) and gives offtakers a
withdrawal notice of WITHDRAWAL_NOTICE_S. Oracle signers: on local chains
(anvil 31337, ganache 1337) the deployer, quorum 1 (add the independent verifier and raise the quorum
afterwards, as the demo does); elsewhere ORACLE_SIGNERS (comma-separated addresses) and ORACLE_QUORUM
from the environment.
"""

from __future__ import annotations

import os

from brownie import (
    Contract,
    EnergySales,
    GenerationCertificates,
    GenerationOracle,
    InstallationRegistry,
    chain,
    web3,
)
from brownie.network.account import LocalAccount

from scripts.common.accounts import is_local_chain
from scripts.deployment import DeploymentError

WITHDRAWAL_NOTICE_S = 7 * 24 * 3600  # an offtaker's deposit keeps paying settlements for 7 days after a request


def oracle_signers(deployer: LocalAccount, chain_id: int, local: bool) -> tuple[list[str], int]:
    """(signer addresses, quorum): the deployer alone on a local chain (``is_local_chain()``), else
    from the environment."""
    if local:
        return [deployer.address], 1
    raw = os.environ.get("ORACLE_SIGNERS", "").strip()
    if not raw:
        raise DeploymentError(
            f"chain {chain_id} is not local: set ORACLE_SIGNERS (comma-separated signer addresses) "
            "and ORACLE_QUORUM for the generation oracle"
        )
    signers = [s.strip() for s in raw.split(",") if s.strip()]
    bad = [s for s in signers if not web3.is_address(s)]
    if bad:
        raise DeploymentError(f"ORACLE_SIGNERS has invalid addresses: {bad}")
    quorum_text = os.environ.get("ORACLE_QUORUM", "").strip() or str(len(signers))
    if not quorum_text.isdigit() or not 1 <= int(quorum_text) <= len(signers):
        raise DeploymentError(f"ORACLE_QUORUM must be between 1 and {len(signers)}, got {quorum_text!r}")
    return [web3.to_checksum_address(s) for s in signers], int(quorum_text)


def deploy_installation_registry(deployer: LocalAccount, projects: Contract) -> Contract:
    """InstallationRegistry linking installations to live projects of `projects`; the deployer is
    its admin and registrar."""
    tx = {"from": deployer}
    registry = InstallationRegistry.deploy(deployer, projects, tx)
    registry.grantRole(registry.REGISTRAR_ROLE(), deployer, tx)
    return registry


def deploy_generation_oracle(deployer: LocalAccount, signers: list[str], quorum: int) -> Contract:
    """GenerationOracle with `signers` and `quorum`; the deployer is its admin."""
    return GenerationOracle.deploy(deployer, signers, quorum, {"from": deployer})


def deploy_certificates(deployer: LocalAccount, oracle: Contract, registry: Contract) -> Contract:
    """GenerationCertificates issuing from `oracle`'s rounds, with the registry's CERTIFIER_ROLE."""
    tx = {"from": deployer}
    certificates = GenerationCertificates.deploy(deployer, oracle, registry, tx)
    registry.grantRole(registry.CERTIFIER_ROLE(), certificates, tx)
    return certificates


def deploy_sales(deployer: LocalAccount, token: Contract, registry: Contract, certificates: Contract,
                 revenue: Contract) -> Contract:
    """EnergySales paying in `token`, project revenue into `revenue` (Crowdfunding, or a mock of
    IProjectRevenue), with an offtaker withdrawal notice of WITHDRAWAL_NOTICE_S."""
    return EnergySales.deploy(deployer, token, registry, certificates, revenue, WITHDRAWAL_NOTICE_S, {"from": deployer})


def deploy_energy(deployer: LocalAccount, deployed: dict[str, Contract]) -> dict[str, Contract]:
    """Deploy and wire the four energy contracts; returns them by manifest name."""
    for required, component in (("PaymentToken", "token"), ("Projects", "market"), ("Crowdfunding", "market")):
        if required not in deployed:
            raise DeploymentError(
                f"energy needs deployed[{required!r}] (from the {component} component): "
                f"deploy {component} before energy in scripts/deployment/suite.py components()"
            )
    registry = deploy_installation_registry(deployer, deployed["Projects"])
    # A financed project's last tranche waits for its installation's first certificate (Projects reads it here).
    deployed["Projects"].setInstallationRegistry(registry, {"from": deployer})
    signers, quorum = oracle_signers(deployer, chain.id, is_local_chain())
    oracle = deploy_generation_oracle(deployer, signers, quorum)
    certificates = deploy_certificates(deployer, oracle, registry)
    sales = deploy_sales(deployer, deployed["PaymentToken"], registry, certificates, deployed["Crowdfunding"])
    return {
        "InstallationRegistry": registry,
        "GenerationOracle": oracle,
        "GenerationCertificates": certificates,
        "EnergySales": sales,
    }
