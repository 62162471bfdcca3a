"""oracle.merkle: OpenZeppelin StandardMerkleTree compatibility, proofs, dumps and input errors.

Compatibility with npm @openzeppelin/merkle-tree is checked by running it (tests/oracle/merkle_vector.js)
on the same values; the on-chain MerkleProof check lives in the energy contract tests.
"""

import json
import random
import subprocess
from pathlib import Path

import pytest
from eth_abi import encode
from eth_hash.auto import keccak
from brownie.test import given
from hypothesis import settings
from hypothesis import strategies as st

from oracle.merkle import (
    MerkleTreeError,
    StandardMerkleTree,
    generation_leaf_types,
    reading_leaf_types,
    standard_leaf_hash,
    standard_node_hash,
)

VECTOR_SCRIPT = Path(__file__).with_name("merkle_vector.js")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAY_S = 86_400
INTERVAL_S = 900
START_S = 1_735_689_600  # 2025-01-01T00:00:00Z

MIXED_TYPES = ["address", "string", "bytes", "int8", "bool", "uint16[]", "bytes4"]


def generation_values(count: int, seed: int = 1) -> list[tuple]:
    rng = random.Random(seed)
    return [
        (
            rng.randrange(1, 10_000),
            START_S + DAY_S * i,
            START_S + DAY_S * (i + 1),
            rng.randrange(0, 2**64),
            rng.randbytes(32),
        )
        for i in range(count)
    ]


def reading_values(count: int, installation_id: int = 7, seed: int = 2) -> list[tuple]:
    rng = random.Random(seed)
    return [(installation_id, START_S + INTERVAL_S * i, rng.randrange(0, 5_000)) for i in range(count)]


def mixed_values() -> list[tuple]:
    return [
        ("0x" + "11" * 20, "Liceo A-12, Pozo Almonte", b"\x00\x01", -5, True, [1, 2, 65535], b"\xde\xad\xbe\xef"),
        ("0x" + "ab" * 20, "", b"", 127, False, [], b"\x00\x00\x00\x00"),
        ("0x" + "00" * 20, "ñandú", b"\xff" * 40, -128, True, [0], b"\x01\x02\x03\x04"),
    ]


def run_npm_vector(tree: StandardMerkleTree) -> dict:
    dump = tree.dump()
    request = {
        "leafEncoding": dump["leafEncoding"],
        "values": [entry["value"] for entry in dump["values"]],
        "pythonDump": dump,
    }
    result = subprocess.run(
        ["node", str(VECTOR_SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 0, f"merkle_vector.js failed: {result.stderr}"
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "values, types",
    [
        (generation_values(7), generation_leaf_types),
        (generation_values(1), generation_leaf_types),
        (reading_values(95), reading_leaf_types),
        (reading_values(96), reading_leaf_types),
        (mixed_values(), MIXED_TYPES),
    ],
    ids=["generation-7", "generation-1", "readings-95", "readings-96", "mixed-types-3"],
)
def test_root_proofs_and_dump_match_npm_merkle_tree(values, types):
    tree = StandardMerkleTree.of(values, types)
    npm = run_npm_vector(tree)
    assert npm["root"] == tree.root_hex
    assert npm["proofs"] == [tree.proof_hex(i) for i in range(len(values))]
    assert npm["verified"] is True
    assert npm["dump"] == tree.dump()
    assert npm["loadedRoot"] == tree.root_hex
    assert npm["loadedProofs"] == npm["proofs"]


def test_npm_dump_loads_into_the_same_tree():
    tree = StandardMerkleTree.of(generation_values(9), generation_leaf_types)
    loaded = StandardMerkleTree.load(run_npm_vector(tree)["dump"])
    assert loaded.root == tree.root
    assert loaded.values == tree.values
    assert [loaded.proof(i) for i in range(9)] == [tree.proof(i) for i in range(9)]


def test_leaf_hash_is_double_keccak_of_abi_encoding():
    value = generation_values(1)[0]
    expected = keccak(keccak(encode(generation_leaf_types, list(value))))
    assert standard_leaf_hash(generation_leaf_types, value) == expected
    assert StandardMerkleTree.of([value], generation_leaf_types).leaf_hash(value) == expected


@settings(deadline=None, max_examples=60)
@given(
    installation_id=st.integers(0, 2**256 - 1),
    start=st.integers(0, 2**64 - 1),
    energy_wh=st.integers(0, 2**256 - 1),
    delta=st.integers(-(2**127), 2**127 - 1),
    flag=st.booleans(),
    tag=st.binary(min_size=4, max_size=4),
    owner=st.binary(min_size=20, max_size=20),
)
def test_static_fast_encoding_equals_eth_abi(installation_id, start, energy_wh, delta, flag, tag, owner):
    types = ["uint256", "uint64", "uint256", "int128", "bool", "bytes4", "address"]
    value = (installation_id, start, energy_wh, delta, flag, tag, "0x" + owner.hex())
    expected = keccak(keccak(encode(types, list(value))))
    assert standard_leaf_hash(types, value) == expected


def test_single_leaf_tree_has_leaf_as_root_and_empty_proof():
    value = reading_values(1)[0]
    tree = StandardMerkleTree.of([value], reading_leaf_types)
    assert tree.root == standard_leaf_hash(reading_leaf_types, value)
    assert tree.proof(0) == []
    assert StandardMerkleTree.verify(tree.root, reading_leaf_types, value, [])


def test_two_leaf_root_is_sorted_pair_hash():
    values = reading_values(2)
    tree = StandardMerkleTree.of(values, reading_leaf_types)
    a, b = (standard_leaf_hash(reading_leaf_types, v) for v in values)
    assert tree.root == keccak(min(a, b) + max(a, b))
    assert standard_node_hash(a, b) == standard_node_hash(b, a) == tree.root


def test_every_proof_verifies_against_root():
    values = generation_values(13)
    tree = StandardMerkleTree.of(values, generation_leaf_types)
    for i, value in enumerate(values):
        assert StandardMerkleTree.verify(tree.root, generation_leaf_types, value, tree.proof(i))
        assert StandardMerkleTree.verify(tree.root_hex, generation_leaf_types, value, tree.proof_hex(i))


def test_proof_by_value_equals_proof_by_index():
    values = reading_values(11)
    tree = StandardMerkleTree.of(values, reading_leaf_types)
    for i, value in enumerate(values):
        assert tree.proof(value) == tree.proof(i)
        assert tree.index_of(list(value)) == i


def test_verify_rejects_changed_energy():
    values = generation_values(5)
    tree = StandardMerkleTree.of(values, generation_leaf_types)
    forged = values[2][:3] + (values[2][3] + 1,) + values[2][4:]
    assert not StandardMerkleTree.verify(tree.root, generation_leaf_types, forged, tree.proof(2))


def test_verify_rejects_proof_of_another_leaf():
    values = generation_values(5)
    tree = StandardMerkleTree.of(values, generation_leaf_types)
    assert not StandardMerkleTree.verify(tree.root, generation_leaf_types, values[1], tree.proof(3))


def test_verify_rejects_other_root():
    values = generation_values(5)
    tree = StandardMerkleTree.of(values, generation_leaf_types)
    other = StandardMerkleTree.of(generation_values(5, seed=9), generation_leaf_types)
    assert not StandardMerkleTree.verify(other.root, generation_leaf_types, values[0], tree.proof(0))


def test_verify_rejects_truncated_proof():
    values = generation_values(8)
    tree = StandardMerkleTree.of(values, generation_leaf_types)
    assert not StandardMerkleTree.verify(tree.root, generation_leaf_types, values[0], tree.proof(0)[:-1])


def test_values_given_as_json_strings_build_the_same_tree():
    values = generation_values(4)
    as_strings = [[str(v[0]), hex(v[1]), str(v[2]), str(v[3]), "0x" + v[4].hex()] for v in values]
    assert StandardMerkleTree.of(as_strings, generation_leaf_types).root == (
        StandardMerkleTree.of(values, generation_leaf_types).root
    )


def test_dump_round_trips_through_json():
    tree = StandardMerkleTree.of(mixed_values(), MIXED_TYPES)
    loaded = StandardMerkleTree.load(json.loads(json.dumps(tree.dump())))
    assert loaded.root == tree.root
    assert loaded.values == tree.values
    assert loaded.dump() == tree.dump()


def test_hundred_thousand_leaves_build_and_prove():
    values = [(i % 5_000 + 1, START_S + DAY_S * (i // 5_000), START_S + DAY_S * (i // 5_000 + 1), i, b"\x01" * 32) for i in range(100_000)]
    tree = StandardMerkleTree.of(values, generation_leaf_types)
    proof = tree.proof(values[77_777])
    assert len(proof) in (16, 17)
    assert StandardMerkleTree.verify(tree.root, generation_leaf_types, values[77_777], proof)


# --- bad input ---------------------------------------------------------------------------------


def test_empty_values_are_rejected():
    with pytest.raises(MerkleTreeError, match="without leaves"):
        StandardMerkleTree.of([], generation_leaf_types)


def test_value_with_wrong_arity_is_rejected():
    with pytest.raises(MerkleTreeError, match=r"value 1: has 2 items .* need 3"):
        StandardMerkleTree.of([(1, 2, 3), (1, 2)], reading_leaf_types)


def test_duplicate_leaves_are_rejected_with_both_positions():
    values = reading_values(4) + [reading_values(4)[1]]
    with pytest.raises(MerkleTreeError, match="duplicate leaf: value 4 equals value 1"):
        StandardMerkleTree.of(values, reading_leaf_types)


def test_proof_of_value_not_in_tree_is_rejected():
    tree = StandardMerkleTree.of(reading_values(4), reading_leaf_types)
    with pytest.raises(MerkleTreeError, match="not in the tree"):
        tree.proof((7, START_S, 123_456_789))


def test_proof_index_out_of_range_is_rejected():
    tree = StandardMerkleTree.of(reading_values(4), reading_leaf_types)
    with pytest.raises(MerkleTreeError, match="index 4 is out of range"):
        tree.proof(4)


@pytest.mark.parametrize(
    "value, message",
    [
        ((-1, START_S, 5), r"\[0\] \(uint256\): -1 is out of range"),
        ((1, 2**64, 5), r"\[1\] \(uint64\): 18446744073709551616 is out of range"),
        ((1, START_S, "12kWh"), r"'12kWh' is not an integer"),
        ((1, True, 5), r"expected an integer for uint64"),
        ((1, 2.5, 5), r"expected an integer for uint64"),
    ],
)
def test_bad_integer_values_are_rejected(value, message):
    with pytest.raises(MerkleTreeError, match=message):
        StandardMerkleTree.of([value], reading_leaf_types)


def test_bytes32_of_wrong_length_is_rejected():
    value = (1, START_S, START_S + DAY_S, 10, b"\x01" * 31)
    with pytest.raises(MerkleTreeError, match="expected exactly 32 bytes for bytes32, got 31"):
        StandardMerkleTree.of([value], generation_leaf_types)


def test_unsupported_leaf_type_is_rejected():
    with pytest.raises(MerkleTreeError, match="'uint7' is not a valid Solidity integer type"):
        StandardMerkleTree.of([(1,)], ["uint7"])
    with pytest.raises(MerkleTreeError, match="'fixed128x18' is not supported"):
        StandardMerkleTree.of([(1,)], ["fixed128x18"])


def test_load_rejects_unknown_format():
    dump = StandardMerkleTree.of(reading_values(3), reading_leaf_types).dump()
    dump["format"] = "simple-v1"
    with pytest.raises(MerkleTreeError, match="unknown Merkle tree dump format 'simple-v1'"):
        StandardMerkleTree.load(dump)


def test_load_rejects_tampered_internal_node():
    dump = StandardMerkleTree.of(reading_values(5), reading_leaf_types).dump()
    dump["tree"][1] = "0x" + "00" * 32
    with pytest.raises(MerkleTreeError, match="node 1 is not the hash of its children"):
        StandardMerkleTree.load(dump)


def test_load_rejects_value_not_matching_its_leaf():
    dump = StandardMerkleTree.of(reading_values(5), reading_leaf_types).dump()
    dump["values"][2]["value"][2] = "999999"
    with pytest.raises(MerkleTreeError, match=r"dump values\[2\] does not hash to the node"):
        StandardMerkleTree.load(dump)


def test_load_rejects_duplicate_values():
    values = reading_values(3)
    dump = StandardMerkleTree.of(values, reading_leaf_types).dump()
    # a well-formed tree holding the same value twice, as the npm package would build it
    leaf = standard_leaf_hash(reading_leaf_types, values[0])
    dump["tree"] = ["0x" + standard_node_hash(leaf, leaf).hex(), "0x" + leaf.hex(), "0x" + leaf.hex()]
    dump["values"] = [{"value": dump["values"][0]["value"], "treeIndex": 1},
                      {"value": dump["values"][0]["value"], "treeIndex": 2}]
    with pytest.raises(MerkleTreeError, match="duplicate leaf"):
        StandardMerkleTree.load(dump)
