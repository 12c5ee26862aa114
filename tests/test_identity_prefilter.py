"""The identity-term patterns skip texts that cannot match (textnorm.may_hold_word) and
answer exactly as the patterns alone: the same text out of `without_identity_terms`, the
same terms out of `identity_terms_in`, for texts that name terms in every case, with plurals,
inside longer words, next to hyphens, digits and underscores, and in non-ASCII text where
IGNORECASE pairs `ſ` with `s` and the Kelvin sign with `k`."""

from __future__ import annotations

import random
import re

from benchmarks.synth_comments import _WORDS
from moderation.analysis.severity import identity_terms_in
from moderation.scoring.identity import _TERMS, IDENTITY_TERMS, without_identity_terms
from moderation.textnorm import may_hold_word, word_needles

AROUND = ["", " ", "-", "_", "x", "2", ".", "'", "é", "\u017f", "\n"]


def _texts() -> list[str]:
    rnd = random.Random(5)
    texts = []
    for term in IDENTITY_TERMS:
        for form in (term, term.upper(), term.title(), term + "s", term + "S", term + "\u017f", term + "ss"):
            for before in AROUND:
                for after in AROUND:
                    texts.append(f"I am {before}{form}{after} and proud")
    for _ in range(3000):  # sentences of ordinary words, some with a term among them
        words = rnd.choices(_WORDS, k=rnd.randint(1, 30))
        if rnd.random() < 0.3:
            words.insert(rnd.randint(0, len(words)), rnd.choice(IDENTITY_TERMS))
        texts.append(" ".join(words))
    texts += ["\u017ftraight talk", "blac\u212a cat", "BLAC\u212a", "gay\u017f", "straightforward", "old-fashioned", ""]
    return texts


def test_the_shortcut_never_skips_a_text_the_pattern_matches() -> None:
    needles = word_needles(IDENTITY_TERMS)
    assert needles is not None
    texts = _texts()
    skipped = [t for t in texts if not may_hold_word(t, needles)]
    assert len(skipped) > 1000  # the shortcut does skip ordinary texts
    assert not [t for t in skipped if _TERMS.search(t)]
    assert [without_identity_terms(t) for t in texts] == [_TERMS.sub(" ", t) for t in texts]
    assert without_identity_terms("blac\u212a cat") == "  cat"  # non-ASCII: the pattern decides


def test_identity_terms_in_names_what_the_pattern_finds() -> None:
    terms = ["gay", "Muslim", "trans"]
    pattern = re.compile(r"(?<![\w-])(trans|Muslim|gay)s?(?![\w-])", re.IGNORECASE)
    for text in _texts():
        assert identity_terms_in(text, terms) == frozenset(m.group(1).casefold() for m in pattern.finditer(text))
    assert word_needles(["gay", "a-b"]) is None  # not one \w run: no shortcut, the pattern alone
    assert identity_terms_in("an a-b here", ["a-b"]) == frozenset({"a-b"})
