// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Project states (IProjects.Project.state), shared by Projects and ParticipantRegistry.
uint8 constant PROJECT_MATCHED = 0;
uint8 constant PROJECT_FUNDED = 1;
uint8 constant PROJECT_INSTALLED = 2;
uint8 constant PROJECT_COMMISSIONED = 3;
uint8 constant PROJECT_CANCELLED = 4;

/// @title IProjects
/// @notice Project lifecycle Matched -> Funded -> Installed -> Commissioned (or Cancelled), with the
///         money in escrow released as milestones are confirmed. Self-funded: delivery (owner) pays the
///         provider, installation (owner) the installer, commissioning (manager) the manager and the
///         platform fee. Financed (the investors' money): delivery and installation are attested by an
///         inspector who is none of the four parties; delivery pays the provider; installer, manager
///         and fee are paid at commissioning, which needs the installation's generation certified.
///         Funding starts a completion deadline: after it an inspector may commission in the manager's
///         place, and anyone may cancel a financed project whose plant has no certified generation
///         (what is still in escrow goes back to the investors). Payments are pulled with `withdraw`.
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
        uint64 completionDeadline;
    }

    /// @notice Project `projectId` was created for `owner` with total `totalClp`; `campaignId` is 0 when self-funded.
    event ProjectCreated(uint256 indexed projectId, address indexed owner, uint256 totalClp, bool needsFinancing, uint256 campaignId);
    /// @notice Project `projectId` received its total `amountClp` from `payer` (the owner or the crowdfunding
    ///         contract); it must be completed by `completionDeadline` (unix s, UTC).
    event ProjectFunded(uint256 indexed projectId, address indexed payer, uint256 amountClp, uint64 completionDeadline);
    /// @notice `by` (the owner, or an inspector for a financed project) confirmed delivery; the provider is owed `amountClp`.
    event DeliveryConfirmed(uint256 indexed projectId, address indexed provider, uint256 amountClp, address by);
    /// @notice `by` confirmed installation; the installer is owed `amountClp` now (0 for a financed
    ///         project: its installer is paid at commissioning).
    event InstallationConfirmed(uint256 indexed projectId, address indexed installer, uint256 amountClp, address by);
    /// @notice `by` (the manager, or an inspector after the completion deadline) confirmed commissioning;
    ///         the manager is owed `managerClp`, the installer `installerClp` (a financed project's
    ///         tranche, else 0) and the treasury `feeClp`.
    event CommissioningConfirmed(
        uint256 indexed projectId, address indexed manager, uint256 managerClp, uint256 installerClp, uint256 feeClp, address by
    );
    /// @notice Project `projectId` was cancelled by `by`; `refundClp` goes back to whoever paid.
    event ProjectCancelled(uint256 indexed projectId, address indexed by, uint256 refundClp);
    /// @notice `account` withdrew `amountClp` it was owed.
    event Withdrawn(address indexed account, uint256 amountClp);
    /// @notice Platform fees are now owed to `treasury`.
    event TreasurySet(address indexed treasury);
    /// @notice The crowdfunding contract was set.
    event CrowdfundingSet(address indexed crowdfunding);
    /// @notice The installation registry (certified generation of financed projects) was set.
    event InstallationRegistrySet(address indexed installationRegistry);

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
    /// @notice Only the crowdfunding contract reports finalized campaigns; `caller` is not it.
    error ProjectsNotCrowdfunding(address caller);
    /// @notice Project `projectId` is financed: its milestones are attested by an inspector, and `caller` is not one.
    error ProjectsNotInspector(uint256 projectId, address caller);
    /// @notice `inspector` is one of project `projectId`'s parties, so it cannot attest the project's milestones.
    error ProjectsInspectorIsParty(uint256 projectId, address inspector);
    /// @notice Project `projectId`'s installation `installationId` (0: none linked) has no certified
    ///         generation yet, so the financed project cannot be commissioned.
    error ProjectsNoCertifiedGeneration(uint256 projectId, uint256 installationId);
    /// @notice Project `projectId`'s installation `installationId` has certified generation: it is to be
    ///         commissioned, not cancelled.
    error ProjectsGenerationCertified(uint256 projectId, uint256 installationId);
    /// @notice Only the manager may commission project `projectId` before its completion deadline
    ///         `completionDeadline` (block time `nowS`).
    error ProjectsBeforeCompletionDeadline(uint256 projectId, uint64 completionDeadline, uint256 nowS);
    /// @notice A project's total `totalClp` is above `maxClp` (2^64 - 1, the width of every project amount).
    error ProjectsAmountTooLarge(uint256 totalClp, uint256 maxClp);
    /// @notice The completion period must be above zero.
    error ProjectsZeroCompletionPeriod();
    /// @notice The installation registry can only be set once.
    error ProjectsInstallationRegistryAlreadySet(address installationRegistry);

    /// @notice Creates a project in state Matched, opening its crowdfunding campaign when it needs financing.
    ///         MARKETPLACE_ROLE only.
    /// @param terms What the match agreed: the four parties, the size in kWp and the CLP owed to
    ///        provider, installer and manager plus the platform fee; the project's total is their sum,
    ///        at most MAX_PROJECT_CLP (2^64 - 1). With needsFinancing a campaign with that total as goal is
    ///        opened (reverts if no crowdfunding contract is set).
    /// @return projectId The new project's id (1, 2, ...).
    function createProject(ProjectTerms calldata terms) external returns (uint256 projectId);

    /// @notice The owner pays the total of a self-funded project into escrow (pulls the token; approve first)
    ///         and becomes the holder of all its revenue shares.
    /// @param projectId The project: self-funded, in state Matched (becomes Funded; its completion deadline
    ///        starts), the caller its owner;
    ///        the crowdfunding contract must be set (it records the shares).
    function fund(uint256 projectId) external;

    /// @notice Called by the crowdfunding contract after it transferred the campaign's `amountClp` here.
    ///         Only the crowdfunding contract set with setCrowdfunding may call it.
    /// @param projectId The project, in state Matched (becomes Funded; its completion deadline starts).
    /// @param amountClp CLP transferred; must equal the project's total.
    function onCampaignFinalized(uint256 projectId, uint256 amountClp) external;

    /// @notice Confirms the provider delivered the equipment: the provider is owed its price.
    /// @param projectId The project: Funded, delivery not yet confirmed. The caller: its owner when
    ///        self-funded; when financed, an INSPECTOR_ROLE holder who is none of its four parties.
    function confirmDelivery(uint256 projectId) external;

    /// @notice Confirms installation (after delivery); state Installed. Self-funded: the installer is owed
    ///         its price now; financed: nothing is released yet (the installer is paid at commissioning).
    /// @param projectId The project: Funded with delivery confirmed. The caller: as for confirmDelivery.
    function confirmInstallation(uint256 projectId) external;

    /// @notice Confirms commissioning: the manager is owed its price and the treasury the fee (and, when
    ///         financed, the installer its price); state Commissioned (the project is complete and its
    ///         parties may rate each other).
    /// @param projectId The project: Installed. When financed, its installation (installation registry's
    ///        installationOfProject) must have certified generation. The caller: its manager; or, from the
    ///        completion deadline on, an INSPECTOR_ROLE holder who is none of its parties (the manager
    ///        stays owed its price).
    function confirmCommissioning(uint256 projectId) external;

    /// @notice Cancels a project. The escrow not yet released goes back to whoever paid: the owner
    ///         (withdraw; its revenue shares are closed) or the campaign's contributors (Crowdfunding.refund).
    /// @param projectId Either Matched or Funded, the caller its owner or an admin; or, from its completion
    ///        deadline on, a financed project that is Funded or Installed and whose installation has no
    ///        certified generation, the caller anyone. The refund is the total minus the provider's price
    ///        if delivery was confirmed (nothing else is released before commissioning of a financed
    ///        project); when Matched nothing was paid here (a campaign refunds what it raised).
    function cancel(uint256 projectId) external;

    /// @notice Pays the caller everything it is owed (pull payment).
    /// @return amountClp The amount transferred, in CLP (reverts when nothing is owed).
    function withdraw() external returns (uint256 amountClp);

    /// @notice Sets the account platform fees are owed to. Admin only.
    /// @param newTreasury The new treasury (not zero); fees already owed stay owed to the previous one.
    function setTreasury(address newTreasury) external;

    /// @notice Sets the crowdfunding contract (once). Admin only.
    /// @param newCrowdfunding The crowdfunding contract (not zero), deployed with this contract as its
    ///        projects contract; it alone may report finalized campaigns here.
    function setCrowdfunding(address newCrowdfunding) external;

    /// @notice Sets the installation registry (once) whose certified generation releases a financed
    ///         project's last tranche. Admin only.
    /// @param newInstallationRegistry The InstallationRegistry (not zero).
    function setInstallationRegistry(address newInstallationRegistry) external;

    /// @notice Role of the marketplace (creates projects).
    /// @return The role id, keccak256("MARKETPLACE_ROLE").
    function MARKETPLACE_ROLE() external view returns (bytes32);

    /// @notice Role of inspectors (attest a financed project's delivery and installation; commission a
    ///         project whose manager does not after the completion deadline). Granted by the admin.
    /// @return The role id, keccak256("INSPECTOR_ROLE").
    function INSPECTOR_ROLE() external view returns (bytes32);

    /// @notice The largest project total (every project amount, campaign goal and share count is a uint64).
    /// @return 2^64 - 1 CLP.
    function MAX_PROJECT_CLP() external view returns (uint256);

    /// @notice The installation registry.
    /// @return Its address (zero until set).
    function installationRegistry() external view returns (address);

    /// @notice Seconds from funding until a project's completion deadline.
    /// @return Seconds.
    function completionPeriodS() external view returns (uint256);

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
    ///         4 = Cancelled; campaignId 0 when self-funded; completionDeadline in unix s (UTC), 0 until funded.
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
