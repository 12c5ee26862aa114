"""The Python batch API."""

from __future__ import annotations

import pytest

from moderation import Moderator
from moderation.moderator import CommentResult, TextResult
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def fast():
    return Moderator(preset="fast")


def test_score_texts_returns_typed_results_in_order(fast):
    texts = ["You are a fucking idiot.", "Thank you, a careful and fair article.", "You are a fucking idiot."]
    results = fast.score_texts(texts)
    assert all(isinstance(r, TextResult) for r in results)
    assert [r.text for r in results] == texts
    assert results[0].scores.attributes["profanity"] > 0.9 > 0.1 > results[1].scores.attributes["profanity"]
    # the evidence that drove the severity first (the fast preset's model reads profanity), then rules
    assert results[0].flagged and [f.reason for f in results[0].flags] == ["profanity", "banned_word", "watched_word"]
    assert [f.detail for f in results[0].flags if f.reason.endswith("_word")] == ["fucking", "idiot"]
    assert results[0].severity > 0.5 > 0.1 > results[1].severity  # calibrated: P(a moderator acts)
    assert not results[1].flagged
    assert results[1].labels["sentiment"] == "positive"
    assert results[0].scores.to_dict() == results[2].scores.to_dict()
    assert results[0].stance_target is None and "stance" not in results[0].scores.groups


def test_score_texts_rejects_a_bare_string(fast):
    with pytest.raises(TypeError):
        fast.score_texts("one text")


def test_scores_do_not_depend_on_batch_or_order(fast):
    texts = [f"comment number {i} says this is {'great' if i % 2 else 'awful crap'}" for i in range(40)]
    one = [r.scores.to_dict() for r in fast.score_texts(texts)]
    reversed_scores = [r.scores.to_dict() for r in fast.score_texts(texts[::-1])][::-1]
    small = Moderator(preset="fast")
    small.pipeline.batch_size = 3
    assert one == reversed_scores == [r.scores.to_dict() for r in small.score_texts(texts)]


def test_score_paths(fast):
    run = fast.score_paths([SEEDS])
    assert [len(a.comments) for a in run.articles] == [0, 0, 0, 0, 19]
    assert all(isinstance(c, CommentResult) for c in run.comments)
    assert run.counts["comments_scored"] == 19
    assert not run.has_fatal_errors


def test_score_batch_works_with_datasets_map(fast):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"text": ["what a load of shit", "lovely, thanks"], "id": [1, 2]})
    scored = ds.map(fast.score_batch, batched=True, batch_size=1)
    assert scored.column_names == ["text", "id", "profanity", "sentiment", "flagged", "flag_reasons"]
    assert scored["flagged"] == [True, False]
    assert scored["flag_reasons"][0] == ["profanity", "watched_word"]
    assert scored["sentiment"][1]["positive"] > scored["sentiment"][1]["negative"]
