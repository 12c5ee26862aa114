"""Output rows for the review report's tests: a queue long enough to walk, every optional field
other readers may add (external ids, timestamps, votes, status, quotes, article lead and link),
word-list flags without spans, a right-to-left override in an author name, a 200,000-character word."""

from __future__ import annotations

from typing import Any

AID = "art_review"
RLO_AUTHOR = "\u202eevil\u202c name"
LONG_WORD = "x" * 200_000
PARAGRAPH = ("This is a long comment about the policy, the budget and the people who will pay for it. " * 6).strip()


def _row(n: int, text: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "article_id": AID,
        "comment_id": f"{AID}#{n}",
        "author": f"reader{n % 7}",
        "text": text,
        "parent_id": None,
        "reply_to_author": None,
        "thread_id": f"{AID}#{n}",
        "depth": 0,
        "scores": {"toxicity": 0.1, "profanity": 0.05, "sentiment": {"negative": 0.2, "neutral": 0.6, "positive": 0.2}},
        "labels": {"sentiment": "neutral"},
        "flags": [],
        "flagged": False,
        "severity": 0.0,
        "external_id": f"ext-{1000 + n}",
        "timestamp": f"2026-03-{1 + n % 28:02d}T10:{n % 60:02d}:00Z",
        "extra": {"posVotes": n % 5, "negVotes": n % 3, "flagCount": n % 2},
    }
    row.update(extra)
    return row


def _flag(reason: str, score: float, threshold: float, **extra: Any) -> dict[str, Any]:
    return {"reason": reason, "score": score, "threshold": threshold, **extra}


def review_records(n_flagged: int = 14) -> tuple[list[dict], list[dict], list[dict], dict]:
    """One article; `n_flagged` flagged top-level comments with long texts, each with a reply."""
    articles = [
        {
            "article_id": AID,
            "title": "Council approves the budget",
            "site": "Example Times",
            "body": ["The council approved the budget on Tuesday after a long debate.", "More text."],
            "url": "https://example.com/news/budget",
            "date": "2026-03-01",
            "n_comments": 2 * n_flagged + 3,
        }
    ]
    comments: list[dict] = []
    n = 0
    for i in range(n_flagged):
        n += 1
        score = round(0.99 - i * 0.02, 4)
        text = f"Comment {i}: you fool. " + PARAGRAPH
        sentiment = {"negative": 0.7, "neutral": 0.2, "positive": 0.1}
        comments.append(
            _row(
                n,
                text,
                scores={"toxicity": score, "profanity": 0.2, "sentiment": sentiment},
                flags=[_flag("toxicity", score, 0.6, span={"start": 0, "end": len(text)})],
                flagged=True,
                severity=score,
            )
        )
        root = comments[-1]["comment_id"]
        n += 1
        comments.append(
            _row(n, f"A calm reply to comment {i}.", parent_id=root, thread_id=root, depth=1, reply_to_author="x")
        )
    n += 1
    words = "What a load of crap, total crap and shit, see www.example.org now"
    comments.append(
        _row(
            n,
            words,
            author="wordy",
            flags=[
                _flag("banned_word", 1.0, 1.0, detail="shit"),
                _flag("watched_word", 1.0, 1.0, detail="crap"),
                _flag("watched_word", 1.0, 1.0, detail="crap"),
                _flag("link", 1.0, 1.0, detail="www.example.org"),
            ],
            flagged=True,
            severity=0.5,
            status="pending",
            quote="Earlier someone said the budget was fine.",
        )
    )
    n += 1
    comments.append(
        _row(
            n,
            "I agree with the article, well argued.",
            author=RLO_AUTHOR,
            parent_id=f"{AID}#2",
            thread_id=f"{AID}#1",
            depth=2,
            flags=[_flag("duplicate", 1.0, 1.0, detail=f"{AID}#2")],
            flagged=True,
            severity=0.4,
        )
    )
    n += 1
    comments.append(
        _row(
            n,
            "start " + LONG_WORD + " end",
            author="longword",
            flags=[_flag("profanity", 0.55, 0.5)],
            flagged=True,
            severity=0.33,
        )
    )
    threads = [
        {
            "thread_id": c["comment_id"],
            "article_id": AID,
            "n_comments": sum(1 for r in comments if r["thread_id"] == c["comment_id"]),
            "toxicity": {"attribute": "toxicity", "threshold": 0.6, "max": c["scores"]["toxicity"]},
        }
        for c in comments
        if c["parent_id"] is None
    ]
    run = {"preset": "review", "version": "9.9", "thresholds": {"toxicity": 0.6, "profanity": 0.5}, "inputs": []}
    return articles, comments, threads, run
