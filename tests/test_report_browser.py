"""report.html in a real headless Chromium (Debian's, driven by Playwright): safety and review flow."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from moderation.report import render_report
from tests.test_report import full_records, score_to, write_hostile_page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    def __init__(self, browser, path: Path):
        self.context = browser.new_context(accept_downloads=True, viewport={"width": 1300, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-ready]")

    def detail_id(self) -> str:
        return self.page.locator("#detail .dhead code").inner_text()


@pytest.fixture
def open_report(browser):
    opened = []

    def _open(path: Path) -> Opened:
        o = Opened(browser, path)
        opened.append(o)
        return o

    yield _open
    for o in opened:
        o.context.close()


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    write_hostile_page(root / "in")
    return score_to(root / "in", root / "out")


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_hostile_payloads_do_not_run_and_show_literally(open_report, hostile_out):
    r = open_report(hostile_out / "report.html")
    page = r.page
    # walk the whole queue and open every thread node, so every payload is put on the page
    n = page.locator("#queue .qi").count()
    assert n == sum(1 for c in rows(hostile_out / "comments.jsonl") if c["flagged"]) >= 3
    for _ in range(n):
        page.keyboard.press("j")
    page.locator("#f-scope").select_option("all")
    for i in range(page.locator("#queue .qi").count()):
        page.locator("#queue .qi").nth(i).click()
    assert page.evaluate("window.__pwned") is None
    assert page.title() == "moderate · review report"
    assert page.locator("img, iframe, a[href^='javascript']").count() == 0
    assert r.errors == []
    assert r.requests and all(u.startswith("file://") for u in r.requests), r.requests
    body = page.inner_text("body")
    assert '<script>window.__pwned=2;document.title="pwned"</script>' in body
    assert "</script><script>window.__pwned=3</script>" in body
    assert '<a href="javascript:window.__pwned=4">this</a>' in body
    assert "\u202egnp.exe" in body
    assert "{{7*7}} ${alert(1)}" in body
    assert 'Eve "the" O\'Hara' in body
    assert '<img src=x onerror="window.__pwned=1">' in body


def test_queue_keyboard_decisions_persist_and_export(open_report, hostile_out):
    comments = rows(hostile_out / "comments.jsonl")
    flagged = sorted(
        (c for c in comments if c["flagged"]),
        key=lambda c: (-c["severity"], comments.index(c)),
    )
    r = open_report(hostile_out / "report.html")
    page = r.page
    queue_ids = [page.locator("#queue .qi").nth(i).get_attribute("data-id") for i in range(len(flagged))]
    assert queue_ids == [c["comment_id"] for c in flagged]  # most severe first

    page.keyboard.press("j")
    assert r.detail_id() == flagged[0]["comment_id"]
    page.keyboard.press("r")  # remove, and move on
    assert r.detail_id() == flagged[1]["comment_id"]
    page.keyboard.press("e")
    page.keyboard.press("k")
    assert r.detail_id() == flagged[1]["comment_id"]
    page.keyboard.press("a")  # change escalate -> approve
    assert page.locator("#decision-summary").inner_text() == "2 decided: 1 approved, 1 removed, 0 escalated"

    page.reload()
    page.wait_for_selector("html[data-ready]")
    assert page.locator("#decision-summary").inner_text() == "2 decided: 1 approved, 1 removed, 0 escalated"
    assert page.locator("#queue .qi .dtag").all_inner_texts() == ["REMOVED", "APPROVED"]

    # a decision by mouse
    page.locator("#queue .qi").nth(2).click()
    page.locator("#detail button.escalate").click()
    expected = {
        flagged[0]["comment_id"]: "remove",
        flagged[1]["comment_id"]: "approve",
        flagged[2]["comment_id"]: "escalate",
    }

    with page.expect_download() as info:
        page.locator("#export-json").click()
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert info.value.suggested_filename.endswith(".json")
    assert {d["comment_id"]: d["decision"] for d in exported["decisions"]} == expected
    assert all(d["article_id"] == "999_hostile" for d in exported["decisions"])

    with page.expect_download() as info:
        page.locator("#export-csv").click()
    table = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert {row["comment_id"]: row["decision"] for row in table} == expected
    reasons = {c["comment_id"]: ";".join(f["reason"] for f in c["flags"]) for c in flagged}
    assert {row["comment_id"]: row["reasons"] for row in table} == {cid: reasons[cid] for cid in expected}
    assert r.errors == []
    assert all(u.startswith(("file://", "blob:")) for u in r.requests), r.requests


def test_parent_replies_span_and_thread_tree(open_report, tmp_path):
    articles, comments, threads, run = full_records()
    path = tmp_path / "report.html"
    path.write_text(render_report(articles, comments, threads, run), encoding="utf-8")
    r = open_report(path)
    page = r.page
    # most severe first: #2 (severity 0.95) then #3
    page.keyboard.press("j")
    assert r.detail_id() == "art_full#2"
    assert page.locator("#detail mark").all_inner_texts() == ["idiot"]
    reasons = page.locator("#detail table.reasons tr").all_inner_texts()
    assert reasons[1].split("\t") == ["toxicity", "insulting word", "0.91 ≥ 0.60"]
    badges = page.locator("#detail .badges .badge").all_inner_texts()
    assert badges[:3] == ["tox 0.91 ⚑", "insult 0.88 ⚑", "prof 0.70"]
    assert "stance: deny 0.85" in badges and "sentiment: negative 0.80" in badges
    page.keyboard.press("p")
    assert r.detail_id() == "art_full#1"
    page.keyboard.press("c")
    assert r.detail_id() == "art_full#2"
    page.locator("#detail .ctx").last.click()  # its one reply
    assert r.detail_id() == "art_full#3"
    # the thread tree: three nodes, indented by depth
    nodes = page.locator("#thread .node")
    assert nodes.count() == 3
    margins = [nodes.nth(i).evaluate("n => getComputedStyle(n).marginLeft") for i in range(3)]
    assert margins == ["0px", "18px", "36px"]
    assert r.errors == []


def test_filters_and_search(open_report, tmp_path):
    articles, comments, threads, run = full_records()
    path = tmp_path / "report.html"
    path.write_text(render_report(articles, comments, threads, run), encoding="utf-8")
    page = open_report(path).page
    count = page.locator("#queue .qi")
    assert count.count() == 2
    page.locator("#f-reason").select_option("insult")
    assert count.count() == 1
    page.locator("#f-reason").select_option("")
    page.locator("#f-min").fill("0.9")
    assert count.count() == 1
    page.locator("#f-min").fill("0")
    page.locator("#f-scope").select_option("all")
    assert count.count() == 3
    page.locator("#f-text").fill("prove")
    assert [count.nth(i).get_attribute("data-id") for i in range(count.count())] == ["art_full#3"]
    page.locator("#f-text").fill("")
    page.locator("#f-author").fill("user1")
    assert [count.nth(i).get_attribute("data-id") for i in range(count.count())] == ["art_full#1"]
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()
