"""How the review report copes with 10,000 comments: build time, file size, time to interactive
in headless Chromium, and the time one filter keystroke takes.

    PYTHONPATH=. python benchmarks/bench_report.py [N_COMMENTS]

Synthetic rows in the output contract's shape (articles of 500 comments, threads of up to 25
with replies up to depth 4, ~8% flagged); needs Debian's chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from moderation.report import render_report

WORDS = [
    "the",
    "ceasefire",
    "talks",
    "government",
    "army",
    "peace",
    "war",
    "lie",
    "truth",
    "vote",
    "people",
    "idiot",
    "crap",
    "news",
    "report",
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def synthetic(n: int, seed: int = 7) -> tuple[list[dict], list[dict], list[dict], dict]:
    rnd = random.Random(seed)
    articles, comments, threads = [], [], []
    per_article = 500
    for a in range((n + per_article - 1) // per_article):
        aid = f"art{a:03d}"
        articles.append({"article_id": aid, "title": f"Article {a}", "site": "Bench", "n_comments": per_article})
        k = 0
        while k < per_article and len(comments) < n:
            size = rnd.randint(1, 25)
            root = None
            members = []
            for _ in range(min(size, per_article - k, n - len(comments))):
                k += 1
                cid = f"{aid}#{k}"
                parent = rnd.choice(members) if members and rnd.random() < 0.8 else None
                depth = 0 if parent is None else min(parent["depth"] + 1, 4)
                if parent is not None and depth == parent["depth"]:
                    parent = None
                    depth = 0
                prof = rnd.random() ** 3
                text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 60)))
                row = {
                    "article_id": aid,
                    "comment_id": cid,
                    "author": f"user{rnd.randint(1, 800)}",
                    "text": text,
                    "parent_id": parent["comment_id"] if parent else None,
                    "reply_to_author": None,
                    "thread_id": (root or cid),
                    "depth": depth,
                    "scores": {
                        "profanity": round(prof, 4),
                        "sentiment": {"negative": 0.3, "neutral": 0.5, "positive": 0.2},
                    },
                    "labels": {"sentiment": "neutral"},
                    "flags": [{"reason": "profanity", "score": prof, "threshold": 0.6}] if prof >= 0.6 else [],
                }
                row["flagged"] = bool(row["flags"])
                root = root or cid
                if parent is None and members:
                    row["thread_id"] = root  # keep one thread per block; orphans stay in it
                members.append(row)
                comments.append(row)
            threads.append({"thread_id": root, "article_id": aid, "n_comments": len(members)})
    run = {"preset": "bench", "thresholds": {"profanity": 0.6}, "inputs": []}
    return articles, comments, threads, run


def main(n: int) -> None:
    from playwright.sync_api import sync_playwright

    rows = synthetic(n)
    long_row = dict(rows[1][0], comment_id="art000#long", thread_id="art000#long", parent_id=None, depth=0)
    long_row.update(text="start " + "x" * 200_000 + " end", flagged=True, flags=[{"reason": "profanity", "score": 0.7}])
    rows[1].append(long_row)  # issue 16: one 200,000-character word froze the tab for 39-61 s
    t0 = time.perf_counter()
    page_html = render_report(*rows)
    build = time.perf_counter() - t0
    flagged = sum(c["flagged"] for c in rows[1])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        path.write_text(page_html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("html[data-ready]")
            interactive = time.perf_counter() - t0
            page.locator("#f-scope").select_option("all")
            page.locator("#f-text").focus()
            # keystrokes in the search box: the input event filters all rows and redraws the queue;
            # timed from the event to the next painted frame (requestAnimationFrame, then a task)
            measure = """(q) => new Promise(done => { const box = document.getElementById('f-text');
                   const t = performance.now(); box.value = q; box.dispatchEvent(new Event('input'));
                   requestAnimationFrame(() => setTimeout(() => done(performance.now() - t), 0)); })"""
            first_ms = page.evaluate(measure, "i")
            runs = [
                page.evaluate(measure, q) for q in ["id", "idi", "idio", "idiot", "idiots", "the", "th", "t", "", "w"]
            ]
            keystroke_ms = sorted(runs)[len(runs) // 2]
            page.evaluate(measure, "idiot")
            shown = page.locator("#queue .qi").count()
            t0 = time.perf_counter()
            page.keyboard.type("x")  # a real key press, end to end through Playwright
            page.keyboard.press("Backspace")
            typed = (time.perf_counter() - t0) / 2
            t0 = time.perf_counter()
            page.keyboard.press("Escape")
            for _ in range(20):
                page.keyboard.press("j")
            j_ms = (time.perf_counter() - t0) / 20 * 1000
            open_long = """async () => { const t = performance.now(); location.hash = '#art000%23long';
                await new Promise(r => setTimeout(r, 0)); document.body.offsetHeight;
                const shown = performance.now() - t; const t2 = performance.now();
                document.querySelector('#detail .show-all').click(); document.body.offsetHeight;
                return [shown, performance.now() - t2]; }"""
            long_ms = page.evaluate(open_long)
            browser.close()
    print(f"comments                 {n} ({flagged} flagged, {len(rows[2])} threads, {len(rows[0])} articles)")
    print(f"render_report            {build * 1000:.0f} ms, {len(page_html) / 1e6:.1f} MB")
    print(f"load to interactive      {interactive * 1000:.0f} ms (file:// goto until the script has run)")
    print(f"filter keystroke         first {first_ms:.0f} ms, median {keystroke_ms:.0f} ms to the next frame")
    print(f"                         ({shown} queue rows drawn for 'idiot'; the rest behind 'Show more')")
    print(f"key press via Playwright {typed * 1000:.0f} ms (includes the driver round trip)")
    print(f"j (next in queue)        {j_ms:.0f} ms per press (driver round trip included)")
    print(f"200,000-char word        {long_ms[0]:.0f} ms to open and lay out, {long_ms[1]:.0f} ms for 'Show all'")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
