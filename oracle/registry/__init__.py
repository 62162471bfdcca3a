"""The certificate and mitigation ledger as Climate Action Data Trust (CADT v1) records
(``export_ledger``), on web3 alone.

Reads InstallationRegistry, GenerationCertificates (and GenerationOracle for round dates) by their
names in the deployment manifest (``reader``: views pinned at one block, batched JSON-RPC, events
by paged eth_getLogs, every event checked against the contract's record hash), checks the ledger
(``checks``), maps it to CADT records (``cadt``) and writes into the output folder (``files``), each
as JSON (``<kind>.json``, a list of records) and CSV (``<kind>.csv``):

- ``projects``: one per installation (CADT project record; its location is also in ``locations``);
- ``locations``: one per installation (CADT ``projectLocations`` child record);
- ``issuances``: one per certificate (token id): vintage dates = the certified period;
- ``units``: unit blocks of each certificate, 1 unit = 1 Wh of certified generation: one ``Retired``
  block per retirement, one ``Exported`` block per export lock, one ``Held`` block for the rest;
- ``ledger``: issued / retired / exported / held Wh and kgCO2e per installation and period, plus
  per installation and year and a total (``summary_table`` prints them);
- ``export.json``: chain id, contract addresses, block number and time of the export.

Every export checks that blocks do not overlap and that held + retired + exported = issued per
certificate, and that the contract's retiredWh / exportedWh equal the sum of its retirement /
export records; any violation raises LedgerError and nothing is written.

Errors (all ``oracle.errors.OracleError``, one line each): ConfigError (exit 2) for a manifest
without the energy contracts or a stale one (no code at an address); ExportError (exit 2) for an
output folder that cannot be written or views that do not match the ABI; LedgerError (exit 3) for
a ledger that does not add up as the chain served it; ChainError (exit 3) for an unreachable or
failing node.
"""

from __future__ import annotations

from pathlib import Path

from oracle.chain.manifest import Chain
from oracle.registry.cadt import (
    ISSUANCE_FIELDS,
    LEDGER_FIELDS,
    LOCATION_FIELDS,
    PROJECT_FIELDS,
    RECORD_FIELDS,
    UNIT_FIELDS,
    ExportConfig,
    RegistryExport,
    build_export,
    cadt_fields_only,
    unit_blocks,
)
from oracle.registry.checks import check_ledger, check_records_against_hashes, check_unit_blocks
from oracle.registry.files import summary_table, write_export
from oracle.registry.reader import ChainReader, read_ledger
from oracle.registry.records import (
    CertificateInfo,
    EmissionFactor,
    ExportError,
    ExportInfo,
    InstallationInfo,
    Ledger,
    LedgerError,
    RetirementInfo,
    UnitBlock,
    export_hash,
    grams_to_kg,
    grams_to_tonnes,
    mitigation_grams,
    retirement_hash,
)

__all__ = [
    "ISSUANCE_FIELDS", "LEDGER_FIELDS", "LOCATION_FIELDS", "PROJECT_FIELDS", "RECORD_FIELDS", "UNIT_FIELDS",
    "CertificateInfo", "ChainReader", "EmissionFactor", "ExportConfig", "ExportError", "ExportInfo",
    "InstallationInfo", "Ledger", "LedgerError", "RegistryExport", "RetirementInfo", "UnitBlock",
    "build_export", "cadt_fields_only", "check_ledger", "check_records_against_hashes", "check_unit_blocks",
    "export_hash", "export_ledger", "grams_to_kg", "grams_to_tonnes", "mitigation_grams", "read_ledger",
    "retirement_hash", "summary_table", "unit_blocks", "write_export",
]


def export_ledger(chain: Chain, out_dir: Path, config: ExportConfig | None = None) -> RegistryExport:
    """Read the ledger of the manifest's contracts at the latest block (events from the certificates'
    deployment block), check it, and write its records into ``out_dir``; returns the export.
    Nothing is written when a read or a check fails."""
    export = build_export(read_ledger(chain), config)
    write_export(export, Path(out_dir))
    return export
