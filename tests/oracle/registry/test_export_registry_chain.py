"""oracle.registry end to end on web3: deploy the energy contracts with brownie, submit a signed
round, issue, retire, lock for export, then read and export through a Manifest of those contracts
(oracle.chain.manifest.connect to brownie's anvil) and check the files against the chain."""

import csv
import json

import pytest
from eth_account import Account
from web3 import Web3

from oracle.chain.manifest import Chain, ContractEntry, Manifest, connect
from oracle.errors import ChainError, ConfigError
from oracle.merkle import StandardMerkleTree, generation_leaf_types, reading_leaf_types
from oracle.registry import (
    ChainReader,
    LedgerError,
    build_export,
    check_records_against_hashes,
    export_ledger,
    read_ledger,
    retirement_hash,
)
from oracle.signing import round_as_tuple, round_from_generation_tree, sign_round
from scripts.deployment.energy import deploy_certificates, deploy_generation_oracle, deploy_installation_registry
from scripts.deployment.market import deploy_projects

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
def energy(token, operator, alice, bob, chain):
    """Two installations (alice's, bob's) commissioned on 1 January 2026, one round of three
    certificates, and on alice's first certificate two retirements and an export lock."""
    registry = deploy_installation_registry(operator, deploy_projects(operator, token))
    registry.setEmissionFactor(2026, FACTOR_2026, "test factor 2026", {"from": operator})
    oracle = deploy_generation_oracle(operator, [Account.from_key(k).address for k in SIGNER_KEYS], 2)
    certificates = deploy_certificates(operator, oracle, registry)
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


def manifest_of(path, chain_id, contracts, certificates_block=None):
    """A Manifest of brownie-deployed contracts ({name: contract}), each at its deployment block."""
    entries = {
        name: ContractEntry(name, contract._name, Web3.to_checksum_address(contract.address), contract.tx.block_number)
        for name, contract in contracts.items()
    }
    if certificates_block is not None:
        entry = entries["GenerationCertificates"]
        entries["GenerationCertificates"] = ContractEntry(entry.name, entry.contract_type, entry.address,
                                                          certificates_block)
    return Manifest(path, chain_id, entries)


@pytest.fixture(scope="module")
def energy_chain(energy, rpc_url, chain, tmp_path_factory):
    """The energy contracts as the oracle sees them: a web3 Chain through their manifest."""
    registry, oracle, certificates = energy
    path = tmp_path_factory.mktemp("deployments") / f"{chain.id}.json"
    contracts = {"InstallationRegistry": registry, "GenerationOracle": oracle, "GenerationCertificates": certificates}
    return connect(rpc_url, manifest_of(path, chain.id, contracts))


def test_read_ledger_matches_chain_views(energy, energy_chain):
    registry, oracle, certificates = energy
    ledger = read_ledger(energy_chain)
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
    assert (ledger.registry_address, ledger.certificates_address) == (registry.address, certificates.address)


def test_export_writes_blocks_that_match_the_chain(energy, energy_chain, tmp_path, chain):
    registry, oracle, certificates = energy
    export_ledger(energy_chain, tmp_path)
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


def test_export_issuances_and_ledger_totals_match_the_chain(energy, energy_chain, tmp_path):
    registry, oracle, certificates = energy
    export_ledger(energy_chain, tmp_path)
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


def test_tampered_ledger_read_from_chain_is_refused(energy_chain):
    ledger = read_ledger(energy_chain)
    ledger.retirements.pop()  # as if a retirement record had been missed
    with pytest.raises(LedgerError, match="retiredWh 25001 but its retirements add up to 20001 Wh"):
        build_export(ledger)


def test_read_ledger_is_a_snapshot_at_one_block(energy_chain, energy, alice):
    _, _, certificates = energy
    before = chain_height()
    certificates.retire(2, 1_000, "Late claim", "Scope 2 market-based", "2026", "CL", {"from": alice})
    old = read_ledger(energy_chain, block_number=before)
    new = read_ledger(energy_chain)
    assert (len(old.retirements), old.certificates[1].retired_wh) == (2, 0)
    assert (len(new.retirements), new.certificates[1].retired_wh) == (3, 1_000)
    build_export(old)  # consistent: the counts and the records were read at the same block


def test_batch_reads_are_pinned_to_their_block(energy_chain, energy, bob):
    """A transaction mined after the pinned block changes neither a batched view read nor the
    export read at that block; a reader at the new block sees it."""
    _, _, certificates = energy
    web3 = energy_chain.web3
    contract = energy_chain.contract("GenerationCertificates")
    pinned = ChainReader(web3, web3.eth.block_number)
    before_items = pinned.all_items(contract, "certificateCount", "certificate")
    before_export = build_export(read_ledger(energy_chain, block_number=pinned.block_number))

    certificates.retire(3, 7_000, "Late claim", "Scope 2 market-based", "2026", "CL", {"from": bob})

    assert pinned.all_items(contract, "certificateCount", "certificate") == before_items
    assert build_export(read_ledger(energy_chain, block_number=pinned.block_number)) == before_export
    latest = ChainReader(web3, web3.eth.block_number).all_items(contract, "certificateCount", "certificate")
    assert (before_items[2]["retiredWh"], latest[2]["retiredWh"]) == (0, 7_000)


def test_retirements_read_from_events_hash_to_the_contract_records(energy, energy_chain):
    _, _, certificates = energy
    ledger = read_ledger(energy_chain)
    assert [retirement_hash(r) for r in ledger.retirements] == [
        "0x" + bytes(certificates.retirementHash(i)).hex() for i in (1, 2)
    ]
    assert all(r.retired_at > 0 for r in ledger.retirements)


def test_a_retirement_event_with_an_altered_field_is_refused(energy, energy_chain):
    _, _, certificates = energy
    ledger = read_ledger(energy_chain)
    altered = list(ledger.retirements)
    altered[0] = type(altered[0])(**{**altered[0].__dict__, "beneficiary": "Someone else"})
    hashes = [certificates.retirementHash(i) for i in (1, 2)]
    with pytest.raises(LedgerError, match="retirement 1: the event's fields do not hash"):
        check_records_against_hashes("retirement", altered, lambda r: r.retirement_id, retirement_hash, 2, hashes)


def test_a_retirement_missing_from_the_logs_is_refused(energy, energy_chain):
    _, _, certificates = energy
    ledger = read_ledger(energy_chain)
    hashes = [certificates.retirementHash(i) for i in (1, 2)]
    with pytest.raises(LedgerError, match=r"retirements \[2\] have no event"):
        check_records_against_hashes(
            "retirement", ledger.retirements[:1], lambda r: r.retirement_id, retirement_hash, 2, hashes
        )


def test_logs_read_from_too_late_a_block_are_an_error(energy_chain):
    with pytest.raises(LedgerError, match="has no CertificateIssued event"):
        read_ledger(energy_chain, from_block=chain_height())


def test_a_manifest_deployment_block_after_the_events_writes_nothing(energy, energy_chain, tmp_path, chain):
    """export_ledger reads events from the manifest's deployment block of the certificates: a block
    after their issuance finds no CertificateIssued event, which is a LedgerError, and no file."""
    registry, oracle, certificates = energy
    contracts = {"InstallationRegistry": registry, "GenerationOracle": oracle, "GenerationCertificates": certificates}
    late = Chain(energy_chain.web3, manifest_of(tmp_path / "late.json", chain.id, contracts, chain_height()))
    with pytest.raises(LedgerError, match="certificate 1 has no CertificateIssued event"):
        export_ledger(late, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    export_ledger(energy_chain, tmp_path / "out")  # the same contracts from their real block do export
    assert (tmp_path / "out" / "units.json").exists()


def test_log_pages_of_one_block_give_the_same_ledger(energy_chain):
    height = chain_height()
    assert read_ledger(energy_chain, block_number=height, log_page_blocks=1) == read_ledger(
        energy_chain, block_number=height
    )


def test_chain_reader_pages_give_the_same_items(energy_chain):
    web3 = energy_chain.web3
    certificates = energy_chain.contract("GenerationCertificates")
    small_pages = ChainReader(web3, web3.eth.block_number, page_size=2)
    one_page = ChainReader(web3, web3.eth.block_number)
    assert small_pages.all_items(certificates, "certificateCount", "certificate") == one_page.all_items(
        certificates, "certificateCount", "certificate"
    )
    assert len(small_pages.all_items(certificates, "certificateCount", "certificate")) == 3


def test_export_ledger_uses_the_manifest_addresses(energy, energy_chain, tmp_path):
    _, _, certificates = energy
    export = export_ledger(energy_chain, tmp_path)
    assert export.meta["generationCertificates"] == certificates.address
    assert export.meta["blockNumber"] == chain_height()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{kind}.{ext}" for kind in ("projects", "locations", "issuances", "units", "ledger") for ext in ("json", "csv")]
        + ["export.json"]
    )


def test_export_without_energy_contracts_is_a_clear_error(token, rpc_url, tmp_path, chain):
    manifest = manifest_of(tmp_path / "token.json", chain.id, {"PaymentToken": token})
    with pytest.raises(ConfigError, match="has no InstallationRegistry, GenerationCertificates: deploy the energy suite"):
        export_ledger(connect(rpc_url, manifest), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_stale_manifest_is_a_config_error(energy, energy_chain, tmp_path, chain, mallory):
    """A manifest whose certificates address has no code (a local chain restarted since the
    deployment) is refused before any read, naming the contract."""
    registry, oracle, _ = energy
    entries = dict(energy_chain.manifest.contracts)
    entries["GenerationCertificates"] = ContractEntry("GenerationCertificates", "GenerationCertificates",
                                                      mallory.address, 0)
    stale = Chain(energy_chain.web3, Manifest(tmp_path / "stale.json", chain.id, entries))
    with pytest.raises(ConfigError, match=f"is stale: GenerationCertificates at {mallory.address} has no code"):
        export_ledger(stale, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_unreachable_node_is_a_chain_error_without_the_url_path(energy_chain, tmp_path):
    """The node going away mid-export is a ChainError; the URL's path (where providers put API keys)
    is not in the message."""
    web3 = Web3(Web3.HTTPProvider("http://127.0.0.1:9/v3/secret-api-key", exception_retry_configuration=None))
    with pytest.raises(ChainError, match="RPC node at http://127.0.0.1:9/...") as raised:
        export_ledger(Chain(web3, energy_chain.manifest), tmp_path / "out")
    assert "secret-api-key" not in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_the_brownie_entry_point_exports_the_deployed_suite(deployment, tmp_path, capsys):
    """scripts/export_registry.py main: the manifest deploy_suite wrote, connected over brownie's
    endpoint, exported and printed; an unwritable folder is one line on stderr and exit 1."""
    from scripts.export_registry import main

    main(str(tmp_path / "out"))
    printed = capsys.readouterr().out
    assert printed.splitlines()[-1].startswith("wrote ") and str(tmp_path / "out") in printed
    assert json.loads((tmp_path / "out" / "export.json").read_text())["generationCertificates"] == (
        deployment["contracts"]["GenerationCertificates"]["address"]
    )
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(SystemExit) as exited:
        main(str(tmp_path / "file"))
    assert exited.value.code == 1
    assert capsys.readouterr().err.startswith("export_registry: cannot write the export into ")
