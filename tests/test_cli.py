"""`moderate score` and `moderate parse` end to end, and what bad input does."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from tests.conftest import SEEDS

runner = CliRunner()
CONTRACT_FILES = {"articles.jsonl", "comments.jsonl", "threads.jsonl", "report.html", "run.json"}


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["score", str(SEEDS), "-o", str(out), "--preset", "fast"])
    return result, out


def test_score_seeds_writes_the_contract_files(scored):
    result, out = scored
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == CONTRACT_FILES
    assert [p.name for p in (out / ".cache").iterdir() if p.suffix == ".sqlite"] == ["scores.sqlite"]
    assert "5 articles, 19 comments" in result.output
    assert f"to {out}/" in result.output


def test_score_seeds_articles_and_comments(scored):
    _, out = scored
    articles = read_jsonl(out / "articles.jsonl")
    assert [a["article_id"] for a in articles] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert [a["n_comments"] for a in articles] == [0, 0, 0, 0, 19]
    for a in articles:
        assert set(a) >= {
            "article_id",
            "source_path",
            "site",
            "title",
            "dateline",
            "body",
            "tags",
            "related",
            "boilerplate",
            "n_comments",
            "stance_target",
        }
    comments = read_jsonl(out / "comments.jsonl")
    assert len(comments) == 19
    assert [c["comment_id"] for c in comments] == [f"004_20bb43e35edb2df2#{n}" for n in range(1, 20)]
    c7 = comments[6]
    assert c7["parent_id"] == "004_20bb43e35edb2df2#5" and c7["reply_to_author"] == "vendor"
    assert c7["thread_id"] == "004_20bb43e35edb2df2#5" and c7["depth"] == 1
    assert comments[4]["parent_id"] is None and comments[4]["reply_to_author"] == "michael"
    assert comments[0]["author"] is None
    assert comments[0]["source"] == {"path": str(SEEDS / "004_20bb43e35edb2df2.txt"), "line_start": 53, "line_end": 54}
    for c in comments:
        assert 0.0 <= c["scores"]["profanity"] <= 1.0
        assert set(c["scores"]["sentiment"]) == {"negative", "neutral", "positive"}
        assert abs(sum(c["scores"]["sentiment"].values()) - 1.0) < 1e-5
        assert "stance" not in c["scores"]  # the fast preset has no stance model and says so
        assert c["labels"]["sentiment"] in {"negative", "neutral", "positive"}
        assert c["flagged"] == bool(c["flags"])


def test_score_seeds_run_json(scored):
    _, out = scored
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["preset"] == "fast"
    assert run["counts"]["documents"] == 5
    assert (
        run["counts"]["comments_parsed"] == run["counts"]["comments_scored"] == run["counts"]["comments_written"] == 19
    )
    assert run["errors"] == []
    assert {m["name"] for m in run["models"]} == {"alt-profanity-check", "vaderSentiment"}
    assert all(m["weights_sha256"] for m in run["models"])
    assert "stance" in run["scores_not_produced"] and "toxicity" in run["scores_not_produced"]
    assert len(run["inputs"]) == 5 and all(len(i["sha256"]) == 64 for i in run["inputs"])
    threads = read_jsonl(out / "threads.jsonl")
    assert sum(t["n_comments"] for t in threads) == 19
    assert len(threads) == 16


def test_parse_writes_unscored_comments(tmp_path):
    result = runner.invoke(app, ["parse", str(SEEDS), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    comments = read_jsonl(tmp_path / "comments.jsonl")
    assert len(comments) == 19 and "scores" not in comments[0]
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} == {
        "articles.jsonl",
        "comments.jsonl",
        "run.json",
    }
    assert json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))["counts"]["comments_parsed"] == 19


@pytest.fixture
def bad_inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "004_20bb43e35edb2df2.txt", folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me, a page in Latin-1.".encode("latin-1"))
    (folder / "nocomments.txt").write_text(
        "Title of a page here\n\nA body paragraph that is long enough to count as prose, surely.\n"
        "All comments\nShow new comments (0)\n",
        encoding="utf-8",
    )
    return folder


def test_bad_input_is_reported_per_file_and_the_rest_is_processed(bad_inputs, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["score", str(bad_inputs), "-o", str(out), "--preset", "fast"])
    assert result.exit_code == 1
    text = result.output
    assert f"{bad_inputs / 'empty.txt'}: empty file" in text
    assert f"{bad_inputs / 'binary.bin'}: binary file" in text
    assert f"{bad_inputs / 'latin1.txt'}: not UTF-8 text (invalid byte at offset 3)" in text
    assert f"warning: {bad_inputs / 'nocomments.txt'}: comment section found but no comment could be read" in text
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    fatal = {e["path"] for e in run["errors"] if e["fatal"]}
    assert fatal == {str(bad_inputs / n) for n in ("empty.txt", "binary.bin", "latin1.txt")}
    assert run["counts"]["documents"] == 2 and run["counts"]["comments_parsed"] == 19
    assert len(read_jsonl(out / "comments.jsonl")) == 19


def test_warnings_alone_exit_zero(bad_inputs, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["score", str(bad_inputs / "nocomments.txt"), "-o", str(out), "-p", "fast"])
    assert result.exit_code == 0
    assert "warning:" in result.output


def test_unknown_preset_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["score", str(SEEDS), "-o", str(tmp_path), "--preset", "nope"])
    assert result.exit_code == 2
    assert "unknown preset 'nope'" in result.output
