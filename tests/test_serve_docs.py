"""docs/serve.md names every option, attribute and metric the server has (no serve extra needed)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from moderation.cli import app
from moderation.serve.metrics import ServerMetrics
from moderation.serve.perspective import ATTRIBUTE_SCORES

DOC = (Path(__file__).resolve().parents[1] / "docs" / "serve.md").read_text(encoding="utf-8")


def test_every_serve_option_is_documented():
    help_text = CliRunner().invoke(app, ["serve", "--help"], terminal_width=200).output
    options = set(re.findall(r"--[a-z][a-z-]+", help_text)) - {"--help"}
    assert len(options) >= 12
    missing = sorted(o for o in options if f"`{o}`" not in DOC)
    assert not missing, missing


def test_every_attribute_and_its_score_is_in_the_mapping_table():
    for attribute, score in ATTRIBUTE_SCORES.items():
        assert f"| `{attribute}` | `{score}` |" in DOC


def test_every_metric_is_documented():
    names = set(re.findall(r"^# TYPE (\S+)", ServerMetrics(lambda: 0).render(), re.MULTILINE))
    names |= {"moderate_requests_total", "moderate_request_duration_seconds", "moderate_batch_size"}
    assert not [n for n in names if f"`{n}`" not in DOC]


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "uvicorn", None)
    result = CliRunner().invoke(app, ["serve", "--preset", "fast"])
    assert result.exit_code == 2
    assert "pip install 'moderate[serve]'" in result.output and len(result.output.strip().splitlines()) == 1
