"""oracle.signing against the deployed GenerationOracle: the same type hash, domain separator and
digest, and a round signed in Python is accepted on chain (the contract's own attack tests live in
tests/energy)."""

import pytest
from eth_account import Account

from oracle.signing import (
    Round,
    domain_separator,
    round_as_tuple,
    round_digest,
    round_type_hash,
    sign_round,
)

SIGNER_KEYS = ["0x" + f"{i:064x}" for i in (0x5161, 0x5162)]  # fixed test keys, no secret
JAN_1_2026 = 1_767_225_600


@pytest.fixture(scope="module")
def oracle(GenerationOracle, operator):
    return GenerationOracle.deploy(
        operator, [Account.from_key(k).address for k in SIGNER_KEYS], 2, {"from": operator}
    )


@pytest.fixture
def round_():
    return Round(1, JAN_1_2026, JAN_1_2026 + 86_400, b"\x11" * 32, 96, 2**70 + 1, b"\x22" * 32)


def test_type_hash_equals_contract(oracle):
    assert bytes(oracle.ROUND_TYPEHASH()) == round_type_hash()


def test_domain_separator_equals_contract(oracle, chain):
    assert bytes(oracle.domainSeparator()) == domain_separator(chain.id, oracle.address)


def test_round_digest_equals_contract(oracle, chain, round_):
    assert bytes(oracle.roundDigest(round_as_tuple(round_))) == round_digest(round_, chain.id, oracle.address)


def test_round_signed_in_python_is_accepted(oracle, chain, round_, operator):
    signatures = ["0x" + sign_round(round_, chain.id, oracle.address, k).hex() for k in SIGNER_KEYS]
    oracle.submitRound(round_as_tuple(round_), signatures, {"from": operator})
    assert oracle.lastRoundId() == 1
    assert bytes(oracle.roundRoot(1)) == round_.merkle_root
