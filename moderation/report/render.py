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
import io
import json
import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import IO, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from moderation.report.overview import CommentFigures, Overview
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


def run_key(run: Mapping[str, Any], comments: Sequence[Any] | int) -> str:
    """A stable name for this run's decisions in localStorage: same inputs and preset, same key.
    `comments`: the comment ids when the run names no inputs, else their number."""
    basis = {
        "preset": run.get("preset"),
        "version": run.get("version"),
        "inputs": [i.get("sha256") for i in run.get("inputs") or [] if isinstance(i, dict)],
        "comments": comments,
    }
    return "moderate:" + hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def render_report(
    articles: Iterable[Mapping[str, Any]],
    comments: Iterable[Mapping[str, Any]],
    threads: Iterable[Mapping[str, Any]],
    run: Mapping[str, Any],
    decisions: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """The review report for one run as a string (see `write_html`)."""
    buffer = io.StringIO()
    write_html(buffer, articles, comments, threads, run, decisions)
    return buffer.getvalue()


class CommentPass:
    """The report's one pass over the comments, fed one row at a time (`add`): the overview's
    figures (`CommentFigures`) and each comment's record for the page's data block, written
    to a temporary file, one line each (`script_json` escapes every line break). `write_html`
    makes one from the rows it is given; a run's sink feeds one as it writes comments.jsonl
    (`writers.FolderSink`), so the end of the run does not read the comments again."""

    def __init__(self, keep_ids: bool) -> None:
        self.figures = CommentFigures(keep_ids)
        self.records: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")  # noqa: SIM115 (close)

    def add(self, c: Mapping[str, Any]) -> None:
        self.figures.add(c)
        self.records.write(script_json(client_comment(c)) + "\n")  # str: Markup + str escapes

    def close(self) -> None:
        self.records.close()


def write_html(
    handle: IO[str],
    articles: Iterable[Mapping[str, Any]],
    comments: Iterable[Mapping[str, Any]] | CommentPass,
    threads: Iterable[Mapping[str, Any]],
    run: Mapping[str, Any],
    decisions: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """The review report for one run, from exactly the rows the writers write, into `handle`.

    `articles` are read more than once (a list, or `load.Rows`, which reads its file again),
    `comments` and `threads` once; none is held: the one pass over the comments
    (`CommentPass`; or `comments` is that pass, made as the rows were written) keeps a few
    figures per thread and article and each comment's data-block record in a temporary file,
    the page is written as Jinja generates it, its article cards made one at a time, and the
    data block one comment at a time, so the memory this takes grows with the threads shown,
    not with the comments' text or the page's size.

    `decisions` ({comment_id: {decision, reason, note, decided_at, moderator}}, see
    `decisions.carry_over`) are decisions made earlier; the page starts from them, and a
    newer decision kept in the browser for the same comment wins.
    """
    if iter(articles) is articles:
        raise TypeError("articles must be readable twice (a list or load.Rows), not an iterator")
    if isinstance(comments, CommentPass):
        _write_page(handle, articles, comments, threads, run, decisions)
        return
    made = CommentPass(keep_ids=not run.get("inputs"))
    try:
        for c in comments:
            made.add(c)
        _write_page(handle, articles, made, threads, run, decisions)
    finally:
        made.close()


def _write_page(
    handle: IO[str],
    articles: Iterable[Mapping[str, Any]],
    comments: CommentPass,
    threads: Iterable[Mapping[str, Any]],
    run: Mapping[str, Any],
    decisions: Mapping[str, Mapping[str, Any]] | None,
) -> None:
    thresholds = {k: v for k, v in (run.get("thresholds") or {}).items() if num(v) is not None}
    overview = Overview(articles, comments.figures, threads, thresholds, keep_ids=not run.get("inputs"))
    comments.records.seek(0)
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
    marker = "data-" + secrets.token_hex(16)  # where the data block goes: no user text can hold it
    chunks = _ENV.get_template("report.html.j2").generate(
        csp=csp,
        style=Markup(style),
        script=Markup(script),
        data_json=Markup(marker),
        run=run,
        counts=run.get("counts") or {},
        n_articles=overview.n_articles,
        n_comments=overview.n_comments,
        n_flagged=overview.n_flagged,
        n_threads=overview.n_threads,
        thresholds=thresholds,
        not_produced=run.get("scores_not_produced") or [],
        errors=[e for e in run.get("errors") or [] if not e.get("skipped")],
        skipped=[e for e in run.get("errors") or [] if e.get("skipped")],
        cards=overview.cards(),
        card_titles=overview.cards(chart=False),
        bare=overview.bare(),
        n_bare=overview.n_bare,
        reasons=sorted(overview.reasons),
    )
    found = False
    for chunk in chunks:
        if not found and marker in chunk:
            head, _, tail = chunk.partition(marker)
            handle.write(head)
            _write_data(handle, run, articles, comments.records, overview, thresholds, decisions)
            handle.write(tail)
            found = True
        else:
            handle.write(chunk)
    assert found, "the template wrote no data_json"


def _write_data(
    handle: IO[str],
    run: Mapping[str, Any],
    articles: Iterable[Mapping[str, Any]],
    records: Iterable[str],
    overview: Overview,
    thresholds: Mapping[str, float],
    decisions: Mapping[str, Mapping[str, Any]] | None,
) -> None:
    """The page's data block, exactly as script_json(data) writes it whole, written one
    article and one comment at a time (`records`: each comment's, one per line, see `CommentPass`)."""
    key = run_key(run, overview.ids if overview.ids is not None else overview.n_comments)
    toxic = list(TOXICITY_ATTRIBUTES)
    handle.write(f'{{"key":{script_json(key)},"thresholds":{script_json(thresholds)},"toxic":{script_json(toxic)}')
    for n, article in enumerate(articles):
        handle.write(("," if n else ',"articles":[') + str(script_json(article_context(article))))
    handle.write(("]" if overview.n_articles else ',"articles":[]') + ',"comments":[')
    for n, record in enumerate(records):
        handle.write(("," if n else "") + record[:-1])
    handle.write(f'],"heat":{script_json(overview.heat)},"given":{script_json(dict(decisions or {}))}}}')
