"""The project's JSONL comment format, read as a stream: one JSON object per line, one comment each.

Fields: `article_id` and `text` (required), `comment_id`, `parent_id` (null or missing for
top-level), `author`, `timestamp` (ISO 8601 text), `status` (the platform's: `published`,
`deleted`, `removed`, `pending`, `spam`, ...; see parse/status.py). The file's own ids are kept as
`external_id`; `parent_id` is resolved within the article and `reply_to_author` names the
parent's author. This is the only JSONL reader: `moderate parse`, `moderate score` and the
API all read JSONL through `iter_articles` (whole-file `read` wraps it). The whole file is
never held in memory: lines are read one by one and grouped into articles by *consecutive*
`article_id`.

Contiguity: an article's comments must be contiguous in the file. When an `article_id`
that was already closed appears again further down, the new run of lines is NOT merged
with the earlier one (that would need the whole file in memory) and is NOT dropped: it
becomes a new article part with id `<article_id>~part<k>` and a `split_article` problem
saying where it was split. Sort the file by article_id to avoid this.

A line that cannot become a comment (invalid JSON, not an object, no usable text, longer
than `max_line_bytes`) is counted in `JsonlStats.rejected` and reported as a
`rejected_line` problem (with its line number) on the article being read; it is never
silently skipped, and it never costs the other lines of the file.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from moderation.errors import ParseError
from moderation.parse.assemble import RawComment, assemble_comments
from moderation.parse.base import Reader
from moderation.parse.status import platform_status
from moderation.schema import Article, Problem, SourceSpan

FORMAT = "jsonl"
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
_SNIFF_BYTES = 1 << 16
_SNIFF_LINES = 20
# The opening of a comment line longer than the sniff window: an object whose first key is ours.
_LONG_LINE_START = re.compile(
    rb'^\s*(?:\xef\xbb\xbf)?\{\s*"(?:article_id|comment_id|parent_id|author|text|timestamp)"\s*:'
)


class LineSource(Protocol):
    """Anything with a binary `readline(size)`: an open file, BytesIO, a hashing wrapper."""

    def readline(self, size: int = -1, /) -> bytes: ...


@dataclass(slots=True)
class JsonlStats:
    """Running counts of one file: lines read, comments made, lines rejected, bytes consumed."""

    lines: int = 0
    comments: int = 0
    rejected: int = 0
    bytes_read: int = 0
    seen_ids: set[str] = field(default_factory=set)  # article ids (one short string per article)


def sniff(data: bytes, path: str | None) -> float:
    """How sure we are that `data` is comment JSONL: judged on up to 20 non-blank lines, so one
    broken line (even the first) does not decide it; at least half must be comment objects."""
    head = data[:_SNIFF_BYTES]
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if len(head) == _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off
    elif len(head) == _SNIFF_BYTES and len(lines) == 1 and b"\n" not in head.rstrip(b"\r\n"):
        # One line longer than the window (a huge comment): judge it by how it opens.
        return 0.9 if _LONG_LINE_START.match(lines[0]) else 0.0
    lines = lines[:_SNIFF_LINES]
    good = 0
    for raw in lines:
        try:
            _row(raw)
        except ValueError:
            continue
        good += 1
    if not good or good * 2 < len(lines):
        return 0.0
    suffix = Path(path).suffix.lower() if path else ""
    return 0.95 if suffix in (".jsonl", ".ndjson") or path is None else 0.9


def read(data: bytes, path: str | None, article_id: str = "") -> list[Article]:
    """Every article of a JSONL file held in memory (the same reader as the stream).

    `article_id` is unused: each line names its own article."""
    articles = list(iter_articles(io.BytesIO(data), path))
    if not articles:
        raise ParseError(path, "no comment lines")
    return articles


def iter_articles(
    handle: LineSource,
    path: str | None,
    stats: JsonlStats | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[Article]:
    """Articles of a comment-JSONL stream, in file order, one at a time."""
    stats = stats if stats is not None else JsonlStats()
    current: ArticleDraft | None = None
    line_no = 0
    while True:
        raw = handle.readline(max_line_bytes + 1)
        if not raw:
            break
        line_no += 1
        start = stats.bytes_read
        stats.bytes_read += len(raw)
        if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
            # Swallow the rest of an over-long line without holding it.
            while raw and not raw.endswith(b"\n"):
                raw = handle.readline(max_line_bytes + 1)
                stats.bytes_read += len(raw)
            stats.lines += 1
            stats.rejected += 1
            current = current if current is not None else ArticleDraft(None, path)
            current.reject(line_no, f"line longer than {max_line_bytes} bytes")
            continue
        if not raw.strip():
            continue
        stats.lines += 1
        try:
            row = _row(raw)
        except ValueError as exc:
            stats.rejected += 1
            if current is None:
                current = ArticleDraft(None, path)
            current.reject(line_no, str(exc))
            continue
        article_id = row["article_id"]
        if current is None or current.article_id != article_id:
            if current is not None and current.article_id is not None:
                yield current.finish()
                current = None
            current = _open(article_id, path, stats, current)
        current.add(row, line_no, start, stats.bytes_read)
        stats.comments += 1
    if current is not None and (current.comments or current.problems):
        yield current.finish()


def _open(article_id: str, path: str | None, stats: JsonlStats, previous: ArticleDraft | None) -> ArticleDraft:
    carried = previous.problems if previous is not None and previous.article_id is None else []
    if article_id in stats.seen_ids:
        part = 2
        while f"{article_id}~part{part}" in stats.seen_ids:
            part += 1
        draft = ArticleDraft(f"{article_id}~part{part}", path)
        draft.problems.append(
            Problem(
                "split_article",
                f"article {article_id!r} appears again after other articles; its comments must be "
                f"contiguous: read as a separate part {draft.article_id!r}",
            )
        )
    else:
        draft = ArticleDraft(article_id, path)
    draft.problems[:0] = carried
    stats.seen_ids.add(article_id)
    if draft.article_id is not None:
        stats.seen_ids.add(draft.article_id)
    return draft


def _row(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (invalid byte at offset {exc.start})") from None
    try:
        row = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return comment_row(row)


def comment_row(row: Any) -> dict[str, Any]:
    """A decoded row checked as one comment (ValueError says why not): the one validation of
    comment rows, for JSONL lines here and for table rows (distributed/tables.py)."""
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    article_id = row.get("article_id")
    if not isinstance(article_id, str | int) or isinstance(article_id, bool) or str(article_id) == "":
        raise ValueError("no article_id")
    text_value = row.get("text")
    if not isinstance(text_value, str):
        raise ValueError("no text (must be a string)")
    row["article_id"] = str(article_id)
    if isinstance(row.get("timestamp"), datetime):  # a table's timestamp column
        row["timestamp"] = row["timestamp"].isoformat()
    return row


def _opt_str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = str(value)
    return text or None


class ArticleDraft:
    """One article's lines (or table rows) as export records; `finish` assembles them like every
    export reader."""

    __slots__ = ("article_id", "path", "problems", "records")

    def __init__(self, article_id: str | None, path: str | None) -> None:
        self.article_id = article_id
        self.path = path
        self.records: list[RawComment] = []
        self.problems: list[Problem] = []

    @property
    def comments(self) -> list[RawComment]:
        return self.records

    def add(self, row: dict[str, Any], line_no: int, byte_start: int | None, byte_end: int | None) -> None:
        self.records.append(
            RawComment(
                external_id=_opt_str(row.get("comment_id")),
                author=_opt_str(row.get("author")),
                text=row["text"],
                parent_external_id=_opt_str(row.get("parent_id")),
                timestamp=_opt_str(row.get("timestamp")),
                source=SourceSpan(self.path, line_no, line_no, byte_start, byte_end),
                status=platform_status(_opt_str(row.get("status"))),
            )
        )

    def reject(self, line_no: int, problem: str) -> None:
        """A line (row) that could not become a comment, reported on this article."""
        self.problems.append(Problem("rejected_line", problem, line=line_no))

    def finish(self) -> Article:
        if self.article_id is None:
            raise ParseError(self.path, "no line of the file could be read as a comment")
        article = Article(article_id=self.article_id, source_path=self.path, format=FORMAT)
        article.problems = self.problems
        return assemble_comments(article, self.records)


READER = Reader(
    name=FORMAT,
    description="JSON Lines, one comment per line: article_id, text; optional comment_id, parent_id, author, timestamp",
    sniff=sniff,
    read=read,
    stream=iter_articles,
)
