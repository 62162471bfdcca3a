"""Test helpers for the energy contracts: the shared generation helpers (tests/generation_helpers.py,
re-exported here) plus rounds signed with raw keys, issuance and terms on the energy fixtures."""

from __future__ import annotations

from typing import Any, Sequence

from brownie import chain

from generation_helpers import (  # noqa: F401  (re-exported for the tests)
    DAY_S,
    FIRST_DAY,
    INTERVAL_S,
    YEAR_2025_START,
    YEAR_2026_START,
    SignedRound,
    day_leaf,
    day_start,
    installation_params,
    make_round,
    node_signature,
    proof_arg,
    reading_tree,
    solar_day_wh,
)
from oracle.signing import Round, sign_round
from scripts.deployment.energy import WITHDRAWAL_NOTICE_S  # noqa: F401  (re-exported for the tests)
from oracle.leaves import leaf_arg  # noqa: F401  (re-exported for the tests)

FACTOR_2026_G_PER_KWH = 350
FACTOR_2025_G_PER_KWH = 380


def signatures(round_: Round, keys: Sequence[str], oracle_address: Any, chain_id: int | None = None) -> list[str]:
    """65-byte signatures (0x hex) of `round_` by each key, for `oracle_address` on `chain_id`."""
    cid = chain.id if chain_id is None else chain_id
    return ["0x" + sign_round(round_, cid, oracle_address, key).hex() for key in keys]


def submit(oracle: Any, signed: SignedRound, keys: Sequence[str], sender: Any) -> Any:
    return oracle.submitRound(signed.as_tuple(), signatures(signed.round, keys, oracle.address), {"from": sender})


def issue(certificates: Any, signed: SignedRound, leaf: Sequence[Any], sender: Any) -> Any:
    return certificates.issue(signed.round_id, leaf_arg(leaf), signed.proof(leaf), {"from": sender})


def agree_terms(sales: Any, installation_id: int, offtaker: Any, tariff_clp_per_kwh: int, valid_from: int, admin: Any) -> Any:
    """The tariff role proposes and `offtaker` accepts terms; returns the acceptance."""
    sales.proposeTerms(installation_id, offtaker, tariff_clp_per_kwh, valid_from, {"from": admin})
    return sales.acceptTerms(installation_id, tariff_clp_per_kwh, valid_from, {"from": offtaker})
