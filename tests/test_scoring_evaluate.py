"""Metric functions of `moderate eval`."""

from __future__ import annotations

import numpy as np

from moderation.evaluate import binary_report, macro_f1, multiclass_report, per_class, reliability, roc_auc


def test_roc_auc_matches_sklearn_with_ties() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.random(300) + 0.3 * y, 1)  # many ties
    assert abs(roc_auc(y, s) - roc_auc_score(y, s)) < 1e-12
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert np.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_per_class_and_macro_f1() -> None:
    stats = per_class(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    a, b = stats
    assert (a.precision, a.recall) == (1.0, 0.5)
    assert (round(b.precision, 3), b.recall) == (0.667, 1.0)
    assert abs(macro_f1(stats) - (2 / 3 + 0.8) / 2) < 1e-12


def test_reliability_buckets() -> None:
    rows = reliability([0, 1, 1, 0], [0.05, 0.95, 0.91, 1.0])
    assert [(r.low, r.n) for r in rows] == [(0.0, 1), (0.9, 3)]
    assert abs(rows[1].observed - 2 / 3) < 1e-12


def test_reports_format() -> None:
    text = binary_report(
        [0, 1, 1], [0.2, 0.7, 0.4], task="toxicity", preset="x", score="toxicity", n_skipped=0
    ).format()
    assert "ROC AUC   1.000" in text and "reliability" in text
    dists = np.asarray([[0.8, 0.1, 0.1], [0.1, 0.2, 0.7]])
    rep = multiclass_report(
        ["negative", "neutral"],
        dists,
        ("negative", "neutral", "positive"),
        task="sentiment",
        preset="x",
        score="sentiment",
        n_skipped=0,
    )
    assert rep.macro_f1 == (1.0 + 0.0 + 0.0) / 3 and rep.roc_auc is None
