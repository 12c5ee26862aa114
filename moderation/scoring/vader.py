"""VADER's sentiment rules, computed in time linear in a comment's length; same scores.

vaderSentiment 3.3.2 spends most of its time on bookkeeping, not on its rules: every word
goes through `sentiment_valence`; `_negation_check` and `_special_idioms_check` lower-case
the WHOLE comment's word list each time they run (up to three times per lexicon word), so
cost grows with the square of a comment's length; `negated` scans a 60-word list per word.
`FastVader` applies the same rules, in the same order, with the same float operations:

- a text without emoji skips the per-character emoji pass (it would copy the text unchanged);
- words are lower-cased once; a word that is not in the lexicon, is a booster, or is the
  "kind" of "kind of" gets 0 at once (VADER appends 0 for them after its checks);
- a lexicon word's valence is computed by `_valence` (VADER's `sentiment_valence` with the
  negation check inlined over the three preceding words and a set of negation words); the
  idiom check sees the words i-3..i+2, the only ones it reads, and is skipped when fewer than
  two of them belong to any multi-word phrase it looks up.

Tokenising (`SentiText`), the "but" rule, punctuation emphasis and normalising are
VADER's own methods. Compound scores are identical (tests/test_vader.py compares them with
vaderSentiment's on real comments and on texts built to hit every rule).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
    scalar_inc_dec,
)

_NEGATE = frozenset(NEGATE)
# Words of the multi-word phrases the idiom check looks up (it only ever looks up phrases of
# two or three words): a window with fewer than two of them cannot change a valence.
_PHRASE_WORDS = frozenset(w for phrase in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in phrase for w in phrase.split())
_SO_THIS = ("so", "this")


def _negated(word_lower: str) -> bool:
    """VADER's `negated([word])`: a negation word, or any word containing "n't"."""
    return word_lower in _NEGATE or "n't" in word_lower


class FastVader(SentimentIntensityAnalyzer):
    """`SentimentIntensityAnalyzer` with the same scores at a fraction of the cost."""

    def __init__(self) -> None:
        super().__init__()
        self._emoji_chars = frozenset(self.emojis)

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not self._emoji_chars.isdisjoint(text):
            return dict(super().polarity_scores(text))
        text = text.strip()
        sentitext = SentiText(text)
        words: list[str] = sentitext.words_and_emoticons
        lower = [w.lower() for w in words]
        lexicon = self.lexicon
        last = len(lower) - 1
        sentiments: list[float] = []
        for i, low in enumerate(lower):
            if low not in lexicon or low in BOOSTER_DICT or (low == "kind" and i < last and lower[i + 1] == "of"):
                sentiments.append(0)
            else:
                sentiments.append(self._valence(words, lower, i, sentitext.is_cap_diff))
        sentiments = self._but_check(words, sentiments)
        return dict(self.score_valence(sentiments, text))

    def _valence(self, words: list[str], lower: list[str], i: int, is_cap_diff: bool) -> float:
        """The valence of lexicon word i after VADER's context rules."""
        lexicon = self.lexicon
        item_lower = lower[i]
        valence = lexicon[item_lower]
        if item_lower == "no" and i != len(lower) - 1 and lower[i + 1] in lexicon:
            valence = 0.0  # "no" negates the next lexicon word instead of scoring itself
        if (
            (i > 0 and lower[i - 1] == "no")
            or (i > 1 and lower[i - 2] == "no")
            or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[item_lower] * N_SCALAR
        if words[i].isupper() and is_cap_diff:
            valence = valence + C_INCR if valence > 0 else valence - C_INCR
        for start_i in range(3):
            before = i - (start_i + 1)
            if before < 0 or lower[before] in lexicon:
                continue
            s = scalar_inc_dec(words[before], valence, is_cap_diff)
            if start_i == 1 and s != 0:
                s = s * 0.95
            if start_i == 2 and s != 0:
                s = s * 0.9
            valence = valence + s
            valence = _negation(valence, lower, start_i, i)
            if start_i == 2:
                left = i - 3
                if len(_PHRASE_WORDS.intersection(lower[left : i + 3])) >= 2:
                    valence = self._special_idioms_check(valence, words[left : i + 3], i - left)
        return self._least_check(valence, words, i)


def _negation(valence: float, lower: list[str], start_i: int, i: int) -> float:
    """VADER's `_negation_check` for the word `start_i + 1` places before lexicon word i."""
    if start_i == 0:
        if _negated(lower[i - 1]):
            valence = valence * N_SCALAR
    elif start_i == 1:
        if lower[i - 2] == "never" and lower[i - 1] in _SO_THIS:
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            pass
        elif _negated(lower[i - 2]):
            valence = valence * N_SCALAR
    else:
        if (lower[i - 3] == "never" and lower[i - 2] in _SO_THIS) or lower[i - 1] in _SO_THIS:
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            pass
        elif _negated(lower[i - 3]):
            valence = valence * N_SCALAR
    return valence


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """One analyser per process (reading the lexicon takes ~0.1 s)."""
    return FastVader()


def compound(texts: list[str]) -> list[float]:
    """VADER compound score of each text, in [-1, 1]."""
    score = analyzer().polarity_scores
    return [score(t)["compound"] for t in texts]
