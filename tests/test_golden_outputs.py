"""Speed work must not change results: `moderate score` writes, byte for byte, the outputs
recorded before it (tests/golden/expected_<preset>/, written by main at 52bd245, before the speed work).

Inputs: tests/golden/input (hand-made comments that hit every word-list, link, contact,
duplicate, escalation and VADER rule, plus 150 synthetic comments) and seeds/. run.json
is compared on the fields that do not depend on the machine or the clock.

A change that alters outputs ON PURPOSE regenerates the expected files and says so in its
commit:  MODERATE_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_outputs.py
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
JSONL = ("articles.jsonl", "comments.jsonl", "threads.jsonl")
RUN_FIELDS = (
    "preset",
    "thresholds",
    "flags",
    "scores_produced",
    "scores_not_produced",
    "inputs",
    "counts",
    "errors",
    "problems",
    "problems_total",
    "problems_by_kind",
)
UPDATE = os.environ.get("MODERATE_UPDATE_GOLDEN") == "1"


def _run_fields(out: Path) -> str:
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return json.dumps({k: run[k] for k in RUN_FIELDS}, indent=2, ensure_ascii=False) + "\n"


def _first_difference(got: bytes, want: bytes) -> str:
    for n, (a, b) in enumerate(zip(got.splitlines(), want.splitlines(), strict=False), start=1):
        if a != b:
            return f"line {n}:\n got  {a[:400]!r}\n want {b[:400]!r}"
    return f"{len(got.splitlines())} lines, want {len(want.splitlines())}"


@pytest.mark.parametrize("preset", ["fast", "default"])
def test_outputs_are_unchanged(preset: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # input paths appear in the outputs: keep them relative
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["score", "tests/golden/input", "seeds", "-p", preset, "-o", str(out), "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    expected = GOLDEN / f"expected_{preset}"
    if UPDATE:
        expected.mkdir(parents=True, exist_ok=True)
        for name in JSONL:
            (expected / f"{name}.gz").write_bytes(gzip.compress((out / name).read_bytes(), mtime=0))
        (expected / "run.json").write_text(_run_fields(out), encoding="utf-8")
    for name in JSONL:
        got, want = (out / name).read_bytes(), gzip.decompress((expected / f"{name}.gz").read_bytes())
        assert got == want, f"{preset} {name} changed at {_first_difference(got, want)}"
    assert _run_fields(out) == (expected / "run.json").read_text(encoding="utf-8")
    comments = [json.loads(line) for line in (out / "comments.jsonl").read_bytes().split(b"\n") if line]
    reasons = {f["reason"] for c in comments for f in c["flags"]}
    assert {"banned_word", "watched_word", "link", "contact", "duplicate", "escalation", "profanity"} <= reasons
