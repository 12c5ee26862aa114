"""Banned and watched words: whole-word matching that sees through common obfuscation.

Pure functions, no IO. A text is first mapped, character by character, onto a "skeleton":
look-alike letters folded to Latin (`textnorm.fold_confusables`), accents dropped,
case folded, and leetspeak digits and symbols read as letters when they sit next to a
letter (`sh1t`, `$hit`, `a$$`; a bare `2017` stays digits). Every skeleton character
remembers which original character it came from, so a hit's span points into the
ORIGINAL text. An entry then matches as a whole word with each letter allowed to repeat
(`fuuuck`) and, between letters, either one punctuation separator (`f.u.c.k`, `f-u-c-k`)
or, when every gap is spaced, whitespace (`f u c k`). "Whole word" means no letter or
digit right before or after, so `ass` never fires inside `class` or `assessment`, and a
separated hit is not part of a longer word separated the same way (`f.u.c.k.i.n.g` is
`fucking`, not `fuck`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from moderation.textnorm import fold_confusables

# Leetspeak: characters read as letters when next to a letter.
LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "+": "t", "|": "l", "€": "e", "£": "l",
}  # fmt: skip
# Characters that may separate the letters of an obfuscated word (besides whitespace).
_SEPARATORS = r"[.\-_*'`~·•:,/\\]"
_WORD = re.compile(r"[a-z0-9]")
_GAPS = re.compile(rf"(?:\s|{_SEPARATORS})+")
_RUNS = re.compile(r"(.)\1+", re.DOTALL)
_LEET_CHAR = re.compile("[" + re.escape("".join(LEET)) + "]")


@dataclass(frozen=True, slots=True)
class WordHit:
    """One match: the list entry and the character span [start, end) in the original text."""

    entry: str
    start: int
    end: int


def parse_wordlist(text: str) -> list[str]:
    """Entries of a word-list file: one per line; `#` starts a comment; blank lines skipped."""
    entries: list[str] = []
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry and entry.casefold() not in entries:
            entries.append(entry.casefold())
    return entries


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """A non-ASCII character as skeleton letters: look-alikes folded, case folded, accents dropped."""
    folded = unicodedata.normalize("NFKD", fold_confusables(ch)).casefold()
    return "".join(piece for piece in folded if unicodedata.category(piece) != "Mn")


@lru_cache(maxsize=8)  # the banned and the watched list look at the same text in turn
def skeleton(text: str) -> tuple[str, tuple[int, ...]]:
    """The matching skeleton of `text` and, per skeleton character, its index in `text`."""
    if text.isascii():  # one skeleton character per character: lower-cased in one call
        chars = text.lower()
        origin = tuple(range(len(text)))
    else:
        pieces: list[str] = []
        positions: list[int] = []
        for i, ch in enumerate(text):
            for piece in ch.lower() if ch.isascii() else _fold_char(ch):
                pieces.append(piece)
                positions.append(i)
        chars, origin = "".join(pieces), tuple(positions)
    return _read_leet(chars), origin


def _read_leet(chars: str) -> str:
    """Leet characters become letters when a neighbour is a letter; left to right, so that
    an already converted neighbour counts (`a$$` -> `ass`)."""
    found = [m.start() for m in _LEET_CHAR.finditer(chars)]
    if not found:
        return chars
    out = list(chars)
    last = len(out) - 1
    for j in found:
        if (j > 0 and out[j - 1].isalpha()) or (j < last and out[j + 1].isalpha()):
            out[j] = LEET[out[j]]
    return "".join(out)


def _entry_pattern(entry: str) -> str:
    words = skeleton(entry)[0].split()
    compact = f"{_SEPARATORS}?".join(f"{re.escape(ch)}+" for word in words for ch in word)
    spaced = r"\s+".join(f"{re.escape(ch)}+" for word in words for ch in word)
    if len(words) > 1:  # multi-word entries: words separated by whitespace or separators
        compact = r"(?:\s+|[-_.])".join(f"{_SEPARATORS}?".join(f"{re.escape(ch)}+" for ch in word) for word in words)
    return f"(?:{compact}|{spaced})"


class WordMatcher:
    """Finds the entries of one word list in texts (see the module doc for the rules)."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries: tuple[str, ...] = tuple(e.casefold().strip() for e in entries if e.strip())
        self._patterns: list[tuple[str, re.Pattern[str]]] = [
            (entry, re.compile(rf"(?<![^\W_]){_entry_pattern(entry)}(?![^\W_])"))
            for entry in self.entries
            if _WORD.search(skeleton(entry)[0])
        ]
        self._squeezed = [_squeeze(skeleton(entry)[0]) for entry, _ in self._patterns]

    def find(self, text: str) -> list[WordHit]:
        """Every hit, in text order; overlapping hits of different entries are all kept."""
        if not self._patterns:
            return []
        skel, origin, squeezed = _skeleton_and_squeeze(text)
        # Only entries whose squeeze is in the text's can match (see `_squeeze`).
        candidates = [p for p, sq in zip(self._patterns, self._squeezed, strict=True) if sq in squeezed]
        if not candidates:
            return []
        hits: list[WordHit] = []
        for entry, pattern in candidates:
            for m in pattern.finditer(skel):
                if not _continues(skel, m.start(), m.end()):
                    hits.append(WordHit(entry, origin[m.start()], origin[m.end() - 1] + 1))
        return sorted(hits, key=lambda h: (h.start, h.end, h.entry))


@lru_cache(maxsize=8)  # shared by the banned and the watched list
def _skeleton_and_squeeze(text: str) -> tuple[str, tuple[int, ...], str]:
    skel, origin = skeleton(text)
    return skel, origin, _squeeze(skel)


def _squeeze(skel: str) -> str:
    """`skel` without the characters a hit may have between its letters, and with runs of one
    character cut to one. Every hit, squeezed, is its entry squeezed and is a substring of
    the text squeezed; so a text whose squeeze holds no entry's squeeze has no hit."""
    return _RUNS.sub(r"\1", _GAPS.sub("", skel))


def _continues(skel: str, start: int, end: int) -> bool:
    """True when a letter-by-letter separated hit is only part of a longer separated word:
    `f.u.c.k` inside `f.u.c.k.i.n.g`, `f u c k` inside `f u c k i n g`."""
    gaps = {ch for ch in skel[start:end] if not ch.isalnum()}
    if len(gaps) != 1:
        return False
    sep = gaps.pop()

    def single(i: int) -> bool:  # a lone letter or digit at i, as in a separated word
        return (
            0 <= i < len(skel)
            and skel[i].isalnum()
            and not any(0 <= j < len(skel) and skel[j].isalnum() for j in (i - 1, i + 1))
        )

    after = end < len(skel) and skel[end] == sep and single(end + 1)
    before = start > 0 and skel[start - 1] == sep and single(start - 2)
    return after or before
