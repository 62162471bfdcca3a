"""Meteocontrol VCOM API v2 client (requests): systems and 15-minute PV production ``E_Z_EVU``.

Authentication: ``X-API-KEY`` on every call, plus a bearer token from ``POST /login`` (form body
``grant_type=password``, username, password, ``client_id=vcom-api``), renewed with
``grant_type=refresh_token`` shortly before ``expires_in`` runs out. On a 401 the client refreshes
once, then logs in again, then gives up (SourceError). The API key, password and tokens never appear
in logs or messages.

Rate limits (per API key, per minute and per day): when ``X-RateLimit-Remaining-Minute`` (or
``-Day``) reaches 0 the client waits until ``X-RateLimit-Reset-Minute`` (``-Day``). meteocontrol's
own client reads the reset as an HTTP date compared with the answer's ``Date``; epoch seconds and a
number of seconds are accepted too. 429 and 5xx answers, connection errors and truncated or invalid
JSON bodies are retried with exponential backoff (1, 2, 4, ... s, or the server's ``Retry-After`` /
reset), at most ``max_retries`` times, then SourceError. Every wait goes through ``sleep``.

Energy: ``GET /systems/{key}/basics/abbreviations/E_Z_EVU/measurements?from=&to=&resolution=
fifteen-minutes`` (kWh per interval, SUM), in windows of at most 31 days; answer
``{"data": {"E_Z_EVU": [{"timestamp": "2026-03-01T09:15:00-03:00", "value": "0.25"}]}}``, values
numbers, strings or null (NaN). Timestamps carry the plant's offset; the readings are in UTC, labelled
by the interval's start. ``to`` is inclusive at VCOM, so each window keeps only the rows in its own
[from, to): the row at a window's end comes back in the next window, never twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import numpy as np
import pandas as pd
import requests

from oracle.errors import InputError, SourceError
from oracle.readings import Readings
from oracle.sources.files import scaled, to_numbers
from oracle.sources.timestamps import to_utc
from oracle.timeutil import DAY_S, INTERVAL_S, iso_utc

DEFAULT_BASE_URL = "https://api.meteocontrol.de/v2"
ENERGY_ABBREVIATION = "E_Z_EVU"
MAX_WINDOW_S = 31 * DAY_S
TOKEN_MARGIN_S = 60.0  # refresh this long before the token expires
MAX_BACKOFF_S = 60.0
TIMEOUT_S = 30.0

log = logging.getLogger(__name__)


class _Unauthorized(Exception):
    """A 401/403 answer (handled by the auth fallbacks, never shown to a user as such)."""


class VcomClient:
    """A VCOM API v2 session for one account. sleep: how to wait (tests pass a recorder);
    max_retries: retries of one request after 429, 5xx, connection errors or bad JSON."""

    def __init__(self, api_key: str, username: str, password: str,
                 base_url: str = DEFAULT_BASE_URL, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, max_retries: int = 5) -> None:
        self._api_key = api_key
        self._username = username
        self._password = password
        self._base_url = base_url.rstrip("/")
        self._session = session or requests.Session()
        self._sleep = sleep
        self._max_retries = max_retries
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at = 0.0

    def __repr__(self) -> str:
        return f"VcomClient(base_url={self._base_url!r})"

    def systems(self) -> list[dict]:
        """The systems of the account (``[{"key": "ABC12", "name": ...}, ...]``)."""
        return self._data(self._get("/systems"), "/systems", list)

    def system(self, key: str) -> dict:
        """One system's details (name, coordinates, timezone, commissionDate, ...)."""
        path = f"/systems/{key}"
        return self._data(self._get(path), path, dict)

    def energy(self, system_key: str, start_s: int, end_s: int) -> Readings:
        """PV production of system `system_key` in Wh per 15-minute interval over [start_s, end_s)
        (unix seconds UTC), fetched in windows of at most 31 days."""
        path = f"/systems/{system_key}/basics/abbreviations/{ENERGY_ABBREVIATION}/measurements"
        frames = [self._energy_window(path, s, min(s + MAX_WINDOW_S, end_s))
                  for s in range(int(start_s), int(end_s), MAX_WINDOW_S)]
        frame = pd.concat(frames, ignore_index=True) if frames else _energy_frame([], [])
        return Readings(source=f"vcom:{system_key}", kind="energy", frame=frame, device=system_key)

    def _energy_window(self, path: str, start_s: int, end_s: int) -> pd.DataFrame:
        where = f"VCOM answer {path} from {iso_utc(start_s)}"
        body = self._get(path, {"from": iso_utc(start_s), "to": iso_utc(end_s),
                                "resolution": "fifteen-minutes"})
        rows = self._data(body, path, dict).get(ENERGY_ABBREVIATION)
        if not isinstance(rows, list) or not all(isinstance(r, dict) and "timestamp" in r for r in rows):
            raise InputError(f"{where}: data.{ENERGY_ABBREVIATION} is not a list of "
                             "{timestamp, value}")
        if not rows:
            return _energy_frame([], [])
        table = pd.DataFrame(rows)
        table.index = table.index + 1
        stamps = to_utc(table["timestamp"].astype("string"), None, where, "measurement")
        values = scaled(to_numbers(table.get("value", pd.Series(index=table.index, dtype="string")),
                                   where, ENERGY_ABBREVIATION, "measurement"), 1000.0)
        seconds = stamps.astype("int64").to_numpy() // 10**9
        inside = (seconds >= start_s) & (seconds < end_s)
        return _energy_frame(stamps[inside].to_numpy(), values[inside].to_numpy())

    def _data(self, body: Any, path: str, kind: type) -> Any:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, kind):
            raise InputError(f"VCOM answer {path}: no 'data' {kind.__name__}")
        return data

    def _get(self, path: str, params: dict | None = None) -> Any:
        """GET with auth fallbacks: on 401 refresh once, then log in once, then SourceError."""
        fallbacks = [self._refresh, self._login]
        while True:
            self._ensure_token()
            try:
                return self._send("GET", path, params=params, bearer=True)
            except _Unauthorized:
                if not fallbacks:
                    raise SourceError(f"VCOM GET {path}: still unauthorized (401) after refreshing "
                                      "the token and logging in again") from None
                log.info("VCOM GET %s: 401, renewing the token", path)
                fallbacks.pop(0)()

    def _ensure_token(self) -> None:
        if self._access_token is None:
            self._login()
        elif time.monotonic() >= self._expires_at:
            self._refresh()

    def _login(self) -> None:
        self._take_token(self._password_login({"grant_type": "password", "username": self._username,
                                           "password": self._password, "client_id": "vcom-api"}))

    def _refresh(self) -> None:
        if self._refresh_token is None:
            self._login()
            return
        form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token,
                "client_id": "vcom-api"}
        try:
            body = self._send("POST", "/login", data=form, bearer=False)
        except _Unauthorized:
            self._login()  # a refused refresh token: start again with the password
            return
        self._take_token(body)

    def _password_login(self, form: dict) -> Any:
        try:
            return self._send("POST", "/login", data=form, bearer=False)
        except _Unauthorized:
            raise SourceError("VCOM login refused (401): check the VCOM username, password and "
                              "API key") from None

    def _take_token(self, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise SourceError("VCOM login answer has no access_token")
        self._access_token = body["access_token"]
        self._refresh_token = body.get("refresh_token")
        expires_in = float(body.get("expires_in") or 0)
        self._expires_at = time.monotonic() + expires_in - TOKEN_MARGIN_S

    def _send(self, method: str, path: str, bearer: bool, **kwargs: Any) -> Any:
        """One request, retried on 429, 5xx, connection errors and invalid JSON; the JSON body."""
        headers = {"X-API-KEY": self._api_key, "Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {self._access_token}"
        problem = ""
        for attempt in range(self._max_retries + 1):
            if attempt:
                self._sleep(wait)
            wait = min(MAX_BACKOFF_S, 2.0 ** attempt)
            try:
                response = self._session.request(method, self._base_url + path, headers=headers,
                                                 timeout=TIMEOUT_S, **kwargs)
            except requests.RequestException as exc:
                problem = f"cannot reach the server ({type(exc).__name__})"
                continue
            if response.status_code in (401, 403):
                raise _Unauthorized()
            if response.status_code == 429 or response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                wait = max(wait, _server_wait(response) or 0.0)
                log.info("VCOM %s %s: %s, retrying in %.0f s", method, path, problem, wait)
                continue
            if response.status_code >= 400:
                raise SourceError(f"VCOM {method} {path}: HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                problem = "truncated or invalid JSON body"
                continue
            self._respect_rate_limit(response)
            return body
        raise SourceError(f"VCOM {method} {path}: {problem} after {self._max_retries} retries")

    def _respect_rate_limit(self, response: requests.Response) -> None:
        for period in ("Minute", "Day"):
            if response.headers.get(f"X-RateLimit-Remaining-{period}", "").strip() == "0":
                wait = _reset_wait(response, period)
                if wait:
                    log.info("VCOM rate limit per %s reached: waiting %.0f s", period.lower(), wait)
                    self._sleep(wait)


def _server_wait(response: requests.Response) -> float | None:
    """Seconds the server asks to wait: Retry-After, else the reset of an exhausted limit."""
    retry_after = response.headers.get("Retry-After", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    waits = [_reset_wait(response, p) for p in ("Minute", "Day")
             if response.headers.get(f"X-RateLimit-Remaining-{p}", "").strip() == "0"]
    waits = [w for w in waits if w is not None]
    return max(waits) if waits else None


def _reset_wait(response: requests.Response, period: str) -> float | None:
    """Seconds until ``X-RateLimit-Reset-<period>``: an HTTP date (against the answer's ``Date``),
    epoch seconds, or a number of seconds; None when absent or unreadable."""
    text = response.headers.get(f"X-RateLimit-Reset-{period}", "").strip()
    if not text:
        return None
    now = time.time()
    date = response.headers.get("Date")
    if date:
        try:
            now = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            pass
    try:
        number = float(text)
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(text).timestamp() - now)
        except (TypeError, ValueError):
            return None
    return max(0.0, number - now) if number > 1e9 else max(0.0, number)


def _energy_frame(stamps: Any, values: Any) -> pd.DataFrame:
    frame = pd.DataFrame({"timestamp": pd.Series(stamps, dtype="datetime64[ns, UTC]"),
                          "value": np.asarray(values, dtype="float64"),
                          "interval_s": np.full(len(values), INTERVAL_S, dtype="int64")})
    return frame
