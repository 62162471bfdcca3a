// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProjectRevenue
/// @notice Where a project's energy revenue is paid in: the crowdfunding contract implements it,
///         and energy sales call it ("if A receives X kWh, B automatically receives Y pesos").
interface IProjectRevenue {
    /// @notice Emitted when `payer` adds `amountClp` to the revenue of project `projectId`.
    event RevenueDeposited(uint256 indexed projectId, address indexed payer, uint256 amountClp);

    /// @notice Pulls `amountClp` of the payment token from the caller (which must have approved
    ///         this contract) and adds it to the revenue shared by project `projectId`'s shareholders.
    /// @param projectId The marketplace project whose shareholders earn the revenue.
    /// @param amountClp Amount of the payment token (whole pesos on PesoToken).
    function depositRevenue(uint256 projectId, uint256 amountClp) external;

    /// @notice Whether `depositRevenue(projectId, ...)` would be accepted now: the project has
    ///         shareholders and has not been cancelled. Energy sales pay the installation's
    ///         beneficiary instead when it is false.
    /// @param projectId The marketplace project.
    /// @return True when revenue for the project is accepted.
    function acceptsRevenue(uint256 projectId) external view returns (bool);
}
