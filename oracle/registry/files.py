"""Writing an export: ``<kind>.json`` (a list of records) and ``<kind>.csv`` per record kind plus
``export.json`` (chain id, contract addresses, block number and time of the export), and the
ledger rows as a text table.

Decimals (kgCO2e, tCO2e) are JSON numbers and exact CSV text; a missing value is JSON null and an
empty CSV cell.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from oracle.registry.cadt import RECORD_FIELDS, RegistryExport
from oracle.registry.records import ExportError

SUMMARY_HEADER = ["scope", "inst", "year", "token", "period start", "issued Wh", "retired Wh", "exported Wh",
                  "held Wh", "issued kg", "retired kg", "exported kg", "held kg"]


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _csv_value(value: Any) -> str:
    return "" if value is None else str(value)


def write_export(export: RegistryExport, output_dir: Path) -> list[Path]:
    """Write ``<kind>.json`` and ``<kind>.csv`` per record kind plus ``export.json`` into
    ``output_dir`` (created if needed); returns the paths. ExportError if the folder cannot be written."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for kind, records in export.by_kind().items():
            json_path = output_dir / f"{kind}.json"
            json_path.write_text(json.dumps(records, indent=2, default=_json_value, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
            csv_path = output_dir / f"{kind}.csv"
            with csv_path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=RECORD_FIELDS[kind])
                writer.writeheader()
                writer.writerows({name: _csv_value(record.get(name)) for name in RECORD_FIELDS[kind]}
                                 for record in records)
            written += [json_path, csv_path]
        meta_path = output_dir / "export.json"
        meta_path.write_text(json.dumps(export.meta, indent=2) + "\n", encoding="utf-8")
        written.append(meta_path)
    except OSError as error:
        raise ExportError(f"cannot write the export into {output_dir}: {error.strerror or error}") from None
    return written


def summary_table(export: RegistryExport) -> str:
    """The ledger rows as a fixed-width text table (Wh and kgCO2e), one line per row after the header."""
    lines = [SUMMARY_HEADER]
    for row in export.ledger:
        lines.append(
            [
                row["scope"],
                _csv_value(row["installationId"]),
                _csv_value(row["vintageYear"]),
                _csv_value(row["tokenId"]),
                (row["periodStart"] or "")[:10],
                *(str(row[name]) for name in ("issuedWh", "retiredWh", "exportedWh", "heldWh", "issuedKgCo2e",
                                              "retiredKgCo2e", "exportedKgCo2e", "heldKgCo2e")),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(SUMMARY_HEADER))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in lines)
