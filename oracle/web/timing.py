"""How fast the dashboard's pages are and how many RPC requests they cost (tests and ``make bench``).

``counting_rpc(web3)`` counts the HTTP requests a web3 connection sends (a JSON-RPC batch is one
request of several calls) while it is active; ``time_pages(app, paths)`` serves every path once
through the app in-process and returns how long each took.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

# The public pages `make bench` times and the speed tests count requests of (ids of the demo's state).
PUBLIC_PAGES = ("/", "/installations", "/installations/1", "/certificates", "/certificates/1", "/rounds", "/rounds/1",
                "/retirements", "/health.json", "/market", "/market/projects/1", "/market/campaigns/1")


@dataclass
class RpcCount:
    """What a web3 connection sent: HTTP requests, JSON-RPC calls in them, calls by method."""

    requests: int = 0
    calls: int = 0
    methods: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, payload: Any) -> None:
        try:
            decoded = json.loads(payload)
        except (TypeError, ValueError):
            decoded = {}
        calls = decoded if isinstance(decoded, list) else [decoded]
        with self._lock:
            self.requests += 1
            self.calls += len(calls)
            self.methods.update(str(call.get("method", "?")) for call in calls if isinstance(call, dict))


@contextmanager
def counting_rpc(web3: Web3) -> Iterator[RpcCount]:
    """Count every HTTP request `web3`'s provider sends (from any thread) until the block ends."""
    manager = web3.provider._request_session_manager  # type: ignore[attr-defined]  # web3 7 HTTPProvider
    original = manager.make_post_request
    count = RpcCount()

    def counted(endpoint_uri: Any, data: Any, **kwargs: Any) -> Any:
        count.add(data)
        return original(endpoint_uri, data, **kwargs)

    manager.make_post_request = counted
    try:
        yield count
    finally:
        manager.make_post_request = original


@dataclass(frozen=True)
class PageTime:
    path: str
    status: int
    ms: float


def in_process_client(app: Any) -> Any:
    """Starlette's in-process client of `app` (its lifespan runs only when used in a ``with``)."""
    with warnings.catch_warnings():  # starlette notes at import that it prefers httpx2; httpx works
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False)


def time_pages(app: Any, paths: Sequence[str], repeat: int = 3) -> list[PageTime]:
    """Serve every path `repeat` times in-process (the app's lifespan runs: the snapshot is warmed
    first) and keep the slowest time of each."""
    results = []
    with in_process_client(app) as client:
        app.state.cache.snapshot()
        for path in paths:
            slowest, status = 0.0, 0
            for _ in range(repeat):
                started = time.perf_counter()
                status = client.get(path).status_code
                slowest = max(slowest, time.perf_counter() - started)
            results.append(PageTime(path, status, slowest * 1000))
    return results
