"""The ledger as Climate Action Data Trust (CADT v1) records: projects, locations, issuances, units
and the ledger rows (``build_export``).

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

Units and rounding: 1 unit = 1 Wh. Each retired or exported block gets the mitigation of its own
amount (floor, as the contract's ``mitigationGrams``), the held block gets the certificate's total
minus those, so blocks add up to the issuance and no block claims more than the contract would.
(A certificate retired or exported in full has no held block: its sub-gram rounding residue, under
1 g per record, shows as held grams with 0 held Wh in the ledger rows, and is claimed by nobody.)

Unit serials are ``PVL-<chainId>-<tokenId>-<n>`` with n = 1..energyWh of the certificate; blocks
are numbered retirements first (by id), then exports (by id), then held. Vintage year = the UTC
year of the certificate's period start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oracle.registry.checks import check_ledger, check_unit_blocks
from oracle.registry.records import (
    STATUS_EXPORTED,
    STATUS_HELD,
    STATUS_RETIRED,
    CertificateInfo,
    ExportInfo,
    InstallationInfo,
    Ledger,
    RetirementInfo,
    Totals,
    UnitBlock,
    grams_to_kg,
    grams_to_tonnes,
    marketplace_identifier,
    mitigation_grams,
    project_id_of,
    unit_registry_link,
    unit_serial,
)
from oracle.timeutil import iso_utc, utc_date, utc_year

PROJECT_STATUS = {"active": "Registered", "suspended": "Inactive", "decommissioned": "Completed"}

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


@dataclass(frozen=True)
class RegistryExport:
    """Everything one export writes, by record kind, and its metadata (``export.json``)."""

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
            blocks.append(UnitBlock(cert.token_id, next_wh, next_wh + amount_wh - 1, status, record_id, grams))
            next_wh += amount_wh
            claimed_g += grams
        if cert.energy_wh >= next_wh:
            held_g = mitigation_grams(cert.energy_wh, factor) - claimed_g
            blocks.append(UnitBlock(cert.token_id, next_wh, cert.energy_wh, STATUS_HELD, None, held_g))
    return blocks


def _project_record(ledger: Ledger, inst: InstallationInfo, config: ExportConfig) -> Record:
    project_id = project_id_of(ledger.chain_id, inst.installation_id)
    capacity_kw = Decimal(inst.capacity_w) / 1000
    return {
        "projectId": project_id,
        "originProjectId": project_id,
        "registryOfOrigin": config.registry_name,
        "currentRegistry": config.registry_name,
        "program": inst.programme,
        "projectName": f"{inst.programme} installation {inst.installation_id} ({capacity_kw} kW {inst.technology})",
        "projectLink": f"eip155:{ledger.chain_id}:{ledger.registry_address}#installation-{inst.installation_id}",
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
            f"commissioned {utc_date(inst.commissioned_at)}, "
            f"datalogger {inst.datalogger_kind} {inst.datalogger_serial}, "
            f"certificates to {inst.beneficiary}"
        ),
        "pvLedgerInstallationId": inst.installation_id,
        "pvLedgerBeneficiary": inst.beneficiary,
        "pvLedgerCapacityW": inst.capacity_w,
        "pvLedgerMarketplaceProjectId": inst.project_id or None,
    }


def project_records(ledger: Ledger, config: ExportConfig) -> tuple[list[Record], list[Record]]:
    """(projects, locations): one of each per installation, by installation id."""
    installations = sorted(ledger.installations, key=lambda i: i.installation_id)
    projects = [_project_record(ledger, inst, config) for inst in installations]
    locations = [
        {
            "projectId": project_id_of(ledger.chain_id, inst.installation_id),
            "country": config.country,
            "inCountryRegion": f"commune {inst.commune_code}",
            "geographicIdentifier": f"{Decimal(inst.lat_e6).scaleb(-6)},{Decimal(inst.lon_e6).scaleb(-6)}",
        }
        for inst in installations
    ]
    return projects, locations


def issuance_records(ledger: Ledger, config: ExportConfig) -> list[Record]:
    """One issuance per certificate, by token id; vintage dates = the certified period."""
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
                "verificationDate": iso_utc(cert.verified_at if cert.verified_at is not None else cert.period_end),
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


def _owner_reason_tags(
    block: UnitBlock,
    cert: CertificateInfo,
    retirements: dict[int, RetirementInfo],
    exports: dict[int, ExportInfo],
) -> tuple[str | None, str | None, str]:
    """(unitOwner, unitStatusReason, unitTags) of a block: the holder and the record for retired and
    exported blocks, none for held ones."""
    tags = f"installation {cert.installation_id};round {cert.round_id}"
    if block.status == STATUS_RETIRED and block.record_id is not None:
        retirement = retirements[block.record_id]
        reason = (
            f"retirement {retirement.retirement_id} on {iso_utc(retirement.retired_at)} for "
            f"{retirement.beneficiary}: {retirement.purpose} "
            f"(reporting period {retirement.reporting_period}, country {retirement.country})"
        )
        return retirement.holder, reason, tags + f";retirement {retirement.retirement_id}"
    if block.status == STATUS_EXPORTED and block.record_id is not None:
        export = exports[block.record_id]
        reason = (
            f"export {export.export_id} on {iso_utc(export.exported_at)}: locked for {export.registry}, "
            f"reference {export.reference}"
        )
        return export.holder, reason, tags + f";export {export.export_id}"
    return None, None, tags


def unit_records(ledger: Ledger, blocks: Sequence[UnitBlock], config: ExportConfig) -> list[Record]:
    """One CADT unit record per block."""
    certificates = {c.token_id: c for c in ledger.certificates}
    retirements = {r.retirement_id: r for r in ledger.retirements}
    exports = {e.export_id: e for e in ledger.exports}
    contract = ledger.certificates_address
    records: list[Record] = []
    for block in blocks:
        cert = certificates[block.token_id]
        owner, reason, tags = _owner_reason_tags(block, cert, retirements, exports)
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
                "vintageYear": utc_year(cert.period_start),
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
        year = utc_year(cert.period_start)
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
