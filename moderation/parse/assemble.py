"""Shared assembly step of the export readers: raw records in source order -> finished Comments.

Every export reader turns its format into `RawComment`s (the export's own id, its parent's
id or its parent's position, author, text, ...) and hands them to `assemble_comments`,
which numbers them `<article_id>#<n>`, resolves parents, reports what cannot be resolved,
links threads (`build_threads`) and appends `check_comments` results. One place, so every
format maps ids and reports integrity problems the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from moderation.parse.status import resolve_status
from moderation.schema import Article, Comment, Problem, SourceSpan, build_threads, check_comments

# Elements whose start and end break paragraphs in `text_from_html`.
BLOCK_TAGS: frozenset[str] = frozenset(
    ("p", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section")
)


@dataclass(slots=True)
class RawComment:
    """One comment as an export holds it, before our ids are assigned.

    The parent is given either by position (`parent_index`: index of an earlier record in
    the same list, for nested formats where the structure itself says who the parent is)
    or by the export's own id (`parent_external_id`, for flat formats).
    """

    external_id: str | None
    author: str | None
    text: str
    parent_external_id: str | None = None
    parent_index: int | None = None
    timestamp: str | None = None
    source: SourceSpan | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    reply_to_author: str | None = None  # the name the text says it answers, when it says so
    status: str | None = None  # the platform's own status, in our vocabulary (see parse/status.py)
    quote: str | None = None  # quoted parent text, already cut out of `text`


def assemble_comments(article: Article, records: Sequence[RawComment]) -> Article:
    """Fill `article.comments` from records in source order and report integrity problems.

    Parents named by external id resolve to the first comment carrying that id; a parent
    id that no comment carries leaves `parent_id` None and is reported as an orphan (the
    missing id is kept in `extra["missing_parent"]`). Duplicate external ids are reported;
    both comments are kept.
    """
    aid = article.article_id
    comments: list[Comment] = []
    first_with_external: dict[str, str] = {}
    problems: list[Problem] = []
    for n, rec in enumerate(records, start=1):
        cid = f"{aid}#{n}"
        status, placeholder = resolve_status(rec.text, rec.status)
        if rec.external_id is not None:
            if rec.external_id in first_with_external:
                problems.append(
                    Problem(
                        "duplicate_id",
                        f"export id {rec.external_id!r} also used by {first_with_external[rec.external_id]}",
                        cid,
                    )
                )
            else:
                first_with_external[rec.external_id] = cid
        comments.append(
            Comment(
                comment_id=cid,
                article_id=aid,
                position=n,
                author=rec.author,
                text=rec.text,
                source=rec.source,
                timestamp=rec.timestamp,
                external_id=rec.external_id,
                extra=dict(rec.extra),
                status=status,
                placeholder=placeholder,
                quote=rec.quote,
            )
        )
    for comment, rec in zip(comments, records, strict=True):
        parent: Comment | None = None
        if rec.parent_index is not None and 0 <= rec.parent_index < len(comments):
            parent = comments[rec.parent_index]
        elif rec.parent_external_id is not None:
            parent_cid = first_with_external.get(rec.parent_external_id)
            if parent_cid is None:
                comment.extra["missing_parent"] = rec.parent_external_id
                problems.append(
                    Problem("orphan", f"parent {rec.parent_external_id!r} not found in the export", comment.comment_id)
                )
            else:
                parent = comments[int(parent_cid.rsplit("#", 1)[1]) - 1]
        if parent is not None:
            comment.parent_id = parent.comment_id
            comment.reply_to_author = parent.author
        if rec.reply_to_author:
            comment.reply_to_author = rec.reply_to_author
    article.comments = comments
    build_threads(comments)
    article.problems.extend(problems)
    article.problems.extend(check_comments(comments))
    return article


def rename_article(article: Article, new_id: str) -> Article:
    """Give `article` (already assembled) the id `new_id`: every comment id, parent id, thread id
    and problem reference follows, so ids stay `<article_id>#<n>` and unique by construction."""
    old_ids = {c.comment_id: f"{new_id}#{c.position}" for c in article.comments}
    for comment in article.comments:
        comment.article_id = new_id
        comment.comment_id = old_ids[comment.comment_id]
        if comment.parent_id is not None:
            comment.parent_id = old_ids.get(comment.parent_id, comment.parent_id)
        if comment.thread_id is not None:
            comment.thread_id = old_ids.get(comment.thread_id, comment.thread_id)
    article.problems = [
        replace(p, comment_id=old_ids.get(p.comment_id, p.comment_id)) if p.comment_id is not None else p
        for p in article.problems
    ]
    article.article_id = new_id
    return article


def iso_from_epoch(seconds: Any, *, milliseconds: bool = False) -> str | None:
    """UTC ISO 8601 text of a Unix time, e.g. '2013-04-18T03:04:07Z' (sorts as text).

    None when the value is not a usable time (missing, not a number, out of range): the
    comment then simply has no timestamp.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    value = seconds / 1000 if milliseconds else seconds
    try:
        return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


def text_from_html(fragment: str | None) -> str:
    """Plain text of an HTML fragment (paragraphs and <br> become line breaks).

    Every character of text content is kept, whatever the markup around it: a tokenizer
    (the standard library's, which builds no tree) has no nesting limit, so text inside
    hundreds of nested tags, after an entity or inside inline markup is never cut off.
    Unknown entities stay as written; HTML comments are dropped.
    """
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment and "&" not in fragment:
        return clean_text(fragment)
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return clean_text("".join(collector.parts))


class _TextCollector(HTMLParser):
    """Collects text content; <br> as a line break, block elements as paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


# A Markdown or e-mail quote line ("> quoted words"); not an emoticon such as ">:(".
QUOTE_LINE = re.compile(r"^\s*>(?![:;=(<>)-])\s?")


def split_quoted_lines(text: str) -> tuple[str, str | None]:
    """(the author's own lines, the quoted `>` lines without their marker, or None).

    A text that is nothing but quoted lines stays as it is: with no words of their own
    beside it, the quoted words are what the author chose to post."""
    if ">" not in text:
        return text, None
    own: list[str] = []
    quoted: list[str] = []
    for line in text.split("\n"):
        if QUOTE_LINE.match(line):
            quoted.append(QUOTE_LINE.sub("", line, count=1))
        else:
            own.append(line)
    own_text = clean_text("\n".join(own))
    if not quoted or not own_text:
        return text, None
    return own_text, clean_text("\n".join(quoted)) or None


# A run of two or more whitespace characters, or one that is not a plain space: what
# `" ".join(line.split())` would turn into one space, found without splitting the line into
# words (a 50 MB comment would become millions of strings, gigabytes).
_SPACE_RUN = re.compile(r"\s{2,}|[^\S ]")


def clean_text(text: str | None) -> str:
    """Text with spaces collapsed inside lines, and runs of blank lines collapsed to one."""
    if not text:
        return ""
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
