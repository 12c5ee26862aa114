"""How the models and flag rules read a comment: which comments they score, and the text
they read of a comment longer than the preset's `max_comment_chars`. No torch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from moderation.schema import SCORED_STATUSES, Article, Comment, Problem

UNSUPPORTED_LANGUAGE = "unsupported_language"
LONG_COMMENT = "long_comment"  # problem kind: a comment cut at max_comment_chars for scoring


def bounded(comment: Comment, max_chars: int) -> Comment:
    """The comment as the models and flag rules read it: itself, or a copy of it whose text
    is cut at `max_chars` characters (a 50 MB comment would cost gigabytes in them)."""
    if len(comment.text) <= max_chars:
        return comment
    return replace(comment, text=comment.text[:max_chars])


def mark_long_comments(article: Article, max_chars: int) -> None:
    """A `long_comment` problem for each scorable comment longer than `max_chars` (once)."""
    marked = {p.comment_id for p in article.problems if p.kind == LONG_COMMENT}
    for c in article.comments:
        if len(c.text) > max_chars and c.comment_id not in marked and c.scorable:
            detail = f"{len(c.text):,} characters: scores and flags read the first {max_chars:,} (max_comment_chars)"
            article.problems.append(Problem(LONG_COMMENT, detail, comment_id=c.comment_id))


def not_scored_reason(comment: Comment, scored_languages: Sequence[str]) -> str | None:
    """Why the models must not score this comment, or None when they should: platform
    placeholders, comments the platform took down, empty texts, and languages the models
    were not trained on (word lists, links and duplicates still apply to those)."""
    if comment.placeholder:
        return "placeholder"
    if comment.status not in SCORED_STATUSES:
        return comment.status
    if not comment.text.strip():
        return "empty"
    if comment.language is not None and comment.language not in scored_languages:
        return UNSUPPORTED_LANGUAGE
    return None
