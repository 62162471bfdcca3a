"""Dashboard area: sign-in (Sign-In with Ethereum) and sign-out pages. Routes added by the module's author."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
