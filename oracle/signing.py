"""EIP-712 oracle rounds: the typed ``Round`` that GenerationOracle verifies, signing and recovery.

A round commits to the Merkle root of one period's generation leaves (see ``oracle.merkle``):

    Round(uint64 roundId,uint64 periodStart,uint64 periodEnd,bytes32 merkleRoot,uint32 leafCount,
          uint256 totalEnergyWh,bytes32 dataUriHash)

signed under the domain {name "PV Ledger Generation Oracle", version "1", chainId,
verifyingContract = the GenerationOracle}. Times are unix seconds UTC, energy in Wh; ``dataUriHash``
is keccak256 of the UTF-8 URI where the leaves are published, or 32 zero bytes.

- :func:`sign_round` signs with eth-account (``Account.sign_typed_data``); the 65-byte r||s||v
  signature (v = 27/28) is what OpenZeppelin's ``ECDSA.recover(_hashTypedDataV4(structHash), sig)``
  accepts.
- :func:`round_typed_data` is the full ``eth_signTypedData_v4`` JSON (with ``EIP712Domain``) for a
  wallet or any other tool to co-sign; integers in the message are decimal strings, so uint64 and
  uint256 values survive JavaScript's number precision.
- :func:`round_type_hash`, :func:`round_struct_hash`, :func:`domain_separator` and
  :func:`round_digest` compute what the contract computes, to compare with its views.

The dataclass checks only that each field fits its Solidity type; protocol rules (round ids
strictly increasing from 1, periodStart < periodEnd <= block time) are the contract's to enforce, so
tests can still build a bad round and watch the contract reject it.

Private keys are only ever passed to eth-account; they are never printed, logged or put in an error
message.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
import json
from typing import Any, Callable, Protocol

from eth_abi import encode
from eth_account import Account
from eth_account.messages import SignableMessage, _hash_eip191_message, encode_typed_data
from eth_utils import is_address, to_checksum_address

from oracle.merkle import StandardMerkleTree, generation_leaf_types, keccak256

__all__ = [
    "ORACLE_DOMAIN_NAME",
    "ORACLE_DOMAIN_VERSION",
    "ROUND_TYPE_STRING",
    "ZERO_BYTES32",
    "Round",
    "SigningError",
    "data_uri_hash",
    "domain_separator",
    "recover_round_signer",
    "round_as_tuple",
    "round_digest",
    "round_from_generation_tree",
    "round_struct_hash",
    "round_type_hash",
    "round_typed_data",
    "sign_round",
]

ORACLE_DOMAIN_NAME = "PV Ledger Generation Oracle"
ORACLE_DOMAIN_VERSION = "1"
ZERO_BYTES32 = b"\0" * 32

ROUND_FIELDS: list[tuple[str, str]] = [
    ("roundId", "uint64"),
    ("periodStart", "uint64"),
    ("periodEnd", "uint64"),
    ("merkleRoot", "bytes32"),
    ("leafCount", "uint32"),
    ("totalEnergyWh", "uint256"),
    ("dataUriHash", "bytes32"),
]
ROUND_TYPE_STRING = "Round(" + ",".join(f"{type_} {name}" for name, type_ in ROUND_FIELDS) + ")"

EIP712_DOMAIN_FIELDS: list[tuple[str, str]] = [
    ("name", "string"),
    ("version", "string"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
]
EIP712_DOMAIN_TYPE_STRING = (
    "EIP712Domain(" + ",".join(f"{type_} {name}" for name, type_ in EIP712_DOMAIN_FIELDS) + ")"
)


class SigningError(ValueError):
    """A round, address, key or signature that cannot be used; the message says which (never the key)."""


class HasAddress(Protocol):
    address: str


AddressLike = str | HasAddress

_BITS = {"uint64": 64, "uint32": 32, "uint256": 256}


@dataclass(frozen=True)
class Round:
    """One oracle round (field order = the Solidity struct and the EIP-712 type).

    round_id: round number; period_start/period_end: unix seconds UTC; merkle_root: root of the
    generation leaves (32 bytes); leaf_count: number of leaves; total_energy_wh: sum of their Wh;
    data_uri_hash: keccak256 of the data URI, or 32 zero bytes. bytes fields accept 0x hex strings.
    """

    round_id: int
    period_start: int
    period_end: int
    merkle_root: bytes
    leaf_count: int
    total_energy_wh: int
    data_uri_hash: bytes = ZERO_BYTES32

    def __post_init__(self) -> None:
        for (solidity_name, type_), field_name in zip(ROUND_FIELDS, _FIELD_NAMES):
            value = getattr(self, field_name)
            if type_ == "bytes32":
                object.__setattr__(self, field_name, _bytes32(value, field_name))
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise SigningError(
                    f"Round.{field_name} must be an integer ({type_}), got {value!r}"
                )
            if not 0 <= value < 2 ** _BITS[type_]:
                raise SigningError(
                    f"Round.{field_name} = {value} does not fit {type_} ({solidity_name})"
                )
            object.__setattr__(self, field_name, int(value))


_FIELD_NAMES = [field.name for field in fields(Round)]


def _bytes32(value: Any, field_name: str) -> bytes:
    if isinstance(value, str):
        text = value[2:] if value.startswith("0x") else value
        try:
            value = bytes.fromhex(text)
        except ValueError:
            raise SigningError(f"Round.{field_name} is not hex: {value!r}") from None
    if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
        raise SigningError(f"Round.{field_name} must be 32 bytes, got {value!r}")
    return bytes(value)


def _address(oracle_address: AddressLike) -> str:
    address = getattr(oracle_address, "address", oracle_address)
    if not isinstance(address, str) or not is_address(address):
        raise SigningError(f"verifying contract {address!r} is not a valid address")
    return to_checksum_address(address)


def _chain_id(chain_id: int) -> int:
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id <= 0:
        raise SigningError(f"chain id must be a positive integer, got {chain_id!r}")
    return int(chain_id)


def data_uri_hash(data_uri: str | None) -> bytes:
    """keccak256 of the UTF-8 data URI, or 32 zero bytes when there is none."""
    return keccak256(data_uri.encode("utf-8")) if data_uri else ZERO_BYTES32


def round_from_generation_tree(
    round_id: int,
    period_start: int,
    period_end: int,
    tree: StandardMerkleTree,
    data_uri: str | None = None,
) -> Round:
    """The round committing to a tree of generation leaves: root, leaf count and total Wh from it."""
    if tree.types != generation_leaf_types:
        raise SigningError(
            f"expected a tree of generation leaves {generation_leaf_types}, got {tree.types}"
        )
    return Round(
        round_id=round_id,
        period_start=period_start,
        period_end=period_end,
        merkle_root=tree.root,
        leaf_count=len(tree),
        total_energy_wh=sum(value[3] for value in tree.values),
        data_uri_hash=data_uri_hash(data_uri),
    )


def round_as_tuple(round_: Round) -> tuple[Any, ...]:
    """The struct argument brownie passes to ``submitRound`` (bytes32 fields as 0x hex)."""
    return tuple("0x" + item.hex() if isinstance(item, bytes) else item for item in astuple(round_))


def _domain_data(chain_id: int, oracle_address: AddressLike) -> dict[str, Any]:
    return {
        "name": ORACLE_DOMAIN_NAME,
        "version": ORACLE_DOMAIN_VERSION,
        "chainId": _chain_id(chain_id),
        "verifyingContract": _address(oracle_address),
    }


def _message(round_: Round) -> dict[str, Any]:
    return {name: getattr(round_, field) for (name, _), field in zip(ROUND_FIELDS, _FIELD_NAMES)}


def _types() -> dict[str, list[dict[str, str]]]:
    return {"Round": [{"name": name, "type": type_} for name, type_ in ROUND_FIELDS]}


def round_typed_data(round_: Round, chain_id: int, oracle_address: AddressLike) -> dict[str, Any]:
    """The full ``eth_signTypedData_v4`` JSON object (json.dumps-able) for ``round_``."""
    message = {
        name: "0x" + value.hex() if isinstance(value, bytes) else str(value)
        for name, value in _message(round_).items()
    }
    return {
        "types": {
            "EIP712Domain": [{"name": name, "type": type_} for name, type_ in EIP712_DOMAIN_FIELDS],
            **_types(),
        },
        "primaryType": "Round",
        "domain": _domain_data(chain_id, oracle_address),
        "message": message,
    }


def _signable(round_: Round, chain_id: int, oracle_address: AddressLike) -> SignableMessage:
    return encode_typed_data(
        domain_data=_domain_data(chain_id, oracle_address),
        message_types=_types(),
        message_data=_message(round_),
    )


def sign_round(
    round_: Round, chain_id: int, oracle_address: AddressLike, private_key: str | bytes
) -> bytes:
    """65-byte signature (r || s || v, v = 27 or 28) of ``round_`` for this chain and oracle."""
    domain = _domain_data(chain_id, oracle_address)
    try:
        signed = Account.sign_typed_data(private_key, domain, _types(), _message(round_))
    except Exception:  # eth-account's errors may quote the key: replace them, without chaining
        raise SigningError("private key is not a valid secp256k1 key (value not shown)") from None
    return bytes(signed.signature)


def recover_round_signer(
    round_: Round, chain_id: int, oracle_address: AddressLike, signature: bytes | str
) -> str:
    """Checksummed address that signed ``round_`` for this chain and oracle."""
    raw = signature
    if isinstance(signature, str):
        try:
            raw = bytes.fromhex(signature[2:] if signature.startswith("0x") else signature)
        except ValueError:
            raise SigningError(f"signature is not hex: {signature!r}") from None
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != 65:
        raise SigningError(f"signature must be 65 bytes (r || s || v), got {signature!r}")
    try:
        return Account.recover_message(_signable(round_, chain_id, oracle_address), signature=bytes(raw))
    except Exception as error:
        raise SigningError(f"signature cannot be recovered: {error}") from None


def round_type_hash() -> bytes:
    """keccak256 of the Round type string (the contract's ROUND_TYPEHASH)."""
    return keccak256(ROUND_TYPE_STRING.encode())


def round_struct_hash(round_: Round) -> bytes:
    """keccak256(abi.encode(ROUND_TYPEHASH, fields...)), the struct hash the contract signs over."""
    types = ["bytes32"] + [type_ for _, type_ in ROUND_FIELDS]
    return keccak256(encode(types, [round_type_hash(), *astuple(round_)]))


def domain_separator(chain_id: int, oracle_address: AddressLike) -> bytes:
    """The EIP-712 domain separator of the oracle at ``oracle_address`` on ``chain_id``."""
    return keccak256(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak256(EIP712_DOMAIN_TYPE_STRING.encode()),
                keccak256(ORACLE_DOMAIN_NAME.encode()),
                keccak256(ORACLE_DOMAIN_VERSION.encode()),
                _chain_id(chain_id),
                _address(oracle_address),
            ],
        )
    )


def round_digest(round_: Round, chain_id: int, oracle_address: AddressLike) -> bytes:
    """keccak256(0x1901 || domainSeparator || structHash): the hash each signature signs."""
    return keccak256(b"\x19\x01" + domain_separator(chain_id, oracle_address) + round_struct_hash(round_))


def typed_data_digest(full_message: dict[str, Any]) -> bytes:
    """Digest of any ``eth_signTypedData_v4`` JSON, computed by eth-account (for cross-checks)."""
    return bytes(_hash_eip191_message(encode_typed_data(full_message=full_message)))


class NodeSigningError(Exception):
    """A node refused to sign a round (the account is not unlocked there, or it lacks the method)."""


def node_sign_round(
    make_request: Callable[[str, list[Any]], dict[str, Any]],
    signer_address: str,
    round_: Round,
    chain_id: int,
    oracle_address: AddressLike,
) -> str:
    """Have a node sign `round_` as `signer_address` with ``eth_signTypedData_v4``.

    For co-signers whose key lives in a node or wallet, not in Python. The typed data is
    :func:`round_typed_data`; it is sent as a JSON string (anvil, geth, MetaMask) and, if the node
    refuses that, as an object (ganache 7). `make_request` is e.g. ``web3.provider.make_request``.
    Returns the 65-byte signature as 0x-hex.
    """
    typed = round_typed_data(round_, chain_id, oracle_address)
    errors = []
    for payload in (json.dumps(typed), typed):
        response = make_request("eth_signTypedData_v4", [signer_address, payload])
        if "error" not in response:
            return str(response["result"])
        errors.append(response["error"].get("message", response["error"]) if isinstance(response["error"], dict) else response["error"])
    raise NodeSigningError(f"the node cannot sign for {signer_address}: {errors[-1]}")
