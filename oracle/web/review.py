"""The reviewer's pages (the pilot's collaborator): the queue of flagged intervals, each flagged day
plotted against its clear-sky expectation and its station, and approve / reject with a reason.

The same store, rules and lock as ``python -m oracle review`` (oracle.review.decide): only pending
intervals can be decided, once; every decision records the reviewer (the signed-in address, with
the name the config gives it) and the reason, and the round file shows them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from oracle.config import Config, InstallationConfig
from oracle.errors import ConfigError, InputError
from oracle.lock import run_lock
from oracle.quality import clearsky_wh
from oracle.review import day_detail, decide, pending_days
from oracle.sources.station import read_station
from oracle.store import PENDING
from oracle.timeutil import DAY_S, INTERVAL_S, iso_utc_minute, parse_utc, utc_date
from oracle.web.auth import ROLE_REVIEWER, check_csrf, require_role
from oracle.web.charts import Line, day_line_chart
from oracle.web.render import render

KW_PER_INTERVAL_WH = 4 / 1000  # a 15-minute interval's Wh as its mean power in kW


def _config(request: Request) -> Config:
    return request.app.state.settings.config


def _day(request: Request) -> tuple[InstallationConfig, int]:
    config = _config(request)
    try:
        installation_id = int(request.path_params["installation_id"])
        day_s = parse_utc(request.path_params["date"])
    except ValueError:
        raise HTTPException(404, "give an installation id and a UTC date, e.g. /review/3/2026-03-01") from None
    if day_s % DAY_S or installation_id not in config.installations:
        raise HTTPException(404, f"this oracle has no installation {installation_id}, or {request.path_params['date']} "
                                 "is not a UTC date")
    return config.installations[installation_id], day_s


async def queue(request: Request) -> Response:
    require_role(request, ROLE_REVIEWER)
    with request.app.state.cache.store() as store:
        days = pending_days(store)
    names = {i: c.name for i, c in _config(request).installations.items()}
    return render(request, "review_queue.html", {"days": days, "names": names,
                                                 "intervals": sum(d.intervals for d in days)})


def station_kw(config: Config, installation: InstallationConfig, day_s: int) -> list[tuple[int, float]]:
    """The station's GHI over the day as the power (kW) the installation would make at 100 % of it
    (GHI / 1000 W/m2 x kWp): on the same axis as the readings. Empty without a station."""
    if installation.station is None:
        return []
    try:
        ghi = read_station(config.stations[installation.station])
    except (InputError, OSError):
        return []
    times = ghi.index.asi8 // 10**9
    selected = (times >= day_s) & (times < day_s + DAY_S)
    kw = installation.site.capacity_w / 1000
    return [(int(t) + INTERVAL_S // 2, float(v) / 1000 * kw) for t, v in zip(times[selected], ghi.to_numpy()[selected])]


def day_figure(config: Config, installation: InstallationConfig, day_s: int, rows: pd.DataFrame):  # noqa: ANN201
    starts = np.arange(day_s, day_s + DAY_S, INTERVAL_S)
    expected = clearsky_wh(starts, installation.site) * KW_PER_INTERVAL_WH
    measured = [(int(s) + INTERVAL_S // 2, float(wh) * KW_PER_INTERVAL_WH)
                for s, wh in zip(rows["interval_start"], rows["energy_wh"])]
    flagged = rows[rows["flags"] != ""]
    marks = [(int(s) + INTERVAL_S // 2, float(wh) * KW_PER_INTERVAL_WH, f"{iso_utc_minute(int(s))}: {flags} ({status})")
             for s, wh, flags, status in flagged[["interval_start", "energy_wh", "flags", "status"]].itertuples(index=False)]
    lines = [Line("readings", "#1f6f43", measured),
             Line("clear-sky expectation", "#6b7280", [(int(s) + INTERVAL_S // 2, float(v)) for s, v in zip(starts, expected)],
                  dashed=True)]
    station = station_kw(config, installation, day_s)
    if station:
        lines.append(Line(f"station {installation.station} (GHI x kWp)", "#f59e0b", station))
    return day_line_chart(day_s, lines, marks, "mean power, kW", f"{installation.name}, {utc_date(day_s)} (UTC)")


def _day_page(request: Request, error: str = "", status_code: int = 200) -> Response:
    installation, day_s = _day(request)
    with request.app.state.cache.store() as store:
        rows, reviews = day_detail(store, installation.installation_id, day_s)
    if rows.empty:
        raise HTTPException(404, f"installation {installation.installation_id} has no readings on {utc_date(day_s)}")
    flagged = rows[rows["flags"] != ""]
    pending = flagged[flagged["status"] == PENDING]
    return render(request, "review_day.html", {
        "installation": installation, "day": utc_date(day_s), "day_s": day_s,
        "chart": day_figure(_config(request), installation, day_s, rows),
        "flagged": [(int(s), float(wh), flags, status, reviews.get(int(s), {}))
                    for s, wh, flags, status in flagged[["interval_start", "energy_wh", "flags", "status"]].itertuples(index=False)],
        "pending_starts": [int(s) for s in pending["interval_start"]], "error": error,
        "done": request.query_params.get("done", ""), "iso": iso_utc_minute}, status_code)


async def day_page(request: Request) -> Response:
    require_role(request, ROLE_REVIEWER)
    return _day_page(request)


async def day_decide(request: Request) -> Response:
    user = require_role(request, ROLE_REVIEWER)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    installation, day_s = _day(request)
    action, reason = str(form.get("action", "")), str(form.get("reason", ""))
    first, last = str(form.get("first", "day")), str(form.get("last", "")) or str(form.get("first", "day"))
    try:
        first_s = day_s if first == "day" else parse_utc(first)
        last_s = day_s + DAY_S - INTERVAL_S if first == "day" else parse_utc(last)
        if not day_s <= first_s <= last_s < day_s + DAY_S:
            raise ConfigError("the intervals must lie in this day, the first before the last")
        reviewer = _config(request).reviewer(user.address)
        with run_lock(_config(request).lock_path), request.app.state.cache.store() as store:
            decided = decide(store, installation.installation_id, first_s, last_s, action,
                             reviewer.label if reviewer else user.address, reason)
    except (ConfigError, ValueError) as error:
        return _day_page(request, error=str(error), status_code=400)
    request.app.state.cache.invalidate()
    return RedirectResponse(f"/review/{installation.installation_id}/{utc_date(day_s)}?done={decided}+{action}",
                            status_code=303)


ROUTES = [
    Route("/review", queue, methods=["GET"], name="review"),
    Route("/review/{installation_id}/{date}", day_page, methods=["GET"], name="review_day"),
    Route("/review/{installation_id}/{date}", day_decide, methods=["POST"]),
]
