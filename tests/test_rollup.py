"""Thread and article rollups on small hand-built threads, with exact expected numbers."""

from __future__ import annotations

from moderation.analysis.rollup import article_rollup, figures
from moderation.analysis.threads import thread_row
from moderation.schema import Comment, Scores, build_threads

HEAT = ("toxicity", "profanity")
THRESHOLDS = {"toxicity": 0.5, "profanity": 0.5}


def c(n: int, parent: int | None = None, author: str | None = None) -> Comment:
    return Comment(f"a#{n}", "a", n, author, f"text {n}", parent_id=f"a#{parent}" if parent else None)


def sc(neg: float, neu: float, pos: float, tox: float | None = None, stance: str | None = None) -> Scores:
    scores = Scores(groups={"sentiment": {"negative": neg, "neutral": neu, "positive": pos}})
    if tox is not None:
        scores.attributes["toxicity"] = tox
    if stance is not None:
        scores.groups["stance"] = {k: (0.7 if k == stance else 0.1) for k in ("support", "deny", "query", "comment")}
    return scores


def tree() -> tuple[list[Comment], dict[str, Scores]]:
    """1 <- 2 <- 3 and 1 <- 4; an unrelated top-level 5."""
    comments = [c(1, author="ann"), c(2, 1, "bob"), c(3, 2, "ann"), c(4, 1, None), c(5, author="cy")]
    scores = {
        "a#1": sc(0.1, 0.2, 0.7, tox=0.1, stance="support"),  # +0.6 positive
        "a#2": sc(0.8, 0.1, 0.1, tox=0.7, stance="deny"),  # -0.7 negative
        "a#3": sc(0.2, 0.6, 0.2, tox=0.4, stance="comment"),  # 0.0 neutral
        "a#4": sc(0.4, 0.5, 0.1, tox=0.9, stance="support"),  # -0.3 neutral
        "a#5": sc(0.0, 0.0, 1.0, tox=0.0, stance="query"),  # +1.0 positive
    }
    return comments, scores


def test_thread_figures_pin_the_maths():
    comments, scores = tree()
    threads = build_threads(comments)
    by_id = {x.comment_id: x for x in comments}
    row = thread_row(threads[0], by_id, scores, ["a#2"], HEAT, THRESHOLDS)
    assert row["comment_ids"] == ["a#1", "a#2", "a#3", "a#4"]
    assert (row["n_comments"], row["max_depth"], row["participants"], row["n_flagged"]) == (4, 2, 2, 1)
    assert row["sentiment"] == {
        "n": 4,
        "mean": -0.1,  # (0.6 - 0.7 + 0.0 - 0.3) / 4
        "shares": {"negative": 0.25, "neutral": 0.5, "positive": 0.25},
        "by_depth": [
            {"depth": 0, "n": 1, "mean": 0.6},
            {"depth": 1, "n": 2, "mean": -0.5},
            {"depth": 2, "n": 1, "mean": 0.0},
        ],
    }
    assert row["toxicity"] == {
        "attribute": "toxicity",
        "threshold": 0.5,
        "n": 4,
        "max": 0.9,
        "max_comment_id": "a#4",
        "share_over_threshold": 0.5,  # a#2 (0.7) and a#4 (0.9)
        "first_over_threshold": "a#2",  # source order, not the highest
        "escalation": {"rise": 0.8, "parent_id": "a#1", "comment_id": "a#4"},  # 1->2 +0.6, 2->3 -0.3, 1->4 +0.8
    }
    assert row["stance"] == {"n": 4, "shares": {"support": 0.5, "deny": 0.25, "query": 0.0, "comment": 0.25}}
    # 1->2 positive vs negative and support vs deny; 2->3 and 1->4 agree
    assert row["disagreement"] == {"pairs": 3, "disagreeing": 1, "share": 0.333333}


def test_article_rollup_counts_threads_and_flagged():
    comments, scores = tree()
    threads = build_threads(comments)
    rollup = article_rollup(comments, scores, len(threads), ["a#2", "a#5"], HEAT, THRESHOLDS)
    assert (rollup["n_comments"], rollup["n_threads"], rollup["max_depth"], rollup["participants"]) == (5, 2, 2, 3)
    assert (rollup["n_flagged"], rollup["share_flagged"]) == (2, 0.4)
    assert rollup["sentiment"]["mean"] == 0.12  # (0.6 - 0.7 + 0.0 - 0.3 + 1.0) / 5
    assert rollup["sentiment"]["by_depth"][0] == {"depth": 0, "n": 2, "mean": 0.8}
    assert rollup["toxicity"]["share_over_threshold"] == 0.4
    assert rollup["stance"]["shares"] == {"support": 0.4, "deny": 0.2, "query": 0.2, "comment": 0.2}


def test_absent_scores_give_null_figures_not_zero():
    comments, _ = tree()
    build_threads(comments)
    fast_like = {
        x.comment_id: Scores(
            attributes={"profanity": 0.2 * i}, groups={"sentiment": {"negative": 0.0, "neutral": 1.0, "positive": 0.0}}
        )
        for i, x in enumerate(comments)
    }
    out = figures(comments, fast_like, HEAT, THRESHOLDS)
    assert out["stance"] is None
    assert out["toxicity"]["attribute"] == "profanity" and out["toxicity"]["max"] == 0.8
    assert out["toxicity"]["first_over_threshold"] == "a#4"  # 0.6
    assert out["sentiment"]["mean"] == 0.0 and out["sentiment"]["shares"]["neutral"] == 1.0
    nothing = figures(comments, {x.comment_id: Scores() for x in comments}, HEAT, THRESHOLDS)
    assert nothing == {"sentiment": None, "toxicity": None, "stance": None, "disagreement": None}
    assert figures([], {}, HEAT, THRESHOLDS)["toxicity"] is None


def test_orphans_and_cycles_make_no_reply_pairs():
    # a#2 replies to a missing comment; a#3 and a#4 reply to each other (an export's loop)
    comments = [c(1), c(2, 99), c(3, 4), c(4, 3)]
    threads = build_threads(comments)
    assert [t.comment_ids for t in threads] == [("a#1",), ("a#2",), ("a#3", "a#4")]
    scores = {
        "a#1": sc(0, 0, 1, tox=0.0),
        "a#2": sc(1, 0, 0, tox=1.0),
        "a#3": sc(1, 0, 0, tox=0.9),  # the cycle's root: its parent link (to a#4) is not a pair
        "a#4": sc(0, 0, 1, tox=0.2),
    }
    by_id = {x.comment_id: x for x in comments}
    loop = thread_row(threads[2], by_id, scores, [], HEAT, THRESHOLDS)
    assert loop["toxicity"]["escalation"] == {"rise": -0.7, "parent_id": "a#3", "comment_id": "a#4"}
    assert loop["disagreement"] == {"pairs": 1, "disagreeing": 1, "share": 1.0}
    orphan = thread_row(threads[1], by_id, scores, [], HEAT, THRESHOLDS)
    assert orphan["toxicity"]["escalation"] is None and orphan["disagreement"] is None
    assert orphan["toxicity"]["first_over_threshold"] == "a#2"


def test_a_thread_10000_deep_needs_no_recursion():
    n = 10_000
    comments = [c(1)] + [c(i, i - 1) for i in range(2, n + 1)]
    threads = build_threads(comments)
    scores = {x.comment_id: sc(0.0, 0.4, 0.6, tox=0.1) for x in comments}  # +0.6, positive
    scores["a#5000"] = sc(0.5, 0.5, 0.0, tox=0.9)
    row = thread_row(threads[0], {x.comment_id: x for x in comments}, scores, [], HEAT, THRESHOLDS)
    assert row["max_depth"] == n - 1 and len(row["sentiment"]["by_depth"]) == n
    assert row["sentiment"]["by_depth"][4999] == {"depth": 4999, "n": 1, "mean": -0.5}
    assert row["sentiment"]["mean"] == 0.59989  # (9999 * 0.6 - 0.5) / 10000
    assert row["toxicity"]["escalation"] == {"rise": 0.8, "parent_id": "a#4999", "comment_id": "a#5000"}
    assert row["toxicity"]["first_over_threshold"] == "a#5000"
    assert row["disagreement"] == {"pairs": n - 1, "disagreeing": 2, "share": 0.0002}
