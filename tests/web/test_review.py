"""The reviewer's queue and decisions, and the operator's console: what each role reaches, and that a
decision in the dashboard is the one `oracle review` would record."""

from __future__ import annotations

import re

from oracle.review import pending_days
from oracle.store import open_store
from oracle.timeutil import iso_utc_minute, utc_date
from oracle.web.render import utc_time
from web_helpers import csrf_of, signed_in


def pending_day(config):
    store = open_store(config.store_path)
    try:
        days = pending_days(store)
        assert days, "the demo leaves today's flagged readings pending for the dashboard's reviewer"
        day = days[0]
        return day, store.pending(day.installation_id)
    finally:
        store.close()


def test_nobody_signed_in_gets_the_sign_in_page_and_cannot_decide(client, dashboard_config):
    day, _ = pending_day(dashboard_config)
    for path, role in (("/review", "reviewer"), (f"/review/{day.installation_id}/{utc_date(day.day_s)}", "reviewer"),
                       ("/operator", "operator")):
        response = client.get(path)
        assert response.status_code == 401 and 'class="button" href="/sign-in"' in response.text, path
        assert f"this page is for the {role} role: sign in" in response.text, path
    response = client.post(f"/review/{day.installation_id}/{utc_date(day.day_s)}",
                           data={"action": "approve", "reason": "looks fine", "first": "day"})
    assert response.status_code == 401
    assert len(pending_day(dashboard_config)[1]) == day.intervals  # nothing decided


def test_the_queue_lists_every_pending_day_with_its_flags(client, dashboard_keys, dashboard_config):
    signed_in(client, dashboard_keys["reviewer"].key)
    day, _ = pending_day(dashboard_config)
    page = client.get("/review").text
    row = re.search(rf'<tr><td><a href="/installations/{day.installation_id}">.*?</tr>', page, re.S).group(0)
    assert utc_date(day.day_s) in row and f">{day.intervals}<" in row
    assert all(f"<code>{flag}</code>" in row for flag in day.flags)


def test_a_day_page_plots_the_readings_against_clear_sky_and_the_station(client, dashboard_keys, dashboard_config):
    signed_in(client, dashboard_keys["reviewer"].key)
    day, pending = pending_day(dashboard_config)
    page = client.get(f"/review/{day.installation_id}/{utc_date(day.day_s)}").text
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert "readings" in svg and "clear-sky expectation" in svg and "station" in svg and "time of day (UTC)" in svg
    assert svg.count("<circle") >= len(pending)  # every flagged interval marked
    assert all(f'data-start="{iso_utc_minute(int(s))}"' in page for s in pending["interval_start"])


def test_a_decision_needs_the_csrf_token_and_a_reason(client, dashboard_keys, dashboard_config):
    signed_in(client, dashboard_keys["reviewer"].key)
    day, pending = pending_day(dashboard_config)
    path = f"/review/{day.installation_id}/{utc_date(day.day_s)}"
    assert client.post(path, data={"action": "reject", "reason": "x", "first": "day"}).status_code == 403
    token = csrf_of(client.get(path).text)
    response = client.post(path, data={"action": "reject", "reason": "  ", "first": "day", "csrf_token": token})
    assert response.status_code == 400 and "reason" in response.text
    assert len(pending_day(dashboard_config)[1]) == len(pending)


def test_rejecting_one_interval_records_it_as_oracle_review_does(client, dashboard_keys, dashboard_config):
    reviewer = dashboard_keys["reviewer"]
    signed_in(client, reviewer.key)
    day, pending = pending_day(dashboard_config)
    last = int(pending["interval_start"].max())
    path = f"/review/{day.installation_id}/{utc_date(day.day_s)}"
    response = client.post(path, data={"action": "reject", "reason": "night readings: logger clock", "csrf_token":
                                       csrf_of(client.get(path).text), "first": iso_utc_minute(last)}, follow_redirects=True)
    assert response.status_code == 200 and "Recorded: 1 reject" in response.text
    store = open_store(dashboard_config.store_path)
    try:
        assert store.interval(day.installation_id, last)["status"] == "rejected"
        assert len(store.pending(day.installation_id)) == len(pending) - 1  # only that one
        review = store.reviews_of(day.installation_id, last, last + 1)[last]
        assert review["reviewer"] == f"Ana Rojas ({reviewer.address})" and review["reason"] == "night readings: logger clock"
    finally:
        store.close()
    again = client.post(path, data={"action": "approve", "reason": "changed my mind", "first": iso_utc_minute(last),
                                    "csrf_token": csrf_of(client.get(path).text)})
    assert again.status_code == 400 and "no pending interval" in again.text  # decided once, as in `oracle review`


def test_a_reviewer_cannot_reach_the_operator_console(client, dashboard_keys):
    signed_in(client, dashboard_keys["reviewer"].key)
    response = client.get("/operator")
    assert response.status_code == 403 and "operator role" in response.text


def test_bad_review_addresses_are_404_pages(client, dashboard_keys):
    signed_in(client, dashboard_keys["reviewer"].key)
    for path in ("/review/999/2026-01-01", "/review/1/yesterday", "/review/1/2026-01-01T12:00Z", "/review/1/1999-01-01"):
        response = client.get(path)
        assert response.status_code == 404 and "Traceback" not in response.text, path


def test_the_operator_console_shows_what_waits_signers_pauses_and_watermarks(client, dashboard_keys, dashboard_config,
                                                                               dashboard_app):
    signed_in(client, dashboard_keys["operator"].key)
    page = client.get("/operator").text
    snapshot = dashboard_app.state.cache.snapshot()
    assert f"Quorum {snapshot.quorum} of {len(snapshot.signers)}" in page and snapshot.quorum == 2
    assert all(signer in page for signer in snapshot.signers)
    paused = re.search(r'<dl class="facts" id="paused">.*?</dl>', page, re.S).group(0)
    assert paused.count("running") == 3 and "paused<" not in paused
    watermarks = re.search(r'<table id="watermarks">.*?</table>', page, re.S).group(0)
    assert watermarks.count("<tr>") - 1 == len(dashboard_config.installations)
    store = open_store(dashboard_config.store_path)
    last_ok_s = store.last_imports()[0]
    store.close()
    last_runs = re.search(r'<dl class="facts" id="last-runs">.*?</dl>', page, re.S).group(0)
    assert last_ok_s and utc_time(last_ok_s) in last_runs and "none" in last_runs  # the demo's imports all worked
    holds = re.search(r'<table id="holds">.*?</table>', page, re.S).group(0)
    assert "settle" in holds  # today is not over: every installation waits for it
