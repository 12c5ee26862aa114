"""Train `models/sentiment-minilm` and compare it with VADER by 5-fold cross-validation.

Data: tweeteval sentiment validation (2,000 tweets). Every text is predicted once by a model
that did not see it: the head (balanced logistic regression on MiniLM embeddings), VADER as
the `vader` scorer maps it, and VADER with neutral-band thresholds fitted on the training folds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.evaluate import macro_f1, per_class
from moderation.scoring.encoder import SentenceEncoder
from moderation.training import data
from moderation.training.embed import embed_cached
from moderation.training.fit import SEED, balanced_weights, fit_logistic, linear_arrays

CLASSES = ("negative", "neutral", "positive")


@dataclass
class SentimentResult:
    arrays: dict[str, np.ndarray]
    metrics: dict[str, float]
    n: int


def vader_compound(texts: list[str]) -> np.ndarray:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    return np.asarray([vader.polarity_scores(t)["compound"] for t in texts], dtype=np.float64)


def band_predict(compound: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.where(compound <= low, 0, np.where(compound >= high, 2, 1))


def fit_band(compound: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Neutral band (low, high) on the compound score maximising macro-F1 on training rows."""
    grid = np.round(np.arange(-0.9, 0.91, 0.05), 2)
    best = (-1.0, (-0.5, 0.5))
    for low in grid:
        for high in grid[grid > low]:
            f1 = _f1(y, band_predict(compound, low, high))
            best = max(best, (f1, (float(low), float(high))))
    return best[1]


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    return macro_f1(per_class([CLASSES[i] for i in y], [CLASSES[i] for i in pred], CLASSES))


def train(data_dir: Path, encoder: SentenceEncoder, folds: int = 5) -> SentimentResult:
    from sklearn.model_selection import StratifiedKFold

    s = data.sentiment(data_dir)
    y = s.labels["label"]
    x = embed_cached(s.texts, encoder)
    comp = vader_compound(s.texts)
    head_pred = np.zeros(len(y), dtype=int)
    band_pred = np.zeros(len(y), dtype=int)
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, y):
        head = fit_logistic(x[tr], y[tr], balanced_weights(y[tr]))
        head_pred[te] = head.predict(x[te])
        band_pred[te] = band_predict(comp[te], *fit_band(comp[tr], y[tr]))
    # The `vader` scorer's own mapping: argmax of (max(-c,0), 1-|c|, max(c,0)).
    vader_pred = np.stack([np.maximum(-comp, 0), 1 - np.abs(comp), np.maximum(comp, 0)], axis=1).argmax(axis=1)
    metrics = {
        "cv_macro_f1_head": _f1(y, head_pred),
        "cv_macro_f1_vader_scorer": _f1(y, vader_pred),
        "cv_macro_f1_vader_fitted_band": _f1(y, band_pred),
        "full_band_low": fit_band(comp, y)[0],
        "full_band_high": fit_band(comp, y)[1],
    }
    head = fit_logistic(x, y, balanced_weights(y))
    return SentimentResult(linear_arrays("sentiment", head), metrics, len(y))
