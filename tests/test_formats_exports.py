from __future__ import annotations

from moderation.parse import disqus, globe_mail, jsonl, reddit, wordpress
from tests.formats_helpers import edges, fixture, kinds


def test_disqus_threads_posts_reply_and_orphan_thread() -> None:
    data, path = fixture("isso_tests_disqus.xml")
    articles = disqus.READER.read(data, path, "dq")
    assert [a.article_id for a in articles] == ["dq:2", "dq:3", "dq:7", "dq:1337"]
    by_id = {a.article_id: a for a in articles}
    main = by_id["dq:2"]
    assert [c.external_id for c in main.comments] == ["4", "5", "9", "11"]
    assert edges(main) == [(2, 1), (4, 3)]
    assert main.comments[1].reply_to_author == "peter"
    assert main.comments[1].text == "Hello, World."
    assert main.comments[2].extra["isDeleted"] is True
    assert main.title == "Hello, World!"
    assert [c.comment_id for c in main.comments] == ["dq:2#1", "dq:2#2", "dq:2#3", "dq:2#4"]
    assert main.comments[3].source is not None and main.comments[3].source.line_start == 133
    assert kinds(by_id["dq:1337"]) == ["missing_thread"]
    assert by_id["dq:1337"].comments[0].author == "where am I?"


def test_wordpress_wxr_nesting_per_post() -> None:
    data, path = fixture("isso_tests_wordpress.xml")
    articles = wordpress.READER.read(data, path, "wp")
    assert [(a.article_id, len(a.comments)) for a in articles] == [("wp:18", 7), ("wp:item2", 1), ("wp:item3", 0)]
    post = articles[0]
    assert edges(post) == [(3, 2), (4, 3), (5, 3)]
    assert [c.depth for c in post.comments] == [0, 0, 1, 2, 2, 0, 0]
    assert post.comments[3].reply_to_author == "Tester"
    assert post.comments[0].timestamp == "2014-01-14T17:32:12Z"
    assert post.problems == []


def test_wordpress_valid_wxr_body_and_comment() -> None:
    data, path = fixture("valid-wxr-1.1.xml")
    first = wordpress.READER.read(data, path, "v")[0]
    assert first.title == "Hello world!"
    assert first.body[0].startswith("Welcome to WordPress.")
    assert [c.author for c in first.comments] == ["Mr WordPress"]
    assert first.comments[0].text.startswith("Hi, this is a comment.\nTo delete a comment")


def test_reddit_thread_counts_depth_and_more_stubs() -> None:
    data, path = fixture("graw_thread.json")
    [article] = reddit.READER.read(data, path, "rd")
    assert len(article.comments) == 199
    assert max(c.depth for c in article.comments) == 9
    assert article.title is not None and article.title.startswith("my wife passed away")
    stubs = [p for p in article.problems if p.kind == "unloaded_replies"]
    assert len(stubs) == 125
    assert sum(int(p.detail.split()[0]) for p in stubs) == 1660
    top = next(p for p in stubs if p.comment_id is None and "739" in p.detail)
    assert "c9gzz0k" in top.detail
    first = article.comments[0]
    assert (first.external_id, first.author, first.extra["unloaded_replies"]) == ("t1_c9ftsjg", "bacon_cake", 9)
    assert edges(article)[:3] == [(2, 1), (3, 2), (4, 3)]
    assert article.comments[3].author is None and article.comments[3].extra["author_removed"] == "[deleted]"


def test_reddit_morechildren_flat_response() -> None:
    data = (
        b'{"json": {"errors": [], "data": {"things": ['
        b'{"kind": "t1", "data": {"name": "t1_a", "parent_id": "t3_p", "author": "x", "body": "top"}},'
        b'{"kind": "t1", "data": {"name": "t1_b", "parent_id": "t1_a", "author": "y", "body": "re", "created_utc": 2}},'
        b'{"kind": "t1", "data": {"name": "t1_c", "parent_id": "t1_zz", "author": "z", "body": "lost"}},'
        b'{"kind": "more", "data": {"count": 2, "parent_id": "t1_a", "children": ["d", "e"]}}]}}}'
    )
    assert reddit.sniff(data, None) > 0.5
    [article] = reddit.READER.read(data, None, "mc")
    assert edges(article) == [(2, 1)]
    assert kinds(article) == ["orphan", "unloaded_replies"]
    assert article.comments[2].extra["missing_parent"] == "t1_zz"


def test_globe_mail_comments_nested_preorder() -> None:
    data, path = fixture("globe_comments_28844713_trimmed.json")
    [article] = globe_mail.READER.read(data, path, "gm")
    assert len(article.comments) == 20
    assert sum(c.depth == 0 for c in article.comments) == 3
    assert edges(article)[:4] == [(2, 1), (3, 2), (4, 2), (5, 2)]
    assert article.comments[1].external_id == "b92d18dcbb034558adbec293124be3ce"
    assert article.comments[0].timestamp == "2016-02-23T14:01:48Z"
    assert article.problems == []


def test_globe_mail_old_format_and_quoted_reply() -> None:
    data, path = fixture("globe_old_comments_28844713_trimmed.json")
    [article] = globe_mail.READER.read(data, path, "old")
    assert len(article.comments) == 7
    assert edges(article) == [(2, 1), (3, 1), (4, 1), (5, 1)]
    assert article.comments[0].timestamp == "2016-02-23"
    assert article.comments[2].reply_to_author == "MRichards"


def test_globe_mail_article_file() -> None:
    data, path = fixture("globe_article_28844713.json")
    [article] = globe_mail.READER.read(data, path, "art")
    assert article.title is not None and article.title.startswith("Can the Liberals' style hide")
    assert len(article.body) == 14 and not article.body[0].startswith("<p>")
    assert article.site == "www.theglobeandmail.com" and article.comments == []


def test_jsonl_groups_by_article() -> None:
    data, path = fixture("broken_comments.jsonl")
    articles = jsonl.READER.read(data, path, "ignored")
    assert [(a.article_id, len(a.comments)) for a in articles] == [("a1", 6), ("a2", 1)]
    assert articles[1].comments[0].source is not None and articles[1].comments[0].source.line_start == 8
