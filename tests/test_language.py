"""Comment languages and per-language word lists (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.analysis.flags import FlagSettings, assess, flag_comments
from moderation.analysis.language import assign_languages, confident_language
from moderation.analysis.settings import flag_settings, read_wordlist
from moderation.config import load_preset
from moderation.schema import Article, Comment, Scores

ROOT = Path(__file__).resolve().parents[1]
WORDLISTS = ROOT / "configs" / "wordlists"
COMMON = ROOT / "tests" / "fixtures" / "common_words"


def _article(title: str, body: list[str], texts: list[str]) -> Article:
    article = Article(article_id="a", source_path=None, format="test", title=title, body=body)
    article.comments = [
        Comment(comment_id=f"a#{i}", article_id="a", position=i, author=None, text=t)
        for i, t in enumerate(texts, start=1)
    ]
    return article


def _settings() -> FlagSettings:
    preset = load_preset("fast")
    return flag_settings(preset.flags, preset.thresholds, preset.path.parent)


def _common(language: str) -> set[str]:
    words: set[str] = set()
    for line in (COMMON / f"{language}.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(w.casefold() for w in line.split())
    return words


def test_confident_language_of_clear_texts() -> None:
    assert confident_language("I think the council made the right call on the budget this year.") == "en"
    assert confident_language("Ich finde, der Stadtrat hat beim Haushalt dieses Jahr richtig entschieden.") == "de"
    assert confident_language("Bravo Quebec! Continue dans cette bonne voie.") == "fr"
    assert confident_language("+1 !!!") is None


def test_short_comments_take_the_page_language() -> None:
    german = _article(
        "Stadtrat beschließt den Haushalt",
        ["Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen und die Steuern gesenkt."],
        ["Du Arschloch!", "Genau so ist es, die Steuern waren viel zu hoch und das weiß jeder hier.", "Idiot alert"],
    )
    assign_languages(german)
    assert [c.language for c in german.comments] == ["de", "de", "de"]
    english = _article(
        "Council passes the budget",
        ["The council passed next year's budget on Monday and cut taxes for families."],
        ["Excellent article.", "Idiot alert"],
    )
    assign_languages(english)
    assert [c.language for c in english.comments] == ["en", "en"]


def test_placeholders_get_no_language() -> None:
    article = _article("Council passes the budget", ["The council passed the budget."], ["[deleted]"])
    article.comments[0].placeholder = True
    article.comments[0].status = "deleted"
    assign_languages(article)
    assert article.comments[0].language is None


@pytest.mark.parametrize(("lists", "other"), [("en", "de"), ("de", "en")])
def test_no_word_list_holds_a_common_word_of_another_language(lists: str, other: str) -> None:
    common = _common(other)
    entries = [e for name in ("banned.txt", "watched.txt") for e in read_wordlist(WORDLISTS / lists / name)]
    assert entries and not [e for e in entries if e in common]


def test_german_page_uses_german_lists() -> None:
    settings = _settings()
    german = "Die Steuern sind zu hoch, die Regierung sollte das wissen, du Arschloch."
    reasons = [(f.reason, f.detail) for f in assess(german, Scores(), settings, (), "de").flags]
    assert reasons == [("banned_word", "arschloch")]
    # The same text checked as English: no German article `die` hit, no German insult.
    assert assess(german, Scores(), settings, (), "en").flags == []
    # A language without its own lists gets the English banned list only.
    assert [f.detail for f in assess("Quelle blague, fuck ça", Scores(), settings, (), "fr").flags] == ["fuck"]
    assert assess("On va les kill demain", Scores(), settings, (), "fr").flags == []
    # ... and watched words, evidence only, are not looked up at all there.
    watched = FlagSettings(watched=settings.watched, queue_rules=("watched_word",))
    assert assess("On va les kill demain", Scores(), watched, (), "fr").flags == []
    assert [f.detail for f in assess("We will kill it", Scores(), watched, (), "en").flags] == ["kill"]


def test_unscorable_comments_get_no_flags_and_no_duplicates() -> None:
    from moderation.analysis.duplicates import DuplicateIndex

    texts = ["This comment has been deleted", "This comment has been deleted", "fuck this, what a fucking disgrace"]
    article = _article("t", [], texts)
    for comment in article.comments[:2]:
        comment.status, comment.placeholder = "deleted", True
    article.comments[2].status = "removed"
    settings = _settings()
    found = flag_comments(article.comments, {}, settings, DuplicateIndex())
    assert {k: (a.flags, a.severity) for k, a in found.items()} == {
        "a#1": ([], 0.0),
        "a#2": ([], 0.0),
        "a#3": ([], 0.0),
    }
    article.comments[2].status = "published"
    again = flag_comments(article.comments, {}, settings, DuplicateIndex())["a#3"]
    assert {f.reason for f in again.flags} == {"banned_word"}
