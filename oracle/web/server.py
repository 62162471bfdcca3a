"""``python -m oracle serve``: the dashboard under uvicorn, with a clear error when it cannot start."""

from __future__ import annotations

import logging

from oracle.config import Config
from oracle.errors import EXIT_OK, ConfigError
from oracle.web.render import STATIC_DIR
from oracle.web.settings import web_settings

BUNDLE = STATIC_DIR / "dist" / "dashboard.js"


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, public_rpc_url: str | None = None,
          session_max_age_s: int | None = None) -> int:
    """Serve the dashboard of `config` until interrupted (ConfigError when it cannot)."""
    import uvicorn

    from oracle.web.app import create_app
    from oracle.chain.manifest import redact_url

    if not BUNDLE.exists():
        raise ConfigError(f"the dashboard's JavaScript bundle {BUNDLE} is missing: run `make install` (it builds it with "
                          "esbuild from node_modules)")
    if not config.store_path.exists():
        raise ConfigError(f"no oracle store at {config.store_path}: run the oracle first (python -m oracle run)")
    settings = web_settings(config, public_rpc_url, session_max_age_s)
    app = create_app(settings)
    print(f"serve: dashboard of chain {config.chain_id} ({redact_url(settings.config.rpc_url)}) at http://{host}:{port}/ "
          "(Ctrl-C stops it)", flush=True)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return EXIT_OK
