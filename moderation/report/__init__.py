"""The HTML review report: Jinja2 with autoescape, one self-contained file. No scoring logic."""

from moderation.report.load import Outputs, load_outputs
from moderation.report.render import render_report

__all__ = ["Outputs", "load_outputs", "render_report"]
