"""Scoring in worker processes (moderation/prefetch.py) changes nothing but the speed: the same
bytes as a run in one process, the same scores cache, and a resume that reads what workers scored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.synth_comments import write_comments
from moderation.errors import UsageError
from moderation.moderator import Moderator
from moderation.parse.inputs import InputEntry, ReadState
from moderation.prefetch import InProcess, WorkerPool
from moderation.run import AUTO_WORKER_BYTES, MAX_AUTO_WORKERS, RunContext, RunOptions, _models_part, run
from moderation.writers import FolderSink, MemorySink
from tests.conftest import ROOT, SEEDS

JSONL = ("articles.jsonl", "comments.jsonl", "threads.jsonl")


@pytest.fixture(scope="module")
def fast() -> Moderator:
    return Moderator("fast")


def _counts(out: Path) -> dict[str, int]:
    return json.loads((out / "run.json").read_text(encoding="utf-8"))["counts"]


def test_a_run_with_a_worker_writes_the_same_bytes(fast: Moderator, tmp_path: Path) -> None:
    inputs = [ROOT / "tests" / "golden" / "input", SEEDS]
    for workers in (0, 1, 2):
        options = RunOptions(chunk_comments=40, use_cache=False, workers=workers)
        run(inputs, fast, FolderSink(tmp_path / f"w{workers}"), options)
    for workers in (1, 2):
        for name in (*JSONL, "report.html"):
            assert (tmp_path / f"w{workers}" / name).read_bytes() == (tmp_path / "w0" / name).read_bytes(), name
        assert _counts(tmp_path / f"w{workers}") == _counts(tmp_path / "w0")
    assert _counts(tmp_path / "w1")["comments_flagged"] > 0


def _repeats(path: Path) -> None:
    """Articles of 10 comments whose later comments repeat earlier articles' exactly, nearly (one
    word changed) or not at all, so that matches span chunks."""
    import random

    rng = random.Random(5)
    words = [
        "council",
        "budget",
        "tram",
        "road",
        "vote",
        "school",
        "tax",
        "money",
        "plan",
        "people",
        "city",
        "never",
        "always",
        "agree",
    ]
    originals: list[str] = []
    with path.open("w", encoding="utf-8") as handle:
        for a in range(12):
            for n in range(10):
                text = " ".join(rng.choice(words) for _ in range(rng.randint(12, 30)))
                if originals and n % 3 == 1:
                    text = rng.choice(originals)  # exact repeat
                elif originals and n % 3 == 2:
                    near = rng.choice(originals).split()
                    near[-1] = "differently"
                    text = " ".join(near)
                originals.append(text)
                row = {"article_id": f"a{a}", "comment_id": f"c{n}", "parent_id": None, "text": text}
                handle.write(json.dumps(row) + "\n")


def test_duplicates_across_chunks_with_workers(fast: Moderator, tmp_path: Path) -> None:
    """Exact and near duplicates of comments in earlier chunks: a run with workers finds the same
    matches, rows and report as a run in one process (the run's index checks each chunk in run
    order before a worker flags it)."""
    src = tmp_path / "repeats.jsonl"
    _repeats(src)
    for workers in (0, 1, 2):
        options = RunOptions(chunk_comments=10, use_cache=False, workers=workers)
        run([src], fast, FolderSink(tmp_path / f"w{workers}"), options)
    for workers in (1, 2):
        for name in (*JSONL, "report.html"):
            assert (tmp_path / f"w{workers}" / name).read_bytes() == (tmp_path / "w0" / name).read_bytes(), name
    rows = [json.loads(line) for line in (tmp_path / "w2" / "comments.jsonl").read_text().splitlines()]
    found = [(r["article_id"], f["detail"]) for r in rows for f in r["flags"] if f["reason"] == "duplicate"]
    across = [d for a, d in found if not d.split(" of " if d.startswith("near") else " as ")[1].startswith(a + "#")]
    assert len(across) > 20  # matches with earlier chunks (one article per chunk here)
    assert any(d.startswith("same text") for d in across) and any(d.startswith("near-duplicate") for d in across)


def test_figures_counted_a_chunk_at_a_time_equal_the_whole_runs(fast: Moderator, tmp_path: Path) -> None:
    """Workers count their chunks and render their rows (moderation/tally.py): the run's counts,
    run.json, article table and most severe flagged comments are what the results say."""
    inputs = [ROOT / "tests" / "golden" / "input", SEEDS]
    limits = {"chunk_comments": 15, "use_cache": False, "top_flagged": 3, "max_article_rows": 4}
    memory = run(inputs, fast, MemorySink(), RunOptions(**limits, workers=0))  # keeps every result
    flagged = [c for c in memory.comments if c.flagged]
    most_severe = sorted(flagged, key=lambda c: -c.severity)[:3]  # earlier first among equals
    assert len(flagged) > 3 and len({c.severity for c in flagged}) < len(flagged)  # ties to break
    assert memory.counts["documents"] > 4 and memory.counts["comments_parsed"] > 3 * 15
    record = {k: v for k, v in memory.record.items() if k != "timings"}
    for workers in (0, 2):
        result = run(inputs, fast, FolderSink(tmp_path / f"w{workers}"), RunOptions(**limits, workers=workers))
        assert [c.comment.comment_id for c in result.top_flagged] == [c.comment.comment_id for c in most_severe]
        assert result.article_rows == memory.article_rows[:4] and len(result.article_rows) == 4
        assert {k: v for k, v in result.record.items() if k != "timings"} == record
        assert result.counts == memory.counts
    rows = [json.loads(line) for line in (tmp_path / "w2" / "comments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["comment_id"] for r in rows] == [c.comment.comment_id for c in memory.comments]


def test_scores_a_worker_computed_are_cached_and_read_back(fast: Moderator, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write_comments(src, 500, seed=5)
    out = tmp_path / "out"
    first = run([src], fast, FolderSink(out), RunOptions(chunk_comments=100, workers=1))
    assert first.counts["scored_fresh"] > 0 and first.counts["from_cache"] == 0
    before = {name: (out / name).read_bytes() for name in JSONL}
    for workers in (1, 0):  # a re-run, with or without workers, scores nothing again
        again = run([src], fast, FolderSink(out, overwrite=True), RunOptions(chunk_comments=100, workers=workers))
        assert again.counts["scored_fresh"] == 0
        assert again.counts["from_cache"] == first.counts["scored_fresh"] + first.counts["from_cache"]
        assert {name: (out / name).read_bytes() for name in JSONL} == before


def _entry(tmp_path: Path, size: int) -> InputEntry:
    path = tmp_path / f"in-{size}.jsonl"
    with path.open("wb") as handle:
        handle.truncate(size)
    return InputEntry(path)


@pytest.mark.parametrize(
    ("preset", "size", "cores", "want"),
    [
        ("fast", AUTO_WORKER_BYTES, 2, 2),
        ("fast", AUTO_WORKER_BYTES, 64, MAX_AUTO_WORKERS),
        ("fast", AUTO_WORKER_BYTES - 1, 2, 0),  # a small input: workers would cost more than they save
        ("fast", AUTO_WORKER_BYTES, 1, 0),
        ("default", AUTO_WORKER_BYTES, 2, 0),  # torch already uses both cores
    ],
)
def test_workers_by_default(preset: str, size: int, cores: int, want: int, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    models = _models_part(Moderator(preset), RunContext(read=ReadState()), RunOptions(), [_entry(tmp_path, size)])
    try:
        assert (models.workers if isinstance(models, WorkerPool) else 0) == want
        assert isinstance(models, InProcess) == (want == 0)
    finally:
        models.close()


def test_workers_can_be_asked_for_or_refused(fast: Moderator, tmp_path: Path) -> None:
    small, large = [_entry(tmp_path, 10)], [_entry(tmp_path, AUTO_WORKER_BYTES)]
    asked = _models_part(fast, RunContext(read=ReadState()), RunOptions(workers=2), small)
    refused = _models_part(fast, RunContext(read=ReadState()), RunOptions(workers=0), large)
    try:
        assert isinstance(asked, WorkerPool) and asked.workers == 2
        assert isinstance(refused, InProcess)
    finally:
        asked.close()


def test_a_preset_with_neural_models_in_a_spawned_worker_writes_the_same_bytes(tmp_path: Path) -> None:
    default = Moderator("default")
    for workers in (0, 1):
        run([SEEDS], default, FolderSink(tmp_path / f"w{workers}"), RunOptions(chunk_comments=5, workers=workers))
    for name in JSONL:
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w0" / name).read_bytes(), name
    assert _counts(tmp_path / "w1")["comments_scored"] > 0


def test_the_ray_engine_refuses_workers(fast: Moderator, tmp_path: Path) -> None:
    from moderation.distributed import run_ray

    with pytest.raises(UsageError, match="--workers is for the local engine"):
        run_ray([SEEDS], fast, FolderSink(tmp_path / "out"), RunOptions(workers=2))
    assert not (tmp_path / "out").exists()
