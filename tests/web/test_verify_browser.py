"""The Verify panel in a real headless Chromium: the browser checks a certificate itself.

Tampering goes through the browser, not the server: the test wraps the page's ``window.fetch`` so
that the proof.json the page receives is altered on its way in (the app under test is the
production app, unchanged). The chain is the demo's, in its own anvil (tests/web/conftest.py).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.toolchain.dashboard import free_port
from tests.web.conftest import screenshot

CHECK_IDS = ["node", "round", "certificate", "proof", "fields", "event", "readingsRoot", "readingsSum"]
VERIFY_TIMEOUT_S = 90

# Alters the proof.json the page fetches: "sibling" flips the last hex digit of the first proof
# hash, "energy" adds 1 Wh to the leaf.
TAMPER_FETCH = """
const mode = arguments[0];
const original = window.fetch.bind(window);
window.fetch = async (input, init) => {
  const response = await original(input, init);
  if (!String(input).endsWith("/proof.json")) return response;
  const body = await response.json();
  if (mode === "sibling") {
    const hash = body.proof[0];
    body.proof[0] = hash.slice(0, -1) + (hash.endsWith("0") ? "1" : "0");
  } else if (mode === "energy") {
    body.leaf[3] = String(BigInt(body.leaf[3]) + 1n);
  }
  return new Response(JSON.stringify(body), {status: response.status, headers: {"content-type": "application/json"}});
};
"""


@pytest.fixture(scope="module")
def token_id(dashboard_app) -> int:
    return max(dashboard_app.state.cache.snapshot().certificates)


def open_certificate(driver, base_url: str, token_id: int) -> None:
    driver.get(f"{base_url}/certificates/{token_id}")
    WebDriverWait(driver, 20).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "form[data-verify-form]").is_displayed())


def run_verify(driver, rpc_url: str | None = None) -> tuple[str, str, dict[str, tuple[str, str]]]:
    """Press Verify (with `rpc_url` typed in, if given): the verdict's state and text, and each check's
    (state, detail) by id."""
    if rpc_url is not None:
        field = driver.find_element(By.ID, "verify-rpc-url")
        field.clear()
        field.send_keys(rpc_url)
    driver.find_element(By.CSS_SELECTOR, "form[data-verify-form] button[type=submit]").click()
    verdict = driver.find_element(By.CSS_SELECTOR, "[data-verify-verdict]")
    WebDriverWait(driver, VERIFY_TIMEOUT_S).until(lambda d: verdict.get_attribute("data-state") in ("verified", "failed"))
    checks = {item.get_attribute("data-check"): (item.get_attribute("data-state"),
                                                 item.find_element(By.CSS_SELECTOR, ".detail").text)
              for item in driver.find_elements(By.CSS_SELECTOR, "[data-verify-checks] li")}
    return verdict.get_attribute("data-state"), verdict.text, checks


def failed(checks: dict[str, tuple[str, str]]) -> set[str]:
    return {check for check, (state, _) in checks.items() if state == "failed"}


def test_verify_succeeds_in_the_browser(browser, live_dashboard, token_id):
    open_certificate(browser, live_dashboard, token_id)
    notice = browser.find_element(By.CSS_SELECTOR, "[data-verify-nojs]")
    assert not notice.is_displayed(), "with JavaScript the panel verifies, it does not ask for JavaScript"
    state, text, checks = run_verify(browser)
    assert list(checks) == CHECK_IDS
    assert {c: s for c, (s, _) in checks.items()} == {c: "ok" for c in CHECK_IDS}, checks
    assert state == "verified" and text.startswith(f"Verified: certificate #{token_id}")
    assert "readings of 15 minutes sum to" in checks["readingsSum"][1]
    origins = set(browser.execute_script(
        "return performance.getEntriesByType('resource').map((e) => new URL(e.name).origin)"))
    rpc_url = browser.find_element(By.ID, "verify-rpc-url").get_attribute("value").rstrip("/")
    assert origins <= {live_dashboard, rpc_url}, "nothing is fetched from elsewhere (works offline)"
    screenshot(browser, "certificate-verified")


def test_a_tampered_sibling_hash_fails_the_proof_check(browser, live_dashboard, token_id):
    open_certificate(browser, live_dashboard, token_id)
    browser.execute_script(TAMPER_FETCH, "sibling")
    state, text, checks = run_verify(browser)
    assert state == "failed" and text.startswith("Not verified: 1 check(s) failed")
    assert failed(checks) == {"proof"}
    assert "does not lead to the chain's root" in checks["proof"][1]
    screenshot(browser, "certificate-tampered")


def test_a_tampered_energy_fails_the_proof_and_the_sums(browser, live_dashboard, token_id):
    open_certificate(browser, live_dashboard, token_id)
    browser.execute_script(TAMPER_FETCH, "energy")
    state, _, checks = run_verify(browser)
    assert state == "failed"
    assert failed(checks) == {"proof", "fields", "readingsSum"}
    assert "energy (Wh): the leaf says" in checks["fields"][1]
    assert checks["readingsRoot"][0] == "ok", "the readings themselves were not touched"


def test_a_wrong_rpc_url_says_the_node_cannot_be_reached(browser, live_dashboard, token_id):
    open_certificate(browser, live_dashboard, token_id)
    nobody = f"http://127.0.0.1:{free_port()}"
    state, text, checks = run_verify(browser, nobody)
    assert state == "failed"
    assert failed(checks) == {"node"}
    assert f"cannot reach a node at {nobody}/" in checks["node"][1] and "is the URL right and the node running?" in checks["node"][1]
    assert {s for c, (s, _) in checks.items() if c != "node"} == {"skipped"}


def test_a_url_that_is_not_one_is_named(browser, live_dashboard, token_id):
    open_certificate(browser, live_dashboard, token_id)
    browser.find_element(By.ID, "verify-rpc-url").clear()
    browser.execute_script("document.getElementById('verify-rpc-url').type = 'text'")  # past the browser's own URL check
    state, _, checks = run_verify(browser, "localhost:8545")
    assert state == "failed"
    assert "must start with http:// or https://" in checks["node"][1]


def test_without_javascript_the_panel_offers_the_downloads_and_the_commands(browser, live_dashboard, dashboard_app,
                                                                           token_id):
    round_id = dashboard_app.state.cache.snapshot().certificates[token_id].round_id
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.get(f"{live_dashboard}/certificates/{token_id}")
    notice = browser.find_element(By.CSS_SELECTOR, "[data-verify-nojs]")
    assert notice.is_displayed() and "needs JavaScript" in notice.text
    assert not browser.find_element(By.CSS_SELECTOR, "form[data-verify-form]").is_displayed()
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "ul.downloads a")]
    assert [link.removeprefix(live_dashboard) for link in links] == [
        f"/certificates/{token_id}/leaf.json", f"/certificates/{token_id}/readings.csv", f"/rounds/{round_id}/file.json"]
    browser.find_element(By.CSS_SELECTOR, "details.by-hand summary").click()
    assert "eth_call" in browser.find_element(By.CSS_SELECTOR, "details.by-hand").text
    screenshot(browser, "certificate-no-javascript")


def test_verify_at_phone_width(phone_browser, live_dashboard, token_id):
    open_certificate(phone_browser, live_dashboard, token_id)
    state, _, checks = run_verify(phone_browser)
    assert state == "verified", checks
    width = phone_browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= phone_browser.execute_script("return window.innerWidth") + 1, "nothing wider than the phone"
    screenshot(phone_browser, "certificate-phone")
