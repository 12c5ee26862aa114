"""The speed-ups in analysis (word-list prefilter, ASCII skeleton, link and contact
prefilters) find exactly what the full passes find, on random texts built to hit them."""

from __future__ import annotations

import random
import unicodedata

import pytest

from moderation.analysis import words
from moderation.analysis.settings import flag_settings
from moderation.analysis.words import LEET, WordMatcher
from moderation.config import load_preset
from moderation.textnorm import fold_confusables

PIECES = [
    "fuck", "f.u.c.k", "f u c k", "fuuuck", "F-U-C-K", "ph", "sh1t", "$hit", "a$$", "a s s", "class", "asshole",
    "son of a bitch", "son-of-a-bitch", "kill", "k1ll", "die", "diet", "idiot", "1d10t", "m0r0n", "hang them",
    "Сomment", "ſhit", "ｆｕｃｋ", "zero\u200bwidth", "bomb  them", "2017", "@", "|", "+", "€", "£", "...", "-", " ",
    "\n", "the", "council", "was", "has", "as", "ss", "é", "Ä", "ß", "'", "`", "~", "·", "•", ":", ",", "/", "\\",
]  # fmt: skip


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 12))]
        out.append(rng.choice(["", " ", ".", "-"]).join(parts))
    return out


def _reference_skeleton(text: str) -> tuple[str, tuple[int, ...]]:
    """The skeleton's definition, character by character."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKD", fold_confusables(ch)).casefold()
        for piece in ch.lower() if ch.isascii() else "".join(p for p in folded if unicodedata.category(p) != "Mn"):
            chars.append(piece)
            origin.append(i)
    for j, ch in enumerate(chars):
        if ch in LEET and ((j > 0 and chars[j - 1].isalpha()) or (j + 1 < len(chars) and chars[j + 1].isalpha())):
            chars[j] = LEET[ch]
    return "".join(chars), tuple(origin)


def test_skeleton_matches_its_definition() -> None:
    for text in _texts(3000, 1):
        assert words.skeleton(text) == _reference_skeleton(text), text


@pytest.mark.parametrize("seed", [2, 3])
def test_word_prefilter_never_hides_a_hit(seed: int) -> None:
    preset = load_preset("fast")
    settings = flag_settings(preset.flags, preset.thresholds, preset.path.parent)
    matchers = [settings.banned, settings.watched, WordMatcher(["ass", "son of a bitch", "f*ck", "die"])]
    found = 0
    for matcher in matchers:
        assert matcher is not None
        full = WordMatcher(matcher.entries)
        full._squeezed = [""] * len(full._squeezed)  # "" is in every text: every entry's pass runs
        for text in _texts(2000, seed):
            got = matcher.find(text)
            assert got == full.find(text), text
            found += len(got)
    assert found > 500


LINK_PIECES = [
    "see", "http://x", "https://example.org/a?b=1", "www.example.com", "example.co.uk/path.", "e.g.", "U.S.",
    "end.Next", "mail me@example.org", "a@b", "+1 (555) 123-4567", "555-123-4567", "0201234567890", "2015-2017",
    "Feb 26 2017 17:45", "1,000,000", ".", " ", "ftp://host", "://", "x.io", "1.5", "@", "(", ")",
]  # fmt: skip


def test_link_and_contact_prefilters_never_hide_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from moderation.analysis import contacts

    rng = random.Random(4)
    texts = [
        rng.choice(["", " ", ".", "-", ", "]).join(rng.choice(LINK_PIECES) for _ in range(rng.randint(1, 8)))
        for _ in range(3000)
    ]
    fast = [(contacts.find_links(t), contacts.find_contacts(t)) for t in texts]
    for hint in ("_URL_HINT", "_EMAIL_HINT", "_PHONE_HINT"):
        monkeypatch.setattr(contacts, hint, re.compile(""))  # matches every text: the full passes run
    full = [(contacts.find_links(t), contacts.find_contacts(t)) for t in texts]
    assert fast == full
    assert sum(len(links) + len(found) for links, found in full) > 1000


def test_minhash_signature_matches_its_definition() -> None:
    """Batch hashing of shingles gives the signature of one `_hash64` per shingle."""
    import numpy as np

    from moderation.analysis import duplicates

    index = duplicates.DuplicateIndex()
    for text in [*_texts(300, 5), "Ünïcödé tëxt with Сyrillic look-alikes and more words here"]:
        grams = duplicates.shingles(text, index.settings.shingle_size)
        got = index.signature(text)
        if not grams:
            assert got is None
            continue
        values = np.asarray([duplicates._hash64(g) & 0xFFFFFFFF for g in grams], dtype=np.int64)
        want = ((np.outer(values, index._a) + index._b) % duplicates._MERSENNE).min(axis=0).astype(np.uint32)
        assert got is not None and got.tolist() == want.tolist(), text


def test_fingerprints_match_their_definitions() -> None:
    """Shingles, exact digests and band keys, computed from one split of the text into words,
    are what their definitions give: word n-grams of the normalised text, the digest of
    `exact_key`, and one digest per band of the signature's values written out."""
    from moderation.analysis import duplicates

    index = duplicates.DuplicateIndex()
    rng = random.Random(9)
    spaces = "".join(chr(c) for c in range(0x3100) if chr(c).isspace())
    texts = [*_texts(400, 6), *("".join(rng.choice(PIECES + list(spaces)) for _ in range(30)) for _ in range(200))]
    texts += ["a", "a b", "a b c", "a b c d", "x_y z", ""]
    size = index.settings.shingle_size
    fingerprints = index.fingerprints(texts)
    for text, fp in zip(texts, fingerprints, strict=True):
        words = duplicates._NON_ALNUM.sub(" ", duplicates._normalise(text)).split()
        grams = {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)} if len(words) > size else None
        assert duplicates.shingles(text, size) == (grams if grams is not None else ({" ".join(words)} - {""}))
        key = duplicates.exact_key(text)
        assert fp.digest == (duplicates._signed64(key) if len(key) >= index.settings.exact_min_chars else None)
        if fp.signature is not None:
            rows = index.settings.num_perm // index.settings.bands
            values = fp.signature.tolist()
            want = [
                duplicates._signed64(f"{band}:" + ",".join(map(str, values[band * rows : (band + 1) * rows])))
                for band in range(index.settings.bands)
            ]
            assert fp.keys == want
    assert sum(fp.digest is not None for fp in fingerprints) > 300
    assert sum(fp.signature is not None for fp in fingerprints) > 100
