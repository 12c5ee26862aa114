"""Article files joined to their comment files (parse/join.py, through the one reading path):
Globe and Mail article JSON to its comment JSON (both comment systems) in any input order,
same-named comment files in two folders (`~2`), articles nothing joins, and the links that
Disqus and WordPress exports carry for their threads and posts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from moderation.parse.inputs import ReadState, iter_articles, list_inputs
from moderation.schema import Article
from tests.formats_helpers import FIXTURES

ARTICLE = FIXTURES / "globe_article_28844713.json"
COMMENTS = FIXTURES / "globe_comments_28844713_trimmed.json"
OLD_COMMENTS = FIXTURES / "globe_old_comments_28844713_trimmed.json"
TITLE = "Can the Liberals' style hide the stumbles? - The Globe and Mail"
URL = "http://www.theglobeandmail.com/opinion/how-to-get-that-border-deal-just-right/article28844713/"


def read(*paths: Path) -> tuple[list[Article], ReadState]:
    state = ReadState()
    return list(iter_articles(list_inputs(paths), state)), state


def test_comments_listed_before_their_article_file_are_joined_to_it() -> None:
    articles, state = read(COMMENTS, OLD_COMMENTS, ARTICLE)
    assert [(a.article_id, len(a.comments)) for a in articles] == [
        ("globe_comments_28844713_trimmed", 20),
        ("globe_old_comments_28844713_trimmed", 7),  # older system: the id from the file name
    ]
    lead = json.loads(ARTICLE.read_text())["28844713"]["article_text"][0]
    for article in articles:
        assert article.title == TITLE and article.dateline == "2016-02-23 EST"
        assert len(article.body) == 14 and article.body[0] in lead
        assert article.extra["url"] == URL and article.extra["article_ref"] == "28844713"
        assert article.extra["context_from"] == {"path": str(ARTICLE), "article_id": "globe_article_28844713"}
        assert article.stance_target is not None and article.stance_target.startswith(TITLE + " " + article.body[0])
    assert [Path(i.path).name for i in state.inputs] == [ARTICLE.name, COMMENTS.name, OLD_COMMENTS.name]
    assert state.inputs[0].article_ids == ("globe_article_28844713",)  # as its reader named it


def test_same_named_comment_files_in_two_folders_both_join(tmp_path: Path) -> None:
    for folder in ("ArticleRawData", "CommentReactionsRawData", "CommentsRawData"):
        (tmp_path / folder).mkdir()
    shutil.copy(ARTICLE, tmp_path / "ArticleRawData" / "article_28844713.json")
    shutil.copy(OLD_COMMENTS, tmp_path / "CommentReactionsRawData" / "article_28844713_comments.json")
    shutil.copy(COMMENTS, tmp_path / "CommentsRawData" / "article_28844713_comments.json")
    articles, state = read(tmp_path)
    assert [(a.article_id, a.title, len(a.comments)) for a in articles] == [
        ("article_28844713_comments", TITLE, 7),
        ("article_28844713_comments~2", TITLE, 20),
    ]
    assert [c["renamed_to"] for c in state.collisions] == ["article_28844713_comments~2"]


def test_an_article_nothing_joins_stays_and_comes_last(tmp_path: Path) -> None:
    other = tmp_path / "other_article.json"
    doc = json.loads(ARTICLE.read_text())
    other.write_text(json.dumps({"99999999": doc["28844713"]}), encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("A page\n\nSome text of the page.\n", encoding="utf-8")
    articles, _ = read(other, ARTICLE, COMMENTS, page)
    assert [(a.article_id, len(a.comments)) for a in articles] == [
        ("globe_comments_28844713_trimmed", 20),
        ("page", 0),
        ("other_article", 0),  # no comments name 99999999: kept, after every other article
    ]
    assert articles[-1].title == TITLE and "context_from" not in articles[-1].extra


def test_disqus_threads_and_wordpress_posts_carry_their_links() -> None:
    articles, _ = read(FIXTURES / "isso_tests_disqus.xml", FIXTURES / "valid-wxr-1.1.xml")
    links = {a.article_id: (a.title, a.extra.get("url")) for a in articles}
    assert links["isso_tests_disqus:2"] == ("Hello, World!", "http://example.org/")
    assert links["valid-wxr-1.1:1"] == ("Hello world!", "http://localhost/?p=1")


def test_shared_globe_and_mail_folder_joins_every_article_with_comments(shared_data: Path) -> None:
    articles, _ = read(shared_data / "globe_mail_comment_json")
    globe = [a for a in articles if a.format == "globe_mail"]
    joined = [a for a in globe if "context_from" in a.extra]
    # 4 article files; each has comments in both systems; article 34799476 has no article file
    assert len(globe) == 9 and len(joined) == 8 and all(a.comments for a in globe)
    assert {a.extra["context_from"]["article_id"] for a in joined} == {
        "article_28494689",
        "article_28659297",
        "article_28747277",
        "article_28844713",
    }
    assert all(a.title and not a.title.startswith("article_") for a in joined)
