// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IInstallationRegistry} from "../interfaces/IInstallationRegistry.sol";
import {IProjects, PROJECT_CANCELLED} from "../interfaces/IProjects.sol";

/// @title InstallationRegistry
/// @notice PV installations, their dataloggers and beneficiaries, and yearly grid emission factors.
/// @dev Roles: DEFAULT_ADMIN_ROLE sets emission factors and grants roles; REGISTRAR_ROLE manages
///      installations; CERTIFIER_ROLE (the certificates contract) authorises issuance.
contract InstallationRegistry is AccessControl, IInstallationRegistry {
    /// @inheritdoc IInstallationRegistry
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @inheritdoc IInstallationRegistry
    bytes32 public constant CERTIFIER_ROLE = keccak256("CERTIFIER_ROLE");

    int32 private constant _MAX_LAT_E6 = 90_000_000;
    int32 private constant _MAX_LON_E6 = 180_000_000;

    IProjects private immutable _PROJECTS;

    /// @dev gCo2ePerKwh and locked share one slot, so issuance reads the factor and its lock at once.
    struct EmissionFactorRecord {
        uint32 gCo2ePerKwh;
        bool locked;
        string source;
    }

    /// @dev An installation as stored. Slot 0 holds everything settlement touches and issuance
    ///      writes (beneficiary, status, certification watermark, project id), so issuance writes
    ///      that already non-zero slot, on the first day as on any later one; issuance also reads
    ///      capacityW in slot 1 (capacityW, latE6, lonE6, communeCode, commissionedAt: 224 bits).
    struct InstallationRecord {
        address beneficiary;
        InstallationStatus status;
        uint40 certifiedUntil;
        uint48 projectId;
        uint64 capacityW;
        int32 latE6;
        int32 lonE6;
        uint32 communeCode;
        uint64 commissionedAt;
        string technology;
        string dataloggerKind;
        string dataloggerSerial;
        string programme;
    }

    uint256 private _installationCount;
    mapping(uint256 installationId => InstallationRecord) private _installations;
    mapping(uint16 year => EmissionFactorRecord) private _emissionFactors;
    // A marketplace project is one rooftop plant: at most one installation links to it.
    mapping(uint256 projectId => uint256 installationId) private _installationOfProject;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (and may grant the other roles).
    /// @param projects_ The marketplace's Projects contract (installations link only to its live projects).
    constructor(address admin, IProjects projects_) {
        if (admin == address(0) || address(projects_) == address(0)) revert InstallationRegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _PROJECTS = projects_;
    }

    /// @inheritdoc IInstallationRegistry
    function registerInstallation(InstallationParams calldata params)
        external
        onlyRole(REGISTRAR_ROLE)
        returns (uint256 installationId)
    {
        if (params.beneficiary == address(0)) revert InstallationRegistryZeroBeneficiary();
        if (params.capacityW == 0) revert InstallationRegistryZeroCapacity();
        if (
            params.latE6 > _MAX_LAT_E6 || params.latE6 < -_MAX_LAT_E6 || params.lonE6 > _MAX_LON_E6
                || params.lonE6 < -_MAX_LON_E6
        ) revert InstallationRegistryInvalidCoordinates(params.latE6, params.lonE6);
        if (params.commissionedAt > type(uint40).max) revert InstallationRegistryInvalidCommissioning(params.commissionedAt);
        if (params.projectId > type(uint48).max) revert InstallationRegistryProjectIdTooLarge(params.projectId);

        installationId = ++_installationCount;
        InstallationRecord storage record = _installations[installationId];
        record.beneficiary = params.beneficiary;
        record.status = InstallationStatus.Active;
        // fits: checked above; nothing before commissioning can be certified
        record.certifiedUntil = uint40(params.commissionedAt);
        record.capacityW = params.capacityW;
        record.latE6 = params.latE6;
        record.lonE6 = params.lonE6;
        record.communeCode = params.communeCode;
        record.commissionedAt = params.commissionedAt;
        // fits: checked above
        record.projectId = uint48(params.projectId);
        _linkProject(installationId, params.projectId);
        record.technology = params.technology;
        record.dataloggerKind = params.dataloggerKind;
        record.dataloggerSerial = params.dataloggerSerial;
        record.programme = params.programme;
        emit InstallationRegistered(installationId, params.beneficiary, params.projectId, params.capacityW, params.programme);
    }

    /// @inheritdoc IInstallationRegistry
    function setStatus(uint256 installationId, InstallationStatus newStatus) external onlyRole(REGISTRAR_ROLE) {
        InstallationRecord storage record = _existing(installationId);
        InstallationStatus previous = record.status;
        if (previous == InstallationStatus.Decommissioned) revert InstallationRegistryDecommissioned(installationId);
        if (previous == newStatus) revert InstallationRegistryStatusUnchanged(installationId, newStatus);
        record.status = newStatus;
        emit InstallationStatusChanged(installationId, previous, newStatus);
    }

    /// @inheritdoc IInstallationRegistry
    function setBeneficiary(uint256 installationId, address newBeneficiary) external onlyRole(REGISTRAR_ROLE) {
        if (newBeneficiary == address(0)) revert InstallationRegistryZeroBeneficiary();
        InstallationRecord storage record = _existing(installationId);
        address previous = record.beneficiary;
        record.beneficiary = newBeneficiary;
        emit BeneficiaryChanged(installationId, previous, newBeneficiary);
    }

    /// @inheritdoc IInstallationRegistry
    function setProjectId(uint256 installationId, uint256 projectId) external onlyRole(REGISTRAR_ROLE) {
        if (projectId > type(uint48).max) revert InstallationRegistryProjectIdTooLarge(projectId);
        InstallationRecord storage record = _existing(installationId);
        uint256 previous = record.projectId;
        if (previous == projectId) revert InstallationRegistryProjectUnchanged(installationId, projectId);
        if (previous != 0) delete _installationOfProject[previous];
        // fits: checked above
        record.projectId = uint48(projectId);
        _linkProject(installationId, projectId);
        emit ProjectLinked(installationId, projectId);
    }

    /// @inheritdoc IInstallationRegistry
    function setDatalogger(uint256 installationId, string calldata dataloggerKind, string calldata dataloggerSerial)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        InstallationRecord storage record = _existing(installationId);
        record.dataloggerKind = dataloggerKind;
        record.dataloggerSerial = dataloggerSerial;
        emit DataloggerChanged(installationId, dataloggerKind, dataloggerSerial);
    }

    /// @inheritdoc IInstallationRegistry
    function setEmissionFactor(uint16 year, uint32 gCo2ePerKwh, string calldata source)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (gCo2ePerKwh == 0) revert InstallationRegistryZeroEmissionFactor(year);
        EmissionFactorRecord storage factor = _emissionFactors[year];
        if (factor.locked) revert InstallationRegistryEmissionFactorLocked(year, factor.gCo2ePerKwh);
        factor.gCo2ePerKwh = gCo2ePerKwh;
        factor.source = source;
        emit EmissionFactorSet(year, gCo2ePerKwh, source);
    }

    /// @inheritdoc IInstallationRegistry
    function authorizeIssuance(uint256 installationId, uint16 year, uint64 periodStart, uint64 periodEnd, uint256 energyWh)
        external
        onlyRole(CERTIFIER_ROLE)
        returns (address beneficiary)
    {
        InstallationRecord storage record = _existing(installationId);
        if (record.status != InstallationStatus.Active) {
            revert InstallationRegistryNotActive(installationId, record.status);
        }
        EmissionFactorRecord storage factor = _emissionFactors[year];
        uint32 gCo2ePerKwh = factor.gCo2ePerKwh;
        if (gCo2ePerKwh == 0) revert InstallationRegistryEmissionFactorNotSet(year);
        if (!factor.locked) {
            factor.locked = true;
            emit EmissionFactorLocked(year, gCo2ePerKwh);
        }
        uint40 certifiedUntil_ = record.certifiedUntil;
        // Back to back: a period starting later than the watermark would skip the one before it
        // for good, one starting earlier would certify Wh twice.
        if (periodStart != certifiedUntil_) {
            revert InstallationRegistryPeriodNotNext(installationId, periodStart, certifiedUntil_);
        }
        // periodEnd < 2^40: the certificates contract only passes periods of submitted rounds, which
        // end at or before block time; checked anyway so a wrong caller cannot wrap the watermark.
        if (periodEnd <= periodStart || periodEnd > type(uint40).max) {
            revert InstallationRegistryInvalidPeriod(periodStart, periodEnd);
        }
        // Watt-seconds the installation could produce at full capacity over the period (fits:
        // capacityW < 2^64, the period < 2^40 s); energyWh * 3600 is checked arithmetic.
        uint256 capacityWs = uint256(record.capacityW) * (periodEnd - periodStart);
        if (energyWh * 3600 > capacityWs) {
            revert InstallationRegistryEnergyAboveCapacity(installationId, energyWh, capacityWs / 3600);
        }
        // No event of its own: the caller's CertificateIssued (periodEnd) records the move.
        record.certifiedUntil = uint40(periodEnd);
        beneficiary = record.beneficiary;
    }

    /// @inheritdoc IInstallationRegistry
    function installation(uint256 installationId) external view returns (Installation memory) {
        InstallationRecord storage record = _existing(installationId);
        return Installation({
            beneficiary: record.beneficiary,
            status: record.status,
            capacityW: record.capacityW,
            latE6: record.latE6,
            lonE6: record.lonE6,
            communeCode: record.communeCode,
            commissionedAt: record.commissionedAt,
            projectId: record.projectId,
            technology: record.technology,
            dataloggerKind: record.dataloggerKind,
            dataloggerSerial: record.dataloggerSerial,
            programme: record.programme
        });
    }

    /// @inheritdoc IInstallationRegistry
    function installationCore(uint256 installationId)
        external
        view
        returns (address beneficiary, InstallationStatus status, uint256 projectId)
    {
        InstallationRecord storage record = _existing(installationId);
        return (record.beneficiary, record.status, record.projectId);
    }

    /// @inheritdoc IInstallationRegistry
    function certifiedUntil(uint256 installationId) external view returns (uint64) {
        return _installations[installationId].certifiedUntil;
    }

    /// @inheritdoc IInstallationRegistry
    function projects() external view returns (address) {
        return address(_PROJECTS);
    }

    /// @inheritdoc IInstallationRegistry
    function installationOfProject(uint256 projectId) external view returns (uint256 installationId, bool certified) {
        installationId = _installationOfProject[projectId];
        if (installationId != 0) {
            InstallationRecord storage record = _installations[installationId];
            certified = record.certifiedUntil > record.commissionedAt;
        }
    }

    /// @inheritdoc IInstallationRegistry
    function installationCount() external view returns (uint256) {
        return _installationCount;
    }

    /// @inheritdoc IInstallationRegistry
    function emissionFactor(uint16 year) external view returns (uint32 gCo2ePerKwh, string memory source) {
        EmissionFactorRecord storage factor = _emissionFactors[year];
        return (factor.gCo2ePerKwh, factor.source);
    }

    /// @inheritdoc IInstallationRegistry
    function emissionFactorLocked(uint16 year) external view returns (bool) {
        return _emissionFactors[year].locked;
    }

    /// @dev Records that `installationId` is the plant of `projectId` (nothing for projectId 0), a
    ///      project Projects knows (partiesOf reverts otherwise) and that is not cancelled.
    function _linkProject(uint256 installationId, uint256 projectId) private {
        if (projectId == 0) return;
        (uint8 state,,,,) = _PROJECTS.partiesOf(projectId);
        if (state == PROJECT_CANCELLED) revert InstallationRegistryProjectNotLive(projectId, state);
        uint256 linked = _installationOfProject[projectId];
        if (linked != 0) revert InstallationRegistryProjectAlreadyLinked(projectId, linked);
        _installationOfProject[projectId] = installationId;
    }

    /// @dev Every registered installation has a non-zero beneficiary (checked on register and on
    ///      change), so a zero beneficiary means unknown; the slot read is the one callers use next.
    function _existing(uint256 installationId) private view returns (InstallationRecord storage record) {
        record = _installations[installationId];
        if (record.beneficiary == address(0)) revert InstallationRegistryUnknownInstallation(installationId);
    }
}
