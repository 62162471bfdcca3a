// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEnergySales
/// @notice Sells certified energy: per installation an offtaker and a tariff in CLP per kWh. The
///         offtaker deposits payment tokens; `settle` pays tariff x certified kWh for one
///         certificate, once, into the linked marketplace project's crowdfunding revenue (or, with
///         no project, to the installation's beneficiary, who withdraws it with `claim`).
/// @dev Rounding: amountClp = floor(energyWh * tariffClpPerKwh / 1000). The tariff in force when a
///      certificate is settled applies. Settlement is all or nothing: an insufficient deposit reverts.
interface IEnergySales {
    /// @notice Emitted when the terms of installation `installationId` are set.
    event TermsSet(uint256 indexed installationId, address indexed offtaker, uint256 tariffClpPerKwh);
    /// @notice Emitted when `offtaker` deposits `amountClp`.
    event Deposited(address indexed offtaker, uint256 amountClp);
    /// @notice Emitted when `offtaker` withdraws unused `amountClp`.
    event Withdrawn(address indexed offtaker, uint256 amountClp);
    /// @notice Emitted when certificate `certificateId` is settled. projectId 0 = paid to the beneficiary.
    event Settled(
        uint256 indexed installationId,
        uint256 indexed certificateId,
        address indexed offtaker,
        uint256 energyWh,
        uint256 tariffClpPerKwh,
        uint256 amountClp,
        uint256 projectId,
        address beneficiary
    );
    /// @notice Emitted when `beneficiary` withdraws what settlements owed it.
    event Claimed(address indexed beneficiary, uint256 amountClp);

    /// @notice Installation `installationId` has no offtaker and tariff.
    error EnergySalesNoTerms(uint256 installationId);
    /// @notice The offtaker cannot be the zero address.
    error EnergySalesZeroOfftaker();
    /// @notice Certificate `certificateId` belongs to another installation.
    error EnergySalesWrongInstallation(uint256 certificateId, uint256 installationId, uint256 certificateInstallationId);
    /// @notice Certificate `certificateId` was already settled.
    error EnergySalesAlreadySettled(uint256 certificateId);
    /// @notice The offtaker's deposit does not cover the settlement (nothing is paid partially).
    error EnergySalesInsufficientDeposit(address offtaker, uint256 requiredClp, uint256 availableClp);
    /// @notice The tariff does not fit 96 bits (no real tariff comes near 2^96 CLP per kWh).
    error EnergySalesTariffTooLarge(uint256 tariffClpPerKwh);
    /// @notice Amounts must be above zero.
    error EnergySalesZeroAmount();
    /// @notice A tariff must be above zero (a zero tariff would let anyone settle certificates for nothing).
    error EnergySalesZeroTariff();
    /// @notice floor(energyWh * tariff / 1000) is zero: settling would mark the certificate paid for nothing.
    error EnergySalesNothingToPay(uint256 certificateId);
    /// @notice Nothing is owed to the caller.
    error EnergySalesNothingToClaim(address account);

    /// @notice Role that sets offtakers and tariffs.
    function TARIFF_ROLE() external view returns (bytes32);

    /// @notice Sets the offtaker and tariff of an installation. Tariff role only.
    /// @param installationId The installation (must exist in the registry).
    /// @param offtaker Who pays for the energy (not zero).
    /// @param tariffClpPerKwh Price in CLP (token units) per kWh, above zero.
    function setTerms(uint256 installationId, address offtaker, uint256 tariffClpPerKwh) external;

    /// @notice Deposits `amountClp` of the payment token (approved beforehand) for the caller's settlements.
    /// @param amountClp Amount, above zero.
    function deposit(uint256 amountClp) external;

    /// @notice Withdraws unused deposit.
    /// @param amountClp Amount, above zero and at most the caller's deposit.
    function withdraw(uint256 amountClp) external;

    /// @notice Pays the energy of certificate `certificateId` of installation `installationId`
    ///         from the offtaker's deposit: floor(energyWh * tariffClpPerKwh / 1000) CLP, into
    ///         IProjectRevenue.depositRevenue(projectId, amount) when the installation has a project,
    ///         else owed to its beneficiary (pull with `claim`). Once per certificate.
    /// @dev Permissionless; paused with the contract. Reverts when the installation has no terms,
    ///      the certificate belongs to another installation, it was already settled, the amount
    ///      rounds down to zero (the certificate stays unsettled), or the deposit is insufficient;
    ///      and, into a project, when its crowdfunding cannot take revenue (e.g. no shares yet).
    /// @param installationId The installation.
    /// @param certificateId The certificate (token id of GenerationCertificates).
    /// @return amountClp What was paid.
    function settle(uint256 installationId, uint256 certificateId) external returns (uint256 amountClp);

    /// @notice Withdraws what settlements owe the caller as a beneficiary.
    /// @return amountClp What was paid out.
    function claim() external returns (uint256 amountClp);

    /// @notice Stops settlement. Admin only.
    function pause() external;

    /// @notice Resumes settlement. Admin only.
    function unpause() external;

    /// @notice Offtaker and tariff of an installation (zero when not set).
    /// @param installationId The installation.
    /// @return offtaker Who pays.
    /// @return tariffClpPerKwh CLP per kWh.
    function terms(uint256 installationId) external view returns (address offtaker, uint256 tariffClpPerKwh);

    /// @notice Unused deposit of `offtaker`.
    /// @param offtaker The offtaker.
    /// @return CLP.
    function depositOf(address offtaker) external view returns (uint256);

    /// @notice What settlements owe `beneficiary` (claimable).
    /// @param beneficiary The beneficiary.
    /// @return CLP.
    function owedTo(address beneficiary) external view returns (uint256);

    /// @notice Whether certificate `certificateId` has been settled.
    /// @param certificateId The certificate.
    /// @return True once settled.
    function isSettled(uint256 certificateId) external view returns (bool);

    /// @notice What settling `certificateId` of `installationId` would pay now.
    /// @param installationId The installation.
    /// @param certificateId The certificate.
    /// @return amountClp floor(energyWh * tariffClpPerKwh / 1000).
    function quote(uint256 installationId, uint256 certificateId) external view returns (uint256 amountClp);
}
