"""Submitting a signed round to GenerationOracle, idempotently.

A round already on chain with the same root is reported ("already on chain") and nothing is sent;
one with another root, or a round id that is not the next one, is a ChainError; signatures that do
not make the quorum of current signers are a ConfigError before anything is sent.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Literal

from oracle.chain.manifest import Chain
from oracle.chain.reads import last_round_id, round_on_chain, signer_set
from oracle.chain.transactions import Sender
from oracle.errors import ChainError, ConfigError
from oracle.signing import Round, SigningError, recover_round_signer

SUBMITTED = "submitted"
ALREADY_ON_CHAIN = "already on chain"


@dataclass(frozen=True)
class SubmitResult:
    """status: "submitted" or "already on chain"; tx_hash and block of the submission when known
    (None when the round was found on chain and this oracle's journal has no transaction for it)."""

    status: Literal["submitted", "already on chain"]
    tx_hash: str | None
    block: int | None


def submit_key(round_id: int) -> str:
    """The journal's idempotency key of a round's submission."""
    return f"submit:round:{round_id}"


def submit_round(chain: Chain, sender: Sender, round_: Round, signatures: list[str]) -> SubmitResult:
    """Submit `round_` with `signatures` (65-byte, 0x hex) unless it is already on chain.

    Crash points: "submit:sent" after the broadcast, "submit:receipt" with the receipt in hand."""
    round_id = round_.round_id
    on_chain = round_on_chain(chain, round_id)
    if on_chain is not None:
        if on_chain.root != round_.merkle_root:
            raise ChainError(
                f"round {round_id} on chain has another root (0x{on_chain.root.hex()}, this one 0x{round_.merkle_root.hex()}): "
                "rebuild from the chain's state"
            )
        receipt = sender.known_receipt(submit_key(round_id))
        if receipt is None:
            return SubmitResult(ALREADY_ON_CHAIN, None, None)
        return SubmitResult(ALREADY_ON_CHAIN, "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["blockNumber"]))
    next_id = last_round_id(chain) + 1
    if round_id != next_id:
        raise ChainError(f"round {round_id} cannot be submitted: the next round id on chain is {next_id}")
    check_signatures(chain, round_, signatures)
    oracle = chain.contract("GenerationOracle")
    call = oracle.functions.submitRound(astuple(round_), [_signature_bytes(s) for s in signatures])
    receipt = sender.send(submit_key(round_id), call, crash_after_send="submit:sent", crash_after_receipt="submit:receipt")
    return SubmitResult(SUBMITTED, "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["blockNumber"]))


def check_signatures(chain: Chain, round_: Round, signatures: list[str]) -> list[str]:
    """The distinct current signers who signed `round_`; ConfigError listing each bad signature
    when they are fewer than the quorum (or any signature is unusable)."""
    signers, quorum = signer_set(chain)
    current = {s.lower() for s in signers}
    oracle_address = chain.manifest.entry("GenerationOracle").address
    valid: list[str] = []
    problems: list[str] = []
    for n, signature in enumerate(signatures, start=1):
        try:
            signer = recover_round_signer(round_, chain.chain_id, oracle_address, signature)
        except SigningError as exc:
            problems.append(f"signature {n}: {exc}")
            continue
        if signer.lower() not in current:
            problems.append(f"signature {n} is by {signer}, not a current signer")
        elif signer in valid:
            problems.append(f"signature {n} repeats {signer}")
        else:
            valid.append(signer)
    if problems or len(valid) < quorum:
        detail = "; ".join(problems) if problems else "no bad signature"
        raise ConfigError(
            f"round {round_.round_id} has {len(valid)} valid signature(s) of current signers, quorum is {quorum}: {detail}"
        )
    return valid


def _signature_bytes(signature: str) -> bytes:
    return bytes.fromhex(signature[2:] if signature.startswith("0x") else signature)
