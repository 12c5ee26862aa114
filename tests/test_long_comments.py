"""A comment longer than the preset's `max_comment_chars`: read and written whole, scored and
flagged on its first `max_comment_chars` characters, and marked so that a moderator sees it
(issue 16: a Disqus comment over 10 MB; one 50 MB comment took 3 GB)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from moderation.config import DEFAULT_MAX_COMMENT_CHARS, load_preset
from moderation.errors import ConfigError
from moderation.moderator import LONG_COMMENT, Moderator
from moderation.parse.assemble import clean_text
from moderation.run import RunOptions, run
from moderation.schema import Article, Comment
from moderation.writers import FolderSink

NORMAL = "Thanks for a fair and careful piece."


@pytest.fixture(scope="module")
def fast() -> Moderator:
    return Moderator("fast")


def _disqus(*messages: str) -> bytes:
    posts = "".join(
        f'<post dsq:id="{i}"><message><![CDATA[<p>{m}</p>]]></message>'
        f'<author><name>a{i}</name></author><thread dsq:id="t1"/></post>\n'
        for i, m in enumerate(messages, 1)
    )
    return (
        '<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        f'<thread dsq:id="t1"><title>One</title></thread>\n{posts}</disqus>\n'
    ).encode()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_12_mb_disqus_comment_is_kept_scored_on_a_prefix_and_marked(tmp_path: Path, fast: Moderator) -> None:
    big = "a point made at great length " * (12 * 1024 * 1024 // 29)  # 12 MB: over libxml2's 10 MB node cap
    export = tmp_path / "export.xml"
    export.write_bytes(_disqus(big, NORMAL))
    out = tmp_path / "out"
    run([export], fast, FolderSink(out), RunOptions(use_cache=False))

    long, normal = _lines(out / "comments.jsonl")
    assert long["text"] == big.strip()  # written whole
    assert long["scored_chars"] == DEFAULT_MAX_COMMENT_CHARS and "profanity" in long["scores"]
    assert "scored_chars" not in normal and "not_scored" not in normal and "profanity" in normal["scores"]
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["counts"]["comments_scored"] == 2
    (problem,) = [p for p in record["problems"] if p["kind"] == LONG_COMMENT]
    assert problem["comment_id"] == long["comment_id"]
    assert f"{len(long['text']):,} characters" in problem["detail"] and "max_comment_chars" in problem["detail"]
    assert record["problems_by_kind"][LONG_COMMENT] == 1
    (article,) = _lines(out / "articles.jsonl")
    assert [p["kind"] for p in article["problems"]] == [LONG_COMMENT]
    # The report shows it as a chip on the comment.
    assert f'["characters scored","{DEFAULT_MAX_COMMENT_CHARS}"]' in (out / "report.html").read_text(encoding="utf-8")


def _article(*texts: str) -> Article:
    article = Article(article_id="a", source_path=None, format="jsonl")
    article.comments = [
        Comment(comment_id=f"a#{i}", article_id="a", position=i, author=None, text=t) for i, t in enumerate(texts, 1)
    ]
    return article


def test_the_models_and_rules_read_only_the_first_max_comment_chars(fast: Moderator) -> None:
    mod = Moderator("fast")
    mod.preset = dataclasses.replace(mod.preset, max_comment_chars=60)
    padding = "Thanks for the piece, it was a good read overall. "  # 50 characters
    late = padding + "Really, thanks. You idiot."  # the watched word sits past character 60
    early = "You idiot. " + padding + padding
    short = "You idiot, a short one."
    article = _article(late, early, short)
    (result,) = mod.score_articles([article])
    rows = {r.comment.comment_id: r for r in result.comments}
    assert rows["a#1"].comment.text == late  # the comment keeps its whole text
    assert rows["a#1"].scored_chars == 60 and rows["a#2"].scored_chars == 60 and rows["a#3"].scored_chars is None
    assert "watched_word" not in [f.reason for f in rows["a#1"].flags]
    assert rows["a#1"].to_dict()["scored_chars"] == 60 and "scored_chars" not in rows["a#3"].to_dict()
    # the prefix is what the models scored: the same scores as the cut text on its own
    (alone,) = fast.score_texts([late[:60]])
    assert rows["a#1"].scores is not None and rows["a#1"].scores.attributes == alone.scores.attributes
    assert [(p.kind, p.comment_id) for p in article.problems] == [(LONG_COMMENT, "a#1"), (LONG_COMMENT, "a#2")]
    mod.score_articles([article])  # scoring again does not mark twice
    assert len(article.problems) == 2


def test_score_texts_reads_only_the_first_max_comment_chars_and_says_so(fast: Moderator) -> None:
    mod = Moderator("fast")
    mod.preset = dataclasses.replace(mod.preset, max_comment_chars=60)
    padding = "Thanks for the piece, it was a good read overall. "  # 50 characters
    late = padding + "Really, thanks. You idiot."  # the watched word sits past character 60
    long, short = mod.score_texts([late, "You idiot, a short one."])
    assert "watched_word" not in [f.reason for f in long.flags]
    assert long.text == late and long.scored_chars == 60 and long.to_dict()["scored_chars"] == 60
    (alone,) = fast.score_texts([late[:60]])  # the models scored the prefix
    assert long.scores.attributes == alone.scores.attributes
    assert short.scored_chars is None and "scored_chars" not in short.to_dict()
    assert "watched_word" in [f.reason for f in short.flags]


def test_a_long_comment_the_models_never_read_is_not_marked() -> None:
    mod = Moderator("fast")
    mod.preset = dataclasses.replace(mod.preset, max_comment_chars=10)
    article = _article("[deleted] " * 5)
    article.comments[0].status = "deleted"
    (result,) = mod.score_articles([article])
    assert result.comments[0].scored_chars is None and article.problems == []


@pytest.mark.parametrize("value", ["0", "-5", "true", '"100"', "1.5"])
def test_preset_refuses_a_bad_max_comment_chars(tmp_path: Path, value: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f'name = "p"\nmax_comment_chars = {value}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="max_comment_chars"):
        load_preset(path)


def test_presets_take_the_default_limit_and_a_preset_may_set_its_own(tmp_path: Path) -> None:
    for name in ("default", "fast", "hub"):
        assert load_preset(name).max_comment_chars == DEFAULT_MAX_COMMENT_CHARS
    path = tmp_path / "p.toml"
    path.write_text('name = "p"\nmax_comment_chars = 5000\n', encoding="utf-8")
    assert load_preset(path).max_comment_chars == 5000


WHITESPACE = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u00a0", "\u2003", "\u2028", "\u3000"]


def test_clean_text_collapses_whitespace_as_str_split_does() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    def reference(text: str) -> str:  # the previous definition, which split every line into words
        lines = [" ".join(line.split()) for line in text.strip().splitlines()]
        out: list[str] = []
        for line in lines:
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip()

    @hypothesis.given(st.lists(st.sampled_from([*WHITESPACE, "a", "é", "\u200b", "x y"]), max_size=40).map("".join))
    def check(text: str) -> None:
        assert clean_text(text) == reference(text)

    check()
