"""scripts/export_registry.py end to end: deploy the energy contracts, submit a signed round, issue,
retire, lock for export, export, and check the files against the chain."""

import csv
import json

import pytest
from eth_account import Account

from oracle.merkle import StandardMerkleTree, generation_leaf_types, reading_leaf_types
from oracle.signing import round_as_tuple, round_from_generation_tree, sign_round
from scripts.bench_energy import deploy_projects
from scripts.export_registry import (
    ChainReader,
    ExportError,
    LedgerError,
    build_export,
    check_records_against_hashes,
    export_deployment,
    retirement_hash,
    export_registry,
    read_ledger,
)

SIGNER_KEYS = ["0x" + f"{i:064x}" for i in (0xE0E1, 0xE0E2)]  # fixed test keys, no secret
DAY_S = 86_400
JAN_1_2026 = 1_767_225_600
FACTOR_2026 = 350


def chain_height() -> int:
    from brownie import web3

    return web3.eth.block_number


def readings_root(installation_id: int, start: int) -> bytes:
    values = [(installation_id, start + i * 900, 100 + i) for i in range(96)]
    return StandardMerkleTree.of(values, reading_leaf_types).root


@pytest.fixture(scope="module")
def energy(InstallationRegistry, GenerationOracle, GenerationCertificates, token, operator, alice, bob, chain):
    """Two installations (alice's, bob's) commissioned on 1 January 2026, one round of three
    certificates, and on alice's first certificate two retirements and an export lock."""
    registry = InstallationRegistry.deploy(operator, deploy_projects(operator, token), {"from": operator})
    registry.grantRole(registry.REGISTRAR_ROLE(), operator, {"from": operator})
    registry.setEmissionFactor(2026, FACTOR_2026, "test factor 2026", {"from": operator})
    oracle = GenerationOracle.deploy(
        operator, [Account.from_key(k).address for k in SIGNER_KEYS], 2, {"from": operator}
    )
    certificates = GenerationCertificates.deploy(operator, oracle, registry, {"from": operator})
    registry.grantRole(registry.CERTIFIER_ROLE(), certificates, {"from": operator})
    for beneficiary, serial in ((alice, "BL-1"), (bob, "BL-2")):
        registry.registerInstallation(
            (beneficiary, 30_000, -20_258_512, -69_785_423, 1401, JAN_1_2026, 0,
             "PV rooftop", "blue'Log X-1000", serial, "PTSP"),
            {"from": operator},
        )
    leaves = [
        (1, JAN_1_2026, JAN_1_2026 + DAY_S, 123_457, readings_root(1, JAN_1_2026)),
        (1, JAN_1_2026 + DAY_S, JAN_1_2026 + 2 * DAY_S, 98_765, readings_root(1, JAN_1_2026 + DAY_S)),
        (2, JAN_1_2026, JAN_1_2026 + DAY_S, 150_000, readings_root(2, JAN_1_2026)),
    ]
    tree = StandardMerkleTree.of(leaves, generation_leaf_types)
    round_ = round_from_generation_tree(1, JAN_1_2026, JAN_1_2026 + 2 * DAY_S, tree)
    signatures = ["0x" + sign_round(round_, chain.id, oracle.address, k).hex() for k in SIGNER_KEYS]
    oracle.submitRound(round_as_tuple(round_), signatures, {"from": operator})
    for leaf in leaves:
        leaf_arg = tuple("0x" + v.hex() if isinstance(v, bytes) else v for v in leaf)
        certificates.issue(1, leaf_arg, tree.proof_hex(leaf), {"from": bob})
    certificates.retire(1, 20_001, "Liceo A-12", "Scope 2 market-based", "2026", "CL", {"from": alice})
    certificates.lockForExport(1, 3_000, "RENAMI Chile", "RN-2026-7", {"from": alice})
    certificates.retire(1, 5_000, "Municipalidad", "Scope 2 market-based", "2026", "CL", {"from": alice})
    return registry, oracle, certificates


def test_read_ledger_matches_chain_views(energy):
    registry, oracle, certificates = energy
    ledger = read_ledger(registry, certificates, oracle)
    assert [i.installation_id for i in ledger.installations] == [1, 2]
    assert ledger.installations[0].programme == "PTSP"
    assert [c.energy_wh for c in ledger.certificates] == [123_457, 98_765, 150_000]
    assert ledger.certificates[0].retired_wh == 25_001
    assert ledger.certificates[0].exported_wh == 3_000
    assert ledger.certificates[0].verified_at == oracle.rounds(1)["submittedAt"]
    assert [(r.retirement_id, r.amount_wh, r.beneficiary) for r in ledger.retirements] == [
        (1, 20_001, "Liceo A-12"),
        (2, 5_000, "Municipalidad"),
    ]
    assert [(e.export_id, e.amount_wh, e.reference) for e in ledger.exports] == [(1, 3_000, "RN-2026-7")]
    assert ledger.emission_factors[2026].g_co2e_per_kwh == FACTOR_2026


def test_export_writes_blocks_that_match_the_chain(energy, tmp_path, chain):
    registry, oracle, certificates = energy
    export_registry(registry, certificates, tmp_path, oracle=oracle)
    with (tmp_path / "units.csv").open(newline="") as handle:
        units = [u for u in csv.DictReader(handle) if u["pvLedgerTokenId"] == "1"]
    assert [(u["unitStatus"], u["unitBlockStart"], u["unitBlockEnd"], u["unitCount"]) for u in units] == [
        ("Retired", f"PVL-{chain.id}-1-1", f"PVL-{chain.id}-1-20001", "20001"),
        ("Retired", f"PVL-{chain.id}-1-20002", f"PVL-{chain.id}-1-25001", "5000"),
        ("Exported", f"PVL-{chain.id}-1-25002", f"PVL-{chain.id}-1-28001", "3000"),
        ("Held", f"PVL-{chain.id}-1-28002", f"PVL-{chain.id}-1-123457", "95456"),
    ]
    assert units[0]["marketplaceIdentifier"] == f"{chain.id}:{certificates.address}:1"
    retired_grams = int(units[0]["pvLedgerMitigationGrams"])
    assert retired_grams == certificates.mitigationGrams(1, 20_001)


def test_export_issuances_and_ledger_totals_match_the_chain(energy, tmp_path):
    registry, oracle, certificates = energy
    export_registry(registry, certificates, tmp_path, oracle=oracle)
    issuances = json.loads((tmp_path / "issuances.json").read_text())
    assert len(issuances) == certificates.certificateCount() == 3
    for issuance in issuances:
        token_id = issuance["pvLedgerTokenId"]
        assert issuance["pvLedgerMitigationGrams"] == certificates.mitigationGrams(token_id, issuance["pvLedgerEnergyWh"])
    total = [r for r in json.loads((tmp_path / "ledger.json").read_text()) if r["scope"] == "total"][0]
    assert (total["issuedWh"], total["retiredWh"], total["exportedWh"], total["heldWh"]) == (
        372_222, 25_001, 3_000, 344_221
    )
    projects = json.loads((tmp_path / "projects.json").read_text())
    assert [p["program"] for p in projects] == ["PTSP", "PTSP"]


def test_tampered_ledger_read_from_chain_is_refused(energy):
    registry, oracle, certificates = energy
    ledger = read_ledger(registry, certificates, oracle)
    ledger.retirements.pop()  # as if a retirement record had been missed
    with pytest.raises(LedgerError, match="retiredWh 25001 but its retirements add up to 20001 Wh"):
        build_export(ledger)


def test_read_ledger_is_a_snapshot_at_one_block(energy, alice):
    registry, oracle, certificates = energy
    before = chain_height()
    certificates.retire(2, 1_000, "Late claim", "Scope 2 market-based", "2026", "CL", {"from": alice})
    old = read_ledger(registry, certificates, oracle, block_number=before)
    new = read_ledger(registry, certificates, oracle)
    assert (len(old.retirements), old.certificates[1].retired_wh) == (2, 0)
    assert (len(new.retirements), new.certificates[1].retired_wh) == (3, 1_000)
    build_export(old)  # consistent: the counts and the records were read at the same block


def test_retirements_read_from_events_hash_to_the_contract_records(energy):
    registry, oracle, certificates = energy
    ledger = read_ledger(registry, certificates, oracle)
    assert [retirement_hash(r) for r in ledger.retirements] == [
        "0x" + bytes(certificates.retirementHash(i)).hex() for i in (1, 2)
    ]
    assert all(r.retired_at > 0 for r in ledger.retirements)


def test_a_retirement_event_with_an_altered_field_is_refused(energy):
    registry, oracle, certificates = energy
    ledger = read_ledger(registry, certificates, oracle)
    altered = list(ledger.retirements)
    altered[0] = type(altered[0])(**{**altered[0].__dict__, "beneficiary": "Someone else"})
    hashes = [certificates.retirementHash(i) for i in (1, 2)]
    with pytest.raises(LedgerError, match="retirement 1: the event's fields do not hash"):
        check_records_against_hashes("retirement", altered, lambda r: r.retirement_id, retirement_hash, 2, hashes)


def test_a_retirement_missing_from_the_logs_is_refused(energy):
    registry, oracle, certificates = energy
    ledger = read_ledger(registry, certificates, oracle)
    hashes = [certificates.retirementHash(i) for i in (1, 2)]
    with pytest.raises(LedgerError, match=r"retirements \[2\] have no event"):
        check_records_against_hashes(
            "retirement", ledger.retirements[:1], lambda r: r.retirement_id, retirement_hash, 2, hashes
        )


def test_logs_read_from_too_late_a_block_are_an_error(energy):
    registry, oracle, certificates = energy
    with pytest.raises(LedgerError, match="has no CertificateIssued event"):
        read_ledger(registry, certificates, oracle, from_block=chain_height())


def test_log_pages_of_one_block_give_the_same_ledger(energy):
    registry, oracle, certificates = energy
    height = chain_height()
    assert read_ledger(registry, certificates, oracle, block_number=height, log_page_blocks=1) == read_ledger(
        registry, certificates, oracle, block_number=height
    )


def test_chain_reader_pages_give_the_same_items(energy):
    from brownie import web3

    _, _, certificates = energy
    small_pages = ChainReader(web3, web3.eth.block_number, page_size=2)
    one_page = ChainReader(web3, web3.eth.block_number)
    assert small_pages.all_items(certificates, "certificateCount", "certificate") == one_page.all_items(
        certificates, "certificateCount", "certificate"
    )
    assert len(small_pages.all_items(certificates, "certificateCount", "certificate")) == 3


def test_export_deployment_uses_the_manifest_addresses(energy, tmp_path, chain):
    registry, oracle, certificates = energy
    manifest = {
        "chainId": chain.id,
        "contracts": {
            "InstallationRegistry": {"contractType": "InstallationRegistry", "address": registry.address},
            "GenerationOracle": {"contractType": "GenerationOracle", "address": oracle.address},
            "GenerationCertificates": {"contractType": "GenerationCertificates", "address": certificates.address},
        },
    }
    export = export_deployment(manifest, tmp_path)
    assert export.meta["generationCertificates"] == certificates.address
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{kind}.{ext}" for kind in ("projects", "locations", "issuances", "units", "ledger") for ext in ("json", "csv")]
        + ["export.json"]
    )


def test_export_deployment_without_energy_contracts_is_a_clear_error(token, tmp_path, chain):
    manifest = {
        "chainId": chain.id,
        "contracts": {"PaymentToken": {"contractType": "PesoToken", "address": token.address}},
    }
    with pytest.raises(ExportError, match="has no InstallationRegistry, GenerationCertificates: deploy the energy suite"):
        export_deployment(manifest, tmp_path)
    assert list(tmp_path.iterdir()) == []
