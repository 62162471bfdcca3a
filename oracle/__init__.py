"""PV Ledger oracle tooling: the off-chain half of certified generation.

- ``oracle.merkle``: OpenZeppelin StandardMerkleTree-compatible trees (generation leaves, one per
  installation per period, and reading leaves, one per 15-minute interval), proofs and the
  ``standard-v1`` JSON dump of npm ``@openzeppelin/merkle-tree``.
- ``oracle.signing``: the EIP-712 ``Round`` that GenerationOracle verifies, as eth-account typed
  data and as ``eth_signTypedData_v4`` JSON; signing, recovery and the hashes the contract computes.

Conventions: energy in Wh (``energy_wh``), times in unix seconds UTC, intervals named by their start.
"""
