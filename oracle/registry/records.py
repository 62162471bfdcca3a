"""The certificate ledger as read from chain: installations, certificates, retirements, export locks,
emission factors; unit blocks and totals; mitigation arithmetic, identifiers and record hashes.

Units and rounding: 1 unit = 1 Wh. Mitigation of an amount = floor(Wh x gCO2e/kWh / 1000) grams,
as the contract's ``mitigationGrams``; kgCO2e = grams / 1000 and tCO2e = grams / 1,000,000 as exact
decimals. Times are unix seconds UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from oracle.errors import EXIT_BAD_INPUT, EXIT_CHAIN, OracleError

STATUS_HELD = "Held"
STATUS_RETIRED = "Retired"
STATUS_EXPORTED = "Exported"

RETIREMENT_HASH_TYPES = ["uint256", "address", "uint256", "string", "string", "string", "string", "uint256"]
EXPORT_HASH_TYPES = ["uint256", "address", "uint256", "string", "string", "uint256"]


class ExportError(OracleError):
    """The export cannot be read or written (an output folder that cannot be written, contract views
    without the expected fields); the message says what to fix. Exit code 2."""

    exit_code = EXIT_BAD_INPUT


class LedgerError(ExportError):
    """The ledger read from chain is inconsistent (records missing from the logs, amounts that do not
    add up, overlapping unit blocks); nothing is written.

    Exit code 3, a chain error: the configuration was usable and the chain answered, but what it
    served does not add up (a node pruning logs, a start block after the first event, or contract
    state that contradicts its events); another node or block range is the fix, not another input.
    """

    exit_code = EXIT_CHAIN


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
    retired_at: int  # unix s UTC


@dataclass(frozen=True)
class ExportInfo:
    export_id: int
    token_id: int
    holder: str
    amount_wh: int
    registry: str
    reference: str
    exported_at: int  # unix s UTC


@dataclass(frozen=True)
class EmissionFactor:
    year: int
    g_co2e_per_kwh: int
    source: str


@dataclass(frozen=True)
class Ledger:
    """Everything the export needs, read at one block (``block_number``, mined at ``read_at``)."""

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
    """Wh and grams CO2e of a certificate, an installation's year or the whole ledger, by status."""

    issued_wh: int = 0
    retired_wh: int = 0
    exported_wh: int = 0
    held_wh: int = 0
    issued_g: int = 0
    retired_g: int = 0
    exported_g: int = 0
    held_g: int = 0

    def add(self, other: Totals) -> None:
        for name in _TOTALS_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_TOTALS_FIELDS = tuple(f.name for f in fields(Totals))


def mitigation_grams(energy_wh: int, g_co2e_per_kwh: int) -> int:
    """floor(Wh x gCO2e/kWh / 1000): grams CO2e, as GenerationCertificates.mitigationGrams."""
    return energy_wh * g_co2e_per_kwh // 1000


def grams_to_kg(grams: int) -> Decimal:
    """Exact kgCO2e (three decimals) from grams."""
    return Decimal(grams).scaleb(-3)


def grams_to_tonnes(grams: int) -> Decimal:
    """Exact tCO2e (six decimals) from grams."""
    return Decimal(grams).scaleb(-6)


def unit_serial(chain_id: int, token_id: int, wh_index: int) -> str:
    """Serial of unit (Wh) ``wh_index`` (1..energyWh) of a certificate: ``PVL-<chainId>-<tokenId>-<n>``."""
    return f"PVL-{chain_id}-{token_id}-{wh_index}"


def marketplace_identifier(chain_id: int, contract: str, token_id: int) -> str:
    """``<chainId>:<certificates address>:<tokenId>``: the issuance id and the units' marketplace id."""
    return f"{chain_id}:{contract}:{token_id}"


def unit_registry_link(chain_id: int, contract: str, token_id: int) -> str:
    """CAIP-19 asset id of the ERC-1155 token."""
    return f"eip155:{chain_id}/erc1155:{contract}/{token_id}"


def project_id_of(chain_id: int, installation_id: int) -> str:
    """CADT projectId of an installation: ``PVL-<chainId>-<installationId>``."""
    return f"PVL-{chain_id}-{installation_id}"


def as_hex(value: Any) -> str:
    """A bytes32 (bytes, HexBytes or text with or without 0x) as 0x hex."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    text = str(value)
    return text if text.startswith("0x") else "0x" + text


def retirement_hash(r: RetirementInfo) -> str:
    """keccak256(abi.encode(tokenId, holder, amountWh, beneficiary, purpose, reportingPeriod,
    country, retiredAt)), as GenerationCertificates.retirementHash (0x hex)."""
    fields = (r.token_id, to_checksum_address(r.holder), r.amount_wh, r.beneficiary, r.purpose,
              r.reporting_period, r.country, r.retired_at)
    return "0x" + keccak(encode(RETIREMENT_HASH_TYPES, fields)).hex()


def export_hash(e: ExportInfo) -> str:
    """keccak256(abi.encode(tokenId, holder, amountWh, registry, externalReference, exportedAt)),
    as GenerationCertificates.exportHash (0x hex)."""
    fields = (e.token_id, to_checksum_address(e.holder), e.amount_wh, e.registry, e.reference, e.exported_at)
    return "0x" + keccak(encode(EXPORT_HASH_TYPES, fields)).hex()
