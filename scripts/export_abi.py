"""Write ``abi/<Contract>.json`` for every project contract and interface.

For clients that are not brownie (web3.py, ethers, cast). Project contracts are the sources under
contracts/ and interfaces/; test-only contracts (contracts/test/) and OpenZeppelin are left out.
tests/test_abi_export.py fails when abi/ is stale: run ``make abi`` after changing a contract.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from brownie import project

from scripts.common.paths import PROJECT_ROOT

ABI_DIR = PROJECT_ROOT / "abi"


def is_project_source(source_path: str) -> bool:
    """True for contracts/ and interfaces/ sources that ship, False for tests and dependencies."""
    path = Path(source_path)
    if path.is_absolute():
        try:
            path = path.relative_to(PROJECT_ROOT)
        except ValueError:
            return False
    parts = path.parts
    return bool(parts) and parts[0] in ("contracts", "interfaces") and "test" not in parts[1:-1]


def render_abi(abi: list[dict[str, Any]]) -> str:
    """Stable text for an ABI: sorted by type and name so the diff only shows real changes."""
    ordered = sorted(abi, key=lambda item: (item.get("type", ""), item.get("name", ""), json.dumps(item, sort_keys=True)))
    return json.dumps(ordered, indent=2, sort_keys=True) + "\n"


def expected_abis(loaded: Any = None) -> dict[str, str]:
    """File name -> rendered ABI for every project contract and interface of the loaded build."""
    loaded = loaded or project.get_loaded_projects()[0]
    expected: dict[str, str] = {}
    for name, build in loaded._build.items():
        # interfaces' build JSON has no sourcePath; their AST names the file
        source = build.get("sourcePath") or build.get("ast", {}).get("absolutePath", "")
        if build.get("type") == "library" or not is_project_source(source):
            continue
        expected[f"{name}.json"] = render_abi(build["abi"])
    return expected


def export_abis(abi_dir: Path = ABI_DIR) -> list[str]:
    """Write every expected ABI into `abi_dir`, delete stale ones; returns the files written."""
    abi_dir.mkdir(exist_ok=True)
    expected = expected_abis()
    for stale in sorted(set(p.name for p in abi_dir.glob("*.json")) - set(expected)):
        (abi_dir / stale).unlink()
    for name, text in sorted(expected.items()):
        (abi_dir / name).write_text(text)
    return sorted(expected)


def main() -> None:
    written = export_abis()
    print(f"export_abi: wrote {len(written)} ABIs to {ABI_DIR.relative_to(PROJECT_ROOT)}/: {', '.join(written)}")
