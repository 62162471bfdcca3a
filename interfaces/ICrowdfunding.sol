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
    /// @notice Self-funded project `projectId` was cancelled after funding: its shares earn no more revenue.
    event RevenueClosed(uint256 indexed projectId);
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
    /// @notice Project `projectId` was cancelled: its shares earn no more revenue.
    error CrowdfundingRevenueClosed(uint256 projectId);
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
    /// @notice Only the projects contract may do this; `caller` is not it.
    error CrowdfundingNotProjects(address caller);
    /// @notice The refund `refundClp` for campaign `campaignId` is more than the `raisedClp` it raised.
    error CrowdfundingRefundAboveRaised(uint256 campaignId, uint256 refundClp, uint256 raisedClp);
    /// @notice A zero address was given for the admin, the token or the projects contract.
    error CrowdfundingZeroAddress();

    /// @notice Opens a campaign for project `projectId` with goal `goalClp`. Only the projects contract.
    /// @dev The deadline is block time + campaignDurationS() and the minimum is minContributionClp(), both
    ///      as set when the campaign opens. Reverts for a zero goal.
    /// @param projectId The project the campaign pays for (the projects contract calls this when it
    ///        creates a project that needs financing).
    /// @param owner The project's owner, recorded as the campaign's owner.
    /// @param goalClp The project's total in CLP (platform fee included), above zero, at most 2^64 - 1.
    /// @return campaignId The new campaign's id (1, 2, ...).
    function openCampaign(uint256 projectId, address owner, uint256 goalClp) external returns (uint256 campaignId);

    /// @notice Contributes to an open campaign before its deadline; pulls min(amountClp, what is missing).
    /// @param campaignId The campaign: Open, before its deadline, goal not yet fully raised.
    /// @param amountClp At least the campaign's minimum unless it completes the goal. CLP, above zero,
    ///        pulled from the caller (approve first) after capping; what is accepted becomes the
    ///        caller's revenue shares once the campaign is finalized.
    function contribute(uint256 campaignId, uint256 amountClp) external;

    /// @notice Finalizes a campaign whose goal is met: sends the funds to its project's escrow. Anyone.
    /// @param campaignId The campaign: Open with its whole goal raised (also after the deadline). Its
    ///        project's total shares become the amount raised.
    function finalize(uint256 campaignId) external;

    /// @notice Gives the caller its contribution back from a failed (deadline missed) campaign, or its
    ///         pro-rata part of the refund of a cancelled project.
    /// @param campaignId A Failed or Cancelled campaign the caller contributed to and was not yet refunded from.
    /// @return amountClp The amount transferred. Failed: the caller's whole contribution. Cancelled:
    ///         about contribution x refund pool / amount raised, rounded so that the refunds add up to
    ///         exactly the pool (each within 1 CLP of its exact share; may be 0).
    function refund(uint256 campaignId) external returns (uint256 amountClp);

    /// @notice Records that project `projectId`'s owner paid its total `shares` CLP itself. Only the projects
    ///         contract, from `fund` of a self-funded project.
    /// @param projectId The self-funded project; reverts if it already has shares.
    /// @param owner The project's owner, who gets every share.
    /// @param shares The project's total in CLP (one share per CLP paid), above zero.
    function recordSelfFunding(uint256 projectId, address owner, uint256 shares) external;

    /// @notice Campaign `campaignId`'s project was cancelled; `refundClp` was already transferred here for its
    ///         contributors (0 if the campaign was not finalized: then the raise itself is refunded). Only the
    ///         projects contract. The project's revenue is closed (acceptsRevenue false from now on).
    /// @param campaignId The campaign; reverts if it is already cancelled.
    /// @param refundClp CLP of the project's escrow sent back for the contributors of a finalized
    ///        campaign, at most what it raised; ignored when the campaign was not finalized (the refund
    ///        pool is then the amount raised).
    function cancelCampaign(uint256 campaignId, uint256 refundClp) external;

    /// @notice Self-funded project `projectId` was cancelled after funding (its owner gets the escrow back):
    ///         its shares earn no more revenue, and depositRevenue for it reverts from now on. Only the
    ///         projects contract.
    /// @param projectId The project; reverts if its revenue is already closed.
    function closeRevenue(uint256 projectId) external;

    /// @notice Pays the caller its share of project `projectId`'s revenue not yet claimed.
    /// @param projectId The project whose revenue shares the caller holds.
    /// @return amountClp The amount transferred: floor(shares x revenueDeposited / totalShares) minus
    ///         what the caller already claimed, in CLP (reverts when it is 0).
    function claimRevenue(uint256 projectId) external returns (uint256 amountClp);

    /// @notice Sets duration and minimum contribution of campaigns opened from now on. Admin only.
    /// @param durationS Campaign duration in seconds, above zero.
    /// @param newMinContributionClp Minimum contribution in CLP, at most 2^64 - 1.
    function setCampaignTerms(uint64 durationS, uint128 newMinContributionClp) external;

    /// @notice The payment token (any ERC-20).
    /// @return Its address.
    function paymentToken() external view returns (address);

    /// @notice Duration in seconds of campaigns opened from now on.
    /// @return Seconds.
    function campaignDurationS() external view returns (uint64);

    /// @notice Minimum contribution of campaigns opened from now on.
    /// @return CLP.
    function minContributionClp() external view returns (uint128);

    /// @notice Number of campaigns (ids are 1..count).
    /// @return The count.
    function campaignCount() external view returns (uint256);

    /// @notice Campaign `campaignId` (state derived: Failed once the deadline passed without the goal).
    /// @param campaignId The campaign (reverts if unknown).
    /// @return The campaign: goalClp, raisedClp and minContributionClp in CLP, deadline in unix seconds
    ///         (UTC; contributions are accepted before it), state 0 = Open, 1 = Finalized, 2 = Failed,
    ///         3 = Cancelled.
    function campaign(uint256 campaignId) external view returns (Campaign memory);

    /// @notice Campaigns with ids fromId .. min(fromId + count - 1, campaignCount()).
    /// @param fromId First id (0 reads as 1).
    /// @param count Most campaigns to return.
    /// @return The campaigns in id order (empty when count is 0 or fromId is past campaignCount()).
    function campaignsPage(uint256 fromId, uint256 count) external view returns (Campaign[] memory);

    /// @notice What `account` contributed to campaign `campaignId` (kept after a refund; see `refunded`).
    /// @param campaignId The campaign (reverts if unknown).
    /// @param account The contributor.
    /// @return CLP accepted from `account` (after capping).
    function contributionOf(uint256 campaignId, address account) external view returns (uint256);

    /// @notice Whether `account` took its refund from campaign `campaignId`.
    /// @param campaignId The campaign (false if unknown).
    /// @param account The contributor.
    /// @return True once refunded.
    function refunded(uint256 campaignId, address account) external view returns (bool);

    /// @notice Revenue shares of `account` in project `projectId` (0 until the campaign is finalized).
    /// @param projectId The project.
    /// @param account The shareholder.
    /// @return Shares (one per CLP contributed or, when self-funded, paid).
    function sharesOf(uint256 projectId, address account) external view returns (uint256);

    /// @notice Total revenue shares of project `projectId` (= its total once funded).
    /// @param projectId The project.
    /// @return Shares (0 while unfunded).
    function totalShares(uint256 projectId) external view returns (uint256);

    /// @notice Revenue of project `projectId` that `account` can claim now.
    /// @param projectId The project.
    /// @param account The shareholder.
    /// @return CLP: floor(shares x revenueDeposited / totalShares) minus what `account` already claimed.
    function claimableRevenue(uint256 projectId, address account) external view returns (uint256);

    /// @notice Revenue `account` already claimed from project `projectId`.
    /// @param projectId The project.
    /// @param account The shareholder.
    /// @return CLP.
    function claimedRevenue(uint256 projectId, address account) external view returns (uint256);

    /// @notice Revenue ever deposited for project `projectId`.
    /// @param projectId The project.
    /// @return CLP (sum of every depositRevenue for it).
    function revenueDeposited(uint256 projectId) external view returns (uint256);
}
