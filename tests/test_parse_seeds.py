"""The plain-text page reader on every seed page, against hand-checked expectations."""

from __future__ import annotations

import itertools
import json

import pytest

from moderation.parse.text_page import parse_page
from moderation.schema import check_comments
from moderation.textnorm import clean_spaces
from tests.conftest import FIXTURES, SEEDS

EXPECTED = json.loads((FIXTURES / "seeds_expected.json").read_text(encoding="utf-8"))
SEED_IDS = sorted(EXPECTED)


def test_every_seed_has_expectations():
    assert sorted(p.stem for p in SEEDS.glob("*.txt")) == SEED_IDS


def parse(seed_id):
    path = SEEDS / f"{seed_id}.txt"
    return parse_page(path.read_text(encoding="utf-8"), str(path), seed_id), path


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_metadata(seed_id):
    article, _ = parse(seed_id)
    want = EXPECTED[seed_id]
    assert article.site == want["site"]
    assert article.title == want["title"]
    assert article.dateline == want["dateline"]
    for key in ("subtitle", "section", "tags", "related"):
        if key in want:
            assert getattr(article, key) == want[key], key


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_body_snippets(seed_id):
    article, _ = parse(seed_id)
    want = EXPECTED[seed_id]
    body = "\n".join(article.body)
    assert len(article.body) == want["n_body"]
    for snippet in want["body_with"]:
        assert snippet in body, snippet
    for snippet in want["body_without"]:
        assert snippet not in body, snippet
    assert [b.line for b in article.boilerplate] == want["boilerplate_lines"]


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_every_line_lands_in_exactly_one_place(seed_id):
    article, path = parse(seed_id)
    lines = path.read_text(encoding="utf-8").splitlines()
    covered = [n for start, end, _ in article.layout for n in range(start, end + 1)]
    assert covered == list(range(1, len(lines) + 1))
    role = {n: r for start, end, r in article.layout for n in range(start, end + 1)}

    body = "\n".join(article.body)
    comment_text = "\n".join(c.text for c in article.comments)
    boiler = {b.line: b.text for b in article.boilerplate}
    spans = [(c.source.line_start, c.source.line_end) for c in article.comments]
    for number, raw in enumerate(lines, start=1):
        text = clean_spaces(raw)
        r = role[number]
        if r == "blank":
            assert text == ""
        elif r == "body":
            # the dateline prefix is moved to metadata; the rest of the line is body text
            assert text.split("/. ", 1)[-1] in body
        elif r == "boilerplate":
            assert boiler[number] == text
        elif r == "comment":
            assert any(s <= number <= e for s, e in spans)
            if "in reply to" not in text and not text.startswith("•"):
                assert text in comment_text
        elif r == "title":
            assert article.title == text
        elif r == "subtitle":
            assert article.subtitle == text
        elif r == "section":
            assert article.section == text
        elif r == "dateline":
            assert article.dateline is not None
        elif r == "related":
            assert any(h in text for h in article.related)
        elif r == "tags":
            assert all(t in text for t in article.tags)
        else:
            pytest.fail(f"unknown role {r!r}")
    # no line is inside two comments
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        assert e1 < s2


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_comments(seed_id):
    article, _ = parse(seed_id)
    want = EXPECTED[seed_id]
    assert len(article.comments) == want["n_comments"]
    if not want["n_comments"]:
        assert article.problems == []
        return
    comments = article.comments
    assert [c.author for c in comments] == want["authors"]
    assert [c.comment_id for c in comments] == [f"{seed_id}#{n}" for n in range(1, len(comments) + 1)]
    for n, name in want["reply_to_author"].items():
        assert comments[int(n) - 1].reply_to_author == name
    edges = {c.position: int(c.parent_id.split("#")[1]) for c in comments if c.parent_id}
    assert edges == {int(k): v for k, v in want["reply_edges"].items()}
    for n, (start, end) in want["comment_lines"].items():
        assert (comments[int(n) - 1].source.line_start, comments[int(n) - 1].source.line_end) == (start, end)
    for n, snippets in want["comment_with"].items():
        for snippet in snippets:
            assert snippet in comments[int(n) - 1].text, (n, snippet)
    for c in comments:
        assert c.text.strip(), c.comment_id
        for snippet in want["comment_without"]:
            assert snippet not in c.text, (c.comment_id, snippet)
    unresolved = [p.comment_id for p in check_comments(comments) if p.kind == "unresolved_reply"]
    assert unresolved == [f"{seed_id}#{n}" for n in want["unresolved_replies"]]
    assert [p.comment_id for p in article.problems if p.kind == "unresolved_reply"] == unresolved


def test_reply_threads_of_sputnik_seed():
    article, _ = parse("004_20bb43e35edb2df2")
    by_pos = {c.position: c for c in article.comments}
    assert by_pos[9].thread_id == by_pos[5].comment_id
    assert [by_pos[n].depth for n in (5, 7, 8, 9)] == [0, 1, 2, 3]
    assert sum(1 for c in article.comments if c.depth == 0) == 16


def test_paragraphs_of_a_multi_paragraph_comment_are_kept():
    article, _ = parse("004_20bb43e35edb2df2")
    text = article.comments[18].text
    assert text.count("\n\n") == 2
    assert text.startswith("On Sunday") and text.endswith("considerable laugh.")


def test_cyrillic_lookalike_chrome_is_recognised():
    article, _ = parse("004_20bb43e35edb2df2")
    kinds = {b.line: b.kind for b in article.boilerplate}
    assert kinds[49] == "comment_button"  # "• Сomment" with a Cyrillic С
