from __future__ import annotations

import json

from moderation.parse import disqus, jsonl, reddit
from tests.formats_helpers import edges, fixture, kinds


def test_jsonl_broken_export_reports_every_problem_and_keeps_comments() -> None:
    data, path = fixture("broken_comments.jsonl")
    article = jsonl.READER.read(data, path, "x")[0]
    assert len(article.comments) == 6
    assert kinds(article) == ["cycle", "duplicate_id", "orphan", "reply_before_parent"]
    by_kind = {p.kind: p.comment_id for p in article.problems}
    assert by_kind == {"duplicate_id": "a1#6", "orphan": "a1#3", "reply_before_parent": "a1#2", "cycle": "a1#4"}
    assert article.comments[2].parent_id is None and article.comments[2].extra["missing_parent"] == "gone"
    # the duplicate id resolves to its first holder; both comments are kept
    assert edges(article) == [(2, 1), (4, 5), (5, 4)]
    assert {c.thread_id for c in article.comments[3:5]} == {"a1#4"}


def test_disqus_broken_export() -> None:
    data, path = fixture("broken_disqus.xml")
    [article] = disqus.READER.read(data, path, "b")
    assert len(article.comments) == 4
    assert kinds(article) == ["cycle", "duplicate_id", "orphan", "reply_before_parent"]


def test_ten_thousand_deep_chain_jsonl() -> None:
    lines = [
        json.dumps({"article_id": "d", "comment_id": str(i), "parent_id": str(i - 1) if i else None, "text": "t"})
        for i in range(10_000)
    ]
    [article] = jsonl.READER.read("\n".join(lines).encode(), None, "d")
    assert article.comments[-1].depth == 9_999 and article.problems == []


def test_ten_thousand_deep_reddit_thread() -> None:
    # Built as text: json.dumps itself cannot nest this deep.
    opening = (
        '{"kind": "t1", "data": {"name": "t1_%d", "body": "x", "replies": {"kind": "Listing", "data": {"children": ['
    )
    leaf = '{"kind": "t1", "data": {"name": "t1_last", "body": "leaf", "replies": ""}}'
    chain = "".join(opening % i for i in range(9_999)) + leaf + "]}}}}" * 9_999
    post = '{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "deep"}}]}}'
    data = f'[{post}, {{"kind": "Listing", "data": {{"children": [{chain}]}}}}]'.encode()
    [article] = reddit.READER.read(data, None, "deep")
    assert len(article.comments) == 10_000
    assert article.comments[-1].depth == 9_999 and article.comments[-1].text == "leaf"
