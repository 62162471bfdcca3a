// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProjectRevenue} from "./IProjectRevenue.sol";

/// @title ICrowdfunding
/// @notice One contract for every project's campaign and revenue. A campaign's goal is its project's
///         total; contributions (capped at what is still missing) become shares in the project once the
///         goal is met and the campaign finalized (funds go to the project's escrow); after a missed
///         deadline every contributor gets every peso back. Revenue deposited for a project is shared
///         by a per-share accumulator: no loop over investors, rounding down, dust stays claimable.
/// @dev Campaign state: 0 = Open, 1 = Finalized, 2 = Failed (derived: deadline passed without the goal),
///      3 = Cancelled (the project was cancelled; contributors share the refund pro rata).
interface ICrowdfunding is IProjectRevenue {
    /// @notice A campaign as read by clients.
    struct Campaign {
        uint256 projectId;
        address owner;
        uint128 goalClp;
        uint128 raisedClp;
        uint128 minContributionClp;
        uint64 deadline;
        uint8 state;
    }

    /// @notice Campaign `campaignId` for project `projectId` opened with goal `goalClp` until `deadline`.
    event CampaignOpened(uint256 indexed campaignId, uint256 indexed projectId, address indexed owner, uint256 goalClp, uint256 minContributionClp, uint64 deadline);
    /// @notice `investor` contributed `amountClp` (after capping) to campaign `campaignId`, which has now raised `raisedClp`.
    event Contributed(uint256 indexed campaignId, address indexed investor, uint256 amountClp, uint256 raisedClp);
    /// @notice Campaign `campaignId` met its goal and sent `amountClp` to its project's escrow.
    event CampaignFinalized(uint256 indexed campaignId, uint256 indexed projectId, uint256 amountClp);
    /// @notice Campaign `campaignId` was cancelled with its project; `refundPoolClp` is shared by contributors.
    event CampaignCancelled(uint256 indexed campaignId, uint256 indexed projectId, uint256 refundPoolClp);
    /// @notice `investor` got `amountClp` back from campaign `campaignId`.
    event Refunded(uint256 indexed campaignId, address indexed investor, uint256 amountClp);
    /// @notice The owner of self-funded project `projectId` now holds all `shares`.
    event SelfFundingRecorded(uint256 indexed projectId, address indexed owner, uint256 shares);
    /// @notice `account` claimed `amountClp` of project `projectId`'s revenue.
    event RevenueClaimed(uint256 indexed projectId, address indexed account, uint256 amountClp);
    /// @notice New campaigns last `durationS` seconds and take contributions of at least `minContributionClp`.
    event CampaignTermsSet(uint64 durationS, uint128 minContributionClp);

    /// @notice Campaign `campaignId` does not exist.
    error CrowdfundingUnknownCampaign(uint256 campaignId);
    /// @notice Campaign `campaignId` is in state `state`, which does not allow this.
    error CrowdfundingWrongState(uint256 campaignId, uint8 state);
    /// @notice Campaign `campaignId`'s deadline `deadline` has passed (block time `nowS`).
    error CrowdfundingDeadlinePassed(uint256 campaignId, uint64 deadline, uint256 nowS);
    /// @notice Campaign `campaignId` already raised its whole goal.
    error CrowdfundingGoalAlreadyMet(uint256 campaignId);
    /// @notice Campaign `campaignId` raised `raisedClp` of `goalClp`: it cannot be finalized.
    error CrowdfundingGoalNotMet(uint256 campaignId, uint256 raisedClp, uint256 goalClp);
    /// @notice `amountClp` is below the minimum `minContributionClp` (and does not complete the goal).
    error CrowdfundingBelowMinimum(uint256 campaignId, uint256 amountClp, uint256 minContributionClp);
    /// @notice `account` has nothing to get back from campaign `campaignId`.
    error CrowdfundingNothingToRefund(uint256 campaignId, address account);
    /// @notice Project `projectId` has no shares, so revenue deposited could never be claimed.
    error CrowdfundingNoShares(uint256 projectId);
    /// @notice `account` has no revenue of project `projectId` to claim.
    error CrowdfundingNothingToClaim(uint256 projectId, address account);
    /// @notice Amounts must be above zero.
    error CrowdfundingZeroAmount();
    /// @notice Project `projectId` already has shares.
    error CrowdfundingAlreadyFunded(uint256 projectId);
    /// @notice Campaign duration must be above zero.
    error CrowdfundingZeroDuration();
    /// @notice A value does not fit the storage width (`value` above `max`).
    error CrowdfundingValueTooLarge(uint256 value, uint256 max);

    /// @notice Opens a campaign for project `projectId` with goal `goalClp`. PROJECTS_ROLE only.
    /// @return campaignId The new campaign's id (1, 2, ...).
    function openCampaign(uint256 projectId, address owner, uint256 goalClp) external returns (uint256 campaignId);

    /// @notice Contributes to an open campaign before its deadline; pulls min(amountClp, what is missing).
    /// @param amountClp At least the campaign's minimum unless it completes the goal.
    function contribute(uint256 campaignId, uint256 amountClp) external;

    /// @notice Finalizes a campaign whose goal is met: sends the funds to its project's escrow. Anyone.
    function finalize(uint256 campaignId) external;

    /// @notice Gives the caller its contribution back from a failed (deadline missed) campaign, or its
    ///         pro-rata part of the refund of a cancelled project.
    /// @return amountClp The amount transferred.
    function refund(uint256 campaignId) external returns (uint256 amountClp);

    /// @notice Records that project `projectId`'s owner paid its total `shares` CLP itself. PROJECTS_ROLE only.
    function recordSelfFunding(uint256 projectId, address owner, uint256 shares) external;

    /// @notice Campaign `campaignId`'s project was cancelled; `refundClp` was already transferred here for its
    ///         contributors (0 if the campaign was not finalized: then the raise itself is refunded). PROJECTS_ROLE only.
    function cancelCampaign(uint256 campaignId, uint256 refundClp) external;

    /// @notice Pays the caller its share of project `projectId`'s revenue not yet claimed.
    /// @return amountClp The amount transferred.
    function claimRevenue(uint256 projectId) external returns (uint256 amountClp);

    /// @notice Sets duration and minimum contribution of campaigns opened from now on. Admin only.
    function setCampaignTerms(uint64 durationS, uint128 minContributionClp) external;

    /// @notice Role of the projects contract.
    function PROJECTS_ROLE() external view returns (bytes32);

    /// @notice The payment token (any ERC-20).
    function paymentToken() external view returns (address);

    /// @notice Duration in seconds of campaigns opened from now on.
    function campaignDurationS() external view returns (uint64);

    /// @notice Minimum contribution of campaigns opened from now on.
    function minContributionClp() external view returns (uint128);

    /// @notice Number of campaigns (ids are 1..count).
    function campaignCount() external view returns (uint256);

    /// @notice Campaign `campaignId` (state derived: Failed once the deadline passed without the goal).
    function campaign(uint256 campaignId) external view returns (Campaign memory);

    /// @notice Campaigns with ids fromId .. min(fromId + count - 1, campaignCount()).
    function campaignsPage(uint256 fromId, uint256 count) external view returns (Campaign[] memory);

    /// @notice What `account` contributed to campaign `campaignId` (kept after a refund; see `refunded`).
    function contributionOf(uint256 campaignId, address account) external view returns (uint256);

    /// @notice Whether `account` took its refund from campaign `campaignId`.
    function refunded(uint256 campaignId, address account) external view returns (bool);

    /// @notice Revenue shares of `account` in project `projectId` (0 until the campaign is finalized).
    function sharesOf(uint256 projectId, address account) external view returns (uint256);

    /// @notice Total revenue shares of project `projectId` (= its total once funded).
    function totalShares(uint256 projectId) external view returns (uint256);

    /// @notice Revenue of project `projectId` that `account` can claim now.
    function claimableRevenue(uint256 projectId, address account) external view returns (uint256);

    /// @notice Revenue `account` already claimed from project `projectId`.
    function claimedRevenue(uint256 projectId, address account) external view returns (uint256);

    /// @notice Revenue ever deposited for project `projectId`.
    function revenueDeposited(uint256 projectId) external view returns (uint256);
}
