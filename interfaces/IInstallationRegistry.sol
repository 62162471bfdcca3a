// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IInstallationRegistry
/// @notice PV installations (public solar roof sites and marketplace projects), their dataloggers and
///         beneficiaries, and the grid emission factor of each year.
/// @dev A registrar role manages installations; the admin sets emission factors; the certificates
///      contract (certifier role) authorises each issuance, which locks the emission factor of the
///      certificate's year so it can never change afterwards.
interface IInstallationRegistry {
    /// @notice Lifecycle of an installation. Only active installations can have generation certified.
    enum InstallationStatus {
        Active,
        Suspended,
        Decommissioned
    }

    /// @notice What the registrar supplies when registering an installation.
    struct InstallationParams {
        address beneficiary;
        uint64 capacityW;
        int32 latE6;
        int32 lonE6;
        uint32 communeCode;
        uint64 commissionedAt;
        uint256 projectId;
        string technology;
        string dataloggerKind;
        string dataloggerSerial;
        string programme;
    }

    /// @notice An installation as stored. Coordinates in millionths of a degree (WGS84), communeCode
    ///         = Chilean CUT commune code, commissionedAt = unix seconds (UTC), projectId 0 = none.
    struct Installation {
        address beneficiary;
        InstallationStatus status;
        uint64 capacityW;
        int32 latE6;
        int32 lonE6;
        uint32 communeCode;
        uint64 commissionedAt;
        uint256 projectId;
        string technology;
        string dataloggerKind;
        string dataloggerSerial;
        string programme;
    }

    /// @notice Emitted when installation `installationId` is registered.
    event InstallationRegistered(
        uint256 indexed installationId, address indexed beneficiary, uint256 indexed projectId, uint64 capacityW, string programme
    );
    /// @notice Emitted when an installation's status changes.
    event InstallationStatusChanged(uint256 indexed installationId, InstallationStatus previousStatus, InstallationStatus newStatus);
    /// @notice Emitted when an installation's beneficiary (receiver of future certificates) changes.
    event BeneficiaryChanged(uint256 indexed installationId, address previousBeneficiary, address newBeneficiary);
    /// @notice Emitted when an installation is linked to (or unlinked from, projectId 0) a marketplace project.
    event ProjectLinked(uint256 indexed installationId, uint256 indexed projectId);
    /// @notice Emitted when an installation's datalogger is replaced.
    event DataloggerChanged(uint256 indexed installationId, string dataloggerKind, string dataloggerSerial);
    /// @notice Emitted when the grid emission factor of `year` is set.
    event EmissionFactorSet(uint16 indexed year, uint32 gCo2ePerKwh, string source);
    /// @notice Emitted the first time a certificate uses the emission factor of `year`; it is final from then on.
    event EmissionFactorLocked(uint16 indexed year, uint32 gCo2ePerKwh);

    /// @notice No installation has this id.
    error InstallationRegistryUnknownInstallation(uint256 installationId);
    /// @notice The beneficiary cannot be the zero address.
    error InstallationRegistryZeroBeneficiary();
    /// @notice Capacity must be above zero watts.
    error InstallationRegistryZeroCapacity();
    /// @notice Latitude must lie in [-90, 90] and longitude in [-180, 180] degrees.
    error InstallationRegistryInvalidCoordinates(int32 latE6, int32 lonE6);
    /// @notice A decommissioned installation is final: its status cannot change any more.
    error InstallationRegistryDecommissioned(uint256 installationId);
    /// @notice The installation already has this status.
    error InstallationRegistryStatusUnchanged(uint256 installationId, InstallationStatus status);
    /// @notice Generation can only be certified for active installations.
    error InstallationRegistryNotActive(uint256 installationId, InstallationStatus status);
    /// @notice The commissioning date does not fit 40 bits of unix seconds.
    error InstallationRegistryInvalidCommissioning(uint64 commissionedAt);
    /// @notice Marketplace project ids are stored in 48 bits (they are sequential).
    error InstallationRegistryProjectIdTooLarge(uint256 projectId);
    /// @notice Project `projectId` already has its installation, `installationId` (one plant per project).
    error InstallationRegistryProjectAlreadyLinked(uint256 projectId, uint256 installationId);
    /// @notice The installation is already linked to `projectId`.
    error InstallationRegistryProjectUnchanged(uint256 installationId, uint256 projectId);
    /// @notice The period passed for issuance ends beyond 40 bits of unix seconds.
    error InstallationRegistryInvalidPeriod(uint64 periodStart, uint64 periodEnd);
    /// @notice The period does not start exactly at the installation's watermark: a period starting
    ///         earlier is (partly) certified already, one starting later waits for the leaf that
    ///         starts at the watermark (so no issuance can make an earlier period uncertifiable).
    error InstallationRegistryPeriodNotNext(uint256 installationId, uint64 periodStart, uint64 certifiedUntil);
    /// @notice The leaf carries more Wh than the installation's capacity could produce in the
    ///         period: energyWh * 3600 must not exceed capacityW * (periodEnd - periodStart).
    error InstallationRegistryEnergyAboveCapacity(uint256 installationId, uint256 energyWh, uint256 maxEnergyWh);
    /// @notice Project `projectId` is cancelled (state `state`): an installation links only to a live project.
    error InstallationRegistryProjectNotLive(uint256 projectId, uint8 state);
    /// @notice A constructor argument is the zero address.
    error InstallationRegistryZeroAddress();
    /// @notice A zero emission factor is not a value (zero means "not set").
    error InstallationRegistryZeroEmissionFactor(uint16 year);
    /// @notice The factor of `year` is already used by certificates and can no longer change.
    error InstallationRegistryEmissionFactorLocked(uint16 year, uint32 gCo2ePerKwh);
    /// @notice No emission factor is set for `year`: certificates of that year cannot be issued yet.
    error InstallationRegistryEmissionFactorNotSet(uint16 year);

    /// @notice Role that registers installations and changes their status, beneficiary, project and datalogger.
    function REGISTRAR_ROLE() external view returns (bytes32);

    /// @notice Role of the certificates contract: authorises issuance and locks emission factors.
    function CERTIFIER_ROLE() external view returns (bytes32);

    /// @notice Registers an installation (status active). Ids are sequential from 1.
    /// @dev Registrar only. Reverts on a zero beneficiary, zero capacity, coordinates out of range, a
    ///      commissioning date beyond 2^40 s, a project id beyond 2^48 - 1, a project unknown to
    ///      Projects (its ProjectsUnknownProject), a cancelled project (InstallationRegistryProjectNotLive)
    ///      or a project that already has an installation (one plant per project). The certification
    ///      watermark starts at the commissioning date: no generation before it can be certified.
    /// @param params Every field of the installation except its status.
    /// @return installationId The new installation's id.
    function registerInstallation(InstallationParams calldata params) external returns (uint256 installationId);

    /// @notice Suspends, reactivates or decommissions an installation. Decommissioning is final.
    /// @dev Registrar only. Suspended and decommissioned installations cannot issue certificates.
    /// @param installationId The installation.
    /// @param newStatus The status to set (must differ from the current one).
    function setStatus(uint256 installationId, InstallationStatus newStatus) external;

    /// @notice Changes who receives the installation's future certificates (and sales revenue when
    ///         the installation has no project). Certificates already issued stay where they are.
    /// @dev Registrar only.
    /// @param installationId The installation.
    /// @param newBeneficiary The new beneficiary (not zero).
    function setBeneficiary(uint256 installationId, address newBeneficiary) external;

    /// @notice Links the installation to marketplace project `projectId` (0 unlinks it); energy
    ///         sales then pay into that project's crowdfunding revenue.
    /// @dev Registrar only. Reverts for a project id beyond 2^48 - 1, for the project the
    ///      installation already has, for a project another installation is linked to, and (projectId
    ///      not 0) for a project unknown to Projects or cancelled (InstallationRegistryProjectNotLive).
    /// @param installationId The installation.
    /// @param projectId The marketplace project id, or 0 for none.
    function setProjectId(uint256 installationId, uint256 projectId) external;

    /// @notice Records a replaced datalogger.
    /// @dev Registrar only.
    /// @param installationId The installation.
    /// @param dataloggerKind E.g. "blue'Log X-1000" or "meter".
    /// @param dataloggerSerial The datalogger's serial number.
    function setDatalogger(uint256 installationId, string calldata dataloggerKind, string calldata dataloggerSerial) external;

    /// @notice Sets the grid emission factor of `year` (gCO2e per kWh) and where it comes from.
    /// @dev Admin only. Reverts once a certificate of that year has been issued (the factor is then
    ///      locked), so the mitigation of issued certificates never changes.
    /// @param year Calendar year (UTC) of the certificates the factor applies to.
    /// @param gCo2ePerKwh Grams of CO2 equivalent per kWh, above zero.
    /// @param source Where the number comes from (e.g. "CNE/Ministerio de Energia SEN 2024").
    function setEmissionFactor(uint16 year, uint32 gCo2ePerKwh, string calldata source) external;

    /// @notice Called by the certificates contract for each issuance: checks that the installation
    ///         is active, that the period starts EXACTLY at its watermark (`periodStart ==
    ///         certifiedUntil(installationId)`; the first period starts at the commissioning date),
    ///         that the energy fits the installation's capacity over the period and that `year` has
    ///         an emission factor, locks that factor, moves the watermark to `periodEnd` and returns
    ///         who receives the certificate.
    /// @dev Certifier only. Issuance rule: periods are certified back to back, each starting where
    ///      the last one ended, so no Wh is certified twice and no order of calls by anyone can make
    ///      a verified period uncertifiable (a later period cannot jump the watermark past an earlier
    ///      one). A datalogger outage, a rejected or held-back day is covered by a later leaf that
    ///      spans it from the watermark. Nothing moves the watermark but a certificate. Reverts with
    ///      InstallationRegistryPeriodNotNext when `periodStart != certifiedUntil(installationId)`,
    ///      InstallationRegistryInvalidPeriod for an empty period and
    ///      InstallationRegistryEnergyAboveCapacity when `energyWh * 3600 > capacityW * (periodEnd -
    ///      periodStart)`. The watermark shares the installation's first storage slot with the
    ///      beneficiary and status, so this writes one slot (and reads the capacity's).
    /// @param installationId The installation whose generation is certified.
    /// @param year UTC year of the certified period's start.
    /// @param periodStart Start of the certified period (unix s UTC).
    /// @param periodEnd End of the certified period (unix s UTC).
    /// @param energyWh Wh the certificate carries.
    /// @return beneficiary The installation's beneficiary.
    function authorizeIssuance(uint256 installationId, uint16 year, uint64 periodStart, uint64 periodEnd, uint256 energyWh)
        external
        returns (address beneficiary);

    /// @notice End of the last certified period of `installationId`, or its commissioning date when
    ///         nothing is certified yet (0 for an unknown id): the next leaf must start EXACTLY at it
    ///         (a gap is covered by a leaf spanning it from here). Only a certificate moves it.
    /// @param installationId The installation.
    /// @return Unix seconds (UTC).
    function certifiedUntil(uint256 installationId) external view returns (uint64);

    /// @notice The Projects contract whose projects installations link to.
    /// @return Its address.
    function projects() external view returns (address);

    /// @notice An installation with every field.
    /// @param installationId The installation (reverts if unknown).
    /// @return The installation.
    function installation(uint256 installationId) external view returns (Installation memory);

    /// @notice The fields other contracts need, read cheaply.
    /// @param installationId The installation (reverts if unknown).
    /// @return beneficiary Receiver of certificates and project-less sales revenue.
    /// @return status Current status.
    /// @return projectId Linked marketplace project, 0 for none.
    function installationCore(uint256 installationId)
        external
        view
        returns (address beneficiary, InstallationStatus status, uint256 projectId);

    /// @notice The installation linked to marketplace project `projectId`, and whether any of its
    ///         generation has been certified (a certificate was issued: its watermark has moved
    ///         past the commissioning date). Projects releases a financed project's last tranche on it.
    /// @param projectId The marketplace project.
    /// @return installationId The linked installation, 0 for none.
    /// @return certified True once a certificate of that installation has been issued.
    function installationOfProject(uint256 projectId) external view returns (uint256 installationId, bool certified);

    /// @notice Number of installations registered (ids are 1..installationCount).
    /// @return The count.
    function installationCount() external view returns (uint256);

    /// @notice The emission factor of `year`.
    /// @param year Calendar year (UTC).
    /// @return gCo2ePerKwh Grams CO2e per kWh (0 when not set).
    /// @return source Where the number comes from.
    function emissionFactor(uint16 year) external view returns (uint32 gCo2ePerKwh, string memory source);

    /// @notice Whether certificates already use the factor of `year` (it is then final).
    /// @param year Calendar year (UTC).
    /// @return True when locked.
    function emissionFactorLocked(uint16 year) external view returns (bool);
}
