// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMarketplace
/// @notice Offers (providers, installers, managers: price per kWp and capacity still available)
///         and demands (owners: size, maximum total price, whether financing is needed), readable
///         in pages, and `matchDemand`, which verifies every constraint on-chain and creates the project.
/// @dev Pricing (clients must compute exactly this): subtotal = sum over the three offers of
///      priceClpPerKwp * demand.sizeKwp; fee = subtotal * platformFeeBps / 10000 (integer division);
///      total = subtotal + fee; feasible iff total <= demand.maxTotalClp (equality allowed).
interface IMarketplace {
    /// @notice An offer. kind: 0 = provider, 1 = installer, 2 = manager.
    struct Offer {
        uint256 id;
        address seller;
        uint8 kind;
        uint64 priceClpPerKwp;
        uint32 availableKwp;
        uint64 createdAt;
        uint64 expiresAt;
        bool open;
    }

    /// @notice A demand for a standard rooftop PV project of `sizeKwp`.
    struct Demand {
        uint256 id;
        address owner;
        uint32 sizeKwp;
        uint64 maxTotalClp;
        bool needsFinancing;
        uint64 createdAt;
        uint64 expiresAt;
        bool open;
    }

    /// @notice `seller` posted offer `offerId`.
    event OfferPosted(uint256 indexed offerId, address indexed seller, uint8 kind, uint64 priceClpPerKwp, uint32 capacityKwp, uint64 expiresAt);
    /// @notice The seller changed offer `offerId`.
    event OfferUpdated(uint256 indexed offerId, uint64 priceClpPerKwp, uint32 availableKwp, uint64 expiresAt);
    /// @notice The seller withdrew offer `offerId`.
    event OfferWithdrawn(uint256 indexed offerId);
    /// @notice `owner` posted demand `demandId`.
    event DemandPosted(uint256 indexed demandId, address indexed owner, uint32 sizeKwp, uint64 maxTotalClp, bool needsFinancing, uint64 expiresAt);
    /// @notice The owner changed demand `demandId`.
    event DemandUpdated(uint256 indexed demandId, uint32 sizeKwp, uint64 maxTotalClp, bool needsFinancing, uint64 expiresAt);
    /// @notice The owner withdrew demand `demandId`.
    event DemandWithdrawn(uint256 indexed demandId);
    /// @notice Demand `demandId` was matched with three offers into project `projectId` costing `totalClp` (fee included).
    event DemandMatched(uint256 indexed demandId, uint256 indexed projectId, uint256 providerOfferId, uint256 installerOfferId, uint256 managerOfferId, uint256 totalClp);
    /// @notice The platform fee changed to `feeBps` basis points.
    event PlatformFeeSet(uint16 feeBps);

    /// @notice Offer kind must be 0 (provider), 1 (installer) or 2 (manager).
    error MarketplaceUnknownOfferKind(uint8 kind);
    /// @notice `account` lacks the registry role `requiredRole` (bitmask) needed for this.
    error MarketplaceMissingRole(address account, uint8 requiredRole);
    /// @notice Prices must be above zero.
    error MarketplaceZeroPrice();
    /// @notice Sizes and capacities must be above zero.
    error MarketplaceZeroSize();
    /// @notice `expiresAt` must be after the current block time `nowS`.
    error MarketplaceExpiryInPast(uint64 expiresAt, uint256 nowS);
    /// @notice Offer `offerId` does not exist.
    error MarketplaceUnknownOffer(uint256 offerId);
    /// @notice Demand `demandId` does not exist.
    error MarketplaceUnknownDemand(uint256 demandId);
    /// @notice Only the seller of offer `offerId` may do this; `caller` is not.
    error MarketplaceNotOfferSeller(uint256 offerId, address caller);
    /// @notice Only the owner of demand `demandId` may do this; `caller` is not.
    error MarketplaceNotDemandOwner(uint256 demandId, address caller);
    /// @notice Offer `offerId` is withdrawn.
    error MarketplaceOfferClosed(uint256 offerId);
    /// @notice Demand `demandId` is withdrawn or already matched.
    error MarketplaceDemandClosed(uint256 demandId);
    /// @notice Offer `offerId` expired at `expiresAt` (block time `nowS`).
    error MarketplaceOfferExpired(uint256 offerId, uint64 expiresAt, uint256 nowS);
    /// @notice Demand `demandId` expired at `expiresAt` (block time `nowS`).
    error MarketplaceDemandExpired(uint256 demandId, uint64 expiresAt, uint256 nowS);
    /// @notice Offer `offerId` has kind `actualKind` where `expectedKind` was needed.
    error MarketplaceWrongOfferKind(uint256 offerId, uint8 expectedKind, uint8 actualKind);
    /// @notice Offer `offerId` has `availableKwp` left, less than the `requestedKwp` the demand needs.
    error MarketplaceOfferExhausted(uint256 offerId, uint256 requestedKwp, uint256 availableKwp);
    /// @notice The total `totalClp` (fee included) exceeds demand `demandId`'s maximum `maxTotalClp`.
    error MarketplaceOverMaxPrice(uint256 demandId, uint256 totalClp, uint256 maxTotalClp);
    /// @notice The platform fee `feeBps` is above the cap `maxFeeBps`.
    error MarketplaceFeeAboveCap(uint16 feeBps, uint16 maxFeeBps);
    /// @notice `account` would hold two of the four roles (owner, provider, installer, manager) of demand
    ///         `demandId`'s project: the four parties must be different accounts.
    error MarketplacePartiesNotDistinct(uint256 demandId, address account);
    /// @notice The match of demand `demandId` now costs `totalClp`, not the `expectedTotalClp` it was planned
    ///         at (an offer's price or the fee changed): plan again.
    error MarketplaceTotalChanged(uint256 demandId, uint256 totalClp, uint256 expectedTotalClp);
    /// @notice A zero address was given for the admin, the registry or the projects contract.
    error MarketplaceZeroAddress();

    /// @notice Posts an offer; the caller must be registered with the role matching `kind`.
    /// @param kind 0 = provider, 1 = installer, 2 = manager.
    /// @param priceClpPerKwp Price in CLP per kWp (> 0; a uint64, the width of every project amount).
    /// @param capacityKwp Capacity offered in kWp (> 0), consumed by matches.
    /// @param expiresAt Unix seconds (UTC) after the current block; the offer cannot be matched from then on.
    /// @return offerId The new offer's id (1, 2, ...).
    function postOffer(uint8 kind, uint64 priceClpPerKwp, uint32 capacityKwp, uint64 expiresAt) external returns (uint256 offerId);

    /// @notice Changes an open offer's price, capacity still available and expiry. Seller only.
    /// @param offerId An open (not withdrawn) offer of the caller; an expired one may be given a new expiry.
    /// @param priceClpPerKwp New price in CLP per kWp (> 0).
    /// @param availableKwp New capacity still available in kWp (> 0); replaces what is left after matches.
    /// @param expiresAt New expiry, unix seconds (UTC) after the current block.
    function updateOffer(uint256 offerId, uint64 priceClpPerKwp, uint32 availableKwp, uint64 expiresAt) external;

    /// @notice Withdraws an open offer for good. Seller only.
    /// @param offerId An open offer of the caller.
    function withdrawOffer(uint256 offerId) external;

    /// @notice Posts a demand; the caller must be registered as owner.
    /// @param sizeKwp Size of the plant in kWp (> 0).
    /// @param maxTotalClp Most the owner pays in total, platform fee included (> 0; a uint64, the width of
    ///        every project amount, so a matched total always fits the project and its campaign).
    /// @param needsFinancing Whether a crowdfunding campaign pays for the project.
    /// @param expiresAt Unix seconds (UTC) after the current block.
    /// @return demandId The new demand's id (1, 2, ...).
    function postDemand(uint32 sizeKwp, uint64 maxTotalClp, bool needsFinancing, uint64 expiresAt) external returns (uint256 demandId);

    /// @notice Changes an open demand. Owner only.
    /// @param demandId An open (neither withdrawn nor matched) demand of the caller; an expired one may be
    ///        given a new expiry.
    /// @param sizeKwp New size of the plant in kWp (> 0).
    /// @param maxTotalClp New most the owner pays in total in CLP, platform fee included (> 0).
    /// @param needsFinancing Whether a crowdfunding campaign pays for the project.
    /// @param expiresAt New expiry, unix seconds (UTC) after the current block.
    function updateDemand(uint256 demandId, uint32 sizeKwp, uint64 maxTotalClp, bool needsFinancing, uint64 expiresAt) external;

    /// @notice Withdraws an open demand for good. Owner only.
    /// @param demandId An open demand of the caller.
    function withdrawDemand(uint256 demandId) external;

    /// @notice Matches a demand with a provider, an installer and a manager offer (MATCHER_ROLE).
    ///         Named `matchDemand` because `match` is a reserved keyword in Solidity.
    /// @dev Reverts with an error naming the failed check: demand/offers unknown, closed, expired, wrong kind,
    ///      capacity short, parties not four distinct accounts, total not the expected one, or total over the
    ///      maximum. Consumes sizeKwp of each offer's capacity, closes the demand, creates the project and,
    ///      when the demand needs financing, its crowdfunding campaign.
    /// @param demandId An open, unexpired demand.
    /// @param providerOfferId An open, unexpired provider offer with at least the demand's size in kWp left.
    /// @param installerOfferId An open, unexpired installer offer with at least the demand's size in kWp left.
    /// @param managerOfferId An open, unexpired manager offer with at least the demand's size in kWp left.
    ///        The demand's owner and the three sellers must be four different accounts.
    /// @param expectedTotalClp The total (fee included, as `quote` computes it) the match was planned at;
    ///        the match reverts if an offer's price or the fee changed since and the total differs.
    /// @return projectId The new project's id.
    function matchDemand(
        uint256 demandId,
        uint256 providerOfferId,
        uint256 installerOfferId,
        uint256 managerOfferId,
        uint256 expectedTotalClp
    ) external returns (uint256 projectId);

    /// @notice Sets the platform fee in basis points of the subtotal, at most MAX_PLATFORM_FEE_BPS. Admin only.
    /// @param feeBps Basis points (100 = 1 %); applies to matches and quotes from then on.
    function setPlatformFeeBps(uint16 feeBps) external;

    /// @notice Role allowed to call `matchDemand`.
    /// @return The role id, keccak256("MATCHER_ROLE").
    function MATCHER_ROLE() external view returns (bytes32);

    /// @notice Highest platform fee the admin may set, in basis points.
    /// @return Basis points (1000, i.e. 10 %, in Marketplace).
    function MAX_PLATFORM_FEE_BPS() external view returns (uint16);

    /// @notice Platform fee in basis points of the subtotal.
    /// @return Basis points.
    function platformFeeBps() external view returns (uint16);

    /// @notice The participant registry checked for roles.
    /// @return Its address.
    function registry() external view returns (address);

    /// @notice The projects contract that matches create projects in.
    /// @return Its address.
    function projects() external view returns (address);

    /// @notice Total price of a match by the pricing rule, whether or not it is feasible.
    /// @dev Reverts only for an unknown demand or offer: offer kinds, expiry, state and capacity are not checked.
    /// @param demandId The demand (its sizeKwp is used).
    /// @param providerOfferId The provider offer.
    /// @param installerOfferId The installer offer.
    /// @param managerOfferId The manager offer.
    /// @return subtotalClp Sum of price x size over the three offers, in CLP.
    /// @return feeClp Platform fee on the subtotal: subtotalClp * platformFeeBps / 10000, rounded down, in CLP.
    /// @return totalClp subtotalClp + feeClp.
    function quote(uint256 demandId, uint256 providerOfferId, uint256 installerOfferId, uint256 managerOfferId)
        external
        view
        returns (uint256 subtotalClp, uint256 feeClp, uint256 totalClp);

    /// @notice Number of offers ever posted (ids are 1..count).
    /// @return The count.
    function offerCount() external view returns (uint256);

    /// @notice Number of demands ever posted (ids are 1..count).
    /// @return The count.
    function demandCount() external view returns (uint256);

    /// @notice Offer `offerId`.
    /// @param offerId The offer (reverts if unknown).
    /// @return The offer: priceClpPerKwp in CLP per kWp, availableKwp the capacity left in kWp,
    ///         createdAt and expiresAt in unix seconds (UTC), open false once withdrawn (not on expiry).
    function offer(uint256 offerId) external view returns (Offer memory);

    /// @notice Demand `demandId`.
    /// @param demandId The demand (reverts if unknown).
    /// @return The demand: sizeKwp in kWp, maxTotalClp in CLP, createdAt and expiresAt in unix seconds
    ///         (UTC), open false once withdrawn or matched (not on expiry).
    function demand(uint256 demandId) external view returns (Demand memory);

    /// @notice Offers with ids fromId .. min(fromId + count - 1, offerCount()), every kind, open or not (fromId 0 reads as 1).
    /// @param fromId First id (0 reads as 1).
    /// @param count Most offers to return.
    /// @return The offers in id order (empty when count is 0 or fromId is past offerCount()).
    function offersPage(uint256 fromId, uint256 count) external view returns (Offer[] memory);

    /// @notice Demands with ids fromId .. min(fromId + count - 1, demandCount()), open or not (fromId 0 reads as 1).
    /// @param fromId First id (0 reads as 1).
    /// @param count Most demands to return.
    /// @return The demands in id order (empty when count is 0 or fromId is past demandCount()).
    function demandsPage(uint256 fromId, uint256 count) external view returns (Demand[] memory);
}
