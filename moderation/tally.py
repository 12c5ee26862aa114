"""What a run counts of its results, a chunk at a time: counts, detected languages, platform
statuses, why comments were not scored, problems, the terminal's article table and its most
severe flagged comments.

`count` reads a chunk's results where the chunk was scored (a worker process, or the run's
own; moderation/prefetch.py), so that a worker hands back these figures and the chunk's
rendered rows instead of the result objects; `add` adds a chunk's `Tally` to the run's
context, in input order. The bounded lists are bounded per chunk as well, and what a chunk
keeps is what the run would keep of it: its first problems and articles, and its most
severe flagged comments (earlier ones first among equals) in input order.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moderation.schema import COPY, PUBLISHED

if TYPE_CHECKING:
    from moderation.moderator import ArticleResult, CommentResult
    from moderation.run import RunContext

MAX_PROBLEMS_IN_RUN_JSON = 1000


@dataclass(frozen=True, slots=True)
class TallyLimits:
    top_flagged: int = 10  # flagged comments kept for the terminal summary
    max_article_rows: int = 50  # articles kept for the terminal table
    max_problems: int = MAX_PROBLEMS_IN_RUN_JSON  # problems listed in run.json (all are counted)


@dataclass(slots=True)
class ArticleRow:
    """One line of the terminal's article table."""

    article_id: str
    site: str | None
    title: str | None
    comments: int
    threads: int
    flagged: int
    sentiment_mean: float | None


@dataclass(slots=True)
class Figures:
    """What a run counts of its results: a chunk's (`Tally`) or the whole run's (`RunContext`)."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, Any]] = field(default_factory=list)
    problem_kinds: Counter[str] = field(default_factory=Counter)
    not_scored: Counter[str] = field(default_factory=Counter)  # reason -> comments
    statuses: Counter[str] = field(default_factory=Counter)  # platform status (not published) -> comments
    languages: Counter[str] = field(default_factory=Counter)  # detected language -> comments
    article_rows: list[ArticleRow] = field(default_factory=list)


@dataclass(slots=True)
class Tally(Figures):
    """One chunk's figures (see `count`)."""

    flagged: list[CommentResult] = field(default_factory=list)  # most severe, in input order


def count(results: Iterable[ArticleResult], limits: TallyLimits) -> Tally:
    """The figures of a chunk's results."""
    tally = Tally()
    counts = tally.counts
    severe: list[tuple[float, int, CommentResult]] = []  # a heap: (severity, -position, row)
    position = 0
    for result in results:
        article = result.article
        counts["documents"] += 1
        counts["comments_parsed"] += len(article.comments)
        counts["comments_written"] += len(result.comments)
        n_flagged = 0
        for row in result.comments:
            comment = row.comment
            tally.languages[comment.language or "none"] += 1
            if comment.status != PUBLISHED:
                tally.statuses[comment.status] += 1
                if comment.status == COPY:
                    counts["comments_copies"] += 1
            if row.scores is None:
                continue
            if row.not_scored is not None:
                tally.not_scored[row.not_scored] += 1
                continue
            counts["comments_scored" if row.scores.error is None else "comments_failed"] += 1
            if row.flagged:
                n_flagged += 1
                position += 1
                keep_severe(severe, row, position, limits.top_flagged)
        counts["comments_flagged"] += n_flagged
        counts["threads"] += len(result.threads)
        for problem in article.problems:
            tally.problem_kinds[problem.kind] += 1
            if len(tally.problems) < limits.max_problems:
                tally.problems.append({"article_id": article.article_id, **problem.to_dict()})
        if len(tally.article_rows) < limits.max_article_rows:
            tally.article_rows.append(
                ArticleRow(
                    article.article_id,
                    article.site,
                    article.title,
                    len(result.comments),
                    len(result.threads),
                    n_flagged,
                    (result.rollup.get("sentiment") or {}).get("mean"),
                )
            )
    tally.flagged = [row for _, _, row in sorted(severe, key=lambda item: -item[1])]
    return tally


def add(ctx: RunContext, tally: Tally, limits: TallyLimits) -> None:
    """Add a chunk's figures to the run's (chunks in input order)."""
    ctx.counts.update(tally.counts)
    ctx.languages.update(tally.languages)
    ctx.statuses.update(tally.statuses)
    ctx.not_scored.update(tally.not_scored)
    ctx.problem_kinds.update(tally.problem_kinds)
    ctx.problems.extend(tally.problems[: max(0, limits.max_problems - len(ctx.problems))])
    ctx.article_rows.extend(tally.article_rows[: max(0, limits.max_article_rows - len(ctx.article_rows))])
    for row in tally.flagged:
        ctx.seq += 1
        keep_severe(ctx.flagged_heap, row, ctx.seq, limits.top_flagged)


def keep_severe(heap: list[tuple[float, int, CommentResult]], row: CommentResult, position: int, limit: int) -> None:
    """Keep in `heap` the `limit` most severe flagged comments; of equal severity, the one at
    the earlier `position` wins. Items are (severity, -position, row)."""
    if limit <= 0:
        return
    item = (row.severity, -position, row)
    if len(heap) < limit:
        heapq.heappush(heap, item)
    elif item[:2] > heap[0][:2]:
        heapq.heapreplace(heap, item)
