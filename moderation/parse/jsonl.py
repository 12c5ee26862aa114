"""The project's own JSONL comment format: one JSON object per line, one comment each.

Fields: `article_id`, `comment_id`, `parent_id` (null or missing for top-level), `author`,
`text`, optional `timestamp` (ISO 8601 text). Comments are grouped by `article_id` (one
Article per value, in order of first appearance); `comment_id`/`parent_id` are the file's
own ids, kept as `external_id`. Blank lines are skipped. See docs/formats.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from moderation.errors import ParseError
from moderation.schema import Article, SourceSpan
from moderation.parse.base import Reader, decode_text
from moderation.parse.assemble import RawComment, assemble_comments

FORMAT = "jsonl"
REQUIRED_FIELDS: tuple[str, ...] = ("article_id", "comment_id", "text")
OPTIONAL_TEXT_FIELDS: tuple[str, ...] = ("parent_id", "author", "timestamp")


def _field_text(obj: dict[str, Any], key: str, path: str | None, line: int) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ParseError(path, f"line {line}: field {key!r} must be text or a number, not {type(value).__name__}")
    return str(value)


def _parse_line(raw: str, path: str | None, line: int) -> dict[str, Any]:
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(path, f"line {line}: invalid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise ParseError(path, f"line {line}: expected a JSON object, got {type(obj).__name__}")
    missing = [k for k in REQUIRED_FIELDS if obj.get(k) is None]
    if missing:
        raise ParseError(path, f"line {line}: missing field(s) {', '.join(missing)}")
    return obj


def read(data: bytes, path: str | None, article_id: str) -> list[Article]:
    text = decode_text(data, path)
    groups: dict[str, list[RawComment]] = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        obj = _parse_line(raw, path, line_no)
        values = {k: _field_text(obj, k, path, line_no) for k in (*REQUIRED_FIELDS, *OPTIONAL_TEXT_FIELDS)}
        group = groups.setdefault(values["article_id"] or "", [])
        group.append(
            RawComment(
                external_id=values["comment_id"],
                author=values["author"],
                text=values["text"] or "",
                parent_external_id=values["parent_id"],
                timestamp=values["timestamp"],
                source=SourceSpan(path, line_start=line_no, line_end=line_no),
            )
        )
    if not groups:
        raise ParseError(path, "no comment lines")
    return [
        assemble_comments(Article(article_id=aid, source_path=path, format=FORMAT), records)
        for aid, records in groups.items()
    ]


def sniff(data: bytes, path: str | None) -> float:
    head = data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [ln for ln in head.splitlines() if ln.strip()][:5]
    if not lines:
        return 0.0
    checked = lines[:-1] if len(lines) > 1 and len(head) == 65536 else lines  # last line may be cut off
    for raw in checked:
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            return 0.0
        if not isinstance(obj, dict) or any(k not in obj for k in REQUIRED_FIELDS):
            return 0.0
    return 0.95 if path is None or Path(path).suffix.lower() in (".jsonl", ".ndjson") else 0.9


READER = Reader(
    name=FORMAT,
    description="JSON Lines, one comment per line: article_id, comment_id, parent_id, author, text, timestamp",
    sniff=sniff,
    read=read,
)
