"""The data model: articles, comments, threads, scores and flags.

Standard library only. Every reader produces `Article` objects holding `Comment`s in
source order; `build_threads` links them into reply trees without recursion, and
`check_comments` lists integrity problems (orphans, cycles, duplicate ids, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Files a run writes into its output folder (run.json marks a finished run).
OUTPUT_FILES: tuple[str, ...] = ("articles.jsonl", "comments.jsonl", "threads.jsonl", "report.html", "run.json")

# Score names of the output contract. Attributes are single floats in [0, 1];
# groups are distributions over their classes.
TOXICITY_ATTRIBUTES: tuple[str, ...] = (
    "toxicity",
    "severe_toxicity",
    "insult",
    "identity_attack",
    "profanity",
    "threat",
)
PUBLISHED = "published"  # Comment.status of an ordinary comment
# Statuses whose text is scored: published, and pending (awaiting the platform's own
# moderation: exactly what a moderator has to decide). Deleted, removed, rejected, spam,
# hidden and other statuses are kept and counted, never scored or flagged.
SCORED_STATUSES: tuple[str, ...] = (PUBLISHED, "pending")
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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
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

    def to_dict(self) -> dict[str, Any]:
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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "detail": self.detail}
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
    # `published`, or what the platform says instead (`deleted`, `removed`, `pending`, `spam`,
    # `rejected`, ...); anything but `published` is never scored, flagged or deduplicated.
    status: str = "published"
    placeholder: bool = False  # the text is the platform's stand-in ("[deleted]"), not the author's
    language: str | None = None  # detected language code (`en`, `de`, ...), set before scoring
    quote: str | None = None  # quoted parent text, kept apart from the author's own words

    @property
    def scorable(self) -> bool:
        """True when the text is the author's and the platform has not taken it down: only
        such comments are scored, flagged and indexed as duplicates."""
        return self.status in SCORED_STATUSES and not self.placeholder and bool(self.text.strip())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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

    def to_dict(self) -> dict[str, Any]:
        return {
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
            **({"extra": self.extra} if self.extra else {}),
        }


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
        return check_comments([c for c in comments if c.comment_id in members])


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A character range of a comment's text, e.g. the chunk that scored highest."""

    start: int
    end: int

    def to_dict(self) -> dict[str, int]:
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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.attributes)
        out.update({name: dict(dist) for name, dist in self.groups.items()})
        return out


@dataclass(frozen=True, slots=True)
class Flag:
    """Why a comment needs a human look: the rule, the value that fired, and its threshold."""

    reason: str
    score: float
    threshold: float
    span: TextSpan | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reason": self.reason, "score": self.score, "threshold": self.threshold}
        if self.span is not None:
            out["span"] = self.span.to_dict()
        if self.detail is not None:
            out["detail"] = self.detail
        return out


def build_threads(comments: Sequence[Comment]) -> list[Thread]:
    """Set `thread_id` and `depth` on every comment and return the threads in source order.

    Comments whose parent is missing become roots of their own thread. A reply cycle is
    broken at its earliest comment (in source order), which becomes a root; `check_comments`
    reports it. Iterative: a 10,000-deep chain does not touch the recursion limit.
    """
    by_id = {c.comment_id: c for c in comments}
    order = {c.comment_id: i for i, c in enumerate(comments)}
    root_of: dict[str, str] = {}
    depth_of: dict[str, int] = {}
    cycle_roots = _cycle_breakers(comments, by_id, order)

    for comment in comments:
        if comment.comment_id in root_of:
            continue
        # Walk up to a known ancestor or a root, then assign on the way back down.
        path: list[str] = []
        current: str | None = comment.comment_id
        while current is not None and current not in root_of:
            path.append(current)
            node = by_id[current]
            parent = node.parent_id
            current = None if current in cycle_roots or parent is None or parent not in by_id else parent
        if current is None:
            top = path.pop()
            root_of[top] = top
            depth_of[top] = 0
            base_root, base_depth = top, 0
        else:
            base_root, base_depth = root_of[current], depth_of[current]
        for cid in reversed(path):
            base_depth += 1
            root_of[cid] = base_root
            depth_of[cid] = base_depth

    members: dict[str, list[str]] = {}
    for comment in comments:
        comment.thread_id = root_of[comment.comment_id]
        comment.depth = depth_of[comment.comment_id]
        members.setdefault(comment.thread_id, []).append(comment.comment_id)
    return [
        Thread(
            thread_id=root,
            article_id=by_id[root].article_id,
            comment_ids=tuple(ids),
            max_depth=max(depth_of[i] for i in ids),
        )
        for root, ids in sorted(members.items(), key=lambda item: order[item[0]])
    ]


def _cycle_breakers(comments: Sequence[Comment], by_id: dict[str, Comment], order: dict[str, int]) -> set[str]:
    """The earliest comment of every reply cycle."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    breakers: set[str] = set()
    for comment in comments:
        walk: list[str] = []
        current: str | None = comment.comment_id
        while current is not None and current in by_id and state.get(current) is None:
            state[current] = 1
            walk.append(current)
            current = by_id[current].parent_id
        if current is not None and state.get(current) == 1:
            cycle = walk[walk.index(current) :]
            breakers.add(min(cycle, key=order.__getitem__))
        for cid in walk:
            state[cid] = 2
    return breakers


def check_comments(comments: Sequence[Comment]) -> list[Problem]:
    """Integrity problems of a comment list: unresolved replies, orphans, cycles, duplicates,
    several roots in one thread, replies older than their parents."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for comment in comments:
        if comment.comment_id in seen:
            problems.append(
                Problem("duplicate_id", f"comment id {comment.comment_id!r} appears more than once", comment.comment_id)
            )
        seen.add(comment.comment_id)
    by_id: dict[str, Comment] = {}
    for comment in comments:
        by_id.setdefault(comment.comment_id, comment)  # the first of duplicates is the parent
    order = {c.comment_id: i for i, c in enumerate(comments)}
    for comment in comments:
        if comment.parent_id is None and comment.reply_to_author:
            problems.append(
                Problem(
                    "unresolved_reply",
                    f"replies to {comment.reply_to_author!r}, who has no earlier comment",
                    comment.comment_id,
                )
            )
        elif comment.parent_id is not None and comment.parent_id not in by_id:
            problems.append(Problem("orphan", f"parent {comment.parent_id!r} not found", comment.comment_id))
        elif comment.parent_id is not None:
            parent = by_id[comment.parent_id]
            if comment.timestamp and parent.timestamp and comment.timestamp < parent.timestamp:
                problems.append(
                    Problem(
                        "reply_before_parent",
                        f"posted {comment.timestamp}, before its parent ({parent.timestamp})",
                        comment.comment_id,
                    )
                )
    for breaker in sorted(_cycle_breakers(comments, by_id, order), key=order.__getitem__):
        problems.append(Problem("cycle", "reply chain loops back to this comment; treated as a thread root", breaker))
    roots_by_thread: dict[str, list[str]] = {}
    for comment in comments:
        if comment.thread_id is not None and comment.depth == 0:
            roots_by_thread.setdefault(comment.thread_id, []).append(comment.comment_id)
    for thread_id, roots in roots_by_thread.items():
        if len(roots) > 1:
            problems.append(Problem("several_roots", f"thread {thread_id!r} has roots {roots}", thread_id))
    return problems


def iter_descendants(root_id: str, comments: Iterable[Comment]) -> list[str]:
    """Ids of every reply below root_id (breadth first, cycle-safe)."""
    children: dict[str, list[str]] = {}
    for c in comments:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c.comment_id)
    out: list[str] = []
    seen = {root_id}
    queue = list(children.get(root_id, ()))
    while queue:
        cid = queue.pop(0)
        if cid in seen:
            continue
        seen.add(cid)
        out.append(cid)
        queue.extend(children.get(cid, ()))
    return out
