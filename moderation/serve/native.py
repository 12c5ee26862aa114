"""`POST /v1/score`: one article with a batch of threaded comments -> the project's full rows.

The body uses the field names of the project's JSONL schema (docs/formats.md):

    {"article": {"article_id": "a1", "title": "...", "body": ["lead paragraph", ...]},
     "comments": [{"comment_id": "c1", "parent_id": null, "author": "ana", "text": "...",
                   "timestamp": "2026-11-26T10:00:00Z"}, ...]}

Comments are assembled by the same step the export readers use (ids `<article_id>#<n>`,
parents by `comment_id`, integrity problems listed on the article), then scored, flagged and
rolled up by `Moderator.score_articles`. The answer holds `article` (a line of articles.jsonl),
`comments` (lines of comments.jsonl) and `threads` (lines of threads.jsonl).
"""

from __future__ import annotations

from typing import Any

from moderation.parse.assemble import RawComment, assemble_comments
from moderation.schema import Article
from moderation.serve.errors import bad_request

ARTICLE_FIELDS = ("article_id", "title", "body", "site")
COMMENT_FIELDS = ("comment_id", "parent_id", "author", "text", "timestamp")
MAX_ID_CHARS = 200


def parse_score_request(body: Any, max_comments: int, max_text_bytes: int) -> Article:
    """The article with its comments assembled; ApiError (400) for anything malformed."""
    if not isinstance(body, dict):
        raise bad_request("Invalid value at 'request' (object)")
    _only(body, ("article", "comments"), "request")
    raw_article = body.get("article")
    if raw_article is None:
        raw_article = {}
    if not isinstance(raw_article, dict):
        raise bad_request("Invalid value at 'article' (object)")
    _only(raw_article, ARTICLE_FIELDS, "article")
    article_id = _opt_str(raw_article.get("article_id"), "article.article_id") or "article"
    if len(article_id) > MAX_ID_CHARS:
        raise bad_request(f"article.article_id longer than {MAX_ID_CHARS} characters")
    body_field = raw_article.get("body")
    if isinstance(body_field, str):
        paragraphs = [body_field]
    elif body_field is None:
        paragraphs = []
    elif isinstance(body_field, list) and all(isinstance(p, str) for p in body_field):
        paragraphs = list(body_field)
    else:
        raise bad_request("Invalid value at 'article.body' (string or list of strings)")
    article = Article(
        article_id=article_id,
        source_path=None,
        format="api",
        site=_opt_str(raw_article.get("site"), "article.site"),
        title=_opt_str(raw_article.get("title"), "article.title"),
        body=paragraphs,
    )
    comments = body.get("comments")
    if not isinstance(comments, list) or not comments:
        raise bad_request("Missing comments: give a non-empty list", "COMMENT_EMPTY")
    if len(comments) > max_comments:
        raise bad_request(f"Too many comments: {len(comments)} (limit {max_comments} per request)")
    records = [_record(c, i, max_text_bytes) for i, c in enumerate(comments)]
    return assemble_comments(article, records)


def _record(raw: Any, index: int, max_text_bytes: int) -> RawComment:
    where = f"comments[{index}]"
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid value at '{where}' (object)")
    _only(raw, COMMENT_FIELDS, where)
    text = raw.get("text")
    if not isinstance(text, str):
        raise bad_request(f"Invalid value at '{where}.text' (TYPE_STRING)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape
        raise bad_request(f"Invalid value at '{where}.text' (TYPE_STRING, not valid UTF-8)") from None
    if len(text.encode("utf-8", "surrogatepass")) > max_text_bytes:
        raise bad_request(f"Comment text too long at '{where}'.", "COMMENT_TOO_LONG")
    return RawComment(
        external_id=_opt_id(raw.get("comment_id"), f"{where}.comment_id"),
        author=_opt_str(raw.get("author"), f"{where}.author"),
        text=text,
        parent_external_id=_opt_id(raw.get("parent_id"), f"{where}.parent_id"),
        timestamp=_opt_str(raw.get("timestamp"), f"{where}.timestamp"),
    )


def _only(obj: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in obj:
        if key not in known:
            shown = "".join(ch if ch.isprintable() and ch != '"' else "?" for ch in str(key)[:64])
            raise bad_request(f'Unknown field "{shown}" in {where}; known: {", ".join(known)}')


def _opt_str(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"Invalid value at '{where}' (TYPE_STRING)")
    return value


def _opt_id(value: Any, where: str) -> str | None:
    """Ids may be strings or integers (exports use both); kept as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = _opt_str(value, where)
    if text is not None and len(text) > MAX_ID_CHARS:
        raise bad_request(f"'{where}' longer than {MAX_ID_CHARS} characters")
    return text


def score_response(result: Any) -> dict[str, Any]:
    """An ArticleResult as the three kinds of output rows."""
    return {
        "article": result.article_row(),
        "comments": [c.to_dict() for c in result.comments],
        "threads": result.thread_rows(),
    }
