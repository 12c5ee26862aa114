"""Reader for scraped plain-text news pages (the `seeds/` layout).

The page is read in three zones: the header (before the first paragraph of prose),
the article (first to last prose paragraph, plus what trails it), and the comment
section (from the first comment-section marker on). Every input line gets exactly one
role: title, subtitle, dateline, section, tags, related, body, boilerplate, comment
or blank; `Article.layout` records them as runs. Layout knowledge is in `text_patterns`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from moderation.parse import text_patterns as pat
from moderation.parse.base import Reader, decode_text
from moderation.parse.status import resolve_status
from moderation.schema import Article, BoilerplateLine, Comment, Problem, SourceSpan, build_threads, check_comments
from moderation.textnorm import clean_spaces, fold_confusables


@dataclass(slots=True)
class _Line:
    number: int  # 1-based
    raw: str
    text: str  # stripped
    folded: str  # stripped and confusables folded


_Drop = Callable[["_Line", str], None]  # records a line as boilerplate of a kind


@dataclass(slots=True)
class _DraftComment:
    bullet_line: int
    author: str | None
    reply_to: str | None = None
    awaiting_name: bool = False  # avatar bullet: the next line may name the author
    # (line number, text): "" for a blank line, None for a line that is structure, not text
    lines: list[tuple[int, str | None]] = field(default_factory=list)


def read(data: bytes, path: str | None, article_id: str) -> list[Article]:
    return [parse_page(decode_text(data, path), path, article_id)]


def parse_page(text: str, path: str | None, article_id: str) -> Article:
    """Parse one plain-text page into an Article with its comments."""
    lines = [
        _Line(i, raw, clean_spaces(raw), fold_confusables(clean_spaces(raw)))
        for i, raw in enumerate(text.splitlines(), start=1)
    ]
    article = Article(article_id=article_id, source_path=path, format="text_page", site=_site(text))
    roles: dict[int, str] = {}

    start = _comment_section_start(lines)
    page, section = lines[:start], lines[start:]
    _read_article(page, article, roles)
    if section:
        _read_comments(section, article, roles, path)
    article.layout = _runs(roles, len(lines))
    return article


def sniff(data: bytes, path: str | None) -> float:
    """Plain text is the fallback: any decodable text page is readable, structured formats win."""
    head = data[:4096].lstrip()
    if not head or b"\x00" in head or head[:1] in (b"<", b"{", b"["):
        return 0.0
    return 0.1


READER = Reader(
    name="text_page",
    description="scraped plain-text news page with an optional bulleted comment section",
    sniff=sniff,
    read=read,
)


# --- zones -------------------------------------------------------------------------------


def _site(text: str) -> str | None:
    folded = fold_confusables(text)
    return next((site for site, rx in pat.SITE_SIGNATURES if rx.search(folded)), None)


def _comment_chrome(line: _Line) -> tuple[str, bool] | None:
    for kind, rx, opens in pat.COMMENT_CHROME:
        if rx.fullmatch(line.folded):
            return kind, opens
    return None


def _comment_section_start(lines: list[_Line]) -> int:
    """Index of the first line of the comment section (len(lines) when there is none)."""
    first_prose = next((i for i, ln in enumerate(lines) if _is_prose(ln.text)), 0)
    for i, line in enumerate(lines):
        if i <= first_prose or not line.text:
            continue
        chrome = _comment_chrome(line)
        if chrome is not None and chrome[1]:
            return i
    return len(lines)


def _is_prose(text: str) -> bool:
    return len(text) >= pat.PROSE_MIN_CHARS and bool(pat.SENTENCE_END.search(text))


def _is_headline(text: str) -> bool:
    return len(text.split()) >= 2 and len(text) <= 200 and not re.search(r"[.:;,]$", text)


def _boilerplate_kind(line: _Line) -> str | None:
    return next((kind for kind, rx in pat.BOILERPLATE_LINES if rx.fullmatch(line.folded)), None)


def _has_caption_marker(line: _Line) -> bool:
    """A photo caption's own marks: a credit inside it, a position marker, a trailing date."""
    return not _is_prose(line.text) and any(rx.search(line.text) for rx in pat.CAPTION_MARKERS)


def _precedes_credit(lines: list[_Line], i: int) -> bool:
    """A caption without marks sits right before its credit line ("© EPA/...")."""
    following = next((ln for ln in lines[i + 1 :] if ln.text), None)
    return following is not None and _boilerplate_kind(following) == "photo_credit"


# --- the article --------------------------------------------------------------------------


def _read_article(lines: list[_Line], article: Article, roles: dict[int, str]) -> None:
    prose = [i for i, ln in enumerate(lines) if _is_prose(ln.text)]
    first, last = (prose[0], prose[-1]) if prose else (len(lines), len(lines) - 1)

    def drop(line: _Line, kind: str) -> None:
        roles[line.number] = "boilerplate"
        article.boilerplate.append(BoilerplateLine(line.number, line.text, kind))

    for i, line in enumerate(lines):
        if not line.text:
            roles[line.number] = "blank"
            continue
        kind = _boilerplate_kind(line)
        if kind is not None:
            drop(line, kind)
            continue
        if article.dateline is None and (m := pat.DATELINE_LINE.fullmatch(line.folded)):
            tz = f"GMT{m['tz']}" if m["tz"] else "GMT"
            article.dateline = f"{m['time']} {tz}, {m['date']}"
            roles[line.number] = "dateline"
            continue
        outside_body = i < first or i > last
        if outside_body and _has_caption_marker(line):
            drop(line, "photo_caption")
        elif i < first and article.title is None and _is_headline(line.text):
            # The first headline of the page is its title, even when the photo credit follows it.
            article.title = line.text
            roles[line.number] = "title"
        elif outside_body and _precedes_credit(lines, i):
            drop(line, "photo_caption")
        elif i < first:
            _header_line(line, article, roles, drop)
        elif i <= last:
            _body_line(line, article, roles)
        else:
            _trailing_line(line, article, roles, drop)


def _header_line(line: _Line, article: Article, roles: dict[int, str], drop: _Drop) -> None:
    words = len(line.text.split())
    if m := pat.RELATED_BULLET.fullmatch(line.text):
        article.related.append(m["headline"])
        roles[line.number] = "related"
    elif article.subtitle is None and article.title is not None and words >= pat.SUBTITLE_MIN_WORDS:
        article.subtitle = line.text
        roles[line.number] = "subtitle"
    elif article.section is None and words <= pat.SECTION_MAX_WORDS:
        article.section = line.text
        roles[line.number] = "section"
    else:
        drop(line, "header")


def _body_line(line: _Line, article: Article, roles: dict[int, str]) -> None:
    if (m := pat.RELATED_BULLET.fullmatch(line.text)) and _is_headline(m["headline"]):
        article.related.append(m["headline"])
        roles[line.number] = "related"
        return
    text = line.text
    if not article.body and article.dateline is None and (m := pat.DATELINE_INLINE.fullmatch(text)):
        article.dateline = f"{m['place']}, {m['date']}"
        text = m["rest"]
    article.body.append(text)
    roles[line.number] = "body"


def _trailing_line(line: _Line, article: Article, roles: dict[int, str], drop: _Drop) -> None:
    items = [item.strip() for item in line.text.split(",")]
    if len(items) >= pat.TAGS_MIN_ITEMS and all(0 < len(it.split()) <= pat.TAG_MAX_WORDS for it in items):
        article.tags.extend(items)
        roles[line.number] = "tags"
    elif m := pat.RELATED_BULLET.fullmatch(line.text):
        article.related.append(m["headline"])
        roles[line.number] = "related"
    elif _is_headline(line.text):
        article.related.append(line.text)
        roles[line.number] = "related"
    else:
        # Text after the last paragraph that reads like neither: keep it in the body, not lost.
        article.body.append(line.text)
        roles[line.number] = "body"


# --- the comment section --------------------------------------------------------------------


def _read_comments(lines: list[_Line], article: Article, roles: dict[int, str], path: str | None) -> None:
    drafts: list[_DraftComment] = []
    current: _DraftComment | None = None
    for line in lines:
        if not line.text:
            if current is not None:
                current.lines.append((line.number, ""))
            else:
                roles[line.number] = "blank"
            continue
        chrome = _comment_chrome(line)
        if chrome is not None:
            current = None
            roles[line.number] = "boilerplate"
            article.boilerplate.append(BoilerplateLine(line.number, line.text, chrome[0]))
            continue
        if bullet := pat.COMMENT_BULLET.fullmatch(line.text):
            current = _start_comment(line.number, bullet["head"])
            drafts.append(current)
            roles[line.number] = "comment"
            continue
        if current is None:
            roles[line.number] = "boilerplate"
            article.boilerplate.append(BoilerplateLine(line.number, line.text, "unclassified"))
            article.problems.append(
                Problem("unclassified_line", "text in the comment section outside any comment", line=line.number)
            )
            continue
        _comment_line(current, line)
        roles[line.number] = "comment"

    for draft in drafts:
        # Trailing blank lines belong to the gap between comments, not to the comment.
        while draft.lines and draft.lines[-1][1] == "":
            roles[draft.lines.pop()[0]] = "blank"
        for number, _ in draft.lines:
            roles[number] = "comment"

    article.comments = _finish_comments(drafts, article.article_id, path)
    if not article.comments:
        article.problems.append(
            Problem("no_comment_section", "the page has comment-section markers but no comment could be read")
        )
    build_threads(article.comments)
    article.problems.extend(check_comments(article.comments))


def _start_comment(number: int, head: str) -> _DraftComment:
    if head.casefold() in pat.AVATAR_PLACEHOLDERS:
        return _DraftComment(number, author=None, awaiting_name=True)
    if m := pat.REPLY_LINE.fullmatch(head):
        draft = _DraftComment(number, author=m["author"].strip(), reply_to=m["target"].strip())
        if m["rest"]:
            draft.lines.append((number, m["rest"].strip()))
        return draft
    return _DraftComment(number, author=head)


def _comment_line(draft: _DraftComment, line: _Line) -> None:
    text = line.text
    first_content = not any(t is None or t for _, t in draft.lines)
    if first_content and draft.reply_to is None and pat.COMMENT_TOGGLE.search(text):
        m = pat.REPLY_LINE.fullmatch(text)
        if m is not None:
            if draft.author is None:
                draft.author = m["author"].strip()
            draft.reply_to = m["target"].strip()
            draft.awaiting_name = False
            draft.lines.append((line.number, (m["rest"] or "").strip() or None))
            return
    draft.awaiting_name = False
    draft.lines.append((line.number, pat.COMMENT_TOGGLE.sub("", text).strip()))


def _finish_comments(drafts: list[_DraftComment], article_id: str, path: str | None) -> list[Comment]:
    comments: list[Comment] = []
    for n, draft in enumerate(drafts, start=1):
        last_line = draft.lines[-1][0] if draft.lines else draft.bullet_line
        text = _join_paragraphs([t for _, t in draft.lines])
        status, placeholder = resolve_status(text)
        comments.append(
            Comment(
                comment_id=f"{article_id}#{n}",
                article_id=article_id,
                position=n,
                author=draft.author,
                text=text,
                reply_to_author=draft.reply_to,
                source=SourceSpan(path, draft.bullet_line, last_line),
                status=status,
                placeholder=placeholder,
            )
        )
    for comment in comments:
        if comment.reply_to_author is not None:
            comment.parent_id = _nearest_by_author(comments[: comment.position - 1], comment.reply_to_author)
    return comments


def _nearest_by_author(earlier: list[Comment], name: str) -> str | None:
    """The latest earlier comment by `name` (exact match first, then case-insensitive)."""
    for same in (lambda a: a == name, lambda a: a.casefold() == name.casefold()):
        for comment in reversed(earlier):
            if comment.author is not None and same(comment.author):
                return comment.comment_id
    return None


def _join_paragraphs(lines: list[str | None]) -> str:
    """Lines as paragraphs: consecutive lines joined by newlines, blank runs by one empty line."""
    paragraphs: list[str] = []
    gap = False
    for text in lines:
        if text is None:
            continue
        if not text:
            gap = bool(paragraphs)
            continue
        if gap:
            paragraphs.append("")
        paragraphs.append(text)
        gap = False
    return "\n".join(paragraphs)


def _runs(roles: dict[int, str], n_lines: int) -> list[tuple[int, int, str]]:
    runs: list[tuple[int, int, str]] = []
    for number in range(1, n_lines + 1):
        role = roles[number]
        if runs and runs[-1][2] == role and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number, role)
        else:
            runs.append((number, number, role))
    return runs
