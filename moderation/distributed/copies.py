"""Copies across exports (`moderation.parse.copies`) as distributed steps, before scoring: the
same copies `CopyIndex.mark` finds when fed every article in run order.

`copy_rows` (per article, its ids as the run renames them) -> group by identity
(`copy_groups`: `parse.copies.resolve`, the rule applied to the group in run order) -> the
copy events meet their article in a group-by-article step (`apply_copies`), which marks the
copies; then the articles are scored, so a copy is never scored. No step sees the whole run,
and the last step runs only when some copy was found.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from moderation.distributed.duplicates import ARTICLE, event
from moderation.parse.assemble import rename_article
from moderation.parse.copies import Carried, copy_key, mark_copy, resolve
from moderation.schema import Problem

COPY_MEMBER, COPY_OF = "copy_member", "copy_of"


def copy_rows(row: dict[str, Any], renames: dict[int, tuple[str, Problem]]) -> list[dict[str, Any]]:
    """One row per comment of an article row that has an identity, keyed by it."""
    order = int(row["order"])
    article = pickle.loads(row["payload"])
    renamed = renames.get(order)
    if renamed is not None:
        rename_article(article, renamed[0])
    out = []
    for pos, comment in enumerate(article.comments):
        key = copy_key(article, comment)
        if key is not None:
            carried = Carried(article.article_id, comment.comment_id, comment.timestamp)
            out.append(event(order, COPY_MEMBER, (pos, carried), key))
    return out


def copy_groups(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One identity's comments -> a copy event for each copy among them."""
    members = []
    for row in rows:
        pos, carried = pickle.loads(row["payload"])
        members.append(((int(row["order"]), pos), carried))
    for (order, pos), original_id in resolve(members).items():
        yield event(order, COPY_OF, (pos, original_id))


def apply_copies(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One article's row and its copy events -> the article row with its copies marked."""
    found: dict[str, Any] | None = None
    marks: list[tuple[int, str]] = []
    for row in rows:
        if row["kind"] == ARTICLE:
            found = row
        else:
            marks.append(pickle.loads(row["payload"]))
    if found is None:
        raise RuntimeError("copy events without their article (a lost row)")
    article = pickle.loads(found["payload"])
    for pos, original_id in marks:
        mark_copy(article.comments[pos], original_id)
    yield event(int(found["order"]), ARTICLE, article, str(found["key"]))
