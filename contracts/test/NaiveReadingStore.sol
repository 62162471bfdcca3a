// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title NaiveReadingStore
/// @notice Benchmark-only baseline: stores every 15-minute reading on-chain (one storage slot per
///         reading), the design GenerationOracle + GenerationCertificates avoid by anchoring one
///         Merkle root per round and one certificate per installation-day.
contract NaiveReadingStore {
    mapping(uint256 installationId => mapping(uint64 intervalStart => uint256 energyWh)) public readingWh;
    mapping(uint256 installationId => uint256 totalWh) public totalWh;

    event ReadingsStored(uint256 indexed installationId, uint256 count, uint256 energyWh);

    /// @notice Stores the readings of one installation (intervalStarts[i] -> energiesWh[i]).
    function storeReadings(uint256 installationId, uint64[] calldata intervalStarts, uint256[] calldata energiesWh) external {
        uint256 sum;
        for (uint256 i = 0; i < intervalStarts.length; ++i) {
            readingWh[installationId][intervalStarts[i]] = energiesWh[i];
            sum += energiesWh[i];
        }
        totalWh[installationId] += sum;
        emit ReadingsStored(installationId, intervalStarts.length, sum);
    }
}
