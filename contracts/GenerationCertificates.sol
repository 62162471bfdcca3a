// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IGenerationCertificates} from "../interfaces/IGenerationCertificates.sol";
import {IGenerationOracle} from "../interfaces/IGenerationOracle.sol";
import {IInstallationRegistry} from "../interfaces/IInstallationRegistry.sol";

/// @title GenerationCertificates
/// @notice ERC-1155 certificates of verified PV generation, 1 unit = 1 Wh, one token id per
///         installation and period, issued against the oracle's signed rounds.
/// @dev DEFAULT_ADMIN_ROLE pauses issuance. Transfers, retirements and export locks keep working
///      while paused. Needs CERTIFIER_ROLE on the registry.
contract GenerationCertificates is ERC1155, AccessControl, Pausable, IGenerationCertificates {
    using Strings for uint256;

    /// @dev A certificate as stored: one slot. Issuance writes it once; retire and lockForExport
    ///      update retiredWh / exportedWh in the same slot. Bounds: installation ids < 2^32 (checked),
    ///      periods end at or before block time (< 2^40 s) and last < 2^32 s (checked), round ids
    ///      <= GenerationOracle.MAX_ROUND_ID = 2^32 - 1, energyWh < 2^40 (about 1.1 TWh, checked), so
    ///      retiredWh + exportedWh <= energyWh fit too. The emission factor year is derived from
    ///      periodStart and the readings root is only in CertificateIssued (it is provable through the
    ///      round's Merkle root), neither is stored.
    struct CertificateRecord {
        uint32 installationId;
        uint40 periodStart;
        uint32 periodLengthS;
        uint32 roundId;
        uint40 energyWh;
        uint40 retiredWh;
        uint40 exportedWh;
    }

    /// @dev What has been issued from one round, in one slot, written once per issue / issueBatch:
    ///      leafCount <= the round's declared uint32 leafCount and energyWh <= its declared
    ///      totalEnergyWh (cast checked into 224 bits), both checked before the write.
    struct RoundIssuance {
        uint32 leafCount;
        uint224 energyWh;
    }

    IGenerationOracle private immutable _ORACLE;
    IInstallationRegistry private immutable _REGISTRY;

    // The three counters share the slot of Pausable's `_paused` flag, which `issue` reads anyway.
    uint64 private _certificateCount;
    uint64 private _retirementCount;
    uint64 private _exportCount;
    mapping(uint256 tokenId => CertificateRecord) private _certificates;
    mapping(uint256 roundId => RoundIssuance) private _issuedOfRound;
    // One slot per record: the hash of its fields (see retirementHash / exportHash).
    mapping(uint256 retirementId => bytes32 recordHash) private _retirementHashes;
    mapping(uint256 exportId => bytes32 recordHash) private _exportHashes;

    /// @param admin Receives DEFAULT_ADMIN_ROLE.
    /// @param oracle_ The oracle whose rounds are trusted.
    /// @param registry_ The installation registry (grant this contract its CERTIFIER_ROLE).
    constructor(address admin, IGenerationOracle oracle_, IInstallationRegistry registry_) ERC1155("") {
        if (admin == address(0) || address(oracle_) == address(0) || address(registry_) == address(0)) {
            revert GenerationCertificatesZeroAddress();
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _ORACLE = oracle_;
        _REGISTRY = registry_;
    }

    /// @inheritdoc IGenerationCertificates
    function issue(uint256 roundId, Leaf calldata leaf, bytes32[] calldata proof)
        external
        whenNotPaused
        returns (uint256 tokenId)
    {
        (bytes32 root, uint64 roundStart, uint64 roundEnd) = _claimRound(roundId, 1, leaf.energyWh);
        tokenId = ++_certificateCount;
        _issue(tokenId, roundId, root, roundStart, roundEnd, leaf, proof);
    }

    /// @inheritdoc IGenerationCertificates
    function issueBatch(uint256 roundId, Leaf[] calldata leaves, bytes32[][] calldata proofs)
        external
        whenNotPaused
        returns (uint256 firstTokenId)
    {
        uint256 count = leaves.length;
        if (count == 0) revert GenerationCertificatesEmptyBatch();
        if (proofs.length != count) revert GenerationCertificatesBatchLengthMismatch(count, proofs.length);
        (bytes32 root, uint64 roundStart, uint64 roundEnd) = _claimRound(roundId, count, _energyOf(leaves));
        // The ids are reserved before any mint, so a beneficiary's onERC1155Received that calls
        // back into issue gets ids after this batch's.
        firstTokenId = _certificateCount + 1;
        _certificateCount = SafeCast.toUint64(firstTokenId - 1 + count);
        for (uint256 i = 0; i < count; ++i) {
            _issue(firstTokenId + i, roundId, root, roundStart, roundEnd, leaves[i], proofs[i]);
        }
    }

    /// @inheritdoc IGenerationCertificates
    function retire(
        uint256 tokenId,
        uint256 amountWh,
        string calldata beneficiary,
        string calldata purpose,
        string calldata reportingPeriod,
        string calldata country
    ) external returns (uint256 retirementId) {
        CertificateRecord storage cert = _takeOutOfCirculation(tokenId, amountWh);
        // amountWh <= the caller's balance <= energyWh < 2^40, and retiredWh + exportedWh <= energyWh
        // (the burn checked the balance), so neither the cast nor the sum overflows.
        cert.retiredWh += uint40(amountWh);
        retirementId = ++_retirementCount;
        _retirementHashes[retirementId] = _retirementHash(
            tokenId, msg.sender, amountWh, beneficiary, purpose, reportingPeriod, country, block.timestamp
        );
        emit CertificateRetired(
            retirementId, tokenId, msg.sender, amountWh, beneficiary, purpose, reportingPeriod, country, block.timestamp
        );
    }

    /// @inheritdoc IGenerationCertificates
    function lockForExport(uint256 tokenId, uint256 amountWh, string calldata registryName, string calldata externalReference)
        external
        returns (uint256 exportId)
    {
        CertificateRecord storage cert = _takeOutOfCirculation(tokenId, amountWh);
        // amountWh <= the caller's balance <= energyWh < 2^40, and retiredWh + exportedWh <= energyWh
        // (the burn checked the balance), so neither the cast nor the sum overflows.
        cert.exportedWh += uint40(amountWh);
        exportId = ++_exportCount;
        _exportHashes[exportId] = _exportHash(tokenId, msg.sender, amountWh, registryName, externalReference, block.timestamp);
        emit ExportLocked(exportId, tokenId, msg.sender, amountWh, registryName, externalReference, block.timestamp);
    }

    /// @inheritdoc IGenerationCertificates
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IGenerationCertificates
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IGenerationCertificates
    function certificateCount() external view returns (uint256) {
        return _certificateCount;
    }

    /// @inheritdoc IGenerationCertificates
    function certificate(uint256 tokenId) external view returns (Certificate memory) {
        CertificateRecord storage cert = _existing(tokenId);
        return Certificate({
            installationId: cert.installationId,
            periodStart: cert.periodStart,
            periodEnd: uint64(cert.periodStart) + cert.periodLengthS,
            roundId: cert.roundId,
            energyWh: cert.energyWh,
            retiredWh: cert.retiredWh,
            exportedWh: cert.exportedWh,
            emissionFactorYear: _utcYear(cert.periodStart)
        });
    }

    /// @inheritdoc IGenerationCertificates
    function certificateEnergy(uint256 tokenId)
        external
        view
        returns (uint256 installationId, uint256 energyWh, uint64 periodStart)
    {
        CertificateRecord storage cert = _existing(tokenId);
        return (cert.installationId, cert.energyWh, cert.periodStart);
    }

    /// @inheritdoc IGenerationCertificates
    function issuedOfRound(uint256 roundId) external view returns (uint256 leafCount, uint256 energyWh) {
        RoundIssuance storage issued = _issuedOfRound[roundId];
        return (issued.leafCount, issued.energyWh);
    }

    /// @inheritdoc IGenerationCertificates
    function certifiedUntil(uint256 installationId) external view returns (uint64) {
        return _REGISTRY.certifiedUntil(installationId);
    }

    /// @inheritdoc IGenerationCertificates
    function mitigationGrams(uint256 tokenId, uint256 amountWh) public view returns (uint256) {
        (uint32 gCo2ePerKwh,) = _REGISTRY.emissionFactor(_utcYear(_existing(tokenId).periodStart));
        return amountWh * gCo2ePerKwh / 1000;
    }

    /// @inheritdoc IGenerationCertificates
    function retirementCount() external view returns (uint256) {
        return _retirementCount;
    }

    /// @inheritdoc IGenerationCertificates
    function retirementHash(uint256 retirementId) external view returns (bytes32) {
        if (retirementId == 0 || retirementId > _retirementCount) revert GenerationCertificatesUnknownRecord(retirementId);
        return _retirementHashes[retirementId];
    }

    /// @inheritdoc IGenerationCertificates
    function verifyRetirement(uint256 retirementId, Retirement calldata record) external view returns (bool) {
        if (retirementId == 0 || retirementId > _retirementCount) return false;
        return _retirementHashes[retirementId]
            == _retirementHash(
                record.tokenId,
                record.holder,
                record.amountWh,
                record.beneficiary,
                record.purpose,
                record.reportingPeriod,
                record.country,
                record.retiredAt
            );
    }

    /// @inheritdoc IGenerationCertificates
    function exportCount() external view returns (uint256) {
        return _exportCount;
    }

    /// @inheritdoc IGenerationCertificates
    function exportHash(uint256 exportId) external view returns (bytes32) {
        if (exportId == 0 || exportId > _exportCount) revert GenerationCertificatesUnknownRecord(exportId);
        return _exportHashes[exportId];
    }

    /// @inheritdoc IGenerationCertificates
    function verifyExport(uint256 exportId, ExportRecord calldata record) external view returns (bool) {
        if (exportId == 0 || exportId > _exportCount) return false;
        return _exportHashes[exportId]
            == _exportHash(record.tokenId, record.holder, record.amountWh, record.registry, record.externalReference, record.exportedAt);
    }

    /// @inheritdoc IGenerationCertificates
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    /// @inheritdoc IGenerationCertificates
    function oracle() external view returns (address) {
        return address(_ORACLE);
    }

    /// @notice ERC-1155 metadata URI of `tokenId`: a base64 data URI of JSON built from the
    ///         on-chain certificate (installation, period, Wh, round, emission factor year); the
    ///         readings root is in the CertificateIssued event.
    /// @param tokenId The certificate (reverts if unknown).
    /// @return The data URI.
    function uri(uint256 tokenId) public view override returns (string memory) {
        CertificateRecord storage cert = _existing(tokenId);
        // JSON keys need double quotes, so its fragments are single-quoted Solidity strings.
        // solhint-disable quotes
        bytes memory json = abi.encodePacked(
            '{"name":"PV Ledger generation certificate #',
            tokenId.toString(),
            '","description":"Verified PV generation, 1 unit = 1 Wh","decimals":0,"properties":{"installationId":',
            uint256(cert.installationId).toString(),
            ',"periodStart":',
            uint256(cert.periodStart).toString(),
            ',"periodEnd":',
            (uint256(cert.periodStart) + cert.periodLengthS).toString()
        );
        json = abi.encodePacked(
            json,
            ',"energyWh":',
            uint256(cert.energyWh).toString(),
            ',"roundId":',
            uint256(cert.roundId).toString(),
            ',"emissionFactorYear":',
            uint256(_utcYear(cert.periodStart)).toString(),
            "}}"
        );
        // solhint-enable quotes
        return string.concat("data:application/json;base64,", Base64.encode(json));
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    /// @dev The round's root and period, after counting `count` more certificates carrying
    ///      `energyWh` in all against what the round declared (one slot write per issue /
    ///      issueBatch, before any mint). Reverts for an unknown or revoked round and when the round
    ///      would issue more leaves or Wh than it declared. A known round has a non-zero root and an
    ///      id <= GenerationOracle.MAX_ROUND_ID (2^32 - 1).
    function _claimRound(uint256 roundId, uint256 count, uint256 energyWh)
        private
        returns (bytes32 root, uint64 roundStart, uint64 roundEnd)
    {
        uint32 declaredLeaves;
        uint256 declaredWh;
        bool revoked;
        (root, roundStart, roundEnd, declaredLeaves, declaredWh, revoked) = _ORACLE.roundForIssuance(roundId);
        if (root == bytes32(0)) revert GenerationCertificatesUnknownRound(roundId);
        if (revoked) revert GenerationCertificatesRoundRevoked(roundId);
        RoundIssuance memory issued = _issuedOfRound[roundId];
        uint256 leafTotal = issued.leafCount + count;
        if (leafTotal > declaredLeaves) revert GenerationCertificatesRoundLeavesExceeded(roundId, leafTotal, declaredLeaves);
        uint256 energyTotalWh = issued.energyWh + energyWh;
        if (energyTotalWh > declaredWh) revert GenerationCertificatesRoundEnergyExceeded(roundId, energyTotalWh, declaredWh);
        // fits: leafTotal <= the round's uint32 leafCount (checked above); energyTotalWh <= the
        // declared uint256 total, so it is cast checked
        _issuedOfRound[roundId] = RoundIssuance({leafCount: uint32(leafTotal), energyWh: SafeCast.toUint224(energyTotalWh)});
    }

    /// @dev Wh of all `leaves` together (each leaf's own bounds are checked as it is issued).
    function _energyOf(Leaf[] calldata leaves) private pure returns (uint256 energyWh) {
        for (uint256 i = 0; i < leaves.length; ++i) {
            energyWh += leaves[i].energyWh;
        }
    }

    /// @dev One certificate of `issue` / `issueBatch`: checks the leaf and its proof, stores the
    ///      certificate as `tokenId` in one new slot, moves the installation's watermark and mints.
    function _issue(
        uint256 tokenId,
        uint256 roundId,
        bytes32 root,
        uint64 roundStart,
        uint64 roundEnd,
        Leaf calldata leaf,
        bytes32[] calldata proof
    ) private {
        if (leaf.periodStart >= leaf.periodEnd) revert GenerationCertificatesEmptyPeriod(leaf.periodStart, leaf.periodEnd);
        if (leaf.periodStart < roundStart || leaf.periodEnd > roundEnd) {
            revert GenerationCertificatesLeafOutsideRound(leaf.periodStart, leaf.periodEnd, roundStart, roundEnd);
        }
        if (leaf.energyWh == 0 || leaf.energyWh > type(uint40).max) revert GenerationCertificatesInvalidEnergy(leaf.energyWh);
        if (leaf.installationId > type(uint32).max) revert GenerationCertificatesInvalidInstallation(leaf.installationId);
        if (leaf.periodEnd - leaf.periodStart > type(uint32).max) {
            revert GenerationCertificatesPeriodTooLong(leaf.periodStart, leaf.periodEnd);
        }
        bytes32 leafHash = keccak256(
            bytes.concat(
                keccak256(abi.encode(leaf.installationId, leaf.periodStart, leaf.periodEnd, leaf.energyWh, leaf.readingsRoot))
            )
        );
        if (!MerkleProof.verifyCalldata(proof, root, leafHash)) {
            revert GenerationCertificatesInvalidProof(roundId, leaf.installationId);
        }
        _record(tokenId, roundId, leaf);
        address beneficiary = _authorize(leaf);
        _emitIssued(tokenId, roundId, leaf, beneficiary);
        _mint(beneficiary, tokenId, leaf.energyWh, "");
    }

    /// @dev Stores the certificate `tokenId` in one new slot (a function of its own, so the
    ///      optimizer writes the packed slot once). Bounds checked in `_issue` (installation id,
    ///      energy, period length) or guaranteed by the oracle (period within a round that ends at or
    ///      before block time < 2^40 s; round id <= 2^32 - 1).
    function _record(uint256 tokenId, uint256 roundId, Leaf calldata leaf) private {
        _certificates[tokenId] = CertificateRecord({
            installationId: uint32(leaf.installationId),
            periodStart: uint40(leaf.periodStart),
            periodLengthS: uint32(leaf.periodEnd - leaf.periodStart),
            roundId: uint32(roundId),
            energyWh: uint40(leaf.energyWh),
            retiredWh: 0,
            exportedWh: 0
        });
    }

    /// @dev Reverts (undoing the record) unless the installation is active, the period starts
    ///      exactly at its watermark, the energy fits its capacity over the period and the year has
    ///      a factor; the registry then moves the watermark (kept in its installation slot).
    function _authorize(Leaf calldata leaf) private returns (address beneficiary) {
        return _REGISTRY.authorizeIssuance(
            leaf.installationId, _utcYear(leaf.periodStart), leaf.periodStart, leaf.periodEnd, leaf.energyWh
        );
    }

    function _emitIssued(uint256 tokenId, uint256 roundId, Leaf calldata leaf, address beneficiary) private {
        // roundId <= GenerationOracle.MAX_ROUND_ID (2^32 - 1): it has a submitted root
        emit CertificateIssued(
            tokenId, leaf.installationId, uint64(roundId), leaf.periodStart, leaf.periodEnd, leaf.energyWh, leaf.readingsRoot, beneficiary
        );
    }

    function _retirementHash(
        uint256 tokenId,
        address holder,
        uint256 amountWh,
        string calldata beneficiary,
        string calldata purpose,
        string calldata reportingPeriod,
        string calldata country,
        uint256 retiredAt
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(tokenId, holder, amountWh, beneficiary, purpose, reportingPeriod, country, retiredAt));
    }

    function _exportHash(
        uint256 tokenId,
        address holder,
        uint256 amountWh,
        string calldata registryName,
        string calldata externalReference,
        uint256 exportedAt
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(tokenId, holder, amountWh, registryName, externalReference, exportedAt));
    }

    /// @dev Burns `amountWh` of the caller's `tokenId` (reverting on insufficient balance) and
    ///      returns the certificate for the caller to record why.
    ///      Existence is checked against the certificate count, whose slot (shared with the retirement
    ///      and export counters) the caller writes next anyway.
    function _takeOutOfCirculation(uint256 tokenId, uint256 amountWh) private returns (CertificateRecord storage cert) {
        if (tokenId == 0 || tokenId > _certificateCount) revert GenerationCertificatesUnknownCertificate(tokenId);
        cert = _certificates[tokenId];
        if (amountWh == 0) revert GenerationCertificatesZeroAmount();
        _burn(msg.sender, tokenId, amountWh);
    }

    /// @dev Every issued certificate has energyWh > 0, so zero means unknown; the slot read is the
    ///      one callers use next.
    function _existing(uint256 tokenId) private view returns (CertificateRecord storage cert) {
        cert = _certificates[tokenId];
        if (cert.energyWh == 0) revert GenerationCertificatesUnknownCertificate(tokenId);
    }

    /// @dev Gregorian year (UTC) of a unix timestamp (Howard Hinnant's civil_from_days).
    function _utcYear(uint256 timestamp) private pure returns (uint16) {
        uint256 z = timestamp / 86400 + 719468;
        uint256 era = z / 146097;
        uint256 dayOfEra = z - era * 146097;
        uint256 yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        uint256 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        uint256 monthIndex = (5 * dayOfYear + 2) / 153; // 0 = March ... 11 = February
        uint256 year = yearOfEra + era * 400 + (monthIndex >= 10 ? 1 : 0);
        return SafeCast.toUint16(year);
    }
}
