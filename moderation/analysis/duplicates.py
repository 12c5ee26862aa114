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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from moderation.textnorm import fold_confusables, text_key

_MERSENNE = (1 << 31) - 1
_SHINGLES_AT_ONCE = 50_000  # shingles hashed into one (shingles x num_perm) array: 13 MB at 32
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
    """What flagging asks of a run's duplicate finder: a `DuplicateIndex`, or the matches found
    beforehand (`FoundDuplicates`)."""

    settings: DuplicateSettings

    def check(self, comment_id: str, text: str) -> DuplicateMatch | None: ...


class FoundDuplicates:
    """Matches found beforehand, by comment id: what flagging asks of a `DuplicateIndex`
    (`settings`, `check`), answered from them. A local run finds a chunk's matches with its
    index before the chunk is analysed (`Moderator.find_duplicates`); a distributed run by
    grouping (moderation/distributed/duplicates.py)."""

    def __init__(self, settings: DuplicateSettings, matches: dict[str, DuplicateMatch]) -> None:
        self.settings = settings
        self.matches = matches

    def check(self, comment_id: str, text: str) -> DuplicateMatch | None:
        return self.matches.get(comment_id)


def exact_key(text: str) -> str:
    """The text reduced to casefolded letters and digits (look-alikes folded)."""
    return text_key(text)


def shingles(text: str, size: int) -> set[str]:
    """Word n-grams of the normalised text (all words when there are fewer than `size`)."""
    return _grams(_words(_normalise(text)), size)


def _words(normalised: str) -> list[str]:
    r"""The runs of letters and digits. Joined, they are `_NON_ALNUM.sub("", normalised)`:
    no character that `[\W_]` leaves is one `str.split` splits on."""
    return _NON_ALNUM.sub(" ", normalised).split()


def _grams(words: list[str], size: int) -> set[str]:
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return set(map(" ".join, zip(*(words[i:] for i in range(size)), strict=False)))


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 for two empty sets."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _signed64(text: str) -> int:
    """`_hash64` as a signed 64-bit integer (what SQLite stores)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _low32(texts: Iterable[str]) -> np.ndarray:
    """`_hash64(t) & 0xFFFFFFFF` of every text as int64: the first 4 bytes of each little-endian digest."""
    digests = b"".join(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest() for t in texts)
    return np.frombuffer(digests, dtype="<u4")[::2].astype(np.int64)


Exact = tuple[int, str]  # (digest, first comment id)
Signed = tuple[str, np.ndarray]  # (comment id, MinHash signature)
Band = tuple[int, int]  # (band key, row)


class DuplicateStore(Protocol):
    """Where a `DuplicateIndex` keeps what it has seen. Band keys and exact digests are signed
    64-bit integers; rows number the near-duplicate signatures from 0 in insertion order.
    Reads and writes come in batches (one per group of comments the index checks)."""

    rows: int  # signatures stored so far

    def exact_ids(self, digests: Sequence[int]) -> dict[int, str]:
        """The first comment id stored per digest, for those of `digests` that were seen."""
        ...

    def band_rows(self, keys: Sequence[int]) -> dict[int, int]:
        """The row each of `keys` points at, for those that were seen."""
        ...

    def signatures(self, rows: Sequence[int]) -> dict[int, tuple[str, np.ndarray]]: ...

    def add(self, exact: Sequence[Exact], signatures: Sequence[Signed], bands: Sequence[Band]) -> None:
        """Store new digests, the next signature rows (numbered from `rows`) and new band keys."""
        ...


class MemoryStore:
    """A `DuplicateStore` in dicts and one growing array (about 1 KB per long comment)."""

    def __init__(self, num_perm: int) -> None:
        self._exact: dict[int, str] = {}
        self._bands: dict[int, int] = {}
        self._ids: list[str] = []
        self._signatures = np.empty((0, num_perm), dtype=np.uint32)
        self.rows = 0

    def exact_ids(self, digests: Sequence[int]) -> dict[int, str]:
        return {d: self._exact[d] for d in digests if d in self._exact}

    def band_rows(self, keys: Sequence[int]) -> dict[int, int]:
        return {k: self._bands[k] for k in keys if k in self._bands}

    def signatures(self, rows: Sequence[int]) -> dict[int, tuple[str, np.ndarray]]:
        return {r: (self._ids[r], self._signatures[r]) for r in rows}

    def add(self, exact: Sequence[Exact], signatures: Sequence[Signed], bands: Sequence[Band]) -> None:
        for digest, comment_id in exact:
            self._exact.setdefault(digest, comment_id)
        n = self.rows + len(signatures)
        if n > len(self._signatures):
            grown = np.empty((max(64, 2 * n), self._signatures.shape[1]), dtype=np.uint32)
            grown[: self.rows] = self._signatures[: self.rows]
            self._signatures = grown
        for row, (comment_id, signature) in enumerate(signatures, start=self.rows):
            self._signatures[row] = signature
            self._ids.append(comment_id)
        self.rows = n
        for key, row in bands:
            self._bands.setdefault(key, row)


@dataclass(slots=True)
class Fingerprint:
    """What `check` compares of one text, and what a distributed run groups by: its exact
    digest, MinHash signature and LSH band keys (None / no keys where the text is too short
    for that kind of match)."""

    digest: int | None
    signature: np.ndarray | None
    keys: list[int]


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
        return self._signatures([_words(_normalise(text))])[0]

    def _signatures(self, words: Sequence[list[str]]) -> list[np.ndarray | None]:
        """MinHash signatures of many texts' words, computed together (None for a text without
        words); at most `_SHINGLES_AT_ONCE` shingles per array pass, so memory stays bounded."""
        grams = [_grams(w, self.settings.shingle_size) for w in words]
        out: list[np.ndarray | None] = [None] * len(grams)
        group: list[int] = []
        size = 0
        for i, g in enumerate(grams):
            if not g:
                continue
            group.append(i)
            size += len(g)
            if size >= _SHINGLES_AT_ONCE:
                self._minhash(grams, group, out)
                group, size = [], 0
        if group:
            self._minhash(grams, group, out)
        return out

    def _minhash(self, grams: list[set[str]], group: list[int], out: list[np.ndarray | None]) -> None:
        counts = np.asarray([len(grams[i]) for i in group])
        values = _low32(g for i in group for g in grams[i])
        permuted = (np.outer(values, self._a) + self._b) % _MERSENNE
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        for i, row in zip(group, np.minimum.reduceat(permuted, starts, axis=0).astype(np.uint32), strict=True):
            out[i] = row

    def fingerprints(self, texts: Sequence[str]) -> list[Fingerprint]:
        """The fingerprint of each text, computed together."""
        words = [_words(_normalise(t)) for t in texts]
        digests = [self._digest("".join(w)) for w in words]
        near = [i for i, t in enumerate(texts) if len(" ".join(t.split())) >= self.settings.min_chars]
        signatures: list[np.ndarray | None] = [None] * len(texts)
        for i, sig in zip(near, self._signatures([words[i] for i in near]), strict=True):
            signatures[i] = sig
        return [
            Fingerprint(d, sig, self._band_keys(sig) if sig is not None else [])
            for d, sig in zip(digests, signatures, strict=True)
        ]

    def _digest(self, key: str) -> int | None:
        """The digest of a text's letters and digits (`exact_key`), or None when too short."""
        return _signed64(key) if len(key) >= self.settings.exact_min_chars else None

    def similarity(self, a: np.ndarray, b: np.ndarray) -> float:
        """The share of MinHash values two signatures agree on (estimated Jaccard)."""
        return float(np.mean(a == b))

    def check(self, comment_id: str, text: str) -> DuplicateMatch | None:
        """The earlier comment `text` repeats, if any; then index this comment."""
        return self.check_many([(comment_id, text)])[0]

    def check_many(self, comments: Sequence[tuple[str, str]]) -> list[DuplicateMatch | None]:
        """`check` for each (comment id, text) in order, with one batch of store reads and writes:
        a comment is compared with everything stored before and with the comments before it here.

        Exact: a digest seen before is a match with its FIRST comment, and that comment is not
        indexed for near matches. Near: the candidates are the rows the comment's band keys
        point at (each key points at the first row that had it), earliest first; the first whose
        signatures agree on at least `near_threshold` is the match. Then the comment is indexed."""
        prepared = self.fingerprints([text for _, text in comments])
        exact = self.store.exact_ids([p.digest for p in prepared if p.digest is not None])
        bands = self.store.band_rows([k for p in prepared for k in p.keys])
        added: dict[int, tuple[str, np.ndarray]] = {}  # rows indexed in this batch
        new_exact: list[tuple[int, str]] = []
        new_bands: list[tuple[int, int]] = []
        out: list[DuplicateMatch | None] = []
        for (comment_id, _), p in zip(comments, prepared, strict=True):
            if p.digest is not None:
                first = exact.get(p.digest)
                if first is not None:
                    out.append(DuplicateMatch(first, True, 1.0))
                    continue
                exact[p.digest] = comment_id
                new_exact.append((p.digest, comment_id))
            if p.signature is None:
                out.append(None)
                continue
            out.append(self._near(p.signature, sorted({bands[k] for k in p.keys if k in bands}), added))
            row = self.store.rows + len(added)
            added[row] = (comment_id, p.signature)
            for key in p.keys:
                if key not in bands:
                    bands[key] = row
                    new_bands.append((key, row))
        self.store.add(new_exact, list(added.values()), new_bands)
        return out

    def _near(
        self, sig: np.ndarray, rows: list[int], added: dict[int, tuple[str, np.ndarray]]
    ) -> DuplicateMatch | None:
        stored = self.store.signatures([r for r in rows if r not in added]) if rows else {}
        for row in rows:  # earliest first
            first_id, other = added[row] if row in added else stored[row]
            similarity = self.similarity(other, sig)
            if similarity >= self.settings.near_threshold:
                return DuplicateMatch(first_id, False, similarity)
        return None

    def _band_keys(self, sig: np.ndarray) -> list[int]:
        """One key per LSH band: texts sharing a key are near-duplicate candidates."""
        rows = self.settings.num_perm // self.settings.bands
        values = list(map(str, sig.tolist()))
        return [
            _signed64(f"{band}:" + ",".join(values[band * rows : (band + 1) * rows]))
            for band in range(self.settings.bands)
        ]
