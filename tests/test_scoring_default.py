"""The default preset on values: real MiniLM + shipped heads, offline."""

from __future__ import annotations

import math

import pytest

from moderation.config import load_preset
from moderation.schema import SCORE_GROUPS, TOXICITY_ATTRIBUTES
from moderation.scoring.availability import availability
from moderation.scoring.pipeline import ScoringPipeline, pipeline_from_preset

ARTICLE = "City council approves the new tram line. Construction will start in March and finish in 2027."
HOSTILE = "You are a pathetic idiot and everyone here despises your stupid lies."
CIVIL = "Thanks for the clear report, I learned a lot about the tram plans."
DENY = "That is false. The council never approved it, this story is fake."
SUPPORT = "Yes, confirmed: the council approved the tram line, great news."


@pytest.fixture(scope="module")
def pipeline() -> ScoringPipeline:
    return pipeline_from_preset(load_preset("default"))


def test_default_produces_every_contract_score(pipeline: ScoringPipeline) -> None:
    assert pipeline.missing() == []
    scores = pipeline.score([CIVIL], [ARTICLE])[0]
    assert set(scores.attributes) == set(TOXICITY_ATTRIBUTES)
    assert set(scores.groups) == set(SCORE_GROUPS)


def test_hostile_above_civil(pipeline: ScoringPipeline) -> None:
    hostile, civil = pipeline.score([HOSTILE, CIVIL])
    # The shipped stacker (run 3) keeps scores compressed (here 0.59 against 0.29): a clear margin, not 0.3.
    assert hostile.attributes["toxicity"] > civil.attributes["toxicity"] + 0.25
    assert hostile.attributes["insult"] > civil.attributes["insult"]
    assert hostile.attributes["unhealthy"] > civil.attributes["unhealthy"] + 0.1
    assert civil.groups["sentiment"]["positive"] > hostile.groups["sentiment"]["positive"]


def test_naming_who_someone_is_is_not_profanity(pipeline: ScoringPipeline) -> None:
    """alt-profanity-check alone rates these 0.95-0.99; it now reads them without the identity
    term. Swearing still counts, with or without a term beside it."""
    texts = ["I am a gay person.", "Being queer is part of who I am.", "My neighbour is homosexual.",
             "Shut up, you fucking idiot.", "Shut up, you fucking gay idiot."]  # fmt: skip
    prof = [s.attributes["profanity"] for s in pipeline.score(texts)]
    assert max(prof[:3]) < 0.5, prof
    assert min(prof[3:]) > 0.9, prof


def test_denial_scores_deny_above_support(pipeline: ScoringPipeline) -> None:
    deny, support = pipeline.score([DENY, SUPPORT], [ARTICLE, ARTICLE])
    assert deny.groups["stance"]["deny"] > deny.groups["stance"]["support"]
    assert support.groups["stance"]["support"] > support.groups["stance"]["deny"]


def test_no_target_means_no_stance(pipeline: ScoringPipeline) -> None:
    scored = pipeline.score([DENY], [None])[0]
    assert "stance" not in scored.groups and "toxicity" in scored.attributes


def test_long_comment_scored_in_chunks_with_span(pipeline: ScoringPipeline) -> None:
    calm = "The tram line is a sensible plan and the council explained the costs well. " * 12
    text = calm + HOSTILE + " " + calm
    long, calm_only = pipeline.score([text, calm + " " + calm])
    span = long.spans["toxicity"]
    assert span.start <= text.index(HOSTILE) and text.index(HOSTILE) + len(HOSTILE) <= span.end
    assert span.end - span.start < len(text)  # the hostile chunk, not the whole text
    # The insult deep inside is not lost (its chunk also holds calm sentences, so it is diluted).
    assert long.attributes["toxicity"] > calm_only.attributes["toxicity"] + 0.2


def test_same_text_same_scores_whatever_batch_or_order() -> None:
    texts = [HOSTILE, CIVIL, DENY, SUPPORT, "ok", CIVIL + " " + DENY * 3, HOSTILE]
    targets = [ARTICLE, None, ARTICLE, ARTICLE, ARTICLE, ARTICLE, ARTICLE]
    preset = load_preset("default")
    a = pipeline_from_preset(preset).score(texts, targets)
    b_pipe = ScoringPipeline(pipeline_from_preset(preset).scorers, batch_size=2)
    order = [6, 3, 0, 5, 1, 4, 2]
    b = b_pipe.score([texts[i] for i in order], [targets[i] for i in order])
    for pos, i in enumerate(order):
        x, y = a[i], b[pos]
        assert x.attributes.keys() == y.attributes.keys() and x.groups.keys() == y.groups.keys()
        for key in x.attributes:
            assert math.isclose(x.attributes[key], y.attributes[key], abs_tol=1e-5)
        for group, dist in x.groups.items():
            for cls, value in dist.items():
                assert math.isclose(value, y.groups[group][cls], abs_tol=1e-5)
        assert x.spans == y.spans


def test_provenance_hashes_every_artefact(pipeline: ScoringPipeline) -> None:
    infos = pipeline.info()
    names = {i.name for i in infos}
    assert {"minilm-moderate", "toxicity-minilm", "sentiment-minilm", "stance-minilm", "alt-profanity-check"} <= names
    assert all(i.weights_sha256 for i in infos)


def test_availability_lists_default_models_as_offline() -> None:
    table = availability()
    assert all(s.available for s in table["default"])
    assert all(s.available for s in table["fast"])
    assert {s.model for s in table["hub"]} >= {"unitary/toxic-bert@main"}
