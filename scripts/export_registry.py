"""Export the certificate and mitigation ledger as Climate Action Data Trust (CADT v1) records.

Usage::

    brownie run scripts/export_registry.py --network <net>                  # -> exports/<chainId>/
    brownie run scripts/export_registry.py main exports/pilot --network <net>

Reads InstallationRegistry, GenerationCertificates (and GenerationOracle for round dates) through
their views, using the addresses in ``deployments/<chainId>.json``: every call pinned at one block
(a consistent snapshot) and batched 200 per JSON-RPC request (``ChainReader``). Writes into the output
folder, each as JSON (``<kind>.json``, a list of records) and CSV (``<kind>.csv``):

- ``projects``: one per installation (CADT project record; its location is also in ``locations``);
- ``locations``: one per installation (CADT ``projectLocations`` child record);
- ``issuances``: one per certificate (token id): vintage dates = the certified period;
- ``units``: unit blocks of each certificate, 1 unit = 1 Wh of certified generation: one ``Retired``
  block per retirement, one ``Exported`` block per export lock, one ``Held`` block for the rest;
- ``ledger``: issued / retired / exported / held Wh and kgCO2e per installation and period, plus
  per installation and year and a total (also printed as a table);
- ``export.json``: chain id, contract addresses, block number and time of the export.

Record shapes follow CADT v1 (Chia-Network/cadt, read through the code search of this project):
- ``src/validations/projects.validations.js``: projectId, originProjectId, registryOfOrigin,
  currentRegistry, program, projectName, projectLink, projectDeveloper, sector, projectType,
  projectTags, coveredByNDC, ndcInformation, projectStatus, projectStatusDate, unitMetric,
  methodology, validationBody, validationDate, description;
- ``src/validations/locations.validations.js``: country, inCountryRegion, geographicIdentifier;
- ``src/validations/issuances.validation.js``: id, startDate, endDate, verificationApproach,
  verificationDate, verificationBody;
- ``src/validations/units.validations.js``: projectLocationId, unitOwner,
  countryJurisdictionOfOwner, inCountryJurisdictionOfOwner, unitBlockStart, unitBlockEnd,
  unitCount, vintageYear, unitType, marketplace, marketplaceLink, marketplaceIdentifier, unitTags,
  unitStatus, unitStatusReason (required for retired units), unitRegistryLink,
  correspondingAdjustmentDeclaration, correspondingAdjustmentStatus;
- picklist values from ``docs/cadt_rpc_api.md`` (governance pickList): unitStatus Held / Retired /
  Exported, unitType "Avoidance", unitMetric "tCO2e", projectStatusValues (Registered, Inactive,
  Completed), coveredByNDC, correspondingAdjustmentDeclaration / Status.
CADT derives warehouseProjectId, issuanceId and warehouseUnitId itself on import; records here link
by ``projectId`` (locations, issuances) and ``issuanceId`` (units, = the issuance ``id``). Fields
named ``pvLedger*`` are PV Ledger extensions (token ids, Wh, grams); a CADT import drops them
(``cadt_fields_only``). The sector and projectType defaults are not in the abbreviated picklist:
check them against the governance picklist of the receiving node (``ExportConfig``).

Units and rounding: 1 unit = 1 Wh. Mitigation of an amount = floor(Wh x gCO2e/kWh of the
certificate's emission factor year / 1000) grams, as the contract's ``mitigationGrams``; each
retired or exported block gets that of its own amount, the held block gets the certificate's total
minus those, so blocks add up to the issuance and no block claims more than the contract would.
(A certificate retired or exported in full has no held block: its sub-gram rounding residue, under
1 g per record, shows as held grams with 0 held Wh in the ledger rows, and is claimed by nobody.)
kgCO2e = grams / 1000, tCO2e = grams / 1,000,000 (exact decimals; JSON numbers, CSV text).

Unit serials are ``PVL-<chainId>-<tokenId>-<n>`` with n = 1..energyWh of the certificate; blocks
are numbered retirements first (by id), then exports (by id), then held. Every export checks that
blocks do not overlap and that held + retired + exported = issued per certificate, and that the
contract's retiredWh / exportedWh equal the sum of its retirement / export records; any violation
raises LedgerError and nothing is written.

Retirements, exports and readings roots are not stored in contract state (the contract keeps one
hash per retirement / export record and the certificate's fields): they are read from the
CertificateRetired, ExportLocked and CertificateIssued events (eth_getLogs, paged by block range,
up to the same block as the views). Every record id 1..retirementCount / 1..exportCount must
appear exactly once and hash to the contract's ``retirementHash`` / ``exportHash``, and every
certificate must have its CertificateIssued event with the same fields as the view; a missing,
duplicate or mismatching record raises LedgerError.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXPORT_DIR = PROJECT_ROOT / "exports"

STATUS_HELD = "Held"
STATUS_RETIRED = "Retired"
STATUS_EXPORTED = "Exported"

INSTALLATION_STATUS = {0: "active", 1: "suspended", 2: "decommissioned"}
PROJECT_STATUS = {"active": "Registered", "suspended": "Inactive", "decommissioned": "Completed"}


class ExportError(Exception):
    """The ledger cannot be read or written; the message says what to fix."""


class LedgerError(ExportError):
    """The ledger is inconsistent (overlapping blocks, amounts that do not add up); nothing is written."""


# --- the ledger as read from chain -------------------------------------------------------------


@dataclass(frozen=True)
class InstallationInfo:
    installation_id: int
    beneficiary: str
    status: str  # active / suspended / decommissioned
    capacity_w: int
    lat_e6: int  # millionths of a degree, WGS84
    lon_e6: int
    commune_code: int  # Chilean CUT commune code
    commissioned_at: int  # unix s UTC
    project_id: int  # marketplace project, 0 = none
    technology: str
    datalogger_kind: str
    datalogger_serial: str
    programme: str


@dataclass(frozen=True)
class CertificateInfo:
    token_id: int
    installation_id: int
    period_start: int  # unix s UTC
    period_end: int
    round_id: int
    energy_wh: int
    retired_wh: int
    exported_wh: int
    emission_factor_year: int
    readings_root: str  # 0x hex
    verified_at: int | None = None  # unix s UTC: when the oracle round was submitted


@dataclass(frozen=True)
class RetirementInfo:
    retirement_id: int
    token_id: int
    holder: str
    amount_wh: int
    beneficiary: str
    purpose: str
    reporting_period: str
    country: str
    retired_at: int


@dataclass(frozen=True)
class ExportInfo:
    export_id: int
    token_id: int
    holder: str
    amount_wh: int
    registry: str
    reference: str
    exported_at: int


@dataclass(frozen=True)
class EmissionFactor:
    year: int
    g_co2e_per_kwh: int
    source: str


@dataclass(frozen=True)
class Ledger:
    chain_id: int
    registry_address: str
    certificates_address: str
    installations: list[InstallationInfo]
    certificates: list[CertificateInfo]
    retirements: list[RetirementInfo]
    exports: list[ExportInfo]
    emission_factors: dict[int, EmissionFactor]
    block_number: int | None = None
    read_at: int | None = None  # unix s UTC


@dataclass(frozen=True)
class ExportConfig:
    """Texts and picklist choices of the records (defaults describe the PTSP pilot)."""

    registry_name: str = "PV Ledger"
    marketplace: str = "PV Ledger"
    project_developer: str = "PV Ledger operator"
    country: str = "Chile"
    sector: str = "Electricity, gas, steam and air conditioning supply"
    project_type: str = "Renewable Energy"
    unit_type: str = "Avoidance"
    covered_by_ndc: str = "Inside NDC"
    ndc_information: str = "Grid electricity generation (energy sector of Chile's NDC)"
    corresponding_adjustment_declaration: str = "Unknown"
    corresponding_adjustment_status: str = "Not Started"
    verification_body: str = "PV Ledger oracle quorum (operator oracle + independent station network)"
    methodology: str = (
        "PV Ledger metered generation: 15-minute datalogger readings committed in Merkle trees, "
        "k-of-n EIP-712 signed oracle rounds, one certificate per installation and period "
        "(no Wh certified twice); mitigation = certified kWh x national grid emission factor "
        "(gCO2e/kWh) of the vintage year"
    )


# --- records -----------------------------------------------------------------------------------

PROJECT_FIELDS = [
    "projectId", "originProjectId", "registryOfOrigin", "currentRegistry", "program", "projectName",
    "projectLink", "projectDeveloper", "sector", "projectType", "projectTags", "coveredByNDC",
    "ndcInformation", "projectStatus", "projectStatusDate", "unitMetric", "methodology",
    "validationBody", "validationDate", "description",
    "pvLedgerInstallationId", "pvLedgerBeneficiary", "pvLedgerCapacityW", "pvLedgerMarketplaceProjectId",
]
LOCATION_FIELDS = ["projectId", "country", "inCountryRegion", "geographicIdentifier"]
ISSUANCE_FIELDS = [
    "id", "projectId", "startDate", "endDate", "verificationApproach", "verificationDate", "verificationBody",
    "pvLedgerTokenId", "pvLedgerInstallationId", "pvLedgerRoundId", "pvLedgerEnergyWh", "pvLedgerRetiredWh",
    "pvLedgerExportedWh", "pvLedgerHeldWh", "pvLedgerEmissionFactorYear", "pvLedgerEmissionFactorGco2ePerKwh",
    "pvLedgerEmissionFactorSource", "pvLedgerMitigationGrams", "pvLedgerMitigationKgCo2e",
    "pvLedgerMitigationTco2e", "pvLedgerReadingsRoot",
]
UNIT_FIELDS = [
    "issuanceId", "projectLocationId", "unitOwner", "countryJurisdictionOfOwner",
    "inCountryJurisdictionOfOwner", "unitBlockStart", "unitBlockEnd", "unitCount", "vintageYear",
    "unitType", "marketplace", "marketplaceLink",
    "marketplaceIdentifier", "unitTags", "unitStatus", "unitStatusReason", "unitRegistryLink",
    "correspondingAdjustmentDeclaration", "correspondingAdjustmentStatus",
    "pvLedgerTokenId", "pvLedgerFirstWh", "pvLedgerLastWh", "pvLedgerRecordId", "pvLedgerMitigationGrams",
    "pvLedgerMitigationKgCo2e",
]
LEDGER_FIELDS = [
    "scope", "installationId", "vintageYear", "tokenId", "periodStart", "periodEnd",
    "issuedWh", "retiredWh", "exportedWh", "heldWh",
    "issuedKgCo2e", "retiredKgCo2e", "exportedKgCo2e", "heldKgCo2e",
]
RECORD_FIELDS = {
    "projects": PROJECT_FIELDS,
    "locations": LOCATION_FIELDS,
    "issuances": ISSUANCE_FIELDS,
    "units": UNIT_FIELDS,
    "ledger": LEDGER_FIELDS,
}

Record = dict[str, Any]


@dataclass(frozen=True)
class UnitBlock:
    """A contiguous block of Wh units of one certificate, all in one status."""

    token_id: int
    first_wh: int  # 1-based, inclusive
    last_wh: int  # inclusive
    status: str
    record_id: int | None  # retirement or export id
    mitigation_grams: int

    @property
    def unit_count(self) -> int:
        return self.last_wh - self.first_wh + 1


@dataclass
class Totals:
    issued_wh: int = 0
    retired_wh: int = 0
    exported_wh: int = 0
    held_wh: int = 0
    issued_g: int = 0
    retired_g: int = 0
    exported_g: int = 0
    held_g: int = 0

    def add(self, other: Totals) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass(frozen=True)
class RegistryExport:
    """Everything one export writes, by record kind."""

    projects: list[Record]
    locations: list[Record]
    issuances: list[Record]
    units: list[Record]
    ledger: list[Record]
    meta: Record = field(default_factory=dict)

    def by_kind(self) -> dict[str, list[Record]]:
        return {
            "projects": self.projects,
            "locations": self.locations,
            "issuances": self.issuances,
            "units": self.units,
            "ledger": self.ledger,
        }


def mitigation_grams(energy_wh: int, g_co2e_per_kwh: int) -> int:
    """floor(Wh x gCO2e/kWh / 1000): grams CO2e, as GenerationCertificates.mitigationGrams."""
    return energy_wh * g_co2e_per_kwh // 1000


def grams_to_kg(grams: int) -> Decimal:
    """Exact kgCO2e (three decimals) from grams."""
    return Decimal(grams).scaleb(-3)


def grams_to_tonnes(grams: int) -> Decimal:
    """Exact tCO2e (six decimals) from grams."""
    return Decimal(grams).scaleb(-6)


def iso_utc(unix_s: int) -> str:
    return datetime.fromtimestamp(unix_s, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def vintage_year(unix_s: int) -> int:
    return datetime.fromtimestamp(unix_s, tz=timezone.utc).year


def unit_serial(chain_id: int, token_id: int, wh_index: int) -> str:
    return f"PVL-{chain_id}-{token_id}-{wh_index}"


def marketplace_identifier(chain_id: int, contract: str, token_id: int) -> str:
    return f"{chain_id}:{contract}:{token_id}"


def unit_registry_link(chain_id: int, contract: str, token_id: int) -> str:
    """CAIP-19 asset id of the ERC-1155 token."""
    return f"eip155:{chain_id}/erc1155:{contract}/{token_id}"


def project_id_of(chain_id: int, installation_id: int) -> str:
    return f"PVL-{chain_id}-{installation_id}"


# --- checks ------------------------------------------------------------------------------------


def check_ledger(ledger: Ledger) -> None:
    """Raise LedgerError unless every record refers to known things and the amounts add up."""
    installations = {i.installation_id for i in ledger.installations}
    certificates = {c.token_id: c for c in ledger.certificates}
    if len(certificates) != len(ledger.certificates):
        raise LedgerError("two certificates share a token id")
    retired: dict[int, int] = defaultdict(int)
    exported: dict[int, int] = defaultdict(int)
    for record, amounts, kind in [
        *((r, retired, f"retirement {r.retirement_id}") for r in ledger.retirements),
        *((e, exported, f"export {e.export_id}") for e in ledger.exports),
    ]:
        if record.token_id not in certificates:
            raise LedgerError(f"{kind} refers to unknown certificate {record.token_id}")
        if record.amount_wh <= 0:
            raise LedgerError(
                f"{kind} of certificate {record.token_id} has amount {record.amount_wh} Wh"
            )
        amounts[record.token_id] += record.amount_wh
    for cert in ledger.certificates:
        if cert.installation_id not in installations:
            raise LedgerError(
                f"certificate {cert.token_id} refers to unknown installation {cert.installation_id}"
            )
        if cert.emission_factor_year not in ledger.emission_factors:
            raise LedgerError(
                f"certificate {cert.token_id}: no emission factor for year {cert.emission_factor_year}"
            )
        if cert.period_start >= cert.period_end:
            raise LedgerError(
                f"certificate {cert.token_id} has an empty period "
                f"{cert.period_start}..{cert.period_end}"
            )
        if retired[cert.token_id] != cert.retired_wh:
            raise LedgerError(
                f"certificate {cert.token_id}: retiredWh {cert.retired_wh} but its retirements add up to "
                f"{retired[cert.token_id]} Wh"
            )
        if exported[cert.token_id] != cert.exported_wh:
            raise LedgerError(
                f"certificate {cert.token_id}: exportedWh {cert.exported_wh} but its exports add up to "
                f"{exported[cert.token_id]} Wh"
            )
        if cert.retired_wh + cert.exported_wh > cert.energy_wh:
            raise LedgerError(
                f"certificate {cert.token_id}: retired {cert.retired_wh} + exported {cert.exported_wh} Wh "
                f"exceed the issued {cert.energy_wh} Wh"
            )


def check_unit_blocks(blocks: Sequence[UnitBlock], certificates: Sequence[CertificateInfo]) -> None:
    """Raise LedgerError if blocks overlap, leave gaps, or do not add up to each certificate.

    For every certificate: its blocks, sorted, cover 1..energyWh exactly once, and held + retired +
    exported = issued (in Wh).
    """
    by_token: dict[int, list[UnitBlock]] = defaultdict(list)
    for block in blocks:
        if block.first_wh < 1 or block.last_wh < block.first_wh:
            raise LedgerError(
                f"certificate {block.token_id}: invalid unit block "
                f"{block.first_wh}..{block.last_wh}"
            )
        by_token[block.token_id].append(block)
    known = {c.token_id for c in certificates}
    for token_id in by_token:
        if token_id not in known:
            raise LedgerError(f"unit blocks for unknown certificate {token_id}")
    for cert in certificates:
        next_wh = 1
        for block in sorted(by_token.get(cert.token_id, []), key=lambda b: b.first_wh):
            if block.first_wh < next_wh:
                raise LedgerError(
                    f"certificate {cert.token_id}: unit block {block.first_wh}..{block.last_wh} overlaps "
                    f"units up to {next_wh - 1}"
                )
            if block.first_wh > next_wh:
                raise LedgerError(
                    f"certificate {cert.token_id}: units {next_wh}..{block.first_wh - 1} are in no "
                    "block"
                )
            next_wh = block.last_wh + 1
        if next_wh - 1 != cert.energy_wh:
            raise LedgerError(
                f"certificate {cert.token_id}: blocks cover {next_wh - 1} Wh "
                f"but {cert.energy_wh} Wh were issued"
            )
        counted = {STATUS_HELD: 0, STATUS_RETIRED: 0, STATUS_EXPORTED: 0}
        for block in by_token.get(cert.token_id, []):
            counted[block.status] += block.unit_count
        held = cert.energy_wh - cert.retired_wh - cert.exported_wh
        if (counted[STATUS_RETIRED], counted[STATUS_EXPORTED], counted[STATUS_HELD]) != (
            cert.retired_wh,
            cert.exported_wh,
            held,
        ):
            raise LedgerError(
                f"certificate {cert.token_id}: blocks hold {counted} Wh but the certificate has retired "
                f"{cert.retired_wh}, exported {cert.exported_wh}, held {held}"
            )


# --- transformation ----------------------------------------------------------------------------


def unit_blocks(ledger: Ledger) -> list[UnitBlock]:
    """Blocks of every certificate: retirements (by id), exports (by id), then the held rest."""
    retirements: dict[int, list[RetirementInfo]] = defaultdict(list)
    for retirement in sorted(ledger.retirements, key=lambda r: r.retirement_id):
        retirements[retirement.token_id].append(retirement)
    exports: dict[int, list[ExportInfo]] = defaultdict(list)
    for export in sorted(ledger.exports, key=lambda e: e.export_id):
        exports[export.token_id].append(export)
    blocks: list[UnitBlock] = []
    for cert in sorted(ledger.certificates, key=lambda c: c.token_id):
        factor = ledger.emission_factors[cert.emission_factor_year].g_co2e_per_kwh
        next_wh = 1
        claimed_g = 0
        parts: list[tuple[str, int, int]] = [
            (STATUS_RETIRED, r.retirement_id, r.amount_wh) for r in retirements[cert.token_id]
        ] + [(STATUS_EXPORTED, e.export_id, e.amount_wh) for e in exports[cert.token_id]]
        for status, record_id, amount_wh in parts:
            grams = mitigation_grams(amount_wh, factor)
            last_wh = next_wh + amount_wh - 1
            blocks.append(UnitBlock(cert.token_id, next_wh, last_wh, status, record_id, grams))
            next_wh += amount_wh
            claimed_g += grams
        held_wh = cert.energy_wh - next_wh + 1
        if held_wh > 0:
            held_g = mitigation_grams(cert.energy_wh, factor) - claimed_g
            blocks.append(UnitBlock(cert.token_id, next_wh, cert.energy_wh, STATUS_HELD, None, held_g))
    return blocks


def project_records(ledger: Ledger, config: ExportConfig) -> tuple[list[Record], list[Record]]:
    """(projects, locations): one of each per installation."""
    projects: list[Record] = []
    locations: list[Record] = []
    for inst in sorted(ledger.installations, key=lambda i: i.installation_id):
        project_id = project_id_of(ledger.chain_id, inst.installation_id)
        capacity_kw = Decimal(inst.capacity_w) / 1000
        projects.append(
            {
                "projectId": project_id,
                "originProjectId": project_id,
                "registryOfOrigin": config.registry_name,
                "currentRegistry": config.registry_name,
                "program": inst.programme,
                "projectName": (
                    f"{inst.programme} installation {inst.installation_id} "
                    f"({capacity_kw} kW {inst.technology})"
                ),
                "projectLink": (
                    f"eip155:{ledger.chain_id}:{ledger.registry_address}"
                    f"#installation-{inst.installation_id}"
                ),
                "projectDeveloper": config.project_developer,
                "sector": config.sector,
                "projectType": config.project_type,
                "projectTags": "solar PV;distributed generation;" + inst.programme,
                "coveredByNDC": config.covered_by_ndc,
                "ndcInformation": config.ndc_information,
                "projectStatus": PROJECT_STATUS[inst.status],
                "projectStatusDate": iso_utc(inst.commissioned_at),
                "unitMetric": "tCO2e",
                "methodology": config.methodology,
                "validationBody": None,
                "validationDate": None,
                "description": (
                    f"{capacity_kw} kW rooftop PV ({inst.technology}), commune {inst.commune_code}, "
                    f"commissioned {iso_utc(inst.commissioned_at)[:10]}, "
                    f"datalogger {inst.datalogger_kind} {inst.datalogger_serial}, "
                    f"certificates to {inst.beneficiary}"
                ),
                "pvLedgerInstallationId": inst.installation_id,
                "pvLedgerBeneficiary": inst.beneficiary,
                "pvLedgerCapacityW": inst.capacity_w,
                "pvLedgerMarketplaceProjectId": inst.project_id or None,
            }
        )
        locations.append(
            {
                "projectId": project_id,
                "country": config.country,
                "inCountryRegion": f"commune {inst.commune_code}",
                "geographicIdentifier": (
                    f"{Decimal(inst.lat_e6).scaleb(-6)},{Decimal(inst.lon_e6).scaleb(-6)}"
                ),
            }
        )
    return projects, locations


def issuance_records(ledger: Ledger, config: ExportConfig) -> list[Record]:
    """One issuance per certificate."""
    records: list[Record] = []
    for cert in sorted(ledger.certificates, key=lambda c: c.token_id):
        factor = ledger.emission_factors[cert.emission_factor_year]
        grams = mitigation_grams(cert.energy_wh, factor.g_co2e_per_kwh)
        records.append(
            {
                "id": marketplace_identifier(ledger.chain_id, ledger.certificates_address, cert.token_id),
                "projectId": project_id_of(ledger.chain_id, cert.installation_id),
                "startDate": iso_utc(cert.period_start),
                "endDate": iso_utc(cert.period_end),
                "verificationApproach": (
                    f"oracle round {cert.round_id}: k-of-n EIP-712 signatures over the Merkle root of the "
                    f"period's generation leaves; readings root {cert.readings_root}"
                ),
                "verificationDate": iso_utc(
                    cert.verified_at if cert.verified_at is not None else cert.period_end
                ),
                "verificationBody": config.verification_body,
                "pvLedgerTokenId": cert.token_id,
                "pvLedgerInstallationId": cert.installation_id,
                "pvLedgerRoundId": cert.round_id,
                "pvLedgerEnergyWh": cert.energy_wh,
                "pvLedgerRetiredWh": cert.retired_wh,
                "pvLedgerExportedWh": cert.exported_wh,
                "pvLedgerHeldWh": cert.energy_wh - cert.retired_wh - cert.exported_wh,
                "pvLedgerEmissionFactorYear": cert.emission_factor_year,
                "pvLedgerEmissionFactorGco2ePerKwh": factor.g_co2e_per_kwh,
                "pvLedgerEmissionFactorSource": factor.source,
                "pvLedgerMitigationGrams": grams,
                "pvLedgerMitigationKgCo2e": grams_to_kg(grams),
                "pvLedgerMitigationTco2e": grams_to_tonnes(grams),
                "pvLedgerReadingsRoot": cert.readings_root,
            }
        )
    return records


def unit_records(ledger: Ledger, blocks: Sequence[UnitBlock], config: ExportConfig) -> list[Record]:
    """One CADT unit record per block."""
    certificates = {c.token_id: c for c in ledger.certificates}
    retirements = {r.retirement_id: r for r in ledger.retirements}
    exports = {e.export_id: e for e in ledger.exports}
    contract = ledger.certificates_address
    records: list[Record] = []
    for block in blocks:
        cert = certificates[block.token_id]
        owner: str | None = None
        reason: str | None = None
        tags = f"installation {cert.installation_id};round {cert.round_id}"
        if block.status == STATUS_RETIRED and block.record_id is not None:
            retirement = retirements[block.record_id]
            owner = retirement.holder
            reason = (
                f"retirement {retirement.retirement_id} on {iso_utc(retirement.retired_at)} for "
                f"{retirement.beneficiary}: {retirement.purpose} "
                f"(reporting period {retirement.reporting_period}, "
                f"country {retirement.country})"
            )
            tags += f";retirement {retirement.retirement_id}"
        elif block.status == STATUS_EXPORTED and block.record_id is not None:
            export = exports[block.record_id]
            owner = export.holder
            reason = (
                f"export {export.export_id} on {iso_utc(export.exported_at)}: locked for {export.registry}, "
                f"reference {export.reference}"
            )
            tags += f";export {export.export_id}"
        records.append(
            {
                "issuanceId": marketplace_identifier(ledger.chain_id, contract, block.token_id),
                "projectLocationId": project_id_of(ledger.chain_id, cert.installation_id),
                "unitOwner": owner,
                "countryJurisdictionOfOwner": config.country,
                "inCountryJurisdictionOfOwner": None,
                "unitBlockStart": unit_serial(ledger.chain_id, block.token_id, block.first_wh),
                "unitBlockEnd": unit_serial(ledger.chain_id, block.token_id, block.last_wh),
                "unitCount": block.unit_count,
                "vintageYear": vintage_year(cert.period_start),
                "unitType": config.unit_type,
                "marketplace": config.marketplace,
                "marketplaceLink": None,
                "marketplaceIdentifier": marketplace_identifier(ledger.chain_id, contract, block.token_id),
                "unitTags": tags,
                "unitStatus": block.status,
                "unitStatusReason": reason,
                "unitRegistryLink": unit_registry_link(ledger.chain_id, contract, block.token_id),
                "correspondingAdjustmentDeclaration": config.corresponding_adjustment_declaration,
                "correspondingAdjustmentStatus": config.corresponding_adjustment_status,
                "pvLedgerTokenId": block.token_id,
                "pvLedgerFirstWh": block.first_wh,
                "pvLedgerLastWh": block.last_wh,
                "pvLedgerRecordId": block.record_id,
                "pvLedgerMitigationGrams": block.mitigation_grams,
                "pvLedgerMitigationKgCo2e": grams_to_kg(block.mitigation_grams),
            }
        )
    return records


def _totals_of(cert: CertificateInfo, cert_blocks: Iterable[UnitBlock], g_co2e_per_kwh: int) -> Totals:
    """Totals of one certificate; held grams = issued - retired - exported (so they always add up,
    including the sub-gram rounding residue of a fully retired/exported certificate)."""
    totals = Totals(issued_wh=cert.energy_wh, issued_g=mitigation_grams(cert.energy_wh, g_co2e_per_kwh))
    for block in cert_blocks:
        if block.status == STATUS_RETIRED:
            totals.retired_wh += block.unit_count
            totals.retired_g += block.mitigation_grams
        elif block.status == STATUS_EXPORTED:
            totals.exported_wh += block.unit_count
            totals.exported_g += block.mitigation_grams
        else:
            totals.held_wh += block.unit_count
    totals.held_g = totals.issued_g - totals.retired_g - totals.exported_g
    return totals


def _ledger_row(scope: str, totals: Totals, **keys: Any) -> Record:
    row: Record = {name: None for name in LEDGER_FIELDS}
    row.update(keys)
    row.update(
        scope=scope,
        issuedWh=totals.issued_wh,
        retiredWh=totals.retired_wh,
        exportedWh=totals.exported_wh,
        heldWh=totals.held_wh,
        issuedKgCo2e=grams_to_kg(totals.issued_g),
        retiredKgCo2e=grams_to_kg(totals.retired_g),
        exportedKgCo2e=grams_to_kg(totals.exported_g),
        heldKgCo2e=grams_to_kg(totals.held_g),
    )
    return row


def ledger_records(ledger: Ledger, blocks: Sequence[UnitBlock]) -> list[Record]:
    """Ledger rows: per installation and period (scope "period"), per installation and year
    (scope "year"), and one total (scope "total")."""
    by_token: dict[int, list[UnitBlock]] = defaultdict(list)
    for block in blocks:
        by_token[block.token_id].append(block)
    rows: list[Record] = []
    yearly: dict[tuple[int, int], Totals] = defaultdict(Totals)
    total = Totals()
    for cert in sorted(ledger.certificates, key=lambda c: (c.installation_id, c.period_start)):
        factor = ledger.emission_factors[cert.emission_factor_year].g_co2e_per_kwh
        totals = _totals_of(cert, by_token[cert.token_id], factor)
        year = vintage_year(cert.period_start)
        rows.append(
            _ledger_row(
                "period",
                totals,
                installationId=cert.installation_id,
                vintageYear=year,
                tokenId=cert.token_id,
                periodStart=iso_utc(cert.period_start),
                periodEnd=iso_utc(cert.period_end),
            )
        )
        yearly[(cert.installation_id, year)].add(totals)
        total.add(totals)
    for (installation_id, year), totals in sorted(yearly.items()):
        rows.append(_ledger_row("year", totals, installationId=installation_id, vintageYear=year))
    rows.append(_ledger_row("total", total))
    return rows


def build_export(ledger: Ledger, config: ExportConfig | None = None) -> RegistryExport:
    """All records of a ledger, after checking it (LedgerError on any inconsistency)."""
    config = config or ExportConfig()
    check_ledger(ledger)
    blocks = unit_blocks(ledger)
    check_unit_blocks(blocks, ledger.certificates)
    projects, locations = project_records(ledger, config)
    return RegistryExport(
        projects=projects,
        locations=locations,
        issuances=issuance_records(ledger, config),
        units=unit_records(ledger, blocks, config),
        ledger=ledger_records(ledger, blocks),
        meta={
            "format": "CADT v1 shaped records (PV Ledger export)",
            "chainId": ledger.chain_id,
            "installationRegistry": ledger.registry_address,
            "generationCertificates": ledger.certificates_address,
            "blockNumber": ledger.block_number,
            "readAt": iso_utc(ledger.read_at) if ledger.read_at is not None else None,
            "unit": "1 unit = 1 Wh of certified generation; mitigation in gCO2e/kgCO2e/tCO2e",
            "counts": {
                "projects": len(projects),
                "issuances": len(ledger.certificates),
                "units": len(blocks),
                "retirements": len(ledger.retirements),
                "exports": len(ledger.exports),
            },
        },
    )


def cadt_fields_only(records: Iterable[Record]) -> list[Record]:
    """The records without PV Ledger extension fields (pvLedger*), for a strict CADT import."""
    return [{k: v for k, v in record.items() if not k.startswith("pvLedger")} for record in records]


# --- files -------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def write_export(export: RegistryExport, output_dir: Path) -> list[Path]:
    """Write ``<kind>.json`` and ``<kind>.csv`` per record kind plus ``export.json``; returns the paths."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for kind, records in export.by_kind().items():
            json_path = output_dir / f"{kind}.json"
            text = json.dumps(records, indent=2, default=_json_value, ensure_ascii=False)
            json_path.write_text(text + "\n")
            csv_path = output_dir / f"{kind}.csv"
            with csv_path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=RECORD_FIELDS[kind])
                writer.writeheader()
                for record in records:
                    writer.writerow({name: _csv_value(record.get(name)) for name in RECORD_FIELDS[kind]})
            written += [json_path, csv_path]
        meta_path = output_dir / "export.json"
        meta_path.write_text(json.dumps(export.meta, indent=2) + "\n")
        written.append(meta_path)
    except OSError as error:
        raise ExportError(f"cannot write the export into {output_dir}: {error}") from None
    return written


def summary_table(export: RegistryExport) -> str:
    """The ledger rows as a fixed-width text table (Wh and kgCO2e)."""
    header = ["scope", "inst", "year", "token", "period start", "issued Wh", "retired Wh", "exported Wh",
              "held Wh", "issued kg", "retired kg", "exported kg", "held kg"]
    lines = [header]
    for row in export.ledger:
        lines.append(
            [
                row["scope"],
                _csv_value(row["installationId"]),
                _csv_value(row["vintageYear"]),
                _csv_value(row["tokenId"]),
                (row["periodStart"] or "")[:10],
                str(row["issuedWh"]),
                str(row["retiredWh"]),
                str(row["exportedWh"]),
                str(row["heldWh"]),
                str(row["issuedKgCo2e"]),
                str(row["retiredKgCo2e"]),
                str(row["exportedKgCo2e"]),
                str(row["heldKgCo2e"]),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in lines)


# --- reading the chain -------------------------------------------------------------------------


PAGE_SIZE = 200
"""View calls per JSON-RPC batch request."""

LOG_PAGE_BLOCKS = 10_000
"""Blocks per eth_getLogs request."""

RETIREMENT_HASH_TYPES = ["uint256", "address", "uint256", "string", "string", "string", "string", "uint256"]
EXPORT_HASH_TYPES = ["uint256", "address", "uint256", "string", "string", "uint256"]


def retirement_hash(r: RetirementInfo) -> str:
    """keccak256(abi.encode(tokenId, holder, amountWh, beneficiary, purpose, reportingPeriod,
    country, retiredAt)), as GenerationCertificates.retirementHash (0x hex)."""
    from eth_abi import encode
    from eth_utils import keccak, to_checksum_address

    fields = (r.token_id, to_checksum_address(r.holder), r.amount_wh, r.beneficiary, r.purpose,
              r.reporting_period, r.country, r.retired_at)
    return "0x" + keccak(encode(RETIREMENT_HASH_TYPES, fields)).hex()


def export_hash(e: ExportInfo) -> str:
    """keccak256(abi.encode(tokenId, holder, amountWh, registry, externalReference, exportedAt)),
    as GenerationCertificates.exportHash (0x hex)."""
    from eth_abi import encode
    from eth_utils import keccak, to_checksum_address

    fields = (e.token_id, to_checksum_address(e.holder), e.amount_wh, e.registry, e.reference, e.exported_at)
    return "0x" + keccak(encode(EXPORT_HASH_TYPES, fields)).hex()


def check_records_against_hashes(
    kind: str, records: Sequence[Any], id_of: Any, hash_of: Any, count: int, onchain_hashes: Sequence[str]
) -> list[Any]:
    """Records sorted by id, checked to be exactly ids 1..count, each hashing to its on-chain hash.
    ``onchain_hashes[i]`` is the hash of record i + 1. Raises LedgerError otherwise."""
    by_id: dict[int, Any] = {}
    for record in records:
        record_id = id_of(record)
        if record_id in by_id:
            raise LedgerError(f"{kind} {record_id} appears in two events")
        if not 1 <= record_id <= count:
            raise LedgerError(f"{kind} {record_id} has an event but the contract counts {count} {kind}s")
        by_id[record_id] = record
    missing = [i for i in range(1, count + 1) if i not in by_id]
    if missing:
        raise LedgerError(
            f"{kind}s {missing[:10]} have no event in the logs read; is the node pruning logs or the "
            f"start block too late?"
        )
    for record_id in range(1, count + 1):
        expected = _hex(onchain_hashes[record_id - 1]).lower()
        if hash_of(by_id[record_id]).lower() != expected:
            raise LedgerError(f"{kind} {record_id}: the event's fields do not hash to the contract's record hash")
    return [by_id[i] for i in range(1, count + 1)]


def _as_dict(value: Any) -> dict[str, Any]:
    """A struct decoded by web3 (``decode_tuples=True``) as a dict of its named fields."""
    as_dict = getattr(value, "_asdict", None)
    if callable(as_dict):
        return dict(as_dict())
    if isinstance(value, dict):
        return value
    raise ExportError(
        f"cannot read the fields of a contract struct ({type(value).__name__}); is the ABI current?"
    )


def _hex(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    text = str(value)
    return text if text.startswith("0x") else "0x" + text


class ChainReader:
    """View calls pinned at one block, batched ``PAGE_SIZE`` per JSON-RPC request, so the ledger is
    one consistent snapshot read in a few requests."""

    def __init__(self, web3: Any, block_number: int, page_size: int = PAGE_SIZE) -> None:
        self._web3 = web3
        self.block_number = block_number
        self._page_size = page_size
        self._contracts: dict[str, Any] = {}

    def _contract(self, contract: Any) -> Any:
        address = str(contract.address)
        if address not in self._contracts:
            self._contracts[address] = self._web3.eth.contract(
                address=address, abi=contract.abi, decode_tuples=True
            )
        return self._contracts[address]

    def call(self, contract: Any, function: str, *args: Any) -> Any:
        view = getattr(self._contract(contract).functions, function)
        return view(*args).call(block_identifier=self.block_number)

    def call_many(self, contract: Any, function: str, args_list: Sequence[tuple[Any, ...]]) -> list[Any]:
        view = getattr(self._contract(contract).functions, function)
        results: list[Any] = []
        for first in range(0, len(args_list), self._page_size):
            with self._web3.batch_requests() as batch:
                for args in args_list[first : first + self._page_size]:
                    batch.add(view(*args).call(block_identifier=self.block_number))
                results.extend(batch.execute())
        return results

    def events(
        self, contract: Any, event: str, from_block: int = 0, page_blocks: int = LOG_PAGE_BLOCKS
    ) -> list[dict[str, Any]]:
        """Every `event` of `contract` from `from_block` to the pinned block, as dicts of their
        arguments (with ``blockNumber``), read ``page_blocks`` blocks per eth_getLogs request."""
        kind = getattr(self._contract(contract).events, event)
        found: list[dict[str, Any]] = []
        for first in range(from_block, self.block_number + 1, page_blocks):
            last = min(first + page_blocks - 1, self.block_number)
            for log in kind().get_logs(from_block=first, to_block=last):
                found.append({**dict(log["args"]), "blockNumber": int(log["blockNumber"])})
        return found

    def all_items(self, contract: Any, count_function: str, item_function: str) -> list[dict[str, Any]]:
        """Items 1..count of a sequentially numbered record, as dicts of their fields."""
        count = int(self.call(contract, count_function))
        items = self.call_many(contract, item_function, [(i,) for i in range(1, count + 1)])
        return [_as_dict(item) for item in items]


def read_ledger(
    registry: Any,
    certificates: Any,
    oracle: Any | None = None,
    block_number: int | None = None,
    from_block: int = 0,
    log_page_blocks: int = LOG_PAGE_BLOCKS,
) -> Ledger:
    """Read the whole ledger through the contracts' views and events, at ``block_number`` (default:
    latest). Events are read from ``from_block`` (e.g. the certificates' deployment block), in pages
    of ``log_page_blocks`` blocks; records are verified against the on-chain hashes.

    ``registry``, ``certificates`` and ``oracle`` are brownie Contract objects (anything with
    ``address`` and ``abi``). ``oracle`` (GenerationOracle), when given, supplies each round's
    submission time as the issuances' verificationDate.
    """
    from brownie import chain, web3

    try:
        block = web3.eth.get_block(block_number if block_number is not None else "latest")
        reader = ChainReader(web3, int(block["number"]))
        installations = [
            InstallationInfo(
                installation_id=installation_id,
                beneficiary=str(item["beneficiary"]),
                status=INSTALLATION_STATUS.get(int(item["status"]), f"status {int(item['status'])}"),
                capacity_w=int(item["capacityW"]),
                lat_e6=int(item["latE6"]),
                lon_e6=int(item["lonE6"]),
                commune_code=int(item["communeCode"]),
                commissioned_at=int(item["commissionedAt"]),
                project_id=int(item["projectId"]),
                technology=str(item["technology"]),
                datalogger_kind=str(item["dataloggerKind"]),
                datalogger_serial=str(item["dataloggerSerial"]),
                programme=str(item["programme"]),
            )
            for installation_id, item in enumerate(
                reader.all_items(registry, "installationCount", "installation"), 1
            )
        ]
        raw_certificates = reader.all_items(certificates, "certificateCount", "certificate")
        round_ids = sorted({int(item["roundId"]) for item in raw_certificates})
        round_times: dict[int, int] = {}
        if oracle is not None and round_ids:
            rounds = reader.call_many(oracle, "rounds", [(round_id,) for round_id in round_ids])
            round_times = {rid: int(_as_dict(rnd)["submittedAt"]) for rid, rnd in zip(round_ids, rounds)}
        issued_events = {
            int(ev["tokenId"]): ev for ev in reader.events(certificates, "CertificateIssued", from_block, log_page_blocks)
        }
        certs = []
        for token_id, item in enumerate(raw_certificates, 1):
            issued = issued_events.get(token_id)
            if issued is None:
                raise LedgerError(f"certificate {token_id} has no CertificateIssued event in the logs read")
            if (int(issued["installationId"]), int(issued["periodStart"]), int(issued["periodEnd"]),
                    int(issued["energyWh"])) != (int(item["installationId"]), int(item["periodStart"]),
                                                 int(item["periodEnd"]), int(item["energyWh"])):
                raise LedgerError(f"certificate {token_id}: its CertificateIssued event differs from the contract's view")
            certs.append(
                CertificateInfo(
                    token_id=token_id,
                    installation_id=int(item["installationId"]),
                    period_start=int(item["periodStart"]),
                    period_end=int(item["periodEnd"]),
                    round_id=int(item["roundId"]),
                    energy_wh=int(item["energyWh"]),
                    retired_wh=int(item["retiredWh"]),
                    exported_wh=int(item["exportedWh"]),
                    emission_factor_year=int(item["emissionFactorYear"]),
                    readings_root=_hex(issued["readingsRoot"]),
                    verified_at=round_times.get(int(item["roundId"])),
                )
            )
        retirement_count = int(reader.call(certificates, "retirementCount"))
        retirements = check_records_against_hashes(
            "retirement",
            [
                RetirementInfo(
                    retirement_id=int(ev["retirementId"]),
                    token_id=int(ev["tokenId"]),
                    holder=str(ev["holder"]),
                    amount_wh=int(ev["amountWh"]),
                    beneficiary=str(ev["beneficiary"]),
                    purpose=str(ev["purpose"]),
                    reporting_period=str(ev["reportingPeriod"]),
                    country=str(ev["country"]),
                    retired_at=int(ev["retiredAt"]),
                )
                for ev in reader.events(certificates, "CertificateRetired", from_block, log_page_blocks)
            ],
            lambda r: r.retirement_id,
            retirement_hash,
            retirement_count,
            reader.call_many(certificates, "retirementHash", [(i,) for i in range(1, retirement_count + 1)]),
        )
        export_count = int(reader.call(certificates, "exportCount"))
        exports = check_records_against_hashes(
            "export",
            [
                ExportInfo(
                    export_id=int(ev["exportId"]),
                    token_id=int(ev["tokenId"]),
                    holder=str(ev["holder"]),
                    amount_wh=int(ev["amountWh"]),
                    registry=str(ev["registry"]),
                    reference=str(ev["externalReference"]),
                    exported_at=int(ev["exportedAt"]),
                )
                for ev in reader.events(certificates, "ExportLocked", from_block, log_page_blocks)
            ],
            lambda e: e.export_id,
            export_hash,
            export_count,
            reader.call_many(certificates, "exportHash", [(i,) for i in range(1, export_count + 1)]),
        )
        years = sorted({c.emission_factor_year for c in certs})
        factors = {
            year: EmissionFactor(year, int(result[0]), str(result[1]))
            for year, result in zip(
                years, reader.call_many(registry, "emissionFactor", [(y,) for y in years])
            )
        }
    except (KeyError, AttributeError) as error:
        raise ExportError(
            f"the contracts' views do not have the expected fields ({error}); is the ABI current?"
        ) from None
    return Ledger(
        chain_id=int(chain.id),
        registry_address=str(registry.address),
        certificates_address=str(certificates.address),
        installations=installations,
        certificates=certs,
        retirements=retirements,
        exports=exports,
        emission_factors=factors,
        block_number=reader.block_number,
        read_at=int(block["timestamp"]),
    )


def export_registry(
    registry: Any,
    certificates: Any,
    output_dir: Path,
    oracle: Any | None = None,
    config: ExportConfig | None = None,
    from_block: int = 0,
) -> RegistryExport:
    """Read the ledger from chain (events from ``from_block``), check it, write the files into
    ``output_dir``; returns the export."""
    export = build_export(read_ledger(registry, certificates, oracle, from_block=from_block), config)
    write_export(export, output_dir)
    return export


def export_deployment(
    manifest: dict[str, Any], output_dir: Path, config: ExportConfig | None = None
) -> RegistryExport:
    """Export the suite a deployment manifest (scripts/deploy.py) describes, on the connected chain."""
    from brownie.exceptions import ContractNotFound

    from scripts.deploy import contracts_from_manifest

    try:
        contracts = contracts_from_manifest(manifest)
    except ContractNotFound:
        raise ExportError(
            f"the manifest of chain {manifest.get('chainId')} is stale: a contract it lists has no code "
            "on this chain; deploy again (brownie run scripts/deploy.py)"
        ) from None
    missing = [name for name in ("InstallationRegistry", "GenerationCertificates") if name not in contracts]
    if missing:
        raise ExportError(
            f"the manifest of chain {manifest.get('chainId')} has no {', '.join(missing)}: "
            "deploy the energy suite"
        )
    return export_registry(
        contracts["InstallationRegistry"],
        contracts["GenerationCertificates"],
        output_dir,
        oracle=contracts.get("GenerationOracle"),
        config=config,
        # no event of the certificates precedes their deployment block (recorded by scripts/deploy.py)
        from_block=int(manifest["contracts"]["GenerationCertificates"].get("block", 0)),
    )


def main(output_dir: str = "") -> None:
    """brownie entry point: export the deployed suite of the connected chain and print the ledger."""
    from brownie import chain

    from scripts.deploy import load_manifest, manifest_path

    target = Path(output_dir) if output_dir else DEFAULT_EXPORT_DIR / str(chain.id)
    try:
        manifest = load_manifest(chain.id)
        if manifest is None:
            raise ExportError(
                f"no deployment manifest {manifest_path(chain.id)}: run scripts/deploy.py first"
            )
        export = export_deployment(manifest, target)
    except ExportError as error:
        print(f"export_registry: {error}", file=sys.stderr)
        sys.exit(1)
    print(summary_table(export))
    print(
        f"\nwrote {len(export.projects)} projects, {len(export.issuances)} issuances and "
        f"{len(export.units)} unit blocks (JSON and CSV) to {target}"
    )
