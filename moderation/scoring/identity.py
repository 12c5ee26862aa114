"""Identity terms (who someone is, not what they did) and their removal before lexical scoring.

alt-profanity-check learned from offensive-language data in which identity words often sat
next to abuse, so it rates "I am a queer person." at 0.98 and "Being gay is part of who I
am." at 0.98. Its `profanity` is therefore computed on the text with these terms taken out
(`without_identity_terms`): naming who someone is never counts as profanity; slurs are not
in this list and still count, and the encoder heads (toxicity, unhealthy) read the full text.
The same list drives the term-neutral offsets of the severity fit and the templated bias
benchmark (benchmarks/eval_identity.py).
"""

from __future__ import annotations

from moderation.textnorm import may_hold_word, word_needles, word_pattern

IDENTITY_TERMS: tuple[str, ...] = (
    "lesbian", "gay", "bisexual", "transgender", "trans", "queer", "homosexual", "heterosexual",
    "straight", "nonbinary", "black", "white", "asian", "latino", "hispanic", "arab", "indigenous",
    "african", "mexican", "chinese", "indian", "european", "canadian", "american", "jewish",
    "muslim", "christian", "catholic", "hindu", "buddhist", "sikh", "atheist", "immigrant",
    "deaf", "blind", "disabled", "old", "young", "female", "male",
)  # fmt: skip

_TERMS = word_pattern(IDENTITY_TERMS)
_NEEDLES = word_needles(IDENTITY_TERMS)


def without_identity_terms(text: str) -> str:
    """`text` with every identity term (whole word, any case, plural -s) replaced by a space."""
    if not may_hold_word(text, _NEEDLES):  # most texts: no regex scan
        return text
    return _TERMS.sub(" ", text)
