"""Render a run into one self-contained HTML file (no network requests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

if TYPE_CHECKING:
    from moderation.api import RunResult

_ENV = Environment(
    loader=PackageLoader("moderation.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_report(run: RunResult) -> str:
    flagged = sorted((c for c in run.comments if c.flagged), key=lambda c: -max(f.score for f in c.flags))
    return _ENV.get_template("report.html.j2").render(run=run, flagged=flagged, counts=run.counts())
