"""Fitting helpers shared by the trainers: weighted logistic regression and artefact output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from moderation.config import EncoderSpec

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


def head_config(
    encoder: EncoderSpec, version: str, labels: dict[str, Any], features: dict[str, bool], data_sha256: str
) -> dict[str, Any]:
    """The config.json a head ships with (read by moderation.scoring.heads.HeadArtefact)."""
    return {
        "version": version,
        "trained": today(),
        "encoder": {"model": encoder.model, "max_tokens": encoder.max_tokens, "pooling": encoder.pooling},
        "labels": labels,
        "features": features,
        "training_data_sha256": data_sha256,
    }


def write_artefact(out_dir: Path, arrays: dict[str, np.ndarray], config: dict[str, Any]) -> Path:
    """head.npz and config.json into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "head.npz"
    payload: dict[str, Any] = {"version": np.asarray(config["version"]), **arrays}
    np.savez_compressed(path, **payload)
    (out_dir / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
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
