"""A scores cache in SQLite, so a re-run after an interruption skips work already done.

Key: sha256 over the scores fingerprint, the text and the stance target. The fingerprint
(`scores_fingerprint`) covers everything besides the text that can change a score: the
package version, a digest of the scoring code, every model's name, version, source and
weights hash (from `pipeline.info()`), and the preset's scoring content (each scorer with
its options such as `max_tokens`, `batch_size`, any other table except the thresholds and
flags, which act on scores after they are made). Change any of them and old entries are
simply never found again. Value: the serialized `Scores` (attributes, groups, spans).
Scores that carry an error are never stored, so a failed text is tried again next run.

A cache file that SQLite cannot read, that fails `PRAGMA quick_check`, or whose table has
another shape is moved aside (`NAME.corrupt`, never deleted) and a new one is started;
`ScoresCache.notice` says so in one line. An entry that cannot be decoded is scored again.

Writes are buffered and committed by `commit()`; the streaming runner commits once per
chunk, after that chunk's rows are written, so a killed run loses at most one chunk.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from moderation import __version__
from moderation.config import Preset
from moderation.errors import CacheError
from moderation.schema import Scores, TextSpan
from moderation.scoring.base import ModelInfo

_SCHEMA = "CREATE TABLE IF NOT EXISTS scores (key BLOB PRIMARY KEY, scores TEXT NOT NULL)"
_COLUMNS = [("key", "BLOB"), ("scores", "TEXT")]
_SCORING_DIR = Path(__file__).resolve().parent / "scoring"
# Preset keys that act on scores after they are made, or only name the preset.
_NOT_SCORING = frozenset({"name", "description", "thresholds", "flags"})


@cache
def scoring_code_digest() -> str:
    """sha256 over the scoring package's source files (an edited scorer is a new scorer)."""
    digest = hashlib.sha256()
    for path in sorted(_SCORING_DIR.glob("*.py")):
        digest.update(path.name.encode("utf-8") + b"\x00" + path.read_bytes() + b"\x00")
    return digest.hexdigest()


def preset_scoring_content(preset: Preset) -> dict[str, Any]:
    """The part of a preset that can change a score: scorers with their options, batch size,
    and any other table (e.g. an encoder table) except thresholds and flags."""
    content = {k: v for k, v in preset.raw.items() if k not in _NOT_SCORING}
    content["scorers"] = [{"name": s.name, **s.options} for s in preset.scorers]
    content["batch_size"] = preset.batch_size
    return content


def scores_fingerprint(preset: Preset, models: Sequence[ModelInfo], version: str = __version__) -> str:
    """What the scores of a text depend on besides the text (see the module docstring)."""
    parts = [
        f"moderate {version}",
        f"scoring code {scoring_code_digest()}",
        "preset " + json.dumps(preset_scoring_content(preset), sort_keys=True, default=str),
    ]
    parts += [f"{m.name}|{m.version}|{m.source}|{m.weights_sha256}|{','.join(m.produces)}" for m in models]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def scores_key(fingerprint: str, text: str, target: str | None) -> bytes:
    digest = hashlib.sha256(fingerprint.encode("ascii"))
    digest.update(b"\x00text\x00" + text.encode("utf-8", "surrogatepass"))
    if target is not None:
        digest.update(b"\x00target\x00" + target.encode("utf-8", "surrogatepass"))
    return digest.digest()


def scores_to_json(scores: Scores) -> str:
    return json.dumps(
        {
            "a": scores.attributes,
            "g": scores.groups,
            "s": {k: [v.start, v.end] for k, v in scores.spans.items()},
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def scores_from_json(raw: str) -> Scores:
    data: dict[str, Any] = json.loads(raw)
    return Scores(
        attributes={k: float(v) for k, v in data["a"].items()},
        groups={g: {c: float(v) for c, v in dist.items()} for g, dist in data["g"].items()},
        spans={k: TextSpan(int(v[0]), int(v[1])) for k, v in data.get("s", {}).items()},
    )


class ScoresCache:
    """Scores per (scores fingerprint, text, target), in one SQLite file.

    `notice` is one line when the file found at `path` was unusable and a new one was
    started (the old file is kept beside it as `NAME.corrupt`); None otherwise.
    """

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.notice: str | None = None
        self.undecodable = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create the scores cache folder {path.parent}: {exc.strerror or exc}") from None
        if path.exists() and not path.is_file():
            raise CacheError(f"scores cache {path} is not a file")
        try:
            self._db = _open(path)
        except sqlite3.OperationalError as exc:  # locked, read-only, no permission: not corruption
            raise CacheError(f"cannot open the scores cache {path}: {exc}") from None
        except sqlite3.DatabaseError as exc:  # not a database, malformed, failed check, foreign table
            aside = _move_aside(path)
            self.notice = f"scores cache was unusable ({exc}); kept it as {aside.name} and started a new one"
            try:
                self._db = _open(path)
            except sqlite3.DatabaseError as again:
                raise CacheError(f"cannot create the scores cache {path}: {again}") from None
        self._pending: dict[bytes, str] = {}

    @classmethod
    def reader(cls, path: Path, fingerprint: str) -> ScoresCache:
        """The cache at `path`, opened read-only (a scoring worker beside the run that owns it:
        SQLite's WAL mode lets it read while the run writes). What it scores stays pending here
        until the run takes it (`take_pending`) and commits it with the chunk's rows."""
        cache = cls.__new__(cls)
        cache.path, cache.fingerprint, cache.notice, cache.undecodable = path, fingerprint, None, 0
        cache._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        cache._pending = {}
        return cache

    def take_pending(self) -> dict[bytes, str]:
        """The entries added since the last call, handed over (and forgotten here)."""
        pending, self._pending = self._pending, {}
        return pending

    def add_pending(self, entries: dict[bytes, str]) -> None:
        """Entries a worker scored (see `reader`): committed with the next `commit`."""
        self._pending.update(entries)

    def get_many(self, texts: Sequence[str], targets: Sequence[str | None]) -> list[Scores | None]:
        keys = [scores_key(self.fingerprint, t, g) for t, g in zip(texts, targets, strict=True)]
        found: dict[bytes, str] = {}
        unique = list(dict.fromkeys(k for k in keys if k not in self._pending))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            for key, raw in self._db.execute(f"SELECT key, scores FROM scores WHERE key IN ({marks})", part):
                found[bytes(key)] = raw
        out: list[Scores | None] = []
        for key in keys:
            raw = self._pending.get(key) or found.get(key)
            out.append(self._decode(raw) if raw is not None else None)
        return out

    def _decode(self, raw: str) -> Scores | None:
        try:
            return scores_from_json(raw)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            self.undecodable += 1  # scored again, and the entry replaced
            return None

    def put_many(self, texts: Sequence[str], targets: Sequence[str | None], scores: Sequence[Scores]) -> None:
        for text, target, s in zip(texts, targets, scores, strict=True):
            if s.error is None:
                self._pending[scores_key(self.fingerprint, text, target)] = scores_to_json(s)

    def commit(self) -> None:
        if not self._pending:
            return
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO scores (key, scores) VALUES (?, ?)", self._pending.items())
        self._db.execute("COMMIT")
        self._pending.clear()

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM scores").fetchone()[0])

    def close(self) -> None:
        self._db.close()


def _open(path: Path) -> sqlite3.Connection:
    """Connect, check the file is a sound SQLite database with our table, or raise."""
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        check = db.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise sqlite3.DatabaseError(f"integrity check failed: {check[0][0]}")
        db.execute(_SCHEMA)
        columns = [(row[1], row[2].upper()) for row in db.execute("PRAGMA table_info(scores)")]
        if columns != _COLUMNS:
            raise sqlite3.DatabaseError("its scores table has another layout")
    except BaseException:
        db.close()
        raise
    return db


def _move_aside(path: Path) -> Path:
    """Rename an unusable cache file (and its WAL/SHM side files) to NAME.corrupt."""
    aside = path.with_name(path.name + ".corrupt")
    for suffix in ("", "-wal", "-shm"):
        src = path.with_name(path.name + suffix)
        if src.exists():
            os.replace(src, aside.with_name(aside.name + suffix))
    return aside


class CachedPipeline:
    """A `ScoringPipeline` in front of a `ScoresCache`: cached texts are not scored again.

    Same `score(texts, targets, progress)` call as the pipeline it wraps; every other
    attribute (info, produces, missing, batch_size, ...) is the wrapped pipeline's.
    `from_cache` and `scored_fresh` count texts (with repeats) served each way.
    """

    def __init__(self, pipeline: Any, cache: ScoresCache) -> None:
        self.inner = pipeline
        self.cache = cache
        self.from_cache = 0
        self.scored_fresh = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def score(
        self,
        texts: Sequence[str],
        targets: Sequence[str | None] | None = None,
        progress: Any = None,
    ) -> list[Scores]:
        target_list: list[str | None] = list(targets) if targets is not None else [None] * len(texts)
        found = self.cache.get_many(texts, target_list)
        todo = [i for i, s in enumerate(found) if s is None]
        if todo:
            fresh = self.inner.score([texts[i] for i in todo], [target_list[i] for i in todo], progress=progress)
            self.cache.put_many([texts[i] for i in todo], [target_list[i] for i in todo], fresh)
            for i, s in zip(todo, fresh, strict=True):
                found[i] = s
        elif progress is not None:
            progress(len(texts), len(texts))
        self.from_cache += len(texts) - len(todo)
        self.scored_fresh += len(todo)
        return [s for s in found if s is not None]
