"""Flags and rollups end to end: output files and the terminal summary (fast preset)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from tests.conftest import SEEDS

runner = CliRunner()
SPUTNIK = "004_20bb43e35edb2df2"
DEMO = """Demo Site
A demo page for the flag table

This is the article body, long enough to count as a paragraph of prose for the reader.

All comments
• alice
  I think the plan is a good one and I hope it lasts for everyone's sake, honestly.
• bob
  You are a f.u.c.k.i.n.g idiot [bold]alice[/bold], buy pills at pills-now.com or call 555-123-4567
• carol
  I think the plan is a good one and I hope it lasts for everyone's sake, honestly!
Show new comments (0)
"""


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    shutil.copy(SEEDS / f"{SPUTNIK}.txt", folder / f"{SPUTNIK}.txt")
    (folder / "zz_demo.txt").write_text(DEMO, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    # min severity 0.5: the rules decide this queue, not where the fitted model puts its operating point
    args = ["score", str(folder), "-o", str(out), "-p", "fast", "--min-severity", "0.5"]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output, out


def test_comments_carry_flags_with_reasons_and_severity(scored):
    _, out = scored
    comments = {c["comment_id"]: c for c in read_jsonl(out / "comments.jsonl")}
    assert all(isinstance(c["severity"], float) for c in comments.values())
    flagged = {cid: c for cid, c in comments.items() if c["flagged"]}
    # a link alone is evidence, not a reason to queue (#19 quotes a news site)
    assert set(flagged) == {"zz_demo#2", "zz_demo#3"}
    assert comments[f"{SPUTNIK}#19"]["flags"] == []
    bob = flagged["zz_demo#2"]
    assert bob["severity"] < 0.5  # the profanity model misses f.u.c.k.i.n.g; the banned list does not
    assert [(f["reason"], f.get("detail")) for f in bob["flags"]] == [
        ("banned_word", "fucking"),
        ("contact", "phone: 555-123-4567"),
        ("watched_word", "idiot"),
        ("link", "pills-now.com"),
    ]
    link = bob["flags"][-1]
    assert comments["zz_demo#2"]["text"][link["span"]["start"] : link["span"]["end"]] == link["detail"]
    assert flagged["zz_demo#3"]["flags"] == [
        {"reason": "duplicate", "score": 1.0, "threshold": 1.0, "detail": "same text as zz_demo#1"}
    ]
    assert flagged["zz_demo#3"]["severity"] < bob["severity"]  # in the queue by rule, ordered by the estimate


def test_threads_and_articles_carry_rollups(scored):
    _, out = scored
    threads = {t["thread_id"]: t for t in read_jsonl(out / "threads.jsonl")}
    reply_thread = threads[f"{SPUTNIK}#5"]
    assert reply_thread["comment_ids"] == [f"{SPUTNIK}#{n}" for n in (5, 7, 8, 9)]
    assert (reply_thread["max_depth"], reply_thread["participants"]) == (3, 3)
    assert [d["depth"] for d in reply_thread["sentiment"]["by_depth"]] == [0, 1, 2, 3]
    assert reply_thread["stance"] is None  # fast preset: no stance model, so null, not 0
    assert reply_thread["toxicity"]["attribute"] == "profanity"
    assert reply_thread["disagreement"]["pairs"] == 3
    articles = {a["article_id"]: a for a in read_jsonl(out / "articles.jsonl")}
    rollup = articles[SPUTNIK]["rollup"]
    assert (rollup["n_comments"], rollup["n_threads"], rollup["n_flagged"]) == (19, 16, 0)
    assert rollup["share_flagged"] == 0.0
    assert -1.0 <= rollup["sentiment"]["mean"] <= 1.0
    assert sum(rollup["sentiment"]["shares"].values()) == pytest.approx(1.0)
    assert articles["zz_demo"]["rollup"]["n_flagged"] == 2


def test_terminal_lists_the_most_severe_first_and_fits_80_columns(scored):
    output, _ = scored
    # the closing "Wrote ... to DIR/" line is soft-wrapped on purpose (a path stays copyable)
    assert max(len(line) for line in output.splitlines() if not line.startswith("Wrote ")) <= 80
    assert "Top flagged comments, most severe first (2 of 2)" in output
    queue = output[output.index("Top flagged") :]
    assert queue.index("#2 bob") < queue.index("#3 carol")
    assert "[bold]alice[/bold]" in output  # user text is shown, not interpreted as markup
    assert "banned_word fucking" in output
