"""The checks every export passes before anything is written (each failure is a LedgerError).

- ``check_ledger``: every record refers to a known certificate / installation / emission factor,
  amounts are positive, periods not empty, the contract's retiredWh / exportedWh equal the sum of
  the certificate's retirement / export records, and retired + exported never exceed issued.
- ``check_unit_blocks``: per certificate the unit blocks do not overlap, leave no gap, cover
  1..energyWh exactly, and held + retired + exported = issued (Wh).
- ``check_records_against_hashes``: the retirement / export records read from events are exactly
  ids 1..count (none missing, none twice) and each hashes to the contract's record hash.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TypeVar

from oracle.registry.records import (
    STATUS_EXPORTED,
    STATUS_HELD,
    STATUS_RETIRED,
    CertificateInfo,
    Ledger,
    LedgerError,
    UnitBlock,
    as_hex,
)

RecordT = TypeVar("RecordT")


def check_ledger(ledger: Ledger) -> None:
    """Raise LedgerError unless every record refers to known things and the amounts add up."""
    certificates = {c.token_id: c for c in ledger.certificates}
    if len(certificates) != len(ledger.certificates):
        raise LedgerError("two certificates share a token id")
    retired: dict[int, int] = defaultdict(int)
    exported: dict[int, int] = defaultdict(int)
    for token_id, amount_wh, amounts, kind in [
        *((r.token_id, r.amount_wh, retired, f"retirement {r.retirement_id}") for r in ledger.retirements),
        *((e.token_id, e.amount_wh, exported, f"export {e.export_id}") for e in ledger.exports),
    ]:
        if token_id not in certificates:
            raise LedgerError(f"{kind} refers to unknown certificate {token_id}")
        if amount_wh <= 0:
            raise LedgerError(f"{kind} of certificate {token_id} has amount {amount_wh} Wh")
        amounts[token_id] += amount_wh
    installations = {i.installation_id for i in ledger.installations}
    for cert in ledger.certificates:
        _check_certificate(cert, installations, ledger, retired[cert.token_id], exported[cert.token_id])


def _check_certificate(
    cert: CertificateInfo, installations: set[int], ledger: Ledger, retired_wh: int, exported_wh: int
) -> None:
    """One certificate against its installation, emission factor and records (Wh)."""
    if cert.installation_id not in installations:
        raise LedgerError(f"certificate {cert.token_id} refers to unknown installation {cert.installation_id}")
    if cert.emission_factor_year not in ledger.emission_factors:
        raise LedgerError(f"certificate {cert.token_id}: no emission factor for year {cert.emission_factor_year}")
    if cert.period_start >= cert.period_end:
        raise LedgerError(f"certificate {cert.token_id} has an empty period {cert.period_start}..{cert.period_end}")
    if retired_wh != cert.retired_wh:
        raise LedgerError(
            f"certificate {cert.token_id}: retiredWh {cert.retired_wh} but its retirements add up to {retired_wh} Wh"
        )
    if exported_wh != cert.exported_wh:
        raise LedgerError(
            f"certificate {cert.token_id}: exportedWh {cert.exported_wh} but its exports add up to {exported_wh} Wh"
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
            raise LedgerError(f"certificate {block.token_id}: invalid unit block {block.first_wh}..{block.last_wh}")
        by_token[block.token_id].append(block)
    known = {c.token_id for c in certificates}
    for token_id in by_token:
        if token_id not in known:
            raise LedgerError(f"unit blocks for unknown certificate {token_id}")
    for cert in certificates:
        _check_coverage(cert, by_token.get(cert.token_id, []))
        _check_status_split(cert, by_token.get(cert.token_id, []))


def _check_coverage(cert: CertificateInfo, blocks: Sequence[UnitBlock]) -> None:
    """The blocks of one certificate cover units 1..energyWh, each once."""
    next_wh = 1
    for block in sorted(blocks, key=lambda b: b.first_wh):
        if block.first_wh < next_wh:
            raise LedgerError(
                f"certificate {cert.token_id}: unit block {block.first_wh}..{block.last_wh} overlaps "
                f"units up to {next_wh - 1}"
            )
        if block.first_wh > next_wh:
            raise LedgerError(f"certificate {cert.token_id}: units {next_wh}..{block.first_wh - 1} are in no block")
        next_wh = block.last_wh + 1
    if next_wh - 1 != cert.energy_wh:
        raise LedgerError(
            f"certificate {cert.token_id}: blocks cover {next_wh - 1} Wh but {cert.energy_wh} Wh were issued"
        )


def _check_status_split(cert: CertificateInfo, blocks: Sequence[UnitBlock]) -> None:
    """The blocks of one certificate hold its retired, exported and held Wh."""
    counted = {STATUS_HELD: 0, STATUS_RETIRED: 0, STATUS_EXPORTED: 0}
    for block in blocks:
        counted[block.status] += block.unit_count
    held = cert.energy_wh - cert.retired_wh - cert.exported_wh
    if (counted[STATUS_RETIRED], counted[STATUS_EXPORTED], counted[STATUS_HELD]) != (
        cert.retired_wh, cert.exported_wh, held
    ):
        raise LedgerError(
            f"certificate {cert.token_id}: blocks hold {counted} Wh but the certificate has retired "
            f"{cert.retired_wh}, exported {cert.exported_wh}, held {held}"
        )


def check_records_against_hashes(
    kind: str,
    records: Sequence[RecordT],
    id_of: Callable[[RecordT], int],
    hash_of: Callable[[RecordT], str],
    count: int,
    onchain_hashes: Sequence[bytes | str],
) -> list[RecordT]:
    """Records sorted by id, checked to be exactly ids 1..count, each hashing to its on-chain hash.
    ``onchain_hashes[i]`` is the hash of record i + 1. Raises LedgerError otherwise."""
    by_id: dict[int, RecordT] = {}
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
        if hash_of(by_id[record_id]).lower() != as_hex(onchain_hashes[record_id - 1]).lower():
            raise LedgerError(f"{kind} {record_id}: the event's fields do not hash to the contract's record hash")
    return [by_id[i] for i in range(1, count + 1)]
