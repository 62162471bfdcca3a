// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGenerationOracle
/// @notice Anchors rounds of verified generation: each round is a Merkle root of per-installation
///         period leaves, signed as EIP-712 typed data by at least `quorum` distinct signers of the
///         signer set (e.g. the operator's oracle and an independent irradiance-station verifier).
/// @dev EIP-712 domain: name "PV Ledger Generation Oracle", version "1", the chain id and this
///      contract's address, so a round signed for another chain or another oracle contract recovers
///      to a different address and is rejected as an unknown signer. Submission gas does not depend
///      on the number of leaves: only the root is stored.
interface IGenerationOracle {
    /// @notice The signed round, in the field order of ROUND_TYPEHASH. Times in unix seconds (UTC).
    struct Round {
        uint64 roundId;
        uint64 periodStart;
        uint64 periodEnd;
        bytes32 merkleRoot;
        uint32 leafCount;
        uint256 totalEnergyWh;
        bytes32 dataUriHash;
    }

    /// @notice A submitted round as stored: merkleRoot in slot 0; periodStart, periodEnd, leafCount,
    ///         submittedAt and revoked share slot 1 (29 bytes), so issuance reads the period and the
    ///         revocation at once; totalEnergyWh and dataUriHash take a slot each.
    struct RoundRecord {
        bytes32 merkleRoot;
        uint64 periodStart;
        uint64 periodEnd;
        uint32 leafCount;
        uint64 submittedAt;
        bool revoked;
        uint256 totalEnergyWh;
        bytes32 dataUriHash;
    }

    /// @notice Emitted when round `roundId` is accepted.
    event RoundSubmitted(
        uint64 indexed roundId,
        bytes32 indexed merkleRoot,
        uint64 periodStart,
        uint64 periodEnd,
        uint32 leafCount,
        uint256 totalEnergyWh,
        bytes32 dataUriHash,
        address submitter
    );
    /// @notice Emitted when the admin revokes round `roundId`: its leaves not yet issued can no
    ///         longer be issued (certificates already issued stay).
    event RoundRevoked(uint64 indexed roundId, string reason, address revokedBy);
    /// @notice Emitted when `signer` joins the signer set.
    event SignerAdded(address indexed signer);
    /// @notice Emitted when `signer` leaves the signer set.
    event SignerRemoved(address indexed signer);
    /// @notice Emitted when the number of required signatures changes.
    event QuorumChanged(uint256 previousQuorum, uint256 newQuorum);

    /// @notice Round ids increase by exactly one: the next round must be `expectedRoundId` (lastRoundId + 1).
    error GenerationOracleRoundNotNext(uint64 roundId, uint64 expectedRoundId);
    /// @notice Round `roundId` was never submitted.
    error GenerationOracleUnknownRound(uint256 roundId);
    /// @notice Round `roundId` is already revoked.
    error GenerationOracleRoundAlreadyRevoked(uint256 roundId);
    /// @notice A constructor argument is the zero address.
    error GenerationOracleZeroAddress();
    /// @notice Round ids are capped at MAX_ROUND_ID so every accepted round stays issuable (certificates store it in 32 bits: 2^32 - 1 rounds last 136 years at one per second).
    error GenerationOracleRoundIdTooLarge(uint64 roundId, uint64 maxRoundId);
    /// @notice The period is empty or reversed (start must be before end).
    error GenerationOracleEmptyPeriod(uint64 periodStart, uint64 periodEnd);
    /// @notice The period ends after the current block time.
    error GenerationOraclePeriodInFuture(uint64 periodEnd, uint256 blockTimestamp);
    /// @notice A round must have a non-zero Merkle root and at least one leaf.
    error GenerationOracleEmptyRound(bytes32 merkleRoot, uint32 leafCount);
    /// @notice Fewer signatures than the quorum.
    error GenerationOracleTooFewSignatures(uint256 provided, uint256 quorum);
    /// @notice More signatures than signers exist (one of them cannot be a distinct signer).
    error GenerationOracleTooManySignatures(uint256 provided, uint256 signerCount);
    /// @notice A signature recovers to an address outside the signer set (also what a signature
    ///         made for another chain, oracle contract or round content recovers to).
    error GenerationOracleUnknownSigner(address recovered);
    /// @notice The same signer signed twice; each signer counts once.
    error GenerationOracleDuplicateSigner(address signer);
    /// @notice The address is already in the signer set.
    error GenerationOracleAlreadySigner(address signer);
    /// @notice The address is not in the signer set.
    error GenerationOracleNotSigner(address signer);
    /// @notice The zero address cannot be a signer.
    error GenerationOracleZeroSigner();
    /// @notice The quorum must be between 1 and the number of signers.
    error GenerationOracleInvalidQuorum(uint256 quorum, uint256 signerCount);

    /// @notice keccak256 of the EIP-712 type string
    ///         "Round(uint64 roundId,uint64 periodStart,uint64 periodEnd,bytes32 merkleRoot,uint32 leafCount,uint256 totalEnergyWh,bytes32 dataUriHash)".
    function ROUND_TYPEHASH() external view returns (bytes32);

    /// @notice Highest accepted round id, 2^32 - 1 (a round a second would last 136 years; a round a day, eleven million).
    function MAX_ROUND_ID() external view returns (uint64);

    /// @notice Accepts a round signed by at least `quorum` distinct signers.
    /// @dev Anyone may relay a signed round. Paused with the contract. Reverts when the round id is
    ///      not `lastRoundId() + 1` (GenerationOracleRoundNotNext: ids increase by exactly one, so no
    ///      round can jump to MAX_ROUND_ID and block later submissions) or above MAX_ROUND_ID, the period is empty or ends in the future, the root or leaf
    ///      count is zero, there are fewer signatures than the quorum or more than signers, or a
    ///      signature is malformed, from an unknown signer or from a signer already counted.
    ///      Cost is independent of the number of leaves (only the root is stored).
    /// @param round The round as signed.
    /// @param signatures 65-byte ECDSA signatures of the round's EIP-712 digest, in any order.
    function submitRound(Round calldata round, bytes[] calldata signatures) external;

    /// @notice Revokes round `roundId`, e.g. a bad round a quorum signed: its leaves not yet issued
    ///         can no longer be issued; certificates already issued from it stay. Final.
    /// @dev Admin only. Reverts for a round never submitted and for a round already revoked.
    /// @param roundId The round.
    /// @param reason Why (recorded in RoundRevoked).
    function revokeRound(uint256 roundId, string calldata reason) external;

    /// @notice Adds `signer` to the signer set. Admin only.
    /// @param signer Address whose signatures count toward the quorum.
    function addSigner(address signer) external;

    /// @notice Removes `signer` from the signer set. Admin only; reverts if fewer signers than
    ///         the quorum would remain.
    /// @param signer A current signer.
    function removeSigner(address signer) external;

    /// @notice Sets how many distinct signatures a round needs (k of n). Admin only.
    /// @param newQuorum Between 1 and the number of signers.
    function setQuorum(uint256 newQuorum) external;

    /// @notice Stops round submission. Admin only.
    function pause() external;

    /// @notice Resumes round submission. Admin only.
    function unpause() external;

    /// @notice A submitted round (all zero when `roundId` was never submitted).
    /// @param roundId The round id.
    /// @return The stored round.
    function rounds(uint256 roundId) external view returns (RoundRecord memory);

    /// @notice Merkle root of round `roundId` (zero when not submitted).
    /// @param roundId The round id.
    /// @return The root.
    function roundRoot(uint256 roundId) external view returns (bytes32);

    /// @notice What issuance needs from a round, read cheaply (two slots).
    /// @param roundId The round id.
    /// @return merkleRoot Root of the round's leaves (zero when not submitted).
    /// @return periodStart Start of the round's period.
    /// @return periodEnd End of the round's period.
    /// @return leafCount Leaves the round declared (at most this many certificates come from it).
    /// @return totalEnergyWh Wh the round declared (its certificates carry at most this much in all).
    /// @return revoked True once the admin revoked the round (nothing more issues from it).
    function roundForIssuance(uint256 roundId)
        external
        view
        returns (bytes32 merkleRoot, uint64 periodStart, uint64 periodEnd, uint32 leafCount, uint256 totalEnergyWh, bool revoked);

    /// @notice The highest accepted round id (0 before the first round).
    /// @return The round id.
    function lastRoundId() external view returns (uint64);

    /// @notice Signatures a round needs.
    /// @return k of k-of-n.
    function quorum() external view returns (uint256);

    /// @notice Number of signers.
    /// @return n of k-of-n.
    function signerCount() external view returns (uint256);

    /// @notice Whether `account` is a signer.
    /// @param account The address.
    /// @return True for a signer.
    function isSigner(address account) external view returns (bool);

    /// @notice Every signer (a small admin-managed set).
    /// @return The signer addresses.
    function signers() external view returns (address[] memory);

    /// @notice The EIP-712 domain separator of this chain and contract.
    /// @return The separator.
    function domainSeparator() external view returns (bytes32);

    /// @notice The EIP-712 digest signers sign for `round`.
    /// @param round The round.
    /// @return The digest.
    function roundDigest(Round calldata round) external view returns (bytes32);
}
