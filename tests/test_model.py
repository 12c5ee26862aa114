"""Threads and integrity checks on hand-built comment lists."""

from __future__ import annotations

from moderation.schema import Comment, build_threads, check_comments, iter_descendants


def make(n, parent=None, author=None, reply_to=None, timestamp=None, cid=None):
    return Comment(
        comment_id=cid or f"a#{n}",
        article_id="a",
        position=n,
        author=author,
        text=f"text {n}",
        parent_id=parent,
        reply_to_author=reply_to,
        timestamp=timestamp,
    )


def kinds(problems):
    return sorted((p.kind, p.comment_id) for p in problems)


def test_threads_and_depths():
    comments = [make(1), make(2, "a#1"), make(3, "a#2"), make(4), make(5, "a#1")]
    threads = build_threads(comments)
    assert [t.thread_id for t in threads] == ["a#1", "a#4"]
    assert threads[0].comment_ids == ("a#1", "a#2", "a#3", "a#5")
    assert threads[0].max_depth == 2
    assert [c.depth for c in comments] == [0, 1, 2, 0, 1]
    assert check_comments(comments) == []
    assert iter_descendants("a#1", comments) == ["a#2", "a#5", "a#3"]


def test_orphan_becomes_its_own_thread_and_is_reported():
    comments = [make(1), make(2, "a#99")]
    threads = build_threads(comments)
    assert [t.thread_id for t in threads] == ["a#1", "a#2"]
    assert kinds(check_comments(comments)) == [("orphan", "a#2")]


def test_unresolved_reply_is_reported_but_kept():
    comments = [make(1, author="x", reply_to="michael")]
    build_threads(comments)
    assert comments[0].thread_id == "a#1"
    assert kinds(check_comments(comments)) == [("unresolved_reply", "a#1")]


def test_cycle_is_broken_at_its_earliest_comment():
    comments = [make(1, "a#3"), make(2, "a#1"), make(3, "a#2"), make(4, "a#2")]
    threads = build_threads(comments)
    assert len(threads) == 1
    assert [c.depth for c in comments] == [0, 1, 2, 2]
    assert {c.thread_id for c in comments} == {"a#1"}
    assert kinds(check_comments(comments)) == [("cycle", "a#1")]


def test_self_reply_is_a_cycle():
    comments = [make(1, "a#1")]
    build_threads(comments)
    assert comments[0].depth == 0
    assert kinds(check_comments(comments)) == [("cycle", "a#1")]


def test_duplicate_ids_and_reply_before_parent():
    comments = [
        make(1, timestamp="2020-01-02T00:00:00"),
        make(2, "a#1", timestamp="2020-01-01T00:00:00"),
        make(3, cid="a#1"),
    ]
    found = kinds(check_comments(comments))
    assert ("duplicate_id", "a#1") in found
    assert ("reply_before_parent", "a#2") in found


def test_ten_thousand_deep_chain_needs_no_recursion():
    n = 10_000
    comments = [make(1)] + [make(i, f"a#{i - 1}") for i in range(2, n + 1)]
    threads = build_threads(comments)
    assert len(threads) == 1
    assert threads[0].max_depth == n - 1
    assert comments[-1].depth == n - 1
    assert check_comments(comments) == []
    assert len(iter_descendants("a#1", comments)) == n - 1


def test_thread_check_lists_only_its_own_problems():
    comments = [make(1), make(2, "a#1", reply_to="nobody"), make(3, "a#404")]
    threads = build_threads(comments)
    assert kinds(threads[0].check(comments)) == []
    assert kinds(threads[1].check(comments)) == [("orphan", "a#3")]
