"""A comment that two exports of one article carry is one comment; README files are skipped.

The exports (tests/formats_helpers.py): Ann, Bob, Dan, Eve and Eve again in the newer comment
system; the same five, Fay, and Ann's words four days later in the older one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from formats_helpers import ANN, EVE, write_two_exports
from typer.testing import CliRunner

from moderation import Moderator
from moderation.cli import app
from moderation.parse.copies import Carried, resolve, same_time
from moderation.run import RunOptions, run
from moderation.textnorm import text_key
from moderation.writers import FolderSink


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator("fast")


def _rows(folder: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]


def _score(paths: list[Path], moderator: Moderator, out: Path, chunk: int = 2000) -> dict[str, Any]:
    run(paths, moderator, FolderSink(out), RunOptions(use_cache=False, chunk_comments=chunk))
    return json.loads((out / "run.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("order", ["new first", "old first"])
def test_two_exports_of_one_thread_put_each_comment_in_the_queue_once(
    order: str, moderator: Moderator, tmp_path: Path
) -> None:
    new, old = write_two_exports(tmp_path / "data")
    first, second = (new, old) if order == "new first" else (old, new)
    record = _score([first, second], moderator, tmp_path / "out", chunk=3)  # the two files in different chunks
    comments = _rows(tmp_path / "out", "comments.jsonl")
    by_id = {c["comment_id"]: c for c in comments}
    assert len(comments) == 12 == record["counts"]["comments_read"]  # nothing dropped
    copies = [c for c in comments if c["status"] == "copy"]
    second_id = "article_55555555_comments~2"
    # the second file's five comments the first one also holds; Fay's and Ann's later repeat are its own
    assert [c["comment_id"] for c in copies] == [f"{second_id}#{n}" for n in range(1, 6)]
    for copy in copies:
        original = by_id[copy["copy_of"]]
        assert original["article_id"] == "article_55555555_comments" and original["status"] == "published"
        assert original["author"] == copy["author"] and text_key(original["text"]) == text_key(copy["text"])
        assert not copy["flagged"] and copy["flags"] == [] and copy["scores"] == {} and copy["not_scored"] == "copy"
    assert len({c["copy_of"] for c in copies}) == 5  # one to one: Eve's repeat is in both, twice each
    assert record["counts"]["comments_copies"] == 5
    assert record["statuses"]["copy"] == record["not_scored"]["copy"] == 5
    assert record["counts"]["comments_scored"] == 7
    # the queue: every duplicate is a real repeat, once, whatever the order of the files
    dupes = sorted(
        (c["author"].strip().casefold(), text_key(c["text"]))
        for c in comments
        if any(f["reason"] == "duplicate" for f in c["flags"])
    )
    assert dupes == sorted([("dan", text_key(ANN)), ("eve", text_key(EVE)), ("ann", text_key(ANN))])
    flagged_texts = [(c["author"], c["text"]) for c in comments if c["flagged"]]
    assert len(flagged_texts) == len(set(flagged_texts))
    # rollups count each comment once: the second file's figures are those of its own comments
    # (the older file has two the newer lacks; the newer none the older lacks)
    own_first, own_second = (5, 2) if order == "new first" else (7, 0)
    articles = {a["article_id"]: a for a in _rows(tmp_path / "out", "articles.jsonl")}
    rollup = articles[second_id]["rollup"]
    assert rollup["n_comments"] == 7 if order == "new first" else 5
    assert (rollup["sentiment"] or {"n": 0})["n"] == own_second == (rollup["toxicity"] or {"n": 0})["n"]
    assert articles["article_55555555_comments"]["rollup"]["sentiment"]["n"] == own_first
    threads = [t for t in _rows(tmp_path / "out", "threads.jsonl") if t["article_id"] == second_id]
    assert sum(t["sentiment"]["n"] for t in threads if t["sentiment"]) == own_second


def test_two_authors_posting_the_same_words_are_a_duplicate_not_a_copy(moderator: Moderator, tmp_path: Path) -> None:
    new, _old = write_two_exports(tmp_path / "data")
    _score([new], moderator, tmp_path / "out")
    comments = {c["author"]: c for c in _rows(tmp_path / "out", "comments.jsonl") if c["author"] in ("Ann", "Dan")}
    assert comments["Dan"]["status"] == "published" and "copy_of" not in comments["Dan"]
    assert [f["detail"] for f in comments["Dan"]["flags"] if f["reason"] == "duplicate"] == [
        f"same text as {comments['Ann']['comment_id']}"
    ]


def test_parse_marks_copies_and_skips_a_data_folders_readme(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_two_exports(data)
    (data / "README.txt").write_text(
        "Raw scraped threads\nPaths: Output/CommentsRawData/*.json (list of <p> paragraphs)\n", encoding="utf-8"
    )
    (data / "LICENSE.txt").write_text("MIT License\n\nCopyright (c) 2017\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["parse", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    skipped = {Path(e["path"]).name: e for e in record["errors"] if e.get("skipped")}
    assert sorted(skipped) == ["LICENSE.txt", "README.txt"] and not any(e["fatal"] for e in record["errors"])
    assert all("no comment and no article text" in e["problem"] for e in skipped.values())
    assert record["counts"]["files_skipped"] == 2 and record["counts"]["files"] == 4
    assert record["counts"]["documents"] == 2 and record["counts"]["comments_copies"] == 5
    assert "skipped:" in result.output and "README.txt" in result.output
    # named directly, the README is read as its reader reads it (a page without comments)
    direct = tmp_path / "direct"
    result = CliRunner().invoke(app, ["parse", str(data / "README.txt"), "-o", str(direct)])
    assert result.exit_code == 0, result.output
    assert [a["article_id"] for a in _rows(direct, "articles.jsonl")] == ["README"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("2016-02-16", "2016-02-17T01:36:15Z", True),  # local date, UTC evening
        ("2016-02-16", "2016-02-18T01:36:15Z", False),
        ("2016-02-17T01:36:15Z", "2016-02-17T01:36:59Z", True),
        ("2016-02-17T01:36:15Z", "2016-02-17T02:36:15Z", False),  # an hour apart: two posts
        (None, "2016-02-17T02:36:15Z", True),
        ("yesterday", "yesterday", True),
        ("yesterday", "today", False),
    ],
)
def test_same_time(a: str | None, b: str, same: bool) -> None:
    assert same_time(a, b) is same
    assert same_time(b, a) is same


def test_a_word_the_platform_masked_with_an_accent_is_the_same_word() -> None:
    from moderation.parse.copies import copy_key
    from moderation.schema import Article, Comment

    article = Article("a", None, "globe_mail", extra={"article_ref": "1"})
    said = [Comment(f"a#{n}", "a", n, "Rightontheleft", t) for n, t in enumerate(["stop the crap.", "stop the cřap."])]
    other = Comment("a#3", "a", 3, "Someone", "stop the crap.")
    assert copy_key(article, said[0]) == copy_key(article, said[1]) != copy_key(article, other)


def test_resolve_never_makes_a_comment_a_copy_of_one_in_its_own_article() -> None:
    members = [
        ((1, 0), Carried("x", "x#1", None)),
        ((1, 3), Carried("x", "x#4", None)),  # a repeat within x
        ((2, 0), Carried("y", "y#1", None)),
        ((2, 1), Carried("y", "y#2", None)),
        ((2, 2), Carried("y", "y#3", None)),  # y repeats it three times, x only twice
    ]
    assert resolve(reversed(members)) == {(2, 0): "x#1", (2, 1): "x#4"}
