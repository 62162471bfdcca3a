"""Reading the ledger from chain on web3 alone (``read_ledger``), through the contracts a deployment
manifest names: InstallationRegistry and GenerationCertificates (required) and GenerationOracle
(optional: each round's submission time becomes its issuances' verificationDate).

Every view call is pinned at one block (a consistent snapshot) and batched ``PAGE_SIZE`` per
JSON-RPC request (``ChainReader``). Retirements, exports and readings roots are not stored in
contract state (the contract keeps one hash per retirement / export record and the certificate's
fields): they are read from the CertificateRetired, ExportLocked and CertificateIssued events
(eth_getLogs, paged by ``LOG_PAGE_BLOCKS`` blocks, from the certificates' deployment block recorded
in the manifest up to the same block as the views). Every record id 1..retirementCount /
1..exportCount must appear exactly once and hash to the contract's ``retirementHash`` /
``exportHash``, and every certificate must have its CertificateIssued event with the same fields as
the view; a missing, duplicate or mismatching record raises LedgerError.

Errors: a manifest without the two required contracts, or one whose addresses have no code at the
pinned block (a local chain restarted since the deployment), is a ConfigError; a node that cannot be
reached or fails a call is a ChainError; views without the expected fields (an ABI that is not
current) are an ExportError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3Exception

from oracle.chain.manifest import Chain, redact_url
from oracle.errors import ChainError, ConfigError
from oracle.registry.checks import check_records_against_hashes
from oracle.registry.records import (
    CertificateInfo,
    EmissionFactor,
    ExportError,
    ExportInfo,
    InstallationInfo,
    Ledger,
    LedgerError,
    RetirementInfo,
    as_hex,
    export_hash,
    retirement_hash,
)

PAGE_SIZE = 200
"""View calls per JSON-RPC batch request."""

LOG_PAGE_BLOCKS = 10_000
"""Blocks per eth_getLogs request."""

REQUIRED_CONTRACTS = ("InstallationRegistry", "GenerationCertificates")
ORACLE_CONTRACT = "GenerationOracle"

INSTALLATION_STATUS = {0: "active", 1: "suspended", 2: "decommissioned"}


class ChainReader:
    """View calls pinned at one block, batched ``page_size`` per JSON-RPC request, so the ledger is
    one consistent snapshot read in a few requests; events up to the same block."""

    def __init__(self, web3: Web3, block_number: int, page_size: int = PAGE_SIZE) -> None:
        self._web3 = web3
        self.block_number = block_number
        self._page_size = page_size

    def call(self, contract: Contract, function: str, *args: Any) -> Any:
        """One view call at the pinned block."""
        return getattr(contract.functions, function)(*args).call(block_identifier=self.block_number)

    def call_many(self, contract: Contract, function: str, args_list: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``function(*args)`` for every args of `args_list`, in order, at the pinned block."""
        view = getattr(contract.functions, function)
        results: list[Any] = []
        for first in range(0, len(args_list), self._page_size):
            with self._web3.batch_requests() as batch:
                for args in args_list[first : first + self._page_size]:
                    batch.add(view(*args).call(block_identifier=self.block_number))
                results.extend(batch.execute())
        return results

    def events(
        self, contract: Contract, event: str, from_block: int = 0, page_blocks: int = LOG_PAGE_BLOCKS
    ) -> list[dict[str, Any]]:
        """Every `event` of `contract` from `from_block` to the pinned block, as dicts of their
        arguments (with ``blockNumber`` and ``transactionHash``, 0x hex), read ``page_blocks`` blocks
        per eth_getLogs request."""
        kind = getattr(contract.events, event)
        found: list[dict[str, Any]] = []
        for first in range(from_block, self.block_number + 1, page_blocks):
            last = min(first + page_blocks - 1, self.block_number)
            for log in kind().get_logs(from_block=first, to_block=last):
                found.append({**dict(log["args"]), "blockNumber": int(log["blockNumber"]),
                              "transactionHash": as_hex(log["transactionHash"])})
        return found

    def all_items(self, contract: Contract, count_function: str, item_function: str) -> list[dict[str, Any]]:
        """Items 1..count of a sequentially numbered record, as dicts of their fields."""
        count = int(self.call(contract, count_function))
        items = self.call_many(contract, item_function, [(i,) for i in range(1, count + 1)])
        return [struct_as_dict(item) for item in items]


@dataclass(frozen=True)
class LedgerContracts:
    registry: Contract
    certificates: Contract
    oracle: Contract | None
    certificates_block: int  # deployment block of the certificates: no event of theirs is older


def ledger_contracts(chain: Chain, block_number: int) -> LedgerContracts:
    """The ledger's contracts from the manifest, each checked to have code at `block_number`
    (ConfigError for a missing contract or a stale manifest)."""
    manifest = chain.manifest
    missing = [name for name in REQUIRED_CONTRACTS if name not in manifest.contracts]
    if missing:
        raise ConfigError(
            f"the manifest {manifest.path} of chain {manifest.chain_id} has no {', '.join(missing)}: "
            "deploy the energy suite"
        )
    names = [*REQUIRED_CONTRACTS, *([ORACLE_CONTRACT] if ORACLE_CONTRACT in manifest.contracts else [])]
    for name in names:
        address = manifest.entry(name).address
        if not chain.web3.eth.get_code(address, block_identifier=block_number):
            raise ConfigError(
                f"the manifest {manifest.path} is stale: {name} at {address} has no code on chain "
                f"{manifest.chain_id} at block {block_number}; deploy again (brownie run scripts/deploy.py)"
            )
    return LedgerContracts(
        registry=chain.contract("InstallationRegistry"),
        certificates=chain.contract("GenerationCertificates"),
        oracle=chain.contract(ORACLE_CONTRACT) if ORACLE_CONTRACT in names else None,
        certificates_block=manifest.entry("GenerationCertificates").block,
    )


def read_ledger(
    chain: Chain,
    block_number: int | None = None,
    from_block: int | None = None,
    log_page_blocks: int = LOG_PAGE_BLOCKS,
    page_size: int = PAGE_SIZE,
) -> Ledger:
    """Read the whole ledger through the contracts' views and events at ``block_number`` (default:
    latest). Events are read from ``from_block`` (default: the certificates' deployment block in the
    manifest) in pages of ``log_page_blocks`` blocks; records are verified against the on-chain hashes.
    """
    try:
        block = chain.web3.eth.get_block(block_number if block_number is not None else "latest")
        reader = ChainReader(chain.web3, int(block["number"]), page_size)
        contracts = ledger_contracts(chain, reader.block_number)
        first_block = contracts.certificates_block if from_block is None else from_block
        certificates = _read_certificates(reader, contracts, first_block, log_page_blocks)
        years = sorted({c.emission_factor_year for c in certificates})
        return Ledger(
            chain_id=chain.chain_id,
            registry_address=contracts.registry.address,
            certificates_address=contracts.certificates.address,
            installations=_read_installations(reader, contracts.registry),
            certificates=certificates,
            retirements=_read_retirements(reader, contracts.certificates, first_block, log_page_blocks),
            exports=_read_exports(reader, contracts.certificates, first_block, log_page_blocks),
            emission_factors=_read_emission_factors(reader, contracts.registry, years),
            block_number=reader.block_number,
            read_at=int(block["timestamp"]),
        )
    except (KeyError, AttributeError) as error:
        raise ExportError(
            f"the contracts' views do not have the expected fields ({error}); is the ABI current?"
        ) from None
    except OSError as error:  # requests' connection errors; their text may hold the URL's API key
        raise ChainError(
            f"cannot read the ledger from the RPC node at {_node_of(chain)}: {type(error).__name__}"
        ) from None
    except Web3Exception as error:
        raise ChainError(
            f"reading the ledger from the RPC node at {_node_of(chain)} failed: {type(error).__name__}: "
            f"{str(error)[:200]}"
        ) from None


def _read_installations(reader: ChainReader, registry: Contract) -> list[InstallationInfo]:
    items = reader.all_items(registry, "installationCount", "installation")
    return [
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
        for installation_id, item in enumerate(items, 1)
    ]


def _round_times(reader: ChainReader, oracle: Contract | None, round_ids: list[int]) -> dict[int, int]:
    """Submission time (unix s UTC) of each round, by round id; empty without the oracle."""
    if oracle is None or not round_ids:
        return {}
    rounds = reader.call_many(oracle, "rounds", [(round_id,) for round_id in round_ids])
    return {round_id: int(struct_as_dict(rnd)["submittedAt"]) for round_id, rnd in zip(round_ids, rounds)}


def _read_certificates(
    reader: ChainReader, contracts: LedgerContracts, from_block: int, page_blocks: int
) -> list[CertificateInfo]:
    """Every certificate's view, checked against its CertificateIssued event (its readings root)."""
    items = reader.all_items(contracts.certificates, "certificateCount", "certificate")
    round_times = _round_times(reader, contracts.oracle, sorted({int(item["roundId"]) for item in items}))
    issued_events = {
        int(ev["tokenId"]): ev
        for ev in reader.events(contracts.certificates, "CertificateIssued", from_block, page_blocks)
    }
    certificates = []
    for token_id, item in enumerate(items, 1):
        issued = issued_events.get(token_id)
        if issued is None:
            raise LedgerError(f"certificate {token_id} has no CertificateIssued event in the logs read")
        fields = ("installationId", "periodStart", "periodEnd", "energyWh")
        if tuple(int(issued[f]) for f in fields) != tuple(int(item[f]) for f in fields):
            raise LedgerError(f"certificate {token_id}: its CertificateIssued event differs from the contract's view")
        certificates.append(
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
                readings_root=as_hex(issued["readingsRoot"]),
                verified_at=round_times.get(int(item["roundId"])),
            )
        )
    return certificates


def _read_retirements(
    reader: ChainReader, certificates: Contract, from_block: int, page_blocks: int
) -> list[RetirementInfo]:
    """Retirements 1..retirementCount from their events, each checked against its record hash."""
    records = [
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
        for ev in reader.events(certificates, "CertificateRetired", from_block, page_blocks)
    ]
    count = int(reader.call(certificates, "retirementCount"))
    hashes = reader.call_many(certificates, "retirementHash", [(i,) for i in range(1, count + 1)])
    return check_records_against_hashes(
        "retirement", records, lambda r: r.retirement_id, retirement_hash, count, hashes
    )


def _read_exports(reader: ChainReader, certificates: Contract, from_block: int, page_blocks: int) -> list[ExportInfo]:
    """Export locks 1..exportCount from their events, each checked against its record hash."""
    records = [
        ExportInfo(
            export_id=int(ev["exportId"]),
            token_id=int(ev["tokenId"]),
            holder=str(ev["holder"]),
            amount_wh=int(ev["amountWh"]),
            registry=str(ev["registry"]),
            reference=str(ev["externalReference"]),
            exported_at=int(ev["exportedAt"]),
        )
        for ev in reader.events(certificates, "ExportLocked", from_block, page_blocks)
    ]
    count = int(reader.call(certificates, "exportCount"))
    hashes = reader.call_many(certificates, "exportHash", [(i,) for i in range(1, count + 1)])
    return check_records_against_hashes("export", records, lambda e: e.export_id, export_hash, count, hashes)


def _read_emission_factors(reader: ChainReader, registry: Contract, years: list[int]) -> dict[int, EmissionFactor]:
    """The registry's emission factor (gCO2e/kWh and its source) of each year."""
    results = reader.call_many(registry, "emissionFactor", [(year,) for year in years])
    return {year: EmissionFactor(year, int(result[0]), str(result[1])) for year, result in zip(years, results)}


def struct_as_dict(value: Any) -> dict[str, Any]:
    """A struct decoded by web3 (``decode_tuples=True``) as a dict of its named fields."""
    as_dict = getattr(value, "_asdict", None)
    if callable(as_dict):
        return dict(as_dict())
    if isinstance(value, dict):
        return value
    raise ExportError(f"cannot read the fields of a contract struct ({type(value).__name__}); is the ABI current?")


def _node_of(chain: Chain) -> str:
    return redact_url(str(getattr(chain.web3.provider, "endpoint_uri", "") or "the configured node"))
