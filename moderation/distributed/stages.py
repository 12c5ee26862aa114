"""What Ray runs on the workers: parse one file, score articles (an actor holding one
Moderator), analyse one article with its duplicate events. Plain functions and one class
over the project's own readers, Moderator and analysis: no scoring or analysis of their own.

Rows between steps are `{"order", "kind", "key", "payload"}` (see `duplicates.event`):
`order` = file index << 32 | article index in the file, which sorts like a local run.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moderation.distributed.duplicates import (
    ARTICLE,
    event,
    event_table,
    fingerprint_rows,
    known_duplicates,
)
from moderation.moderator import Moderator
from moderation.parse.assemble import rename_article
from moderation.parse.inputs import FileError, InputFile, ReadState, read_entry
from moderation.parse.join import merge_context, ref_key
from moderation.schema import Article, Problem

FILE = "file"
REF = "ref"  # the platform article id of an article with comments (parse.join)
ORDER_SHIFT = 32


def article_order(file_index: int, article_index: int) -> int:
    return (file_index << ORDER_SHIFT) | article_index


@dataclass(slots=True)
class FileSummary:
    """What reading one file found besides its articles (for run.json and the counts)."""

    input: InputFile | None
    errors: list[FileError]
    comments_read: int
    comments_rejected: int


def parse_file(row: dict[str, Any], format: str | None, max_bytes: int) -> list[dict[str, Any]]:
    """Read one input file with the project's readers: one row per article (and one with its
    article ref when it has comments to join to an article file), then one summary."""
    index = int(row["file_index"])
    state = ReadState()
    out = []
    for i, article in enumerate(read_entry(Path(row["path"]), state, format, max_bytes, bool(row["walked"]))):
        out.append(event(article_order(index, i), ARTICLE, article, article.article_id))
        key = ref_key(article)
        if key is not None and article.comments:
            out.append(event(article_order(index, i), REF, key))
    summary = FileSummary(
        state.inputs[0] if state.inputs else None,
        state.errors,
        state.counts["comments_read"],
        state.counts["comments_rejected"],
    )
    out.append(event(article_order(index, 0), FILE, summary))
    return out


class ScoreArticles:
    """An actor of the scoring pool: builds one Moderator's models once, then scores batches of
    article rows. Applies the run's joins (article files to their comments) and article renames
    (id collisions across files) first, and adds each article's duplicate fingerprints when the
    preset finds duplicates."""

    def __init__(
        self, moderator: Moderator, renames: dict[int, tuple[str, Problem]], joins: dict[int, Article] | None = None
    ) -> None:
        self.moderator = moderator
        self.renames = renames
        self.joins = joins or {}
        self.index = moderator.new_duplicate_index()
        self.pipeline = moderator.pipeline  # load the models now, once per actor

    def __call__(self, batch: dict[str, np.ndarray]) -> Any:
        orders = [int(o) for o in batch["order"]]
        articles = [pickle.loads(p) for p in batch["payload"]]
        for order, article in zip(orders, articles, strict=True):
            context = self.joins.get(order)
            if context is not None:
                merge_context(article, context)
            renamed = self.renames.get(order)
            if renamed is not None:
                rename_article(article, renamed[0])
                article.problems.insert(0, renamed[1])
        scores = self.moderator.article_scores(articles, scorer=self.pipeline)
        rows = [event(o, ARTICLE, (a, s)) for o, a, s in zip(orders, articles, scores, strict=True)]
        if self.index is not None:
            for order, article in zip(orders, articles, strict=True):
                rows.extend(fingerprint_rows(self.index, order, article, self.moderator.preset.max_comment_chars))
        return event_table(rows)


def analyse_group(rows: Iterator[dict[str, Any]], moderator: Moderator) -> Iterator[dict[str, Any]]:
    """One article's rows (the scored article and its duplicate events) -> its ArticleResult."""
    article = scores = None
    events: list[tuple[str, Any]] = []
    order = 0
    for row in rows:
        if row["kind"] == ARTICLE:
            order = int(row["order"])
            article, scores = pickle.loads(row["payload"])
        else:
            events.append((row["kind"], pickle.loads(row["payload"])))
    if article is None or scores is None:
        raise RuntimeError("duplicate events without their article (a lost row)")
    settings = moderator.flag_settings.duplicates
    known = known_duplicates(settings, article, events) if settings is not None else None
    (result,) = moderator.analyse_articles([article], [scores], known)
    yield event(order, "result", result)


def rows_fn(fn: Any, per_row: bool = False, **kwargs: Any) -> Any:
    """A batch function over rows: a numpy batch in, an Arrow table of `fn`'s rows out (one
    schema always). `per_row`: `fn` maps one row to a list of rows, else all rows to rows."""

    def apply(batch: dict[str, Any]) -> Any:
        names = list(batch)
        n = len(batch[names[0]]) if names else 0
        rows = ({name: batch[name][i] for name in names} for i in range(n))
        if per_row:
            return event_table([out for row in rows for out in fn(row, **kwargs)])
        return event_table(list(fn(rows, **kwargs)))

    return apply
