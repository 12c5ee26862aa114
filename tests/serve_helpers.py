"""Shared helpers of the server tests: a real uvicorn server on a free loopback port, a plain
HTTP client, and a Moderator stand-in whose scores are known (for batching and flood tests)."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from moderation.moderator import TextResult
from moderation.schema import Scores, TextSpan


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@contextlib.contextmanager
def running_server(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in a background thread, with the options
    `moderate serve` uses; yields the base URL."""
    import uvicorn

    from moderation.serve.server import uvicorn_options

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="on", **uvicorn_options(app.state.server.settings))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def request(
    base: str,
    method: str,
    path: str,
    body: Any = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Reply:
    """One HTTP request; `body` is sent as JSON, `raw` as is."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    try:
        conn.request(method, path, body=data, headers=all_headers)
        resp = conn.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


class _Pipeline:
    produces = ("toxicity", "severe_toxicity", "insult", "identity_attack", "profanity", "threat", "sentiment")


class _Preset:
    scored_languages = ("en",)


class KnownScores:
    """Moderator stand-in: toxicity is the share of upper-case letters, with a span over the
    first upper-case word; a text holding BOOM fails; sleeps `delay_s` per call and records
    batch sizes."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.pipeline = _Pipeline()
        self.preset = _Preset()
        self.delay_s = delay_s
        self.batches: list[int] = []

    def score_texts(self, texts: list[str], target: str | None = None) -> list[TextResult]:
        self.batches.append(len(texts))
        if self.delay_s:
            time.sleep(self.delay_s)
        return [TextResult(t, self._scores(t), [], None) for t in texts]

    @staticmethod
    def _scores(text: str) -> Scores:
        if "BOOM" in text:  # as the pipeline reports a text a scorer failed on
            return Scores(error="ValueError: model failed")
        letters = [c for c in text if c.isalpha()]
        share = round(sum(c.isupper() for c in letters) / len(letters), 6) if letters else 0.0
        attrs = {name: share for name in _Pipeline.produces if name != "sentiment"}
        attrs["threat"] = 0.25
        spans = {}
        words = [(i, w) for i, w in _words(text) if w.isupper() and len(w) > 1]
        if words:
            start, word = words[0]
            spans["toxicity"] = TextSpan(start, start + len(word))
        return Scores(attributes=attrs, spans=spans)


def _words(text: str) -> Iterator[tuple[int, str]]:
    start = None
    for i, ch in enumerate(text + " "):
        if ch.isalpha() and start is None:
            start = i
        elif not ch.isalpha() and start is not None:
            yield start, text[start:i]
            start = None
