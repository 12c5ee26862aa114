"""Fitting helpers shared by the trainers: weighted logistic regression and artefact output."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import numpy as np

SEED = 13


def balanced_weights(labels: np.ndarray, groups: list[str] | None = None) -> np.ndarray:
    """Weights giving every group equal total mass and, within a group, every class equal mass."""
    groups_arr = np.asarray(groups if groups is not None else ["all"] * len(labels))
    w = np.zeros(len(labels), dtype=np.float64)
    names = sorted(set(groups_arr.tolist()))
    for g in names:
        in_g = groups_arr == g
        classes = np.unique(labels[in_g])
        for c in classes:
            mask = in_g & (labels == c)
            w[mask] = 1.0 / (len(names) * len(classes) * mask.sum())
    return w * len(labels) / w.sum()


def fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, c: float = 1.0) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000, random_state=SEED)
    model.fit(x, y, sample_weight=weights)
    return model


def linear_arrays(key: str, model: Any) -> dict[str, np.ndarray]:
    """`<key>_coef` (k, f) and `<key>_intercept` (k,) as the scorers read them (k=1 for binary)."""
    return {f"{key}_coef": model.coef_.astype(np.float32), f"{key}_intercept": model.intercept_.astype(np.float32)}


def today() -> str:
    return dt.date.today().isoformat()


def write_artefact(out_dir: Path, arrays: dict[str, np.ndarray], version: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "head.npz"
    np.savez_compressed(path, **cast(dict[str, Any], {"version": np.asarray(version), **arrays}))
    return path


def oof_scores(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, strata: np.ndarray, folds: int = 5, c: float = 1.0
) -> np.ndarray:
    """Out-of-fold decision values of a weighted logistic head."""
    from sklearn.model_selection import StratifiedKFold

    out = np.zeros(len(y), dtype=np.float64)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, strata):
        model = fit_logistic(x[train], y[train], w[train], c)
        out[test] = model.decision_function(x[test])
    return out
