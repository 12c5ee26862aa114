from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.errors import ParseError
from moderation.parse.detect import READERS, choose_reader
from moderation.schema import Article
from tests.formats_helpers import fixture

PREFIXES = [
    b"",
    b"<?xml version='1.0'?><disqus xmlns='http://disqus.com'>",
    b'[{"kind": "Listing"',
    b"<html><body>",
    b'{"1": {"comments": [',
    b'{"article_id": "a", "comment_id": "c", "text": ',
]


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), tail=st.binary(max_size=300))
def test_any_bytes_give_articles_or_parse_error(reader, prefix: bytes, tail: bytes) -> None:
    try:
        result = reader.read(prefix + tail, "fuzz", "fuzz")
    except ParseError:
        return
    assert isinstance(result, list) and all(isinstance(a, Article) for a in result)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("isso_tests_disqus.xml", "disqus"),
        ("isso_tests_wordpress.xml", "wordpress"),
        ("graw_thread.json", "reddit"),
        ("globe_comments_28844713_trimmed.json", "globe_mail"),
        ("globe_old_comments_28844713_trimmed.json", "globe_mail"),
        ("globe_article_28844713.json", "globe_mail"),
        ("broken_comments.jsonl", "jsonl"),
        ("1337kultur.de.picard.html", "html_page"),
    ],
)
def test_detection_by_content(name: str, expected: str) -> None:
    data, _ = fixture(name)
    assert choose_reader(data, None).name == expected  # no path: content alone decides


def test_unknown_format_and_unrecognised_content() -> None:
    with pytest.raises(ParseError, match="known formats: disqus, wordpress"):
        choose_reader(b"{}", None, format="csv")
    assert choose_reader(b"{}", None, format="reddit").name == "reddit"
    with pytest.raises(ParseError):
        next(r for r in READERS if r.name == "reddit").read(b'{"not": "reddit"}', None, "x")
