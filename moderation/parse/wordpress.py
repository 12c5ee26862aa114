"""WordPress WXR export (RSS 2.0 with the wp: namespace): posts and their <wp:comment>s.

One Article per <item> that is a post or a page or carries comments (attachments and menu
items without comments are skipped), id `<article_id>:<wp:post_id>` (falling back to the
slug, then `item<n>`), with the post's title, date, body and categories, and its <link> as
`extra["url"]`. Comments keep file order; <wp:comment_parent> (0 = top level) names
the parent by <wp:comment_id>. Pingbacks and trackbacks are kept, marked in extra.
"""

from __future__ import annotations

import re

from lxml import etree

from moderation.errors import ParseError
from moderation.parse.assemble import RawComment, assemble_comments, text_from_html
from moderation.parse.base import Reader
from moderation.parse.status import platform_status
from moderation.parse.xml_tools import child_markup, child_text, element_span, local_name, parse_xml
from moderation.schema import Article

FORMAT = "wordpress"
WXR_NAMESPACE = re.compile(rb"xmlns:wp=\"https?://wordpress\.org/export/")
ARTICLE_POST_TYPES: tuple[str, ...] = ("post", "page")
# wp:comment fields copied into Comment.extra when present and not empty.
EXTRA_FIELDS: tuple[tuple[str, str], ...] = (
    ("comment_approved", "approved"),
    ("comment_type", "comment_type"),
    ("comment_author_url", "author_url"),
)
NO_PARENT: tuple[str, ...] = ("", "0")
# wp:comment_approved: 1 approved, 0 held for moderation; "spam" and "trash" as WordPress spells them.
APPROVED_STATUS: dict[str, str] = {"1": "published", "0": "pending"}
DATE_SHAPE = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$")


def _timestamp(comment: etree._Element) -> str | None:
    """ISO 8601: the GMT date with a Z when the export has it, else the site's local time."""
    for name, suffix in (("comment_date_gmt", "Z"), ("comment_date", "")):
        value = child_text(comment, name)
        if value and (m := DATE_SHAPE.match(value)) and not value.startswith("0000"):
            return f"{m.group(1)}T{m.group(2)}{suffix}"
    return None


def _comment_record(comment: etree._Element, path: str | None) -> RawComment:
    parent = child_text(comment, "comment_parent")
    extra: dict[str, object] = {}
    for name, key in EXTRA_FIELDS:
        value = child_text(comment, name)
        if value:
            extra[key] = value
    approved = child_text(comment, "comment_approved")
    return RawComment(
        status=APPROVED_STATUS.get(approved or "", platform_status(approved) or "published"),
        external_id=child_text(comment, "comment_id") or None,
        author=child_text(comment, "comment_author") or None,
        text=text_from_html(child_markup(comment, "comment_content")),
        parent_external_id=None if parent in NO_PARENT or parent is None else parent,
        timestamp=_timestamp(comment),
        source=element_span(comment, path),
        extra=extra,
    )


def _article_key(item: etree._Element, n: int) -> str:
    return child_text(item, "post_id") or child_text(item, "post_name") or f"item{n}"


def read(data: bytes, path: str | None, article_id: str) -> list[Article]:
    root = parse_xml(data, path)
    channel = next((c for c in root if local_name(c) == "channel"), None)
    if local_name(root) != "rss" or channel is None:
        raise ParseError(path, "not a WordPress WXR export (expected <rss><channel>)")
    site = child_text(channel, "title") or None
    articles: list[Article] = []
    for n, item in enumerate((c for c in channel if local_name(c) == "item"), start=1):
        comments = [c for c in item if local_name(c) == "comment"]
        post_type = child_text(item, "post_type")
        if not comments and post_type is not None and post_type not in ARTICLE_POST_TYPES:
            continue
        body_html = child_markup(item, "encoded")  # content:encoded (excerpt:encoded comes later)
        article = Article(
            article_id=f"{article_id}:{_article_key(item, n)}",
            source_path=path,
            format=FORMAT,
            site=site,
            title=child_text(item, "title") or None,
            dateline=child_text(item, "post_date_gmt", "post_date", "pubDate") or None,
            body=[p for p in text_from_html(body_html).split("\n\n") if p.strip()],
            tags=[(c.text or "").strip() for c in item if local_name(c) == "category" and (c.text or "").strip()],
        )
        link = child_text(item, "link")
        if link:
            article.extra["url"] = link
        articles.append(assemble_comments(article, [_comment_record(c, path) for c in comments]))
    return articles


def sniff(data: bytes, path: str | None) -> float:
    head = data[:8192]
    if b"<rss" in head and WXR_NAMESPACE.search(head):
        return 0.95
    return 0.0


READER = Reader(
    name=FORMAT,
    description="WordPress WXR export (posts with <wp:comment>, replies via wp:comment_parent)",
    sniff=sniff,
    read=read,
)
