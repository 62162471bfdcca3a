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
import {IInstallationRegistry} from "../interfaces/IInstallationRegistry.sol";

/// @title Projects
/// @notice Project lifecycle and escrow: Matched -> Funded -> Installed -> Commissioned, or Cancelled;
///         milestone payouts owed to the parties and pulled with `withdraw`. A financed project's
///         milestones are attested by an inspector who is none of its parties, and its last tranche is
///         released only once its installation's generation is certified; if that does not happen by
///         the completion deadline, anyone may cancel it and the escrow goes back to the investors.
/// @dev A project fits in four storage slots (amounts as uint64, bounded in createProject: 1.8e19 CLP
///      is far above any plant).
contract Projects is AccessControl, ReentrancyGuard, IProjects {
    using SafeERC20 for IERC20;

    /// @inheritdoc IProjects
    bytes32 public constant MARKETPLACE_ROLE = keccak256("MARKETPLACE_ROLE");
    /// @inheritdoc IProjects
    bytes32 public constant INSPECTOR_ROLE = keccak256("INSPECTOR_ROLE");
    /// @inheritdoc IProjects
    uint256 public constant MAX_PROJECT_CLP = type(uint64).max;

    /// @dev Four slots: (owner, state, needsFinancing, deliveryConfirmed, feeClp) 31 bytes;
    ///      (provider, providerClp, sizeKwp) 32; (installer, installerClp, campaignId) 32;
    ///      (manager, managerClp, completionDeadline) 32. completionDeadline is unix seconds (UTC) as a
    ///      uint32, enough until 2106 (funding reverts, SafeCast, rather than wrap after that).
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
        uint32 campaignId;
        address manager;
        uint64 managerClp;
        uint32 completionDeadline;
    }

    IERC20 private immutable _TOKEN;
    uint32 private immutable _COMPLETION_PERIOD_S;
    mapping(uint256 projectId => StoredProject) private _projects;
    mapping(address account => uint256 amountClp) private _owed;
    // One slot: creating a project reads both. The id starts at 1 and stays non-zero, so creating a
    // project rewrites a non-zero slot (5k gas, not 20k).
    ICrowdfunding private _crowdfunding;
    uint64 private _nextProjectId = 1;
    address private _treasury;
    IInstallationRegistry private _installationRegistry;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (sets treasury, crowdfunding and the installation
    ///        registry, grants roles, may cancel).
    /// @param token The payment token (any ERC-20).
    /// @param treasury_ Where platform fees go.
    /// @param completionPeriodS_ Seconds from funding until a project's completion deadline (above zero).
    constructor(address admin, IERC20 token, address treasury_, uint32 completionPeriodS_) {
        if (admin == address(0) || address(token) == address(0) || treasury_ == address(0)) {
            revert ProjectsZeroAddress();
        }
        if (completionPeriodS_ == 0) revert ProjectsZeroCompletionPeriod();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _TOKEN = token;
        _COMPLETION_PERIOD_S = completionPeriodS_;
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    /// @inheritdoc IProjects
    function createProject(ProjectTerms calldata terms) external onlyRole(MARKETPLACE_ROLE) returns (uint256 projectId) {
        uint256 totalClp = terms.providerClp + terms.installerClp + terms.managerClp + terms.feeClp;
        // One width end to end: the total (hence each part) fits a uint64, as do the campaign's goal and shares.
        if (totalClp > MAX_PROJECT_CLP) revert ProjectsAmountTooLarge(totalClp, MAX_PROJECT_CLP);
        projectId = _nextProjectId++;
        // Each part is at most the total, checked above, so the casts cannot truncate.
        _projects[projectId] = StoredProject({
            owner: terms.owner,
            state: PROJECT_MATCHED,
            needsFinancing: terms.needsFinancing,
            deliveryConfirmed: false,
            feeClp: uint64(terms.feeClp),
            provider: terms.provider,
            providerClp: uint64(terms.providerClp),
            sizeKwp: terms.sizeKwp,
            installer: terms.installer,
            installerClp: uint64(terms.installerClp),
            campaignId: 0,
            manager: terms.manager,
            managerClp: uint64(terms.managerClp),
            completionDeadline: 0
        });
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
        uint32 deadline = _startCompletionPeriod(p);
        emit ProjectFunded(projectId, msg.sender, totalClp, deadline);
        _TOKEN.safeTransferFrom(msg.sender, address(this), totalClp);
        // The owner paid everything: it holds all the revenue shares, recorded once.
        _crowdfunding.recordSelfFunding(projectId, msg.sender, totalClp);
    }

    /// @inheritdoc IProjects
    function onCampaignFinalized(uint256 projectId, uint256 amountClp) external {
        // Only the crowdfunding contract itself: no role an admin could grant to anyone else.
        if (msg.sender != address(_crowdfunding)) revert ProjectsNotCrowdfunding(msg.sender);
        StoredProject storage p = _existing(projectId);
        if (p.state != PROJECT_MATCHED) revert ProjectsWrongState(projectId, p.state, PROJECT_MATCHED);
        uint256 totalClp = _total(p);
        if (amountClp != totalClp) revert ProjectsWrongFundingAmount(projectId, amountClp, totalClp);
        uint32 deadline = _startCompletionPeriod(p);
        emit ProjectFunded(projectId, msg.sender, amountClp, deadline);
    }

    /// @inheritdoc IProjects
    function confirmDelivery(uint256 projectId) external {
        StoredProject storage p = _existing(projectId);
        _checkAttester(projectId, p);
        if (p.state != PROJECT_FUNDED) revert ProjectsWrongState(projectId, p.state, PROJECT_FUNDED);
        if (p.deliveryConfirmed) revert ProjectsDeliveryAlreadyConfirmed(projectId);
        p.deliveryConfirmed = true;
        _owed[p.provider] += p.providerClp;
        emit DeliveryConfirmed(projectId, p.provider, p.providerClp, msg.sender);
    }

    /// @inheritdoc IProjects
    function confirmInstallation(uint256 projectId) external {
        StoredProject storage p = _existing(projectId);
        _checkAttester(projectId, p);
        if (p.state != PROJECT_FUNDED) revert ProjectsWrongState(projectId, p.state, PROJECT_FUNDED);
        if (!p.deliveryConfirmed) revert ProjectsDeliveryNotConfirmed(projectId);
        p.state = PROJECT_INSTALLED;
        // A financed project's installer is paid at commissioning, once the plant is shown to produce.
        uint256 installerClp = p.needsFinancing ? 0 : p.installerClp;
        if (installerClp > 0) _owed[p.installer] += installerClp;
        emit InstallationConfirmed(projectId, p.installer, installerClp, msg.sender);
    }

    /// @inheritdoc IProjects
    function confirmCommissioning(uint256 projectId) external {
        StoredProject storage p = _existing(projectId);
        if (msg.sender != p.manager) {
            // After the completion deadline an inspector may stand in for a manager who never confirms.
            if (!hasRole(INSPECTOR_ROLE, msg.sender)) revert ProjectsNotAuthorized(projectId, msg.sender, p.manager);
            _checkNotParty(projectId, p);
            if (block.timestamp < p.completionDeadline) {
                revert ProjectsBeforeCompletionDeadline(projectId, p.completionDeadline, block.timestamp);
            }
        }
        if (p.state != PROJECT_INSTALLED) revert ProjectsWrongState(projectId, p.state, PROJECT_INSTALLED);
        uint256 installerClp = 0;
        if (p.needsFinancing) {
            (uint256 installationId, bool certified) = _generationOf(projectId);
            if (!certified) revert ProjectsNoCertifiedGeneration(projectId, installationId);
            installerClp = p.installerClp;
            _owed[p.installer] += installerClp;
        }
        p.state = PROJECT_COMMISSIONED;
        _owed[p.manager] += p.managerClp;
        _owed[_treasury] += p.feeClp;
        emit CommissioningConfirmed(projectId, p.manager, p.managerClp, installerClp, p.feeClp, msg.sender);
    }

    /// @inheritdoc IProjects
    function cancel(uint256 projectId) external nonReentrant {
        StoredProject storage p = _existing(projectId);
        uint8 state = p.state;
        bool overdue = p.needsFinancing && (state == PROJECT_FUNDED || state == PROJECT_INSTALLED)
            && block.timestamp >= p.completionDeadline;
        if (overdue) {
            // Past the deadline anyone may return a financed project's escrow to its investors, unless
            // its plant has produced: then it is commissioned, not cancelled.
            (uint256 installationId, bool certified) = _generationOf(projectId);
            if (certified) revert ProjectsGenerationCertified(projectId, installationId);
        } else {
            if (msg.sender != p.owner && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
                revert ProjectsNotAuthorized(projectId, msg.sender, p.owner);
            }
            if (state != PROJECT_MATCHED && state != PROJECT_FUNDED) revert ProjectsNotCancellable(projectId, state);
        }
        uint256 refundClp = 0;
        if (state != PROJECT_MATCHED) {
            // Released so far: the provider's price once delivery was confirmed. A financed project's
            // installer is paid only at commissioning, so an Installed one still holds that tranche.
            refundClp = _total(p) - (p.deliveryConfirmed ? p.providerClp : 0);
        }
        p.state = PROJECT_CANCELLED;
        emit ProjectCancelled(projectId, msg.sender, refundClp);
        if (p.needsFinancing) {
            if (refundClp > 0) _TOKEN.safeTransfer(address(_crowdfunding), refundClp);
            _crowdfunding.cancelCampaign(p.campaignId, refundClp);
        } else if (state != PROJECT_MATCHED) {
            _owed[p.owner] += refundClp;
            // The owner got the escrow back: the shares recorded at funding earn nothing more.
            _crowdfunding.closeRevenue(projectId);
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
    function setInstallationRegistry(address installationRegistry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (installationRegistry_ == address(0)) revert ProjectsZeroAddress();
        if (address(_installationRegistry) != address(0)) {
            revert ProjectsInstallationRegistryAlreadySet(address(_installationRegistry));
        }
        _installationRegistry = IInstallationRegistry(installationRegistry_);
        emit InstallationRegistrySet(installationRegistry_);
    }

    /// @inheritdoc IProjects
    function installationRegistry() external view returns (address) {
        return address(_installationRegistry);
    }

    /// @inheritdoc IProjects
    function completionPeriodS() external view returns (uint256) {
        return _COMPLETION_PERIOD_S;
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
            campaignId: p.campaignId,
            completionDeadline: p.completionDeadline
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

    /// @dev Funded now: the state changes and the completion deadline starts.
    function _startCompletionPeriod(StoredProject storage p) private returns (uint32 deadline) {
        deadline = SafeCast.toUint32(block.timestamp + _COMPLETION_PERIOD_S);
        p.state = PROJECT_FUNDED;
        p.completionDeadline = deadline;
    }

    /// @dev Who attests delivery and installation: the owner of a self-funded project (his own money);
    ///      for a financed one, an inspector who is none of the project's four parties.
    function _checkAttester(uint256 projectId, StoredProject storage p) private view {
        if (!p.needsFinancing) {
            if (msg.sender != p.owner) revert ProjectsNotAuthorized(projectId, msg.sender, p.owner);
            return;
        }
        if (!hasRole(INSPECTOR_ROLE, msg.sender)) revert ProjectsNotInspector(projectId, msg.sender);
        _checkNotParty(projectId, p);
    }

    function _checkNotParty(uint256 projectId, StoredProject storage p) private view {
        address caller = msg.sender;
        if (caller == p.owner || caller == p.provider || caller == p.installer || caller == p.manager) {
            revert ProjectsInspectorIsParty(projectId, caller);
        }
    }

    /// @dev The installation linked to `projectId` and whether its generation is certified; (0, false)
    ///      while no installation registry is set.
    function _generationOf(uint256 projectId) private view returns (uint256 installationId, bool certified) {
        if (address(_installationRegistry) == address(0)) return (0, false);
        return _installationRegistry.installationOfProject(projectId);
    }

    function _total(StoredProject storage p) private view returns (uint256) {
        return uint256(p.providerClp) + p.installerClp + p.managerClp + p.feeClp;
    }
}
