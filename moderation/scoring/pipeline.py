"""Run a set of scorers over many texts: identical inputs once, length-sorted batches.

The result for a text does not depend on batch size or order (up to float noise far below
the 6 decimals kept): batches are formed over the unique (text, target) pairs sorted by
length, and each scorer sees plain lists.

Scorer outputs besides score keys: `span:<attribute>` -> (n, 2) int character spans (start,
end; -1 for none) stored in `Scores.spans`. A group row that is all NaN means "not scored"
(e.g. stance without a target) and the group is left out of that text's `Scores`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from moderation.config import Preset
from moderation.errors import ConfigError
from moderation.schema import SCORE_GROUPS, TOXICITY_ATTRIBUTES, Scores, TextSpan
from moderation.scoring.base import ModelInfo, Scorer, TextBatch

BatchProgress = Callable[[int, int], None]  # (unique texts done, unique texts in all); runs report `run.Progress`
_WARM_UP = "Loading the models."  # scored once by `load`


class ScoringPipeline:
    """Scorers that together produce each score key at most once."""

    def __init__(self, scorers: Sequence[Scorer], batch_size: int = 64) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        owners: dict[str, str] = {}
        for scorer in scorers:
            for key in scorer.produces:
                if key not in TOXICITY_ATTRIBUTES and key not in SCORE_GROUPS:
                    raise ConfigError(f"scorer {scorer.name!r} produces unknown score {key!r}")
                if key in owners:
                    raise ConfigError(f"score {key!r} produced by both {owners[key]!r} and {scorer.name!r}")
                owners[key] = scorer.name
        self.scorers = list(scorers)
        self.batch_size = batch_size
        self.owners = owners
        self.loaded = False

    @property
    def produces(self) -> tuple[str, ...]:
        return tuple(self.owners)

    def missing(self) -> list[str]:
        """Contract scores this pipeline does not produce."""
        return [k for k in (*TOXICITY_ATTRIBUTES, *SCORE_GROUPS) if k not in self.owners]

    def load(self) -> None:
        """Load every scorer's models now (they load lazily on first use otherwise): one short
        text with a stance target goes through every scorer, which also pays the first call's
        one-off costs. Results are unaffected; nothing is cached. Once is enough per pipeline."""
        if not self.loaded:
            self._score_batch(TextBatch([_WARM_UP], [_WARM_UP]))
            self.loaded = True

    def info(self) -> list[ModelInfo]:
        return [info for scorer in self.scorers for info in scorer.info()]

    def score(
        self,
        texts: Sequence[str],
        targets: Sequence[str | None] | None = None,
        progress: BatchProgress | None = None,
    ) -> list[Scores]:
        """Scores for every text, in input order."""
        target_list: list[str | None] = list(targets) if targets is not None else [None] * len(texts)
        if len(target_list) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(target_list)} targets")
        unique: dict[tuple[str, str | None], int] = {}
        index = [unique.setdefault((t, g), len(unique)) for t, g in zip(texts, target_list, strict=True)]
        keys = list(unique)
        order = sorted(range(len(keys)), key=lambda i: (len(keys[i][0]), i))
        results: list[Scores | None] = [None] * len(keys)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            batch = TextBatch([keys[i][0] for i in chunk], [keys[i][1] for i in chunk])
            for i, scores in zip(chunk, self._score_batch_or_each(batch), strict=True):
                results[i] = scores
            if progress is not None:
                progress(min(start + self.batch_size, len(order)), len(order))
        return [_copy(results[i]) for i in index]  # type: ignore[arg-type]

    def _score_batch_or_each(self, batch: TextBatch) -> list[Scores]:
        """Score a batch; when a scorer raises on it, score its texts one by one so that only
        the texts that fail get `Scores.error` (a bad text never costs its neighbours)."""
        try:
            return self._score_batch(batch)
        except Exception:  # any scorer failure is isolated, then reported per text
            if len(batch) == 1:
                return [self._score_one(batch.texts[0], batch.target_list()[0])]
        targets = batch.target_list()
        return [self._score_one(text, target) for text, target in zip(batch.texts, targets, strict=True)]

    def _score_one(self, text: str, target: str | None) -> Scores:
        try:
            return self._score_batch(TextBatch([text], [target]))[0]
        except Exception as exc:  # recorded on the comment, never dropped
            return Scores(error=f"{type(exc).__name__}: {exc}"[:500])

    def _score_batch(self, batch: TextBatch) -> list[Scores]:
        n = len(batch)
        out = [Scores() for _ in range(n)]
        for scorer in self.scorers:
            outputs = scorer.predict(batch)
            for key, values in outputs.items():
                _store(out, key, np.asarray(values), scorer.name)
        return out


def _store(out: list[Scores], key: str, values: np.ndarray, scorer: str) -> None:
    n = len(out)
    if key.startswith("span:"):
        if values.shape != (n, 2):
            raise ValueError(f"scorer {scorer!r} returned {key} of shape {values.shape}, want {(n, 2)}")
        for scores, (start, end) in zip(out, values.tolist(), strict=True):
            if start >= 0 and end >= start:
                scores.spans[key.removeprefix("span:")] = TextSpan(int(start), int(end))
        return
    if key in SCORE_GROUPS:
        classes = SCORE_GROUPS[key]
        if values.shape != (n, len(classes)):
            raise ValueError(f"scorer {scorer!r} returned {key} of shape {values.shape}, want {(n, len(classes))}")
        for scores, row in zip(out, values, strict=True):
            if np.isnan(row).all():  # not scored for this text (e.g. stance without a target)
                continue
            scores.groups[key] = {c: _unit(v) for c, v in zip(classes, row, strict=True)}
    else:
        if values.shape != (n,):
            raise ValueError(f"scorer {scorer!r} returned {key} of shape {values.shape}, want {(n,)}")
        for scores, v in zip(out, values, strict=True):
            scores.attributes[key] = _unit(v)


def _unit(value: Any) -> float:
    """A float rounded to 6 places and clipped to [0, 1] (rounding keeps outputs stable)."""
    return round(min(1.0, max(0.0, float(value))), 6)


def _copy(scores: Scores) -> Scores:
    return Scores(
        attributes=dict(scores.attributes),
        groups={k: dict(v) for k, v in scores.groups.items()},
        spans=dict(scores.spans),
        error=scores.error,
    )


def pipeline_from_preset(preset: Preset) -> ScoringPipeline:
    """The scorers a preset names, created through the registry."""
    from moderation.scoring import registry

    scorers = [registry.create(s.name, s.options, encoder=preset.encoder) for s in preset.scorers]
    return ScoringPipeline(scorers, batch_size=preset.batch_size)
