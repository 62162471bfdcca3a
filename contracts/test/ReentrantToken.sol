// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Receives the malicious token's callback.
interface ITransferHook {
    /// @notice Called by the token before it moves `value` from `from` to `to`.
    /// @param from The sender (the watched contract).
    /// @param to The recipient.
    /// @param value The amount being moved.
    function onTokensMoved(address from, address to, uint256 value) external;
}

/// @title ReentrantToken (test only)
/// @notice A malicious ERC-20: every time the watched contract sends tokens, it calls the hook first
///         (like an ERC-777 send hook), giving an attacker a chance to re-enter the payer mid-payout.
contract ReentrantToken is ERC20 {
    /// @notice The contract whose outgoing transfers trigger the hook (zero: none).
    address public watched;
    /// @notice The ITransferHook called before each of `watched`'s transfers (zero: none).
    address public hook;

    /// @notice Deploys "Evil Peso" (EVIL) with no supply and no hook.
    constructor() ERC20("Evil Peso", "EVIL") {}

    /// @notice Whole pesos, like PesoToken.
    /// @return Always 0.
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    /// @notice Anyone may mint: this is a test token.
    /// @param to Receives the tokens.
    /// @param amount Amount to mint.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Call `hook_` whenever `watched_` sends tokens.
    /// @param watched_ The contract whose transfers are watched (e.g. the payer under attack).
    /// @param hook_ The ITransferHook to call (zero disables the hook).
    function setHook(address watched_, address hook_) external {
        watched = watched_;
        hook = hook_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == watched && hook != address(0) && from != address(0)) {
            ITransferHook(hook).onTokensMoved(from, to, value);
        }
        super._update(from, to, value);
    }
}

/// @title ReentrancyAttacker (test only)
/// @notice A contract account that acts in the market through `execute` and, when armed, re-enters a
///         target with prepared calldata from the token's hook, recording what happened.
contract ReentrancyAttacker is ITransferHook {
    /// @notice The contract re-entered from the hook.
    address public target;
    /// @notice Calldata of the re-entrant call.
    bytes public payload;
    /// @notice Whether the next hook re-enters `target`.
    bool public armed;
    /// @notice Whether a re-entry was attempted.
    bool public attempted;
    /// @notice Whether the re-entrant call succeeded.
    bool public reentrySucceeded;
    /// @notice Return or revert data of the re-entrant call (the revert reason when it failed).
    bytes public reentryError;

    /// @notice Calls `to` with `data` as this contract; bubbles up a revert.
    /// @param to The contract to call.
    /// @param data The calldata.
    /// @return The call's return data.
    function execute(address to, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    /// @notice On the next token hook, call `target_` with `payload_` (once).
    /// @param target_ The contract to re-enter.
    /// @param payload_ The calldata of the re-entrant call.
    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
        armed = true;
    }

    /// @inheritdoc ITransferHook
    /// @dev When armed: disarms, calls `target` with `payload` and records the outcome instead of reverting.
    function onTokensMoved(address, address, uint256) external {
        if (!armed) return;
        armed = false;
        attempted = true;
        (bool ok, bytes memory ret) = target.call(payload);
        reentrySucceeded = ok;
        reentryError = ret;
    }
}
