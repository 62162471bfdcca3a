// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Role bits of a participant (IParticipantRegistry.Participant.roles), shared by
// ParticipantRegistry and Marketplace.
uint8 constant ROLE_OWNER = 1;
uint8 constant ROLE_PROVIDER = 2;
uint8 constant ROLE_INSTALLER = 4;
uint8 constant ROLE_MANAGER = 8;
uint8 constant ROLE_INVESTOR = 16;

/// @title IParticipantRegistry
/// @notice Marketplace participants: self-registered roles, profile metadata, cooperatives and
///         reputation earned on completed projects.
/// @dev Roles are a bitmask: OWNER = 1, PROVIDER = 2, INSTALLER = 4, MANAGER = 8, INVESTOR = 16.
///      The profile metadata URI is recorded in events only (indexers and clients read it from
///      the logs), which keeps registration under 70k gas.
interface IParticipantRegistry {
    /// @notice A participant's on-chain record.
    /// @param roles Bitmask of the roles held.
    /// @param score Sum of the -1/0/+1 ratings received.
    /// @param ratingCount Number of ratings received.
    /// @param registeredAt Unix seconds (UTC) of the first registration; 0 if never registered.
    struct Participant {
        uint8 roles;
        int64 score;
        uint64 ratingCount;
        uint64 registeredAt;
    }

    /// @notice A cooperative's record.
    /// @param name Human-readable name.
    /// @param adminCount Number of accounts that administer the cooperative.
    /// @param memberCount Number of members (admins are members too).
    struct Cooperative {
        string name;
        uint64 adminCount;
        uint64 memberCount;
    }

    /// @notice `account` now holds `roles` (bitmask) after adding `rolesAdded`; `metadataUri` is its profile.
    event ParticipantRegistered(address indexed account, uint8 rolesAdded, uint8 roles, string metadataUri);
    /// @notice `account` changed its profile metadata URI.
    event ProfileUpdated(address indexed account, string metadataUri);
    /// @notice `rater` gave `ratee` the rating `score` (-1, 0 or +1) for project `projectId`.
    event ParticipantRated(uint256 indexed projectId, address indexed rater, address indexed ratee, int8 score);
    /// @notice The projects contract whose completed projects allow ratings was set.
    event ProjectsContractSet(address indexed projects);
    /// @notice Cooperative `cooperativeId` named `name` was created by `creator` (its first admin and member).
    event CooperativeCreated(uint256 indexed cooperativeId, address indexed creator, string name);
    /// @notice `account` became an admin of cooperative `cooperativeId` (granted by `by`).
    event CooperativeAdminAdded(uint256 indexed cooperativeId, address indexed account, address indexed by);
    /// @notice `account` stopped being an admin of cooperative `cooperativeId` (removed by `by`).
    event CooperativeAdminRemoved(uint256 indexed cooperativeId, address indexed account, address indexed by);
    /// @notice `account` joined cooperative `cooperativeId` (added by `by`).
    event CooperativeMemberAdded(uint256 indexed cooperativeId, address indexed account, address indexed by);
    /// @notice `account` left cooperative `cooperativeId` (removed by `by`).
    event CooperativeMemberRemoved(uint256 indexed cooperativeId, address indexed account, address indexed by);

    /// @notice The roles bitmask is zero or has bits outside OWNER..INVESTOR (31).
    error ParticipantRegistryInvalidRoles(uint8 roles);
    /// @notice `account` must register before doing this.
    error ParticipantRegistryNotRegistered(address account);
    /// @notice A rating must be -1, 0 or +1.
    error ParticipantRegistryInvalidScore(int8 score);
    /// @notice No projects contract has been set yet, so no project can be rated.
    error ParticipantRegistryProjectsNotSet();
    /// @notice A zero address was given where an account or a contract is needed (constructor admin included).
    error ParticipantRegistryZeroAddress();
    /// @notice The projects contract can only be set once.
    error ParticipantRegistryProjectsAlreadySet(address projects);
    /// @notice Project `projectId` is not commissioned (completed) yet; its state is `state`.
    error ParticipantRegistryProjectNotCompleted(uint256 projectId, uint8 state);
    /// @notice `account` is not the owner, provider, installer or manager of project `projectId`.
    error ParticipantRegistryNotProjectParty(uint256 projectId, address account);
    /// @notice A party cannot rate itself.
    error ParticipantRegistrySelfRating(uint256 projectId, address account);
    /// @notice `rater` already rated `ratee` for project `projectId`.
    error ParticipantRegistryAlreadyRated(uint256 projectId, address rater, address ratee);
    /// @notice Cooperative `cooperativeId` does not exist.
    error ParticipantRegistryUnknownCooperative(uint256 cooperativeId);
    /// @notice A cooperative name must not be empty.
    error ParticipantRegistryEmptyName();
    /// @notice `account` is not an admin of cooperative `cooperativeId`.
    error ParticipantRegistryNotCooperativeAdmin(uint256 cooperativeId, address account);
    /// @notice `account` is already a member of cooperative `cooperativeId`.
    error ParticipantRegistryAlreadyMember(uint256 cooperativeId, address account);
    /// @notice `account` is not a member of cooperative `cooperativeId`.
    error ParticipantRegistryNotMember(uint256 cooperativeId, address account);
    /// @notice `account` is already an admin of cooperative `cooperativeId`.
    error ParticipantRegistryAlreadyAdmin(uint256 cooperativeId, address account);
    /// @notice The last admin of cooperative `cooperativeId` cannot be removed (nor leave as member).
    error ParticipantRegistryLastAdmin(uint256 cooperativeId, address account);

    /// @notice Registers the caller for `roles` (added to any roles already held) with profile `metadataUri`.
    /// @param roles Bitmask: OWNER = 1, PROVIDER = 2, INSTALLER = 4, MANAGER = 8, INVESTOR = 16.
    /// @param metadataUri Profile document (e.g. ipfs://...), recorded in the ParticipantRegistered event.
    function register(uint8 roles, string calldata metadataUri) external;

    /// @notice Replaces the caller's profile metadata URI (recorded in the ProfileUpdated event).
    /// @param metadataUri The new profile document.
    function updateProfile(string calldata metadataUri) external;

    /// @notice Sets the projects contract whose commissioned projects' parties may rate each other. Once only; admin.
    /// @param projects The Projects contract.
    function setProjectsContract(address projects) external;

    /// @notice Rates another party of commissioned project `projectId`; each party may rate each other party once.
    /// @param projectId The completed project both the caller and `ratee` took part in.
    /// @param ratee The party being rated.
    /// @param score -1, 0 or +1.
    function rate(uint256 projectId, address ratee, int8 score) external;

    /// @notice Creates a cooperative; the caller becomes its first admin and member.
    /// @param name Human-readable name (not empty).
    /// @return cooperativeId The new cooperative's id (1, 2, ...).
    function createCooperative(string calldata name) external returns (uint256 cooperativeId);

    /// @notice Makes `account` an admin (and member) of cooperative `cooperativeId`. Cooperative admins only.
    /// @param cooperativeId The cooperative; the caller must be one of its admins.
    /// @param account The new admin (not zero).
    function addCooperativeAdmin(uint256 cooperativeId, address account) external;

    /// @notice Removes `account` as admin of cooperative `cooperativeId` (it stays a member). Cooperative admins only;
    ///         the last admin cannot be removed.
    /// @param cooperativeId The cooperative; the caller must be one of its admins.
    /// @param account The admin to remove.
    function removeCooperativeAdmin(uint256 cooperativeId, address account) external;

    /// @notice Adds `account` as member of cooperative `cooperativeId`. Cooperative admins only.
    /// @param cooperativeId The cooperative; the caller must be one of its admins.
    /// @param account The new member (not zero).
    function addMember(uint256 cooperativeId, address account) external;

    /// @notice Removes member `account` (admin rights included) from cooperative `cooperativeId`.
    ///         Cooperative admins only; the last admin cannot be removed.
    /// @param cooperativeId The cooperative; the caller must be one of its admins.
    /// @param account The member to remove.
    function removeMember(uint256 cooperativeId, address account) external;

    /// @notice Roles bitmask of `account` (0 if not registered).
    /// @param account The account.
    /// @return The roles bitmask (owner 1, provider 2, installer 4, manager 8, investor 16).
    function rolesOf(address account) external view returns (uint8);

    /// @notice Whether `account` holds every role in `roles`.
    /// @param account The account.
    /// @param roles A roles bitmask.
    /// @return True when every bit of `roles` is held.
    function hasRoles(address account, uint8 roles) external view returns (bool);

    /// @notice The full record of `account`.
    /// @param account The account.
    /// @return The participant record (zero when not registered).
    function participant(address account) external view returns (Participant memory);

    /// @notice Reputation of `account`: sum of ratings and how many ratings were received.
    /// @param account The account.
    /// @return score Sum of the ratings received (each -1, 0 or +1).
    /// @return ratingCount Number of ratings received.
    function reputationOf(address account) external view returns (int64 score, uint64 ratingCount);

    /// @notice Reputation scores of many accounts in one call (for the matcher).
    /// @param accounts The accounts.
    /// @return scores Each account's score, in the same order.
    function reputationsOf(address[] calldata accounts) external view returns (int64[] memory scores);

    /// @notice Whether `rater` already rated `ratee` for project `projectId`.
    /// @param projectId The project.
    /// @param rater The party who rates.
    /// @param ratee The party rated.
    /// @return True when the rating was given.
    function hasRated(uint256 projectId, address rater, address ratee) external view returns (bool);

    /// @notice The projects contract used to check ratings (zero until set).
    /// @return Its address.
    function projectsContract() external view returns (address);

    /// @notice Number of cooperatives created (ids are 1..count).
    /// @return The count.
    function cooperativeCount() external view returns (uint256);

    /// @notice The record of cooperative `cooperativeId`.
    /// @param cooperativeId The cooperative (reverts if unknown).
    /// @return The cooperative.
    function cooperative(uint256 cooperativeId) external view returns (Cooperative memory);

    /// @notice Whether `account` is a member of cooperative `cooperativeId`.
    /// @param cooperativeId The cooperative.
    /// @param account The account.
    /// @return True for a member.
    function isCooperativeMember(uint256 cooperativeId, address account) external view returns (bool);

    /// @notice Whether `account` is an admin of cooperative `cooperativeId`.
    /// @param cooperativeId The cooperative.
    /// @param account The account.
    /// @return True for an admin.
    function isCooperativeAdmin(uint256 cooperativeId, address account) external view returns (bool);
}
