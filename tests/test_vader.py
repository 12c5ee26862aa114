"""FastVader gives exactly vaderSentiment's scores: on texts built to hit every rule, on
random word salads from VADER's own word lists, and on real comments when the data is here."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SPECIAL_CASES, SentimentIntensityAnalyzer

from moderation.scoring.vader import FastVader, compound

RULE_TEXTS = [
    "",
    "   ",
    "VADER is smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "The book was kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Not bad at all",
    "no problem, no good, no joy or love, no fun nor hope",
    "No",
    "it isn't horrible, it wasn't the worst, I don't hate it",
    "never so happy, never this sad, so good, this bad",
    "without doubt the best, without any doubt awful",
    "at least it works; the least happy; very least good; least good",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Not bad 👍 but 😠 nonetheless",
    "the shit, the bomb, bad ass, badass, yeah right, kiss of death, to die for",
    "you are the shit and yeah right that was to die for",
    "sort of nice, kind of awful, just enough good",
    "What??? really?? good?!?!",
    "extremely GOOD and EXTREMELY bad and barely ok",
    "ALL CAPS GOOD TEXT",
    "but but but good bad but",
    "uh-uh nope aint cannot good",
    "I cannot believe how WONDERFUL, wonderful... and TERRIBLE it was!!!!!",
]


def _reference() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def analyzers() -> tuple[SentimentIntensityAnalyzer, FastVader]:
    return _reference(), FastVader()


def test_rule_texts_identical(analyzers: tuple[SentimentIntensityAnalyzer, FastVader]) -> None:
    ref, fast = analyzers
    for text in RULE_TEXTS:
        assert fast.polarity_scores(text) == ref.polarity_scores(text), text


def test_random_salads_identical(analyzers: tuple[SentimentIntensityAnalyzer, FastVader]) -> None:
    """Dense mixes of lexicon words, boosters, negations and idiom words in random case."""
    ref, fast = analyzers
    rng = random.Random(17)
    lexicon = sorted(ref.lexicon)
    pool = (
        rng.sample(lexicon, 300)
        + list(BOOSTER_DICT)
        + NEGATE
        + [w for case in SPECIAL_CASES for w in case.split()]
        + ["no", "or", "nor", "never", "so", "this", "without", "doubt", "least", "at", "very", "kind", "of", "but"]
    )
    texts = []
    for _ in range(3000):
        words = [rng.choice(pool) for _ in range(rng.randint(1, 40))]
        words = [w.upper() if rng.random() < 0.1 else w for w in words]
        words = [w + rng.choice([",", "!", "?", ".", ""]) if rng.random() < 0.2 else w for w in words]
        texts.append(" ".join(words))
    assert [fast.polarity_scores(t) for t in texts] == [ref.polarity_scores(t) for t in texts]
    assert any(ref.polarity_scores(t)["compound"] < -0.5 for t in texts)
    assert any(ref.polarity_scores(t)["compound"] > 0.5 for t in texts)


def test_real_comments_identical(shared_data: Path) -> None:
    ucc = shared_data / "ucc_unhealthy_comments" / "val.csv"
    if not ucc.is_file():
        pytest.skip("UCC comments not in ../shared/data")
    with ucc.open(encoding="utf-8") as handle:
        texts = [row["comment"] for row in csv.DictReader(handle)][:3000]
    ref = _reference()
    assert compound(texts) == [ref.polarity_scores(t)["compound"] for t in texts]
