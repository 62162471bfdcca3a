// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPesoToken
/// @notice Minting interface of the local/testnet peso token (ERC-20, 0 decimals, 1 token = 1 CLP).
interface IPesoToken {
    /// @notice Emitted when `minter` creates `amountClp` new pesos for `to`.
    event PesosMinted(address indexed minter, address indexed to, uint256 amountClp);

    /// @notice The admin given to the constructor is the zero address.
    error PesoTokenZeroAddress();

    /// @notice Role allowed to mint.
    /// @return The role identifier, keccak256("MINTER_ROLE").
    function MINTER_ROLE() external view returns (bytes32);

    /// @notice Creates `amountClp` pesos for `to`. Only MINTER_ROLE.
    /// @dev Reverts with AccessControlUnauthorizedAccount(caller, MINTER_ROLE) for anyone else.
    /// @param to Receiver of the new pesos.
    /// @param amountClp Amount in pesos (whole CLP; the token has 0 decimals).
    function mint(address to, uint256 amountClp) external;
}
