"""report.html from the output rows: contract tolerance, escaping, CSP, `moderate report DIR`."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.report import load_outputs, render_report
from moderation.report.render import script_json
from moderation.report.rows import comment_severity
from tests.conftest import SEEDS

runner = CliRunner()
HOSTILE_COMMENTS = """All comments

    • <img src=x onerror="window.__pwned=1">
      What a load of shit <script>window.__pwned=2;document.title="pwned"</script>
    • Eve "the" O'Hara
      </script><script>window.__pwned=3</script> you fucking idiots, see <a href="javascript:window.__pwned=4">this</a>
    • avatar
      Mallory<img src=x onerror=window.__pwned=5>in reply toEve "the" O'Hara(Show commentHide comment)
      Eve "the" O'Hara, \u202egnp.exe <iframe src="https://example.com/x"></iframe> {{7*7}} ${alert(1)} damn crap
    • Bob
      A calm and friendly reply. <img src="https://example.com/pixel.png">
    Show new comments (0)
"""


def write_hostile_page(folder: Path) -> Path:
    """A plain-text page in the seeds layout (article of seed 004) with hostile comments."""
    seed = (SEEDS / "004_20bb43e35edb2df2.txt").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "999_hostile.txt"
    page.write_text(seed[: seed.index("All comments")] + HOSTILE_COMMENTS, encoding="utf-8")
    return page


def score_to(inputs: Path, out: Path) -> Path:
    result = runner.invoke(app, ["score", str(inputs), "-o", str(out), "-p", "fast", "-q"])
    assert result.exit_code == 0, result.output
    return out


def full_records() -> tuple[list[dict], list[dict], list[dict], dict]:
    """A hand-made record set carrying every optional field other branches may add."""
    aid = "art_full"
    text_root = "Thanks for the piece, very fair."
    text_reply = "héllo 😀 you absolute idiot </script><b>x</b>"
    start = text_reply.index("idiot")
    articles = [
        {
            "article_id": aid,
            "title": "A <h1>headline</h1> & more",
            "site": "Example",
            "dateline": "LONDON",
            "n_comments": 3,
            "rollup": {"toxicity_share": 0.333, "sentiment_mean": -0.12, "stance_mix": {"support": 0.5, "deny": 0.5}},
        }
    ]

    def comment(n, text, parent, depth, scores, flags, **extra):
        row = {
            "article_id": aid,
            "comment_id": f"{aid}#{n}",
            "author": f"user{n}",
            "text": text,
            "parent_id": parent,
            "reply_to_author": None,
            "thread_id": f"{aid}#1",
            "depth": depth,
            "scores": scores,
            "labels": {"sentiment": max(scores["sentiment"], key=scores["sentiment"].get)},
            "flags": flags,
            "flagged": bool(flags),
        }
        row.update(extra)
        return row

    comments = [
        comment(
            1,
            text_root,
            None,
            0,
            {
                "toxicity": 0.05,
                "insult": 0.02,
                "profanity": 0.01,
                "sentiment": {"negative": 0.0, "neutral": 0.3, "positive": 0.7},
                "stance": {"support": 0.8, "deny": 0.1, "query": 0.05, "comment": 0.05},
            },
            [],
        ),
        comment(
            2,
            text_reply,
            f"{aid}#1",
            1,
            {
                "toxicity": 0.91,
                "insult": 0.88,
                "profanity": 0.7,
                "sentiment": {"negative": 0.8, "neutral": 0.2, "positive": 0.0},
                "stance": {"support": 0.05, "deny": 0.85, "query": 0.05, "comment": 0.05},
            },
            [
                {
                    "reason": "toxicity",
                    "score": 0.91,
                    "threshold": 0.6,
                    "span": {"start": start, "end": start + len("idiot")},
                    "detail": "insulting word",
                },
                {"reason": "insult", "score": 0.88, "threshold": 0.6},
            ],
            severity=0.95,
        ),
        comment(
            3,
            "Is that so? Prove it.",
            f"{aid}#2",
            2,
            {"toxicity": 0.65, "sentiment": {"negative": 0.3, "neutral": 0.6, "positive": 0.1}},
            [{"reason": "toxicity", "score": 0.65, "threshold": 0.6}],
        ),
    ]
    threads = [
        {
            "thread_id": f"{aid}#1",
            "article_id": aid,
            "n_comments": 3,
            "max_depth": 2,
            "n_flagged": 2,
            "sentiment_mean": -0.2,
            "toxicity_max": 0.91,
            "escalation": True,
        }
    ]
    run = {"preset": "full", "version": "9.9", "thresholds": {"toxicity": 0.6, "insult": 0.6}, "inputs": []}
    return articles, comments, threads, run


def data_block(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    return score_to(SEEDS, tmp_path_factory.mktemp("seeds-out"))


def test_seeds_report_has_overview_chart_and_every_comment(seeds_out):
    page = (seeds_out / "report.html").read_text(encoding="utf-8")
    comments = [json.loads(line) for line in (seeds_out / "comments.jsonl").read_text().splitlines()]
    data = data_block(page)
    assert [c["id"] for c in data["comments"]] == [c["comment_id"] for c in comments]
    assert data["thresholds"] == {"profanity": 0.5}
    assert "Russia and US Agree on Steps to Stop Fighting in Syria" in page
    # one chart row per thread of the article with comments (16 threads, under the chart cap)
    assert page.count('<g class="trow"') == 16
    assert "4 article(s) without comments" in page


def test_report_command_rebuilds_the_same_report(seeds_out):
    written = (seeds_out / "report.html").read_text(encoding="utf-8")
    (seeds_out / "report.html").unlink()
    result = runner.invoke(app, ["report", str(seeds_out)])
    assert result.exit_code == 0, result.output
    n_flagged = sum(1 for line in (seeds_out / "comments.jsonl").open() if json.loads(line)["flagged"])
    assert f"19 comments, {n_flagged} flagged" in result.output
    assert (seeds_out / "report.html").read_text(encoding="utf-8") == written


def test_report_command_on_a_folder_without_outputs_fails_clearly(tmp_path):
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "no articles.jsonl" in result.output


def test_load_outputs_reads_the_four_files(seeds_out):
    rows = load_outputs(seeds_out)
    assert (len(rows.articles), len(rows.comments), len(rows.threads)) == (5, 19, 16)
    assert rows.run["preset"] == "fast"


def test_csp_hashes_match_the_inline_script_and_style(seeds_out):
    page = (seeds_out / "report.html").read_text(encoding="utf-8")
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    inline_scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(inline_scripts) == 1 and len(styles) == 1

    def sha(text):
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert directives["script-src"] == sha(inline_scripts[0])
    assert directives["style-src"] == sha(styles[0])
    assert not re.search(r"\son[a-z]+=", page), "no inline event handlers"


def test_full_records_render_every_optional_field():
    articles, comments, threads, run = full_records()
    page = render_report(articles, comments, threads, run)
    data = data_block(page)
    by_id = {c["id"]: c for c in data["comments"]}
    reply = by_id["art_full#2"]
    assert reply["severity"] == 0.95  # given severity wins over the flag scores
    assert by_id["art_full#3"]["severity"] == 0.65  # absent: highest flag score
    start = comments[1]["text"].index("idiot")
    assert reply["flags"][0]["span"] == [start, start + 5]
    assert reply["flags"][0]["detail"] == "insulting word"
    assert reply["dists"]["stance"]["deny"] == 0.85
    # article rollup and thread rollups are shown
    assert "toxicity_share" in page and "0.33" in page and "support 0.50, deny 0.50" in page
    # heat uses the thread's toxicity_max
    assert "heat 0.91, 2 flagged" in page
    # escaped title, reasons list
    assert "A &lt;h1&gt;headline&lt;/h1&gt; &amp; more" in page
    assert "<h1>headline" not in page
    assert '<option value="insult">insult</option>' in page


def test_minimal_rows_without_scores_or_flags_render():
    articles = [{"article_id": "a"}]
    comments = [{"article_id": "a", "comment_id": "a#1", "text": "hi"}, {"comment_id": "b#1", "article_id": "b"}]
    page = render_report(articles, comments, [], {})
    data = data_block(page)
    assert [c["severity"] for c in data["comments"]] == [0.0, 0.0]
    assert [c["thread"] for c in data["comments"]] == ["a#1", "b#1"]
    assert '<g class="trow"' not in page  # nothing to chart


def test_severity_falls_back_to_the_highest_flag_score():
    assert comment_severity({"flags": [{"score": 0.7}, {"score": 0.9}]}) == 0.9
    assert comment_severity({"severity": 0.2, "flags": [{"score": 0.9}]}) == 0.2
    assert comment_severity({}) == 0.0


def test_script_json_cannot_close_its_script_element():
    payload = {"text": "</script><script>alert(1)</script> & \u2028\u2029 <!--"}
    encoded = str(script_json(payload))
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert "\u2028" not in encoded and "\u2029" not in encoded
    assert json.loads(encoded) == payload


def test_hostile_page_through_the_pipeline_is_escaped(tmp_path):
    out = score_to(write_hostile_page(tmp_path / "in").parent, tmp_path / "out")
    page = (out / "report.html").read_text(encoding="utf-8")
    comments = [json.loads(line) for line in (out / "comments.jsonl").read_text().splitlines()]
    assert sum(c["flagged"] for c in comments) >= 2
    # the page has exactly the two script elements of the template, whatever the comments say
    assert len(re.findall(r"<script", page, re.I)) == 2
    markup = page.split('<script type="application/json"')[0]  # everything but the data and the code
    assert "<img" not in page and "<iframe" not in page and "javascript:" not in markup
    assert "&lt;img src=x" in markup  # the author name in the thread chart, escaped
    data = data_block(page)
    assert [c["text"] for c in data["comments"]] == [c["text"] for c in comments]
    assert [c["author"] for c in data["comments"]] == [c["author"] for c in comments]


def test_skipped_files_are_not_called_input_errors():
    run = {
        "errors": [
            {"path": "data/README.txt", "problem": "not comments", "skipped": True},
            {"path": "data/broken.json", "problem": "invalid JSON"},
        ]
    }
    page = render_report([{"article_id": "a"}], [{"article_id": "a", "comment_id": "a#1", "text": "hi"}], [], run)
    assert "<b>1 input error(s):</b> data/broken.json (invalid JSON)" in page
    assert "1 file(s) skipped: data/README.txt (not comments)" in page
