"""Start the server: check the settings, then hand the app to uvicorn.

`--workers 1` runs the app in this process; `--workers N` has uvicorn start N processes, each
building the app (and loading the models) from the settings passed in MODERATE_SERVE_SETTINGS.
uvicorn's own access log is off: it would print query strings, which may carry API keys;
the app logs its own line without them (serve/http.py).
"""

from __future__ import annotations

import os
from typing import Any

from moderation.config import load_preset
from moderation.errors import ConfigError
from moderation.serve.settings import SETTINGS_ENV, ApiKeys, ServeSettings


class ServeExtraMissing(ConfigError):
    """Starlette or uvicorn is not installed."""


def check(settings: ServeSettings) -> list[str]:
    """Raise ConfigError for settings that cannot work; return warnings for risky ones."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise ServeExtraMissing(
            "moderate serve needs the serve extra: pip install 'moderate[serve]' (or -e '.[serve]')"
        ) from None
    load_preset(settings.preset)  # unknown preset: ConfigError now, not in a worker later
    keys = ApiKeys.load(settings.keys_file)
    warnings = []
    if not settings.loopback_only and not keys.required:
        warnings.append(
            f"listening on {settings.host} without API keys: anyone who can reach this port can use it "
            "(set MODERATE_API_KEYS or --keys-file)"
        )
    return warnings


def uvicorn_options(settings: ServeSettings) -> dict[str, Any]:
    """uvicorn settings besides the address (shared with the tests)."""
    return {
        "log_level": settings.log_level,
        "access_log": False,
        "timeout_keep_alive": 5,
        "limit_concurrency": settings.max_queue * 4 + 64,  # beyond this uvicorn answers 503 itself
        "server_header": False,
    }


def serve(settings: ServeSettings) -> None:
    """Run until interrupted."""
    import uvicorn

    from moderation.serve.http import configure_logging

    configure_logging(settings.log_level)
    common = {"host": settings.host, "port": settings.port, **uvicorn_options(settings)}
    if settings.workers == 1:
        from moderation.serve.app import create_app

        uvicorn.run(create_app(settings), **common)
        return
    os.environ[SETTINGS_ENV] = settings.to_json()
    uvicorn.run("moderation.serve.app:app_from_env", factory=True, workers=settings.workers, **common)
