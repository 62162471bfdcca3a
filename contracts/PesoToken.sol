// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IPesoToken} from "../interfaces/IPesoToken.sol";

/// @title PesoToken
/// @notice Chilean peso token for local chains and testnets: 1 token = 1 CLP, 0 decimals.
/// @dev Every other PV Ledger contract takes the payment token's address, so production can use
///      any ERC-20 the operator chooses; this token only exists to make local runs self-contained.
contract PesoToken is ERC20, AccessControl, IPesoToken {
    /// @inheritdoc IPesoToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param admin Receives DEFAULT_ADMIN_ROLE and MINTER_ROLE.
    constructor(address admin) ERC20("Peso Chileno", "CLP") {
        if (admin == address(0)) revert PesoTokenZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice Pesos have no subunit on this token.
    /// @return Always 0.
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    /// @inheritdoc IPesoToken
    function mint(address to, uint256 amountClp) external onlyRole(MINTER_ROLE) {
        _mint(to, amountClp);
        emit PesosMinted(msg.sender, to, amountClp);
    }
}
