"""oracle.registry: CADT-shaped records from hand-built ledgers (pure transformation), the checks,
the files, the errors, and that the package stands on web3 alone.

The end-to-end export from deployed contracts is in test_export_registry_chain.py.
"""

import csv
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import oracle.registry as registry_module
from oracle.errors import EXIT_BAD_INPUT, EXIT_CHAIN, OracleError
from oracle.registry import (
    ISSUANCE_FIELDS,
    LEDGER_FIELDS,
    LOCATION_FIELDS,
    PROJECT_FIELDS,
    UNIT_FIELDS,
    CertificateInfo,
    EmissionFactor,
    ExportError,
    ExportInfo,
    InstallationInfo,
    Ledger,
    LedgerError,
    RetirementInfo,
    UnitBlock,
    build_export,
    cadt_fields_only,
    check_unit_blocks,
    grams_to_kg,
    mitigation_grams,
    summary_table,
    unit_blocks,
    write_export,
)

CHAIN_ID = 31337
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CERTS = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
HOLDER = "0x70997970C51812dc3A010C7d01b50e0d4c4C79C8"
DAY = 86_400
JAN_1_2025 = 1_735_689_600
DEC_31_2024 = JAN_1_2025 - DAY


def installation(installation_id: int, status: str = "active") -> InstallationInfo:
    return InstallationInfo(
        installation_id=installation_id,
        beneficiary=HOLDER,
        status=status,
        capacity_w=30_000,
        lat_e6=-20_258_512,
        lon_e6=-69_785_423,
        commune_code=1401,
        commissioned_at=JAN_1_2025 - 400 * DAY,
        project_id=0,
        technology="monocrystalline PV",
        datalogger_kind="Meteocontrol blue'Log X",
        datalogger_serial="BLX-1234",
        programme="PTSP",
    )


def certificate(token_id, installation_id=1, start=JAN_1_2025, energy_wh=1_000, retired_wh=0, exported_wh=0, year=2025):
    return CertificateInfo(
        token_id=token_id,
        installation_id=installation_id,
        period_start=start,
        period_end=start + DAY,
        round_id=1,
        energy_wh=energy_wh,
        retired_wh=retired_wh,
        exported_wh=exported_wh,
        emission_factor_year=year,
        readings_root="0x" + "ab" * 32,
        verified_at=start + DAY + 3600,
    )


def retirement(retirement_id, token_id, amount_wh):
    return RetirementInfo(
        retirement_id=retirement_id,
        token_id=token_id,
        holder=HOLDER,
        amount_wh=amount_wh,
        beneficiary="Municipalidad de Pozo Almonte",
        purpose="Scope 2 claim",
        reporting_period="2025",
        country="CL",
        retired_at=JAN_1_2025 + 10 * DAY,
    )


def export_lock(export_id, token_id, amount_wh):
    return ExportInfo(
        export_id=export_id,
        token_id=token_id,
        holder=HOLDER,
        amount_wh=amount_wh,
        registry="Chile RENE",
        reference="RENE-2025-0042",
        exported_at=JAN_1_2025 + 11 * DAY,
    )


FACTORS = {
    2024: EmissionFactor(2024, 333, "CEN 2024"),
    2025: EmissionFactor(2025, 331, "CEN 2025 SEN average"),
}


def make_ledger(certificates, retirements=(), exports=(), installations=None) -> Ledger:
    return Ledger(
        chain_id=CHAIN_ID,
        registry_address=REGISTRY,
        certificates_address=CERTS,
        installations=installations or [installation(1), installation(2, status="suspended")],
        certificates=list(certificates),
        retirements=list(retirements),
        exports=list(exports),
        emission_factors=FACTORS,
        block_number=42,
        read_at=JAN_1_2025 + 20 * DAY,
    )


@pytest.fixture
def mixed_ledger():
    """Certificate 1: 1000 Wh, 300 + 200 retired, 100 exported, 400 held.
    Certificate 2: 777 Wh fully retired (777). Certificate 3 (2024, installation 2): untouched."""
    return make_ledger(
        [
            certificate(1, energy_wh=1_000, retired_wh=500, exported_wh=100),
            certificate(2, start=JAN_1_2025 + DAY, energy_wh=777, retired_wh=777),
            certificate(3, installation_id=2, start=DEC_31_2024, energy_wh=5_000, year=2024),
        ],
        retirements=[retirement(1, 1, 300), retirement(2, 2, 777), retirement(3, 1, 200)],
        exports=[export_lock(1, 1, 100)],
    )


# --- blocks ------------------------------------------------------------------------------------


def test_blocks_number_retirements_then_exports_then_held(mixed_ledger):
    blocks = [b for b in unit_blocks(mixed_ledger) if b.token_id == 1]
    assert [(b.first_wh, b.last_wh, b.status, b.record_id) for b in blocks] == [
        (1, 300, "Retired", 1),
        (301, 500, "Retired", 3),
        (501, 600, "Exported", 1),
        (601, 1_000, "Held", None),
    ]


def test_fully_retired_certificate_has_no_held_block(mixed_ledger):
    blocks = [b for b in unit_blocks(mixed_ledger) if b.token_id == 2]
    assert [(b.first_wh, b.last_wh, b.status) for b in blocks] == [(1, 777, "Retired")]


def test_untouched_certificate_is_one_held_block(mixed_ledger):
    blocks = [b for b in unit_blocks(mixed_ledger) if b.token_id == 3]
    assert [(b.first_wh, b.last_wh, b.status, b.mitigation_grams) for b in blocks] == [(1, 5_000, "Held", 1_665)]


def test_unit_serials_and_counts(mixed_ledger):
    units = [u for u in build_export(mixed_ledger).units if u["pvLedgerTokenId"] == 1]
    assert [(u["unitBlockStart"], u["unitBlockEnd"], u["unitCount"]) for u in units] == [
        ("PVL-31337-1-1", "PVL-31337-1-300", 300),
        ("PVL-31337-1-301", "PVL-31337-1-500", 200),
        ("PVL-31337-1-501", "PVL-31337-1-600", 100),
        ("PVL-31337-1-601", "PVL-31337-1-1000", 400),
    ]


def test_units_carry_status_reason_and_marketplace_identifier(mixed_ledger):
    units = build_export(mixed_ledger).units
    retired = units[0]
    assert retired["unitStatus"] == "Retired"
    assert "Municipalidad de Pozo Almonte" in retired["unitStatusReason"]
    assert "Scope 2 claim" in retired["unitStatusReason"]
    exported = units[2]
    assert exported["unitStatus"] == "Exported"
    assert "Chile RENE" in exported["unitStatusReason"] and "RENE-2025-0042" in exported["unitStatusReason"]
    held = units[3]
    assert held["unitStatus"] == "Held" and held["unitStatusReason"] is None
    assert {u["marketplaceIdentifier"] for u in units[:4]} == {f"{CHAIN_ID}:{CERTS}:1"}
    assert all(u["marketplace"] == "PV Ledger" for u in units)


def test_vintage_year_is_year_of_period_start(mixed_ledger):
    units = build_export(mixed_ledger).units
    assert {u["pvLedgerTokenId"]: u["vintageYear"] for u in units} == {1: 2025, 2: 2025, 3: 2024}


# --- mitigation --------------------------------------------------------------------------------


def test_mitigation_grams_floors_like_the_contract():
    assert mitigation_grams(1_000, 331) == 331
    assert mitigation_grams(3, 331) == 0  # 0.993 g
    assert mitigation_grams(777, 331) == 257  # 257.187 g


def test_grams_convert_to_exact_kilograms():
    assert grams_to_kg(257) == Decimal("0.257")
    assert grams_to_kg(1_665_000) == Decimal("1665.000")


def test_retired_blocks_claim_their_own_floor_and_held_gets_the_rest(mixed_ledger):
    blocks = [b for b in unit_blocks(mixed_ledger) if b.token_id == 1]
    # factor 331 g/kWh: 300 Wh -> 99.3 g, 200 Wh -> 66.2 g, 100 Wh -> 33.1 g, total 1000 Wh -> 331 g
    assert [b.mitigation_grams for b in blocks] == [99, 66, 33, 331 - 99 - 66 - 33]


def test_issuance_reports_wh_and_mitigation(mixed_ledger):
    issuance = build_export(mixed_ledger).issuances[0]
    assert issuance["id"] == f"{CHAIN_ID}:{CERTS}:1"
    assert issuance["startDate"] == "2025-01-01T00:00:00Z"
    assert issuance["endDate"] == "2025-01-02T00:00:00Z"
    assert issuance["pvLedgerEnergyWh"] == 1_000
    assert issuance["pvLedgerHeldWh"] == 400
    assert issuance["pvLedgerMitigationGrams"] == 331
    assert issuance["pvLedgerMitigationKgCo2e"] == Decimal("0.331")
    assert issuance["pvLedgerMitigationTco2e"] == Decimal("0.000331")


def test_ledger_rows_add_up_per_period_year_and_total(mixed_ledger):
    rows = build_export(mixed_ledger).ledger
    period = {r["tokenId"]: r for r in rows if r["scope"] == "period"}
    assert (period[1]["issuedWh"], period[1]["retiredWh"], period[1]["exportedWh"], period[1]["heldWh"]) == (
        1_000, 500, 100, 400
    )
    assert period[2]["retiredKgCo2e"] == Decimal("0.257")
    years = {(r["installationId"], r["vintageYear"]): r for r in rows if r["scope"] == "year"}
    assert set(years) == {(1, 2025), (2, 2024)}
    assert years[(1, 2025)]["issuedWh"] == 1_777
    assert years[(1, 2025)]["retiredWh"] == 1_277
    total = [r for r in rows if r["scope"] == "total"][0]
    assert total["issuedWh"] == 6_777
    for row in rows:
        assert row["issuedWh"] == row["retiredWh"] + row["exportedWh"] + row["heldWh"]
        assert row["issuedKgCo2e"] == row["retiredKgCo2e"] + row["exportedKgCo2e"] + row["heldKgCo2e"]


# --- projects ----------------------------------------------------------------------------------


def test_one_project_and_location_per_installation(mixed_ledger):
    export = build_export(mixed_ledger)
    assert [p["projectId"] for p in export.projects] == ["PVL-31337-1", "PVL-31337-2"]
    project = export.projects[0]
    assert project["program"] == "PTSP"
    assert project["unitMetric"] == "tCO2e"
    assert project["projectStatus"] == "Registered"
    assert export.projects[1]["projectStatus"] == "Inactive"
    assert project["projectName"] == "PTSP installation 1 (30 kW monocrystalline PV)"
    location = export.locations[0]
    assert location == {
        "projectId": "PVL-31337-1",
        "country": "Chile",
        "inCountryRegion": "commune 1401",
        "geographicIdentifier": "-20.258512,-69.785423",
    }


def test_cadt_fields_only_drops_extensions(mixed_ledger):
    units = cadt_fields_only(build_export(mixed_ledger).units)
    assert all(not key.startswith("pvLedger") for unit in units for key in unit)
    assert "unitBlockStart" in units[0] and "unitStatusReason" in units[0]


# --- consistency errors ------------------------------------------------------------------------


def test_overlapping_blocks_are_an_error():
    cert = certificate(1, energy_wh=100)
    blocks = [UnitBlock(1, 1, 60, "Held", None, 0), UnitBlock(1, 50, 100, "Held", None, 0)]
    with pytest.raises(LedgerError, match="unit block 50..100 overlaps units up to 60"):
        check_unit_blocks(blocks, [cert])


def test_blocks_with_a_gap_are_an_error():
    cert = certificate(1, energy_wh=100)
    blocks = [UnitBlock(1, 1, 40, "Held", None, 0), UnitBlock(1, 51, 100, "Held", None, 0)]
    with pytest.raises(LedgerError, match="units 41..50 are in no block"):
        check_unit_blocks(blocks, [cert])


def test_blocks_not_covering_the_issuance_are_an_error():
    cert = certificate(1, energy_wh=100)
    with pytest.raises(LedgerError, match="blocks cover 90 Wh but 100 Wh were issued"):
        check_unit_blocks([UnitBlock(1, 1, 90, "Held", None, 0)], [cert])


def test_blocks_with_wrong_status_split_are_an_error():
    cert = certificate(1, energy_wh=100, retired_wh=10)
    with pytest.raises(LedgerError, match="blocks hold"):
        check_unit_blocks([UnitBlock(1, 1, 100, "Held", None, 0)], [cert])


def test_retirements_not_matching_retired_wh_are_an_error():
    ledger = make_ledger([certificate(1, energy_wh=1_000, retired_wh=400)], retirements=[retirement(1, 1, 300)])
    with pytest.raises(LedgerError, match="retiredWh 400 but its retirements add up to 300 Wh"):
        build_export(ledger)


def test_exports_not_matching_exported_wh_are_an_error():
    ledger = make_ledger([certificate(1, energy_wh=1_000)], exports=[export_lock(1, 1, 50)])
    with pytest.raises(LedgerError, match="exportedWh 0 but its exports add up to 50 Wh"):
        build_export(ledger)


def test_retired_plus_exported_above_issued_is_an_error():
    ledger = make_ledger(
        [certificate(1, energy_wh=100, retired_wh=80, exported_wh=30)],
        retirements=[retirement(1, 1, 80)],
        exports=[export_lock(1, 1, 30)],
    )
    with pytest.raises(LedgerError, match="retired 80 \\+ exported 30 Wh exceed the issued 100 Wh"):
        build_export(ledger)


def test_record_of_unknown_certificate_is_an_error():
    ledger = make_ledger([certificate(1)], retirements=[retirement(1, 9, 10)])
    with pytest.raises(LedgerError, match="retirement 1 refers to unknown certificate 9"):
        build_export(ledger)


def test_missing_emission_factor_is_an_error():
    ledger = make_ledger([certificate(1, year=2023)])
    with pytest.raises(LedgerError, match="no emission factor for year 2023"):
        build_export(ledger)


def test_inconsistent_ledger_writes_nothing(tmp_path, monkeypatch):
    """export_ledger, the entry point that reads, checks and writes, creates no file for a ledger
    that fails the checks. The chain read is replaced by the hand-built ledger (a consistent chain
    cannot be made inconsistent); a consistent ledger through the same path does write, so the
    missing files are due to the check."""
    ledgers = {
        "bad": make_ledger([certificate(1, energy_wh=1_000, retired_wh=400)], retirements=[retirement(1, 1, 300)]),
        "good": make_ledger([certificate(1, energy_wh=1_000, retired_wh=300)], retirements=[retirement(1, 1, 300)]),
    }
    monkeypatch.setattr(registry_module, "read_ledger", lambda chain: ledgers[chain])

    with pytest.raises(LedgerError, match="retiredWh 400 but its retirements add up to 300 Wh"):
        registry_module.export_ledger("bad", tmp_path / "bad")
    assert not (tmp_path / "bad").exists()

    registry_module.export_ledger("good", tmp_path / "good")
    assert (tmp_path / "good" / "export.json").exists()
    assert (tmp_path / "good" / "units.csv").exists()


# --- files -------------------------------------------------------------------------------------


def test_csv_columns_follow_the_cadt_field_lists(mixed_ledger, tmp_path):
    write_export(build_export(mixed_ledger), tmp_path)
    expected = {
        "projects": PROJECT_FIELDS,
        "locations": LOCATION_FIELDS,
        "issuances": ISSUANCE_FIELDS,
        "units": UNIT_FIELDS,
        "ledger": LEDGER_FIELDS,
    }
    for kind, fields in expected.items():
        with (tmp_path / f"{kind}.csv").open(newline="") as handle:
            reader = csv.reader(handle)
            assert next(reader) == fields
    for name in ("unitBlockStart", "unitBlockEnd", "unitCount", "vintageYear", "unitStatus", "unitStatusReason",
                 "marketplaceIdentifier", "marketplace", "unitType"):
        assert name in UNIT_FIELDS


def test_csv_and_json_hold_the_same_units(mixed_ledger, tmp_path):
    write_export(build_export(mixed_ledger), tmp_path)
    with (tmp_path / "units.csv").open(newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    json_rows = json.loads((tmp_path / "units.json").read_text())
    assert len(csv_rows) == len(json_rows) == 6
    assert [r["unitBlockEnd"] for r in csv_rows] == [r["unitBlockEnd"] for r in json_rows]
    assert [int(r["unitCount"]) for r in csv_rows] == [r["unitCount"] for r in json_rows]
    assert csv_rows[3]["unitStatusReason"] == "" and json_rows[3]["unitStatusReason"] is None
    assert csv_rows[0]["pvLedgerMitigationKgCo2e"] == "0.099"
    assert json_rows[0]["pvLedgerMitigationKgCo2e"] == 0.099


def test_export_metadata_names_chain_and_contracts(mixed_ledger, tmp_path):
    write_export(build_export(mixed_ledger), tmp_path)
    meta = json.loads((tmp_path / "export.json").read_text())
    assert meta["chainId"] == CHAIN_ID
    assert meta["generationCertificates"] == CERTS
    assert meta["counts"] == {"projects": 2, "issuances": 3, "units": 6, "retirements": 3, "exports": 1}


def test_summary_table_lists_every_ledger_row(mixed_ledger):
    export = build_export(mixed_ledger)
    lines = summary_table(export).splitlines()
    assert len(lines) == 1 + len(export.ledger)
    assert lines[-1].split()[0] == "total" and "6777" in lines[-1].split()



def test_an_unwritable_output_folder_is_an_export_error(mixed_ledger, tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(ExportError, match=f"cannot write the export into {blocker}"):
        write_export(build_export(mixed_ledger), blocker)


# --- errors and dependencies -------------------------------------------------------------------


def test_ledger_errors_are_chain_errors_and_export_errors_bad_input():
    """LedgerError: the chain served a ledger that does not add up (exit 3); ExportError: the output
    folder or the ABI is wrong (exit 2). Both are OracleErrors, so the CLI prints one line."""
    assert issubclass(LedgerError, ExportError) and issubclass(ExportError, OracleError)
    assert LedgerError("x").exit_code == EXIT_CHAIN
    assert ExportError("x").exit_code == EXIT_BAD_INPUT


def test_the_package_imports_neither_brownie_nor_scripts():
    """In a fresh interpreter, importing oracle.registry (which imports every module of it) loads no
    brownie or scripts module; the probe is shown able to fail on scripts.export_registry."""
    probe = (
        "import importlib, sys; importlib.import_module(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('brownie', 'scripts')))"
    )
    root = Path(registry_module.__file__).resolve().parents[2]

    def loaded_by(module: str) -> str:
        return subprocess.run([sys.executable, "-c", probe, module], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()

    assert loaded_by("oracle.registry") == "[]"
    assert "scripts.export_registry" in loaded_by("scripts.export_registry")
