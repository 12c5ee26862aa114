"""Make the report screenshots in docs/ from the current code, at 1440x900 and 390x844.

    PYTHONPATH=. python docs/screenshots.py

Scores seeds/ with the fast preset, its profanity threshold lowered to 0.1 and its queue's
min severity to 0.07 so the queue has entries (the seeds are civil; at the model's operating
point 1 of the 19 comments is queued), renders report.html, and photographs in headless Chromium
(Debian's, at /usr/bin/chromium): the queue, a thread, the author panel and bulk actions.
Writes docs/report-<view>-<width>.png.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from moderation.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SIZES = ((1440, 900), (390, 844))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def build(tmp: Path) -> Path:
    configs = tmp / "configs"
    shutil.copytree(ROOT / "configs", configs)
    preset = configs / "fast.toml"
    text = re.sub(r"(?m)^profanity = 0\.5$", "profanity = 0.1", preset.read_text())
    if "profanity = 0.1" not in text or "\n[queue]\n" not in text:
        sys.exit("configs/fast.toml changed: update docs/screenshots.py")
    preset.write_text(text.replace("\n[queue]\n", "\n[queue]\nmin_severity = 0.07\n"), encoding="utf-8")
    out = tmp / "out"
    result = CliRunner().invoke(app, ["score", str(ROOT / "seeds"), "-o", str(out), "--config", str(preset), "-q"])
    if result.exit_code != 0:
        sys.exit(result.output)
    return out / "report.html"


def pick(report: Path) -> tuple[str, str]:
    """A reply inside the largest thread, and a comment by the author with the most comments."""
    rows = [json.loads(line) for line in (report.parent / "comments.jsonl").read_text(encoding="utf-8").splitlines()]
    thread = Counter(r["thread_id"] for r in rows).most_common(1)[0][0]
    reply = [r for r in rows if r["thread_id"] == thread][-2]["comment_id"]
    author = Counter(r["author"] for r in rows if r["author"]).most_common(1)[0][0]
    return reply, next(r["comment_id"] for r in rows if r["author"] == author)


def shoot(report: Path) -> list[Path]:
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    reply, by_author = pick(report)

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for width, height in SIZES:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(report.as_uri())
            page.wait_for_selector("html[data-ready]")

            def snap(view: str) -> None:
                path = DOCS / f"report-{view}-{width}.png"
                page.screenshot(path=str(path))
                written.append(path)

            page.locator("#moderator").fill("Ana")
            page.locator("#moderator").dispatch_event("change")
            page.keyboard.press("Escape")
            page.locator("#review").scroll_into_view_if_needed()
            page.evaluate("document.getElementById('review').scrollIntoView()")
            page.keyboard.press("j")
            page.keyboard.press("r")  # decided, moved on to the second
            if width < 900:  # one column: the queue sits above the comment
                page.evaluate("document.querySelector('.queue-pane').scrollIntoView()")
            snap("queue")
            page.evaluate("h => { location.hash = h; }", "#" + quote(reply, safe=""))
            page.keyboard.press("t")
            snap("thread")
            page.evaluate("h => { location.hash = h; }", "#" + quote(by_author, safe=""))
            page.keyboard.press("o")
            page.evaluate("document.getElementById('author-panel').scrollIntoView({block: 'center'})")
            snap("author")
            page.keyboard.press("o")
            page.locator("#f-scope").select_option("flagged")
            page.evaluate("document.getElementById('review').scrollIntoView()")
            for i in (1, 2):
                page.locator("#queue .qi .pick").nth(i).check()
            page.locator("#bulk button[data-bulk='approve']").click()
            for i in (3, 4):
                page.locator("#queue .qi .pick").nth(i).check()
            page.evaluate("document.getElementById('bulk').scrollIntoView()")
            snap("bulk")
            page.close()
        browser.close()
    return written


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for path in shoot(build(Path(tmp))):
            print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
