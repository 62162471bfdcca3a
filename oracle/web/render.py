"""Templates and the formatting every page shares (units in every figure, short addresses)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def short_address(address: str | None) -> str:
    """0x1234…abcd (the whole address stays in the link or title)."""
    if not address:
        return "-"
    text = str(address)
    return f"{text[:6]}…{text[-4:]}" if len(text) > 12 else text


def short_hash(value: str | None) -> str:
    if not value:
        return "-"
    return f"{value[:10]}…{value[-6:]}" if len(value) > 20 else value


def kwh(energy_wh: int | float) -> str:
    """Energy for people: Wh below 1 kWh, kWh below 10 MWh, MWh above."""
    value = float(energy_wh)
    if abs(value) < 1000:
        return f"{value:,.0f} Wh"
    if abs(value) < 10_000_000:
        return f"{value / 1000:,.1f} kWh"
    return f"{value / 1e6:,.2f} MWh"


def kg_co2e(grams: int | float) -> str:
    return f"{grams / 1000:,.1f} kgCO2e"


def utc_time(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    return datetime.fromtimestamp(int(seconds), tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def utc_day(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    return datetime.fromtimestamp(int(seconds), tz=timezone.utc).strftime("%Y-%m-%d")


def clp(amount: int | float) -> str:
    return f"CLP {amount:,.0f}".replace(",", ".")


def kw(capacity_w: int | float) -> str:
    return f"{capacity_w / 1000:,.1f} kWp"


environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                          trim_blocks=True, lstrip_blocks=True)
environment.filters.update(short_address=short_address, short_hash=short_hash, kwh=kwh, kg_co2e=kg_co2e,
                           utc_time=utc_time, utc_day=utc_day, clp=clp, kw=kw)


def render(request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """The page `template` with the request's user and CSRF token (oracle.web.auth) in its context."""
    from oracle.web.auth import csrf_token, session_user

    page = environment.get_template(template).render(
        request=request, user=session_user(request), csrf_token=csrf_token(request), **(context or {}))
    return HTMLResponse(page, status_code=status_code)
