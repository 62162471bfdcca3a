"""Signing in as the reviewer in a real headless Chromium (the SIWE message signed in the page with a
test key, as on the demo's local chain), and approving a flagged interval with a reason."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from oracle.review import pending_days
from oracle.store import open_store
from oracle.timeutil import iso_utc_minute
from tests.web.conftest import screenshot

WAIT_S = 30


def sign_in_in_the_page(driver, base_url: str, address: str, key: str) -> None:
    driver.get(base_url + "/sign-in")
    driver.find_element(By.ID, "address").send_keys(address)
    screenshot(driver, "sign-in")
    driver.find_element(By.CSS_SELECTOR, "#sign-in-address button[type=submit]").click()
    WebDriverWait(driver, WAIT_S).until(lambda d: d.find_elements(By.ID, "test-key-box"))
    driver.find_element(By.CSS_SELECTOR, "#test-key-box summary").click()
    driver.find_element(By.ID, "test-key").send_keys(key)
    screenshot(driver, "sign-in-message")
    driver.find_element(By.ID, "sign-test-key").click()
    WebDriverWait(driver, WAIT_S).until(lambda d: d.current_url.rstrip("/").endswith("/review"))


def test_a_reviewer_signs_in_in_the_browser_and_approves_an_interval(browser, live_dashboard, dashboard_keys,
                                                                      dashboard_config):
    reviewer = dashboard_keys["reviewer"]
    sign_in_in_the_page(browser, live_dashboard, reviewer.address, reviewer.key)
    assert reviewer.key.removeprefix("0x") not in browser.page_source  # the key stayed out of the page
    screenshot(browser, "review-queue")
    store = open_store(dashboard_config.store_path)
    day = pending_days(store)[0]
    first = int(store.pending(day.installation_id)["interval_start"].min())
    store.close()
    browser.find_element(By.CSS_SELECTOR, f'#review-queue a[href$="/review/{day.installation_id}/'
                                          f'{iso_utc_minute(day.day_s)[:10]}"]').click()
    WebDriverWait(browser, WAIT_S).until(lambda d: d.find_elements(By.ID, "decide"))
    screenshot(browser, "review-day")
    Select(browser.find_element(By.ID, "first")).select_by_value(iso_utc_minute(first))
    browser.find_element(By.ID, "reason").send_keys("checked with the installer: real generation")
    browser.find_element(By.ID, "approve").click()
    WebDriverWait(browser, WAIT_S).until(lambda d: "Recorded: 1 approve" in d.page_source)
    row = browser.find_element(By.CSS_SELECTOR, f'#flagged tr[data-start="{iso_utc_minute(first)}"]')
    assert row.get_attribute("data-status") == "approved" and "Ana Rojas" in row.text
    store = open_store(dashboard_config.store_path)
    try:
        assert store.interval(day.installation_id, first)["status"] == "approved"
    finally:
        store.close()


def test_the_operator_console_in_the_browser(browser, phone_browser, live_dashboard, dashboard_keys):
    operator = dashboard_keys["operator"]
    for driver, name in ((browser, "operator"), (phone_browser, "operator-phone")):
        driver.get(live_dashboard + "/sign-in?address=" + operator.address)
        driver.find_element(By.CSS_SELECTOR, "#test-key-box summary").click()
        driver.find_element(By.ID, "test-key").send_keys(operator.key)
        driver.find_element(By.ID, "sign-test-key").click()
        WebDriverWait(driver, WAIT_S).until(lambda d: d.find_elements(By.ID, "watermarks"))
        assert "Quorum 2" in driver.page_source
        screenshot(driver, name)
