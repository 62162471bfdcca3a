// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEnergySales
/// @notice Sells certified energy. Per installation, terms (offtaker, tariff in CLP per kWh, first
///         period covered) that the tariff role proposes and the offtaker accepts; the offtaker
///         deposits payment tokens; `settle` pays tariff x certified kWh for one certificate, once,
///         at the terms in force at the certificate's period start, from THOSE terms' offtaker's
///         deposit, into the linked marketplace project's crowdfunding revenue (or, with no project
///         or a project whose crowdfunding takes no revenue, e.g. a cancelled one, to the
///         installation's beneficiary, who withdraws it with `claim`).
/// @dev Rounding: amountClp = floor(energyWh * tariffClpPerKwh / 1000). Settlement is all or
///      nothing: an insufficient deposit reverts.
///      What protects certified energy: terms are bound only by their offtaker's acceptance, never
///      start before the installation's certification watermark (so no issued certificate is ever
///      re-priced or moved to another offtaker), and follow each other in validFrom order. A
///      deposit leaves only through `requestWithdrawal` then, after the immutable notice period
///      `withdrawalNoticeS()`, `withdraw`, within `WITHDRAWAL_WINDOW_S` after that (a request
///      left standing could otherwise be used at any later moment, e.g. to front-run the settlement
///      of a certificate issued months after it); during the notice the deposit keeps paying
///      settlements, and anyone may settle, so the certificates already issued under accepted terms
///      are paid before the withdrawal can take the money.
interface IEnergySales {
    /// @notice Emitted when the tariff role proposes terms to `offtaker` (replacing an earlier proposal).
    event TermsProposed(uint256 indexed installationId, address indexed offtaker, uint256 tariffClpPerKwh, uint64 validFrom);
    /// @notice Emitted when `offtaker` accepts the proposed terms: they price certificates from `validFrom` on.
    event TermsAccepted(uint256 indexed installationId, address indexed offtaker, uint256 tariffClpPerKwh, uint64 validFrom);
    /// @notice Emitted when `offtaker` deposits `amountClp`.
    event Deposited(address indexed offtaker, uint256 amountClp);
    /// @notice Emitted when `offtaker` asks to withdraw `amountClp`, payable from `availableAt` (unix s).
    event WithdrawalRequested(address indexed offtaker, uint256 amountClp, uint64 availableAt);
    /// @notice Emitted when `offtaker` withdraws `amountClp` of unused deposit.
    event Withdrawn(address indexed offtaker, uint256 amountClp);
    /// @notice Emitted when certificate `certificateId` is settled. projectId 0 = paid to the beneficiary.
    event Settled(
        uint256 indexed installationId,
        uint256 indexed certificateId,
        address indexed offtaker,
        uint256 energyWh,
        uint256 tariffClpPerKwh,
        uint256 amountClp,
        uint256 projectId,
        address beneficiary
    );
    /// @notice Emitted when `beneficiary` withdraws what settlements owed it.
    event Claimed(address indexed beneficiary, uint256 amountClp);

    /// @notice No accepted terms of installation `installationId` cover a period starting at `periodStart`.
    error EnergySalesNoTerms(uint256 installationId, uint64 periodStart);
    /// @notice The offtaker cannot be the zero address.
    error EnergySalesZeroOfftaker();
    /// @notice Certificate `certificateId` belongs to another installation.
    error EnergySalesWrongInstallation(uint256 certificateId, uint256 installationId, uint256 certificateInstallationId);
    /// @notice Certificate `certificateId` was already settled.
    error EnergySalesAlreadySettled(uint256 certificateId);
    /// @notice The offtaker's deposit does not cover the settlement (nothing is paid partially).
    error EnergySalesInsufficientDeposit(address offtaker, uint256 requiredClp, uint256 availableClp);
    /// @notice The tariff does not fit 56 bits (no real tariff comes near 2^56 CLP per kWh).
    error EnergySalesTariffTooLarge(uint256 tariffClpPerKwh);
    /// @notice Amounts must be above zero.
    error EnergySalesZeroAmount();
    /// @notice A tariff must be above zero (a zero tariff would let anyone settle certificates for nothing).
    error EnergySalesZeroTariff();
    /// @notice floor(energyWh * tariff / 1000) is zero: settling would mark the certificate paid for nothing.
    error EnergySalesNothingToPay(uint256 certificateId);
    /// @notice Nothing is owed to the caller.
    error EnergySalesNothingToClaim(address account);
    /// @notice The caller is not offered exactly these terms (offtaker, tariff, validFrom) for the installation.
    error EnergySalesTermsNotProposed(uint256 installationId, address offtaker, uint256 tariffClpPerKwh, uint64 validFrom);
    /// @notice Terms cannot start before the installation's watermark: they would re-price certified periods.
    error EnergySalesTermsBeforeWatermark(uint256 installationId, uint64 validFrom, uint64 certifiedUntil);
    /// @notice Terms must start after the installation's latest accepted terms (`previousValidFrom`).
    error EnergySalesTermsNotAfterPrevious(uint256 installationId, uint64 validFrom, uint64 previousValidFrom);
    /// @notice validFrom does not fit 40 bits of unix seconds.
    error EnergySalesValidFromTooLarge(uint64 validFrom);
    /// @notice Installation `installationId` has no accepted terms at `index`.
    error EnergySalesUnknownTerms(uint256 installationId, uint256 index);
    /// @notice `offtaker` has no pending withdrawal request.
    error EnergySalesNoWithdrawalRequested(address offtaker);
    /// @notice `offtaker`'s withdrawal is payable only from `availableAt` (now `blockTimestamp`).
    error EnergySalesWithdrawalNotDue(address offtaker, uint256 availableAt, uint256 blockTimestamp);
    /// @notice `offtaker`'s withdrawal request lapsed at `expiredAt` (its payable window is over): request again.
    error EnergySalesWithdrawalExpired(address offtaker, uint256 expiredAt, uint256 blockTimestamp);
    /// @notice A constructor argument is the zero address.
    error EnergySalesZeroAddress();

    /// @notice Role that proposes offtakers and tariffs.
    function TARIFF_ROLE() external view returns (bytes32);

    /// @notice Proposes terms for an installation: `offtaker` pays `tariffClpPerKwh` for the
    ///         certificates whose period starts at or after `validFrom`, once it accepts them.
    /// @dev Tariff role only. Replaces an earlier proposal not yet accepted. Reverts for a zero
    ///      offtaker or tariff, a tariff beyond 2^56 - 1, an unknown installation, a validFrom before
    ///      the installation's watermark (`certifiedUntil`) or not after its latest accepted terms'.
    /// @param installationId The installation (must exist in the registry).
    /// @param offtaker Who would pay for the energy (not zero).
    /// @param tariffClpPerKwh Price in CLP (token units) per kWh, above zero.
    /// @param validFrom First period start (unix s UTC) the terms price.
    function proposeTerms(uint256 installationId, address offtaker, uint256 tariffClpPerKwh, uint64 validFrom) external;

    /// @notice The proposed offtaker accepts the proposal; the arguments must equal it, so nothing
    ///         can be swapped under the offtaker. The terms then price every certificate of the
    ///         installation whose period starts at or after `validFrom` (until later accepted terms).
    /// @dev Reverts with EnergySalesTermsNotProposed unless the caller is the proposal's offtaker and
    ///      the tariff and validFrom equal it; and, as the proposal, when validFrom is now before
    ///      the watermark or not after the latest accepted terms'. Terms already accepted stay for
    ///      the certificates of their periods.
    /// @param installationId The installation.
    /// @param tariffClpPerKwh The proposed tariff.
    /// @param validFrom The proposed first period start.
    function acceptTerms(uint256 installationId, uint256 tariffClpPerKwh, uint64 validFrom) external;

    /// @notice Deposits `amountClp` of the payment token (approved beforehand) for the caller's settlements.
    /// @param amountClp Amount, above zero.
    function deposit(uint256 amountClp) external;

    /// @notice Asks to withdraw up to `amountClp` of the caller's deposit after the notice period
    ///         (`withdrawalNoticeS()`); replaces (and restarts) an earlier request. During the notice
    ///         the deposit keeps paying settlements: this is what protects issued certificates.
    /// @param amountClp Amount, above zero.
    function requestWithdrawal(uint256 amountClp) external;

    /// @notice Pays the caller's due withdrawal request: min(requested, remaining deposit).
    /// @dev Reverts without a request, before its availableAt, and after availableAt +
    ///      WITHDRAWAL_WINDOW_S (the request lapsed: request again and wait the notice again).
    /// @return amountClp What was paid out.
    function withdraw() external returns (uint256 amountClp);

    /// @notice Pays the energy of certificate `certificateId` of installation `installationId`
    ///         at the accepted terms in force at its periodStart (the latest with validFrom <=
    ///         periodStart), from those terms' offtaker's deposit: floor(energyWh * tariffClpPerKwh /
    ///         1000) CLP, into IProjectRevenue.depositRevenue(projectId, amount) when the installation
    ///         has a project that accepts revenue (IProjectRevenue.acceptsRevenue), else owed to its
    ///         beneficiary (pull with `claim`). Once per certificate.
    /// @dev Permissionless; paused with the contract. Reverts when no accepted terms cover the
    ///      certificate's period (EnergySalesNoTerms), the certificate belongs to another
    ///      installation, it was already settled, the amount rounds down to zero (the certificate
    ///      stays unsettled), or the deposit is insufficient.
    /// @param installationId The installation.
    /// @param certificateId The certificate (token id of GenerationCertificates).
    /// @return amountClp What was paid.
    function settle(uint256 installationId, uint256 certificateId) external returns (uint256 amountClp);

    /// @notice Withdraws what settlements owe the caller as a beneficiary.
    /// @return amountClp What was paid out.
    function claim() external returns (uint256 amountClp);

    /// @notice Stops settlement. Admin only.
    function pause() external;

    /// @notice Resumes settlement. Admin only.
    function unpause() external;

    /// @notice Number of accepted terms of an installation (indices 0..count-1, oldest first).
    /// @param installationId The installation.
    /// @return The count.
    function termsCount(uint256 installationId) external view returns (uint256);

    /// @notice Accepted terms number `index` (0 = oldest) of an installation (reverts if none).
    /// @param installationId The installation.
    /// @param index The terms' index.
    /// @return offtaker Who pays.
    /// @return tariffClpPerKwh CLP per kWh.
    /// @return validFrom First period start they price (unix s UTC).
    function termsAt(uint256 installationId, uint256 index)
        external
        view
        returns (address offtaker, uint256 tariffClpPerKwh, uint64 validFrom);

    /// @notice The accepted terms that price a certificate of the installation whose period starts
    ///         at `periodStart` (reverts EnergySalesNoTerms when none).
    /// @param installationId The installation.
    /// @param periodStart A period start (unix s UTC).
    /// @return offtaker Who pays.
    /// @return tariffClpPerKwh CLP per kWh.
    /// @return validFrom First period start they price.
    function termsInForce(uint256 installationId, uint64 periodStart)
        external
        view
        returns (address offtaker, uint256 tariffClpPerKwh, uint64 validFrom);

    /// @notice The proposal awaiting its offtaker's acceptance (zero when none).
    /// @param installationId The installation.
    /// @return offtaker Who is asked to pay.
    /// @return tariffClpPerKwh CLP per kWh.
    /// @return validFrom First period start they would price.
    function proposedTerms(uint256 installationId)
        external
        view
        returns (address offtaker, uint256 tariffClpPerKwh, uint64 validFrom);

    /// @notice Unused deposit of `offtaker` (including any amount under withdrawal notice).
    /// @param offtaker The offtaker.
    /// @return CLP.
    function depositOf(address offtaker) external view returns (uint256);

    /// @notice The pending withdrawal request of `offtaker` (zero when none).
    /// @param offtaker The offtaker.
    /// @return amountClp Requested amount.
    /// @return availableAt When `withdraw` may pay it (unix s).
    function withdrawalRequestOf(address offtaker) external view returns (uint256 amountClp, uint64 availableAt);

    /// @notice How long a due withdrawal request stays payable, in seconds (1 day).
    /// @return Seconds after the request's availableAt.
    function WITHDRAWAL_WINDOW_S() external view returns (uint256);

    /// @notice Seconds between requestWithdrawal and withdraw (immutable).
    /// @return Seconds.
    function withdrawalNoticeS() external view returns (uint256);

    /// @notice What settlements owe `beneficiary` (claimable).
    /// @param beneficiary The beneficiary.
    /// @return CLP.
    function owedTo(address beneficiary) external view returns (uint256);

    /// @notice Whether certificate `certificateId` has been settled.
    /// @param certificateId The certificate.
    /// @return True once settled.
    function isSettled(uint256 certificateId) external view returns (bool);

    /// @notice What settling `certificateId` of `installationId` would pay now.
    /// @param installationId The installation.
    /// @param certificateId The certificate.
    /// @return amountClp floor(energyWh * tariffClpPerKwh / 1000) at the terms in force at its period start.
    function quote(uint256 installationId, uint256 certificateId) external view returns (uint256 amountClp);
}
