// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {
    IParticipantRegistry, ROLE_OWNER, ROLE_PROVIDER, ROLE_INSTALLER, ROLE_MANAGER, ROLE_INVESTOR
} from "../interfaces/IParticipantRegistry.sol";
import {IProjects, PROJECT_COMMISSIONED} from "../interfaces/IProjects.sol";

/// @title ParticipantRegistry
/// @notice Self-registered marketplace roles, cooperatives and reputation from completed projects.
contract ParticipantRegistry is AccessControl, IParticipantRegistry {
    /// @notice Role bit of plant owners (propietarios), who post demands.
    uint8 public constant OWNER = ROLE_OWNER;
    /// @notice Role bit of equipment providers (proveedores), who post provider offers.
    uint8 public constant PROVIDER = ROLE_PROVIDER;
    /// @notice Role bit of installers (instaladores), who post installer offers.
    uint8 public constant INSTALLER = ROLE_INSTALLER;
    /// @notice Role bit of managers (gestores), who post manager offers and confirm commissioning.
    uint8 public constant MANAGER = ROLE_MANAGER;
    /// @notice Role bit of investors (financistas); informational: anyone holding the token may contribute.
    uint8 public constant INVESTOR = ROLE_INVESTOR;
    uint8 private constant _ALL_ROLES = ROLE_OWNER | ROLE_PROVIDER | ROLE_INSTALLER | ROLE_MANAGER | ROLE_INVESTOR;

    mapping(address account => Participant) private _participants;
    mapping(uint256 projectId => mapping(address rater => mapping(address ratee => bool))) private _rated;
    mapping(uint256 cooperativeId => Cooperative) private _cooperatives;
    mapping(uint256 cooperativeId => mapping(address account => bool)) private _isMember;
    mapping(uint256 cooperativeId => mapping(address account => bool)) private _isAdmin;
    uint256 private _cooperativeCount;
    address private _projects;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (sets the projects contract).
    constructor(address admin) {
        if (admin == address(0)) revert ParticipantRegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IParticipantRegistry
    function register(uint8 roles, string calldata metadataUri) external {
        if (roles == 0 || roles & ~_ALL_ROLES != 0) revert ParticipantRegistryInvalidRoles(roles);
        Participant storage p = _participants[msg.sender];
        if (p.registeredAt == 0) p.registeredAt = uint64(block.timestamp);
        uint8 updated = p.roles | roles;
        p.roles = updated;
        emit ParticipantRegistered(msg.sender, roles, updated, metadataUri);
    }

    /// @inheritdoc IParticipantRegistry
    function updateProfile(string calldata metadataUri) external {
        if (_participants[msg.sender].registeredAt == 0) revert ParticipantRegistryNotRegistered(msg.sender);
        emit ProfileUpdated(msg.sender, metadataUri);
    }

    /// @inheritdoc IParticipantRegistry
    function setProjectsContract(address projects) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (projects == address(0)) revert ParticipantRegistryZeroAddress();
        if (_projects != address(0)) revert ParticipantRegistryProjectsAlreadySet(_projects);
        _projects = projects;
        emit ProjectsContractSet(projects);
    }

    /// @inheritdoc IParticipantRegistry
    function rate(uint256 projectId, address ratee, int8 score) external {
        if (score < -1 || score > 1) revert ParticipantRegistryInvalidScore(score);
        if (_projects == address(0)) revert ParticipantRegistryProjectsNotSet();
        (uint8 state, address owner, address provider, address installer, address manager) =
            IProjects(_projects).partiesOf(projectId);
        if (state != PROJECT_COMMISSIONED) revert ParticipantRegistryProjectNotCompleted(projectId, state);
        if (!_isParty(msg.sender, owner, provider, installer, manager)) {
            revert ParticipantRegistryNotProjectParty(projectId, msg.sender);
        }
        if (!_isParty(ratee, owner, provider, installer, manager)) {
            revert ParticipantRegistryNotProjectParty(projectId, ratee);
        }
        if (ratee == msg.sender) revert ParticipantRegistrySelfRating(projectId, msg.sender);
        if (_rated[projectId][msg.sender][ratee]) revert ParticipantRegistryAlreadyRated(projectId, msg.sender, ratee);
        _rated[projectId][msg.sender][ratee] = true;
        Participant storage p = _participants[ratee];
        p.score += score;
        p.ratingCount += 1;
        emit ParticipantRated(projectId, msg.sender, ratee, score);
    }

    /// @inheritdoc IParticipantRegistry
    function createCooperative(string calldata name) external returns (uint256 cooperativeId) {
        if (bytes(name).length == 0) revert ParticipantRegistryEmptyName();
        cooperativeId = ++_cooperativeCount;
        _cooperatives[cooperativeId] = Cooperative({name: name, adminCount: 1, memberCount: 1});
        _isMember[cooperativeId][msg.sender] = true;
        _isAdmin[cooperativeId][msg.sender] = true;
        emit CooperativeCreated(cooperativeId, msg.sender, name);
        emit CooperativeMemberAdded(cooperativeId, msg.sender, msg.sender);
        emit CooperativeAdminAdded(cooperativeId, msg.sender, msg.sender);
    }

    /// @inheritdoc IParticipantRegistry
    function addCooperativeAdmin(uint256 cooperativeId, address account) external {
        _checkCooperativeAdmin(cooperativeId);
        if (account == address(0)) revert ParticipantRegistryZeroAddress();
        if (_isAdmin[cooperativeId][account]) revert ParticipantRegistryAlreadyAdmin(cooperativeId, account);
        Cooperative storage coop = _cooperatives[cooperativeId];
        if (!_isMember[cooperativeId][account]) {
            _isMember[cooperativeId][account] = true;
            coop.memberCount += 1;
            emit CooperativeMemberAdded(cooperativeId, account, msg.sender);
        }
        _isAdmin[cooperativeId][account] = true;
        coop.adminCount += 1;
        emit CooperativeAdminAdded(cooperativeId, account, msg.sender);
    }

    /// @inheritdoc IParticipantRegistry
    function removeCooperativeAdmin(uint256 cooperativeId, address account) external {
        _checkCooperativeAdmin(cooperativeId);
        _removeAdmin(cooperativeId, account);
    }

    /// @inheritdoc IParticipantRegistry
    function addMember(uint256 cooperativeId, address account) external {
        _checkCooperativeAdmin(cooperativeId);
        if (account == address(0)) revert ParticipantRegistryZeroAddress();
        if (_isMember[cooperativeId][account]) revert ParticipantRegistryAlreadyMember(cooperativeId, account);
        _isMember[cooperativeId][account] = true;
        _cooperatives[cooperativeId].memberCount += 1;
        emit CooperativeMemberAdded(cooperativeId, account, msg.sender);
    }

    /// @inheritdoc IParticipantRegistry
    function removeMember(uint256 cooperativeId, address account) external {
        _checkCooperativeAdmin(cooperativeId);
        if (!_isMember[cooperativeId][account]) revert ParticipantRegistryNotMember(cooperativeId, account);
        if (_isAdmin[cooperativeId][account]) _removeAdmin(cooperativeId, account);
        _isMember[cooperativeId][account] = false;
        _cooperatives[cooperativeId].memberCount -= 1;
        emit CooperativeMemberRemoved(cooperativeId, account, msg.sender);
    }

    /// @inheritdoc IParticipantRegistry
    function rolesOf(address account) external view returns (uint8) {
        return _participants[account].roles;
    }

    /// @inheritdoc IParticipantRegistry
    function hasRoles(address account, uint8 roles) external view returns (bool) {
        return _participants[account].roles & roles == roles;
    }

    /// @inheritdoc IParticipantRegistry
    function participant(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    /// @inheritdoc IParticipantRegistry
    function reputationOf(address account) external view returns (int64 score, uint64 ratingCount) {
        Participant storage p = _participants[account];
        return (p.score, p.ratingCount);
    }

    /// @inheritdoc IParticipantRegistry
    function reputationsOf(address[] calldata accounts) external view returns (int64[] memory scores) {
        scores = new int64[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            scores[i] = _participants[accounts[i]].score;
        }
    }

    /// @inheritdoc IParticipantRegistry
    function hasRated(uint256 projectId, address rater, address ratee) external view returns (bool) {
        return _rated[projectId][rater][ratee];
    }

    /// @inheritdoc IParticipantRegistry
    function projectsContract() external view returns (address) {
        return _projects;
    }

    /// @inheritdoc IParticipantRegistry
    function cooperativeCount() external view returns (uint256) {
        return _cooperativeCount;
    }

    /// @inheritdoc IParticipantRegistry
    function cooperative(uint256 cooperativeId) external view returns (Cooperative memory) {
        if (cooperativeId == 0 || cooperativeId > _cooperativeCount) {
            revert ParticipantRegistryUnknownCooperative(cooperativeId);
        }
        return _cooperatives[cooperativeId];
    }

    /// @inheritdoc IParticipantRegistry
    function isCooperativeMember(uint256 cooperativeId, address account) external view returns (bool) {
        return _isMember[cooperativeId][account];
    }

    /// @inheritdoc IParticipantRegistry
    function isCooperativeAdmin(uint256 cooperativeId, address account) external view returns (bool) {
        return _isAdmin[cooperativeId][account];
    }

    function _checkCooperativeAdmin(uint256 cooperativeId) private view {
        if (cooperativeId == 0 || cooperativeId > _cooperativeCount) {
            revert ParticipantRegistryUnknownCooperative(cooperativeId);
        }
        if (!_isAdmin[cooperativeId][msg.sender]) revert ParticipantRegistryNotCooperativeAdmin(cooperativeId, msg.sender);
    }

    function _removeAdmin(uint256 cooperativeId, address account) private {
        if (!_isAdmin[cooperativeId][account]) revert ParticipantRegistryNotCooperativeAdmin(cooperativeId, account);
        Cooperative storage coop = _cooperatives[cooperativeId];
        if (coop.adminCount == 1) revert ParticipantRegistryLastAdmin(cooperativeId, account);
        _isAdmin[cooperativeId][account] = false;
        coop.adminCount -= 1;
        emit CooperativeAdminRemoved(cooperativeId, account, msg.sender);
    }

    function _isParty(address account, address owner, address provider, address installer, address manager)
        private
        pure
        returns (bool)
    {
        return account == owner || account == provider || account == installer || account == manager;
    }
}
