"""Same or near-same text posted more than once, within an article and across a run.

Pure (no IO). `DuplicateIndex` is created once per run and fed comments in source order;
`check(comment_id, text)` answers whether an EARLIER comment had the same or nearly the
same text, then remembers this one.

- Exact: the text is normalised (look-alike letters folded, case folded, everything but
  letters and digits dropped) and hashed to 64 bits; the first comment id per hash is kept.
- Near: word 3-gram shingles (configurable), MinHash signatures (`num_perm` 32-bit values)
  and locality-sensitive hashing in `bands` bands; a candidate that shares a band is
  confirmed when its signatures agree on at least `near_threshold` of their values (the
  MinHash estimate of the shingles' Jaccard similarity). Texts shorter than `min_chars`
  (after normalising spaces) are not indexed for near-duplicates.

What is remembered lives in a `DuplicateStore`. `MemoryStore` (the default) holds it in
dicts: about 1 KB per long comment with the defaults (32 x 8), measured 974 bytes per
synthetic comment, so about 1 GB at a million comments. A run passes a store that keeps it
on disk (`moderation.disk_index.SqliteDuplicateStore`), which keeps memory flat; answers are
the same with either store.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from moderation.textnorm import fold_confusables, text_key

_MERSENNE = (1 << 31) - 1
_NON_ALNUM = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class DuplicateSettings:
    """How duplicates are found; see configs/*.toml [flags.duplicates]."""

    near_threshold: float = 0.8
    shingle_size: int = 3
    min_chars: int = 40
    exact_min_chars: int = 12
    num_perm: int = 32
    bands: int = 8

    def __post_init__(self) -> None:
        if not 0.0 < self.near_threshold <= 1.0:
            raise ValueError("near_threshold must be in (0, 1]")
        if self.shingle_size < 1 or self.num_perm < 1 or self.bands < 1 or self.num_perm % self.bands:
            raise ValueError("shingle_size, num_perm and bands must be positive and bands must divide num_perm")


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """The earlier comment this one repeats: `similarity` 1.0 for exact, else the estimate."""

    first_id: str
    exact: bool
    similarity: float


def _normalise(text: str) -> str:
    return fold_confusables(text).casefold()


class DuplicateFinder(Protocol):
    """What flagging asks of a run's duplicate finder: a `DuplicateIndex`, or the matches a
    distributed run found beforehand (moderation/distributed/duplicates.py)."""

    settings: DuplicateSettings

    def check(self, comment_id: str, text: str) -> DuplicateMatch | None: ...


def exact_key(text: str) -> str:
    """The text reduced to casefolded letters and digits (look-alikes folded)."""
    return text_key(text)


def shingles(text: str, size: int) -> set[str]:
    """Word n-grams of the normalised text (all words when there are fewer than `size`)."""
    return _shingles_of(_normalise(text), size)


def _shingles_of(normalised: str, size: int) -> set[str]:
    words = _NON_ALNUM.sub(" ", normalised).split()
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 for two empty sets."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _signed64(text: str) -> int:
    """`_hash64` as a signed 64-bit integer (what SQLite stores)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _low32(texts: set[str]) -> np.ndarray:
    """`_hash64(t) & 0xFFFFFFFF` of every text as int64: the first 4 bytes of each little-endian digest."""
    digests = b"".join(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest() for t in texts)
    return np.frombuffer(digests, dtype="<u4")[::2].astype(np.int64)


class DuplicateStore(Protocol):
    """Where a `DuplicateIndex` keeps what it has seen. Band keys and exact digests are signed
    64-bit integers; rows number the near-duplicate signatures from 0 in insertion order."""

    def first_exact(self, digest: int) -> str | None: ...

    def add_exact(self, digest: int, comment_id: str) -> None: ...

    def rows_for_bands(self, keys: Sequence[int]) -> list[int]: ...

    def signature(self, row: int) -> tuple[str, np.ndarray]: ...

    def add_signature(self, comment_id: str, signature: np.ndarray, band_keys: Sequence[int]) -> None:
        """Store the next row; each band key not seen before points at it (first wins)."""
        ...


class MemoryStore:
    """A `DuplicateStore` in dicts and one growing array (about 1 KB per long comment)."""

    def __init__(self, num_perm: int) -> None:
        self._exact: dict[int, str] = {}
        self._bands: dict[int, int] = {}
        self._ids: list[str] = []
        self._signatures = np.empty((0, num_perm), dtype=np.uint32)

    def first_exact(self, digest: int) -> str | None:
        return self._exact.get(digest)

    def add_exact(self, digest: int, comment_id: str) -> None:
        self._exact.setdefault(digest, comment_id)

    def rows_for_bands(self, keys: Sequence[int]) -> list[int]:
        return sorted({self._bands[k] for k in keys if k in self._bands})

    def signature(self, row: int) -> tuple[str, np.ndarray]:
        return self._ids[row], self._signatures[row]

    def add_signature(self, comment_id: str, signature: np.ndarray, band_keys: Sequence[int]) -> None:
        n = len(self._ids)
        if n == len(self._signatures):
            grown = np.empty((max(64, 2 * n), self._signatures.shape[1]), dtype=np.uint32)
            grown[:n] = self._signatures[:n]
            self._signatures = grown
        self._signatures[n] = signature
        self._ids.append(comment_id)
        for key in band_keys:
            self._bands.setdefault(key, n)


class DuplicateIndex:
    """Remembers every comment's text fingerprint and names the first one a later text repeats."""

    def __init__(self, settings: DuplicateSettings | None = None, store: DuplicateStore | None = None) -> None:
        self.settings = settings or DuplicateSettings()
        rng = np.random.default_rng(20170226)  # fixed: the same text always gets the same signature
        self._a = rng.integers(1, _MERSENNE, size=self.settings.num_perm, dtype=np.int64)
        self._b = rng.integers(0, _MERSENNE, size=self.settings.num_perm, dtype=np.int64)
        self.store: DuplicateStore = store if store is not None else MemoryStore(self.settings.num_perm)

    def signature(self, text: str) -> np.ndarray | None:
        """The MinHash signature of a text's shingles, or None when it has no words."""
        return self._signature(_normalise(text))

    def _signature(self, normalised: str) -> np.ndarray | None:
        grams = _shingles_of(normalised, self.settings.shingle_size)
        if not grams:
            return None
        values = _low32(grams)
        permuted = (np.outer(values, self._a) + self._b) % _MERSENNE
        return permuted.min(axis=0).astype(np.uint32)

    def fingerprint(self, text: str) -> tuple[int | None, np.ndarray | None]:
        """(exact digest, MinHash signature) of a text, None where it is too short for that kind
        of match: what `check` compares, and what a distributed run groups by."""
        normalised = _normalise(text)
        return self._digest(normalised), self._near_signature(text, normalised)

    def _digest(self, normalised: str) -> int | None:
        key = _NON_ALNUM.sub("", normalised)
        return _signed64(key) if len(key) >= self.settings.exact_min_chars else None

    def _near_signature(self, text: str, normalised: str) -> np.ndarray | None:
        if len(" ".join(text.split())) < self.settings.min_chars:
            return None
        return self._signature(normalised)

    def similarity(self, a: np.ndarray, b: np.ndarray) -> float:
        """The share of MinHash values two signatures agree on (estimated Jaccard)."""
        return float(np.mean(a == b))

    def band_keys(self, sig: np.ndarray) -> list[int]:
        """One key per LSH band: texts sharing a key are near-duplicate candidates."""
        return self._band_keys(sig)

    def check(self, comment_id: str, text: str) -> DuplicateMatch | None:
        """The earlier comment `text` repeats, if any; then index this comment."""
        normalised = _normalise(text)
        digest = self._digest(normalised)
        if digest is not None:
            first = self.store.first_exact(digest)
            if first is not None:
                return DuplicateMatch(first, True, 1.0)
            self.store.add_exact(digest, comment_id)
        sig = self._near_signature(text, normalised)
        if sig is None:
            return None
        keys = self._band_keys(sig)
        match = self._near(sig, keys)
        self.store.add_signature(comment_id, sig, keys)
        return match

    def _band_keys(self, sig: np.ndarray) -> list[int]:
        rows = self.settings.num_perm // self.settings.bands
        values = sig.tolist()
        return [
            _signed64(f"{band}:" + ",".join(map(str, values[band * rows : (band + 1) * rows])))
            for band in range(self.settings.bands)
        ]

    def _near(self, sig: np.ndarray, keys: list[int]) -> DuplicateMatch | None:
        for row in self.store.rows_for_bands(keys):  # earliest first
            first_id, other = self.store.signature(row)
            similarity = self.similarity(other, sig)
            if similarity >= self.settings.near_threshold:
                return DuplicateMatch(first_id, False, similarity)
        return None
