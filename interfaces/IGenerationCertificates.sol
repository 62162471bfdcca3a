// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGenerationCertificates
/// @notice ERC-1155 energy attribute certificates in watt-hours, one token id per installation and
///         period, issued by anyone who holds a leaf of a submitted oracle round and its Merkle proof.
///         Holders transfer them, retire them for a beneficiary (I-REC redemption / EnergyTag
///         cancellation fields) or lock them for export to another registry.
/// @dev Issuance rule: each installation has a watermark `certifiedUntil` (its commissioning date
///      before the first certificate), and a leaf is accepted only if its period starts EXACTLY at
///      it; issuing moves the watermark to the leaf's period end. So no Wh is certified twice, and
///      no order of calls by anyone makes a verified period uncertifiable: a later period cannot be
///      issued before the one that starts at the watermark (it waits). A datalogger outage, a
///      rejected or held-back day is covered by a later leaf that spans it from the watermark (with
///      the energy measured over it; its round's period must cover that leaf). Nothing but a
///      certificate moves a watermark. Each round issues at most the leaves and Wh it declared
///      (leafCount, totalEnergyWh), nothing once the oracle's admin revoked it, and no leaf carries
///      more Wh than its installation's capacity over the period.
///      Mitigation of a certificate = Wh x grid emission factor (gCO2e/kWh) of the UTC year of its
///      period start, read from the installation registry, where that factor is locked at issuance.
interface IGenerationCertificates {
    /// @notice A generation leaf of an oracle round (OpenZeppelin StandardMerkleTree, types
    ///         ["uint256","uint64","uint64","uint256","bytes32"]). readingsRoot is the root of the
    ///         installation's 15-minute readings tree for the period.
    struct Leaf {
        uint256 installationId;
        uint64 periodStart;
        uint64 periodEnd;
        uint256 energyWh;
        bytes32 readingsRoot;
    }

    /// @notice On-chain metadata of a certificate. retiredWh and exportedWh count what left
    ///         circulation; energyWh - retiredWh - exportedWh is still held by someone. The readings
    ///         root is not stored: it is in CertificateIssued and provable through the round's root.
    struct Certificate {
        uint64 installationId;
        uint64 periodStart;
        uint64 periodEnd;
        uint64 roundId;
        uint80 energyWh;
        uint80 retiredWh;
        uint80 exportedWh;
        uint16 emissionFactorYear;
    }

    /// @notice A retirement (the Wh were burned for `beneficiary`). Only its hash is stored
    ///         (`retirementHash`); the fields are in CertificateRetired; `verifyRetirement` checks them.
    struct Retirement {
        uint256 tokenId;
        address holder;
        uint256 amountWh;
        string beneficiary;
        string purpose;
        string reportingPeriod;
        string country;
        uint256 retiredAt;
    }

    /// @notice Wh locked for export to another registry (burned here). Only its hash is stored
    ///         (`exportHash`); the fields are in ExportLocked; `verifyExport` checks them.
    struct ExportRecord {
        uint256 tokenId;
        address holder;
        uint256 amountWh;
        string registry;
        string externalReference;
        uint256 exportedAt;
    }

    /// @notice Emitted when certificate `tokenId` is issued to `beneficiary`.
    event CertificateIssued(
        uint256 indexed tokenId,
        uint256 indexed installationId,
        uint64 indexed roundId,
        uint64 periodStart,
        uint64 periodEnd,
        uint256 energyWh,
        bytes32 readingsRoot,
        address beneficiary
    );
    /// @notice Emitted when `holder` retires `amountWh` of `tokenId`.
    event CertificateRetired(
        uint256 indexed retirementId,
        uint256 indexed tokenId,
        address indexed holder,
        uint256 amountWh,
        string beneficiary,
        string purpose,
        string reportingPeriod,
        string country,
        uint256 retiredAt
    );
    /// @notice Emitted when `holder` locks `amountWh` of `tokenId` for export.
    event ExportLocked(
        uint256 indexed exportId,
        uint256 indexed tokenId,
        address indexed holder,
        uint256 amountWh,
        string registry,
        string externalReference,
        uint256 exportedAt
    );

    /// @notice Round `roundId` was never submitted to the oracle.
    error GenerationCertificatesUnknownRound(uint256 roundId);
    /// @notice The leaf's period is empty or reversed.
    error GenerationCertificatesEmptyPeriod(uint64 periodStart, uint64 periodEnd);
    /// @notice The leaf's period does not lie within its round's period.
    error GenerationCertificatesLeafOutsideRound(uint64 periodStart, uint64 periodEnd, uint64 roundStart, uint64 roundEnd);
    /// @notice A certificate must carry energy (1 Wh to 2^40 - 1 Wh, about 1.1 TWh).
    error GenerationCertificatesInvalidEnergy(uint256 energyWh);
    /// @notice The installation id does not fit the certificate record (32 bits; registry ids are sequential).
    error GenerationCertificatesInvalidInstallation(uint256 installationId);
    /// @notice A certificate's period lasts at most 2^32 - 1 seconds (about 136 years).
    error GenerationCertificatesPeriodTooLong(uint64 periodStart, uint64 periodEnd);
    /// @notice The proof does not show the leaf is in round `roundId`.
    error GenerationCertificatesInvalidProof(uint256 roundId, uint256 installationId);
    /// @notice No certificate has this id.
    error GenerationCertificatesUnknownCertificate(uint256 tokenId);
    /// @notice Amounts must be above zero.
    error GenerationCertificatesZeroAmount();
    /// @notice No retirement or export record has this id.
    error GenerationCertificatesUnknownRecord(uint256 recordId);
    /// @notice A batch needs at least one leaf.
    error GenerationCertificatesEmptyBatch();
    /// @notice A batch needs one proof per leaf.
    error GenerationCertificatesBatchLengthMismatch(uint256 leafCount, uint256 proofCount);
    /// @notice Round `roundId` was revoked by the oracle's admin: none of its leaves issue any more.
    error GenerationCertificatesRoundRevoked(uint256 roundId);
    /// @notice Issuing would make `issuedLeafCount` certificates of round `roundId`, more than its declared `leafCount`.
    error GenerationCertificatesRoundLeavesExceeded(uint256 roundId, uint256 issuedLeafCount, uint256 leafCount);
    /// @notice Issuing would make round `roundId`'s certificates carry `issuedWh`, more than its declared `totalEnergyWh`.
    error GenerationCertificatesRoundEnergyExceeded(uint256 roundId, uint256 issuedWh, uint256 totalEnergyWh);
    /// @notice A constructor argument is the zero address.
    error GenerationCertificatesZeroAddress();

    /// @notice Mints the certificate of `leaf` to its installation's beneficiary.
    /// @dev Permissionless; paused with the contract. Reverts if the round is unknown or revoked,
    ///      its declared leaf count or total energy would be exceeded, the leaf's period is empty or
    ///      outside the round's period, the energy is zero or above the installation's capacity over
    ///      the period, the proof fails (OpenZeppelin MerkleProof against the round root, leaf =
    ///      keccak256(bytes.concat(keccak256(abi.encode(leaf fields))))), the period does not start
    ///      EXACTLY at `certifiedUntil(installationId)` (InstallationRegistryPeriodNotNext: a period
    ///      starting later waits for the one at the watermark, so a later period issued first cannot
    ///      make an earlier one uncertifiable), the installation is not active, or the year of the
    ///      period start has no emission factor. For one-off claims: relayers issue in batches
    ///      (`issueBatch`), which is what the per-installation-day gas budget is about. A beneficiary that
    ///      is a contract must accept ERC-1155 transfers (onERC1155Received); one that rejects them
    ///      blocks issuance for its installation until the registrar sets another beneficiary.
    /// @param roundId Oracle round whose root contains the leaf.
    /// @param leaf The leaf.
    /// @param proof Sibling hashes from the leaf to the root.
    /// @return tokenId The new certificate's token id (sequential from 1).
    function issue(uint256 roundId, Leaf calldata leaf, bytes32[] calldata proof) external returns (uint256 tokenId);

    /// @notice Mints the certificates of several leaves of one round, each to its installation's
    ///         beneficiary, in one transaction.
    /// @dev The same checks as `issue`, leaf by leaf; all or nothing (one failing leaf reverts the
    ///      batch with that leaf's error). The round, its issued counters and the certificate counter
    ///      are read and written once and the oracle, the registry and the year's emission factor are
    ///      warm after the first leaf, so the cost per certificate falls with the batch size (see
    ///      `make bench`). Leaves of the same installation must come in period order, chained: each
    ///      starts exactly where the installation's watermark (or the previous leaf) ends.
    ///      Permissionless; paused with the contract.
    /// @param roundId Oracle round whose root contains every leaf.
    /// @param leaves The leaves.
    /// @param proofs `proofs[i]` is the proof of `leaves[i]`.
    /// @return firstTokenId Token id of `leaves[0]`; `leaves[i]` gets `firstTokenId + i`.
    function issueBatch(uint256 roundId, Leaf[] calldata leaves, bytes32[][] calldata proofs)
        external
        returns (uint256 firstTokenId);

    /// @notice Burns `amountWh` of the caller's `tokenId` and records a numbered retirement.
    /// @dev Works while paused. Stores one slot per retirement: keccak256(abi.encode(tokenId, holder,
    ///      amountWh, beneficiary, purpose, reportingPeriod, country, retiredAt)) with retiredAt =
    ///      block.timestamp; every field is in CertificateRetired. Reverts for an unknown token, zero amount or insufficient balance.
    /// @param tokenId The certificate.
    /// @param amountWh Wh to retire.
    /// @param beneficiary Who the retirement is for (I-REC redemption beneficiary).
    /// @param purpose Why (e.g. "Scope 2 market-based").
    /// @param reportingPeriod The claim's reporting period (e.g. "2026").
    /// @param country Country of consumption (ISO 3166-1, e.g. "CL").
    /// @return retirementId Sequential from 1.
    function retire(
        uint256 tokenId,
        uint256 amountWh,
        string calldata beneficiary,
        string calldata purpose,
        string calldata reportingPeriod,
        string calldata country
    ) external returns (uint256 retirementId);

    /// @notice Moves `amountWh` of the caller's `tokenId` into the exported state: burned here and
    ///         recorded, so they can no longer be transferred or retired on this chain and are
    ///         counted only by `registryName`.
    /// @dev Works while paused. Stores one slot per export: keccak256(abi.encode(tokenId, holder,
    ///      amountWh, registryName, externalReference, exportedAt)) with exportedAt = block.timestamp;
    ///      every field is in ExportLocked. Reverts for an unknown token, zero amount or insufficient balance.
    /// @param tokenId The certificate.
    /// @param amountWh Wh to export.
    /// @param registryName The receiving registry (e.g. "RENAMI Chile", "Climate Warehouse").
    /// @param externalReference The receiving registry's reference for the transfer.
    /// @return exportId Sequential from 1.
    function lockForExport(uint256 tokenId, uint256 amountWh, string calldata registryName, string calldata externalReference)
        external
        returns (uint256 exportId);

    /// @notice Stops issuance. Admin only.
    function pause() external;

    /// @notice Resumes issuance. Admin only.
    function unpause() external;

    /// @notice Number of certificates issued (token ids are 1..certificateCount).
    /// @return The count.
    function certificateCount() external view returns (uint256);

    /// @notice Metadata of certificate `tokenId` (reverts if unknown).
    /// @param tokenId The certificate.
    /// @return The certificate.
    function certificate(uint256 tokenId) external view returns (Certificate memory);

    /// @notice Installation, energy and period start of `tokenId`, read cheaply (one slot; reverts if
    ///         unknown). Energy sales price a certificate with the terms in force at its periodStart.
    /// @param tokenId The certificate.
    /// @return installationId The installation.
    /// @return energyWh Wh certified.
    /// @return periodStart Start of the certified period (unix s UTC).
    function certificateEnergy(uint256 tokenId)
        external
        view
        returns (uint256 installationId, uint256 energyWh, uint64 periodStart);

    /// @notice What has been issued from round `roundId` so far (bounded by its declared leafCount
    ///         and totalEnergyWh).
    /// @param roundId The round.
    /// @return leafCount Certificates issued from the round.
    /// @return energyWh Wh those certificates carry.
    function issuedOfRound(uint256 roundId) external view returns (uint256 leafCount, uint256 energyWh);

    /// @notice End of the last certified period of `installationId`, or its commissioning date when
    ///         none (0 if unknown): the next leaf must start EXACTLY at it. Kept by the registry.
    /// @param installationId The installation.
    /// @return Unix seconds (UTC).
    function certifiedUntil(uint256 installationId) external view returns (uint64);

    /// @notice Mitigation outcome of `amountWh` of certificate `tokenId`:
    ///         floor(amountWh x gCO2e/kWh of the certificate's year / 1000), in grams CO2e.
    /// @param tokenId The certificate (reverts if unknown).
    /// @param amountWh Wh (need not be held by anyone).
    /// @return Grams CO2e.
    function mitigationGrams(uint256 tokenId, uint256 amountWh) external view returns (uint256);

    /// @notice Number of retirements (ids 1..retirementCount).
    /// @return The count.
    function retirementCount() external view returns (uint256);

    /// @notice Hash of retirement `retirementId` (reverts if unknown):
    ///         keccak256(abi.encode(tokenId, holder, amountWh, beneficiary, purpose, reportingPeriod,
    ///         country, retiredAt)) over the fields of its CertificateRetired event.
    /// @param retirementId The record id.
    /// @return The stored hash.
    function retirementHash(uint256 retirementId) external view returns (bytes32);

    /// @notice Whether `record` is exactly retirement `retirementId` (false for an unknown id).
    /// @param retirementId The record id.
    /// @param record The fields, e.g. read from the CertificateRetired event.
    /// @return True when the fields hash to the stored hash.
    function verifyRetirement(uint256 retirementId, Retirement calldata record) external view returns (bool);

    /// @notice Number of export records (ids 1..exportCount).
    /// @return The count.
    function exportCount() external view returns (uint256);

    /// @notice Hash of export `exportId` (reverts if unknown): keccak256(abi.encode(tokenId, holder,
    ///         amountWh, registry, externalReference, exportedAt)) over the fields of its ExportLocked event.
    /// @param exportId The record id.
    /// @return The stored hash.
    function exportHash(uint256 exportId) external view returns (bytes32);

    /// @notice Whether `record` is exactly export `exportId` (false for an unknown id).
    /// @param exportId The record id.
    /// @param record The fields, e.g. read from the ExportLocked event.
    /// @return True when the fields hash to the stored hash.
    function verifyExport(uint256 exportId, ExportRecord calldata record) external view returns (bool);

    /// @notice The installation registry this contract reads.
    /// @return Its address.
    function registry() external view returns (address);

    /// @notice The oracle whose rounds this contract trusts.
    /// @return Its address.
    function oracle() external view returns (address);
}
