// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Project states (IProjects.Project.state), shared by Projects and ParticipantRegistry.
uint8 constant PROJECT_MATCHED = 0;
uint8 constant PROJECT_FUNDED = 1;
uint8 constant PROJECT_INSTALLED = 2;
uint8 constant PROJECT_COMMISSIONED = 3;
uint8 constant PROJECT_CANCELLED = 4;

/// @title IProjects
/// @notice Project lifecycle Matched -> Funded -> Installed -> Commissioned (or Cancelled before
///         installation), with the money in escrow released as milestones are confirmed:
///         delivery (owner) pays the provider, installation (owner) the installer, commissioning
///         (manager) the manager and the platform fee. Payments are pulled with `withdraw`.
/// @dev state: 0 = Matched, 1 = Funded, 2 = Installed, 3 = Commissioned, 4 = Cancelled.
interface IProjects {
    /// @notice What a match agreed: parties and the CLP each is paid.
    struct ProjectTerms {
        address owner;
        address provider;
        address installer;
        address manager;
        uint32 sizeKwp;
        uint256 providerClp;
        uint256 installerClp;
        uint256 managerClp;
        uint256 feeClp;
        bool needsFinancing;
    }

    /// @notice A project as read by clients.
    struct Project {
        uint256 id;
        address owner;
        address provider;
        address installer;
        address manager;
        uint32 sizeKwp;
        uint256 providerClp;
        uint256 installerClp;
        uint256 managerClp;
        uint256 feeClp;
        uint256 totalClp;
        uint8 state;
        bool needsFinancing;
        bool deliveryConfirmed;
        uint256 campaignId;
    }

    /// @notice Project `projectId` was created for `owner` with total `totalClp`; `campaignId` is 0 when self-funded.
    event ProjectCreated(uint256 indexed projectId, address indexed owner, uint256 totalClp, bool needsFinancing, uint256 campaignId);
    /// @notice Project `projectId` received its total `amountClp` from `payer` (the owner or the crowdfunding contract).
    event ProjectFunded(uint256 indexed projectId, address indexed payer, uint256 amountClp);
    /// @notice The owner confirmed delivery; the provider is owed `amountClp`.
    event DeliveryConfirmed(uint256 indexed projectId, address indexed provider, uint256 amountClp);
    /// @notice The owner confirmed installation; the installer is owed `amountClp`.
    event InstallationConfirmed(uint256 indexed projectId, address indexed installer, uint256 amountClp);
    /// @notice The manager confirmed commissioning; the manager is owed `managerClp` and the treasury `feeClp`.
    event CommissioningConfirmed(uint256 indexed projectId, address indexed manager, uint256 managerClp, uint256 feeClp);
    /// @notice Project `projectId` was cancelled by `by`; `refundClp` goes back to whoever paid.
    event ProjectCancelled(uint256 indexed projectId, address indexed by, uint256 refundClp);
    /// @notice `account` withdrew `amountClp` it was owed.
    event Withdrawn(address indexed account, uint256 amountClp);
    /// @notice Platform fees are now owed to `treasury`.
    event TreasurySet(address indexed treasury);
    /// @notice The crowdfunding contract was set.
    event CrowdfundingSet(address indexed crowdfunding);

    /// @notice Project `projectId` does not exist.
    error ProjectsUnknownProject(uint256 projectId);
    /// @notice Project `projectId` is in state `state`, not `expectedState`.
    error ProjectsWrongState(uint256 projectId, uint8 state, uint8 expectedState);
    /// @notice Only `expected` (a party of project `projectId`) may do this; `caller` is not.
    error ProjectsNotAuthorized(uint256 projectId, address caller, address expected);
    /// @notice Project `projectId` is paid by its crowdfunding campaign, not by the owner.
    error ProjectsFinancedByCampaign(uint256 projectId);
    /// @notice The crowdfunding contract paid `amountClp` where the project total is `totalClp`.
    error ProjectsWrongFundingAmount(uint256 projectId, uint256 amountClp, uint256 totalClp);
    /// @notice Delivery of project `projectId` was already confirmed.
    error ProjectsDeliveryAlreadyConfirmed(uint256 projectId);
    /// @notice Delivery of project `projectId` must be confirmed before installation.
    error ProjectsDeliveryNotConfirmed(uint256 projectId);
    /// @notice Project `projectId` in state `state` can no longer be cancelled (installed or later).
    error ProjectsNotCancellable(uint256 projectId, uint8 state);
    /// @notice `account` is owed nothing.
    error ProjectsNothingToWithdraw(address account);
    /// @notice A zero address was given where an account or contract is needed.
    error ProjectsZeroAddress();
    /// @notice The crowdfunding contract can only be set once.
    error ProjectsCrowdfundingAlreadySet(address crowdfunding);
    /// @notice No crowdfunding contract is set, so a project needing financing cannot be created.
    error ProjectsCrowdfundingNotSet();

    /// @notice Creates a project in state Matched, opening its crowdfunding campaign when it needs financing.
    ///         MARKETPLACE_ROLE only.
    /// @param terms What the match agreed: the four parties, the size in kWp and the CLP owed to
    ///        provider, installer and manager plus the platform fee (each at most 2^64 - 1); the
    ///        project's total is their sum. With needsFinancing a campaign with that total as goal is
    ///        opened (reverts if no crowdfunding contract is set).
    /// @return projectId The new project's id (1, 2, ...).
    function createProject(ProjectTerms calldata terms) external returns (uint256 projectId);

    /// @notice The owner pays the total of a self-funded project into escrow (pulls the token; approve first)
    ///         and becomes the holder of all its revenue shares.
    /// @param projectId The project: self-funded, in state Matched (becomes Funded), the caller its owner;
    ///        the crowdfunding contract must be set (it records the shares).
    function fund(uint256 projectId) external;

    /// @notice Called by the crowdfunding contract after it transferred the campaign's `amountClp` here.
    ///         CROWDFUNDING_ROLE only.
    /// @param projectId The project, in state Matched (becomes Funded).
    /// @param amountClp CLP transferred; must equal the project's total.
    function onCampaignFinalized(uint256 projectId, uint256 amountClp) external;

    /// @notice The owner confirms the provider delivered the equipment: the provider is owed its price.
    /// @param projectId The project: Funded, delivery not yet confirmed, the caller its owner.
    function confirmDelivery(uint256 projectId) external;

    /// @notice The owner confirms installation (after delivery): the installer is owed its price; state Installed.
    /// @param projectId The project: Funded with delivery confirmed, the caller its owner.
    function confirmInstallation(uint256 projectId) external;

    /// @notice The manager confirms commissioning: the manager is owed its price and the treasury the fee;
    ///         state Commissioned (the project is complete and its parties may rate each other).
    /// @param projectId The project: Installed, the caller its manager.
    function confirmCommissioning(uint256 projectId) external;

    /// @notice Cancels a project before installation (owner or admin). The escrow not yet released goes back
    ///         to whoever paid: the owner (withdraw) or the campaign's contributors (Crowdfunding.refund).
    /// @param projectId The project: Matched or Funded, the caller its owner or an admin. When Funded the
    ///        refund is the total minus the provider's price if delivery was confirmed; when Matched
    ///        nothing was paid here (a campaign refunds what it raised).
    function cancel(uint256 projectId) external;

    /// @notice Pays the caller everything it is owed (pull payment).
    /// @return amountClp The amount transferred, in CLP (reverts when nothing is owed).
    function withdraw() external returns (uint256 amountClp);

    /// @notice Sets the account platform fees are owed to. Admin only.
    /// @param newTreasury The new treasury (not zero); fees already owed stay owed to the previous one.
    function setTreasury(address newTreasury) external;

    /// @notice Sets the crowdfunding contract (once). Admin only.
    /// @param newCrowdfunding The crowdfunding contract (not zero); it must grant this contract its
    ///        PROJECTS_ROLE and be granted CROWDFUNDING_ROLE here.
    function setCrowdfunding(address newCrowdfunding) external;

    /// @notice Role of the marketplace (creates projects).
    /// @return The role id, keccak256("MARKETPLACE_ROLE").
    function MARKETPLACE_ROLE() external view returns (bytes32);

    /// @notice Role of the crowdfunding contract (reports finalized campaigns).
    /// @return The role id, keccak256("CROWDFUNDING_ROLE").
    function CROWDFUNDING_ROLE() external view returns (bytes32);

    /// @notice The payment token (any ERC-20).
    /// @return Its address.
    function paymentToken() external view returns (address);

    /// @notice Where platform fees go.
    /// @return Its address.
    function treasury() external view returns (address);

    /// @notice The crowdfunding contract.
    /// @return Its address (zero until set).
    function crowdfunding() external view returns (address);

    /// @notice Number of projects (ids are 1..count).
    /// @return The count.
    function projectCount() external view returns (uint256);

    /// @notice Project `projectId`.
    /// @param projectId The project (reverts if unknown).
    /// @return The project: sizeKwp in kWp; providerClp, installerClp, managerClp, feeClp and totalClp
    ///         (their sum) in CLP; state 0 = Matched, 1 = Funded, 2 = Installed, 3 = Commissioned,
    ///         4 = Cancelled; campaignId 0 when self-funded.
    function project(uint256 projectId) external view returns (Project memory);

    /// @notice The lifecycle state and the four parties of `projectId` (cheap read for the registry's ratings).
    /// @param projectId The project (reverts if unknown).
    /// @return state 0 = Matched, 1 = Funded, 2 = Installed, 3 = Commissioned, 4 = Cancelled.
    /// @return owner The project's owner.
    /// @return provider The equipment provider.
    /// @return installer The installer.
    /// @return manager The manager (confirms commissioning).
    function partiesOf(uint256 projectId)
        external
        view
        returns (uint8 state, address owner, address provider, address installer, address manager);

    /// @notice What `account` may withdraw now.
    /// @param account The account.
    /// @return CLP.
    function owedTo(address account) external view returns (uint256);
}
