"""report.html is unchanged by the speed work: `moderate score -p fast` on the golden inputs
writes, byte for byte, the report recorded before the report was built in one pass
(tests/golden/expected_fast/report.html.gz, written by main at e3ba762, which read
comments.jsonl three times). The page holds no clock or machine figure; it depends on the
inputs, the package version (the run key) and the models, so a change of those on purpose
regenerates it with the other golden files:  MODERATE_UPDATE_GOLDEN=1 python -m pytest tests/test_report_golden.py
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.report.load import view_outputs
from moderation.writers import write_report
from tests.conftest import ROOT

EXPECTED = ROOT / "tests" / "golden" / "expected_fast" / "report.html.gz"
UPDATE = os.environ.get("MODERATE_UPDATE_GOLDEN") == "1"


def test_the_report_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # input paths appear in the outputs: keep them relative
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["score", "tests/golden/input", "seeds", "-p", "fast", "-o", str(out), "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    got = (out / "report.html").read_bytes()
    if UPDATE:
        EXPECTED.write_bytes(gzip.compress(got, mtime=0))
    assert got == gzip.decompress(EXPECTED.read_bytes())
    # `moderate report DIR` rebuilds the same page from the files (no count known beforehand)
    rows = view_outputs(out)
    assert (
        write_report(tmp_path / "again.html", rows.articles, rows.comments, rows.threads, rows.run).read_bytes() == got
    )
