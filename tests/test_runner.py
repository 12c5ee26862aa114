"""The streaming runner: conservation of comments, resume after a kill, failures kept visible."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks.synth_comments import write_comments
from moderation.moderator import Moderator
from moderation.run import RunInterrupted, RunOptions, run
from moderation.scoring.base import ModelInfo, TextBatch
from moderation.scoring.pipeline import ScoringPipeline
from moderation.writers import FolderSink
from tests.conftest import FIXTURES, ROOT, SEEDS

JSONL_OUTPUTS = ("articles.jsonl", "comments.jsonl", "threads.jsonl")


@pytest.fixture(scope="module")
def fast() -> Moderator:
    return Moderator("fast")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_conserved(out: Path) -> dict[str, int]:
    """The counts in run.json agree with each other and with the rows in the files."""
    counts = json.loads((out / "run.json").read_text(encoding="utf-8"))["counts"]
    rows = lines(out / "comments.jsonl")
    articles = lines(out / "articles.jsonl")
    assert counts["comments_read"] == counts["comments_parsed"] + counts["comments_rejected"]
    seen_by_models = counts["comments_scored"] + counts["comments_failed"]
    assert counts["comments_parsed"] == seen_by_models + counts["comments_not_scored"]
    assert counts["comments_parsed"] == counts["comments_written"] == len(rows)
    assert seen_by_models == counts["scored_fresh"] + counts["from_cache"]
    assert counts["comments_parsed"] == sum(a["n_comments"] for a in articles)
    assert counts["documents"] == len(articles)
    assert counts["comments_flagged"] == sum(r["flagged"] for r in rows)
    assert counts["comments_failed"] == sum("score_error" in r for r in rows)
    assert counts["threads"] == len(lines(out / "threads.jsonl"))
    assert sum(t["n_comments"] for t in lines(out / "threads.jsonl")) == len(rows)
    assert len({r["comment_id"] for r in rows}) == len(rows)
    return counts


def fixture_inputs() -> list[Path]:
    found = sorted(SEEDS.iterdir()) + sorted(p for p in FIXTURES.rglob("*") if p.is_file())
    return [p for p in found if p.suffix != ".json"]  # expected-results files are not inputs


@pytest.mark.parametrize("path", fixture_inputs(), ids=lambda p: p.name)
def test_every_fixture_conserves_comments(fast, path, tmp_path):
    summary = run([path], fast, FolderSink(tmp_path), RunOptions(use_cache=False))
    counts = assert_conserved(tmp_path)
    assert counts == summary.counts
    parsed = run([path], None)
    assert (
        counts["comments_parsed"] == parsed.counts["comments_parsed"] == sum(len(a.comments) for a in parsed.articles)
    )


def test_streaming_outputs_match_the_in_memory_api(fast, tmp_path):
    run([SEEDS], fast, FolderSink(tmp_path / "stream"), RunOptions(chunk_comments=5, use_cache=False))
    memory = fast.score_paths([SEEDS])
    in_memory = {
        "articles.jsonl": [a.article_row() for a in memory.articles],
        "comments.jsonl": [c.to_dict() for c in memory.comments],
        "threads.jsonl": [t for a in memory.articles for t in a.thread_rows()],
    }
    for name in JSONL_OUTPUTS:
        assert lines(tmp_path / "stream" / name) == in_memory[name]
    assert_conserved(tmp_path / "stream")


def test_jsonl_with_bad_lines_and_a_split_article(fast, tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [
        {"article_id": "a", "comment_id": "1", "text": "first comment, fine"},
        {"article_id": "a", "comment_id": "2", "parent_id": "1", "text": "you idiot, shit take"},
        "this line is not json",
        {"article_id": "b", "comment_id": "1", "text": "another article"},
        {"article_id": "a", "comment_id": "3", "text": "a late comment on a"},
        {"no": "article id"},
    ]
    src.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    run([src], fast, FolderSink(tmp_path / "out"), RunOptions(use_cache=False))
    counts = assert_conserved(tmp_path / "out")
    assert counts["comments_read"] == 6 and counts["comments_rejected"] == 2 and counts["comments_parsed"] == 4
    articles = lines(tmp_path / "out" / "articles.jsonl")
    assert [a["article_id"] for a in articles] == ["a", "b", "a~part2"]
    assert any(p["kind"] == "split_article" for p in articles[2]["problems"])
    comments = lines(tmp_path / "out" / "comments.jsonl")
    assert comments[1]["parent_id"] == "a#1" and comments[1]["depth"] == 1 and comments[1]["flagged"]
    run_json = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert run_json["problems_by_kind"]["rejected_line"] == 2
    assert run_json["inputs"][0]["format"] == "jsonl"


class _Exploding:
    """A scorer that fails on any batch holding a text with BOOM in it."""

    name = "exploding"
    produces = ("toxicity",)

    def info(self) -> list[ModelInfo]:
        return [ModelInfo("exploding", "1", "test", "0" * 64, self.produces)]

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        if any("BOOM" in t for t in batch.texts):
            raise RuntimeError("cannot score this")
        return {"toxicity": np.full(len(batch), 0.25)}


def test_a_failing_scorer_marks_only_the_failing_comments(tmp_path):
    mod = Moderator("fast")
    mod._pipeline = ScoringPipeline([_Exploding()], batch_size=8)
    src = tmp_path / "in.jsonl"
    texts = [f"ordinary comment {i}" for i in range(20)]
    texts[3] = texts[11] = "this one goes BOOM"
    src.write_text("".join(json.dumps({"article_id": "a", "text": t}) + "\n" for t in texts), encoding="utf-8")
    run([src], mod, FolderSink(tmp_path / "out"), RunOptions())
    counts = assert_conserved(tmp_path / "out")
    assert counts["comments_failed"] == 2 and counts["comments_scored"] == 18
    comments = lines(tmp_path / "out" / "comments.jsonl")
    assert [i for i, c in enumerate(comments) if "score_error" in c] == [3, 11]
    assert comments[3]["score_error"] == "RuntimeError: cannot score this"
    assert comments[3]["scores"] == {} and comments[4]["scores"] == {"toxicity": 0.25}
    # Failed scores are not cached: a re-run tries them again, the others come from the cache.
    run([src], mod, FolderSink(tmp_path / "out"), RunOptions())
    counts = assert_conserved(tmp_path / "out")
    assert counts["from_cache"] == 18 and counts["scored_fresh"] == 2


def test_ctrl_c_leaves_no_output_and_keeps_the_finished_chunks(fast, tmp_path):
    src = tmp_path / "in.jsonl"
    write_comments(src, 600, seed=3)
    calls = []

    def interrupt_after_two_chunks(progress):
        calls.append(progress)
        if len(calls) == 2:
            raise KeyboardInterrupt

    out = tmp_path / "out"
    with pytest.raises(RunInterrupted) as info:
        run([src], fast, FolderSink(out), RunOptions(chunk_comments=100), progress=interrupt_after_two_chunks)
    # Ctrl-C came after the second chunk was written and committed: both chunks are saved.
    assert info.value.comments_saved == calls[1].comments_done > calls[0].comments_done > 0
    assert sorted(p.name for p in out.iterdir()) == [".cache", ".moderate.lock"]  # no output, no staging left
    summary = run([src], fast, FolderSink(out), RunOptions(chunk_comments=100))
    assert summary.counts["from_cache"] >= info.value.comments_saved
    assert summary.counts["scored_fresh"] == 600 - summary.counts["from_cache"]


def test_top_flagged_is_bounded_and_ordered(fast, tmp_path):
    src = tmp_path / "in.jsonl"
    write_comments(src, 3000, seed=5)
    summary = run([src], fast, FolderSink(tmp_path / "out"), RunOptions(top_flagged=7, use_cache=False))
    flagged = [r for r in lines(tmp_path / "out" / "comments.jsonl") if r["flagged"]]
    assert summary.counts["comments_flagged"] == len(flagged) > 7
    best = sorted(flagged, key=lambda r: -r["severity"])[:7]  # stable: earlier comments win ties
    assert [c.comment.comment_id for c in summary.top_flagged] == [r["comment_id"] for r in best]


def _cache_rows(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1) as db:
            return int(db.execute("SELECT COUNT(*) FROM scores").fetchone()[0])
    except sqlite3.Error:
        return 0


def _score_cmd(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "moderation.cli", "score", str(src), "-o", str(out), "-p", "fast", "-q",
            "--chunk-size", "500"]  # fmt: skip


def test_killed_run_resumes_to_byte_identical_outputs(tmp_path):
    src = tmp_path / "big.jsonl"
    write_comments(src, 8000, seed=7)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = tmp_path / "killed"
    cache = killed / ".cache" / "scores.sqlite"
    proc = subprocess.Popen(_score_cmd(src, killed), env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while _cache_rows(cache) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; make the input bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rows_at_kill = _cache_rows(cache)
    assert 0 < rows_at_kill < 8000
    leftovers = sorted(p.name for p in killed.iterdir() if p.name != ".cache")
    assert all(name.startswith((".staging-", ".moderate.lock")) for name in leftovers), leftovers
    assert not (killed / "run.json").exists()

    resumed = subprocess.run(_score_cmd(src, killed), env=env, cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    whole = tmp_path / "whole"
    full = subprocess.run(_score_cmd(src, whole), env=env, cwd=ROOT, capture_output=True, text=True)
    assert full.returncode == 0, full.stderr
    for name in JSONL_OUTPUTS:
        assert (killed / name).read_bytes() == (whole / name).read_bytes(), name
    assert not [p for p in killed.iterdir() if p.name.startswith(".staging-")]  # stale staging cleaned up
    resumed_counts = assert_conserved(killed)
    whole_counts = assert_conserved(whole)
    assert resumed_counts["from_cache"] >= rows_at_kill > 0
    assert resumed_counts["scored_fresh"] < whole_counts["scored_fresh"] == 8000
    assert whole_counts["from_cache"] == 0


def test_report_of_a_large_run_is_a_bounded_view_of_the_most_severe_threads(fast, tmp_path):
    from moderation.report import load_outputs

    src = tmp_path / "in.jsonl"
    write_comments(src, 3000, seed=7)
    out = tmp_path / "out"
    run([src], fast, FolderSink(out), RunOptions(use_cache=False, report_comments=200))
    everything = load_outputs(out)
    view = load_outputs(out, max_comments=200)
    assert len(everything.comments) == 3000
    assert 0 < len(view.comments) <= 200
    assert "of 3,000 comments" in view.run["report_scope"]
    most_severe = max(everything.comments, key=lambda c: c.get("severity") or 0.0)
    assert most_severe["comment_id"] in {c["comment_id"] for c in view.comments}
    kept_threads = {c["thread_id"] for c in view.comments}
    assert all(c["thread_id"] not in kept_threads or c in view.comments for c in everything.comments)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "This report shows" in page and "Every comment is in comments.jsonl." in page
