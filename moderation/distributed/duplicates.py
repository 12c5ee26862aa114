"""Run-wide duplicates as distributed steps: the same matches `DuplicateIndex.check` finds when
fed every comment in run order, computed by grouping instead of by a loop over the run.

The order of a comment is (article order, position in the article). `DuplicateIndex.check`
answers for each scorable comment, in that order:

1. exact: the text's digest (`fingerprint`) was seen before -> a match with the FIRST comment
   that had it; such a comment is not indexed for near matches;
2. near: otherwise, among the comments indexed so far, the first one per LSH band key is that
   key's holder; the comment's candidates are the holders of its band keys, and the earliest
   candidate whose signatures agree on at least `near_threshold` is the match; then the
   comment is indexed.

Distributed: `fingerprint_rows` (per article, after scoring) -> group by digest
(`exact_groups`: the first of each digest group is the original, the others exact matches;
texts without a digest are their own group) -> near members exploded by band key and grouped
(`band_groups`: the holder is the earliest member; every later member gets it as a candidate
with its similarity) -> the events meet their article in the group-by-article step, where
`known_duplicates` hands them to the flagging code. No step sees the whole run.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from moderation.analysis.duplicates import DuplicateIndex, DuplicateMatch, DuplicateSettings, FoundDuplicates
from moderation.schema import Article

ARTICLE, EXACT, NEAR_MEMBER, CANDIDATE = "article", "exact", "near_member", "candidate"


def event(order: int, kind: str, payload: Any, key: str = "") -> dict[str, Any]:
    """One row between steps: `order` of its article, what it is, its pickled content, a group key."""
    return {"order": order, "kind": kind, "key": key, "payload": pickle.dumps(payload, protocol=5)}


def event_table(rows: list[dict[str, Any]]) -> Any:
    """Rows as an Arrow table with the one schema every step uses (also when there are none)."""
    import pyarrow as pa

    schema = pa.schema([("order", pa.int64()), ("kind", pa.string()), ("key", pa.string()), ("payload", pa.binary())])
    return pa.Table.from_pylist(rows, schema=schema)


def fingerprint_rows(index: DuplicateIndex, order: int, article: Article, max_chars: int) -> list[dict[str, Any]]:
    """One row per scorable comment of an article, keyed by its exact digest (or by itself).
    A text is read up to `max_chars` characters, as the local run's rules read it."""
    read = [(pos, c) for pos, c in enumerate(article.comments) if c.scorable]  # never flagged nor indexed else
    rows = []
    for (pos, comment), found in zip(read, index.fingerprints([c.text[:max_chars] for _, c in read]), strict=True):
        key = f"d{found.digest:016x}" if found.digest is not None else f"u{order}:{pos}"
        bands = [f"{k:016x}" for k in found.keys]
        rows.append(event(order, NEAR_MEMBER, (pos, comment.comment_id, found.signature, bands), key))
    return rows


def exact_groups(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One digest group: the earliest comment is the original, later ones repeat it exactly.
    The original (and a comment without a digest) goes on as a near-duplicate member."""
    members = sorted(((r["order"], *pickle.loads(r["payload"])) for r in rows), key=lambda m: (m[0], m[1]))
    first_order, first_pos, first_id, sig, bands = members[0]
    if sig is not None:
        yield event(first_order, NEAR_MEMBER, (first_pos, first_id, sig, bands))
    for order, pos, _cid, _sig, _bands in members[1:]:
        yield event(order, EXACT, (pos, first_id))


def band_rows(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A near member once per band key (the group key of the next step)."""
    pos, cid, sig, bands = pickle.loads(row["payload"])
    return [event(row["order"], NEAR_MEMBER, (pos, cid, sig), key) for key in bands]


def band_groups(rows: Iterable[dict[str, Any]], index: DuplicateIndex) -> Iterator[dict[str, Any]]:
    """One band key: its holder is the earliest member; each later member gets it as a candidate."""
    members = sorted(((r["order"], *pickle.loads(r["payload"])) for r in rows), key=lambda m: (m[0], m[1]))
    h_order, h_pos, h_id, h_sig = members[0]
    for order, pos, _cid, sig in members[1:]:
        yield event(order, CANDIDATE, (pos, (h_order, h_pos), h_id, index.similarity(h_sig, sig)))


def known_duplicates(
    settings: DuplicateSettings, article: Article, events: Iterable[tuple[str, Any]]
) -> FoundDuplicates:
    """The matches of one article's comments, from the events the grouping steps sent it."""
    ids = [c.comment_id for c in article.comments]
    exact: dict[int, str] = {}
    near: dict[int, list[tuple[tuple[int, int], str, float]]] = {}
    for kind, payload in events:
        if kind == EXACT:
            pos, first_id = payload
            exact[pos] = first_id
        elif kind == CANDIDATE:
            pos, where, holder_id, similarity = payload
            near.setdefault(pos, []).append((where, holder_id, similarity))
    matches: dict[str, DuplicateMatch] = {}
    for pos, first_id in exact.items():
        matches[ids[pos]] = DuplicateMatch(first_id, True, 1.0)
    for pos, candidates in near.items():
        good = sorted(c for c in candidates if c[2] >= settings.near_threshold)
        if good and ids[pos] not in matches:
            matches[ids[pos]] = DuplicateMatch(good[0][1], False, good[0][2])
    return FoundDuplicates(settings, matches)
