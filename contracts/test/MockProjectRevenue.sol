// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IProjectRevenue} from "../../interfaces/IProjectRevenue.sol";

/// @title MockProjectRevenue
/// @notice Test-only stand-in for the marketplace's Crowdfunding: pulls the revenue like the real
///         one and keeps a total per project.
contract MockProjectRevenue is IProjectRevenue {
    using SafeERC20 for IERC20;

    /// @notice The payment token pulled by `depositRevenue`.
    IERC20 public immutable token;
    /// @notice Total revenue deposited for each project, in token units (CLP on PesoToken).
    mapping(uint256 projectId => uint256 amountClp) public revenueOf;

    /// @notice Projects whose revenue this mock refuses (as Crowdfunding refuses a cancelled project's).
    mapping(uint256 projectId => bool) public refuses;

    /// @param token_ The payment token.
    constructor(IERC20 token_) {
        token = token_;
    }

    /// @inheritdoc IProjectRevenue
    /// @dev Unlike Crowdfunding, accepts zero amounts and any project id (there are no shares), and
    ///      books the amount before pulling it.
    function depositRevenue(uint256 projectId, uint256 amountClp) external {
        revenueOf[projectId] += amountClp;
        emit RevenueDeposited(projectId, msg.sender, amountClp);
        token.safeTransferFrom(msg.sender, address(this), amountClp);
    }

    /// @notice Makes the mock refuse (or accept again) revenue for `projectId`.
    /// @param projectId The project.
    /// @param refused True to refuse its revenue.
    function setRefuses(uint256 projectId, bool refused) external {
        refuses[projectId] = refused;
    }

    /// @inheritdoc IProjectRevenue
    function acceptsRevenue(uint256 projectId) external view returns (bool) {
        return !refuses[projectId];
    }
}
