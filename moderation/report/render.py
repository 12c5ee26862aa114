"""Render a run's output records into one self-contained HTML file (no network requests).

The report is built from the rows the writers write (articles.jsonl, comments.jsonl,
threads.jsonl, run.json), so `moderate report DIR` can rebuild it from disk. Fields that
a preset or branch does not produce are shown when present and skipped when absent.

Untrusted text (comments, authors, titles) reaches the page two ways only: through Jinja2
autoescape, and as data in a `<script type="application/json">` block whose `<`, `>`, `&`
and U+2028/2029 are escaped, read by the page script with `JSON.parse` and put into the DOM
with `textContent`. The Content-Security-Policy allows only the page's own inline script and
style (by hash), `data:` images, and no network access at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from moderation.report import charts

_ENV = Environment(
    loader=PackageLoader("moderation.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Score attributes that measure hostility, in display order; others found in `scores` follow.
TOXIC_ATTRIBUTES = ("toxicity", "severe_toxicity", "insult", "identity_attack", "profanity", "threat")
# Distributions in `scores` (dicts of label -> probability); shown as their argmax.
DISTRIBUTIONS = ("sentiment", "stance")
# How many threads per article the overview charts draw (largest first).
CHART_THREADS = 30

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(data: Any) -> Markup:
    """JSON safe to place inside `<script type="application/json">`: no `</script>` can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.translate(_JSON_ESCAPES))


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _static(name: str) -> str:
    return resources.files("moderation.report").joinpath("static", name).read_text(encoding="utf-8")


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def comment_severity(row: Mapping[str, Any]) -> float:
    """`severity` when the row carries one, else the highest flag score, else 0."""
    given = _num(row.get("severity"))
    if given is not None:
        return given
    scores = [s for f in row.get("flags") or [] if (s := _num(f.get("score"))) is not None]
    return max(scores, default=0.0)


def _client_comment(row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the page script needs, from one comments.jsonl row."""
    scores = row.get("scores") or {}
    attrs = {k: round(n, 4) for k in scores if (n := _num(scores.get(k))) is not None}
    dists = {
        k: {label: round(p, 4) for label, p in v.items() if _num(p) is not None}
        for k, v in scores.items()
        if isinstance(v, dict)
    }
    flags = []
    for f in row.get("flags") or []:
        flag: dict[str, Any] = {
            "reason": str(f.get("reason", "")),
            "score": _num(f.get("score")),
            "threshold": _num(f.get("threshold")),
        }
        span = f.get("span")
        if isinstance(span, dict) and _num(span.get("start")) is not None and _num(span.get("end")) is not None:
            flag["span"] = [int(span["start"]), int(span["end"])]
        if f.get("detail") is not None:
            flag["detail"] = str(f["detail"])
        flags.append(flag)
    return {
        "id": str(row.get("comment_id", "")),
        "article": str(row.get("article_id", "")),
        "author": row.get("author"),
        "text": str(row.get("text") or ""),
        "parent": row.get("parent_id"),
        "replyTo": row.get("reply_to_author"),
        "thread": row.get("thread_id") or row.get("comment_id"),
        "depth": int(row.get("depth") or 0),
        "severity": round(comment_severity(row), 4),
        "flagged": bool(row.get("flagged", bool(flags))),
        "flags": flags,
        "attrs": attrs,
        "dists": dists,
        "labels": {str(k): str(v) for k, v in (row.get("labels") or {}).items()},
    }


def run_key(run: Mapping[str, Any], comments: Sequence[Mapping[str, Any]]) -> str:
    """A stable name for this run's decisions in localStorage: same inputs and preset, same key."""
    basis = {
        "preset": run.get("preset"),
        "version": run.get("version"),
        "inputs": [i.get("sha256") for i in run.get("inputs") or [] if isinstance(i, dict)],
        "comments": [c.get("comment_id") for c in comments] if not run.get("inputs") else len(comments),
    }
    return "moderate:" + hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def _scalar_items(mapping: Any) -> list[tuple[str, str]]:
    """Printable (key, value) pairs of a dict's scalar and small-dict values, for rollups."""
    if not isinstance(mapping, dict):
        return []
    out = []
    for key, value in mapping.items():
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            out.append((str(key), f"{value:.2f}" if isinstance(value, float) else str(value)))
        elif isinstance(value, str):
            out.append((str(key), value))
        elif isinstance(value, dict) and all(_num(v) is not None for v in value.values()):
            out.append((str(key), ", ".join(f"{k} {float(v):.2f}" for k, v in value.items())))
    return out


_THREAD_ROW_SKIP = {"thread_id", "article_id", "comment_ids", "n_comments", "max_depth", "participants", "n_flagged"}


def _thread_view(
    thread_id: str, members: list[Mapping[str, Any]], row: Mapping[str, Any], thresholds: Mapping[str, float]
) -> dict[str, Any]:
    sentiments = [s for c in members if isinstance(s := (c.get("scores") or {}).get("sentiment"), dict) and s]
    sentiment = None
    if sentiments:
        sentiment = {
            k: sum(_num(s.get(k)) or 0.0 for s in sentiments) / len(sentiments)
            for k in ("negative", "neutral", "positive")
        }
    heat_values = [
        v
        for c in members
        for k, raw in (c.get("scores") or {}).items()
        if k not in DISTRIBUTIONS and (v := _num(raw)) is not None
    ]
    heat = _num(row.get("toxicity_max"))
    if heat is None:
        heat = max(heat_values, default=None)
    n_flagged = row.get("n_flagged")
    if _num(n_flagged) is None:
        n_flagged = sum(1 for c in members if c.get("flagged"))
    return {
        "thread_id": thread_id,
        "root": members[0] if members else {},
        "n_comments": len(members) or int(_num(row.get("n_comments")) or 0),
        "max_depth": max((int(c.get("depth") or 0) for c in members), default=0),
        "n_flagged": int(n_flagged or 0),
        "sentiment": sentiment,
        "heat": heat,
        "threshold": min(thresholds.values(), default=None),
        "extra": [(k, v) for k, v in _scalar_items(row) if k not in _THREAD_ROW_SKIP],
    }


def _article_views(
    articles: Sequence[Mapping[str, Any]],
    comments: Sequence[Mapping[str, Any]],
    threads: Sequence[Mapping[str, Any]],
    thresholds: Mapping[str, float],
) -> list[dict[str, Any]]:
    by_article: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    by_thread: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for c in comments:
        by_article[str(c.get("article_id"))].append(c)
        by_thread[str(c.get("thread_id") or c.get("comment_id"))].append(c)
    thread_rows: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for t in threads:
        thread_rows[str(t.get("article_id"))].append(t)

    known = [str(a.get("article_id")) for a in articles]
    extra_ids = [aid for aid in by_article if aid not in set(known)]
    views = []
    for article in [*articles, *({"article_id": aid} for aid in extra_ids)]:
        aid = str(article.get("article_id"))
        members = by_article.get(aid, [])
        rows = thread_rows.get(aid) or [
            {"thread_id": tid, "article_id": aid}
            for tid in dict.fromkeys(str(c.get("thread_id") or c.get("comment_id")) for c in members)
        ]
        tviews = [
            _thread_view(str(r.get("thread_id")), by_thread.get(str(r.get("thread_id")), []), r, thresholds)
            for r in rows
        ]
        charted = sorted(tviews, key=lambda t: (-t["n_comments"], t["thread_id"]))[:CHART_THREADS]
        n_flagged = sum(1 for c in members if c.get("flagged"))
        n_comments = len(members) if members else int(_num(article.get("n_comments")) or 0)
        sentiments = [t["sentiment"] for t in tviews if t["sentiment"]]
        views.append(
            {
                "id": aid,
                "title": article.get("title"),
                "site": article.get("site"),
                "dateline": article.get("dateline"),
                "source_path": article.get("source_path"),
                "n_comments": n_comments,
                "n_threads": len(tviews),
                "n_flagged": n_flagged,
                "flagged_share": n_flagged / n_comments if n_comments else 0.0,
                "max_depth": max((t["max_depth"] for t in tviews), default=0),
                "rollup": _scalar_items(article.get("rollup")),
                "threads_charted": len(charted),
                "has_sentiment": bool(sentiments),
                "chart": Markup(charts.thread_chart(charted))
                if any(t["sentiment"] or t["heat"] is not None for t in charted)
                else None,
            }
        )
    return views


def render_report(
    articles: Sequence[Mapping[str, Any]],
    comments: Sequence[Mapping[str, Any]],
    threads: Sequence[Mapping[str, Any]],
    run: Mapping[str, Any],
) -> str:
    """The review report for one run, from exactly the rows the writers write."""
    thresholds = {k: v for k, v in (run.get("thresholds") or {}).items() if _num(v) is not None}
    titles = {str(a.get("article_id")): a.get("title") or a.get("article_id") for a in articles}
    data = {
        "key": run_key(run, comments),
        "thresholds": thresholds,
        "toxic": list(TOXIC_ATTRIBUTES),
        "articles": [{"id": k, "title": str(v)} for k, v in titles.items()],
        "comments": [_client_comment(c) for c in comments],
    }
    style = _static("report.css")
    script = _static("report.js")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {csp_hash(script)}",
            f"style-src {csp_hash(style)}",
            "img-src data:",
            "connect-src 'none'",
            "font-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-src 'none'",
        ]
    )
    counts = run.get("counts") or {}
    n_flagged = sum(1 for c in comments if c.get("flagged"))
    return _ENV.get_template("report.html.j2").render(
        csp=csp,
        style=Markup(style),
        script=Markup(script),
        data_json=script_json(data),
        run=run,
        counts=counts,
        n_articles=len(articles),
        n_comments=len(comments),
        n_flagged=n_flagged,
        n_threads=len(threads),
        thresholds=thresholds,
        not_produced=run.get("scores_not_produced") or [],
        errors=run.get("errors") or [],
        articles=_article_views(articles, comments, threads, thresholds),
        reasons=sorted({str(f.get("reason")) for c in comments for f in c.get("flags") or []}),
    )
