"""Per-thread figures. Pure functions over the data model, no IO."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moderation.analysis.rollup import figures
from moderation.schema import Comment, Scores, Thread


def thread_summary(thread: Thread, comments: Mapping[str, Comment], flagged: Sequence[str] = ()) -> dict[str, Any]:
    """Counts of one thread: comments, depth, participants, flagged."""
    members = [comments[cid] for cid in thread.comment_ids]
    authors = {c.author for c in members if c.author is not None}
    flagged_set = set(flagged)
    return {
        "thread_id": thread.thread_id,
        "article_id": thread.article_id,
        "n_comments": thread.n_comments,
        "max_depth": thread.max_depth,
        "participants": len(authors),
        "n_flagged": sum(1 for cid in thread.comment_ids if cid in flagged_set),
        "comment_ids": list(thread.comment_ids),
    }


def thread_row(
    thread: Thread,
    comments: Mapping[str, Comment],
    scores: Mapping[str, Scores],
    flagged: Sequence[str],
    heat_attributes: Sequence[str],
    thresholds: Mapping[str, float],
) -> dict[str, Any]:
    """One line of threads.jsonl: the counts and the score figures (see analysis/rollup.py)."""
    members = [comments[cid] for cid in thread.comment_ids]
    return {**thread_summary(thread, comments, flagged), **figures(members, scores, heat_attributes, thresholds)}
