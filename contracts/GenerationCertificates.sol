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

    /// @dev A certificate as stored: everything issuance writes fits slot 0 (periods and the round id
    ///      are bounded by block time and by the oracle's maximum round id), retired/exported Wh are
    ///      slot 1, written only when Wh leave circulation, and the readings root is slot 2. The
    ///      emission factor year is derived from periodStart, not stored.
    struct CertificateRecord {
        uint40 installationId;
        uint40 periodStart;
        uint40 periodEnd;
        uint56 roundId;
        uint80 energyWh;
        uint80 retiredWh;
        uint80 exportedWh;
        bytes32 readingsRoot;
    }

    IGenerationOracle private immutable _ORACLE;
    IInstallationRegistry private immutable _REGISTRY;

    // The three counters share the slot of Pausable's `_paused` flag, which `issue` reads anyway.
    uint64 private _certificateCount;
    uint64 private _retirementCount;
    uint64 private _exportCount;
    mapping(uint256 tokenId => CertificateRecord) private _certificates;
    mapping(uint256 installationId => uint64 certifiedUntil) private _certifiedUntil;
    mapping(uint256 retirementId => Retirement) private _retirements;
    mapping(uint256 exportId => ExportRecord) private _exports;

    /// @param admin Receives DEFAULT_ADMIN_ROLE.
    /// @param oracle_ The oracle whose rounds are trusted.
    /// @param registry_ The installation registry (grant this contract its CERTIFIER_ROLE).
    constructor(address admin, IGenerationOracle oracle_, IInstallationRegistry registry_) ERC1155("") {
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
        (bytes32 root, uint64 roundStart, uint64 roundEnd) = _ORACLE.roundForIssuance(roundId);
        if (root == bytes32(0)) revert GenerationCertificatesUnknownRound(roundId);
        if (leaf.periodStart >= leaf.periodEnd) revert GenerationCertificatesEmptyPeriod(leaf.periodStart, leaf.periodEnd);
        if (leaf.periodStart < roundStart || leaf.periodEnd > roundEnd) {
            revert GenerationCertificatesLeafOutsideRound(leaf.periodStart, leaf.periodEnd, roundStart, roundEnd);
        }
        if (leaf.energyWh == 0 || leaf.energyWh > type(uint80).max) revert GenerationCertificatesInvalidEnergy(leaf.energyWh);
        if (leaf.installationId > type(uint40).max) revert GenerationCertificatesInvalidInstallation(leaf.installationId);
        bytes32 leafHash = keccak256(
            bytes.concat(
                keccak256(abi.encode(leaf.installationId, leaf.periodStart, leaf.periodEnd, leaf.energyWh, leaf.readingsRoot))
            )
        );
        if (!MerkleProof.verifyCalldata(proof, root, leafHash)) {
            revert GenerationCertificatesInvalidProof(roundId, leaf.installationId);
        }
        uint64 watermark = _certifiedUntil[leaf.installationId];
        if (leaf.periodStart < watermark) {
            revert GenerationCertificatesPeriodAlreadyCertified(leaf.installationId, leaf.periodStart, watermark);
        }
        tokenId = _record(roundId, leaf);
        // Reverts (undoing the record) unless the installation is active and the year has a factor.
        address beneficiary = _REGISTRY.authorizeIssuance(leaf.installationId, _utcYear(leaf.periodStart));
        _emitIssued(tokenId, roundId, leaf, beneficiary);
        _mint(beneficiary, tokenId, leaf.energyWh, "");
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
        // amountWh <= the caller's balance <= energyWh <= 2^80-1 (the burn checked the balance).
        cert.retiredWh += uint80(amountWh);
        retirementId = ++_retirementCount;
        _retirements[retirementId] = Retirement({
            holder: msg.sender,
            retiredAt: uint64(block.timestamp),
            tokenId: uint64(tokenId),
            amountWh: uint80(amountWh),
            beneficiary: beneficiary,
            purpose: purpose,
            reportingPeriod: reportingPeriod,
            country: country
        });
        emit CertificateRetired(retirementId, tokenId, msg.sender, amountWh, beneficiary, purpose, reportingPeriod, country);
    }

    /// @inheritdoc IGenerationCertificates
    function lockForExport(uint256 tokenId, uint256 amountWh, string calldata registryName, string calldata externalReference)
        external
        returns (uint256 exportId)
    {
        CertificateRecord storage cert = _takeOutOfCirculation(tokenId, amountWh);
        // amountWh <= the caller's balance <= energyWh <= 2^80-1 (the burn checked the balance).
        cert.exportedWh += uint80(amountWh);
        exportId = ++_exportCount;
        _exports[exportId] = ExportRecord({
            holder: msg.sender,
            exportedAt: uint64(block.timestamp),
            tokenId: uint64(tokenId),
            amountWh: uint80(amountWh),
            registry: registryName,
            externalReference: externalReference
        });
        emit ExportLocked(exportId, tokenId, msg.sender, amountWh, registryName, externalReference);
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
            periodEnd: cert.periodEnd,
            roundId: cert.roundId,
            energyWh: cert.energyWh,
            retiredWh: cert.retiredWh,
            exportedWh: cert.exportedWh,
            emissionFactorYear: _utcYear(cert.periodStart),
            readingsRoot: cert.readingsRoot
        });
    }

    /// @inheritdoc IGenerationCertificates
    function certificateEnergy(uint256 tokenId) external view returns (uint256 installationId, uint256 energyWh) {
        CertificateRecord storage cert = _existing(tokenId);
        return (cert.installationId, cert.energyWh);
    }

    /// @inheritdoc IGenerationCertificates
    function certifiedUntil(uint256 installationId) external view returns (uint64) {
        return _certifiedUntil[installationId];
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
    function retirement(uint256 retirementId) external view returns (Retirement memory) {
        if (retirementId == 0 || retirementId > _retirementCount) revert GenerationCertificatesUnknownRecord(retirementId);
        return _retirements[retirementId];
    }

    /// @inheritdoc IGenerationCertificates
    function exportCount() external view returns (uint256) {
        return _exportCount;
    }

    /// @inheritdoc IGenerationCertificates
    function exportRecord(uint256 exportId) external view returns (ExportRecord memory) {
        if (exportId == 0 || exportId > _exportCount) revert GenerationCertificatesUnknownRecord(exportId);
        return _exports[exportId];
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
    ///         on-chain certificate (installation, period, Wh, round, emission factor year, readings root).
    /// @param tokenId The certificate (reverts if unknown).
    /// @return The data URI.
    function uri(uint256 tokenId) public view override returns (string memory) {
        CertificateRecord storage cert = _existing(tokenId);
        bytes memory json = abi.encodePacked(
            '{"name":"PV Ledger generation certificate #',
            tokenId.toString(),
            '","description":"Verified PV generation, 1 unit = 1 Wh","decimals":0,"properties":{"installationId":',
            uint256(cert.installationId).toString(),
            ',"periodStart":',
            uint256(cert.periodStart).toString(),
            ',"periodEnd":',
            uint256(cert.periodEnd).toString()
        );
        json = abi.encodePacked(
            json,
            ',"energyWh":',
            uint256(cert.energyWh).toString(),
            ',"roundId":',
            uint256(cert.roundId).toString(),
            ',"emissionFactorYear":',
            uint256(_utcYear(cert.periodStart)).toString(),
            ',"readingsRoot":"',
            Strings.toHexString(uint256(cert.readingsRoot), 32),
            '"}}'
        );
        return string.concat("data:application/json;base64,", Base64.encode(json));
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    /// @dev Effects of `issue`: moves the watermark and stores the certificate.
    function _record(uint256 roundId, Leaf calldata leaf) private returns (uint256 tokenId) {
        _certifiedUntil[leaf.installationId] = leaf.periodEnd;
        tokenId = ++_certificateCount;
        // Bounds: installationId <= 2^40-1 and energyWh <= 2^80-1 checked in `issue`; the leaf period
        // lies within the round period, which ends at or before block time (< 2^40 s); roundId is
        // a submitted round, at most GenerationOracle's MAX_ROUND_ID = 2^56-1.
        _certificates[tokenId] = CertificateRecord({
            installationId: uint40(leaf.installationId),
            periodStart: uint40(leaf.periodStart),
            periodEnd: uint40(leaf.periodEnd),
            roundId: uint56(roundId),
            energyWh: uint80(leaf.energyWh),
            retiredWh: 0,
            exportedWh: 0,
            readingsRoot: leaf.readingsRoot
        });
    }

    function _emitIssued(uint256 tokenId, uint256 roundId, Leaf calldata leaf, address beneficiary) private {
        emit CertificateIssued(
            tokenId,
            leaf.installationId,
            uint64(roundId),
            leaf.periodStart,
            leaf.periodEnd,
            leaf.energyWh,
            leaf.readingsRoot,
            beneficiary
        );
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
