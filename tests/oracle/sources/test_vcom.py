"""VCOM API v2 client against a real HTTP server on loopback (no mock objects): documented shapes,
auth (login, refresh, 401 fallbacks), rate limits, 429/500 retries, truncated bodies, 31-day windows."""

import json
import logging
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from oracle.errors import SourceError
from oracle.sources.vcom import VcomClient
from oracle.timeutil import parse_utc

API_KEY, USER, PASSWORD = "key-S3CRET", "ops@example.cl", "pw-S3CRET"
DATA = Path("data")
SANTIAGO_OFFSET = timezone(timedelta(hours=-3))


class FakeVcom:
    """State of the loopback server: what it received and what it is scripted to answer."""

    def __init__(self):
        self.calls: list[dict] = []
        self.script: list[tuple[str, int, dict, bytes]] = []  # (path part, status, headers, body), used once
        self.calls_per_token = 1_000  # a token answers 401 after this many GETs
        self.refuse_refresh = False
        self.expires_in = 3600
        self.success_headers: dict = {}
        self._issued = 0
        self._uses: dict[str, int] = {}

    def answer(self, method, path, query, headers, form):
        self.calls.append({"method": method, "path": path, "query": query, "headers": headers, "form": form})
        for i, (part, status, extra, body) in enumerate(self.script):
            if part in path:
                del self.script[i]
                return status, extra, body
        if path == "/v2/login":
            return self._login(form)
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if headers.get("X-API-KEY") != API_KEY or token not in self._uses:
            return 401, {}, b'{"error":"unauthorized"}'
        self._uses[token] += 1
        if self._uses[token] > self.calls_per_token:
            return 401, {}, b'{"error":"expired"}'
        return 200, dict(self.success_headers), json.dumps(self._get(path, query)).encode()

    def _login(self, form):
        grant = form.get("grant_type")
        if grant == "password" and (form.get("username"), form.get("password")) != (USER, PASSWORD):
            return 401, {}, b'{"error":"invalid_grant"}'
        if grant == "refresh_token" and (self.refuse_refresh or form.get("refresh_token") != f"ref-{self._issued}"):
            return 401, {}, b'{"error":"invalid_grant"}'
        self._issued += 1
        token = f"tok-{self._issued}"
        self._uses[token] = 0
        return 200, {}, json.dumps({"token_type": "bearer", "expires_in": self.expires_in,
                                    "access_token": token, "refresh_token": f"ref-{self._issued}"}).encode()

    def _get(self, path, query):
        if path == "/v2/systems":
            return json.loads((DATA / "vcom_systems.json").read_text())
        if path == "/v2/systems/SMPL1":
            return json.loads((DATA / "vcom_system_SMPL1.json").read_text())
        if path == "/v2/systems/SMPL1/basics/abbreviations/E_Z_EVU/measurements":
            return json.loads((DATA / "vcom_E_Z_EVU_SMPL1_2026-03-01.json").read_text())
        if path.endswith("/basics/abbreviations/E_Z_EVU/measurements"):  # any window, "to" inclusive
            start, end = (datetime.fromisoformat(query[k].replace("Z", "+00:00")) for k in ("from", "to"))
            rows, t = [], start
            while t <= end:
                rows.append({"timestamp": t.astimezone(SANTIAGO_OFFSET).isoformat(), "value": "0.25"})
                t += timedelta(minutes=15)
            return {"data": {"E_Z_EVU": rows}}
        return {"data": None}


@pytest.fixture
def vcom():
    state = FakeVcom()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            status, extra, body = state.answer(method, url.path, query, dict(self.headers), form)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v2"
    yield state
    server.shutdown()
    server.server_close()


def _client(vcom, waits, **kwargs):
    return VcomClient(API_KEY, USER, PASSWORD, base_url=vcom.base_url, sleep=waits.append, **kwargs)


def test_systems_and_auth_headers(vcom):
    waits = []
    client = _client(vcom, waits)
    assert client.systems() == [{"key": "SMPL1", "name": "Synthetic rooftop Santiago 10 kW"}]
    assert client.system("SMPL1")["timezone"]["name"] == "America/Santiago"
    login, first, second = vcom.calls
    assert login["method"] == "POST" and login["path"] == "/v2/login"
    assert login["form"] == {"grant_type": "password", "username": USER, "password": PASSWORD,
                             "client_id": "vcom-api"}
    assert all(call["headers"]["X-API-KEY"] == API_KEY for call in vcom.calls)
    assert first["headers"]["Authorization"] == second["headers"]["Authorization"] == "Bearer tok-1"
    assert waits == []


def test_energy_values_strings_null_and_offsets(vcom):
    start = parse_utc("2026-03-01T03:00:00Z")
    readings = _client(vcom, []).energy("SMPL1", start, start + 86_400)
    sample = json.loads((DATA / "vcom_E_Z_EVU_SMPL1_2026-03-01.json").read_text())["data"]["E_Z_EVU"]
    frame = readings.frame
    assert readings.kind == "energy" and readings.device == "SMPL1" and readings.source == "vcom:SMPL1"
    assert len(frame) == 96 and set(frame["interval_s"]) == {900}
    assert frame["timestamp"].iloc[0].isoformat() == "2026-03-01T03:00:00+00:00"  # 00:00-03:00
    for row, (_, got) in zip(sample, frame.iterrows()):
        if row["value"] is None:
            assert got["value"] != got["value"]  # null -> NaN
        else:
            assert got["value"] == round(float(row["value"]) * 1000, 6)
    assert isinstance(sample[41]["value"], str) and frame["value"].iloc[41] == float(sample[41]["value"]) * 1000
    query = vcom.calls[-1]["query"]
    assert query == {"from": "2026-03-01T03:00:00Z", "to": "2026-03-02T03:00:00Z", "resolution": "fifteen-minutes"}


def test_windows_of_31_days_without_double_counting(vcom):
    start = parse_utc("2026-01-01")
    readings = _client(vcom, []).energy("ABC12", start, start + 70 * 86_400)
    windows = [(c["query"]["from"], c["query"]["to"]) for c in vcom.calls if c["method"] == "GET"]
    assert windows == [("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
                       ("2026-02-01T00:00:00Z", "2026-03-04T00:00:00Z"),
                       ("2026-03-04T00:00:00Z", "2026-03-12T00:00:00Z")]
    stamps = readings.frame["timestamp"]
    assert len(stamps) == 70 * 96 and stamps.is_unique
    assert readings.frame["value"].sum() == 70 * 96 * 250.0


def test_expired_token_refreshed_then_login_then_source_error(vcom, caplog):
    caplog.set_level(logging.DEBUG)
    vcom.calls_per_token = 1
    client = _client(vcom, [])
    client.systems()
    client.systems()  # 401 -> refresh -> retried
    grants = [c["form"].get("grant_type") for c in vcom.calls if c["method"] == "POST"]
    assert grants == ["password", "refresh_token"]
    assert vcom.calls[-1]["headers"]["Authorization"] == "Bearer tok-2"
    vcom.refuse_refresh = True
    client.systems()  # 401 -> refresh refused -> password login
    grants = [c["form"].get("grant_type") for c in vcom.calls if c["method"] == "POST"]
    assert grants[-2:] == ["refresh_token", "password"]
    vcom.calls_per_token = 0  # every token refused at once
    with pytest.raises(SourceError, match=r"still unauthorized \(401\) after refreshing the token and logging in") as error:
        client.systems()
    for secret in (API_KEY, PASSWORD, "tok-", "ref-"):
        assert secret not in str(error.value) and secret not in caplog.text


def test_wrong_password_is_a_source_error_without_secrets(vcom):
    client = VcomClient(API_KEY, USER, "wrong-S3CRET", base_url=vcom.base_url, sleep=[].append)
    with pytest.raises(SourceError, match="VCOM login refused") as error:
        client.systems()
    assert "S3CRET" not in str(error.value) and "S3CRET" not in repr(client)


def test_token_refreshed_before_expiry(vcom):
    vcom.expires_in = 30  # inside the client's 60 s margin: refreshed before the next call
    client = _client(vcom, [])
    client.systems()
    client.systems()
    assert [c["form"].get("grant_type") for c in vcom.calls if c["method"] == "POST"] == ["password", "refresh_token"]
    assert all(c["path"] != "/v2/systems" or "tok-" in c["headers"]["Authorization"] for c in vcom.calls)


def test_429_waits_until_the_reset_header(vcom):
    """meteocontrol's client reads X-RateLimit-Reset-Minute as an HTTP date against the answer's Date."""
    reset = datetime.now(timezone.utc) + timedelta(seconds=42)
    vcom.script.append(("/systems", 429, {"X-RateLimit-Remaining-Minute": "0",
                                          "X-RateLimit-Reset-Minute": format_datetime(reset, usegmt=True)},
                        b'{"error":"Too Many Requests"}'))
    waits = []
    assert _client(vcom, waits).systems()[0]["key"] == "SMPL1"
    assert len(waits) == 1 and 40.0 <= waits[0] <= 43.0


def test_429_with_epoch_reset_and_retry_after(vcom):
    vcom.script += [("/systems", 429, {"Retry-After": "7"}, b""),
                    ("/systems", 429, {"X-RateLimit-Remaining-Day": "0",
                                       "X-RateLimit-Reset-Day": str(int(datetime.now().timestamp()) + 600)}, b"")]
    waits = []
    _client(vcom, waits).systems()
    assert waits[0] == 7.0 and 598.0 <= waits[1] <= 601.0


def test_exhausted_minute_limit_on_success_waits_seconds(vcom):
    vcom.success_headers = {"X-RateLimit-Remaining-Minute": "0", "X-RateLimit-Reset-Minute": "17"}
    waits = []
    _client(vcom, waits).systems()
    assert waits == [17.0]


def test_500_retried_with_backoff_then_source_error(vcom):
    vcom.script += [("/systems", 500, {}, b"oops"), ("/systems", 503, {}, b"")]
    waits = []
    client = _client(vcom, waits, max_retries=3)
    assert client.systems()[0]["key"] == "SMPL1"
    assert waits == [1.0, 2.0]
    vcom.script += [("/systems", 500, {}, b"")] * 4
    waits.clear()
    with pytest.raises(SourceError, match=r"VCOM GET /systems: HTTP 500 after 3 retries"):
        client.systems()
    assert waits == [1.0, 2.0, 4.0]


def test_truncated_json_retried_then_source_error(vcom):
    vcom.script.append(("/systems", 200, {}, b'{"data": [{"key": "SM'))
    waits = []
    client = _client(vcom, waits, max_retries=2)
    assert client.systems()[0]["key"] == "SMPL1" and waits == [1.0]
    vcom.script += [("/systems", 200, {}, b'{"data": [')] * 3
    with pytest.raises(SourceError, match="truncated or invalid JSON body after 2 retries"):
        client.systems()


def test_unreachable_server_is_a_source_error():
    waits = []
    client = VcomClient(API_KEY, USER, PASSWORD, base_url="http://127.0.0.1:9/v2", sleep=waits.append,
                        max_retries=2)
    with pytest.raises(SourceError, match=r"cannot reach the server \(ConnectionError\) after 2 retries"):
        client.systems()
    assert waits == [1.0, 2.0]
