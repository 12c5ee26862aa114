"""One comment carried by two exports of the same platform article is one comment, not a repost.

A platform's comment system can be exported more than once (the Globe and Mail scraper wrote
the same threads in its newer `CommentsRawData` and its older `CommentReactionsRawData`
shape); read together, every comment would appear twice and its second copy would be flagged
as a duplicate post. The rule, in run order (article order, then position):

- the *identity* of a comment (`copy_key`) is: the platform's article (`parse.join.ref_key`:
  format and article ref), the author (case folded, spaces collapsed) and the text's letters
  and digits without accents (`textnorm.text_key`; a platform's masked word "cřap" is
  "crap"). A comment without an article ref, an author or words, and one that is not
  `scorable` (placeholders, taken down), has none: it is never a copy;
- a comment is a *copy* of the first earlier comment with its identity that was read from
  ANOTHER article of the run (another export) at a compatible time (`same_time`) and that no
  other comment of its own article copies already (one to one: a repeat that both exports
  carry stays two comments and one duplicate); the earlier one stays the original. Two
  comments of one export are never copies of each other (the same author posting the same
  words twice is a repeat, which duplicates find), and two authors' identical words never
  share an identity (a duplicate post, a spam signal);
- a copy keeps its row, its place in its thread and its text, gets status `copy` and
  `copy_of` = the original's comment id: it is never scored, flagged, indexed as a duplicate
  or counted in score rollups (`Comment.scorable` is false), and run.json counts it
  (`counts.comments_copies`, `statuses.copy`, `not_scored.copy`).

`original_of` is the rule; `CopyIndex` applies it to a run read in order, remembering the
originals in a `CopyStore` (`moderation.disk_index.SqliteCopyStore` keeps them on disk), and
`moderation.distributed.copies` applies it per identity group. Standard library only.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from moderation.parse.join import ref_key
from moderation.schema import COPY, Article, Comment
from moderation.textnorm import text_key

# Two full timestamps of one comment in two exports agree within this (rounding).
SAME_TIME = timedelta(seconds=60)
# A date without a time may be the platform's local date while the other export says UTC:
# the dates may differ by one day (measured: the older Globe and Mail export's dates are one
# day before the newer export's UTC times for comments posted in the evening, Eastern time).
SAME_DAY = 1


@dataclass(frozen=True, slots=True)
class Carried:
    """A comment as the copy rule sees it: the article (export) it was read from, its id, its time."""

    article_id: str
    comment_id: str
    timestamp: str | None


def copy_key(article: Article, comment: Comment) -> str | None:
    """The comment's identity across exports (a digest), or None when it has none."""
    ref = ref_key(article)
    author = " ".join(comment.author.split()).casefold() if comment.author else ""
    if ref is None or not author or not comment.scorable:
        return None
    words = text_key(_unmarked(comment.text))
    if not words:
        return None
    joined = "\x1f".join((ref[0], ref[1], author, words))
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=16).hexdigest()


def _unmarked(text: str) -> str:
    """The text without combining marks: the newer Globe and Mail system masks words it
    filters with one ("cřap" for "crap"), where the older export kept the word."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _when(text: str) -> datetime | date | None:
    value = text.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def same_time(a: str | None, b: str | None) -> bool:
    """Whether two exports' timestamps can be the same comment's: yes when either has none;
    two times within `SAME_TIME`; a date and a date or time within `SAME_DAY` days; two
    texts that are not ISO dates only when equal."""
    if a is None or b is None:
        return True
    first, second = _when(a), _when(b)
    if first is None or second is None:
        return a.strip() == b.strip()
    if isinstance(first, datetime) and isinstance(second, datetime):
        if (first.tzinfo is None) != (second.tzinfo is None):
            first, second = first.replace(tzinfo=None), second.replace(tzinfo=None)
        return abs(first - second) <= SAME_TIME
    day_a = first.date() if isinstance(first, datetime) else first
    day_b = second.date() if isinstance(second, datetime) else second
    return abs((day_a - day_b).days) <= SAME_DAY


def original_of(earlier: Iterable[Carried], comment: Carried, taken: Set[str] = frozenset()) -> Carried | None:
    """The original `comment` copies among the earlier originals of its identity (in run
    order), or None when it is an original itself: the first one from another article, at a
    compatible time, that no other comment of `comment`'s article copies yet (`taken`: their
    ids), so that a repeat both exports carry stays two comments."""
    for other in earlier:
        if (
            other.article_id != comment.article_id
            and other.comment_id not in taken
            and same_time(other.timestamp, comment.timestamp)
        ):
            return other
    return None


def resolve(members: Iterable[tuple[tuple[int, int], Carried]]) -> dict[tuple[int, int], str]:
    """The copies among comments of one identity, each given with its place in run order
    (article order, position): place -> the original's comment id (the rule applied in run
    order, as `CopyIndex` does)."""
    originals: list[Carried] = []
    taken: dict[str, set[str]] = {}  # article id -> originals its comments copy
    out: dict[tuple[int, int], str] = {}
    for order, carried in sorted(members, key=lambda m: m[0]):
        mine = taken.setdefault(carried.article_id, set())
        found = original_of(originals, carried, mine)
        if found is None:
            originals.append(carried)
        else:
            mine.add(found.comment_id)
            out[order] = found.comment_id
    return out


def mark_copy(comment: Comment, original_id: str) -> None:
    comment.status = COPY
    comment.copy_of = original_id


class CopyStore(Protocol):
    """Where a `CopyIndex` keeps the originals it has seen, per identity, in run order."""

    def originals(self, key: str) -> Sequence[Carried]: ...

    def add(self, key: str, carried: Carried) -> None: ...


class MemoryCopyStore:
    def __init__(self) -> None:
        self._seen: dict[str, list[Carried]] = {}

    def originals(self, key: str) -> Sequence[Carried]:
        return self._seen.get(key, ())

    def add(self, key: str, carried: Carried) -> None:
        self._seen.setdefault(key, []).append(carried)


class CopyIndex:
    """Applies the copy rule to a run's articles fed in run order."""

    def __init__(self, store: CopyStore | None = None) -> None:
        self.store: CopyStore = store if store is not None else MemoryCopyStore()

    def mark(self, article: Article) -> int:
        """Mark the article's copies of comments read earlier in the run; how many it holds."""
        taken: set[str] = set()
        for comment in article.comments:
            key = copy_key(article, comment)
            if key is None:
                continue
            carried = Carried(article.article_id, comment.comment_id, comment.timestamp)
            original = original_of(self.store.originals(key), carried, taken)
            if original is None:
                self.store.add(key, carried)
            else:
                mark_copy(comment, original.comment_id)
                taken.add(original.comment_id)
        return len(taken)
