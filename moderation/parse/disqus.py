"""Disqus XML export: <thread dsq:id> elements and <post> elements pointing at them.

One Article per thread, id `<article_id>:<thread dsq:id>`, in file order, with the thread's
title, date, forum, <message> as its body and <link> as `extra["url"]`; posts go to their
thread's Article in file order. A post whose thread is not in the export still gets read:
it lands in an Article for that thread id with a `missing_thread` problem. Replies name
their parent with <parent dsq:id>.
"""

from __future__ import annotations

from lxml import etree

from moderation.errors import ParseError
from moderation.parse.assemble import RawComment, assemble_comments, text_from_html
from moderation.parse.base import Reader
from moderation.parse.xml_tools import attribute, child, child_markup, child_text, element_span, local_name, parse_xml
from moderation.schema import Article, Problem

FORMAT = "disqus"
NAMESPACE_MARKERS: tuple[bytes, ...] = (b"http://disqus.com", b"disqus-internals")
# Post flags copied into Comment.extra as booleans; a true one sets the comment's status.
POST_FLAGS: dict[str, str] = {"isDeleted": "deleted", "isSpam": "spam"}


def _thread_meta(thread: etree._Element) -> dict[str, str | None]:
    return {
        "title": child_text(thread, "title") or None,
        "forum": child_text(thread, "forum") or None,
        "created": child_text(thread, "createdAt") or None,
        "link": child_text(thread, "link") or None,
        "message": text_from_html(child_markup(thread, "message")) or None,
    }


def _post_record(post: etree._Element, path: str | None) -> tuple[str | None, RawComment]:
    thread = child(post, "thread")
    parent = child(post, "parent")
    author = child(post, "author")
    name = None
    if author is not None:
        name = child_text(author, "name") or child_text(author, "username") or None
    extra: dict[str, object] = {}
    status: str | None = None
    for flag, flag_status in POST_FLAGS.items():
        value = child_text(post, flag)
        if value is not None:
            extra[flag] = value.lower() == "true"
            if extra[flag] and status is None:
                status = flag_status
    return (
        attribute(thread, "id") if thread is not None else None,
        RawComment(
            external_id=attribute(post, "id"),
            author=name,
            text=text_from_html(child_markup(post, "message")),
            parent_external_id=attribute(parent, "id") if parent is not None else None,
            timestamp=child_text(post, "createdAt") or None,
            source=element_span(post, path),
            extra=extra,
            status=status,
        ),
    )


def read(data: bytes, path: str | None, article_id: str) -> list[Article]:
    root = parse_xml(data, path)
    if local_name(root) != "disqus":
        raise ParseError(path, f"not a Disqus export (root element <{local_name(root)}>)")
    threads: dict[str, dict[str, str | None]] = {}
    posts: dict[str, list[RawComment]] = {}
    for element in root:
        kind = local_name(element)
        if kind == "thread":
            tid = attribute(element, "id") or ""
            threads.setdefault(tid, _thread_meta(element))
        elif kind == "post":
            post_thread, record = _post_record(element, path)
            posts.setdefault(post_thread or "", []).append(record)
    articles: list[Article] = []
    for tid in [*threads, *(t for t in posts if t not in threads)]:
        meta = threads.get(tid)
        article = Article(
            article_id=f"{article_id}:{tid}",
            source_path=path,
            format=FORMAT,
            title=meta["title"] if meta else None,
            dateline=meta["created"] if meta else None,
            site=meta["forum"] if meta else None,
            body=[meta["message"]] if meta and meta["message"] else [],
            extra={"url": meta["link"]} if meta and meta["link"] else {},
        )
        if meta is None:
            article.problems.append(
                Problem("missing_thread", f"{len(posts[tid])} post(s) name thread {tid!r}, which the export lacks")
            )
        articles.append(assemble_comments(article, posts.get(tid, [])))
    return articles


def sniff(data: bytes, path: str | None) -> float:
    head = data[:4096]
    if b"<disqus" in head and any(m in head for m in NAMESPACE_MARKERS):
        return 0.95
    if b"<disqus" in head:
        return 0.7
    return 0.0


READER = Reader(
    name=FORMAT,
    description="Disqus XML export (threads and posts, replies via <parent dsq:id>)",
    sniff=sniff,
    read=read,
)
