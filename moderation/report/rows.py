"""Output rows (comments.jsonl, articles.jsonl) turned into the small records the page script reads.

Every field other helpers may add is optional here: `status`, `language`, `quote`,
`external_id`, `timestamp`, platform counts under `extra` (votes, reader reports, ...). What
a row has is passed on; what it lacks is left out, never invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Platform signals shown as chips: (label, keys tried in order, in the row and in its `extra`).
SIGNALS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("status", ("status",)),
    ("language", ("language", "lang")),
    ("up votes", ("posVotes", "upvotes", "likes", "up_votes")),
    ("down votes", ("negVotes", "downvotes", "dislikes", "down_votes")),
    ("votes", ("votes", "points")),
    ("reader reports", ("flagCount", "reports", "report_count", "num_reports")),
    ("edited", ("edited",)),
    ("platform placeholder", ("placeholder",)),
    ("copy of", ("copy_of",)),
    ("not scored", ("not_scored",)),
    ("characters scored", ("scored_chars",)),
    ("by a moderator", ("isModerator",)),
)
# Statuses that mean the platform hides the comment: the queue marks them.
HIDDEN_STATUSES = frozenset({"deleted", "removed", "pending", "spam", "hidden", "rejected", "unapproved"})
# The longest text (code points) handed to the page per comment; the rest is counted, not sent.
TEXT_LIMIT = 100_000


def num(value: Any) -> float | None:
    """A JSON number as float; None for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def comment_severity(row: Mapping[str, Any]) -> float:
    """`severity` when the row carries one, else the highest flag score, else 0."""
    given = num(row.get("severity"))
    if given is not None:
        return given
    scores = [s for f in row.get("flags") or [] if (s := num(f.get("score"))) is not None]
    return max(scores, default=0.0)


def _lookup(row: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    given = row.get("extra")
    extra: Mapping[str, Any] | None = given if isinstance(given, dict) and given else None
    for key in keys:
        value = row.get(key)
        if value is not None and value != "":
            return value
        if extra is not None:
            value = extra.get(key)
            if value is not None and value != "":
                return value
    return None


def signals(row: Mapping[str, Any]) -> list[list[str]]:
    """[label, value] pairs of the platform signals this row carries (booleans only when true)."""
    out: list[list[str]] = []
    for label, keys in SIGNALS:
        value = _lookup(row, keys)
        if value is None or value is False or (label == "status" and value == "published"):
            continue
        if value is True:
            out.append([label, "yes"])
        elif isinstance(value, int | float | str):
            out.append([label, str(value)[:80]])
    return out


def _flag(f: Mapping[str, Any]) -> dict[str, Any]:
    flag: dict[str, Any] = {
        "reason": str(f.get("reason", "")),
        "score": num(f.get("score")),
        "threshold": num(f.get("threshold")),
    }
    span = f.get("span")
    if isinstance(span, dict) and num(span.get("start")) is not None and num(span.get("end")) is not None:
        flag["span"] = [int(span["start"]), int(span["end"])]
    if f.get("detail") is not None:
        flag["detail"] = str(f["detail"])[:500]
    return flag


def client_comment(row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the page script needs, from one comments.jsonl row."""
    scores = row.get("scores") or {}
    attrs = {k: round(n, 4) for k in scores if (n := num(scores.get(k))) is not None}
    dists = {
        k: {label: round(p, 4) for label, p in v.items() if num(p) is not None}
        for k, v in scores.items()
        if isinstance(v, dict)
    }
    flags = [_flag(f) for f in row.get("flags") or [] if isinstance(f, dict)]
    text = str(row.get("text") or "")
    out: dict[str, Any] = {
        "id": str(row.get("comment_id", "")),
        "article": str(row.get("article_id", "")),
        "author": row.get("author") if isinstance(row.get("author"), str) else None,
        "text": text[:TEXT_LIMIT],
        "parent": row.get("parent_id"),
        "replyTo": row.get("reply_to_author"),
        "thread": row.get("thread_id") or row.get("comment_id"),
        "depth": int(num(row.get("depth")) or 0),
        "severity": round(comment_severity(row), 4),
        "flagged": bool(row.get("flagged", bool(flags))),
        "flags": flags,
        "attrs": attrs,
        "dists": dists,
        "labels": {str(k): str(v) for k, v in (row.get("labels") or {}).items()},
    }
    if len(text) > TEXT_LIMIT:
        out["cut"] = len(text)
    optional = {
        "ext": row.get("external_id"),
        "time": row.get("timestamp") or row.get("created_at"),
        "quote": row.get("quote"),
        "status": _lookup(row, ("status",)),
    }
    if optional["status"] == "published":  # the ordinary case is not a signal
        del optional["status"]
    out.update({k: str(v) for k, v in optional.items() if isinstance(v, str | int) and str(v)})
    sig = signals(row)
    if sig:
        out["signals"] = sig
    if out.get("status") in HIDDEN_STATUSES:
        out["hidden"] = True
    return out


def article_context(article: Mapping[str, Any]) -> dict[str, Any]:
    """Title, lead, link and date of an article row, where it has them (top level or in `extra`)."""
    body = article.get("body")
    lead = _lookup(article, ("lead", "subtitle", "description"))
    if not lead and isinstance(body, list) and body and isinstance(body[0], str):
        lead = body[0]
    link = _lookup(article, ("url", "link"))
    out: dict[str, Any] = {
        "id": str(article.get("article_id")),
        "title": str(article.get("title") or article.get("article_id")),
    }
    if isinstance(lead, str) and lead.strip():
        out["lead"] = lead.strip()[:400]
    if isinstance(link, str) and link.startswith(("http://", "https://")):
        out["url"] = link[:2000]
    date = _lookup(article, ("date", "published", "timestamp", "dateline"))
    if isinstance(date, str) and date.strip():
        out["date"] = date.strip()[:80]
    return out
