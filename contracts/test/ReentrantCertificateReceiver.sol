// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {ERC165, IERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IGenerationCertificates} from "../../interfaces/IGenerationCertificates.sol";

/// @title ReentrantCertificateReceiver (test only)
/// @notice A beneficiary contract that, on its first certificate, re-enters `issue` with a leaf it
///         was armed with, in the middle of the issuer's batch.
contract ReentrantCertificateReceiver is ERC165, IERC1155Receiver {
    /// @notice The certificates contract re-entered.
    IGenerationCertificates public immutable CERTIFICATES;
    /// @notice Round of the armed leaf.
    uint256 public armedRound;
    /// @notice The leaf issued on re-entry.
    IGenerationCertificates.Leaf public armedLeaf;
    /// @notice Proof of the armed leaf.
    bytes32[] public armedProof;
    /// @notice Whether the next certificate received triggers the re-entry.
    bool public armed;
    /// @notice Token id returned by the re-entrant `issue` (0 until it succeeds).
    uint256 public reenteredTokenId;

    /// @param certificates The certificates contract to re-enter.
    constructor(IGenerationCertificates certificates) {
        CERTIFICATES = certificates;
    }

    /// @notice Re-enter `issue(roundId, leaf, proof)` when the next certificate arrives.
    /// @param roundId Oracle round whose root contains `leaf`.
    /// @param leaf The leaf to issue on re-entry.
    /// @param proof Its Merkle proof.
    function arm(uint256 roundId, IGenerationCertificates.Leaf calldata leaf, bytes32[] calldata proof) external {
        armedRound = roundId;
        armedLeaf = leaf;
        armedProof = proof;
        armed = true;
    }

    /// @inheritdoc IERC1155Receiver
    /// @dev When armed: disarms and calls `issue` with the armed leaf; a revert there rejects the transfer.
    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external returns (bytes4) {
        if (armed) {
            armed = false;
            reenteredTokenId = CERTIFICATES.issue(armedRound, armedLeaf, armedProof);
        }
        return this.onERC1155Received.selector;
    }

    /// @inheritdoc IERC1155Receiver
    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return this.onERC1155BatchReceived.selector;
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view override(ERC165, IERC165) returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || super.supportsInterface(interfaceId);
    }
}
