"""Sign-In with Ethereum on the dashboard: the happy path for each role, and every refusal."""

from __future__ import annotations

import time

from oracle.web import auth, auth_routes
from web_helpers import csrf_of, sign_in_message, sign_message, signed_in


def test_a_reviewer_signs_in_with_the_siwe_message_and_lands_on_the_queue(client, dashboard_keys):
    reviewer = dashboard_keys["reviewer"]
    message, _ = sign_in_message(client, reviewer.address)
    assert message.startswith(f"{client.base_url.netloc.decode()} wants you to sign in with your Ethereum account:\n"
                              f"{reviewer.address}")
    assert "Chain ID: 31337" in message and "Nonce: " in message and "Expiration Time: " in message
    response = signed_in(client, reviewer.key)
    assert response.status_code == 303 and response.headers["location"] == "/review"
    page = client.get("/review")
    assert page.status_code == 200 and "Review queue" in page.text and "Sign out" in page.text
    assert reviewer.key.removeprefix("0x") not in page.text  # nothing secret comes back


def test_the_operator_is_whoever_holds_the_admin_role_on_chain(client, dashboard_keys):
    response = signed_in(client, dashboard_keys["operator"].key)
    assert response.status_code == 303 and response.headers["location"] == "/operator"
    assert client.get("/operator").status_code == 200
    assert client.get("/review").status_code == 403  # the admin is not a configured reviewer


def test_a_message_is_used_once_and_a_replayed_signature_is_refused(client, dashboard_keys):
    reviewer = dashboard_keys["reviewer"]
    message, csrf = sign_in_message(client, reviewer.address)
    form = {"message": message, "signature": sign_message(reviewer.key, message), "csrf_token": csrf}
    assert client.post("/sign-in", data=form, follow_redirects=False).status_code == 303
    replay = client.post("/sign-in", data={**form, "csrf_token": csrf_of(client.get("/review").text)})
    assert replay.status_code == 401 and "used already" in replay.text
    # in a new session (another visitor who copied the signed message) it is refused too
    other = client.__class__(client.app, raise_server_exceptions=False)
    _, other_csrf = sign_in_message(other, reviewer.address)  # a message of its own is pending there
    stolen = other.post("/sign-in", data={**form, "csrf_token": other_csrf})
    assert stolen.status_code == 401 and other.get("/review").status_code == 401


def test_a_signature_by_another_key_or_a_malformed_one_is_refused(client, dashboard_keys):
    reviewer = dashboard_keys["reviewer"]
    for kind in ("another key", "too short", "not hex"):
        message, csrf = sign_in_message(client, reviewer.address)
        signature = {"another key": sign_message("0x" + "11" * 32, message), "too short": "0x1234",
                     "not hex": "signed, honestly"}[kind]
        response = client.post("/sign-in", data={"message": message, "signature": signature, "csrf_token": csrf})
        assert response.status_code == 401, kind
        assert "Traceback" not in response.text
    assert client.get("/review").status_code == 401


def test_a_message_for_another_site_is_refused(client, dashboard_keys):
    response = signed_in(client, dashboard_keys["reviewer"].key, host="pvledger.evil.example")
    assert response.status_code == 401 and "another site" in response.text


def test_an_expired_message_is_refused(client, dashboard_keys, monkeypatch):
    monkeypatch.setattr(auth_routes, "MESSAGE_TTL_S", -1)
    response = signed_in(client, dashboard_keys["reviewer"].key)
    assert response.status_code == 401 and "expired" in response.text


def test_an_address_with_no_role_is_refused(client):
    response = signed_in(client, "0x" + "22" * 32)
    assert response.status_code == 403 and "neither a reviewer" in response.text
    assert client.get("/review").status_code == 401


def test_sign_in_and_sign_out_need_the_csrf_token(client, dashboard_keys):
    reviewer = dashboard_keys["reviewer"]
    message, _ = sign_in_message(client, reviewer.address)
    response = client.post("/sign-in", data={"message": message, "signature": sign_message(reviewer.key, message)})
    assert response.status_code == 403 and "CSRF" in response.text
    assert signed_in(client, reviewer.key).status_code == 303
    assert client.post("/sign-out", data={"csrf_token": "stale"}).status_code == 403
    assert client.get("/review").status_code == 200  # still signed in
    token = csrf_of(client.get("/review").text)
    assert client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/review").status_code == 401


def test_sessions_expire(client, dashboard_keys, monkeypatch):
    assert signed_in(client, dashboard_keys["reviewer"].key).status_code == 303
    later = time.time() + client.app.state.settings.session_max_age_s + 1
    monkeypatch.setattr(auth.time, "time", lambda: later)
    response = client.get("/review")
    assert response.status_code == 401 and "sign in" in response.text.lower()


def test_a_bad_address_is_a_clear_error(client):
    response = client.get("/sign-in?address=0x123")
    assert response.status_code == 400 and "not an Ethereum address" in response.text
