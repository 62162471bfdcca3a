"""`make bench`'s ``dashboard``: how long each public page takes and how many RPC requests it costs,
on the last demo's chain.

``make demo`` saves its anvil chain and the oracle's files in reports/demo/; this loads that chain in
an anvil of its own (scripts/toolchain/dashboard.py, as ``make dashboard`` does), builds the app
in-process and serves every page of ``PUBLIC_PAGES`` three times once warm (the slowest time is
kept), and counts the requests of a warm page and of the first page after a new block. Without a
saved demo the area is skipped, and the results say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oracle.config import load_config
from oracle.errors import OracleError
from oracle.web.app import create_app
from oracle.web.settings import web_settings
from oracle.web.state import StateCache
from oracle.web.timing import PUBLIC_PAGES, counting_rpc, in_process_client, time_pages
from scripts.toolchain.dashboard import DEMO_DIR, STATE_FILE, DashboardError, free_port, start_anvil

PAGE_BUDGET_MS = 300  # the dashboard issue's target for a warm page on the demo's state


def bench_dashboard(demo_dir: Path = DEMO_DIR) -> dict[str, Any]:
    """{"pages": {path: {"ms", "status"}}, "warm_page_rpc_requests", "new_block_rpc_requests",
    "certificates", "budget_ms"} on the demo's saved chain, or {"skipped": why}."""
    state, config_path = demo_dir / STATE_FILE, demo_dir / "oracle" / "oracle.toml"
    if not state.exists() or not config_path.exists():
        return {"skipped": f"no saved demo chain at {state}: run `make demo` first"}
    port = free_port()
    try:
        process = start_anvil(state, port, demo_dir / "bench-anvil.log")
    except DashboardError as exc:
        return {"skipped": f"the demo's chain did not start: {exc}"}
    try:
        settings = web_settings(load_config(config_path, f"http://127.0.0.1:{port}"))
        times = time_pages(create_app(settings), PUBLIC_PAGES)
        # a cache that asks the block number on every request and no refresher (no lifespan): every
        # RPC request counted is the page's own
        cache = StateCache(settings.config, poll_s=0.0)
        client = in_process_client(create_app(settings, cache))
        client.get("/certificates")
        with counting_rpc(cache.chain.web3) as warm:
            client.get("/certificates")
        cache.chain.web3.provider.make_request("evm_mine", [])
        with counting_rpc(cache.chain.web3) as new_block:
            client.get("/certificates")
        return {
            "pages": {t.path: {"ms": round(t.ms, 1), "status": t.status} for t in times},
            "warm_page_rpc_requests": warm.requests,
            "new_block_rpc_requests": new_block.requests,
            "certificates": len(cache.snapshot().ledger.certificates),
            "budget_ms": PAGE_BUDGET_MS,
        }
    except OracleError as exc:
        return {"skipped": f"the dashboard could not read the demo's state: {exc}"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def print_dashboard_bench(result: dict[str, Any]) -> None:
    if "skipped" in result:
        print(f"dashboard: skipped ({result['skipped']})")
        return
    print(f"dashboard: public pages on the demo's chain ({result['certificates']} certificates), slowest of 3, warm")
    for path, row in result["pages"].items():
        over = "  over the budget" if row["ms"] > result["budget_ms"] else ""
        print(f"  {path:<28} {row['ms']:>8.1f} ms   HTTP {row['status']}{over}")
    print(f"  RPC requests: {result['warm_page_rpc_requests']} for a warm page, "
          f"{result['new_block_rpc_requests']} for the first page after a new block")
