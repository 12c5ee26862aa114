"""The batched language detector gives py3langid's own answers, bit for bit (issue 17)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from benchmarks.synth_comments import comment_text
from moderation.analysis import language_batch
from moderation.analysis.language import MAX_CHARS, _identifier, assign_languages, confident_language, detect_many
from moderation.schema import Article, Comment

COMMON = Path(__file__).resolve().parent / "fixtures" / "common_words"

_OTHER_SCRIPTS = [
    "Это просто ужасное решение городского совета, и все это знают.",
    "这篇文章写得很好，我完全同意作者的观点。",
    "この記事はとても良いと思います。ありがとう。",
    "هذا قرار سيء جدا من المجلس البلدي",
    "Αυτό είναι ένα πολύ καλό άρθρο για την πόλη.",
    "यह लेख बहुत अच्छा है और मैं सहमत हूँ।",
    "😀😀😀 🔥🔥",
    "THIS IS ALL CAPS AND VERY ANGRY ABOUT THE BUDGET",
    "DAS IST UNGLAUBLICH, WIRKLICH!",
    "Ça, c'est une très bonne idée pour la ville; bravo à l'équipe municipale.",
    "Excellent article.",
    "Idiot alert",
    "",
    " ",
    "+1",
    "!!!",
    "a",
    "ß",
    "x" * 5000,
    "naïve café " * 400,
]


def _words(language: str) -> list[str]:
    words: list[str] = []
    for line in (COMMON / f"{language}.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.extend(line.split())
    return words


def _texts(n: int) -> list[str]:
    """Synthetic English comments, German and English word salads, other scripts and edge cases."""
    rng = random.Random(17)
    german, english = _words("de"), _words("en")
    texts = [comment_text(rng) for _ in range(n)]
    for _ in range(n // 4):
        pool = rng.choice([german, english, german + english])
        texts.append(" ".join(rng.choice(pool) for _ in range(rng.randint(1, 60))))
    texts.extend(_OTHER_SCRIPTS)
    rng.shuffle(texts)
    return texts


def _reference(texts: list[str]) -> list[tuple[str, float]]:
    """py3langid's own classify, one text at a time, as `detect` called it before batching."""
    plain = _identifier().identifier
    return [(str(lang), float(p)) for lang, p in (plain.classify(t[:MAX_CHARS]) for t in texts)]


def test_batched_detection_equals_py3langid() -> None:
    texts = _texts(1200)
    assert detect_many(texts) == _reference(texts)


def test_small_groups_and_the_scalar_path_give_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language_batch, "GROUP", 37)  # many groups, each with a scalar head
    monkeypatch.setattr(language_batch, "SCALAR_LONGEST", 5)
    texts = _texts(200)
    assert detect_many(texts) == _reference(texts)
    assert detect_many(texts[:3]) == _reference(texts[:3])  # a group the scalar path takes whole
    assert detect_many([]) == []


def test_texts_without_features_are_walked_like_py3langid() -> None:
    texts = ["", " ", "\n", "1", "..."] + ["the budget"] * 20
    assert detect_many(texts) == _reference(texts)


def _article(article_id: str, title: str, texts: list[str]) -> Article:
    article = Article(article_id=article_id, source_path=None, format="test", title=title, body=[])
    article.comments = [
        Comment(comment_id=f"{article_id}#{i}", article_id=article_id, position=i, author=None, text=t)
        for i, t in enumerate(texts, start=1)
    ]
    return article


def test_languages_assigned_together_equal_one_article_at_a_time() -> None:
    def articles() -> list[Article]:
        return [
            _article("de", "Stadtrat beschließt den Haushalt", ["Du Arschloch!", "Genau so ist es, die Steuern!"]),
            _article("en", "Council passes the budget", ["Excellent article.", "Idiot alert", "+1"]),
            _article("none", "", ["!!!", "Bravo Quebec! Continue dans cette bonne voie."]),
        ]

    together, alone = articles(), articles()
    assign_languages(*together)
    for article in alone:
        assign_languages(article)
    got = [[c.language for c in a.comments] for a in together]
    assert got == [[c.language for c in a.comments] for a in alone]
    assert got == [["de", "de"], ["en", "en", "en"], ["fr", "fr"]]
    assert confident_language("Ich finde, der Stadtrat hat beim Haushalt richtig entschieden.") == "de"
