"""HTTP plumbing shared by the endpoints: bounded body reading, JSON in and out, API keys,
and an ASGI middleware that counts, times and logs every request without its text.

The access log line holds method, path (never the query string, which may carry `key=`),
status code and milliseconds: no comment text, no key, no client address.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from moderation.serve.errors import ApiError, bad_request
from moderation.serve.metrics import ServerMetrics
from moderation.serve.settings import ApiKeys

log = logging.getLogger("moderate.serve")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Plain lines on stderr for this process (each uvicorn worker calls it too)."""
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Compact JSON; `nosniff` so that no browser ever reads an echoed field as HTML or script."""
    data = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    all_headers = {"X-Content-Type-Options": "nosniff", **(headers or {})}
    return Response(data, status_code=status, headers=all_headers, media_type="application/json; charset=UTF-8")


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.code, error.headers())


async def read_json(request: Request, max_bytes: int) -> Any:
    """The request body parsed as JSON; ApiError when too large, not UTF-8 or not JSON.

    A declared Content-Length over the limit is refused before reading; a chunked body is
    read only up to the limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise bad_request("Invalid Content-Length header.")
        if int(declared) > max_bytes:
            raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    data = b"".join(chunks)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("Invalid JSON payload received. The body is not UTF-8.") from None
    if not text.strip():
        raise bad_request("Invalid JSON payload received. The body is empty.")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"Invalid JSON payload received. {exc.msg} at line {exc.lineno} column {exc.colno}."
        ) from None
    except (ValueError, RecursionError):
        raise bad_request("Invalid JSON payload received. Unexpected value or nesting too deep.") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, f"Request payload size exceeds the limit: {max_bytes} bytes.")


def check_key(request: Request, keys: ApiKeys) -> None:
    """Perspective's `?key=` or Google's `X-Goog-Api-Key` header; nothing when no key is set."""
    if not keys.required:
        return
    key = request.query_params.get("key") or request.headers.get("x-goog-api-key")
    if not key:
        raise ApiError(403, "The request is missing a valid API key.")
    if not keys.accepts(key):
        raise ApiError(400, "API key not valid. Please pass a valid API key.")


class ObserveMiddleware:
    """Counts and times every request by endpoint and status; logs one line without text."""

    def __init__(self, app: ASGIApp, metrics: ServerMetrics, endpoint_of: Callable[[str], str]) -> None:
        self.app = app
        self.metrics = metrics
        self.endpoint_of = endpoint_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        endpoint = self.endpoint_of(scope.get("path", ""))

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.requests.inc(endpoint=endpoint, code=str(status))
            self.metrics.latency.observe(elapsed, endpoint=endpoint)
            log.info("%s %s %d %.1fms", scope.get("method", "?"), endpoint, status, elapsed * 1000)
