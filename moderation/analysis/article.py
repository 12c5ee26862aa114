"""Everything the analysis adds to one scored article: flags, severities, rollups. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moderation.analysis.duplicates import DuplicateFinder
from moderation.analysis.flags import FlagSettings, flag_comments, severity
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
    flags = flag_comments(comments, scores, settings, duplicates)
    flagged = [cid for cid, f in flags.items() if f]
    by_id = {c.comment_id: c for c in comments}
    return ArticleAnalysis(
        flags=flags,
        severity={cid: round(severity(f, settings.weights, settings.default_weight), 6) for cid, f in flags.items()},
        rollup=article_rollup(comments, scores, len(threads), flagged, settings.heat_attributes, settings.thresholds),
        thread_rows=[
            thread_row(t, by_id, scores, flagged, settings.heat_attributes, settings.thresholds) for t in threads
        ],
    )
