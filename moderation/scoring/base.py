"""The scorer interface.

A scorer turns a batch of texts into arrays of scores and mutates nothing else:

    outputs = scorer.predict(batch)   # {"profanity": (n,), "sentiment": (n, 3), ...}

Keys are names from `moderation.schema`: a toxicity attribute maps to a float array of
shape (n,), a group ("sentiment", "stance") to an array of shape (n, k) whose columns
follow `SCORE_GROUPS[group]`. `TextBatch.feature` memoises expensive shared work (the
encoder pass) so that several heads read one embedding per text.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Provenance of one model: what it is, which version, which weights."""

    name: str
    version: str
    source: str  # e.g. "pypi:alt-profanity-check", "models/toxicity-head", "hub:org/name@rev"
    weights_sha256: str | None = None
    produces: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "weights_sha256": self.weights_sha256,
            "produces": list(self.produces),
        }


@dataclass(slots=True)
class TextBatch:
    """Texts to score, the stance target of each (or None), and a memo of shared features."""

    texts: Sequence[str]
    targets: Sequence[str | None] | None = None
    _features: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.targets is not None and len(self.targets) != len(self.texts):
            raise ValueError(f"{len(self.texts)} texts but {len(self.targets)} targets")

    def __len__(self) -> int:
        return len(self.texts)

    def target_list(self) -> list[str | None]:
        return list(self.targets) if self.targets is not None else [None] * len(self.texts)

    def rows_with_target(self) -> list[int]:
        """Indices of the texts that have a non-blank stance target."""
        return [i for i, t in enumerate(self.target_list()) if t is not None and t.strip()]

    def feature(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute a shared feature once per batch (e.g. the encoder's embeddings)."""
        if key not in self._features:
            self._features[key] = compute()
        return self._features[key]


@runtime_checkable
class Scorer(Protocol):
    """Anything with a name, the score keys it produces, its provenance and `predict`."""

    name: str
    produces: tuple[str, ...]

    def info(self) -> list[ModelInfo]: ...

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]: ...


def sha256_file(path: str | Path) -> str:
    """The file's SHA-256, computed once per process while its size and mtime stay the same
    (every run's cache key and provenance name the weights of every head and encoder)."""
    stat = os.stat(path)
    return _sha256_of(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def package_version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"
