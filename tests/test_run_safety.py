"""One reading path and safe outputs: id collisions, output inside input, bad JSONL lines,
unreadable entries, a second run on the same folder, bad usage, disk full (issues 12 and 16)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.errors import OutputBusyError, UsageError
from moderation.moderator import Moderator
from moderation.run import RunOptions, run
from moderation.writers import FolderSink
from tests.conftest import SEEDS

cli = CliRunner()
SEED_WITH_COMMENTS = sorted(SEEDS.iterdir())[-1]  # the seed page with 19 comments


@pytest.fixture(scope="module")
def fast() -> Moderator:
    return Moderator("fast")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def jsonl_rows(rows: list[dict | str]) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def score(*args: str) -> tuple[int, str]:
    result = cli.invoke(app, ["score", *args, "-p", "fast", "-q"])
    return result.exit_code, result.output


# --- ids unique across the run (issue 12 bug 1, issue 16 item 1) ----------------------------


def test_page_and_jsonl_with_the_same_article_id_keep_their_own_scores(fast, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "x.txt").write_bytes(SEED_WITH_COMMENTS.read_bytes())
    abusive = "What a load of fucking shit, you stupid bastard."
    (inputs / "y.jsonl").write_text(
        jsonl_rows([{"article_id": "x", "comment_id": "1", "text": abusive}]), encoding="utf-8"
    )
    result = fast.score_paths([inputs])
    ids = [c.comment.comment_id for c in result.comments]
    assert len(ids) == len(set(ids)) == 20
    assert [a.article.article_id for a in result.articles] == ["x", "x~2"]
    page = result.articles[0]
    alone = fast.score_texts([c.comment.text for c in page.comments], target=page.article.stance_target)
    assert [c.scores.to_dict() for c in page.comments] == [r.scores.to_dict() for r in alone]
    assert page.comments[0].scores.attributes["profanity"] < 0.5
    assert result.articles[1].comments[0].scores.attributes["profanity"] > 0.9
    assert result.articles[1].article.problems[0].kind == "id_collision"
    assert result.record["id_collisions"] == [
        {"path": str(inputs / "y.jsonl"), "article_id": "x", "renamed_to": "x~2", "first_in": str(inputs / "x.txt")}
    ]
    assert result.counts["id_collisions"] == 1


def test_two_jsonl_files_with_the_same_ids_and_two_wxr_items(fast, tmp_path):
    rows = [{"article_id": "a", "comment_id": "1", "text": "kind words, thank you"}]
    (tmp_path / "one.jsonl").write_text(jsonl_rows(rows), encoding="utf-8")
    rows[0]["text"] = "fuck you, idiot"
    (tmp_path / "two.jsonl").write_text(jsonl_rows(rows), encoding="utf-8")
    result = fast.score_paths([tmp_path / "one.jsonl", tmp_path / "two.jsonl"])
    assert [c.comment.comment_id for c in result.comments] == ["a#1", "a~2#1"]
    assert [c.flagged for c in result.comments] == [False, True]
    assert result.comments[1].comment.article_id == "a~2" and result.comments[1].comment.thread_id == "a~2#1"


# --- output safety (issue 12 bug 2, issue 16 items 2, 6, 11) --------------------------------


@pytest.fixture()
def earlier(tmp_path) -> Path:
    out = tmp_path / "out"
    code, output = score(str(SEEDS), "-o", str(out))
    assert code == 0, output
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


@pytest.mark.parametrize(
    "args",
    [["missing.txt"], ["EMPTY"], [str(SEEDS), "-f", "pdf"], [str(SEEDS), "--format", "bogus"]],
    ids=["missing", "empty-folder", "format-pdf", "format-bogus"],
)
def test_bad_usage_exits_2_and_keeps_earlier_results(earlier, tmp_path, args):
    before = snapshot(earlier)
    (tmp_path / "EMPTY").mkdir()
    args = [str(tmp_path / a) if a in ("missing.txt", "EMPTY") else a for a in args]
    code, output = score(*args, "-o", str(earlier))
    assert code == 2, output
    assert "error:" in output and "Traceback" not in output
    assert snapshot(earlier) == before
    assert not list(earlier.glob(".staging-*"))


def test_output_inside_or_holding_an_input_is_refused_before_any_work(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    src = folder / "comments.jsonl"
    src.write_text(jsonl_rows([{"article_id": "a", "text": "hello"}]), encoding="utf-8")
    original = src.read_bytes()
    code, output = score(str(src), "-o", str(folder))
    assert code == 2 and "holds input" in output
    code, output = score(str(folder), "-o", str(folder / "out"))
    assert code == 2 and "inside input" in output
    assert src.read_bytes() == original and sorted(p.name for p in folder.iterdir()) == ["comments.jsonl"]


def test_an_earlier_output_folder_inside_the_input_is_not_read_back(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "c.jsonl").write_text(jsonl_rows([{"article_id": "a", "text": "hello there"}]), encoding="utf-8")
    code, output = score(str(inputs / "c.jsonl"), "-o", str(inputs / "old"))
    assert code == 0, output
    out = tmp_path / "out"
    code, output = score(str(inputs), "-o", str(out))
    assert code == 0, output
    assert "output of an earlier moderate run" in output
    assert [c["text"] for c in lines(out / "comments.jsonl")] == ["hello there"]


@pytest.mark.parametrize("where", ["file", "under-a-file"])
def test_output_path_that_is_a_file_is_bad_usage(tmp_path, where):
    target = tmp_path / "f"
    target.write_text("keep me", encoding="utf-8")
    code, output = score(str(SEEDS), "-o", str(target if where == "file" else target / "out"))
    assert code == 2 and "Traceback" not in output and "error:" in output
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_second_run_on_a_locked_folder_gets_a_clear_error(fast, tmp_path):
    out = tmp_path / "out"
    holder = FolderSink(out)
    holder.check([SEEDS])
    holder.open()
    try:
        with pytest.raises(OutputBusyError):
            run([SEEDS], fast, FolderSink(out))
        code, output = score(str(SEEDS), "-o", str(out))
        assert code == 2 and "another run is writing" in output
    finally:
        holder.close()
    run([SEEDS], fast, FolderSink(out))  # the lock is released with the first run
    assert (out / "run.json").exists()


def test_disk_full_removes_staging_and_keeps_earlier_results(fast, earlier, monkeypatch):
    import moderation.writers as writers

    before = snapshot(earlier)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers, "write_report", full)
    with pytest.raises(OSError, match="No space left"):
        run([SEEDS], fast, FolderSink(earlier))
    assert snapshot(earlier) == before
    assert sorted(p.name for p in earlier.iterdir() if p.name.startswith(".")) == [".cache", ".moderate.lock"]


def test_a_run_that_could_not_read_an_input_keeps_earlier_results_unless_overwrite(earlier, tmp_path):
    before = snapshot(earlier)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    code, output = score(str(SEEDS), str(bad), "-o", str(earlier))
    assert code == 1 and "earlier results" in output and "bad.txt" in output
    assert snapshot(earlier) == before
    code, output = score(str(SEEDS), str(bad), "-o", str(earlier), "--overwrite")
    assert code == 1
    assert json.loads((earlier / "run.json").read_text())["counts"]["files_failed"] == 1


# --- reading: bad lines and unreadable entries (issue 16 items 4, 5) --------------------------


def test_a_bad_first_jsonl_line_costs_only_that_line(fast, tmp_path):
    src = tmp_path / "c.jsonl"
    good = [{"article_id": "a", "comment_id": str(i), "text": f"comment {i}"} for i in range(10)]
    src.write_text(jsonl_rows(['{"article_id": "a", "text": broken', *good]), encoding="utf-8")
    result = run([src], None)
    assert result.counts["comments_parsed"] == 10 and result.counts["comments_rejected"] == 1
    problems = [p.to_dict() for p in result.articles[0].article.problems]
    assert problems[0]["kind"] == "rejected_line" and problems[0]["line"] == 1


def test_jsonl_keeps_reply_to_author(tmp_path):
    src = tmp_path / "c.jsonl"
    rows = [
        {"article_id": "a", "comment_id": "1", "author": "Ann", "text": "first"},
        {"article_id": "a", "comment_id": "2", "parent_id": "1", "author": "Ben", "text": "reply"},
    ]
    src.write_text(jsonl_rows(rows), encoding="utf-8")
    comments = run([src], None).articles[0].comments
    assert comments[1].comment.reply_to_author == "Ann" and comments[1].comment.parent_id == "a#1"


def test_fifos_dangling_links_and_loops_are_reported_and_set_the_exit_code(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "c.jsonl").write_text(jsonl_rows([{"article_id": "a", "text": "hello"}]), encoding="utf-8")
    os.mkfifo(inputs / "pipe")
    (inputs / "dangling").symlink_to(tmp_path / "nowhere")
    (inputs / "loop").symlink_to(inputs / "loop")
    (inputs / "sub").mkdir()
    (inputs / "sub" / "back").symlink_to(inputs)
    out = tmp_path / "out"
    code, output = score(str(inputs), "-o", str(out))
    assert code == 1, output
    errors = {Path(e["path"]).name: e["problem"] for e in json.loads((out / "run.json").read_text())["errors"]}
    assert "named pipe" in errors["pipe"]
    assert "dangling" in errors["dangling"]
    assert "loop" in errors["loop"] and "loop" in errors["back"]
    for name in ("pipe", "dangling", "loop", "back"):
        assert name in output
    assert len(lines(out / "comments.jsonl")) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_subfolder_is_reported(tmp_path):
    inputs = tmp_path / "in"
    (inputs / "locked").mkdir(parents=True)
    (inputs / "c.jsonl").write_text(jsonl_rows([{"article_id": "a", "text": "hello"}]), encoding="utf-8")
    (inputs / "locked").chmod(0)
    try:
        result = run([inputs], None)
    finally:
        (inputs / "locked").chmod(0o755)
    assert any("cannot read folder" in e.problem for e in result.errors) and result.has_fatal_errors


def test_library_bad_usage_raises_before_writing(fast, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(UsageError):
        run([tmp_path / "missing"], fast, FolderSink(out))
    with pytest.raises(UsageError):
        run([SEEDS], fast, FolderSink(out), RunOptions(format="pdf"))
    assert not out.exists()


def test_two_wxr_items_with_the_same_post_id_keep_their_own_scores(fast, tmp_path):
    def item(text: str) -> str:
        return (
            "<item><title>Post</title><wp:post_id>7</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id>"
            f"<wp:comment_author>Ann</wp:comment_author><wp:comment_content><![CDATA[{text}]]></wp:comment_content>"
            "<wp:comment_parent>0</wp:comment_parent></wp:comment></item>"
        )

    wxr = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.0/">'
        f"<channel>{item('A kind and thoughtful post, thank you.')}{item('fuck off you stupid shit')}</channel></rss>"
    )
    (tmp_path / "blog.xml").write_text(wxr, encoding="utf-8")
    result = fast.score_paths([tmp_path / "blog.xml"])
    assert result.inputs[0].format == "wordpress"
    assert [a.article.article_id for a in result.articles] == ["blog:7", "blog:7~2"]
    assert [c.comment.comment_id for c in result.comments] == ["blog:7#1", "blog:7~2#1"]
    assert [c.flagged for c in result.comments] == [False, True]
    assert result.inputs[0].article_ids == ("blog:7", "blog:7~2")
    assert result.articles[1].article.problems[0].kind == "id_collision"
