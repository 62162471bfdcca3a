"""Helpers for the energy findings' attack tests (issue 9, findings 3-6) on the suite wired as
scripts/deploy.py wires it: the oracle's only signer is the operator (a node-unlocked account on
the local chain), so rounds are signed through the node's eth_signTypedData_v4."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from brownie import chain, web3

from oracle.merkle import StandardMerkleTree, generation_leaf_types
from oracle.signing import Round, node_sign_round, round_as_tuple, round_from_generation_tree
from scripts.issue_round import leaf_arg

DAY_S = 86_400
YEAR_2026_START = 1_767_225_600  # 2026-01-01T00:00:00Z
COMMISSIONED_AT = YEAR_2026_START + 10 * DAY_S  # the test installations' commissioning: day 10
CAPACITY_W = 30_000
DAY_WH = 100_000  # what a leaf of one day carries unless told otherwise (capacity allows 720,000)


def day_start(day_index: int) -> int:
    """Unix seconds (UTC) of midnight of day `day_index` (0 = 1 January 2026)."""
    return YEAR_2026_START + day_index * DAY_S


def day_leaf(installation_id: int, day_index: int, days: int = 1, energy_wh: int | None = None) -> tuple[Any, ...]:
    """A generation leaf of `days` days from `day_index` with a placeholder readings root."""
    start = day_start(day_index)
    wh = DAY_WH * days if energy_wh is None else energy_wh
    root = bytes([installation_id % 256, day_index % 256, days % 256]) + b"\x5e" * 29
    return (installation_id, start, start + days * DAY_S, wh, root)


@dataclasses.dataclass
class SignedRound:
    round: Round
    tree: StandardMerkleTree

    @property
    def round_id(self) -> int:
        return self.round.round_id

    def proof(self, leaf: Sequence[Any]) -> list[str]:
        return self.tree.proof_hex(tuple(leaf))


def prepare_energy(suite: dict, operator: Any) -> None:
    """The 2026 emission factor, which every certificate of these tests needs."""
    registry = suite["InstallationRegistry"]
    if registry.emissionFactor(2026)[0] == 0:
        registry.setEmissionFactor(2026, 350, "security test factor", {"from": operator})


def register(suite: dict, beneficiary: Any, operator: Any, project_id: int = 0, commissioned_at: int = COMMISSIONED_AT) -> int:
    """A 30 kWp installation commissioned at `commissioned_at`; returns its id."""
    params = (beneficiary, CAPACITY_W, -33_448_900, -70_669_300, 13101, commissioned_at, project_id,
              "PV rooftop", "blue'Log X-1000", f"SEC-{web3.eth.block_number}", "PTSP")
    tx = suite["InstallationRegistry"].registerInstallation(params, {"from": operator})
    return int(tx.events["InstallationRegistered"]["installationId"])


def signed_round(suite: dict, operator: Any, leaves: Sequence[Sequence[Any]], **declared: int) -> SignedRound:
    """The next round of `leaves`, signed by the operator (the deployment's oracle signer);
    `declared` overrides fields of the signed round (e.g. leaf_count, total_energy_wh, round_id)."""
    oracle = suite["GenerationOracle"]
    tree = StandardMerkleTree.of([tuple(leaf) for leaf in leaves], generation_leaf_types)
    start, end = min(leaf[1] for leaf in leaves), max(leaf[2] for leaf in leaves)
    round_ = round_from_generation_tree(int(oracle.lastRoundId()) + 1, start, end, tree)
    return SignedRound(dataclasses.replace(round_, **declared), tree)


def submit(suite: dict, signed: SignedRound, operator: Any, sender: Any) -> Any:
    oracle = suite["GenerationOracle"]
    signature = node_sign_round(web3.provider.make_request, str(operator), signed.round, chain.id, oracle.address)
    return oracle.submitRound(round_as_tuple(signed.round), [signature], {"from": sender})


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
