// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IGenerationOracle} from "../interfaces/IGenerationOracle.sol";

/// @title GenerationOracle
/// @notice k-of-n signed rounds of verified generation (Merkle roots of per-installation periods).
/// @dev DEFAULT_ADMIN_ROLE manages the signer set, the quorum and the pause. The signer set is
///      small and admin-managed; a submission may carry at most one signature per signer, so the
///      duplicate check (quadratic in the number of signatures) is bounded by the signer count.
contract GenerationOracle is AccessControl, Pausable, EIP712, IGenerationOracle {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @inheritdoc IGenerationOracle
    bytes32 public constant ROUND_TYPEHASH = keccak256(
        "Round(uint64 roundId,uint64 periodStart,uint64 periodEnd,bytes32 merkleRoot,uint32 leafCount,uint256 totalEnergyWh,bytes32 dataUriHash)"
    );

    /// @inheritdoc IGenerationOracle
    uint64 public constant MAX_ROUND_ID = type(uint32).max;

    EnumerableSet.AddressSet private _signers;
    uint256 private _quorum;
    uint64 private _lastRoundId;
    mapping(uint256 roundId => RoundRecord) private _rounds;

    /// @param admin Receives DEFAULT_ADMIN_ROLE.
    /// @param initialSigners The first signers (at least `initialQuorum` of them).
    /// @param initialQuorum Signatures a round needs, between 1 and the number of signers.
    constructor(address admin, address[] memory initialSigners, uint256 initialQuorum)
        EIP712("PV Ledger Generation Oracle", "1")
    {
        if (admin == address(0)) revert GenerationOracleZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        for (uint256 i = 0; i < initialSigners.length; ++i) {
            _addSigner(initialSigners[i]);
        }
        _setQuorum(initialQuorum);
    }

    /// @inheritdoc IGenerationOracle
    function submitRound(Round calldata round, bytes[] calldata signatures) external whenNotPaused {
        // lastRoundId <= MAX_ROUND_ID = 2^32 - 1, so the next id fits 64 bits
        uint64 nextRound = _lastRoundId + 1;
        if (round.roundId != nextRound) revert GenerationOracleRoundNotNext(round.roundId, nextRound);
        if (round.roundId > MAX_ROUND_ID) revert GenerationOracleRoundIdTooLarge(round.roundId, MAX_ROUND_ID);
        if (round.periodStart >= round.periodEnd) revert GenerationOracleEmptyPeriod(round.periodStart, round.periodEnd);
        if (round.periodEnd > block.timestamp) revert GenerationOraclePeriodInFuture(round.periodEnd, block.timestamp);
        if (round.merkleRoot == bytes32(0) || round.leafCount == 0) {
            revert GenerationOracleEmptyRound(round.merkleRoot, round.leafCount);
        }
        _checkSignatures(_roundDigest(round), signatures);

        _lastRoundId = round.roundId;
        _rounds[round.roundId] = RoundRecord({
            merkleRoot: round.merkleRoot,
            periodStart: round.periodStart,
            periodEnd: round.periodEnd,
            leafCount: round.leafCount,
            submittedAt: uint64(block.timestamp),
            revoked: false,
            totalEnergyWh: round.totalEnergyWh,
            dataUriHash: round.dataUriHash
        });
        emit RoundSubmitted(
            round.roundId,
            round.merkleRoot,
            round.periodStart,
            round.periodEnd,
            round.leafCount,
            round.totalEnergyWh,
            round.dataUriHash,
            msg.sender
        );
    }

    /// @inheritdoc IGenerationOracle
    function revokeRound(uint256 roundId, string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        RoundRecord storage record = _rounds[roundId];
        if (record.merkleRoot == bytes32(0)) revert GenerationOracleUnknownRound(roundId);
        if (record.revoked) revert GenerationOracleRoundAlreadyRevoked(roundId);
        record.revoked = true;
        // roundId <= MAX_ROUND_ID: it has a submitted root
        emit RoundRevoked(uint64(roundId), reason, msg.sender);
    }

    /// @inheritdoc IGenerationOracle
    function addSigner(address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _addSigner(signer);
    }

    /// @inheritdoc IGenerationOracle
    function removeSigner(address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_signers.contains(signer)) revert GenerationOracleNotSigner(signer);
        uint256 remaining = _signers.length() - 1;
        if (remaining < _quorum) revert GenerationOracleInvalidQuorum(_quorum, remaining);
        _signers.remove(signer);
        emit SignerRemoved(signer);
    }

    /// @inheritdoc IGenerationOracle
    function setQuorum(uint256 newQuorum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setQuorum(newQuorum);
    }

    /// @inheritdoc IGenerationOracle
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IGenerationOracle
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IGenerationOracle
    function rounds(uint256 roundId) external view returns (RoundRecord memory) {
        return _rounds[roundId];
    }

    /// @inheritdoc IGenerationOracle
    function roundRoot(uint256 roundId) external view returns (bytes32) {
        return _rounds[roundId].merkleRoot;
    }

    /// @inheritdoc IGenerationOracle
    function roundForIssuance(uint256 roundId)
        external
        view
        returns (bytes32 merkleRoot, uint64 periodStart, uint64 periodEnd, uint32 leafCount, uint256 totalEnergyWh, bool revoked)
    {
        RoundRecord storage record = _rounds[roundId];
        return (
            record.merkleRoot, record.periodStart, record.periodEnd, record.leafCount, record.totalEnergyWh, record.revoked
        );
    }

    /// @inheritdoc IGenerationOracle
    function lastRoundId() external view returns (uint64) {
        return _lastRoundId;
    }

    /// @inheritdoc IGenerationOracle
    function quorum() external view returns (uint256) {
        return _quorum;
    }

    /// @inheritdoc IGenerationOracle
    function signerCount() external view returns (uint256) {
        return _signers.length();
    }

    /// @inheritdoc IGenerationOracle
    function isSigner(address account) external view returns (bool) {
        return _signers.contains(account);
    }

    /// @inheritdoc IGenerationOracle
    function signers() external view returns (address[] memory) {
        return _signers.values();
    }

    /// @inheritdoc IGenerationOracle
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IGenerationOracle
    function roundDigest(Round calldata round) external view returns (bytes32) {
        return _roundDigest(round);
    }

    function _roundDigest(Round calldata round) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ROUND_TYPEHASH,
                    round.roundId,
                    round.periodStart,
                    round.periodEnd,
                    round.merkleRoot,
                    round.leafCount,
                    round.totalEnergyWh,
                    round.dataUriHash
                )
            )
        );
    }

    /// @dev Every signature must come from a distinct signer; at least `_quorum` of them. The number
    ///      of signatures is capped by the signer count, which bounds the duplicate-check loops.
    function _checkSignatures(bytes32 digest, bytes[] calldata signatures) private view {
        uint256 count = signatures.length;
        uint256 required = _quorum;
        if (count < required) revert GenerationOracleTooFewSignatures(count, required);
        uint256 available = _signers.length();
        if (count > available) revert GenerationOracleTooManySignatures(count, available);
        address[] memory seen = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (!_signers.contains(signer)) revert GenerationOracleUnknownSigner(signer);
            for (uint256 j = 0; j < i; ++j) {
                if (seen[j] == signer) revert GenerationOracleDuplicateSigner(signer);
            }
            seen[i] = signer;
        }
    }

    function _addSigner(address signer) private {
        if (signer == address(0)) revert GenerationOracleZeroSigner();
        if (!_signers.add(signer)) revert GenerationOracleAlreadySigner(signer);
        emit SignerAdded(signer);
    }

    function _setQuorum(uint256 newQuorum) private {
        uint256 count = _signers.length();
        if (newQuorum == 0 || newQuorum > count) revert GenerationOracleInvalidQuorum(newQuorum, count);
        uint256 previous = _quorum;
        _quorum = newQuorum;
        emit QuorumChanged(previous, newQuorum);
    }
}
