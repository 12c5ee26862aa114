"""Hostile inputs for readers, shared by the fuzz tests and benchmarks/fuzz_readers.py."""

from __future__ import annotations

import io
import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moderation.errors import ParseError
from moderation.parse import jsonl
from moderation.parse.base import Reader
from moderation.schema import Article

ROOT = Path(__file__).resolve().parents[1]
_PROSE = "A body paragraph that is long enough to count as prose, surely."


def sample_files() -> list[bytes]:
    """Real inputs to mutate: the seeds and every fixture that is an input, not an expectation."""
    files = sorted((ROOT / "seeds").glob("*")) + sorted(
        p for p in (ROOT / "tests" / "fixtures").rglob("*") if p.is_file() and p.suffix != ".json"
    )
    return [p.read_bytes() for p in files if p.is_file()]


class ReaderTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (ReaderTimeout) when the body runs longer than `seconds` (main thread, Unix)."""

    def expire(signum, frame):  # type: ignore[no-untyped-def]
        raise ReaderTimeout(f"reader ran longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_with(reader: Reader, data: bytes, seconds: float = 10.0) -> list[Article] | ParseError:
    """A reader's articles, or the ParseError it raised; any other exception propagates."""
    with time_limit(seconds):
        try:
            articles = reader.read(data, "fuzz-input", "fuzz")
        except ParseError as exc:
            return exc
    assert isinstance(articles, list) and all(isinstance(a, Article) for a in articles)
    for article in articles:
        ids = [c.comment_id for c in article.comments]
        assert len(ids) == len(set(ids)), "comment ids must be unique within an article"
    return articles


def stream_jsonl(data: bytes, seconds: float = 10.0, max_line_bytes: int = 1 << 20) -> list[Article] | ParseError:
    """The streaming JSONL reader over `data`, with the same contract as `read_with`."""
    stats = jsonl.JsonlStats()
    with time_limit(seconds):
        try:
            articles = list(jsonl.iter_articles(io.BytesIO(data), "fuzz-input", stats, max_line_bytes))
        except ParseError as exc:
            return exc
    parsed = sum(len(a.comments) for a in articles)
    assert stats.lines == parsed + stats.rejected, "every non-blank line is a comment or a rejected line"
    return articles


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random damage: truncate, flip bytes, insert NULs, splice Latin-1 or junk, repeat lines."""
    kind = rng.randrange(8)
    n = len(data)
    if kind == 0 and n:
        return data[: rng.randrange(n)]
    if kind == 1 and n:
        out = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(n)] = rng.randrange(256)
        return bytes(out)
    if kind == 2:
        at = rng.randrange(n + 1)
        return data[:at] + b"\x00" * rng.randint(1, 8) + data[at:]
    if kind == 3:
        at = rng.randrange(n + 1)
        return data[:at] + "café crème à la ümlaut".encode("latin-1") + data[at:]
    if kind == 4:
        lines = data.splitlines(keepends=True)
        if lines:
            i = rng.randrange(len(lines))
            lines[i : i + 1] = [lines[i]] * rng.randint(2, 200)
        return b"".join(lines)
    if kind == 5:
        at = rng.randrange(n + 1)
        return data[:at] + rng.randbytes(rng.randint(1, 256)) + data[at:]
    if kind == 6:
        junk = rng.choice([b"<div>" * 2000, b"{" * 5000, b"[" * 5000, b"\xef\xbb\xbf", b"\r\r\n\n" * 50,
                           "• avatar\n  in reply to\n".encode() * 100, b" " * 100_000])  # fmt: skip
        at = rng.randrange(n + 1)
        return data[:at] + junk + data[at:]
    return rng.randbytes(rng.randint(0, 4096))


def deep_reply_chain_text_page(depth: int) -> bytes:
    """A plain-text page whose comments each reply to the one before: a `depth`-deep thread."""
    head = (
        "Deep thread page title\n\nA body paragraph that is long enough to count as prose, surely.\n\nAll comments\n\n"
    )
    parts = ["• user0\n  the first comment.\n"]
    for i in range(1, depth):
        parts.append(f"• user{i}in reply touser{i - 1}(Show commentHide comment)\n  reply number {i}.\n")
    return (head + "".join(parts)).encode("utf-8")


def deep_reply_chain_jsonl(depth: int) -> bytes:
    import json

    rows = [{"article_id": "a", "comment_id": "0", "text": "root"}]
    rows += [
        {"article_id": "a", "comment_id": str(i), "parent_id": str(i - 1), "text": f"r{i}"} for i in range(1, depth)
    ]
    return "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")


def huge_comment_text_page(n_bytes: int) -> bytes:
    head = (
        "Huge comment page title\n\nA body paragraph that is long enough to count as prose, surely.\n\nAll comments\n\n"
    )
    word = "blah "
    return (head + "• someone\n  " + word * (n_bytes // len(word)) + "\n").encode("utf-8")


def nested_html(depth: int) -> bytes:
    return b"<html><body>" + b"<div>" * depth + b"text" + b"</div>" * depth + b"</body></html>"
