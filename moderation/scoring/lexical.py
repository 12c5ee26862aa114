"""Off-the-shelf lexical scorers whose weights ship inside their PyPI packages.

- `ProfanityCheckScorer`: alt-profanity-check (calibrated linear SVMs over TF-IDF word
  counts, trained on offensive-language data), read by `scoring/profanity.py` without
  importing scikit-learn. Mostly catches swearing: a signal, not a toxicity model.
  It reads the text without identity terms (`scoring/identity.py`): "I am a gay person." is
  not profanity.
- `VaderScorer`: VADER's rule-based sentiment, mapped to a negative/neutral/positive distribution
  (computed by `scoring/vader.py`: VADER's rules in linear time, the same scores).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from moderation.scoring.base import ModelInfo, TextBatch, package_version, sha256_file
from moderation.scoring.identity import without_identity_terms
from moderation.scoring.profanity import FILES, data_dir, model


class ProfanityCheckScorer:
    """alt-profanity-check's probability that a text is offensive, reported as `profanity`."""

    name = "profanity-check"
    produces: tuple[str, ...] = ("profanity",)

    def info(self) -> list[ModelInfo]:
        data = data_dir()
        weights = "+".join(sha256_file(data / f)[:16] for f in FILES)
        return [
            ModelInfo(
                name="alt-profanity-check",
                version=package_version("alt-profanity-check"),
                source="pypi:alt-profanity-check",
                weights_sha256=weights,
                produces=self.produces,
            )
        ]

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        return {"profanity": self.logits_to_prob(batch)}

    def logits_to_prob(self, batch: TextBatch) -> np.ndarray:
        if len(batch) == 0:
            return np.zeros(0, dtype=np.float64)
        return batch.feature(
            "profanity-check",
            lambda: np.asarray(
                model().predict_prob([without_identity_terms(t) for t in batch.texts]), dtype=np.float64
            ),
        )


class VaderScorer:
    """VADER compound score c in [-1, 1] mapped to (negative, neutral, positive).

    negative = max(-c, 0), positive = max(c, 0), neutral = 1 - |c|: a strongly worded text
    moves mass off neutral in proportion to its compound score.
    """

    name = "vader"
    produces: tuple[str, ...] = ("sentiment",)

    def info(self) -> list[ModelInfo]:
        import vaderSentiment

        lexicon = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
        return [
            ModelInfo(
                name="vaderSentiment",
                version=package_version("vaderSentiment"),
                source="pypi:vaderSentiment",
                weights_sha256=sha256_file(lexicon),
                produces=self.produces,
            )
        ]

    def compound(self, batch: TextBatch) -> np.ndarray:
        from moderation.scoring import vader

        return batch.feature(
            "vader-compound",
            lambda: np.asarray(vader.compound(list(batch.texts)), dtype=np.float64),
        )

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        c = self.compound(batch)
        dist = np.stack([np.maximum(-c, 0.0), 1.0 - np.abs(c), np.maximum(c, 0.0)], axis=1)
        return {"sentiment": dist.reshape(len(batch), 3)}
