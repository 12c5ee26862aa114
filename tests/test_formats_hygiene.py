"""Platform statuses and placeholders, hidden text in exports, sniffing past leading junk
(issue 10, input side; issue 16 items 3, 10 and 11)."""

from __future__ import annotations

import json

from moderation.parse import disqus, globe_mail, jsonl, reddit, text_page, wordpress
from moderation.parse.assemble import text_from_html
from moderation.parse.detect import choose_reader
from moderation.parse.status import placeholder_status, resolve_status
from tests.formats_helpers import fixture

TOXIC = "You are a worthless idiot and everyone hates you"


def _disqus(message_xml: str, extra: str = "", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="1"><title>T</title></thread>'
        f'<post dsq:id="10"><message>{message_xml}</message>{extra}'
        '<author><name>a</name></author><thread dsq:id="1"/></post></disqus>'
    ).encode()


def _wxr(content_xml: str, approved: str = "1", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>S</title>'
        "<item><title>P</title><wp:post_id>5</wp:post_id><wp:post_type>post</wp:post_type>"
        "<content:encoded><![CDATA[<p>Body</p>]]></content:encoded>"
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>a</wp:comment_author>"
        f"<wp:comment_content>{content_xml}</wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
        "</wp:comment></item></channel></rss>"
    ).encode()


# --- issue 16.3: every character of text content is kept -------------------------------


def test_text_inside_260_nested_tags_is_kept() -> None:
    wrapped = "<span>" * 260 + TOXIC + "</span>" * 260
    assert text_from_html("Nice article. " + wrapped) == f"Nice article. {TOXIC}"
    for data, reader in (
        (_disqus(f"<![CDATA[Nice article. {wrapped}]]>"), disqus),
        (_wxr(f"<![CDATA[{wrapped}]]>"), wordpress),
    ):
        comment = reader.READER.read(data, None, "x")[0].comments[0]
        assert TOXIC in comment.text


def test_inline_xhtml_and_text_after_an_entity_are_kept() -> None:
    prolog = '<!DOCTYPE x [<!ENTITY nbsp "&#160;">]>'
    message = f"Nice <b>article</b>.&nbsp;{TOXIC}"
    dq = disqus.READER.read(_disqus(message, prolog=prolog), None, "d")[0].comments[0]
    wp = wordpress.READER.read(_wxr(message, prolog=prolog), None, "w")[0].comments[0]
    assert dq.text == wp.text == f"Nice article. {TOXIC}"


def test_inline_xhtml_nested_deeper_than_libxml2_default_is_read() -> None:
    # 300 inline elements: libxml2 refuses more than 256 levels without its huge mode.
    wrapped = "<span>" * 300 + TOXIC + "</span>" * 300
    assert TOXIC in wordpress.READER.read(_wxr(wrapped), None, "w")[0].comments[0].text


def test_disqus_comment_over_10_mb_is_read() -> None:
    big = "word " * (2_200_000)  # 11 MB in one text node: over libxml2's default cap
    comment = disqus.READER.read(_disqus(big + TOXIC), None, "d")[0].comments[0]
    assert len(comment.text) > 10_000_000 and comment.text.endswith(TOXIC)


# --- issue 16.10: sniffing looks past leading junk ---------------------------------------


def test_page_after_php_warnings_is_read_as_html() -> None:
    warning = (
        "<br />\n<b>Deprecated</b>: Function create_function() is deprecated in /var/www/wp.php on line 12<br />\n"
    )
    page = (
        "\ufeff\n" + warning * 60 + "<!-- cache -->\n<!DOCTYPE html><html><head><title>Story</title></head>"
        "<body><article><p>" + "The council met today to discuss the budget. " * 20 + "</p></article></body></html>"
    ).encode()
    assert len(page) > 4096
    assert choose_reader(page, "page.html").name == "html_page"


# --- issue 10: statuses and placeholders ------------------------------------------------


def test_placeholder_table() -> None:
    assert placeholder_status("This comment has been deleted") == "deleted"
    assert placeholder_status("  this comment has been DELETED.  ") == "deleted"
    assert placeholder_status("[ removed ]") == "removed"
    assert placeholder_status("Dieser Kommentar wurde von der Redaktion entfernt.") == "removed"
    assert placeholder_status("This comment has been deleted, which is a shame") is None
    assert placeholder_status("I deleted my account") is None
    assert placeholder_status("< this comment did not meet civility standards >") == "rejected"
    assert placeholder_status("This comment did not meet civility standards.") == "rejected"
    assert resolve_status("This comment has been deleted", "rejected") == ("rejected", True)
    assert resolve_status("fine words", "spam") == ("spam", False)
    assert resolve_status("fine words") == ("published", False)


def test_globe_mail_statuses_and_placeholders() -> None:
    doc = {
        "a1": {
            "data_type": "comment",
            "comments": [
                {"ID": "1", "commentText": "A real comment.", "status": "published", "replies": []},
                {"ID": "2", "commentText": "This comment has been deleted", "status": "deleted", "replies": []},
                {"ID": "3", "commentText": "This comment has been deleted", "status": "rejected", "replies": []},
            ],
        }
    }
    comments = globe_mail.READER.read(json.dumps(doc).encode(), None, "g")[0].comments
    assert [(c.status, c.placeholder, c.scorable) for c in comments] == [
        ("published", False, True),
        ("deleted", True, False),
        ("rejected", True, False),
    ]
    assert [c.external_id for c in comments] == ["1", "2", "3"]
    assert comments[1].to_dict()["status"] == "deleted" and comments[1].to_dict()["placeholder"] is True


def test_reddit_deleted_and_removed_bodies() -> None:
    data, path = fixture("graw_thread.json")
    comments = reddit.READER.read(data, path, "r")[0].comments
    by_text = {c.text: c for c in comments}
    assert by_text["[deleted]"].status == "deleted" and not by_text["[deleted]"].scorable
    assert by_text["[removed]"].status == "removed" and not by_text["[removed]"].scorable
    assert sum(c.scorable for c in comments) == sum(c.text not in ("[deleted]", "[removed]") for c in comments)
    # A body that is nothing but a quote stays the comment's text.
    alone = next(c for c in comments if c.text.startswith(">Ain't no shame"))
    assert alone.quote is None and alone.scorable


def test_disqus_deleted_and_spam_flags() -> None:
    deleted = disqus.READER.read(_disqus("gone", "<isDeleted>true</isDeleted>"), None, "d")[0].comments[0]
    spam = disqus.READER.read(_disqus("buy now", "<isSpam>true</isSpam>"), None, "d")[0].comments[0]
    kept = disqus.READER.read(_disqus("fine", "<isDeleted>false</isDeleted>"), None, "d")[0].comments[0]
    assert (deleted.status, spam.status, kept.status) == ("deleted", "spam", "published")
    assert deleted.text == "gone" and not deleted.scorable and not spam.scorable and kept.scorable
    assert deleted.external_id == "10"


def test_wordpress_comment_approved() -> None:
    statuses = [
        wordpress.READER.read(_wxr("text", approved), None, "w")[0].comments[0].status
        for approved in ("1", "0", "spam", "trash")
    ]
    assert statuses == ["published", "pending", "spam", "deleted"]
    pending = wordpress.READER.read(_wxr("text", "0"), None, "w")[0].comments[0]
    assert pending.scorable  # held for moderation: exactly what a moderator must decide


def test_jsonl_status_field_and_text_placeholders() -> None:
    rows = [
        {"article_id": "a", "comment_id": "1", "text": "hello there", "status": "removed"},
        {"article_id": "a", "comment_id": "2", "text": "[deleted]"},
        {"article_id": "a", "comment_id": "3", "text": "hello again"},
    ]
    data = "\n".join(json.dumps(r) for r in rows).encode()
    comments = jsonl.READER.read(data, None, "j")[0].comments
    assert [(c.status, c.placeholder) for c in comments] == [
        ("removed", False),
        ("deleted", True),
        ("published", False),
    ]


def test_text_page_placeholder_comment() -> None:
    data, path = fixture_page()
    comments = text_page.READER.read(data, path, "t")[0].comments
    assert [(c.author, c.status, c.placeholder) for c in comments] == [
        ("Ann", "published", False),
        ("Bob", "deleted", True),
    ]


def fixture_page() -> tuple[bytes, str]:
    text = (
        "Council votes on budget\n\n"
        "The council met today to discuss the budget for next year and agreed on most items.\n\n"
        "    • Сomment\n\n    All comments\n\n"
        "    • Ann\n      Good news for the town.\n"
        "    • Bob\n      This comment has been deleted\n"
    )
    return text.encode(), "page.txt"


# --- issue 10: comment text is the comment (chrome and quoted text kept apart) -----------

FORUM_PAGE = """<!DOCTYPE html><html><head><title>Cards sold out</title></head><body>
<article><p>{body}</p></article>
<ul class="xenforo-comments-list">
<li class="xenforo-comment" id="xenforo-comment-1"><div class="xenforo-comment-content">
<header><span class="author-name">coloradoblah</span><span class="post-date">17 September 2020 18:21</span></header>
<div class="js-read-more">Jensen can only bake so many, yes I know it's a lame ass joke.</div>
<span class="xf-comment-reply"><a href="#"><span>Reply</span></a></span></div></li>
<li class="xenforo-comment" id="xenforo-comment-2"><div class="xenforo-comment-content">
<header><span class="author-name">Blitz Hacker</span><span class="post-date">17 September 2020 20:34</span></header>
<div class="js-read-more"><blockquote><div class="author"><span>coloradoblah</span> said:</div>Jensen can only
bake so many, yes I know it's a lame ass joke.</blockquote>Made me laugh. Shouldn't have, but did.</div>
<span class="xf-comment-reply"><a href="#"><span>Reply</span></a></span></div></li>
<li class="comment" id="comment-3"><div class="comment-text"><p>Plain words of my own.</p>
<p>12 Likes</p><p>3 hours ago</p></div></li>
</ul></body></html>"""


def test_html_comment_text_without_dates_buttons_and_quotes() -> None:
    from moderation.parse import html_page

    page = FORUM_PAGE.format(body="The new graphics cards sold out within minutes of launch. " * 10)
    comments = html_page.READER.read(page.encode(), "page.html", "p")[0].comments
    assert [c.text for c in comments] == [
        "Jensen can only bake so many, yes I know it's a lame ass joke.",
        "Made me laugh. Shouldn't have, but did.",
        "Plain words of my own.",
    ]
    assert comments[1].quote is not None and "lame ass joke" in comments[1].quote
    assert comments[1].reply_to_author == "coloradoblah"
    assert comments[0].quote is None
    assert comments[0].extra["date_text"] == "17 September 2020 18:21"
    assert comments[2].extra["chrome"] == ["12 Likes", "3 hours ago"]


def test_reddit_markdown_quote_kept_apart_and_unescaped() -> None:
    data, path = fixture("graw_thread.json")
    comments = reddit.READER.read(data, path, "r")[0].comments
    quoted = next(c for c in comments if c.quote == "because <3")
    assert quoted.text.startswith("Well said. Manly tears falling.")
    assert "&gt;" not in quoted.text and "because <3" not in quoted.text


def test_globe_mail_old_quoted_reply_kept_apart() -> None:
    data, path = fixture("globe_old_comments_28844713_trimmed.json")
    comments = globe_mail.READER.read(data, path, "old")[0].comments
    reply = comments[2]
    assert reply.reply_to_author == "MRichards"
    assert reply.quote and not reply.text.startswith("(In reply to")


def _page_with_nested_comment(depth: int) -> bytes:
    wrapped = "<span>" * depth + TOXIC + "</span>" * depth
    body = "The council met today to discuss the budget for next year. " * 20
    return (
        f"<!DOCTYPE html><html><head><title>T</title></head><body><article><p>{body}</p></article><ul>"
        f"<li class='comment' id='comment-1'><div class='comment-author'>Bob</div>"
        f"<div class='comment-content'>Nice article. {wrapped}</div></li>"
        "<li class='comment' id='comment-2'><div class='comment-author'>Ann</div>"
        "<div class='comment-content'>After it.</div></li></ul></body></html>"
    ).encode()


def test_html_page_text_inside_300_nested_tags_is_kept() -> None:
    from moderation.parse import html_page

    [article] = html_page.READER.read(_page_with_nested_comment(300), "page.html", "p")
    assert [c.text for c in article.comments] == [f"Nice article. {TOXIC}", "After it."]
    assert not [p for p in article.problems if p.kind == "text_cut_off"]


def test_html_page_nested_past_the_parser_limit_is_reported() -> None:
    from moderation.parse import html_page

    [article] = html_page.READER.read(_page_with_nested_comment(2100), "page.html", "p")
    assert [p.kind for p in article.problems if p.kind == "text_cut_off"] == ["text_cut_off"]
