// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {IParticipantRegistry, ROLE_OWNER, ROLE_PROVIDER} from "../interfaces/IParticipantRegistry.sol";
import {IProjects} from "../interfaces/IProjects.sol";

/// @title Marketplace
/// @notice Offers and demands for standard rooftop PV projects, and on-chain verified matching.
/// @dev Offers and demands each fit in two storage slots (ids are the mapping keys, not stored).
contract Marketplace is AccessControl, IMarketplace {
    /// @inheritdoc IMarketplace
    bytes32 public constant MATCHER_ROLE = keccak256("MATCHER_ROLE");
    /// @inheritdoc IMarketplace
    uint16 public constant MAX_PLATFORM_FEE_BPS = 1_000;

    uint8 private constant _KIND_PROVIDER = 0;
    uint8 private constant _KIND_INSTALLER = 1;
    uint8 private constant _KIND_MANAGER = 2;
    uint16 private constant _BPS = 10_000;

    struct StoredOffer {
        address seller;
        uint8 kind;
        uint32 availableKwp;
        bool open;
        uint64 priceClpPerKwp;
        uint64 createdAt;
        uint64 expiresAt;
    }

    struct StoredDemand {
        address owner;
        uint32 sizeKwp;
        bool needsFinancing;
        bool open;
        uint64 maxTotalClp;
        uint64 createdAt;
        uint64 expiresAt;
    }

    IParticipantRegistry private immutable _REGISTRY;
    IProjects private immutable _PROJECTS;

    mapping(uint256 offerId => StoredOffer) private _offers;
    mapping(uint256 demandId => StoredDemand) private _demands;
    // Next ids start at 1 and stay non-zero, so posting rewrites a non-zero slot (5k gas, not 20k).
    uint256 private _nextOfferId = 1;
    uint256 private _nextDemandId = 1;
    uint16 private _platformFeeBps;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (sets the fee, grants MATCHER_ROLE).
    /// @param registry_ The participant registry checked for roles.
    /// @param projects_ The projects contract; it must grant this contract its MARKETPLACE_ROLE.
    /// @param platformFeeBps_ Initial platform fee in basis points (at most MAX_PLATFORM_FEE_BPS).
    constructor(address admin, IParticipantRegistry registry_, IProjects projects_, uint16 platformFeeBps_) {
        if (admin == address(0) || address(registry_) == address(0) || address(projects_) == address(0)) {
            revert MarketplaceZeroAddress();
        }
        if (platformFeeBps_ > MAX_PLATFORM_FEE_BPS) revert MarketplaceFeeAboveCap(platformFeeBps_, MAX_PLATFORM_FEE_BPS);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _REGISTRY = registry_;
        _PROJECTS = projects_;
        _platformFeeBps = platformFeeBps_;
        emit PlatformFeeSet(platformFeeBps_);
    }

    /// @inheritdoc IMarketplace
    function postOffer(uint8 kind, uint64 priceClpPerKwp, uint32 capacityKwp, uint64 expiresAt)
        external
        returns (uint256 offerId)
    {
        if (kind > _KIND_MANAGER) revert MarketplaceUnknownOfferKind(kind);
        uint8 role = _roleForKind(kind);
        if (!_REGISTRY.hasRoles(msg.sender, role)) revert MarketplaceMissingRole(msg.sender, role);
        _checkOfferTerms(priceClpPerKwp, capacityKwp, expiresAt);
        offerId = _nextOfferId++;
        _offers[offerId] = StoredOffer({
            seller: msg.sender,
            kind: kind,
            availableKwp: capacityKwp,
            open: true,
            priceClpPerKwp: priceClpPerKwp,
            createdAt: uint64(block.timestamp),
            expiresAt: expiresAt
        });
        emit OfferPosted(offerId, msg.sender, kind, priceClpPerKwp, capacityKwp, expiresAt);
    }

    /// @inheritdoc IMarketplace
    function updateOffer(uint256 offerId, uint64 priceClpPerKwp, uint32 availableKwp, uint64 expiresAt) external {
        StoredOffer storage o = _sellerOpenOffer(offerId);
        _checkOfferTerms(priceClpPerKwp, availableKwp, expiresAt);
        o.priceClpPerKwp = priceClpPerKwp;
        o.availableKwp = availableKwp;
        o.expiresAt = expiresAt;
        emit OfferUpdated(offerId, priceClpPerKwp, availableKwp, expiresAt);
    }

    /// @inheritdoc IMarketplace
    function withdrawOffer(uint256 offerId) external {
        StoredOffer storage o = _sellerOpenOffer(offerId);
        o.open = false;
        emit OfferWithdrawn(offerId);
    }

    /// @inheritdoc IMarketplace
    function postDemand(uint32 sizeKwp, uint64 maxTotalClp, bool needsFinancing, uint64 expiresAt)
        external
        returns (uint256 demandId)
    {
        if (!_REGISTRY.hasRoles(msg.sender, ROLE_OWNER)) revert MarketplaceMissingRole(msg.sender, ROLE_OWNER);
        _checkDemandTerms(sizeKwp, maxTotalClp, expiresAt);
        demandId = _nextDemandId++;
        _demands[demandId] = StoredDemand({
            owner: msg.sender,
            sizeKwp: sizeKwp,
            needsFinancing: needsFinancing,
            open: true,
            maxTotalClp: maxTotalClp,
            createdAt: uint64(block.timestamp),
            expiresAt: expiresAt
        });
        emit DemandPosted(demandId, msg.sender, sizeKwp, maxTotalClp, needsFinancing, expiresAt);
    }

    /// @inheritdoc IMarketplace
    function updateDemand(uint256 demandId, uint32 sizeKwp, uint64 maxTotalClp, bool needsFinancing, uint64 expiresAt)
        external
    {
        StoredDemand storage d = _ownerOpenDemand(demandId);
        _checkDemandTerms(sizeKwp, maxTotalClp, expiresAt);
        d.sizeKwp = sizeKwp;
        d.maxTotalClp = maxTotalClp;
        d.needsFinancing = needsFinancing;
        d.expiresAt = expiresAt;
        emit DemandUpdated(demandId, sizeKwp, maxTotalClp, needsFinancing, expiresAt);
    }

    /// @inheritdoc IMarketplace
    function withdrawDemand(uint256 demandId) external {
        StoredDemand storage d = _ownerOpenDemand(demandId);
        d.open = false;
        emit DemandWithdrawn(demandId);
    }

    /// @inheritdoc IMarketplace
    function matchDemand(
        uint256 demandId,
        uint256 providerOfferId,
        uint256 installerOfferId,
        uint256 managerOfferId,
        uint256 expectedTotalClp
    ) external onlyRole(MATCHER_ROLE) returns (uint256 projectId) {
        StoredDemand storage d = _existingDemand(demandId);
        if (!d.open) revert MarketplaceDemandClosed(demandId);
        if (block.timestamp >= d.expiresAt) revert MarketplaceDemandExpired(demandId, d.expiresAt, block.timestamp);
        (IProjects.ProjectTerms memory terms, uint256 totalClp) =
            _consumeOffers(d, providerOfferId, installerOfferId, managerOfferId);
        _checkDistinctParties(demandId, terms);
        // The match binds the prices it was planned at: an offer or the fee changed since is refused.
        if (totalClp != expectedTotalClp) revert MarketplaceTotalChanged(demandId, totalClp, expectedTotalClp);
        // Equality is allowed: the thesis's on-chain `maxPrice > cost` rejected exact-budget matches.
        if (totalClp > d.maxTotalClp) revert MarketplaceOverMaxPrice(demandId, totalClp, d.maxTotalClp);
        d.open = false;
        projectId = _PROJECTS.createProject(terms);
        emit DemandMatched(demandId, projectId, providerOfferId, installerOfferId, managerOfferId, totalClp);
    }

    /// @dev Owner, provider, installer and manager must be four different accounts: one person in two
    ///      roles would confirm his own milestones (and, financed, take the investors' money).
    function _checkDistinctParties(uint256 demandId, IProjects.ProjectTerms memory terms) private pure {
        address owner = terms.owner;
        address provider = terms.provider;
        address installer = terms.installer;
        address manager = terms.manager;
        if (provider == owner) revert MarketplacePartiesNotDistinct(demandId, provider);
        if (installer == owner || installer == provider) revert MarketplacePartiesNotDistinct(demandId, installer);
        if (manager == owner || manager == provider || manager == installer) {
            revert MarketplacePartiesNotDistinct(demandId, manager);
        }
    }

    /// @dev Checks the three offers against the demand, takes the demand's size from each one's capacity
    ///      and returns the project terms with the total price (fee included).
    function _consumeOffers(StoredDemand storage d, uint256 providerOfferId, uint256 installerOfferId, uint256 managerOfferId)
        private
        returns (IProjects.ProjectTerms memory terms, uint256 totalClp)
    {
        uint32 sizeKwp = d.sizeKwp;
        StoredOffer storage p = _matchableOffer(providerOfferId, _KIND_PROVIDER, sizeKwp);
        StoredOffer storage i = _matchableOffer(installerOfferId, _KIND_INSTALLER, sizeKwp);
        StoredOffer storage m = _matchableOffer(managerOfferId, _KIND_MANAGER, sizeKwp);
        // _matchableOffer guarantees availableKwp >= sizeKwp for each offer, so none can underflow.
        unchecked {
            p.availableKwp -= sizeKwp;
            i.availableKwp -= sizeKwp;
            m.availableKwp -= sizeKwp;
        }
        terms.owner = d.owner;
        terms.provider = p.seller;
        terms.installer = i.seller;
        terms.manager = m.seller;
        terms.sizeKwp = sizeKwp;
        terms.needsFinancing = d.needsFinancing;
        terms.providerClp = uint256(p.priceClpPerKwp) * sizeKwp;
        terms.installerClp = uint256(i.priceClpPerKwp) * sizeKwp;
        terms.managerClp = uint256(m.priceClpPerKwp) * sizeKwp;
        (terms.feeClp, totalClp) = _withFee(terms.providerClp + terms.installerClp + terms.managerClp);
    }

    /// @inheritdoc IMarketplace
    function setPlatformFeeBps(uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps > MAX_PLATFORM_FEE_BPS) revert MarketplaceFeeAboveCap(feeBps, MAX_PLATFORM_FEE_BPS);
        _platformFeeBps = feeBps;
        emit PlatformFeeSet(feeBps);
    }

    /// @inheritdoc IMarketplace
    function platformFeeBps() external view returns (uint16) {
        return _platformFeeBps;
    }

    /// @inheritdoc IMarketplace
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    /// @inheritdoc IMarketplace
    function projects() external view returns (address) {
        return address(_PROJECTS);
    }

    /// @inheritdoc IMarketplace
    function quote(uint256 demandId, uint256 providerOfferId, uint256 installerOfferId, uint256 managerOfferId)
        external
        view
        returns (uint256 subtotalClp, uint256 feeClp, uint256 totalClp)
    {
        uint256 sizeKwp = _existingDemand(demandId).sizeKwp;
        subtotalClp = (uint256(_existingOffer(providerOfferId).priceClpPerKwp)
                + _existingOffer(installerOfferId).priceClpPerKwp + _existingOffer(managerOfferId).priceClpPerKwp)
            * sizeKwp;
        (feeClp, totalClp) = _withFee(subtotalClp);
    }

    /// @inheritdoc IMarketplace
    function offerCount() external view returns (uint256) {
        return _nextOfferId - 1;
    }

    /// @inheritdoc IMarketplace
    function demandCount() external view returns (uint256) {
        return _nextDemandId - 1;
    }

    /// @inheritdoc IMarketplace
    function offer(uint256 offerId) external view returns (Offer memory) {
        _existingOffer(offerId);
        return _offerView(offerId);
    }

    /// @inheritdoc IMarketplace
    function demand(uint256 demandId) external view returns (Demand memory) {
        _existingDemand(demandId);
        return _demandView(demandId);
    }

    /// @inheritdoc IMarketplace
    function offersPage(uint256 fromId, uint256 count) external view returns (Offer[] memory page) {
        if (fromId == 0) fromId = 1;
        uint256 n = _pageLength(fromId, count, _nextOfferId - 1);
        page = new Offer[](n);
        for (uint256 k = 0; k < n; ++k) {
            page[k] = _offerView(fromId + k);
        }
    }

    /// @inheritdoc IMarketplace
    function demandsPage(uint256 fromId, uint256 count) external view returns (Demand[] memory page) {
        if (fromId == 0) fromId = 1;
        uint256 n = _pageLength(fromId, count, _nextDemandId - 1);
        page = new Demand[](n);
        for (uint256 k = 0; k < n; ++k) {
            page[k] = _demandView(fromId + k);
        }
    }

    function _matchableOffer(uint256 offerId, uint8 kind, uint32 sizeKwp) private view returns (StoredOffer storage o) {
        o = _existingOffer(offerId);
        if (o.kind != kind) revert MarketplaceWrongOfferKind(offerId, kind, o.kind);
        if (!o.open) revert MarketplaceOfferClosed(offerId);
        if (block.timestamp >= o.expiresAt) revert MarketplaceOfferExpired(offerId, o.expiresAt, block.timestamp);
        if (o.availableKwp < sizeKwp) revert MarketplaceOfferExhausted(offerId, sizeKwp, o.availableKwp);
    }

    function _existingOffer(uint256 offerId) private view returns (StoredOffer storage o) {
        o = _offers[offerId];
        if (o.seller == address(0)) revert MarketplaceUnknownOffer(offerId);
    }

    function _sellerOpenOffer(uint256 offerId) private view returns (StoredOffer storage o) {
        o = _existingOffer(offerId);
        if (o.seller != msg.sender) revert MarketplaceNotOfferSeller(offerId, msg.sender);
        if (!o.open) revert MarketplaceOfferClosed(offerId);
    }

    function _existingDemand(uint256 demandId) private view returns (StoredDemand storage d) {
        d = _demands[demandId];
        if (d.owner == address(0)) revert MarketplaceUnknownDemand(demandId);
    }

    function _ownerOpenDemand(uint256 demandId) private view returns (StoredDemand storage d) {
        d = _existingDemand(demandId);
        if (d.owner != msg.sender) revert MarketplaceNotDemandOwner(demandId, msg.sender);
        if (!d.open) revert MarketplaceDemandClosed(demandId);
    }

    function _checkOfferTerms(uint64 priceClpPerKwp, uint32 capacityKwp, uint64 expiresAt) private view {
        if (priceClpPerKwp == 0) revert MarketplaceZeroPrice();
        if (capacityKwp == 0) revert MarketplaceZeroSize();
        if (expiresAt <= block.timestamp) revert MarketplaceExpiryInPast(expiresAt, block.timestamp);
    }

    function _checkDemandTerms(uint32 sizeKwp, uint64 maxTotalClp, uint64 expiresAt) private view {
        if (sizeKwp == 0) revert MarketplaceZeroSize();
        if (maxTotalClp == 0) revert MarketplaceZeroPrice();
        if (expiresAt <= block.timestamp) revert MarketplaceExpiryInPast(expiresAt, block.timestamp);
    }

    function _offerView(uint256 offerId) private view returns (Offer memory) {
        StoredOffer storage o = _offers[offerId];
        return Offer({
            id: offerId,
            seller: o.seller,
            kind: o.kind,
            priceClpPerKwp: o.priceClpPerKwp,
            availableKwp: o.availableKwp,
            createdAt: o.createdAt,
            expiresAt: o.expiresAt,
            open: o.open
        });
    }

    function _demandView(uint256 demandId) private view returns (Demand memory) {
        StoredDemand storage d = _demands[demandId];
        return Demand({
            id: demandId,
            owner: d.owner,
            sizeKwp: d.sizeKwp,
            maxTotalClp: d.maxTotalClp,
            needsFinancing: d.needsFinancing,
            createdAt: d.createdAt,
            expiresAt: d.expiresAt,
            open: d.open
        });
    }

    /// @dev The platform fee on `subtotalClp` (rounded down) and the total: the one pricing rule of
    ///      `quote` and `matchDemand`.
    function _withFee(uint256 subtotalClp) private view returns (uint256 feeClp, uint256 totalClp) {
        feeClp = (subtotalClp * _platformFeeBps) / _BPS;
        totalClp = subtotalClp + feeClp;
    }

    function _pageLength(uint256 fromId, uint256 count, uint256 lastId) private pure returns (uint256) {
        if (count == 0 || fromId > lastId) return 0;
        uint256 remaining = lastId - fromId + 1;
        return count < remaining ? count : remaining;
    }

    function _roleForKind(uint8 kind) private pure returns (uint8) {
        // offer kinds 0, 1, 2 = provider, installer, manager: the role bits 2, 4, 8
        return ROLE_PROVIDER << kind;
    }
}
