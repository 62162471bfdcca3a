// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICrowdfunding} from "../interfaces/ICrowdfunding.sol";
import {IProjectRevenue} from "../interfaces/IProjectRevenue.sol";
import {IProjects} from "../interfaces/IProjects.sol";

/// @title Crowdfunding
/// @notice Every project's campaign (contribute, finalize, refund) and revenue (deposit, claim) in one
///         contract. Revenue is shared with a per-share accumulator: a deposit and a claim cost the same
///         whatever the number of investors; claims round down and what rounding leaves stays claimable.
/// @dev Shares are fixed once issued (at finalize or self-funding), so the per-share accumulator is kept
///      exactly as the fraction revenueDepositedClp / totalShares: an account has earned
///      floor(shares x revenueDepositedClp / totalShares) in all, and may claim that minus what it claimed.
///      Each claim is within 1 CLP of its exact share, the sum of claims never exceeds the deposits, and
///      the remainder (dust, under 1 CLP per holder) is paid out as later deposits lift the floor.
contract Crowdfunding is AccessControl, ReentrancyGuard, ICrowdfunding {
    using SafeERC20 for IERC20;

    uint8 private constant _OPEN = 0;
    uint8 private constant _FINALIZED = 1;
    uint8 private constant _FAILED = 2;
    uint8 private constant _CANCELLED = 3;

    /// @dev Two slots: (owner, deadline, status, projectId) 32 bytes; (goalClp, raisedClp,
    ///      minContributionClp) 24. Amounts are uint64, the width of every project amount (Projects bounds
    ///      a project's total, the goal, to 2^64 - 1). The stored status is Open, Finalized or Cancelled;
    ///      Failed is derived.
    struct StoredCampaign {
        address owner;
        uint40 deadline;
        uint8 status;
        uint48 projectId;
        uint64 goalClp;
        uint64 raisedClp;
        uint64 minContributionClp;
    }

    /// @dev A project's revenue pool in one slot: a deposit reads and writes a single slot. Revenue per
    ///      share is revenueDepositedClp / totalShares.
    struct RevenuePool {
        uint128 revenueDepositedClp;
        uint64 totalShares;
        bool closed;
    }

    /// @dev An account's stake in a project: contribution = shares; revenue already claimed.
    struct Position {
        uint128 shares;
        uint128 claimedClp;
    }

    /// @dev Refunds of a cancelled or failed campaign: the pool shared and the contributions refunded so far.
    struct RefundState {
        uint128 poolClp;
        uint128 refundedContributionClp;
    }

    IERC20 private immutable _TOKEN;
    IProjects private immutable _PROJECTS;

    mapping(uint256 campaignId => StoredCampaign) private _campaigns;
    mapping(uint256 projectId => RevenuePool) private _pools;
    mapping(uint256 projectId => mapping(address account => Position)) private _positions;
    mapping(uint256 campaignId => RefundState) private _refunds;
    mapping(uint256 campaignId => mapping(address account => bool)) private _refunded;
    // One slot: opening a campaign reads all three. The id starts at 1 and stays non-zero, so opening
    // a campaign rewrites a non-zero slot (5k gas, not 20k).
    uint64 private _nextCampaignId = 1;
    uint64 private _campaignDurationS;
    uint128 private _minContributionClp;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (campaign terms).
    /// @param token The payment token (any ERC-20).
    /// @param projects_ The projects contract: receives finalized campaigns' funds, and is the only caller
    ///        of openCampaign, recordSelfFunding, cancelCampaign and closeRevenue.
    /// @param campaignDurationS_ Duration of new campaigns in seconds.
    /// @param minContributionClp_ Minimum contribution of new campaigns.
    constructor(address admin, IERC20 token, IProjects projects_, uint64 campaignDurationS_, uint128 minContributionClp_) {
        if (admin == address(0) || address(token) == address(0) || address(projects_) == address(0)) {
            revert CrowdfundingZeroAddress();
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _TOKEN = token;
        _PROJECTS = projects_;
        _setCampaignTerms(campaignDurationS_, minContributionClp_);
    }

    /// @inheritdoc ICrowdfunding
    function openCampaign(uint256 projectId, address owner, uint256 goalClp)
        external
        onlyProjects
        returns (uint256 campaignId)
    {
        // Projects opens at most one campaign per project, when it creates the project.
        if (goalClp == 0) revert CrowdfundingZeroAmount();
        campaignId = _nextCampaignId++;
        uint40 deadline = SafeCast.toUint40(block.timestamp + _campaignDurationS);
        uint64 minContribution = SafeCast.toUint64(_minContributionClp);
        _campaigns[campaignId] = StoredCampaign({
            owner: owner,
            deadline: deadline,
            status: _OPEN,
            projectId: SafeCast.toUint48(projectId),
            goalClp: SafeCast.toUint64(goalClp),
            raisedClp: 0,
            minContributionClp: minContribution
        });
        emit CampaignOpened(campaignId, projectId, owner, goalClp, minContribution, deadline);
    }

    /// @inheritdoc ICrowdfunding
    function contribute(uint256 campaignId, uint256 amountClp) external {
        StoredCampaign storage c = _existing(campaignId);
        if (c.status != _OPEN) revert CrowdfundingWrongState(campaignId, c.status);
        if (block.timestamp >= c.deadline) revert CrowdfundingDeadlinePassed(campaignId, c.deadline, block.timestamp);
        uint256 missingClp = uint256(c.goalClp) - c.raisedClp;
        if (missingClp == 0) revert CrowdfundingGoalAlreadyMet(campaignId);
        if (amountClp == 0) revert CrowdfundingZeroAmount();
        if (amountClp < c.minContributionClp && amountClp < missingClp) {
            revert CrowdfundingBelowMinimum(campaignId, amountClp, c.minContributionClp);
        }
        uint256 acceptedClp = amountClp < missingClp ? amountClp : missingClp;
        // acceptedClp <= missingClp = goalClp - raisedClp, so the sum stays within goalClp (uint64).
        uint64 raisedClp;
        unchecked {
            raisedClp = c.raisedClp + uint64(acceptedClp);
        }
        c.raisedClp = raisedClp;
        _positions[c.projectId][msg.sender].shares += uint128(acceptedClp);
        emit Contributed(campaignId, msg.sender, acceptedClp, raisedClp);
        _TOKEN.safeTransferFrom(msg.sender, address(this), acceptedClp);
    }

    /// @inheritdoc ICrowdfunding
    function finalize(uint256 campaignId) external nonReentrant {
        StoredCampaign storage c = _existing(campaignId);
        if (c.status != _OPEN) revert CrowdfundingWrongState(campaignId, c.status);
        if (c.raisedClp != c.goalClp) revert CrowdfundingGoalNotMet(campaignId, c.raisedClp, c.goalClp);
        c.status = _FINALIZED;
        uint256 projectId = c.projectId;
        uint256 raisedClp = c.raisedClp;
        // raisedClp is a uint64 (the goal's width), so the shares always fit: finalize cannot revert on it.
        _pools[projectId].totalShares = uint64(raisedClp);
        emit CampaignFinalized(campaignId, projectId, raisedClp);
        _TOKEN.safeTransfer(address(_PROJECTS), raisedClp);
        _PROJECTS.onCampaignFinalized(projectId, raisedClp);
    }

    /// @inheritdoc ICrowdfunding
    function refund(uint256 campaignId) external nonReentrant returns (uint256 amountClp) {
        StoredCampaign storage c = _existing(campaignId);
        uint8 state = _state(c);
        uint256 poolClp = 0;
        if (state == _FAILED) {
            poolClp = c.raisedClp;
        } else if (state == _CANCELLED) {
            poolClp = _refunds[campaignId].poolClp;
        } else {
            revert CrowdfundingWrongState(campaignId, state);
        }
        uint256 contributionClp = _positions[c.projectId][msg.sender].shares;
        if (contributionClp == 0 || _refunded[campaignId][msg.sender]) {
            revert CrowdfundingNothingToRefund(campaignId, msg.sender);
        }
        _refunded[campaignId][msg.sender] = true;
        RefundState storage r = _refunds[campaignId];
        uint256 before = r.refundedContributionClp;
        uint256 afterThis = before + contributionClp;
        r.refundedContributionClp = uint128(afterThis);
        // Cumulative rounding: the refunds sum to exactly the pool once everyone is refunded, and each
        // is within 1 CLP of contribution x pool / raised; when the pool is the whole raise, exact.
        uint256 raisedClp = c.raisedClp;
        amountClp = (afterThis * poolClp) / raisedClp - (before * poolClp) / raisedClp;
        emit Refunded(campaignId, msg.sender, amountClp);
        if (amountClp > 0) _TOKEN.safeTransfer(msg.sender, amountClp);
    }

    /// @inheritdoc ICrowdfunding
    function recordSelfFunding(uint256 projectId, address owner, uint256 shares) external onlyProjects {
        if (_pools[projectId].totalShares != 0) revert CrowdfundingAlreadyFunded(projectId);
        if (shares == 0) revert CrowdfundingZeroAmount();
        _pools[projectId].totalShares = SafeCast.toUint64(shares);
        _positions[projectId][owner].shares = uint128(shares);
        emit SelfFundingRecorded(projectId, owner, shares);
    }

    /// @inheritdoc ICrowdfunding
    function cancelCampaign(uint256 campaignId, uint256 refundClp) external onlyProjects {
        StoredCampaign storage c = _existing(campaignId);
        if (c.status == _CANCELLED) revert CrowdfundingWrongState(campaignId, _CANCELLED);
        // Finalized: what the project sent back, never more than the campaign raised (no refund pool
        // can reach another campaign's money). Not finalized: the contributions are still here and
        // are refunded whole.
        uint256 poolClp = c.raisedClp;
        if (c.status == _FINALIZED) {
            if (refundClp > poolClp) revert CrowdfundingRefundAboveRaised(campaignId, refundClp, poolClp);
            poolClp = refundClp;
        }
        c.status = _CANCELLED;
        // A cancelled project's shares earn nothing more: its contributors are being refunded.
        _pools[c.projectId].closed = true;
        _refunds[campaignId].poolClp = SafeCast.toUint128(poolClp);
        emit CampaignCancelled(campaignId, c.projectId, poolClp);
    }

    /// @inheritdoc ICrowdfunding
    function closeRevenue(uint256 projectId) external onlyProjects {
        RevenuePool storage pool = _pools[projectId];
        if (pool.closed) revert CrowdfundingRevenueClosed(projectId);
        pool.closed = true;
        emit RevenueClosed(projectId);
    }

    /// @inheritdoc IProjectRevenue
    function depositRevenue(uint256 projectId, uint256 amountClp) external {
        if (amountClp == 0) revert CrowdfundingZeroAmount();
        RevenuePool storage pool = _pools[projectId];
        uint256 totalShares_ = pool.totalShares;
        if (totalShares_ == 0) revert CrowdfundingNoShares(projectId);
        if (pool.closed) revert CrowdfundingRevenueClosed(projectId);
        // Pull first (as ERC-4626 does): a token calling back during the transfer sees the old pool.
        _TOKEN.safeTransferFrom(msg.sender, address(this), amountClp);
        pool.revenueDepositedClp = SafeCast.toUint128(pool.revenueDepositedClp + amountClp);
        emit RevenueDeposited(projectId, msg.sender, amountClp);
    }

    /// @inheritdoc IProjectRevenue
    function acceptsRevenue(uint256 projectId) external view returns (bool) {
        RevenuePool storage pool = _pools[projectId];
        return pool.totalShares != 0 && !pool.closed;
    }

    /// @inheritdoc ICrowdfunding
    function claimRevenue(uint256 projectId) external nonReentrant returns (uint256 amountClp) {
        Position storage position = _positions[projectId][msg.sender];
        amountClp = _claimable(projectId, position);
        if (amountClp == 0) revert CrowdfundingNothingToClaim(projectId, msg.sender);
        // claimedClp + amountClp = floor(shares x deposited / totalShares) <= deposited, a uint128.
        position.claimedClp += uint128(amountClp);
        emit RevenueClaimed(projectId, msg.sender, amountClp);
        _TOKEN.safeTransfer(msg.sender, amountClp);
    }

    /// @inheritdoc ICrowdfunding
    function setCampaignTerms(uint64 durationS, uint128 minContributionClp_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCampaignTerms(durationS, minContributionClp_);
    }

    /// @inheritdoc ICrowdfunding
    function paymentToken() external view returns (address) {
        return address(_TOKEN);
    }

    /// @inheritdoc ICrowdfunding
    function campaignDurationS() external view returns (uint64) {
        return _campaignDurationS;
    }

    /// @inheritdoc ICrowdfunding
    function minContributionClp() external view returns (uint128) {
        return _minContributionClp;
    }

    /// @inheritdoc ICrowdfunding
    function campaignCount() external view returns (uint256) {
        return _nextCampaignId - 1;
    }

    /// @inheritdoc ICrowdfunding
    function campaign(uint256 campaignId) external view returns (Campaign memory) {
        return _campaignView(_existing(campaignId));
    }

    /// @inheritdoc ICrowdfunding
    function campaignsPage(uint256 fromId, uint256 count) external view returns (Campaign[] memory page) {
        if (fromId == 0) fromId = 1;
        uint256 lastId = _nextCampaignId - 1;
        uint256 n = 0;
        if (count > 0 && fromId <= lastId) {
            uint256 remaining = lastId - fromId + 1;
            n = count < remaining ? count : remaining;
        }
        page = new Campaign[](n);
        for (uint256 k = 0; k < n; ++k) {
            page[k] = _campaignView(_campaigns[fromId + k]);
        }
    }

    /// @inheritdoc ICrowdfunding
    function contributionOf(uint256 campaignId, address account) external view returns (uint256) {
        return _positions[_existing(campaignId).projectId][account].shares;
    }

    /// @inheritdoc ICrowdfunding
    function refunded(uint256 campaignId, address account) external view returns (bool) {
        return _refunded[campaignId][account];
    }

    /// @inheritdoc ICrowdfunding
    function sharesOf(uint256 projectId, address account) external view returns (uint256) {
        // Contributions become shares when the campaign is finalized (totalShares is set then).
        if (_pools[projectId].totalShares == 0) return 0;
        return _positions[projectId][account].shares;
    }

    /// @inheritdoc ICrowdfunding
    function totalShares(uint256 projectId) external view returns (uint256) {
        return _pools[projectId].totalShares;
    }

    /// @inheritdoc ICrowdfunding
    function claimableRevenue(uint256 projectId, address account) external view returns (uint256) {
        return _claimable(projectId, _positions[projectId][account]);
    }

    /// @inheritdoc ICrowdfunding
    function claimedRevenue(uint256 projectId, address account) external view returns (uint256) {
        return _positions[projectId][account].claimedClp;
    }

    /// @inheritdoc ICrowdfunding
    function revenueDeposited(uint256 projectId) external view returns (uint256) {
        return _pools[projectId].revenueDepositedClp;
    }

    function _setCampaignTerms(uint64 durationS, uint128 minContributionClp_) private {
        if (durationS == 0) revert CrowdfundingZeroDuration();
        if (minContributionClp_ > type(uint64).max) revert CrowdfundingValueTooLarge(minContributionClp_, type(uint64).max);
        _campaignDurationS = durationS;
        _minContributionClp = minContributionClp_;
        emit CampaignTermsSet(durationS, minContributionClp_);
    }

    /// @dev The peer contract itself, not a role: an admin cannot hand these calls to anyone else.
    modifier onlyProjects() {
        if (msg.sender != address(_PROJECTS)) revert CrowdfundingNotProjects(msg.sender);
        _;
    }

    function _existing(uint256 campaignId) private view returns (StoredCampaign storage c) {
        c = _campaigns[campaignId];
        if (c.owner == address(0)) revert CrowdfundingUnknownCampaign(campaignId);
    }

    function _state(StoredCampaign storage c) private view returns (uint8) {
        uint8 status = c.status;
        if (status == _OPEN && block.timestamp >= c.deadline && c.raisedClp < c.goalClp) return _FAILED;
        return status;
    }

    function _claimable(uint256 projectId, Position storage position) private view returns (uint256) {
        RevenuePool storage pool = _pools[projectId];
        uint256 totalShares_ = pool.totalShares;
        if (totalShares_ == 0) return 0;
        uint256 earnedClp = (uint256(position.shares) * pool.revenueDepositedClp) / totalShares_;
        return earnedClp - position.claimedClp;
    }

    function _campaignView(StoredCampaign storage c) private view returns (Campaign memory) {
        return Campaign({
            projectId: c.projectId,
            owner: c.owner,
            goalClp: c.goalClp,
            raisedClp: c.raisedClp,
            minContributionClp: c.minContributionClp,
            deadline: c.deadline,
            state: _state(c)
        });
    }
}
