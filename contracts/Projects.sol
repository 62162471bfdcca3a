// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {
    IProjects, PROJECT_MATCHED, PROJECT_FUNDED, PROJECT_INSTALLED, PROJECT_COMMISSIONED, PROJECT_CANCELLED
} from "../interfaces/IProjects.sol";
import {ICrowdfunding} from "../interfaces/ICrowdfunding.sol";

/// @title Projects
/// @notice Project lifecycle and escrow: Matched -> Funded -> Installed -> Commissioned, or Cancelled
///         before installation; milestone payouts owed to the parties and pulled with `withdraw`.
/// @dev A project fits in four storage slots (amounts as uint64: 1.8e19 CLP is far above any plant).
contract Projects is AccessControl, ReentrancyGuard, IProjects {
    using SafeERC20 for IERC20;

    /// @inheritdoc IProjects
    bytes32 public constant MARKETPLACE_ROLE = keccak256("MARKETPLACE_ROLE");
    /// @inheritdoc IProjects
    bytes32 public constant CROWDFUNDING_ROLE = keccak256("CROWDFUNDING_ROLE");


    struct StoredProject {
        address owner;
        uint8 state;
        bool needsFinancing;
        bool deliveryConfirmed;
        uint64 feeClp;
        address provider;
        uint64 providerClp;
        uint32 sizeKwp;
        address installer;
        uint64 installerClp;
        address manager;
        uint64 managerClp;
        uint32 campaignId;
    }

    IERC20 private immutable _TOKEN;
    mapping(uint256 projectId => StoredProject) private _projects;
    mapping(address account => uint256 amountClp) private _owed;
    // One slot: creating a project reads both. The id starts at 1 and stays non-zero, so creating a
    // project rewrites a non-zero slot (5k gas, not 20k).
    ICrowdfunding private _crowdfunding;
    uint64 private _nextProjectId = 1;
    address private _treasury;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (sets treasury and crowdfunding, grants roles, may cancel).
    /// @param token The payment token (any ERC-20).
    /// @param treasury_ Where platform fees go.
    constructor(address admin, IERC20 token, address treasury_) {
        if (address(token) == address(0) || treasury_ == address(0)) revert ProjectsZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _TOKEN = token;
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    /// @inheritdoc IProjects
    function createProject(ProjectTerms calldata terms) external onlyRole(MARKETPLACE_ROLE) returns (uint256 projectId) {
        projectId = _nextProjectId++;
        _projects[projectId] = StoredProject({
            owner: terms.owner,
            state: PROJECT_MATCHED,
            needsFinancing: terms.needsFinancing,
            deliveryConfirmed: false,
            feeClp: SafeCast.toUint64(terms.feeClp),
            provider: terms.provider,
            providerClp: SafeCast.toUint64(terms.providerClp),
            sizeKwp: terms.sizeKwp,
            installer: terms.installer,
            installerClp: SafeCast.toUint64(terms.installerClp),
            manager: terms.manager,
            managerClp: SafeCast.toUint64(terms.managerClp),
            campaignId: 0
        });
        uint256 totalClp = terms.providerClp + terms.installerClp + terms.managerClp + terms.feeClp;
        uint256 campaignId = 0;
        if (terms.needsFinancing) {
            if (address(_crowdfunding) == address(0)) revert ProjectsCrowdfundingNotSet();
            campaignId = _crowdfunding.openCampaign(projectId, terms.owner, totalClp);
            _projects[projectId].campaignId = SafeCast.toUint32(campaignId);
        }
        emit ProjectCreated(projectId, terms.owner, totalClp, terms.needsFinancing, campaignId);
    }

    /// @inheritdoc IProjects
    function fund(uint256 projectId) external nonReentrant {
        StoredProject storage p = _existing(projectId);
        if (msg.sender != p.owner) revert ProjectsNotAuthorized(projectId, msg.sender, p.owner);
        if (p.state != PROJECT_MATCHED) revert ProjectsWrongState(projectId, p.state, PROJECT_MATCHED);
        if (p.needsFinancing) revert ProjectsFinancedByCampaign(projectId);
        if (address(_crowdfunding) == address(0)) revert ProjectsCrowdfundingNotSet();
        uint256 totalClp = _total(p);
        p.state = PROJECT_FUNDED;
        emit ProjectFunded(projectId, msg.sender, totalClp);
        _TOKEN.safeTransferFrom(msg.sender, address(this), totalClp);
        // The owner paid everything: it holds all the revenue shares, recorded once.
        _crowdfunding.recordSelfFunding(projectId, msg.sender, totalClp);
    }

    /// @inheritdoc IProjects
    function onCampaignFinalized(uint256 projectId, uint256 amountClp) external onlyRole(CROWDFUNDING_ROLE) {
        StoredProject storage p = _existing(projectId);
        if (p.state != PROJECT_MATCHED) revert ProjectsWrongState(projectId, p.state, PROJECT_MATCHED);
        uint256 totalClp = _total(p);
        if (amountClp != totalClp) revert ProjectsWrongFundingAmount(projectId, amountClp, totalClp);
        p.state = PROJECT_FUNDED;
        emit ProjectFunded(projectId, msg.sender, amountClp);
    }

    /// @inheritdoc IProjects
    function confirmDelivery(uint256 projectId) external {
        StoredProject storage p = _existing(projectId);
        if (msg.sender != p.owner) revert ProjectsNotAuthorized(projectId, msg.sender, p.owner);
        if (p.state != PROJECT_FUNDED) revert ProjectsWrongState(projectId, p.state, PROJECT_FUNDED);
        if (p.deliveryConfirmed) revert ProjectsDeliveryAlreadyConfirmed(projectId);
        p.deliveryConfirmed = true;
        _owed[p.provider] += p.providerClp;
        emit DeliveryConfirmed(projectId, p.provider, p.providerClp);
    }

    /// @inheritdoc IProjects
    function confirmInstallation(uint256 projectId) external {
        StoredProject storage p = _existing(projectId);
        if (msg.sender != p.owner) revert ProjectsNotAuthorized(projectId, msg.sender, p.owner);
        if (p.state != PROJECT_FUNDED) revert ProjectsWrongState(projectId, p.state, PROJECT_FUNDED);
        if (!p.deliveryConfirmed) revert ProjectsDeliveryNotConfirmed(projectId);
        p.state = PROJECT_INSTALLED;
        _owed[p.installer] += p.installerClp;
        emit InstallationConfirmed(projectId, p.installer, p.installerClp);
    }

    /// @inheritdoc IProjects
    function confirmCommissioning(uint256 projectId) external {
        StoredProject storage p = _existing(projectId);
        if (msg.sender != p.manager) revert ProjectsNotAuthorized(projectId, msg.sender, p.manager);
        if (p.state != PROJECT_INSTALLED) revert ProjectsWrongState(projectId, p.state, PROJECT_INSTALLED);
        p.state = PROJECT_COMMISSIONED;
        _owed[p.manager] += p.managerClp;
        _owed[_treasury] += p.feeClp;
        emit CommissioningConfirmed(projectId, p.manager, p.managerClp, p.feeClp);
    }

    /// @inheritdoc IProjects
    function cancel(uint256 projectId) external nonReentrant {
        StoredProject storage p = _existing(projectId);
        if (msg.sender != p.owner && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert ProjectsNotAuthorized(projectId, msg.sender, p.owner);
        }
        uint8 state = p.state;
        if (state != PROJECT_MATCHED && state != PROJECT_FUNDED) revert ProjectsNotCancellable(projectId, state);
        uint256 refundClp = 0;
        if (state == PROJECT_FUNDED) {
            refundClp = _total(p) - (p.deliveryConfirmed ? p.providerClp : 0);
        }
        p.state = PROJECT_CANCELLED;
        emit ProjectCancelled(projectId, msg.sender, refundClp);
        if (p.needsFinancing) {
            if (refundClp > 0) _TOKEN.safeTransfer(address(_crowdfunding), refundClp);
            _crowdfunding.cancelCampaign(p.campaignId, refundClp);
        } else if (refundClp > 0) {
            _owed[p.owner] += refundClp;
        }
    }

    /// @inheritdoc IProjects
    function withdraw() external nonReentrant returns (uint256 amountClp) {
        amountClp = _owed[msg.sender];
        if (amountClp == 0) revert ProjectsNothingToWithdraw(msg.sender);
        _owed[msg.sender] = 0;
        emit Withdrawn(msg.sender, amountClp);
        _TOKEN.safeTransfer(msg.sender, amountClp);
    }

    /// @inheritdoc IProjects
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ProjectsZeroAddress();
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    /// @inheritdoc IProjects
    function setCrowdfunding(address crowdfunding_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (crowdfunding_ == address(0)) revert ProjectsZeroAddress();
        if (address(_crowdfunding) != address(0)) revert ProjectsCrowdfundingAlreadySet(address(_crowdfunding));
        _crowdfunding = ICrowdfunding(crowdfunding_);
        emit CrowdfundingSet(crowdfunding_);
    }

    /// @inheritdoc IProjects
    function paymentToken() external view returns (address) {
        return address(_TOKEN);
    }

    /// @inheritdoc IProjects
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IProjects
    function crowdfunding() external view returns (address) {
        return address(_crowdfunding);
    }

    /// @inheritdoc IProjects
    function projectCount() external view returns (uint256) {
        return _nextProjectId - 1;
    }

    /// @inheritdoc IProjects
    function project(uint256 projectId) external view returns (Project memory) {
        StoredProject storage p = _existing(projectId);
        return Project({
            id: projectId,
            owner: p.owner,
            provider: p.provider,
            installer: p.installer,
            manager: p.manager,
            sizeKwp: p.sizeKwp,
            providerClp: p.providerClp,
            installerClp: p.installerClp,
            managerClp: p.managerClp,
            feeClp: p.feeClp,
            totalClp: _total(p),
            state: p.state,
            needsFinancing: p.needsFinancing,
            deliveryConfirmed: p.deliveryConfirmed,
            campaignId: p.campaignId
        });
    }

    /// @inheritdoc IProjects
    function partiesOf(uint256 projectId)
        external
        view
        returns (uint8 state, address owner, address provider, address installer, address manager)
    {
        StoredProject storage p = _existing(projectId);
        return (p.state, p.owner, p.provider, p.installer, p.manager);
    }

    /// @inheritdoc IProjects
    function owedTo(address account) external view returns (uint256) {
        return _owed[account];
    }

    function _existing(uint256 projectId) private view returns (StoredProject storage p) {
        p = _projects[projectId];
        if (p.owner == address(0)) revert ProjectsUnknownProject(projectId);
    }

    function _total(StoredProject storage p) private view returns (uint256) {
        return uint256(p.providerClp) + p.installerClp + p.managerClp + p.feeClp;
    }
}
