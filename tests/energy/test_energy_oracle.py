"""GenerationOracle: signer set and quorum, EIP-712 rounds, and the attacks on them."""

import brownie
import pytest
from brownie import chain
from eth_account import Account

from energy_helpers import day_leaf, make_round, signatures, submit
from oracle.signing import Round, domain_separator, round_digest, sign_round


def addr(key):
    return Account.from_key(key).address


@pytest.fixture
def round1():
    return make_round(1, [day_leaf(1, 10), day_leaf(2, 10)])


def test_domain_separator_matches_python(oracle):
    assert oracle.domainSeparator() == "0x" + domain_separator(chain.id, oracle.address).hex()


def test_round_digest_matches_python(oracle, round1):
    assert oracle.roundDigest(round1.as_tuple()) == "0x" + round_digest(round1.round, chain.id, oracle.address).hex()


def test_constructor_sets_signers_and_quorum(oracle, signer_keys):
    assert oracle.quorum() == 2
    assert oracle.signerCount() == 2
    assert set(oracle.signers()) == {addr(k) for k in signer_keys}


def test_constructor_rejects_quorum_above_signers(GenerationOracle, operator, signer_keys):
    with brownie.reverts(revert_pattern=r"GenerationOracleInvalidQuorum: .*"):
        GenerationOracle.deploy(operator, [addr(signer_keys[0])], 2, {"from": operator})


def test_submit_round_stores_round_and_emits_event(oracle, round1, signer_keys, mallory):
    tx = submit(oracle, round1, signer_keys, mallory)
    stored = oracle.rounds(1)
    assert stored["merkleRoot"] == "0x" + round1.tree.root.hex()
    assert stored["periodStart"] == round1.round.period_start
    assert stored["periodEnd"] == round1.round.period_end
    assert stored["leafCount"] == 2
    assert stored["totalEnergyWh"] == round1.round.total_energy_wh
    assert stored["submittedAt"] == tx.timestamp
    assert oracle.roundRoot(1) == "0x" + round1.tree.root.hex()
    assert oracle.lastRoundId() == 1
    ev = tx.events["RoundSubmitted"]
    assert ev["roundId"] == 1
    assert ev["submitter"] == mallory
    assert ev["leafCount"] == 2


def test_signature_order_does_not_matter(oracle, round1, signer_keys, mallory):
    submit(oracle, round1, list(reversed(signer_keys)), mallory)
    assert oracle.lastRoundId() == 1


def test_round_ids_increase_by_exactly_one(oracle, signer_keys, mallory):
    with brownie.reverts(revert_pattern=r"GenerationOracleRoundNotNext: 5, 1"):
        submit(oracle, make_round(5, [day_leaf(1, 10)]), signer_keys, mallory)
    submit(oracle, make_round(1, [day_leaf(1, 10)]), signer_keys, mallory)
    with brownie.reverts(revert_pattern=r"GenerationOracleRoundNotNext: 3, 2"):
        submit(oracle, make_round(3, [day_leaf(1, 11)]), signer_keys, mallory)
    submit(oracle, make_round(2, [day_leaf(1, 11)]), signer_keys, mallory)
    assert oracle.lastRoundId() == 2


def test_same_round_twice_is_rejected(oracle, round1, signer_keys, mallory):
    submit(oracle, round1, signer_keys, mallory)
    with brownie.reverts(revert_pattern=r"GenerationOracleRoundNotNext: 1, 2"):
        submit(oracle, round1, signer_keys, mallory)


def test_round_zero_is_not_next(oracle, signer_keys, mallory):
    with brownie.reverts(revert_pattern=r"GenerationOracleRoundNotNext: 0, 1"):
        submit(oracle, make_round(0, [day_leaf(1, 10)]), signer_keys, mallory)


def test_replay_signed_for_another_chain_is_rejected(oracle, round1, signer_keys, mallory):
    sigs = signatures(round1.round, signer_keys, oracle.address, chain_id=chain.id + 1)
    with brownie.reverts(revert_pattern=r"GenerationOracleUnknownSigner: .*"):
        oracle.submitRound(round1.as_tuple(), sigs, {"from": mallory})


def test_replay_signed_for_another_oracle_contract_is_rejected(GenerationOracle, oracle, round1, signer_keys, operator, mallory):
    other = GenerationOracle.deploy(operator, [addr(k) for k in signer_keys], 2, {"from": operator})
    sigs = signatures(round1.round, signer_keys, other.address)
    other.submitRound(round1.as_tuple(), sigs, {"from": mallory})  # valid where it was signed for
    with brownie.reverts(revert_pattern=r"GenerationOracleUnknownSigner: .*"):
        oracle.submitRound(round1.as_tuple(), sigs, {"from": mallory})


def test_tampered_round_content_is_rejected(oracle, round1, signer_keys, mallory):
    sigs = signatures(round1.round, signer_keys, oracle.address)
    inflated = list(round1.as_tuple())
    inflated[5] = round1.round.total_energy_wh * 10
    with brownie.reverts(revert_pattern=r"GenerationOracleUnknownSigner: .*"):
        oracle.submitRound(tuple(inflated), sigs, {"from": mallory})


def test_unknown_signer_is_rejected(oracle, round1, signer_keys, unknown_key, mallory):
    with brownie.reverts(revert_pattern=rf"(?i)GenerationOracleUnknownSigner: {addr(unknown_key)}"):
        submit(oracle, round1, [signer_keys[0], unknown_key], mallory)


def test_one_signer_counted_twice_is_rejected(oracle, round1, signer_keys, mallory):
    with brownie.reverts(revert_pattern=rf"(?i)GenerationOracleDuplicateSigner: {addr(signer_keys[0])}"):
        submit(oracle, round1, [signer_keys[0], signer_keys[0]], mallory)


def test_same_signer_with_malleated_second_signature_is_rejected(oracle, round1, signer_keys, mallory):
    # a second, different-looking signature of the same key: OZ ECDSA rejects the high-s form
    sig = bytes.fromhex(signatures(round1.round, [signer_keys[0]], oracle.address)[0][2:])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(sig[32:64], "big")
    flipped = sig[:32] + (n - s).to_bytes(32, "big") + bytes([55 - sig[64]])
    with brownie.reverts(revert_pattern=r"ECDSAInvalidSignatureS: .*"):
        oracle.submitRound(round1.as_tuple(), ["0x" + sig.hex(), "0x" + flipped.hex()], {"from": mallory})


def test_too_few_signatures_is_rejected(oracle, round1, signer_keys, mallory):
    with brownie.reverts(revert_pattern=r"GenerationOracleTooFewSignatures: 1, 2"):
        submit(oracle, round1, signer_keys[:1], mallory)


def test_more_signatures_than_signers_is_rejected(oracle, round1, signer_keys, mallory):
    with brownie.reverts(revert_pattern=r"GenerationOracleTooManySignatures: 3, 2"):
        submit(oracle, round1, signer_keys + signer_keys[:1], mallory)


def test_malformed_signature_is_rejected(oracle, round1, signer_keys, mallory):
    sigs = signatures(round1.round, signer_keys, oracle.address)
    with brownie.reverts(revert_pattern=r"ECDSAInvalidSignatureLength: .*"):
        oracle.submitRound(round1.as_tuple(), [sigs[0], sigs[1][:-2]], {"from": mallory})


def test_period_in_the_future_is_rejected(oracle, signer_keys, mallory):
    now = chain.time()
    future = Round(1, now - 3600, now + 3600, b"\x01" * 32, 1, 10)
    with brownie.reverts(revert_pattern=r"GenerationOraclePeriodInFuture: .*"):
        oracle.submitRound(tuple(future_tuple(future)), signatures(future, signer_keys, oracle.address), {"from": mallory})


def test_empty_period_is_rejected(oracle, signer_keys, mallory):
    empty = Round(1, 1_767_225_600, 1_767_225_600, b"\x01" * 32, 1, 10)
    with brownie.reverts(revert_pattern=r"GenerationOracleEmptyPeriod: 1767225600, 1767225600"):
        oracle.submitRound(future_tuple(empty), signatures(empty, signer_keys, oracle.address), {"from": mallory})


def test_zero_root_is_rejected(oracle, signer_keys, mallory):
    empty = Round(1, 1_767_225_600, 1_767_312_000, b"\x00" * 32, 1, 10)
    with brownie.reverts(revert_pattern=r"GenerationOracleEmptyRound: .*"):
        oracle.submitRound(future_tuple(empty), signatures(empty, signer_keys, oracle.address), {"from": mallory})


def test_zero_leaf_count_is_rejected(oracle, signer_keys, mallory):
    empty = Round(1, 1_767_225_600, 1_767_312_000, b"\x01" * 32, 0, 10)
    with brownie.reverts(revert_pattern=r"GenerationOracleEmptyRound: .*"):
        oracle.submitRound(future_tuple(empty), signatures(empty, signer_keys, oracle.address), {"from": mallory})


def future_tuple(round_):
    from oracle.signing import round_as_tuple

    return round_as_tuple(round_)


def test_add_signer_and_quorum_one_accepts_single_signature(oracle, round1, spare_key, operator, mallory):
    tx = oracle.addSigner(addr(spare_key), {"from": operator})
    assert tx.events["SignerAdded"]["signer"] == addr(spare_key)
    tx = oracle.setQuorum(1, {"from": operator})
    assert tx.events["QuorumChanged"]["previousQuorum"] == 2
    assert tx.events["QuorumChanged"]["newQuorum"] == 1
    submit(oracle, round1, [spare_key], mallory)
    assert oracle.lastRoundId() == 1


def test_removed_signer_no_longer_counts(oracle, round1, signer_keys, spare_key, operator, mallory):
    oracle.addSigner(addr(spare_key), {"from": operator})
    tx = oracle.removeSigner(addr(signer_keys[1]), {"from": operator})
    assert tx.events["SignerRemoved"]["signer"] == addr(signer_keys[1])
    assert not oracle.isSigner(addr(signer_keys[1]))
    with brownie.reverts(revert_pattern=r"GenerationOracleUnknownSigner: .*"):
        submit(oracle, round1, signer_keys, mallory)
    submit(oracle, round1, [signer_keys[0], spare_key], mallory)


def test_remove_signer_below_quorum_is_rejected(oracle, signer_keys, operator):
    with brownie.reverts(revert_pattern=r"GenerationOracleInvalidQuorum: 2, 1"):
        oracle.removeSigner(addr(signer_keys[0]), {"from": operator})


def test_remove_non_signer_is_rejected(oracle, spare_key, operator):
    with brownie.reverts(revert_pattern=r"GenerationOracleNotSigner: .*"):
        oracle.removeSigner(addr(spare_key), {"from": operator})


def test_add_existing_signer_is_rejected(oracle, signer_keys, operator):
    with brownie.reverts(revert_pattern=r"GenerationOracleAlreadySigner: .*"):
        oracle.addSigner(addr(signer_keys[0]), {"from": operator})


def test_add_zero_signer_is_rejected(oracle, operator):
    with brownie.reverts(revert_pattern=r"GenerationOracleZeroSigner: ?"):
        oracle.addSigner("0x" + "00" * 20, {"from": operator})


@pytest.mark.parametrize("quorum", [0, 3])
def test_quorum_out_of_range_is_rejected(oracle, operator, quorum):
    with brownie.reverts(revert_pattern=rf"GenerationOracleInvalidQuorum: {quorum}, 2"):
        oracle.setQuorum(quorum, {"from": operator})


def test_paused_oracle_rejects_rounds_until_unpaused(oracle, round1, signer_keys, operator, mallory):
    oracle.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause: ?"):
        submit(oracle, round1, signer_keys, mallory)
    oracle.unpause({"from": operator})
    submit(oracle, round1, signer_keys, mallory)
    assert oracle.lastRoundId() == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda o, a: o.addSigner(a, {"from": a}),
        lambda o, a: o.removeSigner(o.signers()[0], {"from": a}),
        lambda o, a: o.setQuorum(1, {"from": a}),
        lambda o, a: o.pause({"from": a}),
        lambda o, a: o.unpause({"from": a}),
    ],
    ids=["addSigner", "removeSigner", "setQuorum", "pause", "unpause"],
)
def test_mallory_cannot_call_admin_functions(oracle, mallory, call):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        call(oracle, mallory)


def test_round_ids_at_and_above_max_are_not_next(oracle, signer_keys, mallory):
    """Ids increase by one, so nobody reaches MAX_ROUND_ID (2^32 - 1) and blocks later rounds."""
    for round_id in (oracle.MAX_ROUND_ID(), oracle.MAX_ROUND_ID() + 1):
        with brownie.reverts(revert_pattern=rf"GenerationOracleRoundNotNext: {round_id}, 1"):
            submit(oracle, make_round(round_id, [day_leaf(1, 10)]), signer_keys, mallory)
