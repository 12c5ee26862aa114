"""Reddit thread JSON as the API returns it, and the flat /api/morechildren response.

Thread (`/comments/<id>.json`): `[post Listing, comment Listing]`; comments nest through
`data.replies`. Comments are numbered depth-first in pre-order (display order), walked with
an explicit stack. "more" stubs (replies the API did not send) are never dropped silently:
each becomes an `unloaded_replies` Problem naming its count and ids, and the comment they
hang under gets `extra["unloaded_replies"]`.

morechildren (`{"json": {"data": {"things": [...]}}}`): a flat list of t1 comments, each
with `parent_id` ("t1_<id>" or "t3_<post>"); parents outside the response are orphans.
"""

from __future__ import annotations

import html
import re
from typing import Any

from moderation.errors import ParseError
from moderation.parse.assemble import RawComment, assemble_comments, clean_text, iso_from_epoch, split_quoted_lines
from moderation.parse.base import Reader
from moderation.parse.json_tools import load_json
from moderation.schema import Article, Problem

FORMAT = "reddit"
REMOVED_AUTHORS: tuple[str, ...] = ("[deleted]", "[removed]")
# t1 fields copied into Comment.extra when present.
EXTRA_FIELDS: tuple[str, ...] = ("score", "edited", "distinguished", "controversiality", "permalink")
THREAD_HEAD = re.compile(rb'^\s*\[\s*\{\s*"kind"\s*:\s*"Listing"')
MORE_HEAD = re.compile(rb'^\s*\{\s*"json"\s*:')
MAX_IDS_IN_DETAIL = 20


def _fields(thing: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
        return "", {}
    kind = thing.get("kind")
    return (kind if isinstance(kind, str) else ""), thing["data"]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _children(listing: Any) -> list[Any]:
    kind, data = _fields(listing)
    children = data.get("children") if kind == "Listing" else None
    return children if isinstance(children, list) else []


def _record(data: dict[str, Any], parent_index: int | None) -> RawComment:
    author = _text(data.get("author"))
    extra = {k: data[k] for k in EXTRA_FIELDS if data.get(k) is not None}
    if author in REMOVED_AUTHORS:
        extra["author_removed"] = author
        author = None
    parent = _text(data.get("parent_id"))
    # The API escapes &, < and > in the Markdown body; quoted lines (`> ...`) are kept apart.
    text, quote = split_quoted_lines(clean_text(html.unescape(_text(data.get("body")) or "")))
    return RawComment(
        external_id=_text(data.get("name")) or (f"t1_{data['id']}" if isinstance(data.get("id"), str) else None),
        author=author,
        text=text,
        quote=quote,
        parent_index=parent_index,
        parent_external_id=parent if parent_index is None and parent and not parent.startswith("t3_") else None,
        timestamp=iso_from_epoch(data.get("created_utc")),
        extra=extra,
    )


def _stub_problem(
    data: dict[str, Any], records: list[RawComment], parent_index: int | None, article_id: str
) -> Problem:
    ids = [i for i in data.get("children", []) if isinstance(i, str)] if isinstance(data.get("children"), list) else []
    count = data.get("count") if isinstance(data.get("count"), int) else len(ids)
    shown = ", ".join(ids[:MAX_IDS_IN_DETAIL]) + (f", ... ({len(ids)} ids)" if len(ids) > MAX_IDS_IN_DETAIL else "")
    if parent_index is not None:
        parent = records[parent_index]
        parent.extra["unloaded_replies"] = parent.extra.get("unloaded_replies", 0) + count
        where = f"under {parent.external_id}"
        comment_id: str | None = f"{article_id}#{parent_index + 1}"  # the numbering assemble_comments gives
    else:
        parent_name = _text(data.get("parent_id"))
        where = "at the top level" if not parent_name or parent_name.startswith("t3_") else f"under {parent_name}"
        comment_id = None
    detail = f"{count} repl{'y' if count == 1 else 'ies'} not loaded {where}" + (
        f" (ids: {shown})" if ids else " (a 'continue this thread' link)"
    )
    return Problem("unloaded_replies", detail, comment_id)


def _walk_thread(listing: Any) -> tuple[list[RawComment], list[tuple[dict[str, Any], int | None]]]:
    """Records in depth-first pre-order, and the "more" stubs with the index of their parent."""
    records: list[RawComment] = []
    stubs: list[tuple[dict[str, Any], int | None]] = []
    stack: list[tuple[Any, int | None]] = [(c, None) for c in reversed(_children(listing))]
    while stack:
        thing, parent_index = stack.pop()
        kind, data = _fields(thing)
        if kind == "more":
            stubs.append((data, parent_index))
        elif kind == "t1":
            records.append(_record(data, parent_index))
            here = len(records) - 1
            stack.extend((c, here) for c in reversed(_children(data.get("replies"))))
    return records, stubs


def _article_from_post(post: dict[str, Any], path: str | None, article_id: str) -> Article:
    body = clean_text(_text(post.get("selftext")))
    subreddit = _text(post.get("subreddit"))
    return Article(
        article_id=article_id,
        source_path=path,
        format=FORMAT,
        site=f"reddit.com/r/{subreddit}" if subreddit else "reddit.com",
        title=_text(post.get("title")),
        dateline=iso_from_epoch(post.get("created_utc")),
        body=[p for p in body.split("\n\n") if p.strip()],
        related=[u] if (u := _text(post.get("url"))) and not post.get("is_self") else [],
    )


def read(data: bytes, path: str | None, article_id: str) -> list[Article]:
    doc = load_json(data, path)
    if isinstance(doc, list) and len(doc) == 2 and all(_fields(x)[0] == "Listing" for x in doc):
        posts = [d for k, d in map(_fields, _children(doc[0])) if k == "t3"]
        article = _article_from_post(posts[0] if posts else {}, path, article_id)
        records, nested_stubs = _walk_thread(doc[1])
        article.problems.extend(_stub_problem(d, records, i, article_id) for d, i in nested_stubs)
    elif isinstance(doc, dict) and isinstance(doc.get("json"), dict):
        inner = doc["json"]
        things = inner.get("data", {}).get("things") if isinstance(inner.get("data"), dict) else None
        if not isinstance(things, list):
            errors = inner.get("errors")
            raise ParseError(path, f"morechildren response without data.things (errors: {errors!r})")
        article = Article(article_id=article_id, source_path=path, format=FORMAT, site="reddit.com")
        records = [_record(d, None) for k, d in map(_fields, things) if k == "t1"]
        flat_stubs = [d for k, d in map(_fields, things) if k == "more"]
        article.problems.extend(_stub_problem(d, records, None, article_id) for d in flat_stubs)
    else:
        raise ParseError(path, "not a Reddit thread ([post Listing, comment Listing]) or morechildren response")
    return [assemble_comments(article, records)]


def sniff(data: bytes, path: str | None) -> float:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if THREAD_HEAD.match(head) and (b'"t3"' in head or b'"t1"' in head):
        return 0.95
    if MORE_HEAD.match(head) and b'"things"' in head:
        return 0.9
    return 0.0


READER = Reader(
    name=FORMAT,
    description="Reddit API thread JSON ([post, comments] Listings, 'more' stubs) or /api/morechildren response",
    sniff=sniff,
    read=read,
)
