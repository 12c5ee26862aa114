"""A scores cache in SQLite, so a re-run after an interruption skips work already done.

Key: sha256 over the model fingerprint (preset name and every model's name, version and
weights hash, from `pipeline.info()`), the text and the stance target. Value: the
serialized `Scores` (attributes, groups, spans). Scores that carry an error are never
stored, so a failed text is tried again on the next run.

Writes are buffered and committed by `commit()`; the streaming runner commits once per
chunk, after that chunk's rows are written, so a killed run loses at most one chunk.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from moderation.schema import Scores, TextSpan
from moderation.scoring.base import ModelInfo

_SCHEMA = "CREATE TABLE IF NOT EXISTS scores (key BLOB PRIMARY KEY, scores TEXT NOT NULL)"


def model_fingerprint(preset: str, models: Sequence[ModelInfo]) -> str:
    """What the scores of a text depend on besides the text: preset and model identities."""
    parts = [preset] + [f"{m.name}|{m.version}|{m.source}|{m.weights_sha256}|{','.join(m.produces)}" for m in models]
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
    """Scores per (model fingerprint, text, target), in one SQLite file."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fingerprint = fingerprint
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._pending: dict[bytes, str] = {}

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
            out.append(scores_from_json(raw) if raw is not None else None)
        return out

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
