"""`make bench`: gas (and, where it matters, time) of every operation, beside the thesis DApp.

Each area contributes a function that deploys what it needs on the connected local chain, runs
its operations and returns ``{operation: gas}``; this script prints one table per area with the
thesis figures (shared/design/THESIS_BASELINE.md, "thesis DApp, measured on anvil") where there is
one, and writes everything to bench/results.json under ``gas.<area>``. Gas is quoted as measured
on anvil with its default (latest) rules. Speed figures (the off-chain matcher against the thesis's
nested search) go under ``speed``; the oracle's readings per minute and peak memory (normalise +
check, and the whole ingest from CSV to store) under ``oracle``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any, Callable

from brownie import PesoToken, accounts, chain, network

from scripts.bench_market import THESIS_MARKET, bench_market
from scripts.bench_matcher import bench_matcher, print_bench
from scripts.bench_energy import bench_energy
from scripts.bench_oracle import bench_oracle, print_oracle_bench
from scripts.deployment import is_local_chain
from scripts.quiet import brownie_transaction_lines_hidden

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = PROJECT_ROOT / "bench" / "results.json"

# brownie 1.22.2's chain.snapshot/revert call its own deprecated rpc methods
warnings.filterwarnings("ignore", message=r"rpc\.(snapshot|revert) should not be called", category=FutureWarning)

AreaBench = Callable[[], dict[str, int]]


def bench_token() -> dict[str, int]:
    """Gas of the payment token's operations (PesoToken)."""
    operator, alice, bob = accounts[0], accounts[1], accounts[2]
    token = PesoToken.deploy(operator, {"from": operator})
    gas = {"deploy": token.tx.gas_used}
    gas["mint"] = token.mint(alice, 1_000_000, {"from": operator}).gas_used
    gas["transfer (new holder)"] = token.transfer(bob, 1_000, {"from": alice}).gas_used
    gas["transfer (existing holder)"] = token.transfer(bob, 1_000, {"from": alice}).gas_used
    gas["approve"] = token.approve(bob, 5_000, {"from": alice}).gas_used
    gas["transferFrom"] = token.transferFrom(alice, bob, 1_000, {"from": bob}).gas_used
    return gas


def areas() -> list[tuple[str, AreaBench, dict[str, str]]]:
    """(area key, bench function, thesis figure per operation where the thesis had one)."""
    return [
        ("token", bench_token, {}),
        ("market", bench_market, THESIS_MARKET),
        ("energy", bench_energy, {}),
    ]


def print_table(area: str, gas: dict[str, int], thesis: dict[str, str]) -> None:
    print(f"\n{area}: gas per operation (anvil, optimizer on, evm paris)")
    print(f"  {'operation':<44} {'PV Ledger':>12}   thesis DApp (measured on anvil)")
    for operation, used in gas.items():
        print(f"  {operation:<44} {used:>12,}   {thesis.get(operation, '-')}")


def run_benchmarks(results_path: Path = RESULTS_PATH) -> dict[str, Any]:
    """Run every area's benchmark on the connected chain, print tables, write results_path."""
    results: dict[str, Any] = {"network": network.show_active(), "chainId": chain.id, "gas": {}}
    for area, bench, thesis in areas():
        chain.snapshot()
        gas = bench()
        chain.revert()
        results["gas"][area] = gas
        print_table(area, gas, thesis)
    print()
    results["speed"] = {"matcher": bench_matcher()}
    print_bench(results["speed"]["matcher"])
    print()
    results["oracle"] = bench_oracle()
    print_oracle_bench(results["oracle"])
    results_path.parent.mkdir(exist_ok=True)
    results_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nbench: wrote {results_path.relative_to(PROJECT_ROOT)}")
    return results


def main() -> None:
    if not is_local_chain():
        raise SystemExit("bench: run on a local chain (development or ganache); it sends many transactions")
    with brownie_transaction_lines_hidden():
        run_benchmarks()
