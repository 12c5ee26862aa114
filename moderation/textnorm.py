"""Text normalisation shared by the readers and the word lists: look-alike letters folded.

Scraped pages mix scripts on purpose or by accident (the Sputnik seed writes "Сomment"
with a Cyrillic С). `fold_confusables` maps the common look-alikes from Cyrillic and
Greek onto their Latin twins and removes zero-width characters, so that pattern tables
written in Latin match them. Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Cyrillic and Greek letters that render like Latin ones.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
    # Cyrillic small letters
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v",
    "ι": "i", "κ": "k", "α": "a", "ρ": "p",
}  # fmt: skip
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_TABLE = str.maketrans({**{k: v for k, v in _CONFUSABLES.items()}, **{chr(k): None for k in _ZERO_WIDTH}})


def fold_confusables(text: str) -> str:
    """NFKC-normalise, drop zero-width characters, and map look-alike letters to Latin."""
    if text.isascii():  # ASCII is NFKC-stable and holds no look-alike or zero-width character
        return text
    return unicodedata.normalize("NFKC", text).translate(_TABLE)


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean_spaces(text: str) -> str:
    """Non-breaking and other Unicode spaces as plain spaces, runs collapsed, ends stripped."""
    return _SPACES.sub(" ", text).strip()


_NON_ALNUM = re.compile(r"[\W_]+")


def text_key(text: str) -> str:
    """The text reduced to casefolded letters and digits (look-alikes folded): what two texts
    must share to count as the same words (duplicates, copies across exports)."""
    return _NON_ALNUM.sub("", fold_confusables(text).casefold())


_WORD_RUN = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")


def word_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """`words` as whole words, any case, each with an optional plural -s: the pattern
    `may_hold_word` rules out (group 1 is the word as written in the text, without the -s)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})s?(?![\w-])", re.IGNORECASE)


def word_needles(words: Iterable[str]) -> frozenset[str] | None:
    """What `may_hold_word` looks for to rule out a case-insensitive whole-word pattern of
    `words` (each with an optional plural -s): each word and its plural, lower-cased. None
    when a word is not ASCII letters, digits or `_` (no such shortcut for that pattern)."""
    words = list(words)
    if not all(_ASCII_WORD.fullmatch(w) for w in words):
        return None
    return frozenset(w.lower() for w in words) | frozenset(w.lower() + "s" for w in words)


def may_hold_word(text: str, needles: frozenset[str] | None) -> bool:
    """False only when `text` cannot match `word_pattern(WORDS)` (`needles = word_needles(WORDS)`).
    In ASCII text such a match is a whole `\\w+` run, a needle once lower-cased; other text
    (where IGNORECASE also pairs `ſ` with `s`, the Kelvin sign with `k`) is always a maybe,
    and so is every text for `needles` None."""
    return needles is None or not text.isascii() or not needles.isdisjoint(_WORD_RUN.findall(text.lower()))
