"""Page cost: reads are cached per block, no page makes one RPC call per row, and a new block is read
in the background (no request waits for it). How long each page takes is measured by `make bench`
(scripts/benchmarks/dashboard.py), not asserted here."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from starlette.testclient import TestClient

from oracle.web.app import create_app
from oracle.web.state import StateCache
from oracle.web.timing import PUBLIC_PAGES, counting_rpc, time_pages


def mine(cache: StateCache) -> int:
    cache.chain.web3.provider.make_request("evm_mine", [])
    return int(cache.chain.web3.eth.block_number)


@pytest.fixture
def quiet_app(dashboard_settings):
    """An app whose cache checks the block number on every request and has no background refresher
    (its lifespan is not run): every RPC request a page makes is the page's own."""
    cache = StateCache(dashboard_settings.config, poll_s=0.0)
    return create_app(dashboard_settings, cache)


def test_a_warm_page_makes_one_request_whatever_its_rows(quiet_app):
    client = TestClient(quiet_app, raise_server_exceptions=False)  # no `with`: no lifespan, no refresher
    cache = quiet_app.state.cache
    snapshot = cache.snapshot()
    assert len(snapshot.ledger.certificates) > 300
    client.get("/market")
    for path in PUBLIC_PAGES:
        with counting_rpc(cache.chain.web3) as count:
            assert client.get(path).status_code == 200, path
        assert (count.requests, dict(count.methods)) == (1, {"eth_blockNumber": 1}), path


def test_a_new_block_costs_the_same_few_requests_on_every_page(quiet_app):
    """The first request after a block reads the snapshot (and the market) in batched requests."""
    client = TestClient(quiet_app, raise_server_exceptions=False)
    cache = quiet_app.state.cache
    client.get("/market")
    rows = len(cache.snapshot().ledger.certificates)
    costs = {}
    for path in ["/", "/certificates", "/certificates?page=2", "/installations", "/retirements", "/market"]:
        mine(cache)
        with counting_rpc(cache.chain.web3) as count:
            assert client.get(path).status_code == 200
        costs[path] = count.requests
    assert len(set(costs.values())) == 1, costs  # the same snapshot read, whatever the page shows
    # once /market was asked for, the market is read with every new snapshot: it is in every page's cost
    assert costs["/"] < rows / 5, f"a snapshot and market read takes {costs['/']} requests for {rows} certificates"


def test_time_pages_serves_every_public_page(dashboard_app):
    times = time_pages(dashboard_app, PUBLIC_PAGES)
    assert [(t.path, t.status) for t in times] == [(path, 200) for path in PUBLIC_PAGES]
    assert all(t.ms > 0 for t in times)


def test_a_request_is_served_from_the_current_snapshot_while_the_new_block_is_read(dashboard_settings):
    """A reader held mid-read by the test stands for a slow chain: requests keep getting the current
    snapshot at once; once the read finishes, the new block is served and was read in the background."""
    cache = StateCache(dashboard_settings.config, poll_s=0.2)
    app = create_app(dashboard_settings, cache)
    reading, read_may_finish = threading.Event(), threading.Event()

    def held_read(chain, snapshot):
        reading.set()
        read_may_finish.wait(60)

    with TestClient(app, raise_server_exceptions=False) as client:  # the lifespan starts the refresher
        deadline = time.monotonic() + 60
        while cache.age_s() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get("/market").status_code == 200  # registers the market's per-block reader
        before = client.get("/health.json").json()["block"]
        cache.register("held_read", held_read)
        try:
            latest = mine(cache)
            assert reading.wait(30), "the refresher did not start reading the new block"
            served = []
            request = threading.Thread(target=lambda: served.append(client.get("/health.json").json()["block"]))
            request.start()
            request.join(timeout=30)
            assert served == [before], "a request waited for the refresher's read instead of getting the current snapshot"
        finally:
            read_may_finish.set()
        while client.get("/health.json").json()["block"] != latest and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get("/health.json").json()["block"] == latest

        def not_read_in_the_background(chain, snapshot):
            pytest.fail("the market of the new block was not read in the background")

        assert cache.per_block("market", not_read_in_the_background).block_number == latest
    assert not cache.refreshing


def test_without_the_refresher_a_stale_snapshot_is_read_again(dashboard_settings):
    cache = StateCache(dashboard_settings.config, poll_s=0.0)
    first = cache.snapshot()
    latest = mine(cache)
    assert cache.snapshot().block_number == latest != first.block_number


def test_invalidate_makes_the_next_request_read(dashboard_settings):
    cache = StateCache(dashboard_settings.config, poll_s=3600)
    first = cache.snapshot()
    assert cache.snapshot() is first
    cache.invalidate()
    assert cache.snapshot() is not first



def test_the_dashboard_benchmark_times_every_public_page_on_the_demos_chain(dashboard_state, tmp_path):
    from scripts.benchmarks.dashboard import bench_dashboard
    from scripts.toolchain.dashboard import STATE_FILE

    assert "run `make demo` first" in bench_dashboard(tmp_path / "none" / "demo")["skipped"]
    demo_dir = tmp_path / "reports" / "demo"  # laid out as make demo leaves reports/demo
    shutil.copytree(dashboard_state.folder, demo_dir)
    shutil.copy(dashboard_state.chain_state, demo_dir / STATE_FILE)
    result = bench_dashboard(demo_dir)
    assert list(result["pages"]) == list(PUBLIC_PAGES) and {r["status"] for r in result["pages"].values()} == {200}
    assert all(r["ms"] > 0 for r in result["pages"].values())
    assert result["warm_page_rpc_requests"] == 1  # the block number: the page itself comes from the snapshot
    assert 1 < result["new_block_rpc_requests"] < result["certificates"] / 5
