"""The Globe and Mail JSON files of the SFU comment scraper (SOCC collection tool).

Three shapes, told apart by content:
- comments (CommentsRawData): `{article id: {"data_type": "comment", "comments": [...]}}`;
  each comment has ID, parentID, threadID, commentText, timestamp (ms), sender.name and
  nested `replies`. Numbered depth-first in pre-order (display order), explicit stack.
- older comments (CommentReactionsRawData): `{comment id: {text, author, post_time,
  replies: [...], reactions}}`; replies carry no id of their own.
- articles (ArticleRawData): `{article id: {title, published_date, article_url,
  article_text: ["<p>...</p>", ...]}}`; articles without comments.
A file holding one article uses the given article id; several give `<article_id>:<their id>`.
Every article names the Globe and Mail article id in `extra["article_ref"]` (the JSON key; for
older comments, whose keys are comment ids, the first 5+ digit number in the file name), so
that article files join their comment files (`parse/join.py`); the link is `extra["url"]`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from moderation.errors import ParseError
from moderation.parse.assemble import RawComment, assemble_comments, clean_text, iso_from_epoch, text_from_html
from moderation.parse.base import Reader
from moderation.parse.join import REF
from moderation.parse.json_tools import load_json
from moderation.parse.status import platform_status
from moderation.schema import Article

FORMAT = "globe_mail"
# Comment fields copied into Comment.extra when present.
EXTRA_FIELDS: tuple[str, ...] = ("posVotes", "negVotes", "status", "flagCount", "edited", "isModerator", "threadID")
OLD_DATE_FORMATS: tuple[str, ...] = ("%b %d, %Y", "%B %d, %Y")
# Older system: a reply quoting the comment it answers, e.g. "(In reply to:...-- MRichards) text".
QUOTED_REPLY = re.compile(r"^\s*\(In reply to:(?P<quote>.*?)--\s*(?P<author>(?:(?!--)[^)])+?)\s*\)", re.DOTALL)
SNIFF_RULES: tuple[tuple[float, tuple[bytes, ...]], ...] = (
    (0.95, (b'"data_type": "comment"', b'"commentText"')),
    (0.9, (b'"commentText"', b'"parentID"')),
    (0.9, (b'"data_type": "article"', b'"article_text"')),
    (0.85, (b'"post_time"', b'"reactions"')),
)
DATA_TYPE = re.compile(rb'"data_type"\s*:\s*"(article|comment)"')
# The scraper names older comment files article_<id>_comments.json: the id is in the name only.
REF_IN_NAME = re.compile(r"(?:^|_)(\d{5,})(?=_|$)")


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _unescaped(value: Any) -> str | None:
    """Comment text with HTML character references decoded: both comment systems stored some
    texts escaped (`G&amp;M`, `&gt;&gt;` for a quote), others not; the reader shows `G&M`."""
    text = _str(value)
    return html.unescape(text) if text is not None and "&" in text else text


def _replies(node: dict[str, Any]) -> list[dict[str, Any]]:
    replies = node.get("replies")
    return [r for r in replies if isinstance(r, dict)] if isinstance(replies, list) else []


def _walk(top_level: Sequence[tuple[str | None, dict[str, Any]]], to_record: Any) -> list[RawComment]:
    """Depth-first pre-order over nested `replies`, with the index of each record's parent."""
    records: list[RawComment] = []
    stack: list[tuple[str | None, dict[str, Any], int | None]] = [(k, n, None) for k, n in reversed(top_level)]
    while stack:
        key, node, parent_index = stack.pop()
        records.append(to_record(key, node, parent_index))
        here = len(records) - 1
        stack.extend((None, r, here) for r in reversed(_replies(node)))
    return records


def _comment_record(_key: str | None, node: dict[str, Any], parent_index: int | None) -> RawComment:
    sender = node.get("sender")
    parent_id = _str(node.get("parentID"))
    return RawComment(
        external_id=_str(node.get("ID")),
        author=_str(sender.get("name")) if isinstance(sender, dict) else None,
        text=clean_text(_unescaped(node.get("commentText"))),
        parent_index=parent_index,
        parent_external_id=parent_id if parent_index is None else None,
        timestamp=iso_from_epoch(node.get("timestamp"), milliseconds=True),
        extra={k: node[k] for k in EXTRA_FIELDS if node.get(k) not in (None, "")},
        status=platform_status(node.get("status")),
    )


def _old_date(text: str | None) -> str | None:
    for fmt in OLD_DATE_FORMATS:
        try:
            return datetime.strptime(text or "", fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None


def _old_record(key: str | None, node: dict[str, Any], parent_index: int | None) -> RawComment:
    text = clean_text(_unescaped(node.get("text")))
    quoted = QUOTED_REPLY.match(text)
    extra: dict[str, Any] = {}
    if _str(node.get("post_time")):
        extra["post_time"] = node["post_time"]
    if isinstance(node.get("reactions"), dict) and node["reactions"]:
        extra["reactions"] = node["reactions"].get("reaction_counts")
    return RawComment(
        external_id=key,
        author=_str(node.get("author")),
        text=clean_text(text[quoted.end() :]) if quoted else text,
        quote=clean_text(quoted.group("quote")) or None if quoted else None,
        parent_index=parent_index,
        timestamp=_old_date(_str(node.get("post_time"))),
        extra=extra,
        reply_to_author=quoted.group("author") if quoted else None,
    )


def _article(key: str, node: dict[str, Any], path: str | None, article_id: str) -> Article:
    paragraphs = node.get("article_text")
    url = _str(node.get("article_url"))
    extra = {REF: key, "url": url} if url else {REF: key}
    return Article(
        article_id=article_id,
        source_path=path,
        format=FORMAT,
        site=urlsplit(url).hostname if url else None,
        title=_str(node.get("title")),
        dateline=_str(node.get("published_date")),
        body=[t for p in paragraphs if isinstance(p, str) and (t := text_from_html(p))]
        if isinstance(paragraphs, list)
        else [],
        extra=extra,
    )


def _shape(doc: dict[str, Any]) -> str:
    values = [v for v in doc.values() if isinstance(v, dict)]
    if not values or len(values) != len(doc):
        return ""
    if all(isinstance(v.get("comments"), list) for v in values):
        return "comments"
    if all(v.get("data_type") == "article" or "article_text" in v for v in values):
        return "articles"
    if all("text" in v and ("post_time" in v or "replies" in v) for v in values):
        return "old_comments"
    return ""


def read(data: bytes, path: str | None, article_id: str) -> list[Article]:
    doc = load_json(data, path)
    shape = _shape(doc) if isinstance(doc, dict) else ""
    if not shape:
        raise ParseError(path, "not a Globe and Mail comments, older comments or article JSON file")
    if shape == "old_comments":
        article = Article(article_id=article_id, source_path=path, format=FORMAT, site="www.theglobeandmail.com")
        ref = REF_IN_NAME.search(Path(path).stem if path else article_id)
        if ref:
            article.extra[REF] = ref.group(1)
        return [assemble_comments(article, _walk(list(doc.items()), _old_record))]
    articles: list[Article] = []
    for key, node in doc.items():
        aid = article_id if len(doc) == 1 else f"{article_id}:{key}"
        if shape == "articles":
            articles.append(_article(key, node, path, aid))
        else:
            article = Article(aid, path, FORMAT, site="www.theglobeandmail.com", extra={REF: key})
            top = [(None, c) for c in node["comments"] if isinstance(c, dict)]
            articles.append(assemble_comments(article, _walk(top, _comment_record)))
    return articles


def holds_article(head: bytes) -> bool:
    """An article file (ArticleRawData): data_type article, and never comment, in its head."""
    kinds = {m.group(1) for m in DATA_TYPE.finditer(head)}
    return kinds == {b"article"}


def sniff(data: bytes, path: str | None) -> float:
    head = data[:8192]
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return 0.0
    return max((score for score, needles in SNIFF_RULES if all(n in head for n in needles)), default=0.0)


READER = Reader(
    name=FORMAT,
    description="Globe and Mail comment JSON (SOCC scraper): comments, older comments with reactions, articles",
    sniff=sniff,
    read=read,
    context=holds_article,
)
