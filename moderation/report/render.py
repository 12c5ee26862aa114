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
from moderation.report.rows import article_context, client_comment, num
from moderation.schema import TOXICITY_ATTRIBUTES

_ENV = Environment(
    loader=PackageLoader("moderation.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Score attributes that measure hostility, in display order; others found in `scores` follow.
# The page script, in order; one closure around them all (report.js starts it).
SCRIPTS = ("core.js", "text.js", "queue.js", "detail.js", "decide.js", "report.js")
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
    for code, escaped in _JSON_ESCAPES.items():  # str.replace: translate() with a dict is ~50x slower
        if chr(code) in text:
            text = text.replace(chr(code), escaped)
    return Markup(text)


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _static(name: str) -> str:
    return resources.files("moderation.report").joinpath("static", name).read_text(encoding="utf-8")


def run_key(run: Mapping[str, Any], comments: Sequence[Mapping[str, Any]]) -> str:
    """A stable name for this run's decisions in localStorage: same inputs and preset, same key."""
    basis = {
        "preset": run.get("preset"),
        "version": run.get("version"),
        "inputs": [i.get("sha256") for i in run.get("inputs") or [] if isinstance(i, dict)],
        "comments": [c.get("comment_id") for c in comments] if not run.get("inputs") else len(comments),
    }
    return "moderate:" + hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def _fmt(value: float | int) -> str:
    """Counts as integers, everything else with two decimals."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 2):
        return str(int(value))
    return f"{value:.2f}"


def _scalar_items(mapping: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Printable (key, value) pairs of a dict's scalars, nested dicts flattened one level, for rollups."""
    if not isinstance(mapping, dict):
        return []
    out = []
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            out.append((name, _fmt(value)))
        elif isinstance(value, str):
            out.append((name, value[:80]))
        elif isinstance(value, dict) and value and all(num(v) is not None for v in value.values()):
            out.append((name, ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())))
        elif isinstance(value, dict) and not prefix:
            out.extend(_scalar_items(value, prefix=f"{name}."))
    return out


HEAT_ATTRIBUTES = ("toxicity", "profanity")


def thread_heat(
    row: Mapping[str, Any], members: Sequence[Mapping[str, Any]], thresholds: Mapping[str, float]
) -> tuple[float | None, float | None, str | None]:
    """(heat, its threshold, attribute) of one thread: the threads.jsonl `toxicity` block
    (`max` of its `attribute`, against that attribute's threshold), else the highest score of
    the first heat attribute the comments have, against that attribute's own threshold."""
    block = row.get("toxicity")
    if isinstance(block, dict) and num(block.get("max")) is not None:
        attr = str(block.get("attribute") or "toxicity")
        threshold = num(block.get("threshold"))
        return num(block["max"]), threshold if threshold is not None else thresholds.get(attr), attr
    if num(row.get("toxicity_max")) is not None:  # first-generation rows
        return num(row["toxicity_max"]), thresholds.get("toxicity"), "toxicity"
    for attr in HEAT_ATTRIBUTES:
        values = [v for c in members if (v := num((c.get("scores") or {}).get(attr))) is not None]
        if values:
            return max(values), thresholds.get(attr), attr
    return None, None, None


_THREAD_ROW_SKIP = {"thread_id", "article_id", "comment_ids", "n_comments", "max_depth", "participants", "n_flagged"}


def _thread_view(
    thread_id: str, members: list[Mapping[str, Any]], row: Mapping[str, Any], thresholds: Mapping[str, float]
) -> dict[str, Any]:
    sentiments = [s for c in members if isinstance(s := (c.get("scores") or {}).get("sentiment"), dict) and s]
    sentiment = None
    if sentiments:
        sentiment = {
            k: sum(num(s.get(k)) or 0.0 for s in sentiments) / len(sentiments)
            for k in ("negative", "neutral", "positive")
        }
    heat, threshold, attribute = thread_heat(row, members, thresholds)
    n_flagged = row.get("n_flagged")
    if num(n_flagged) is None:
        n_flagged = sum(1 for c in members if c.get("flagged"))
    return {
        "thread_id": thread_id,
        "root": members[0] if members else {},
        "n_comments": len(members) or int(num(row.get("n_comments")) or 0),
        "max_depth": max((int(c.get("depth") or 0) for c in members), default=0),
        "n_flagged": int(n_flagged or 0),
        "sentiment": sentiment,
        "heat": heat,
        "threshold": threshold,
        "attribute": attribute,
        "extra": [(k, v) for k, v in _scalar_items(row) if k not in _THREAD_ROW_SKIP],
    }


def _article_views(
    articles: Sequence[Mapping[str, Any]],
    comments: Sequence[Mapping[str, Any]],
    threads: Sequence[Mapping[str, Any]],
    thresholds: Mapping[str, float],
    heat: dict[str, float],
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
        heat.update((t["thread_id"], round(t["heat"], 4)) for t in tviews if t["heat"] is not None)
        charted = sorted(tviews, key=lambda t: (-t["n_comments"], t["thread_id"]))[:CHART_THREADS]
        n_flagged = sum(1 for c in members if c.get("flagged"))
        n_comments = len(members) if members else int(num(article.get("n_comments")) or 0)
        sentiments = [t["sentiment"] for t in tviews if t["sentiment"]]
        views.append(
            {
                **article_context(article),
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
    decisions: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """The review report for one run, from exactly the rows the writers write.

    `decisions` ({comment_id: {decision, reason, note, decided_at, moderator}}, see
    `decisions.carry_over`) are decisions made earlier; the page starts from them, and a
    newer decision kept in the browser for the same comment wins.
    """
    thresholds = {k: v for k, v in (run.get("thresholds") or {}).items() if num(v) is not None}
    heat: dict[str, float] = {}
    views = _article_views(articles, comments, threads, thresholds, heat)
    data = {
        "key": run_key(run, comments),
        "thresholds": thresholds,
        "toxic": list(TOXICITY_ATTRIBUTES),
        "articles": [article_context(a) for a in articles],
        "comments": [client_comment(c) for c in comments],
        "heat": heat,
        "given": dict(decisions or {}),
    }
    style = _static("report.css")
    script = '(function () {\n"use strict";\n' + "".join(_static(n) for n in SCRIPTS) + "})();\n"
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
        articles=views,
        reasons=sorted({str(f.get("reason")) for c in comments for f in c.get("flags") or []}),
    )
