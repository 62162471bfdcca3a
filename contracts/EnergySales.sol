// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IEnergySales} from "../interfaces/IEnergySales.sol";
import {IGenerationCertificates} from "../interfaces/IGenerationCertificates.sol";
import {IInstallationRegistry} from "../interfaces/IInstallationRegistry.sol";
import {IProjectRevenue} from "../interfaces/IProjectRevenue.sol";

/// @title EnergySales
/// @notice Pays certified energy at the terms its offtaker accepted for the certificate's period,
///         from that offtaker's deposit, into the project's crowdfunding revenue or to the
///         beneficiary (pull payment).
/// @dev DEFAULT_ADMIN_ROLE pauses settlement; TARIFF_ROLE proposes terms, the offtaker accepts them.
///      The revenue contract gets an unlimited allowance once, at construction, so each settlement
///      is a single depositRevenue call.
contract EnergySales is AccessControl, Pausable, ReentrancyGuard, IEnergySales {
    using SafeERC20 for IERC20;
    using BitMaps for BitMaps.BitMap;

    /// @inheritdoc IEnergySales
    bytes32 public constant TARIFF_ROLE = keccak256("TARIFF_ROLE");
    /// @inheritdoc IEnergySales
    uint256 public constant WITHDRAWAL_WINDOW_S = 1 days;

    /// @dev Terms (accepted or proposed) in one slot: 160 + 40 + 56 bits. validFrom is unix seconds
    ///      (< 2^40, checked); a tariff < 2^56 CLP per kWh (checked) is far above any real one.
    struct Terms {
        address offtaker;
        uint40 validFrom;
        uint56 tariffClpPerKwh;
    }

    /// @dev A pending withdrawal in one slot: amount (checked into 216 bits) and when it may be paid.
    struct WithdrawalRequest {
        uint216 amountClp;
        uint40 availableAt;
    }

    IERC20 private immutable _TOKEN;
    IInstallationRegistry private immutable _REGISTRY;
    IGenerationCertificates private immutable _CERTIFICATES;
    IProjectRevenue private immutable _REVENUE;
    uint256 private immutable _WITHDRAWAL_NOTICE_S;

    // The latest accepted terms of each installation, read by almost every settlement (one slot);
    // the terms it replaced stay in _earlierTerms, oldest first, for certificates of their periods.
    mapping(uint256 installationId => Terms) private _currentTerms;
    mapping(uint256 installationId => Terms[]) private _earlierTerms;
    mapping(uint256 installationId => Terms) private _proposedTerms;
    mapping(address offtaker => uint256 depositClp) private _deposits;
    mapping(address offtaker => WithdrawalRequest) private _withdrawalRequests;
    mapping(address beneficiary => uint256 owedClp) private _owed;
    // One bit per certificate (token ids are sequential), so most settlements update a used slot.
    BitMaps.BitMap private _settled;

    /// @param admin Receives DEFAULT_ADMIN_ROLE and TARIFF_ROLE.
    /// @param token The payment token.
    /// @param registry_ The installation registry.
    /// @param certificates_ The generation certificates.
    /// @param revenue The crowdfunding contract receiving project revenue.
    /// @param withdrawalNoticeS Seconds between an offtaker's requestWithdrawal and its withdraw
    ///        (scripts/deployment/energy.py: 7 days), during which anyone may settle its certificates.
    constructor(
        address admin,
        IERC20 token,
        IInstallationRegistry registry_,
        IGenerationCertificates certificates_,
        IProjectRevenue revenue,
        uint256 withdrawalNoticeS
    ) {
        if (
            admin == address(0) || address(token) == address(0) || address(registry_) == address(0)
                || address(certificates_) == address(0) || address(revenue) == address(0)
        ) revert EnergySalesZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(TARIFF_ROLE, admin);
        _TOKEN = token;
        _REGISTRY = registry_;
        _CERTIFICATES = certificates_;
        _REVENUE = revenue;
        _WITHDRAWAL_NOTICE_S = withdrawalNoticeS;
        token.forceApprove(address(revenue), type(uint256).max);
    }

    /// @inheritdoc IEnergySales
    function proposeTerms(uint256 installationId, address offtaker, uint256 tariffClpPerKwh, uint64 validFrom)
        external
        onlyRole(TARIFF_ROLE)
    {
        if (offtaker == address(0)) revert EnergySalesZeroOfftaker();
        if (tariffClpPerKwh == 0) revert EnergySalesZeroTariff();
        if (tariffClpPerKwh > type(uint56).max) revert EnergySalesTariffTooLarge(tariffClpPerKwh);
        _REGISTRY.installationCore(installationId); // reverts for an unknown installation
        _checkValidFrom(installationId, validFrom);
        // fits: tariff and validFrom checked above
        _proposedTerms[installationId] =
            Terms({offtaker: offtaker, validFrom: uint40(validFrom), tariffClpPerKwh: uint56(tariffClpPerKwh)});
        emit TermsProposed(installationId, offtaker, tariffClpPerKwh, validFrom);
    }

    /// @inheritdoc IEnergySales
    function acceptTerms(uint256 installationId, uint256 tariffClpPerKwh, uint64 validFrom) external {
        Terms memory proposal = _proposedTerms[installationId];
        if (
            proposal.offtaker != msg.sender || proposal.tariffClpPerKwh != tariffClpPerKwh
                || proposal.validFrom != validFrom
        ) revert EnergySalesTermsNotProposed(installationId, msg.sender, tariffClpPerKwh, validFrom);
        // again: the watermark may have moved since the proposal
        _checkValidFrom(installationId, validFrom);
        Terms memory replaced = _currentTerms[installationId];
        if (replaced.offtaker != address(0)) _earlierTerms[installationId].push(replaced);
        _currentTerms[installationId] = proposal;
        delete _proposedTerms[installationId];
        emit TermsAccepted(installationId, msg.sender, tariffClpPerKwh, validFrom);
    }

    /// @inheritdoc IEnergySales
    function deposit(uint256 amountClp) external nonReentrant {
        if (amountClp == 0) revert EnergySalesZeroAmount();
        _deposits[msg.sender] += amountClp;
        emit Deposited(msg.sender, amountClp);
        _TOKEN.safeTransferFrom(msg.sender, address(this), amountClp);
    }

    /// @inheritdoc IEnergySales
    function requestWithdrawal(uint256 amountClp) external {
        if (amountClp == 0) revert EnergySalesZeroAmount();
        // block time < 2^40 s and the notice is the deployer's choice: checked cast
        uint40 availableAt = SafeCast.toUint40(block.timestamp + _WITHDRAWAL_NOTICE_S);
        _withdrawalRequests[msg.sender] =
            WithdrawalRequest({amountClp: SafeCast.toUint216(amountClp), availableAt: availableAt});
        emit WithdrawalRequested(msg.sender, amountClp, availableAt);
    }

    /// @inheritdoc IEnergySales
    function withdraw() external nonReentrant returns (uint256 amountClp) {
        WithdrawalRequest memory request = _withdrawalRequests[msg.sender];
        if (request.amountClp == 0) revert EnergySalesNoWithdrawalRequested(msg.sender);
        if (block.timestamp < request.availableAt) {
            revert EnergySalesWithdrawalNotDue(msg.sender, request.availableAt, block.timestamp);
        }
        uint256 expiresAt = uint256(request.availableAt) + WITHDRAWAL_WINDOW_S;
        if (block.timestamp > expiresAt) revert EnergySalesWithdrawalExpired(msg.sender, expiresAt, block.timestamp);
        uint256 available = _deposits[msg.sender];
        amountClp = request.amountClp < available ? request.amountClp : available;
        delete _withdrawalRequests[msg.sender];
        // amountClp <= available by the min above
        unchecked {
            _deposits[msg.sender] = available - amountClp;
        }
        emit Withdrawn(msg.sender, amountClp);
        if (amountClp != 0) _TOKEN.safeTransfer(msg.sender, amountClp);
    }

    /// @inheritdoc IEnergySales
    function settle(uint256 installationId, uint256 certificateId)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 amountClp)
    {
        (uint256 energyWh, Terms memory t, uint256 amount) = _quote(installationId, certificateId);
        if (_settled.get(certificateId)) revert EnergySalesAlreadySettled(certificateId);
        if (amount == 0) revert EnergySalesNothingToPay(certificateId);
        uint256 available = _deposits[t.offtaker];
        if (amount > available) revert EnergySalesInsufficientDeposit(t.offtaker, amount, available);
        (address beneficiary,, uint256 projectId) = _REGISTRY.installationCore(installationId);
        // A cancelled project's crowdfunding takes no revenue: the beneficiary is paid, as without a project.
        if (projectId != 0 && !_REVENUE.acceptsRevenue(projectId)) projectId = 0;

        _settled.set(certificateId);
        // amount <= available, checked above
        unchecked {
            _deposits[t.offtaker] = available - amount;
        }
        if (projectId == 0) _owed[beneficiary] += amount;
        emit Settled(installationId, certificateId, t.offtaker, energyWh, t.tariffClpPerKwh, amount, projectId, beneficiary);
        if (projectId != 0) _REVENUE.depositRevenue(projectId, amount);
        return amount;
    }

    /// @inheritdoc IEnergySales
    function claim() external nonReentrant returns (uint256 amountClp) {
        amountClp = _owed[msg.sender];
        if (amountClp == 0) revert EnergySalesNothingToClaim(msg.sender);
        _owed[msg.sender] = 0;
        emit Claimed(msg.sender, amountClp);
        _TOKEN.safeTransfer(msg.sender, amountClp);
    }

    /// @inheritdoc IEnergySales
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IEnergySales
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IEnergySales
    function termsCount(uint256 installationId) external view returns (uint256) {
        uint256 earlier = _earlierTerms[installationId].length;
        return _currentTerms[installationId].offtaker == address(0) ? earlier : earlier + 1;
    }

    /// @inheritdoc IEnergySales
    function termsAt(uint256 installationId, uint256 index)
        external
        view
        returns (address offtaker, uint256 tariffClpPerKwh, uint64 validFrom)
    {
        Terms[] storage earlier = _earlierTerms[installationId];
        Terms memory t;
        if (index < earlier.length) {
            t = earlier[index];
        } else {
            t = _currentTerms[installationId];
            if (index != earlier.length || t.offtaker == address(0)) revert EnergySalesUnknownTerms(installationId, index);
        }
        return (t.offtaker, t.tariffClpPerKwh, t.validFrom);
    }

    /// @inheritdoc IEnergySales
    function termsInForce(uint256 installationId, uint64 periodStart)
        external
        view
        returns (address offtaker, uint256 tariffClpPerKwh, uint64 validFrom)
    {
        Terms memory t = _termsInForce(installationId, periodStart);
        return (t.offtaker, t.tariffClpPerKwh, t.validFrom);
    }

    /// @inheritdoc IEnergySales
    function proposedTerms(uint256 installationId)
        external
        view
        returns (address offtaker, uint256 tariffClpPerKwh, uint64 validFrom)
    {
        Terms storage t = _proposedTerms[installationId];
        return (t.offtaker, t.tariffClpPerKwh, t.validFrom);
    }

    /// @inheritdoc IEnergySales
    function depositOf(address offtaker) external view returns (uint256) {
        return _deposits[offtaker];
    }

    /// @inheritdoc IEnergySales
    function withdrawalRequestOf(address offtaker) external view returns (uint256 amountClp, uint64 availableAt) {
        WithdrawalRequest storage request = _withdrawalRequests[offtaker];
        return (request.amountClp, request.availableAt);
    }

    /// @inheritdoc IEnergySales
    function withdrawalNoticeS() external view returns (uint256) {
        return _WITHDRAWAL_NOTICE_S;
    }

    /// @inheritdoc IEnergySales
    function owedTo(address beneficiary) external view returns (uint256) {
        return _owed[beneficiary];
    }

    /// @inheritdoc IEnergySales
    function isSettled(uint256 certificateId) external view returns (bool) {
        return _settled.get(certificateId);
    }

    /// @inheritdoc IEnergySales
    function quote(uint256 installationId, uint256 certificateId) external view returns (uint256 amountClp) {
        (,, amountClp) = _quote(installationId, certificateId);
    }

    /// @dev Terms may start no earlier than the installation's watermark (so they never re-price a
    ///      period already certified) and only after the latest accepted terms.
    function _checkValidFrom(uint256 installationId, uint64 validFrom) private view {
        uint64 certifiedUntil = _REGISTRY.certifiedUntil(installationId);
        if (validFrom < certifiedUntil) revert EnergySalesTermsBeforeWatermark(installationId, validFrom, certifiedUntil);
        Terms storage current = _currentTerms[installationId];
        if (current.offtaker != address(0) && validFrom <= current.validFrom) {
            revert EnergySalesTermsNotAfterPrevious(installationId, validFrom, current.validFrom);
        }
        if (validFrom > type(uint40).max) revert EnergySalesValidFromTooLarge(validFrom);
    }

    /// @dev The latest accepted terms with validFrom <= periodStart: the current ones for almost any
    ///      settlement, else a walk back over the (few) terms they replaced.
    function _termsInForce(uint256 installationId, uint64 periodStart) private view returns (Terms memory t) {
        t = _currentTerms[installationId];
        if (t.offtaker != address(0) && t.validFrom <= periodStart) return t;
        Terms[] storage earlier = _earlierTerms[installationId];
        for (uint256 i = earlier.length; i > 0; --i) {
            t = earlier[i - 1];
            if (t.validFrom <= periodStart) return t;
        }
        revert EnergySalesNoTerms(installationId, periodStart);
    }

    function _quote(uint256 installationId, uint256 certificateId)
        private
        view
        returns (uint256 energyWh, Terms memory t, uint256 amountClp)
    {
        (uint256 certInstallation, uint256 certEnergyWh, uint64 periodStart) = _CERTIFICATES.certificateEnergy(certificateId);
        if (certInstallation != installationId) {
            revert EnergySalesWrongInstallation(certificateId, installationId, certInstallation);
        }
        energyWh = certEnergyWh;
        t = _termsInForce(installationId, periodStart);
        amountClp = energyWh * t.tariffClpPerKwh / 1000;
    }
}
