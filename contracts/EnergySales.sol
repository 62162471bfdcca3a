// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {IEnergySales} from "../interfaces/IEnergySales.sol";
import {IGenerationCertificates} from "../interfaces/IGenerationCertificates.sol";
import {IInstallationRegistry} from "../interfaces/IInstallationRegistry.sol";
import {IProjectRevenue} from "../interfaces/IProjectRevenue.sol";

/// @title EnergySales
/// @notice Pays certified energy at each installation's tariff from its offtaker's deposit, into
///         the project's crowdfunding revenue or to the beneficiary (pull payment).
/// @dev DEFAULT_ADMIN_ROLE pauses settlement; TARIFF_ROLE sets terms. The revenue contract gets an
///      unlimited allowance once, at construction, so each settlement is a single depositRevenue call.
contract EnergySales is AccessControl, Pausable, ReentrancyGuard, IEnergySales {
    using SafeERC20 for IERC20;
    using BitMaps for BitMaps.BitMap;

    /// @inheritdoc IEnergySales
    bytes32 public constant TARIFF_ROLE = keccak256("TARIFF_ROLE");

    /// @dev One slot: settlement reads both.
    struct Terms {
        address offtaker;
        uint96 tariffClpPerKwh;
    }

    IERC20 private immutable _TOKEN;
    IInstallationRegistry private immutable _REGISTRY;
    IGenerationCertificates private immutable _CERTIFICATES;
    IProjectRevenue private immutable _REVENUE;

    mapping(uint256 installationId => Terms) private _terms;
    mapping(address offtaker => uint256 depositClp) private _deposits;
    mapping(address beneficiary => uint256 owedClp) private _owed;
    // One bit per certificate (token ids are sequential), so most settlements update a used slot.
    BitMaps.BitMap private _settled;

    /// @param admin Receives DEFAULT_ADMIN_ROLE and TARIFF_ROLE.
    /// @param token The payment token.
    /// @param registry_ The installation registry.
    /// @param certificates_ The generation certificates.
    /// @param revenue The crowdfunding contract receiving project revenue.
    constructor(
        address admin,
        IERC20 token,
        IInstallationRegistry registry_,
        IGenerationCertificates certificates_,
        IProjectRevenue revenue
    ) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(TARIFF_ROLE, admin);
        _TOKEN = token;
        _REGISTRY = registry_;
        _CERTIFICATES = certificates_;
        _REVENUE = revenue;
        token.forceApprove(address(revenue), type(uint256).max);
    }

    /// @inheritdoc IEnergySales
    function setTerms(uint256 installationId, address offtaker, uint256 tariffClpPerKwh) external onlyRole(TARIFF_ROLE) {
        if (offtaker == address(0)) revert EnergySalesZeroOfftaker();
        if (tariffClpPerKwh == 0) revert EnergySalesZeroTariff();
        if (tariffClpPerKwh > type(uint96).max) revert EnergySalesTariffTooLarge(tariffClpPerKwh);
        _REGISTRY.installationCore(installationId); // reverts for an unknown installation
        // fits: checked above
        _terms[installationId] = Terms({offtaker: offtaker, tariffClpPerKwh: uint96(tariffClpPerKwh)});
        emit TermsSet(installationId, offtaker, tariffClpPerKwh);
    }

    /// @inheritdoc IEnergySales
    function deposit(uint256 amountClp) external nonReentrant {
        if (amountClp == 0) revert EnergySalesZeroAmount();
        _deposits[msg.sender] += amountClp;
        emit Deposited(msg.sender, amountClp);
        _TOKEN.safeTransferFrom(msg.sender, address(this), amountClp);
    }

    /// @inheritdoc IEnergySales
    function withdraw(uint256 amountClp) external nonReentrant {
        if (amountClp == 0) revert EnergySalesZeroAmount();
        uint256 available = _deposits[msg.sender];
        if (amountClp > available) revert EnergySalesInsufficientDeposit(msg.sender, amountClp, available);
        // amountClp <= available, checked above
        unchecked {
            _deposits[msg.sender] = available - amountClp;
        }
        emit Withdrawn(msg.sender, amountClp);
        _TOKEN.safeTransfer(msg.sender, amountClp);
    }

    /// @inheritdoc IEnergySales
    function settle(uint256 installationId, uint256 certificateId)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 amountClp)
    {
        Terms memory t = _terms[installationId];
        if (t.offtaker == address(0)) revert EnergySalesNoTerms(installationId);
        (uint256 energyWh, uint256 amount) = _quote(installationId, certificateId, t.tariffClpPerKwh);
        if (_settled.get(certificateId)) revert EnergySalesAlreadySettled(certificateId);
        if (amount == 0) revert EnergySalesNothingToPay(certificateId);
        uint256 available = _deposits[t.offtaker];
        if (amount > available) revert EnergySalesInsufficientDeposit(t.offtaker, amount, available);
        (address beneficiary,, uint256 projectId) = _REGISTRY.installationCore(installationId);

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
    function terms(uint256 installationId) external view returns (address offtaker, uint256 tariffClpPerKwh) {
        Terms storage t = _terms[installationId];
        return (t.offtaker, t.tariffClpPerKwh);
    }

    /// @inheritdoc IEnergySales
    function depositOf(address offtaker) external view returns (uint256) {
        return _deposits[offtaker];
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
        (, amountClp) = _quote(installationId, certificateId, _terms[installationId].tariffClpPerKwh);
    }

    function _quote(uint256 installationId, uint256 certificateId, uint256 tariffClpPerKwh)
        private
        view
        returns (uint256 energyWh, uint256 amountClp)
    {
        uint256 certInstallation;
        (certInstallation, energyWh) = _CERTIFICATES.certificateEnergy(certificateId);
        if (certInstallation != installationId) {
            revert EnergySalesWrongInstallation(certificateId, installationId, certInstallation);
        }
        amountClp = energyWh * tariffClpPerKwh / 1000;
    }
}
