"""Dashboard area: verify (see oracle/web/__init__.py). Routes are added by the module's author."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
