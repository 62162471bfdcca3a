// Reference vector from npm @openzeppelin/merkle-tree for tests/oracle/test_merkle.py.
// stdin: {"leafEncoding": [...], "values": [[...], ...], "pythonDump": {...}}
// stdout: {"root", "proofs" (one per value, by index), "dump", "loadedRoot", "loadedProofs"}
// where "loaded*" come from StandardMerkleTree.load(pythonDump), proving the npm package accepts
// the Python dump and derives the same proofs from it.
"use strict";
const { StandardMerkleTree } = require("@openzeppelin/merkle-tree");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { leafEncoding, values, pythonDump } = JSON.parse(input);
  const tree = StandardMerkleTree.of(values, leafEncoding);
  const loaded = StandardMerkleTree.load(pythonDump);
  const proofs = values.map((_, i) => tree.getProof(i));
  const verified = values.every((value, i) => StandardMerkleTree.verify(tree.root, leafEncoding, value, proofs[i]));
  process.stdout.write(
    JSON.stringify({
      root: tree.root,
      proofs,
      verified,
      dump: tree.dump(),
      loadedRoot: loaded.root,
      loadedProofs: values.map((_, i) => loaded.getProof(i)),
    }),
  );
});
