"""Server tests of the public pages (overview, installations, certificates, rounds, retirements,
health.json) against the demo's chain, checked against a ledger read independently of the app, and
desktop / phone screenshots of them (reports/screenshots)."""

from __future__ import annotations

import html
import re

import pytest

from oracle.chain.manifest import connect, load_manifest
from oracle.registry.reader import read_ledger
from oracle.registry.records import Ledger
from oracle.timeutil import DAY_S
from oracle.web.public import CERTIFICATES_PER_PAGE
from oracle.web.render import kg_co2e, kwh, short_address, short_hash, utc_time
from oracle.web.state import day_breakdown
from tests.web.conftest import screenshot


@pytest.fixture(scope="module")
def ledger(dashboard_config, dashboard_rpc_url) -> Ledger:
    """The ledger read straight from the chain (not through the dashboard's cache)."""
    return read_ledger(connect(dashboard_rpc_url, load_manifest(dashboard_config.manifest)))


def text_of(response) -> str:
    """The page's text, entities decoded (figures use thin formatting such as "…")."""
    return html.unescape(response.text)


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.text[:300]
    assert "Not found" in response.text
    assert "Traceback" not in response.text


def test_overview_totals_equal_the_ledger(client, ledger):
    page = client.get("/")
    assert page.status_code == 200
    text = text_of(page)
    assert kwh(sum(c.energy_wh for c in ledger.certificates)) in text
    assert f"certified in {len(ledger.certificates)} certificates" in text
    assert kwh(sum(r.amount_wh for r in ledger.retirements)) in text
    assert kwh(sum(e.amount_wh for e in ledger.exports)) in text
    assert f"{len(ledger.installations)}</span><span class=\"what\">installations" in page.text
    assert '<svg class="chart"' in page.text


def test_installations_list_every_installation(client, ledger):
    page = client.get("/installations")
    assert page.status_code == 200
    for item in ledger.installations:
        assert f'href="/installations/{item.installation_id}"' in page.text


def test_installation_page_has_its_chart_table_and_certificates(client, dashboard_app, ledger):
    certified = {c.installation_id for c in ledger.certificates}
    item = next(i for i in ledger.installations if i.installation_id in certified and i.project_id)
    page = client.get(f"/installations/{item.installation_id}")
    assert page.status_code == 200
    text = text_of(page)
    assert f"{item.capacity_w / 1000:,.1f} kWp" in text
    assert short_address(item.beneficiary) in text
    assert f'href="/market#project-{item.project_id}"' in page.text
    assert '<svg class="chart"' in page.text
    with dashboard_app.state.cache.store() as store:
        days = day_breakdown(store, item.installation_id, item.commissioned_at // DAY_S * DAY_S,
                             dashboard_app.state.cache.snapshot().block_timestamp + DAY_S)
    assert days, "the demo's store has readings of this installation"
    table = page.text.split("<h2>Energy per day</h2>")[1].split("<h2>Certificates</h2>")[0]
    assert table.count("<tr><td>") == len(days)
    mine = [c for c in ledger.certificates if c.installation_id == item.installation_id]
    for certificate in mine:
        assert f'href="/certificates/{certificate.token_id}"' in page.text


def test_certificates_are_paged(client, ledger):
    total = len(ledger.certificates)
    first = client.get("/certificates")
    assert first.status_code == 200
    links = set(re.findall(r'href="/certificates/(\d+)"', first.text))
    assert len(links) == min(total, CERTIFICATES_PER_PAGE)
    pages = -(-total // CERTIFICATES_PER_PAGE)
    last = client.get(f"/certificates?page={pages}")
    assert last.status_code == 200
    assert len(set(re.findall(r'href="/certificates/(\d+)"', last.text))) == total - (pages - 1) * CERTIFICATES_PER_PAGE
    assert_not_found(client.get(f"/certificates?page={pages + 1}"))
    bad = client.get("/certificates?page=abc")
    assert bad.status_code == 400 and "page must be a number" in bad.text


def test_certificate_page_has_every_field_a_buyer_expects(client, dashboard_app, ledger):
    retired = {r.token_id for r in ledger.retirements}
    token_id = next(c.token_id for c in ledger.certificates if c.token_id in retired)
    certificate = next(c for c in ledger.certificates if c.token_id == token_id)
    installation = next(i for i in ledger.installations if i.installation_id == certificate.installation_id)
    snapshot = dashboard_app.state.cache.snapshot()
    round_view = snapshot.rounds[certificate.round_id]
    page = client.get(f"/certificates/{token_id}")
    assert page.status_code == 200
    text = text_of(page)
    factor = ledger.emission_factors[certificate.emission_factor_year]
    for expected in (
        f'href="/installations/{certificate.installation_id}"', installation.technology or "Solar photovoltaic",
        "<dt>Country</dt><dd>CL</dd>", utc_time(certificate.period_start), utc_time(certificate.period_end),
        f"{certificate.energy_wh:,} Wh", utc_time(snapshot.issued_at[token_id]), f"{factor.g_co2e_per_kwh} gCO2e/kWh",
        kg_co2e(snapshot.mitigation_g(certificate)), "Retired" if certificate.retired_wh == certificate.energy_wh else "partly retired",
        short_hash(round_view.merkle_root), short_hash(round_view.tx_hash), short_hash(snapshot.issue_tx[token_id]),
        f'href="/rounds/{certificate.round_id}"',
    ):
        assert expected in text, expected
    for signer in round_view.signers:
        assert short_address(signer) in text
    for retirement in (r for r in ledger.retirements if r.token_id == token_id):
        for expected in (retirement.beneficiary, retirement.purpose, retirement.reporting_period,
                         short_hash(snapshot.retire_tx[retirement.retirement_id])):
            assert expected in text, expected


def test_exported_certificate_shows_its_export(client, dashboard_app, ledger):
    if not ledger.exports:
        pytest.skip("the demo locked no export")
    export = ledger.exports[0]
    page = client.get(f"/certificates/{export.token_id}")
    assert page.status_code == 200
    text = text_of(page)
    assert export.registry in text and export.reference in text and "xported" in text
    assert short_hash(dashboard_app.state.cache.snapshot().export_tx[export.export_id]) in text


def test_rounds_and_a_round(client, dashboard_app, ledger):
    rounds = dashboard_app.state.cache.snapshot().rounds
    page = client.get("/rounds")
    assert page.status_code == 200
    for round_id in rounds:
        assert f'href="/rounds/{round_id}"' in page.text
    round_id = max(rounds)
    detail = client.get(f"/rounds/{round_id}")
    assert detail.status_code == 200
    assert short_hash(rounds[round_id].merkle_root) in text_of(detail) or rounds[round_id].merkle_root in detail.text
    issued = [c for c in ledger.certificates if c.round_id == round_id]
    assert kwh(sum(c.energy_wh for c in issued)) in text_of(detail)


def test_retirement_register_lists_every_retirement(client, ledger):
    page = client.get("/retirements")
    assert page.status_code == 200
    text = text_of(page)
    for retirement in ledger.retirements:
        assert retirement.beneficiary in text and f'href="/certificates/{retirement.token_id}"' in page.text
    for export in ledger.exports:
        assert export.reference in text


def test_health_json(client, ledger):
    body = client.get("/health.json").json()
    assert body["chainId"] == ledger.chain_id
    assert body["installations"] == len(ledger.installations)
    assert body["certificates"] == len(ledger.certificates)
    assert body["block"] >= int(ledger.block_number or 0)


@pytest.mark.parametrize("path", ["/installations/99999", "/installations/abc", "/certificates/0", "/certificates/99999",
                                  "/certificates/x1", "/rounds/9999", "/rounds/-", "/no-such-page"])
def test_bad_ids_give_a_404_page(client, path):
    assert_not_found(client.get(path))


def test_bad_id_as_json_is_a_json_404(client):
    response = client.get("/certificates/99999", headers={"accept": "application/json"})
    assert response.status_code == 404 and response.json()["status"] == 404


def test_footer_says_how_old_the_snapshot_may_be(client, dashboard_app):
    text = text_of(client.get("/"))
    assert f"pages are at most {dashboard_app.state.cache.max_stale_s:.0f} s behind the chain" in text


# -- screenshots (looked at by a person: reports/screenshots) -----------------------------------

def test_screenshots_of_public_pages(browser, live_dashboard, ledger):
    pages = {"overview": "/", "retirements": "/retirements"}
    certified = {c.installation_id for c in ledger.certificates}
    pages["installation"] = f"/installations/{min(certified)}"
    for name, path in pages.items():
        browser.get(live_dashboard + path)
        assert "PV Ledger" in browser.title
        assert browser.find_element("css selector", "h1").text
        assert screenshot(browser, name).exists()


def test_overview_at_phone_width(phone_browser, live_dashboard):
    phone_browser.get(live_dashboard + "/")
    width = phone_browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the overview scrolls sideways at phone width ({width} px)"
    assert screenshot(phone_browser, "overview-phone").exists()
