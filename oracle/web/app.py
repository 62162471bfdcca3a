"""The dashboard app: routes of every area, static files, sessions, and error pages (never a traceback)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from oracle.errors import OracleError
from oracle.web import auth_routes, market, operator, public, review, verify
from oracle.web.render import STATIC_DIR, render
from oracle.web.settings import WebSettings
from oracle.web.state import StateCache

log = logging.getLogger("oracle.web")

TITLES = {400: "Bad request", 401: "Sign in first", 403: "Not allowed", 404: "Not found", 405: "Not allowed",
          500: "Something went wrong", 503: "The chain or the store cannot be read"}


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or "application/json" in request.headers.get("accept", "")


def error_page(request: Request, status: int, detail: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": detail, "status": status}, status_code=status)
    return render(request, "error.html", {"status": status, "title": TITLES.get(status, "Error"), "detail": detail},
                  status_code=status)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else f"nothing at {request.url.path}"
    return error_page(request, exc.status_code, str(detail))


async def oracle_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 503, str(exc))


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("dashboard: %s %s failed", request.method, request.url.path)
    return error_page(request, 500, "the server could not show this page; the operator's log has the details")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """While the app serves: the snapshot is warmed and refreshed in the background (oracle.web.state)."""
    app.state.cache.start()
    try:
        yield
    finally:
        app.state.cache.stop()


def create_app(settings: WebSettings, cache: StateCache | None = None) -> Starlette:
    """The app for `settings` (a cache over the config's chain and store unless one is given)."""
    routes = [*public.ROUTES, *verify.ROUTES, *market.ROUTES, *auth_routes.ROUTES, *review.ROUTES, *operator.ROUTES,
              Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static")]
    middleware = [Middleware(SessionMiddleware, secret_key=settings.session_secret, session_cookie="pvledger_session",
                             max_age=settings.session_max_age_s, same_site="strict", https_only=settings.https_only)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, OracleError: oracle_error, Exception: server_error})
    app.state.settings = settings
    app.state.cache = cache or StateCache(settings.config, settings.block_poll_s, settings.config.rpc_url)
    market.register(app.state.cache)  # read with every snapshot, warmed at startup
    return app
