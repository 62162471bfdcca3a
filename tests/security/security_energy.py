"""Helpers for the energy findings' attack tests (issue 9, findings 3-6) on the suite wired as
scripts/deploy.py wires it: the oracle's only signer is the operator (a node-unlocked account on
the local chain), so rounds are signed through the node's eth_signTypedData_v4."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from brownie import web3

from generation_helpers import (  # noqa: F401  (DAY_S, DAY_WH, CAPACITY_W, day_leaf re-exported for the tests)
    CAPACITY_W,
    DAY_S,
    DAY_WH,
    FIRST_DAY,
    SignedRound,
    day_leaf,
    day_start,
    installation_params,
    make_round,
    node_signature,
)
from oracle.leaves import leaf_arg

COMMISSIONED_AT = day_start(FIRST_DAY)  # the test installations' commissioning: day 10 of 2026


def prepare_energy(suite: dict, operator: Any) -> None:
    """The 2026 emission factor, which every certificate of these tests needs."""
    registry = suite["InstallationRegistry"]
    if registry.emissionFactor(2026)[0] == 0:
        registry.setEmissionFactor(2026, 350, "security test factor", {"from": operator})


def register(suite: dict, beneficiary: Any, operator: Any, project_id: int = 0, commissioned_at: int = COMMISSIONED_AT) -> int:
    """A 30 kWp installation commissioned at `commissioned_at`; returns its id."""
    params = installation_params(beneficiary, project_id, f"SEC-{web3.eth.block_number}", commissioned_at)
    tx = suite["InstallationRegistry"].registerInstallation(params, {"from": operator})
    return int(tx.events["InstallationRegistered"]["installationId"])


def signed_round(suite: dict, operator: Any, leaves: Sequence[Sequence[Any]], **declared: int) -> SignedRound:
    """The next round of `leaves`, to be signed by the operator (the deployment's oracle signer);
    `declared` overrides fields of the signed round (e.g. leaf_count, total_energy_wh, round_id)."""
    signed = make_round(int(suite["GenerationOracle"].lastRoundId()) + 1, leaves)
    return SignedRound(dataclasses.replace(signed.round, **declared), signed.tree)


def submit(suite: dict, signed: SignedRound, operator: Any, sender: Any) -> Any:
    oracle = suite["GenerationOracle"]
    return oracle.submitRound(signed.as_tuple(), [node_signature(operator, signed.round, oracle.address)], {"from": sender})


def publish(suite: dict, operator: Any, leaves: Sequence[Sequence[Any]], sender: Any, **declared: int) -> SignedRound:
    """Sign and submit the next round of `leaves`."""
    signed = signed_round(suite, operator, leaves, **declared)
    submit(suite, signed, operator, sender)
    return signed


def issue(suite: dict, signed: SignedRound, leaf: Sequence[Any], sender: Any) -> Any:
    return suite["GenerationCertificates"].issue(signed.round_id, leaf_arg(leaf), signed.proof(leaf), {"from": sender})


def issue_batch(suite: dict, signed: SignedRound, leaves: Sequence[Sequence[Any]], sender: Any) -> Any:
    return suite["GenerationCertificates"].issueBatch(
        signed.round_id, [leaf_arg(leaf) for leaf in leaves], [signed.proof(leaf) for leaf in leaves], {"from": sender}
    )


def agree_terms(suite: dict, installation_id: int, offtaker: Any, tariff_clp_per_kwh: int, valid_from: int, operator: Any) -> Any:
    """The tariff role proposes and `offtaker` accepts terms."""
    sales = suite["EnergySales"]
    sales.proposeTerms(installation_id, offtaker, tariff_clp_per_kwh, valid_from, {"from": operator})
    return sales.acceptTerms(installation_id, tariff_clp_per_kwh, valid_from, {"from": offtaker})


def fund_offtaker(suite: dict, offtaker: Any, amount_clp: int, operator: Any) -> None:
    token, sales = suite["PaymentToken"], suite["EnergySales"]
    token.mint(offtaker, amount_clp, {"from": operator})
    token.approve(sales, amount_clp, {"from": offtaker})
    sales.deposit(amount_clp, {"from": offtaker})


def live_project(suite: dict, owner: Any, operator: Any) -> int:
    """A self-funded project (Matched) created directly by the operator (granted MARKETPLACE_ROLE)."""
    projects = suite["Projects"]
    role = projects.MARKETPLACE_ROLE()
    if not projects.hasRole(role, operator):
        projects.grantRole(role, operator, {"from": operator})
    terms = (owner, owner, owner, owner, 30, 1_000, 1_000, 1_000, 0, False)
    return int(projects.createProject(terms, {"from": operator}).events["ProjectCreated"]["projectId"])
