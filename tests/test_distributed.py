"""--engine ray: the same rows as a local run, and a killed scoring actor loses and repeats nothing.

Runs on a local Ray instance (2 CPUs, small object store); skipped when Ray is not installed
(`pip install -e '.[ray]'`). A deprecation warning raised from the project's own calls into Ray
(not from inside Ray) fails the test: the engine keeps to the installed Ray's current API."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray")

from formats_helpers import write_two_exports  # noqa: E402

from moderation import Moderator  # noqa: E402
from moderation.distributed import (  # noqa: E402
    RayOptions,
    engine,
    run_ray,
)
from moderation.distributed.stages import ScoreArticles  # noqa: E402
from moderation.run import RunOptions, run  # noqa: E402
from moderation.writers import FolderSink  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:moderation")

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "tests" / "fixtures" / "formats"
SCORE_TOLERANCE = 1e-5

REPEATED = "Vote them all out in November, every single one of them, no exceptions this time around."
LONG = (
    "The council approved the new budget on Tuesday night after a long debate about road repairs, "
    "library hours and the cost of the new stadium lights"
)


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and the format fixtures, plus two comment tables that use the same article ids
    (a collision across files) and repeat texts exactly and nearly, within and across files,
    one file no reader can read, and an article file no comments join (the formats hold one
    that two comment files join), one Globe and Mail thread in two exports (copies across
    files) and a data folder's README.txt (skipped)."""
    root = tmp_path_factory.mktemp("inputs")
    shutil.copytree(ROOT / "seeds", root / "a_seeds")
    shutil.copytree(FORMATS, root / "b_formats", ignore=shutil.ignore_patterns("*.md"))
    tables = root / "c_tables"
    tables.mkdir()
    _jsonl(
        tables / "one.jsonl",
        [
            {"article_id": "t1", "comment_id": "1", "text": REPEATED},
            {"article_id": "t1", "comment_id": "2", "parent_id": "1", "text": LONG + "."},
            {"article_id": "t1", "comment_id": "3", "text": REPEATED.upper()},
            {"article_id": "t2", "comment_id": "1", "text": LONG + " and parking."},
            {"article_id": "t2", "comment_id": "2", "text": "[deleted]", "status": "deleted"},
        ],
    )
    _jsonl(
        tables / "two.jsonl",
        [
            {"article_id": "t1", "comment_id": "1", "text": "  " + REPEATED + "!!"},
            {"article_id": "t1", "comment_id": "2", "text": LONG + " and the parking garage."},
            {"article_id": "t3", "comment_id": "1", "text": "You absolute idiot, nobody asked you."},
        ],
    )
    (tables / "zz_garbage.json").write_bytes(b"\x00\x01not a format at all\xff" * 10)
    write_two_exports(tables / "globe")  # one thread in two exports: copies, found before scoring
    (tables / "README.txt").write_text("Raw data\n(list of <p> paragraphs)\n", encoding="utf-8")  # skipped
    article = json.loads((FORMATS / "globe_article_28844713.json").read_text(encoding="utf-8"))
    (tables / "b_lone_article.json").write_text(json.dumps({"99999999": article["28844713"]}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def ray_local() -> Any:
    if not ray.is_initialized():
        ray.init(num_cpus=2, object_store_memory=150 * 1024 * 1024, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator("fast")


@pytest.fixture(scope="module")
def local_out(inputs: Path, moderator: Moderator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local")
    sink = FolderSink(out, overwrite=True, output_format="parquet")
    run([inputs], moderator, sink, RunOptions(use_cache=False, chunk_comments=50))
    return out


def _rows(folder: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]


def _same(a: Any, b: Any, where: str) -> None:
    """Equal, floats within SCORE_TOLERANCE."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float) and isinstance(b, int | float), where
        assert abs(a - b) <= SCORE_TOLERANCE, f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{where}: keys {sorted(a)} != {sorted(b)}"
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def counts_copies(record: dict[str, Any]) -> int:
    return int(record["counts"]["comments_copies"])


def _assert_same_outputs(local: Path, distributed: Path) -> None:
    for name in ("articles.jsonl", "comments.jsonl", "threads.jsonl"):
        _same(_rows(local, name), _rows(distributed, name), name)
    a = json.loads((local / "run.json").read_text())
    b = json.loads((distributed / "run.json").read_text())
    for key in ("inputs", "errors", "id_collisions", "problems", "problems_by_kind", "models", "thresholds"):
        _same(a[key], b[key], f"run.json {key}")
    counts_a, counts_b = dict(a["counts"]), dict(b["counts"])
    for key in ("scored_fresh", "from_cache"):  # the local run may use its scores cache
        counts_a.pop(key), counts_b.pop(key)
    assert counts_a == counts_b
    assert b["engine"]["name"] == "ray"


def test_ray_run_gives_the_rows_of_a_local_run(
    inputs: Path, ray_local: Any, moderator: Moderator, local_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ray"
    sink = FolderSink(out, output_format="parquet")
    result = run_ray([inputs], moderator, sink, ray_options=RayOptions(num_actors=2, batch_articles=3))
    _assert_same_outputs(local_out, out)
    pq = pytest.importorskip("pyarrow.parquet")
    for name in ("articles.parquet", "comments.parquet", "threads.parquet"):  # the same Parquet copies
        assert pq.read_schema(local_out / name) == pq.read_schema(out / name), name
        _same(pq.read_table(local_out / name).to_pylist(), pq.read_table(out / name).to_pylist(), name)
    # the fixtures exercise what is hard to distribute: not a comparison of two empty sets
    comments = _rows(out, "comments.jsonl")
    details = [f.get("detail", "") for c in comments for f in c.get("flags", []) if f["reason"] == "duplicate"]
    by_id = {
        c["comment_id"]: [f.get("detail") for f in c.get("flags", []) if f["reason"] == "duplicate"] for c in comments
    }
    assert by_id["t1#3"] == ["same text as t1#1"]  # exact, within an article
    assert by_id["t1~2#1"] == ["same text as t1#1"]  # exact, across files (the second t1 is renamed)
    assert by_id["t2#1"][0].startswith("near-duplicate of t1#2")  # near, across articles
    assert by_id["t1~2#2"][0].startswith("near-duplicate of t1#2")
    assert by_id["t2#2"] == [] and by_id["t1#1"] == []  # a deleted comment; the first of its text
    assert len(details) >= 4
    copies = {c["comment_id"]: c["copy_of"] for c in comments if c["status"] == "copy"}
    assert len(copies) == counts_copies(result.record) == 5  # each in the older export (read first)
    assert all(
        v.startswith("article_55555555_comments#") and k.startswith("article_55555555_comments~2#")
        for k, v in copies.items()
    )
    assert all(not by_id[k] for k in copies)  # a copy is never a duplicate
    assert [Path(e["path"]).name for e in result.record["errors"] if e.get("skipped")] == ["README.txt"]
    assert result.record["id_collisions"] and any("zz_garbage" in e["path"] for e in result.record["errors"])
    counts = result.counts
    assert counts["comments_read"] == counts["comments_parsed"] == counts["comments_written"] == len(comments)
    assert (out / "report.html").is_file()
    articles = _rows(out, "articles.jsonl")  # joins: the article file went into both comment files
    joined = [a["article_id"] for a in articles if "context_from" in a.get("extra", {})]
    assert joined == ["globe_comments_28844713_trimmed", "globe_old_comments_28844713_trimmed"]
    assert "globe_article_28844713" not in {a["article_id"] for a in articles}
    assert articles[-1]["article_id"] == "b_lone_article"  # nothing joined it: after all others


def test_a_killed_actor_loses_and_repeats_no_row(
    inputs: Path, ray_local: Any, moderator: Moderator, local_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    armed, fired = tmp_path / "armed", tmp_path / "fired"
    armed.write_text("")

    class DiesOnce(ScoreArticles):
        """Kills its own process (SIGKILL, as the OOM killer or a lost node would) on its second
        batch, once per run: the marker file is removed first, so the restarted actor goes on."""

        calls = 0

        def __call__(self, batch: Any) -> Any:
            type(self).calls += 1
            if type(self).calls == 2 and armed.exists():
                armed.unlink()
                fired.write_text(str(os.getpid()))
                os.kill(os.getpid(), signal.SIGKILL)
            return super().__call__(batch)

    monkeypatch.setattr(engine, "SCORER", DiesOnce)
    out = tmp_path / "ray"
    run_ray([inputs], moderator, FolderSink(out), ray_options=RayOptions(num_actors=1, batch_articles=2))
    assert fired.exists() and not armed.exists()  # an actor process was killed mid-run
    comments = _rows(out, "comments.jsonl")
    ids = [(c["comment_id"]) for c in comments]
    assert len(ids) == len(set(ids))
    _assert_same_outputs(local_out, out)


TABLE_ROWS: list[dict[str, Any]] = [  # the first row names every column (`datasets` takes them from it)
    {
        "article_id": "a1",
        "comment_id": "1",
        "parent_id": None,
        "author": "ann",
        "text": REPEATED,
        "timestamp": "2024-05-01T10:00:00",
        "status": None,
    },
    {"article_id": "a1", "comment_id": "2", "parent_id": "1", "author": "bob", "text": LONG + "."},
    {"article_id": "a1", "comment_id": "3", "text": None},  # rejected: no text
    {"article_id": "a1", "comment_id": "4", "parent_id": "2", "text": "You absolute idiot, nobody asked you."},
    {"article_id": "a2", "comment_id": "1", "text": REPEATED.upper(), "status": "published"},
    {"article_id": "a2", "comment_id": "2", "text": "[removed]", "status": "removed"},
    {"article_id": "a3", "comment_id": "1", "text": LONG + " and parking."},
]


def _without_source(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows less where they were read from (a file's path and bytes, a table's name and row)."""
    return [{k: v for k, v in r.items() if k not in ("source", "source_path", "format")} for r in rows]


@pytest.fixture(scope="module")
def table_local(moderator: Moderator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local run of the table's rows written as a JSONL file (the reference)."""
    folder = tmp_path_factory.mktemp("table")
    _jsonl(folder / "rows.jsonl", TABLE_ROWS)
    out = tmp_path_factory.mktemp("table_local")
    run([folder / "rows.jsonl"], moderator, FolderSink(out, overwrite=True), RunOptions(use_cache=False))
    return out


def _assert_same_as_jsonl(local: Path, out: Path) -> dict[str, Any]:
    for name in ("articles.jsonl", "comments.jsonl", "threads.jsonl"):
        _same(_without_source(_rows(local, name)), _without_source(_rows(out, name)), name)
    a, b = json.loads((local / "run.json").read_text()), json.loads((out / "run.json").read_text())
    assert [i["article_ids"] for i in a["inputs"]] == [i["article_ids"] for i in b["inputs"]] == [["a1", "a2", "a3"]]
    assert b["inputs"][0]["format"] == "table"
    return dict(b["counts"])


def test_a_ray_dataset_gives_the_rows_of_its_jsonl_file(
    ray_local: Any, moderator: Moderator, table_local: Path, tmp_path: Path
) -> None:
    """Three blocks: article a1 spans two of them and is put back together, in table order."""
    out = tmp_path / "ray"
    ds = ray.data.from_items(TABLE_ROWS, override_num_blocks=3)
    run_ray(ds, moderator, FolderSink(out), ray_options=RayOptions(num_actors=1))
    counts = _assert_same_as_jsonl(table_local, out)
    assert counts["comments_read"] == 7 and counts["comments_rejected"] == 1 and counts["comments_written"] == 6
    (a1,) = [r for r in _rows(out, "articles.jsonl") if r["article_id"] == "a1"]
    assert [p["line"] for p in a1["problems"] if p["kind"] == "rejected_line"] == [3]
    flagged = {c["comment_id"]: [f["reason"] for f in c.get("flags", [])] for c in _rows(out, "comments.jsonl")}
    assert "duplicate" in flagged["a2#1"]  # a run-wide match between two articles of the table


def test_a_huggingface_dataset_gives_the_rows_of_its_jsonl_file(
    ray_local: Any, moderator: Moderator, table_local: Path, tmp_path: Path
) -> None:
    """A `datasets.Dataset`; a last row without an article id is an error of the run, not a comment."""
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "ray"
    rows = [*TABLE_ROWS, {"article_id": None, "comment_id": "9", "text": "orphan"}]
    result = run_ray(datasets.Dataset.from_list(rows), moderator, FolderSink(out), ray_options=RayOptions(num_actors=1))
    counts = _assert_same_as_jsonl(table_local, out)
    assert counts["comments_read"] == 8 and counts["comments_rejected"] == 2 and counts["comments_written"] == 6
    assert [e["problem"] for e in result.record["errors"]] == ["row 8: no article_id"]


def test_a_parquet_table_read_by_ray_is_parsed_like_its_jsonl_file(ray_local: Any, tmp_path: Path) -> None:
    """`ray.data.read_parquet` (two files) through the table reader: the articles and comments
    the JSONL reader makes of the same rows, less where they were read from."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from moderation.distributed.tables import read_table
    from moderation.parse import jsonl
    from moderation.parse.inputs import ReadState

    folder = tmp_path / "table"
    folder.mkdir()
    full = [{k: r.get(k) for k in TABLE_ROWS[0]} for r in TABLE_ROWS]  # from_pylist takes the first row's keys
    pq.write_table(pa.Table.from_pylist(full[:2]), folder / "part-0.parquet")
    pq.write_table(pa.Table.from_pylist(full[2:]), folder / "part-1.parquet")
    state = ReadState()
    rows = read_table(ray, ray.data.read_parquet(str(folder)), "<t>", state, 2).sort("order").take_all()
    articles = [pickle.loads(r["payload"]) for r in rows]
    data = "".join(json.dumps(r) + "\n" for r in TABLE_ROWS).encode()
    expected = jsonl.read(data, "rows.jsonl")

    def described(a: Any) -> Any:
        comments = [(c.comment_id, c.author, c.text, c.parent_id, c.timestamp, c.status) for c in a.comments]
        return a.article_id, comments, [(p.kind, p.line) for p in a.problems]

    assert [described(a) for a in articles] == [described(a) for a in expected]
    assert state.counts["comments_read"] == 7 and state.counts["comments_rejected"] == 1
