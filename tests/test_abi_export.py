"""abi/ must match the current build: clients outside brownie rely on it."""

from pathlib import Path

from scripts.export_abi import ABI_DIR, expected_abis, is_project_source


def test_abi_dir_matches_build():
    expected = expected_abis()
    assert "PesoToken.json" in expected
    on_disk = {p.name: p.read_text() for p in Path(ABI_DIR).glob("*.json")}
    stale = sorted(name for name in expected if on_disk.get(name) != expected[name])
    extra = sorted(set(on_disk) - set(expected))
    assert not stale and not extra, f"abi/ is stale (run `make abi`): changed {stale}, extra {extra}"


def test_only_project_sources_are_exported():
    assert is_project_source("contracts/PesoToken.sol")
    assert is_project_source("interfaces/IPesoToken.sol")
    assert not is_project_source("contracts/test/MaliciousToken.sol")
    assert not is_project_source("node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol")
    assert not is_project_source("@openzeppelin/contracts/token/ERC20/ERC20.sol")
