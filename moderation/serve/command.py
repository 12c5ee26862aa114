"""The `moderate serve` command's options: build ServeSettings and start the server.

Registered on the main app by `moderation.cli`; like the rest of the CLI it holds no logic.
Starlette and uvicorn are imported only when the command runs (the serve extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from moderation.errors import ModerationError
from moderation.printing import err, exit_for
from moderation.terminal import printable


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 exposes it beyond this machine).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    preset: Annotated[str, typer.Option("--preset", "-p", help="Preset name from configs/.")] = "default",
    config: Annotated[Path | None, typer.Option("--config", help="A preset TOML file (overrides --preset).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes, each with its own models.")] = 1,
    max_batch: Annotated[int, typer.Option(min=1, help="Most texts per scoring pass (1: no batching).")] = 32,
    max_wait_ms: Annotated[float, typer.Option(min=0, help="Longest wait for a batch to fill.")] = 5.0,
    max_queue: Annotated[int, typer.Option(min=1, help="Texts waiting before requests get 429.")] = 256,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per request (body plus scoring).")] = 30.0,
    max_body_kb: Annotated[int, typer.Option(min=1, help="Largest request body in KiB.")] = 1024,
    keys_file: Annotated[
        Path | None, typer.Option("--keys-file", help="API keys, one per line (also: MODERATE_API_KEYS env var).")
    ] = None,
    public_url: Annotated[
        str | None, typer.Option(help="Base URL clients use, for the discovery document (behind a proxy).")
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Serve Perspective-compatible scoring over HTTP (needs the serve extra). See docs/serve.md."""
    from moderation.serve.server import check
    from moderation.serve.server import serve as run_server
    from moderation.serve.settings import ServeSettings

    try:
        settings = ServeSettings(
            preset=str(config) if config is not None else preset,
            host=host,
            port=port,
            workers=workers,
            max_batch=max_batch,
            max_wait_ms=max_wait_ms,
            max_queue=max_queue,
            max_body_bytes=max_body_kb * 1024,
            request_timeout_s=timeout,
            keys_file=str(keys_file) if keys_file is not None else None,
            public_url=public_url,
            log_level=log_level.lower(),
        )
        for warning in check(settings):
            err.print(Text(f"warning: {printable(warning)}"), soft_wrap=True)
    except ModerationError as exc:
        raise exit_for(exc) from None
    run_server(settings)
