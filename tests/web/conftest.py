"""Fixtures of the dashboard's tests: the demo's chain state in its own anvil, the app over it, a live
server, and a real headless Chromium.

``dashboard_state`` is one `make demo` run of this session (tests/conftest.py ``demo_files``: its
reports folder, with the chain saved by the demo as ``chain-state.json``), copied so that tests may
write to the store. Set ``PVLEDGER_DASHBOARD_STATE`` to a folder holding ``chain-state.json`` and
``demo/`` (a copy of a reports/demo) to skip the demo run while working on the dashboard.

Browser tests need Debian's ``chromium`` and ``chromium-driver``; without them they are skipped with
the reason, unless ``PVLEDGER_REQUIRE_BROWSER=1`` (CI sets it) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from oracle.config import Config, load_config
from oracle.web.app import create_app
from oracle.web.settings import WebSettings, web_settings
from scripts.toolchain.dashboard import STATE_FILE, free_port, start_anvil
from web_helpers import TestKey

CHROMIUM = Path(os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
SCREENSHOTS_DIR = Path(os.environ.get("PVLEDGER_SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "reports" / "screenshots")


@dataclass(frozen=True)
class DashboardState:
    folder: Path  # a writable copy of the demo's reports folder
    chain_state: Path
    config_path: Path  # the operator's oracle.toml


@pytest.fixture(scope="session")
def dashboard_state(request, tmp_path_factory) -> DashboardState:
    given = os.environ.get("PVLEDGER_DASHBOARD_STATE")
    if given:
        source, chain_state = Path(given) / "demo", Path(given) / STATE_FILE
    else:
        source = request.getfixturevalue("demo_files").folder / "demo"
        chain_state = source / STATE_FILE
    if not chain_state.exists():
        pytest.fail(f"no saved chain state at {chain_state}: the demo saves it on anvil only")
    folder = tmp_path_factory.mktemp("dashboard") / "demo"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("live-*", "*.png", STATE_FILE))
    return DashboardState(folder, chain_state, folder / "oracle" / "oracle.toml")


@pytest.fixture(scope="session")
def dashboard_keys(dashboard_state) -> dict[str, TestKey]:
    """The demo's local test keys (reports/demo/dashboard-keys.txt): "reviewer" and "operator"."""
    keys = {}
    for line in (dashboard_state.folder / "dashboard-keys.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        role = line.split()[0]
        words = line.split()
        keys[role] = TestKey(words[words.index("address") + 1], words[words.index("key") + 1])
    return keys


@pytest.fixture(scope="session")
def dashboard_rpc_url(dashboard_state, tmp_path_factory) -> Iterator[str]:
    """An anvil of its own, loaded with the demo's chain."""
    port = free_port()
    process = start_anvil(dashboard_state.chain_state, port, tmp_path_factory.mktemp("anvil") / "anvil.log")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def dashboard_config(dashboard_state, dashboard_rpc_url) -> Config:
    return load_config(dashboard_state.config_path, dashboard_rpc_url)


@pytest.fixture(scope="session")
def dashboard_settings(dashboard_config) -> WebSettings:
    return web_settings(dashboard_config)


@pytest.fixture(scope="session")
def dashboard_app(dashboard_settings):
    return create_app(dashboard_settings)


@pytest.fixture
def client(dashboard_app):
    """A test client of the app (a new cookie jar for every test)."""
    from starlette.testclient import TestClient

    with TestClient(dashboard_app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_dashboard(dashboard_app) -> Iterator[str]:
    """The app under uvicorn in a thread, for the browser: its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(dashboard_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/health.json", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.1)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def _browser_missing() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return None
    return (f"browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} not found): "
            "`sudo apt-get install chromium chromium-driver`")


def _chrome(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    reason = _browser_missing()
    if reason:
        if os.environ.get("PVLEDGER_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    if width < HEADLESS_MIN_WIDTH:  # a headless window is never narrower: emulate the phone's screen instead
        _emulate_screen(driver, width, height)
    return driver


HEADLESS_MIN_WIDTH = 500
"""Headless Chromium's windows are at least this wide (a 390 px window lays pages out at 485 px)."""


def _emulate_screen(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    driver.emulated_width = width


@pytest.fixture
def browser():
    """Headless Chromium at desktop width (1280 x 900)."""
    driver = _chrome(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture
def phone_browser():
    """Headless Chromium at phone width (390 x 844)."""
    driver = _chrome(390, 844)
    yield driver
    driver.quit()


def screenshot(driver, name: str) -> Path:
    """Save the page as reports/screenshots/<name>.png (the manuals use them) and return the path."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    # the content's height (the document's scrollHeight is never less than a window a longer page grew)
    height = driver.execute_script("return Math.ceil(document.body.getBoundingClientRect().height)")
    emulated_width = getattr(driver, "emulated_width", None)
    if emulated_width:
        _emulate_screen(driver, emulated_width, min(max(int(height), 600), 4000))
    else:
        chrome_px = int(driver.get_window_size()["height"]) - int(driver.execute_script("return window.innerHeight"))
        driver.set_window_size(driver.get_window_size()["width"], min(max(int(height) + chrome_px + 16, 600), 4000))
    driver.save_screenshot(str(path))
    return path
