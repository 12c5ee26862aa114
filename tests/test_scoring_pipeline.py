"""Pipeline storage rules: NaN rows leave a group out, spans land in Scores.spans."""

from __future__ import annotations

import numpy as np

from moderation.schema import TextSpan
from moderation.scoring.base import ModelInfo, TextBatch
from moderation.scoring.pipeline import ScoringPipeline


class FakeStance:
    name = "fake"
    produces: tuple[str, ...] = ("stance", "toxicity")

    def info(self) -> list[ModelInfo]:
        return []

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        rows = [[0.1, 0.2, 0.3, 0.4] if t is not None else [np.nan] * 4 for t in batch.target_list()]
        return {
            "stance": np.asarray(rows),
            "toxicity": np.asarray([len(t) / 100 for t in batch.texts]),
            "span:toxicity": np.asarray([[0, len(t)] for t in batch.texts]),
        }


def test_nan_stance_rows_are_omitted_and_spans_stored() -> None:
    out = ScoringPipeline([FakeStance()]).score(["with target", "without"], ["claim", None])
    assert out[0].groups["stance"]["comment"] == 0.4
    assert "stance" not in out[1].groups
    assert out[1].spans["toxicity"] == TextSpan(0, 7)
