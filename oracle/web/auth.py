"""Sessions, roles and CSRF tokens for the signed-in pages (Sign-In with Ethereum fills the session).

The session is Starlette's signed cookie (``SessionMiddleware``, the secret from the settings, never
sent to the browser): it holds the signed-in address, its roles (``reviewer``: listed in the
oracle config's ``[review] reviewers``; ``operator``: holds DEFAULT_ADMIN_ROLE on the
GenerationOracle), when the session expires, and the CSRF token every form posts back.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request

ROLE_REVIEWER = "reviewer"
ROLE_OPERATOR = "operator"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class SessionUser:
    address: str
    roles: tuple[str, ...]
    expires_at: int  # unix s

    def has(self, role: str) -> bool:
        return role in self.roles


def session_user(request: Request) -> SessionUser | None:
    """The signed-in user, or None (no session, or it expired)."""
    if "session" not in request.scope:
        return None
    data = request.session.get("user")
    if not data:
        return None
    if int(data.get("expires_at", 0)) <= time.time():
        request.session.pop("user", None)
        return None
    return SessionUser(str(data["address"]), tuple(data.get("roles", ())), int(data["expires_at"]))


def sign_in(request: Request, address: str, roles: tuple[str, ...], max_age_s: int) -> SessionUser:
    """Start a session for `address` (a new CSRF token with it)."""
    user = SessionUser(address, roles, int(time.time()) + max_age_s)
    request.session["user"] = {"address": user.address, "roles": list(user.roles), "expires_at": user.expires_at}
    request.session[CSRF_FIELD] = secrets.token_urlsafe(24)
    return user


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    if "session" not in request.scope:
        return ""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = request.session[CSRF_FIELD] = secrets.token_urlsafe(24)
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """403 unless `submitted` is the session's CSRF token."""
    expected = request.session.get(CSRF_FIELD) if "session" in request.scope else None
    if not expected or not submitted or not hmac.compare_digest(str(expected), str(submitted)):
        raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and try again")


def require_role(request: Request, role: str) -> SessionUser:
    """The signed-in user holding `role`; 401 when nobody is signed in, 403 when the role is missing."""
    user = session_user(request)
    if user is None:
        raise HTTPException(401, f"this page is for the {role} role: sign in with an Ethereum account that holds it")
    if not user.has(role):
        raise HTTPException(403, f"this page is for the {role} role; {user.address} does not hold it")
    return user
