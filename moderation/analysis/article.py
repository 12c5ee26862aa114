"""Everything the analysis adds to one scored article: flags, severities, rollups. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moderation.analysis.duplicates import DuplicateFinder
from moderation.analysis.flags import FlagSettings, flag_comments
from moderation.analysis.rollup import article_rollup
from moderation.analysis.threads import thread_row
from moderation.schema import Comment, Flag, Scores, Thread


@dataclass(frozen=True, slots=True)
class ArticleAnalysis:
    flags: dict[str, list[Flag]]
    severity: dict[str, float]
    rollup: dict[str, Any]
    thread_rows: list[dict[str, Any]]


def analyse_article(
    comments: Sequence[Comment],
    threads: Sequence[Thread],
    scores: Mapping[str, Scores],
    settings: FlagSettings,
    duplicates: DuplicateFinder | None = None,
) -> ArticleAnalysis:
    """Flags and figures of one article whose comments went through `build_threads`."""
    found = flag_comments(comments, scores, settings, duplicates)
    flagged = [cid for cid, a in found.items() if a.in_queue]
    by_id = {c.comment_id: c for c in comments}
    return ArticleAnalysis(
        flags={cid: a.flags for cid, a in found.items()},
        severity={cid: a.severity for cid, a in found.items()},
        rollup=article_rollup(comments, scores, len(threads), flagged, settings.heat_attributes, settings.thresholds),
        thread_rows=[
            thread_row(t, by_id, scores, flagged, settings.heat_attributes, settings.thresholds) for t in threads
        ],
    )
