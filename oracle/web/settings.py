"""The dashboard's settings: the oracle config it serves, where the browser reads the chain, sessions."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from oracle.config import Config

SESSION_SECRET_ENV = "DASHBOARD_SESSION_SECRET"
DEFAULT_SESSION_MAX_AGE_S = 8 * 3600
DEFAULT_BLOCK_POLL_S = 1.0


@dataclass(frozen=True)
class WebSettings:
    """What ``create_app`` needs.

    ``public_rpc_url`` is the RPC URL the browser's verification reads the round root from (shown
    on the certificate page and changeable there); it defaults to the oracle's own, which is right
    for a local chain, while a public deployment names a public node. ``session_secret`` signs the
    session cookie (from $DASHBOARD_SESSION_SECRET, else random per process: sessions then end when
    the server restarts); it never reaches the browser.
    """

    config: Config
    public_rpc_url: str
    session_secret: str = field(repr=False)
    session_max_age_s: int = DEFAULT_SESSION_MAX_AGE_S
    block_poll_s: float = DEFAULT_BLOCK_POLL_S
    https_only: bool = False

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir


def web_settings(config: Config, public_rpc_url: str | None = None, session_max_age_s: int | None = None,
                 https_only: bool = False) -> WebSettings:
    """Settings for `config`, with the session secret from the environment (or a random one)."""
    secret = os.environ.get(SESSION_SECRET_ENV) or secrets.token_urlsafe(32)
    return WebSettings(config=config, public_rpc_url=public_rpc_url or config.rpc_url, session_secret=secret,
                       session_max_age_s=session_max_age_s or DEFAULT_SESSION_MAX_AGE_S, https_only=https_only)
