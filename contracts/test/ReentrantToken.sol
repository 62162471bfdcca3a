// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Receives the malicious token's callback.
interface ITransferHook {
    function onTokensMoved(address from, address to, uint256 value) external;
}

/// @title ReentrantToken (test only)
/// @notice A malicious ERC-20: every time the watched contract sends tokens, it calls the hook first
///         (like an ERC-777 send hook), giving an attacker a chance to re-enter the payer mid-payout.
contract ReentrantToken is ERC20 {
    address public watched;
    address public hook;

    constructor() ERC20("Evil Peso", "EVIL") {}

    function decimals() public pure override returns (uint8) {
        return 0;
    }

    /// @notice Anyone may mint: this is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Call `hook_` whenever `watched_` sends tokens.
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
    address public target;
    bytes public payload;
    bool public armed;
    bool public attempted;
    bool public reentrySucceeded;
    bytes public reentryError;

    /// @notice Calls `to` with `data` as this contract; bubbles up a revert.
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
    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
        armed = true;
    }

    function onTokensMoved(address, address, uint256) external {
        if (!armed) return;
        armed = false;
        attempted = true;
        (bool ok, bytes memory ret) = target.call(payload);
        reentrySucceeded = ok;
        reentryError = ret;
    }
}
