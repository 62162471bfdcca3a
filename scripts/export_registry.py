"""Export the certificate and mitigation ledger as CADT v1 records (oracle.registry.export_ledger).

Usage::

    brownie run scripts/export_registry.py --network <net>                  # -> exports/<chainId>/
    brownie run scripts/export_registry.py main exports/pilot --network <net>

Reads the contracts named in ``deployments/<chainId>.json`` over brownie's RPC endpoint (web3 alone,
see oracle/registry/), writes the records and prints the ledger table; an error is one line, exit 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

from oracle.chain.manifest import connect, load_manifest
from oracle.errors import OracleError
from oracle.registry import export_ledger, summary_table
from scripts.common.paths import PROJECT_ROOT

DEFAULT_EXPORT_DIR = PROJECT_ROOT / "exports"


def main(output_dir: str = "") -> None:
    """brownie entry point: export the deployed suite of the connected chain and print the ledger."""
    from brownie import chain, web3

    from scripts.deployment.manifest import manifest_path

    target = Path(output_dir) if output_dir else DEFAULT_EXPORT_DIR / str(chain.id)
    try:
        manifest = load_manifest(manifest_path(chain.id))
        export = export_ledger(connect(web3.provider.endpoint_uri, manifest), target)
    except OracleError as error:
        print(f"export_registry: {error}", file=sys.stderr)
        sys.exit(1)
    print(summary_table(export))
    print(f"\nwrote {len(export.projects)} projects, {len(export.issuances)} issuances and "
          f"{len(export.units)} unit blocks (JSON and CSV) to {target}")
