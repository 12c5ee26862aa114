"""report.html is written from the output files without holding the comments: the same page
as from rows in memory, written in pieces, from rows read again from disk on each pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synth_comments import write_comments
from moderation.moderator import Moderator
from moderation.report import load_outputs, render_report
from moderation.report.load import Rows, view_outputs
from moderation.report.render import write_html
from moderation.run import RunOptions, run
from moderation.writers import FolderSink


class Recorder:
    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)


@pytest.fixture(scope="module")
def big_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("stream")
    src = tmp / "in.jsonl"
    write_comments(src, 9000, seed=11)
    out = tmp / "out"
    run([src], Moderator("fast"), FolderSink(out), RunOptions(use_cache=False, report_comments=400))
    return out


@pytest.mark.parametrize("cap", [None, 400])
def test_the_page_from_the_files_is_the_page_from_rows_in_memory(big_out: Path, cap: int | None) -> None:
    view = view_outputs(big_out, max_comments=cap)
    assert all(isinstance(rows, Rows) for rows in (view.articles, view.comments, view.threads))
    recorder = Recorder()
    write_html(recorder, view.articles, view.comments, view.threads, view.run)
    page = "".join(recorder.writes)
    rows = load_outputs(big_out, max_comments=cap)
    assert page == render_report(rows.articles, rows.comments, rows.threads, rows.run)
    if cap is not None:  # what the run itself wrote
        assert page == (big_out / "report.html").read_text(encoding="utf-8")
    # written in pieces: no write holds more than a small part of the comments' data
    start = page.index('<script type="application/json" id="report-data">')
    data = page[start : page.index("</script>", start)]
    assert len(data) > 200_000
    assert max(len(w) for w in recorder.writes if "application/json" not in w) < len(data) / 20


def test_rows_are_read_again_from_disk_on_each_pass(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"n": n}) + "\n" for n in range(5)), encoding="utf-8")
    rows = Rows(path, keep=lambda r: r["n"] % 2 == 0)
    assert [r["n"] for r in rows] == [0, 2, 4] == [r["n"] for r in rows]
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"n": 6}) + "\n")
    assert [r["n"] for r in rows] == [0, 2, 4, 6]
    assert list(Rows(tmp_path / "absent.jsonl", optional=True)) == []


def test_an_iterator_of_articles_is_refused_not_read_once_and_lost() -> None:
    """Articles are read more than once; comments once (their records for the data block are
    kept in a temporary file), so an iterator of comments makes the same page as a list."""
    comments: list[dict[str, Any]] = [{"comment_id": "a#1", "article_id": "a", "text": "hi"}]
    with pytest.raises(TypeError, match="readable twice"):
        render_report(iter([{"article_id": "a"}]), comments, [], {})
    page = render_report([{"article_id": "a"}], comments, [], {})
    assert "a#1" in page and render_report([{"article_id": "a"}], iter(comments), [], {}) == page


def test_line_breaks_in_comments_do_not_split_their_records() -> None:
    """The data block's records pass through a file one line each: every kind of line break a
    comment may hold stays inside its record."""
    texts = ["a\nb", "c\r\nd", "e\rf", "g\x85h", "i\u2028j\u2029k", "l\x0bm\x0cn\x1co\x1dp\x1eq", "end\n"]
    comments = [{"comment_id": f"a#{n}", "article_id": "a", "text": t} for n, t in enumerate(texts, 1)]
    page = render_report([{"article_id": "a"}], comments, [], {})
    start = page.index('<script type="application/json" id="report-data">') + len(
        '<script type="application/json" id="report-data">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    assert [c["text"] for c in data["comments"]] == texts
