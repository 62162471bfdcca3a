"""oracle.signing: EIP-712 Round signatures, recovery, the v4 JSON and the hashes the contract uses.

The on-chain check (GenerationOracle accepting these signatures) is in the energy contract tests.
"""

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest
from eth_account import Account
from eth_account._utils.encode_typed_data.encoding_and_hashing import hash_domain, hash_struct

from oracle import signing
from oracle.merkle import StandardMerkleTree, generation_leaf_types
from oracle.signing import (
    ROUND_TYPE_STRING,
    ZERO_BYTES32,
    Round,
    SigningError,
    data_uri_hash,
    domain_separator,
    recover_round_signer,
    round_as_tuple,
    round_digest,
    round_from_generation_tree,
    round_struct_hash,
    round_type_hash,
    round_typed_data,
    sign_round,
    typed_data_digest,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHAIN_ID = 31337
ORACLE = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
OTHER_ORACLE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
# deterministic test keys (anvil's well-known accounts 1 and 2): no secret here
SIGNER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
OTHER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
SIGNER = Account.from_key(SIGNER_KEY).address


@pytest.fixture
def round_():
    return Round(
        round_id=3,
        period_start=1_735_689_600,
        period_end=1_735_776_000,
        merkle_root=bytes(range(32)),
        leaf_count=250,
        total_energy_wh=2**70 + 12_345,
        data_uri_hash=data_uri_hash("ipfs://bafy-example/leaves.json"),
    )


def test_signature_recovers_to_signer(round_):
    signature = sign_round(round_, CHAIN_ID, ORACLE, SIGNER_KEY)
    assert len(signature) == 65
    assert signature[64] in (27, 28)
    assert recover_round_signer(round_, CHAIN_ID, ORACLE, signature) == SIGNER


def test_signature_of_other_key_recovers_to_other_address(round_):
    signature = sign_round(round_, CHAIN_ID, ORACLE, OTHER_KEY)
    assert recover_round_signer(round_, CHAIN_ID, ORACLE, signature) == Account.from_key(OTHER_KEY).address


def test_signature_recovers_from_hex_and_bytes_key(round_):
    signature = sign_round(round_, CHAIN_ID, ORACLE, bytes.fromhex(SIGNER_KEY[2:]))
    assert recover_round_signer(round_, CHAIN_ID, ORACLE, "0x" + signature.hex()) == SIGNER


CHANGES = {
    "round_id": 4,
    "period_start": 1_735_689_601,
    "period_end": 1_735_775_999,
    "merkle_root": bytes(32),
    "leaf_count": 251,
    "total_energy_wh": 2**70 + 12_346,
    "data_uri_hash": ZERO_BYTES32,
}


@pytest.mark.parametrize("field_name", list(CHANGES))
def test_changing_any_field_changes_the_recovered_signer(round_, field_name):
    signature = sign_round(round_, CHAIN_ID, ORACLE, SIGNER_KEY)
    changed = dataclasses.replace(round_, **{field_name: CHANGES[field_name]})
    assert recover_round_signer(changed, CHAIN_ID, ORACLE, signature) != SIGNER


def test_other_chain_id_changes_the_recovered_signer(round_):
    signature = sign_round(round_, CHAIN_ID, ORACLE, SIGNER_KEY)
    assert recover_round_signer(round_, 11155111, ORACLE, signature) != SIGNER


def test_other_verifying_contract_changes_the_recovered_signer(round_):
    signature = sign_round(round_, CHAIN_ID, ORACLE, SIGNER_KEY)
    assert recover_round_signer(round_, CHAIN_ID, OTHER_ORACLE, signature) != SIGNER


def test_typed_data_json_round_trips_to_the_same_digest(round_):
    typed = json.loads(json.dumps(round_typed_data(round_, CHAIN_ID, ORACLE)))
    assert typed_data_digest(typed) == round_digest(round_, CHAIN_ID, ORACLE)


def test_typed_data_json_signed_by_a_wallet_recovers_to_signer(round_):
    typed = json.loads(json.dumps(round_typed_data(round_, CHAIN_ID, ORACLE)))
    wallet_signature = Account.sign_typed_data(SIGNER_KEY, full_message=typed).signature
    assert recover_round_signer(round_, CHAIN_ID, ORACLE, bytes(wallet_signature)) == SIGNER


def test_typed_data_json_is_eth_sign_typed_data_v4_shaped(round_):
    typed = round_typed_data(round_, CHAIN_ID, ORACLE)
    assert typed["primaryType"] == "Round"
    assert [f["name"] for f in typed["types"]["EIP712Domain"]] == ["name", "version", "chainId", "verifyingContract"]
    fields = ",".join(f"{f['type']} {f['name']}" for f in typed["types"]["Round"])
    assert f"Round({fields})" == ROUND_TYPE_STRING
    assert typed["domain"] == {
        "name": "PV Ledger Generation Oracle",
        "version": "1",
        "chainId": CHAIN_ID,
        "verifyingContract": ORACLE,
    }
    # integers as decimal strings: uint256 values beyond 2**53 survive JavaScript
    assert typed["message"]["totalEnergyWh"] == str(2**70 + 12_345)
    assert typed["message"]["merkleRoot"] == "0x" + bytes(range(32)).hex()


def test_type_string_is_the_agreed_one():
    assert ROUND_TYPE_STRING == (
        "Round(uint64 roundId,uint64 periodStart,uint64 periodEnd,bytes32 merkleRoot,uint32 leafCount,"
        "uint256 totalEnergyWh,bytes32 dataUriHash)"
    )


def test_struct_hash_and_domain_separator_equal_eth_account(round_):
    typed = round_typed_data(round_, CHAIN_ID, ORACLE)
    assert round_struct_hash(round_) == hash_struct("Round", typed["types"], typed["message"])
    assert domain_separator(CHAIN_ID, ORACLE) == hash_domain(typed["domain"])


def test_round_type_hash_is_keccak_of_type_string():
    from eth_hash.auto import keccak

    assert round_type_hash() == keccak(ROUND_TYPE_STRING.encode())


def test_digest_equals_eip712_composition(round_):
    from eth_hash.auto import keccak

    expected = keccak(b"\x19\x01" + domain_separator(CHAIN_ID, ORACLE) + round_struct_hash(round_))
    assert round_digest(round_, CHAIN_ID, ORACLE) == expected


def test_round_as_tuple_follows_struct_order(round_):
    assert round_as_tuple(round_) == (
        3,
        1_735_689_600,
        1_735_776_000,
        "0x" + bytes(range(32)).hex(),
        250,
        2**70 + 12_345,
        "0x" + round_.data_uri_hash.hex(),
    )


def test_round_from_generation_tree_commits_to_root_count_and_total():
    leaves = [(i, 100, 200, 1_000 * i, bytes(32)) for i in range(1, 6)]
    tree = StandardMerkleTree.of(leaves, generation_leaf_types)
    built = round_from_generation_tree(1, 100, 200, tree, data_uri="https://example.org/r1.json")
    assert built.merkle_root == tree.root
    assert built.leaf_count == 5
    assert built.total_energy_wh == 15_000
    assert built.data_uri_hash == data_uri_hash("https://example.org/r1.json") != ZERO_BYTES32


def test_data_uri_hash_of_nothing_is_zero():
    assert data_uri_hash(None) == ZERO_BYTES32
    assert data_uri_hash("") == ZERO_BYTES32


def test_round_accepts_hex_bytes32():
    assert Round(1, 1, 2, "0x" + "ab" * 32, 1, 1).merkle_root == b"\xab" * 32


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"round_id": 2**64}, r"round_id = 18446744073709551616 does not fit uint64"),
        ({"leaf_count": 2**32}, r"leaf_count = 4294967296 does not fit uint32"),
        ({"total_energy_wh": -1}, r"total_energy_wh = -1 does not fit uint256"),
        ({"period_end": "2"}, r"period_end must be an integer"),
        ({"merkle_root": b"\x01" * 31}, r"merkle_root must be 32 bytes"),
        ({"data_uri_hash": "0xzz"}, r"data_uri_hash is not hex"),
    ],
)
def test_round_rejects_fields_that_do_not_fit_their_type(kwargs, message):
    base = {"round_id": 1, "period_start": 1, "period_end": 2, "merkle_root": bytes(32), "leaf_count": 1, "total_energy_wh": 1}
    with pytest.raises(SigningError, match=message):
        Round(**{**base, **kwargs})


def test_bad_private_key_error_does_not_reveal_the_key(round_):
    bad_key = "0x" + "f" * 64  # above the curve order
    with pytest.raises(SigningError) as raised:
        sign_round(round_, CHAIN_ID, ORACLE, bad_key)
    assert "f" * 16 not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_bad_verifying_contract_is_rejected(round_):
    with pytest.raises(SigningError, match="is not a valid address"):
        sign_round(round_, CHAIN_ID, "0x1234", SIGNER_KEY)


def test_bad_chain_id_is_rejected(round_):
    with pytest.raises(SigningError, match="chain id must be a positive integer"):
        round_digest(round_, 0, ORACLE)


def test_signature_of_wrong_length_is_rejected(round_):
    with pytest.raises(SigningError, match="signature must be 65 bytes"):
        recover_round_signer(round_, CHAIN_ID, ORACLE, b"\x01" * 64)


def test_ethers_verify_typed_data_recovers_signer(round_):
    if not (PROJECT_ROOT / "node_modules" / "ethers").is_dir():
        pytest.skip("ethers is not in node_modules (not a project dependency); eth-account checks stand")
    typed = round_typed_data(round_, CHAIN_ID, ORACLE)
    signature = "0x" + sign_round(round_, CHAIN_ID, ORACLE, SIGNER_KEY).hex()
    script = (
        "const {verifyTypedData}=require('ethers');const t=JSON.parse(process.argv[1]);"
        "const {EIP712Domain,...types}=t.types;"
        "process.stdout.write(verifyTypedData(t.domain,types,t.message,process.argv[2]));"
    )
    result = subprocess.run(
        ["node", "-e", script, json.dumps(typed), signature],
        capture_output=True, text=True, cwd=PROJECT_ROOT, check=True,
    )
    assert result.stdout == SIGNER


def _fake_node(accepts: type, key: str):
    """A node answering eth_signTypedData_v4 only when the typed data comes as `accepts` (str like
    anvil, dict like ganache 7), signing with `key`."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    calls = []

    def make_request(method, params):
        calls.append((method, type(params[1])))
        if not isinstance(params[1], accepts):
            return {"error": {"code": -32700, "message": "cannot sign data"}}
        full = json.loads(params[1]) if isinstance(params[1], str) else params[1]
        signed = Account.sign_message(encode_typed_data(full_message=full), key)
        return {"result": "0x" + signed.signature.hex().removeprefix("0x")}

    return make_request, calls


@pytest.mark.parametrize("accepts", [str, dict])
def test_node_sign_round_works_with_string_and_object_nodes(accepts):
    key = "0x" + "42" * 32
    signer = Account.from_key(key).address
    make_request, calls = _fake_node(accepts, key)
    round_ = signing.Round(1, 1_700_000_000, 1_700_086_400, b"\x11" * 32, 3, 1_000, b"\x00" * 32)
    oracle = "0x" + "ab" * 20
    signature = signing.node_sign_round(make_request, signer, round_, 31337, oracle)
    assert signing.recover_round_signer(round_, 31337, oracle, bytes.fromhex(signature[2:])) == signer
    assert calls[-1][1] is accepts
    assert all(method == "eth_signTypedData_v4" for method, _ in calls)


def test_node_that_refuses_both_forms_is_a_clear_error():
    make_request, _ = _fake_node(bytes, "0x" + "42" * 32)
    round_ = signing.Round(1, 1_700_000_000, 1_700_086_400, b"\x11" * 32, 3, 1_000, b"\x00" * 32)
    with pytest.raises(signing.NodeSigningError, match="cannot sign for 0xabc"):
        signing.node_sign_round(make_request, "0xabc", round_, 31337, "0x" + "ab" * 20)
