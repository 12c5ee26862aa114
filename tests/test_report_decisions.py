"""Decisions that travel (merge, carry onto new outputs, `moderate decisions merge`, `moderate report
--decisions`), the bounded view of a thread larger than the report, rollup counts, heat."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.errors import InputError
from moderation.report import charts, load_outputs, render_report
from moderation.report.decisions import carry_over, merge_decisions, read_decisions
from moderation.report.overview import _scalar_items, thread_heat
from tests.report_fixtures import AID, RLO_AUTHOR, review_records

runner = CliRunner()


def decision(cid: str, what: str, at: str, who: str, **extra) -> dict:
    return {"comment_id": cid, "decision": what, "decided_at": at, "moderator": who, **extra}


def write_file(path: Path, rows: list[dict], moderator: str | None = None) -> Path:
    doc = {"format": "moderate-decisions", "version": 2, "moderator": moderator, "decisions": rows}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_merge_keeps_the_latest_and_lists_conflicts():
    ana = [decision("a#1", "remove", "2026-03-01T10:00", "ana"), decision("a#2", "approve", "2026-03-01T10:00", "ana")]
    ben = [decision("a#1", "approve", "2026-03-01T11:00", "ben"), decision("a#2", "approve", "2026-03-01T09:00", "ben")]
    merged = merge_decisions([ana, ben])
    by_id = {d["comment_id"]: d for d in merged.decisions}
    assert (by_id["a#1"]["decision"], by_id["a#1"]["moderator"]) == ("approve", "ben")
    assert by_id["a#2"]["moderator"] == "ana"  # agreeing: the latest, no conflict
    [conflict] = merged.conflicts
    assert conflict["comment_id"] == "a#1" and conflict["kept"] == "approve"
    assert [(d["moderator"], d["decision"]) for d in conflict["decisions"]] == [("ana", "remove"), ("ben", "approve")]


def test_merge_cli_writes_the_file_and_exits_1_on_conflicts(tmp_path):
    a = write_file(tmp_path / "a.json", [decision("a#1", "remove", "2026-03-01T10:00", "ana", reason="spam")])
    b = write_file(
        tmp_path / "b.json", [{"comment_id": "a#1", "decision": "approve", "decided_at": "2026-03-02"}], "ben"
    )
    c = write_file(tmp_path / "c.json", [decision("a#3", "escalate", "2026-03-01T10:00", "cy")])
    result = runner.invoke(app, ["decisions", "merge", str(a), str(b), str(c), "-o", str(tmp_path / "m.json")])
    assert result.exit_code == 1, result.output
    assert "2 decisions from 3 files, 1 conflicts" in result.output
    assert "conflict a#1: ana: remove (spam); ben: approve -> kept approve" in result.output
    merged = read_decisions(tmp_path / "m.json")
    assert {d["comment_id"]: d["decision"] for d in merged} == {"a#1": "approve", "a#3": "escalate"}
    ok = runner.invoke(app, ["decisions", "merge", str(a), str(c), "-o", str(tmp_path / "m2.json")])
    assert ok.exit_code == 0 and "0 conflicts" in ok.output


def test_a_file_that_is_not_decisions_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"decisions": [{"comment_id": "a#1", "decision": "delete"}]}', encoding="utf-8")
    with pytest.raises(InputError, match="'delete'"):
        read_decisions(bad)
    result = runner.invoke(app, ["decisions", "merge", str(bad)])
    assert result.exit_code == 2 and "error:" in result.output and "Traceback" not in result.output


def test_carry_over_follows_id_then_platform_id_then_text():
    comments = review_records()[1]
    first, second, third = comments[0], comments[2], comments[4]
    old = [
        decision(first["comment_id"], "remove", "t1", "ana", text=first["text"]),  # unchanged
        # the page gained a comment above: new position, same platform id
        decision("old#7", "approve", "t1", "ana", article_id=AID, external_id=second["external_id"], text="x"),
        # no platform id: same article, author and text
        decision("old#9", "escalate", "t1", "ana", article_id=AID, author=third["author"], text=third["text"]),
        decision(comments[6]["comment_id"], "remove", "t1", "ana", text="a text that is no longer there"),
    ]
    carried = carry_over(old, comments)
    assert {k: v["decision"] for k, v in carried["kept"].items()} == {
        first["comment_id"]: "remove",
        second["comment_id"]: "approve",
        third["comment_id"]: "escalate",
    }
    assert carried["dropped"] == [comments[6]["comment_id"]]


def test_report_command_rebuilds_with_decisions(tmp_path):
    articles, comments, threads, run = review_records()
    for name, rows in (("articles", articles), ("comments", comments), ("threads", threads)):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "run.json").write_text(json.dumps(run), encoding="utf-8")
    exported = write_file(
        tmp_path / "d.json",
        [
            decision(comments[0]["comment_id"], "remove", "2026-03-01", "ana", text=comments[0]["text"]),
            decision("gone#1", "approve", "2026-03-01", "ana", text="deleted since"),
        ],
    )
    result = runner.invoke(app, ["report", str(tmp_path), "--decisions", str(exported)])
    assert result.exit_code == 0, result.output
    assert "1 carried over, 1 for comments no longer present" in result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    assert data["given"] == {
        comments[0]["comment_id"]: {"decision": "remove", "decided_at": "2026-03-01", "moderator": "ana"}
    }


def test_a_thread_larger_than_the_report_shows_its_most_severe_part(tmp_path):
    rows, n = [], 500
    for i in range(1, n + 1):  # one chain-and-fan thread: every 50th comment is flagged
        flagged = i % 50 == 0
        rows.append(
            {
                "article_id": "big",
                "comment_id": f"big#{i}",
                "text": f"comment {i}",
                "parent_id": None if i == 1 else f"big#{max(1, i // 2)}",
                "thread_id": "big#1",
                "flagged": flagged,
                "severity": i / n if flagged else 0.0,
                "flags": [{"reason": "toxicity", "score": i / n, "threshold": 0.5}] if flagged else [],
            }
        )
    (tmp_path / "comments.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "articles.jsonl").write_text(json.dumps({"article_id": "big"}) + "\n", encoding="utf-8")
    thread = {"thread_id": "big#1", "article_id": "big", "n_comments": n}
    (tmp_path / "threads.jsonl").write_text(json.dumps(thread) + "\n", encoding="utf-8")
    view = load_outputs(tmp_path, max_comments=40)
    ids = {c["comment_id"] for c in view.comments}
    assert 0 < len(ids) <= 40
    assert "big#500" in ids and "big#250" in ids and "big#1" in ids  # the most severe, with its chain up
    for c in view.comments:  # every shown reply's parent is shown
        assert c["parent_id"] is None or c["parent_id"] in ids
    assert f"shows {len(ids)} of 500 comments" in view.run["report_scope"]
    assert "most severe comments and the replies they answer" in view.run["report_scope"]


def test_rollup_counts_read_as_integers():
    items = dict(_scalar_items({"disagreement": {"pairs": 161, "disagreeing": 12.0, "share": 0.0745}, "n": 3}))
    assert items["disagreement"] == "pairs 161, disagreeing 12, share 0.07"
    assert items["n"] == "3"


def test_heat_is_the_rollup_attribute_against_its_own_threshold():
    row = {"toxicity": {"attribute": "profanity", "threshold": 0.5, "max": 0.2}}
    members = [{"scores": {"insult": 0.99, "profanity": 0.2}}]
    assert thread_heat(row, members, {"insult": 0.3, "profanity": 0.5}) == (0.2, 0.5, "profanity")
    assert thread_heat({}, members, {"insult": 0.3, "profanity": 0.5}) == (0.2, 0.5, "profanity")
    label = charts.thread_label({"thread_id": "a#1", "root": {"author": RLO_AUTHOR}, "n_comments": 2})
    assert label == f"#1 \u2068{RLO_AUTHOR}\u2069 (2)"  # isolated: the override cannot reach "(2)"


def test_article_context_reaches_the_card_and_the_data():
    page = render_report(*review_records())
    assert '<a href="https://example.com/news/budget" rel="noreferrer noopener"><bdi>Council approves' in page
    assert "The council approved the budget on Tuesday" in page
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    assert data["articles"][0]["url"] == "https://example.com/news/budget"
    hostile = render_report([{"article_id": "x", "url": "javascript:alert(1)"}], [], [], {})
    assert "javascript:" not in hostile


def test_platform_signals_show_what_the_row_has_and_skip_the_ordinary():
    from moderation.report.rows import client_comment

    ordinary = client_comment({"comment_id": "a#1", "text": "hi", "status": "published", "language": "en"})
    assert "status" not in ordinary and ordinary["signals"] == [["language", "en"]]
    row = {"comment_id": "a#2", "text": "[deleted]", "status": "deleted", "placeholder": True}
    row |= {"external_id": "c9", "extra": {"posVotes": 3, "flagCount": 2, "edited": False}}
    shown = client_comment(row)
    assert (shown["status"], shown["hidden"], shown["ext"]) == ("deleted", True, "c9")
    assert shown["signals"] == [
        ["status", "deleted"],
        ["up votes", "3"],
        ["reader reports", "2"],
        ["platform placeholder", "yes"],
    ]


def test_report_command_caps_the_page_like_a_run(tmp_path):
    rows = []
    for t in range(30):  # 30 threads of 3 comments; the last comment of thread 7 is the one flagged
        for i in range(3):
            flagged = (t, i) == (7, 2)
            rows.append(
                {
                    "article_id": "a",
                    "comment_id": f"a#{t}.{i}",
                    "text": f"comment {t}.{i}",
                    "parent_id": None if i == 0 else f"a#{t}.{i - 1}",
                    "thread_id": f"a#{t}.0",
                    "flagged": flagged,
                    "severity": 0.9 if flagged else 0.0,
                    "flags": [{"reason": "toxicity", "score": 0.9, "threshold": 0.5}] if flagged else [],
                }
            )
    (tmp_path / "comments.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "articles.jsonl").write_text(json.dumps({"article_id": "a"}) + "\n", encoding="utf-8")
    exported = write_file(tmp_path / "d.json", [decision("a#0.1", "approve", "2026-03-01", "ana", text="comment 0.1")])
    result = runner.invoke(app, ["report", str(tmp_path), "--max-comments", "10", "--decisions", str(exported)])
    assert result.exit_code == 0, result.output
    assert "(3 comments, 1 flagged)" in result.output  # the flagged comment's thread, not all 90
    assert "1 for comments not in this report's view" in result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    assert [c["id"] for c in data["comments"]] == ["a#7.0", "a#7.1", "a#7.2"]
    assert "This report shows 3 of 90 comments" in page
    # without the option the whole run fits the default cap
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 0 and "(90 comments, 1 flagged)" in result.output
