"""The data model: articles, comments, threads, scores and flags (standard library only).

Every reader produces `Article` objects holding `Comment`s in source order; `to_dict`
gives the typed output rows of `moderation.schema.rows`. Import from `moderation.schema`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from moderation.schema.rows import (
    ArticleRow,
    BoilerplateRow,
    CommentRow,
    FlagRow,
    ProblemRow,
    ScoresRow,
    SourceRow,
    SpanRow,
)

# Files a run writes into its output folder (run.json marks a finished run).
OUTPUT_FILES: tuple[str, ...] = (
    "articles.jsonl",
    "comments.jsonl",
    "threads.jsonl",
    "articles.parquet",
    "comments.parquet",
    "threads.parquet",
    "report.html",
    "run.json",
)

# Score names of the output contract. Attributes are single floats in [0, 1];
# groups are distributions over their classes.
# `unhealthy`: probability that a news-comment annotator would call the comment not healthy
# (hostile, antagonising, dismissive, condescending, sarcastic or generalising; UCC's labels).
TOXICITY_ATTRIBUTES: tuple[str, ...] = (
    "toxicity", "severe_toxicity", "insult", "identity_attack", "profanity", "threat", "unhealthy",
)  # fmt: skip
PUBLISHED = "published"  # Comment.status of an ordinary comment
# Statuses whose text is scored (pending: awaiting the platform's moderation, what a moderator
# must decide); deleted, removed, rejected, spam, ... are kept and counted, never scored.
SCORED_STATUSES: tuple[str, ...] = (PUBLISHED, "pending")
# Comment.status of a second copy of a comment that another export of the same platform
# article also carries (parse/copies.py): kept and counted, `copy_of` names the original.
COPY = "copy"
SCORE_GROUPS: dict[str, tuple[str, ...]] = {
    "sentiment": ("negative", "neutral", "positive"),
    "stance": ("support", "deny", "query", "comment"),
}


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """Where a piece of text came from: a path and a 1-based inclusive line range or byte offsets."""

    path: str | None
    line_start: int | None = None
    line_end: int | None = None
    byte_start: int | None = None
    byte_end: int | None = None

    def to_dict(self) -> SourceRow:
        out: SourceRow = {"path": self.path}
        if self.line_start is not None:
            out["line_start"] = self.line_start
            out["line_end"] = self.line_end
        if self.byte_start is not None:
            out["byte_start"] = self.byte_start
            out["byte_end"] = self.byte_end
        return out


@dataclass(frozen=True, slots=True)
class BoilerplateLine:
    """A line of page chrome that was dropped from the body, kept for the record."""

    line: int
    text: str
    kind: str

    def to_dict(self) -> BoilerplateRow:
        return {"line": self.line, "text": self.text, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Problem:
    """An integrity problem found in a document or a comment tree.

    kind is one of: unresolved_reply, orphan, cycle, duplicate_id, several_roots,
    reply_before_parent, empty_comment, no_comment_section, unclassified_line, and
    format-specific kinds that readers add.
    """

    kind: str
    detail: str
    comment_id: str | None = None
    line: int | None = None

    def to_dict(self) -> ProblemRow:
        out: ProblemRow = {"kind": self.kind, "detail": self.detail}
        if self.comment_id is not None:
            out["comment_id"] = self.comment_id
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass(slots=True)
class Comment:
    """One reader comment as the page shows it.

    `parent_id` is the comment it replies to when that can be resolved; `reply_to_author`
    keeps the name the page says it replies to even when no such comment exists.
    `thread_id` and `depth` are filled in by `build_threads`.
    """

    comment_id: str
    article_id: str
    position: int  # 1-based position in the source
    author: str | None
    text: str
    parent_id: str | None = None
    reply_to_author: str | None = None
    source: SourceSpan | None = None
    timestamp: str | None = None
    external_id: str | None = None  # the id the export itself used, when it had one
    thread_id: str | None = None
    depth: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # format-specific facts (votes, ...)
    status: str = PUBLISHED  # or the platform's word for it: deleted, removed, pending, spam, ...
    placeholder: bool = False  # the text is the platform's stand-in ("[deleted]"), not the author's
    language: str | None = None  # detected language code (`en`, `de`, ...), set before scoring
    quote: str | None = None  # quoted parent text, kept apart from the author's own words
    copy_of: str | None = None  # status `copy`: the comment id of the original it repeats

    @property
    def scorable(self) -> bool:
        """The author's own text, not taken down: only such comments are scored and flagged."""
        return self.status in SCORED_STATUSES and not self.placeholder and bool(self.text.strip())

    def to_dict(self) -> CommentRow:
        out: CommentRow = {
            "article_id": self.article_id,
            "comment_id": self.comment_id,
            "author": self.author,
            "text": self.text,
            "parent_id": self.parent_id,
            "reply_to_author": self.reply_to_author,
            "thread_id": self.thread_id,
            "depth": self.depth,
            "source": self.source.to_dict() if self.source else None,
            "status": self.status,
        }
        if self.placeholder:
            out["placeholder"] = True
        if self.language is not None:
            out["language"] = self.language
        if self.quote is not None:
            out["quote"] = self.quote
        if self.copy_of is not None:
            out["copy_of"] = self.copy_of
        if self.timestamp is not None:
            out["timestamp"] = self.timestamp
        if self.external_id is not None:
            out["external_id"] = self.external_id
        if self.extra:
            out["extra"] = self.extra
        return out


@dataclass(slots=True)
class Article:
    """One input document: the article, its metadata, and its comments in source order."""

    article_id: str
    source_path: str | None
    format: str
    site: str | None = None
    title: str | None = None
    subtitle: str | None = None
    dateline: str | None = None
    section: str | None = None
    body: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    boilerplate: list[BoilerplateLine] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # For line-based readers: (first_line, last_line, role) runs covering every input line once.
    layout: list[tuple[int, int, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # format-specific facts (unloaded replies, ...)

    @property
    def stance_target(self) -> str | None:
        """The text comments take a stance toward: the title and the lead paragraph."""
        parts = [p for p in (self.title, self.body[0] if self.body else None) if p]
        return " ".join(parts) if parts else None

    def to_dict(self) -> ArticleRow:
        row: ArticleRow = {
            "article_id": self.article_id,
            "source_path": self.source_path,
            "format": self.format,
            "site": self.site,
            "title": self.title,
            "subtitle": self.subtitle,
            "dateline": self.dateline,
            "section": self.section,
            "body": list(self.body),
            "tags": list(self.tags),
            "related": list(self.related),
            "boilerplate": [b.to_dict() for b in self.boilerplate],
            "n_comments": len(self.comments),
            "stance_target": self.stance_target,
            "problems": [p.to_dict() for p in self.problems],
            "layout": [list(run) for run in self.layout],
        }
        if self.extra:
            row["extra"] = self.extra
        return row


@dataclass(frozen=True, slots=True)
class Thread:
    """A top-level comment and all its replies, in source order."""

    thread_id: str
    article_id: str
    comment_ids: tuple[str, ...]
    max_depth: int

    @property
    def n_comments(self) -> int:
        return len(self.comment_ids)

    def check(self, comments: Sequence[Comment]) -> list[Problem]:
        """Integrity problems among this thread's comments (see `check_comments`)."""
        members = set(self.comment_ids)
        from moderation.schema.tree import check_comments

        return check_comments([c for c in comments if c.comment_id in members])


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A character range of a comment's text, e.g. the chunk that scored highest."""

    start: int
    end: int

    def to_dict(self) -> SpanRow:
        return {"start": self.start, "end": self.end}


@dataclass(slots=True)
class Scores:
    """Scores of one comment. Only what the preset produced is present."""

    attributes: dict[str, float] = field(default_factory=dict)
    groups: dict[str, dict[str, float]] = field(default_factory=dict)
    spans: dict[str, TextSpan] = field(default_factory=dict)
    error: str | None = None  # set when the comment could not be scored

    def labels(self) -> dict[str, str]:
        return {name: max(dist, key=dist.__getitem__) for name, dist in self.groups.items() if dist}

    def to_dict(self) -> ScoresRow:
        out: dict[str, Any] = dict(self.attributes)
        out.update({name: dict(dist) for name, dist in self.groups.items()})
        return cast(ScoresRow, out)


@dataclass(frozen=True, slots=True)
class Flag:
    """Why a comment needs a human look: the rule, the value that fired, and its threshold."""

    reason: str
    score: float
    threshold: float
    span: TextSpan | None = None
    detail: str | None = None

    def to_dict(self) -> FlagRow:
        out: FlagRow = {"reason": self.reason, "score": self.score, "threshold": self.threshold}
        if self.span is not None:
            out["span"] = self.span.to_dict()
        if self.detail is not None:
            out["detail"] = self.detail
        return out
