"""Saved HTML article pages: the body through trafilatura, the comments through markup.

Body, title, date and site come from `trafilatura.bare_extraction` with comments left out.
Comments come from the page's own markup when it marks them (`comment_items`): elements
whose class or id names one comment (tables in `html_patterns`), nested inside each other
for replies (WordPress `li.comment` in `ul.children`, and the same idea elsewhere). Where
the markup gives nothing, trafilatura's own comment extraction is used: its paragraphs
become comments with no author or nesting, and a `comments_from_trafilatura` problem says
so. `Comment.extra["found_by"]` records the path for every comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree

from moderation.errors import ParseError
from moderation.parse import html_patterns as pat
from moderation.parse.assemble import RawComment, assemble_comments, clean_text
from moderation.parse.base import Reader
from moderation.schema import Article, Problem, SourceSpan

FORMAT = "html_page"
# Document markers count anywhere in the first SNIFF_DOCUMENT_BYTES: a saved page may open
# with junk before <html> (a BOM, blank lines, PHP warnings such as
# `<br /><b>Deprecated</b>: ...`, comments). Fragment markers only count near the start.
SNIFF_DOCUMENT_MARKERS: tuple[tuple[bytes, float], ...] = (
    (b"<!doctype html", 0.9),
    (b"<html", 0.9),
    (b"<head", 0.8),
    (b"<body", 0.8),
)
SNIFF_FRAGMENT_MARKERS: tuple[tuple[bytes, float], ...] = ((b"<div", 0.5), (b"<p>", 0.4))
SNIFF_DOCUMENT_BYTES = 64 * 1024
SNIFF_FRAGMENT_BYTES = 4096
MAX_AUTHOR_CHARS = 80


def _tokens(el: etree._Element) -> list[str]:
    out = (el.get("class") or "").lower().split()
    if el.get("id"):
        out.append(el.get("id", "").lower())
    return out


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _is_item(el: etree._Element) -> bool:
    if _tag(el) not in pat.ITEM_TAGS:
        return False
    tokens = _tokens(el)
    return any(pat.ITEM_TOKEN.match(t) for t in tokens) or any(
        p.match(t) for _, p in pat.SITE_ITEM_TOKENS for t in tokens
    )


def _in_excluded_zone(el: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        if _tag(node) in pat.EXCLUDED_ZONE_TAGS or any(pat.EXCLUDED_ZONE_TOKEN.search(t) for t in _tokens(node)):
            return True
        node = node.getparent()
    return False


def _is_chrome(el: etree._Element) -> bool:
    return _tag(el) in pat.CHROME_TAGS or any(pat.CHROME_TOKEN.search(t) for t in _tokens(el))


def _own_elements(item: etree._Element, others: set[etree._Element]) -> Iterator[etree._Element]:
    """Elements of item in document order, without the subtrees of other comments."""
    stack = [item]
    while stack:
        el = stack.pop()
        if el is not item and el in others:
            continue
        if isinstance(el.tag, str):
            yield el
        stack.extend(reversed(el))


def _text(root: etree._Element, skip: set[etree._Element], skip_chrome: bool = True) -> str:
    """Visible text of root, leaving out `skip` subtrees and (optionally) chrome; iterative."""
    parts: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            if _tag(el) in pat.BLOCK_TAGS:
                parts.append("\n")
            if el is not root and el.tail:
                parts.append(el.tail)
            continue
        if el is not root and (el in skip or not isinstance(el.tag, str) or (skip_chrome and _is_chrome(el))):
            if el.tail:
                parts.append(el.tail)
            continue
        if el.text:
            parts.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return clean_text("".join(parts))


def _first_match(els: list[etree._Element], patterns: tuple, itemprops: tuple[str, ...]) -> etree._Element | None:
    for el in els:
        if (el.get("itemprop") or "").lower() in itemprops:
            return el
    for pattern in patterns:
        for el in els:
            if any(pattern.search(t) for t in _tokens(el)):
                return el
    return None


def _nearest_item_ancestor(el: etree._Element, items: set[etree._Element]) -> etree._Element | None:
    node = el.getparent()
    while node is not None and node not in items:
        node = node.getparent()
    return node


def comment_items(root: etree._Element) -> list[tuple[etree._Element, etree._Element | None]]:
    """(element, parent comment element or None) for every comment the markup marks, in document order.

    An item with no text of its own whose first nested item sits beside (not among) the
    other nested items is one comment split over two elements (WordPress: `li.comment`
    around `div#comment-N` and `ul.children`): the inner one is merged into it. Items with
    no text of their own after that (wrappers around a whole list) are dropped.
    """
    cands = [el for el in root.iter() if _is_item(el) and not _in_excluded_zone(el)]
    cand_set = set(cands)
    parent_of = {el: _nearest_item_ancestor(el, cand_set) for el in cands}
    children: dict[etree._Element, list[etree._Element]] = {}
    for el in cands:
        if parent_of[el] is not None:
            children.setdefault(parent_of[el], []).append(el)
    merged: set[etree._Element] = set()
    for outer, inner in children.items():
        own = _text(outer, set(inner))
        first, rest = inner[0], inner[1:]
        if not own and all(r.getparent() is not first.getparent() for r in rest):
            merged.add(first)
    kept = [el for el in cands if el not in merged]
    kept_set = set(kept)
    others = kept_set | merged
    result: list[tuple[etree._Element, etree._Element | None]] = []
    texts_empty = {el for el in kept if not _text(el, others - {el} - _merged_into(el, children, merged))}
    for el in kept:
        if el in texts_empty:
            continue
        parent = parent_of[el]
        while parent is not None and (parent in merged or parent in texts_empty):
            parent = parent_of[parent]
        result.append((el, parent))
    return result


def _merged_into(el: etree._Element, children: dict, merged: set[etree._Element]) -> set[etree._Element]:
    return {c for c in children.get(el, ()) if c in merged}


def _structured_comments(root: etree._Element, path: str | None) -> list[RawComment]:
    items = comment_items(root)
    index = {el: i for i, (el, _) in enumerate(items)}
    item_set = set(index)
    records: list[RawComment] = []
    for el, parent in items:
        others = item_set - {el}
        own = list(_own_elements(el, others))
        body = _first_match(own[1:], pat.TEXT_TOKENS, pat.TEXT_ITEMPROPS)
        author_el = _first_match(own[1:], pat.AUTHOR_TOKENS, pat.AUTHOR_ITEMPROPS)
        if author_el is None:
            author_el = next((e for e in own if _tag(e) in pat.AUTHOR_TAGS), None)
        date_el = next((e for e in own if _tag(e) == "time"), None)
        if date_el is None:
            date_el = _first_match(own[1:], pat.DATE_TOKENS, ())
        skip = set(others)
        author = None
        if author_el is not None:
            author = _clean_author(_text(author_el, set(), skip_chrome=False))
            skip.add(author_el)
        timestamp = None
        extra: dict[str, Any] = {"found_by": "markup"}
        if date_el is not None:
            shown = date_el.get("datetime") or _text(date_el, set(), skip_chrome=False)
            # Only machine dates become timestamps (they compare as text); page wording stays in extra.
            timestamp = shown if pat.ISO_DATE.match(shown) else None
            if shown and timestamp is None:
                extra["date_text"] = shown
            skip.add(date_el)
        container = body if body is not None else el
        quotes = _quote_elements(container, others)
        if quotes and not _text(container, skip | set(quotes)):
            quotes = []  # the "quote" holds all of the comment's words: a theme's text container
        quote = "\n\n".join(q for q in (_text(e, set(), skip_chrome=False) for e in quotes) if q) or None
        text, chrome = strip_chrome_lines(_text(container, skip | set(quotes)))
        if chrome:
            extra["chrome"] = chrome
        lines = [e.sourceline for e in own if e.sourceline is not None]
        external = next((i for e in own[:3] if (i := e.get("id")) and pat.ITEM_TOKEN.match(i.lower())), None)
        records.append(
            RawComment(
                external_id=external,
                author=author,
                text=text,
                parent_index=index[parent] if parent is not None else None,
                timestamp=timestamp,
                source=SourceSpan(path, line_start=min(lines), line_end=max(lines)) if lines else SourceSpan(path),
                extra=extra,
                quote=quote,
                reply_to_author=_quoted_author(quote),
            )
        )
    return records


def _quote_elements(container: etree._Element, others: set[etree._Element]) -> list[etree._Element]:
    """Outermost quote elements inside a comment (not inside nested comments, not comments)."""
    found: list[etree._Element] = []
    stack = list(reversed(container))
    while stack:
        el = stack.pop()
        if el in others or not isinstance(el.tag, str):
            continue
        if _tag(el) in pat.QUOTE_TAGS or any(pat.QUOTE_TOKEN.search(t) for t in _tokens(el)):
            found.append(el)
            continue
        stack.extend(reversed(el))
    return found


def _quoted_author(quote: str | None) -> str | None:
    match = pat.QUOTE_AUTHOR.match(quote.split("\n", 1)[0].strip()) if quote else None
    return match["author"] if match else None


def strip_chrome_lines(text: str) -> tuple[str, list[str]]:
    """The text without whole lines of chrome at its start and end (dates, "Reply", vote
    counts: `html_patterns.CHROME_LINE`), and the lines dropped. Never drops every line."""
    lines = text.split("\n")
    dropped_head: list[str] = []
    dropped_tail: list[str] = []
    while lines and (not lines[0].strip() or pat.CHROME_LINE.match(lines[0].strip())):
        dropped_head.append(lines.pop(0))
    while lines and (not lines[-1].strip() or pat.CHROME_LINE.match(lines[-1].strip())):
        dropped_tail.insert(0, lines.pop())
    if not lines:
        return text, []
    return clean_text("\n".join(lines)), [d.strip() for d in (*dropped_head, *dropped_tail) if d.strip()]


def _clean_author(text: str) -> str | None:
    first = pat.AUTHOR_SUFFIX.sub("", text.split("\n")[0]).strip()
    return first[:MAX_AUTHOR_CHARS] or None


def _parse_html(data: bytes, path: str | None) -> tuple[etree._Element, list[Problem]]:
    """The document and its parse problems. libxml2's huge mode lets elements nest 2,048 deep
    (256 by default); text nested deeper is not in the tree, so a `text_cut_off` problem
    names the line where that starts instead of losing it silently."""
    if not data.strip():
        raise ParseError(path, "empty file")
    if b"\x00" in data[:8192]:
        raise ParseError(path, "binary file (contains NUL bytes), not an HTML page")
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(_decode_html(data), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(path, f"cannot parse HTML ({exc})") from None
    if root is None:
        raise ParseError(path, "cannot parse HTML (no document)")
    problems = [
        Problem(
            "text_cut_off",
            "elements nest deeper than 2,048 levels here: the text inside them is not read "
            "(the comment there may be incomplete; review it in the page)",
            line=e.line,
        )
        for e in parser.error_log
        if "Excessive depth" in e.message
    ]
    return root, problems


def _decode_html(data: bytes) -> str:
    """Page text: UTF-8 when it is, else the declared charset, else cp1252 (never fails)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = pat.META_CHARSET.search(data[:4096])
        encoding = declared.group(1).decode("ascii", "replace") if declared else pat.FALLBACK_ENCODING
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:
            text = data.decode(pat.FALLBACK_ENCODING, errors="replace")
    # lxml refuses text that still declares an XML encoding.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text)


def _trafilatura(data: bytes, include_comments: bool) -> dict[str, object]:
    import trafilatura  # imported here: it loads slowly and only this reader needs it

    try:
        doc = trafilatura.bare_extraction(data, include_comments=include_comments, with_metadata=True)
    except (ValueError, TypeError, etree.LxmlError):
        return {}
    if doc is None:
        return {}
    return doc if isinstance(doc, dict) else doc.as_dict()


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _fallback_comments(data: bytes, path: str | None) -> tuple[list[RawComment], list[str]]:
    """trafilatura's comment paragraphs as comments, and the lines left out as chrome."""
    text = _str(_trafilatura(data, include_comments=True).get("comments")) or ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    chrome = [line for line in lines if pat.CHROME_LINE.match(line)]
    records = [
        RawComment(external_id=None, author=None, text=line, source=SourceSpan(path), extra={"found_by": "trafilatura"})
        for line in lines
        if not pat.CHROME_LINE.match(line)
    ]
    return records, chrome


def read(data: bytes, path: str | None, article_id: str) -> list[Article]:
    root, parse_problems = _parse_html(data, path)
    meta = _trafilatura(data, include_comments=False)
    body = _str(meta.get("text")) or ""
    tags = [s for key in ("categories", "tags") for t in _list(meta.get(key)) if (s := _str(t))]
    article = Article(
        article_id=article_id,
        source_path=path,
        format=FORMAT,
        site=_str(meta.get("sitename")) or _str(meta.get("hostname")),
        title=_str(meta.get("title")),
        dateline=_str(meta.get("date")),
        body=[line.strip() for line in body.splitlines() if line.strip()],
        tags=tags,
    )
    article.problems.extend(parse_problems)
    records = _structured_comments(root, path)
    if not records:
        records, chrome = _fallback_comments(data, path)
        if records:
            left_out = f"; {len(chrome)} line(s) of dates and buttons left out: {chrome[:20]}" if chrome else ""
            article.problems.append(
                Problem(
                    "comments_from_trafilatura",
                    f"no comment markup found; {len(records)} paragraph(s) of trafilatura's comment "
                    f"extraction kept as comments, without authors or reply structure{left_out}",
                )
            )
        else:
            article.problems.append(Problem("no_comment_section", "no comments found in the markup or by trafilatura"))
    return [assemble_comments(article, records)]


def sniff(data: bytes, path: str | None) -> float:
    head = data[:SNIFF_DOCUMENT_BYTES].lower()
    score = max((s for marker, s in SNIFF_DOCUMENT_MARKERS if marker in head), default=0.0)
    start = head[:SNIFF_FRAGMENT_BYTES]
    score = max([score, *(s for marker, s in SNIFF_FRAGMENT_MARKERS if marker in start)])
    if score and path is not None and path.lower().endswith((".html", ".htm", ".xhtml")):
        score = min(1.0, score + 0.05)
    return score


READER = Reader(
    name=FORMAT,
    description="Saved HTML article page: body via trafilatura, comments from the page's comment markup",
    sniff=sniff,
    read=read,
)
