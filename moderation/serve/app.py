"""The ASGI application: Perspective-compatible and native endpoints over one Moderator.

    POST /v1alpha1/comments:analyze      Perspective's AnalyzeComment (dynamically batched)
    GET  /$discovery/rest?version=v1alpha1, /discovery/v1/apis/commentanalyzer/v1alpha1/rest
                                         discovery document for Google's client library
    POST /v1/score                       one article + threaded comments -> full result rows
    GET  /healthz, GET /metrics          liveness and Prometheus metrics

All scoring runs on one thread per process (the Moderator is never called concurrently);
the event loop only parses, queues and answers. `create_app` builds the Moderator in the
app's startup unless one is given (tests pass a ready one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from moderation import __version__
from moderation.serve.batcher import Batcher, QueueFull, ShuttingDown
from moderation.serve.discovery import API_NAME, API_VERSION, discovery_document
from moderation.serve.errors import ApiError
from moderation.serve.http import (
    ObserveMiddleware,
    check_key,
    configure_logging,
    error_response,
    json_response,
    read_json,
)
from moderation.serve.metrics import ServerMetrics
from moderation.serve.native import parse_score_request, score_response
from moderation.serve.perspective import (
    LanguageDetector,
    analyze_response,
    check_languages,
    parse_analyze,
)
from moderation.serve.settings import ApiKeys, ServeSettings

log = logging.getLogger("moderate.serve")

ANALYZE = "/v1alpha1/comments:analyze"
DISCOVERY = "/$discovery/rest"
DISCOVERY_V1 = f"/discovery/v1/apis/{API_NAME}/{API_VERSION}/rest"
ENDPOINTS = (ANALYZE, DISCOVERY, DISCOVERY_V1, "/v1/score", "/healthz", "/metrics")
MAX_NATIVE_JOBS = 2  # /v1/score requests running or waiting; more get 429


class ServerState:
    """What the endpoints share in one process."""

    def __init__(
        self, settings: ServeSettings, keys: ApiKeys, moderator: Any = None, detector: LanguageDetector | None = None
    ) -> None:
        self.settings = settings
        self.keys = keys
        self.moderator = moderator
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="moderate-score")
        self.metrics = ServerMetrics(lambda: self.queue_depth)
        self.batcher: Batcher[Any] | None = None
        self.native_jobs = 0
        self.arriving = 0  # analyze requests received and not yet queued (the batcher waits for them)
        self.detector = detector  # None: the project's detector, set at start
        self.produced: tuple[str, ...] = ()
        self.languages: tuple[str, ...] = ()
        self.ready = False

    @property
    def queue_depth(self) -> int:
        return (self.batcher.depth if self.batcher is not None else 0) + self.native_jobs

    async def start(self) -> None:
        # uvicorn's access log prints query strings, which may carry API keys: off, whatever
        # logging setup the host process has (serve/http.py logs its own line without them).
        logging.getLogger("uvicorn.access").disabled = True
        loop = asyncio.get_running_loop()
        if self.moderator is None:
            from moderation import Moderator

            self.moderator = await loop.run_in_executor(self.executor, Moderator, self.settings.preset)
        moderator = self.moderator
        self.produced = tuple(moderator.pipeline.produces)
        self.languages = tuple(moderator.preset.scored_languages)  # the preset's [languages] scored
        if self.detector is None:
            from moderation.analysis.language import confident_language

            self.detector = confident_language
        await loop.run_in_executor(self.executor, self.detector, "Loading the language model.")  # loads lazily
        if self.settings.warm_up:
            await loop.run_in_executor(self.executor, moderator.score_texts, ["Warming up the models."])
        self.batcher = Batcher(
            moderator.score_texts,
            self.executor,
            max_batch=self.settings.max_batch,
            max_wait_s=self.settings.max_wait_ms / 1000,
            max_queue=self.settings.max_queue,
            on_batch=self.metrics.on_batch,
            arriving=lambda: self.arriving,
        )
        self.batcher.start()
        self.ready = True

    async def stop(self) -> None:
        self.ready = False
        if self.batcher is not None:
            await self.batcher.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def deadline(self) -> float:
        return time.perf_counter() + self.settings.request_timeout_s


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.perf_counter())


async def _read(request: Request, state: ServerState, deadline: float) -> Any:
    try:
        return await asyncio.wait_for(read_json(request, state.settings.max_body_bytes), _left(deadline))
    except TimeoutError:
        raise ApiError(408, "The request body did not arrive within the request time limit.") from None


async def analyze(request: Request) -> Response:
    state: ServerState = request.app.state.server
    deadline = state.deadline()
    state.arriving += 1
    try:
        check_key(request, state.keys)
        if request.query_params.get("alt", "json") != "json":
            raise ApiError(400, "Only alt=json is supported.")
        body = await _read(request, state, deadline)
        settings = state.settings
        req = parse_analyze(body, state.produced, str(settings.preset), settings.max_text_bytes)
        languages, detected = check_languages(req, state.languages, state.detector)
        assert state.batcher is not None
        future = state.batcher.submit(req.text)
    except QueueFull as full:
        state.metrics.rejected.inc()
        raise ApiError(
            429, "Too many requests waiting: the server's queue is full.", retry_after_s=full.retry_after_s
        ) from None
    finally:
        state.arriving -= 1
    try:
        result = await asyncio.wait_for(future, _left(deadline))
    except TimeoutError:
        raise ApiError(504, "Scoring did not finish within the request time limit.") from None
    except ShuttingDown:
        raise ApiError(503, "The server is shutting down.", retry_after_s=5) from None
    except Exception as exc:
        log.error("scoring failed: %s", type(exc).__name__)
        raise ApiError(500, "Internal error while scoring.") from None
    if result.scores.error is not None:
        raise ApiError(500, "The comment could not be scored.")
    spans = {name: (s.start, s.end) for name, s in result.scores.spans.items()}
    return json_response(analyze_response(req, result.scores.attributes, spans, languages, detected))


async def score(request: Request) -> Response:
    state: ServerState = request.app.state.server
    deadline = state.deadline()
    check_key(request, state.keys)
    body = await _read(request, state, deadline)
    article = parse_score_request(body, state.settings.max_comments, state.settings.max_text_bytes)
    if state.native_jobs >= MAX_NATIVE_JOBS:
        state.metrics.rejected.inc()
        retry = state.batcher.retry_after() if state.batcher is not None else 1
        raise ApiError(429, "Too many /v1/score requests waiting.", retry_after_s=retry)
    loop = asyncio.get_running_loop()
    state.native_jobs += 1
    job = state.executor.submit(state.moderator.score_articles, [article])
    job.add_done_callback(lambda _: loop.call_soon_threadsafe(_native_done, state))
    try:
        results = await asyncio.wait_for(asyncio.wrap_future(job), _left(deadline))
    except TimeoutError:
        raise ApiError(504, "Scoring did not finish within the request time limit.") from None
    except Exception as exc:
        log.error("scoring failed: %s", type(exc).__name__)
        raise ApiError(500, "Internal error while scoring.") from None
    state.metrics.texts.inc(len(article.comments))
    return json_response(score_response(results[0]))


def _native_done(state: ServerState) -> None:
    state.native_jobs -= 1


async def discovery(request: Request) -> Response:
    state: ServerState = request.app.state.server
    if request.url.path == DISCOVERY and request.query_params.get("version", API_VERSION) != API_VERSION:
        raise ApiError(404, f"Discovery document not found for API service: {API_NAME} {API_VERSION} only.")
    root = state.settings.public_url or str(request.base_url)
    return json_response(discovery_document(root))


async def healthz(request: Request) -> Response:
    state: ServerState = request.app.state.server
    body = {
        "status": "ok" if state.ready else "starting",
        "version": __version__,
        "preset": str(state.settings.preset),
        "attributes": list(state.produced),
        "queue_depth": state.queue_depth,
    }
    return json_response(body, 200 if state.ready else 503)


async def metrics(request: Request) -> Response:
    state: ServerState = request.app.state.server
    return PlainTextResponse(state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = exc.status_code
    message = {404: "Not found.", 405: "Method not allowed."}.get(code, str(exc.detail))
    return error_response(ApiError(code, message))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected error: %s", type(exc).__name__)
    return error_response(ApiError(500, "Internal error."))


def create_app(
    settings: ServeSettings | None = None,
    moderator: Any = None,
    keys: ApiKeys | None = None,
    detector: LanguageDetector | None = None,
) -> Starlette:
    """The app for one process. Without `moderator`, one is built from `settings.preset` at startup;
    without `detector`, the project's language detector (moderation/analysis/language.py) is used."""
    settings = settings or ServeSettings()
    keys = keys if keys is not None else ApiKeys.load(settings.keys_file)
    state = ServerState(settings, keys, moderator, detector)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await state.start()
        try:
            yield
        finally:
            await state.stop()

    routes = [
        Route(ANALYZE, analyze, methods=["POST"]),
        Route(DISCOVERY, discovery, methods=["GET"]),
        Route(DISCOVERY_V1, discovery, methods=["GET"]),
        Route("/v1/score", score, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _unexpected},
    )
    app.state.server = state
    app.add_middleware(ObserveMiddleware, metrics=state.metrics, endpoint_of=_endpoint_of)
    return app


def _endpoint_of(path: str) -> str:
    return path if path in ENDPOINTS else "other"


def app_from_env() -> Starlette:
    """uvicorn factory for worker processes: settings from MODERATE_SERVE_SETTINGS."""
    settings = ServeSettings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)
