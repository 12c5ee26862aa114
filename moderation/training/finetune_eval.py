"""Held-out metrics for `finetune.py`: ROC AUC, macro-F1, and the evaluation of every split.

Standalone like `finetune.py` (numpy and pandas only, nothing from `moderation`); `bundle` copies
both files into the folder that travels to the GPU machine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BINARY = ("toxicity", "insult", "identity_attack", "threat", "severe_toxicity")
STANCES = ("support", "deny", "query", "comment")
UCC_THRESHOLDS = {"toxicity": 0.6, "insult": 0.8, "identity_attack": 0.8, "threat": 0.8, "severe_toxicity": 0.9}


def roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    y = np.asarray(y, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def macro_f1(y: np.ndarray, pred: np.ndarray, classes: list[int]) -> float:
    f1s = []
    for c in classes:
        tp = int(((pred == c) & (y == c)).sum())
        p = tp / max(1, int((pred == c).sum()))
        r = tp / max(1, int((y == c).sum()))
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(f1s))


def score_arrays(arrays: dict[str, np.ndarray], prefix: str, x: np.ndarray, t: np.ndarray | None) -> dict:
    def lin(key: str, feats: np.ndarray) -> np.ndarray:
        return feats @ arrays[f"{prefix}{key}_coef"].T + arrays[f"{prefix}{key}_intercept"]

    out = {k: 1 / (1 + np.exp(-lin(k, x).reshape(-1))) for k in BINARY if f"{prefix}{k}_coef" in arrays}
    if f"{prefix}sentiment_coef" in arrays:
        out["sentiment"] = lin("sentiment", x)
    if t is not None and f"{prefix}stance_coef" in arrays and arrays[f"{prefix}stance_coef"].shape[1] == 3 * x.shape[1]:
        out["stance"] = lin("stance", np.hstack([x, x * t, np.abs(x - t)]))
    return out


def evaluate(name: str, df: pd.DataFrame, scores: dict) -> dict[str, float]:
    m: dict[str, float] = {"n": len(df)}
    if name == "ucc_holdout":
        for label in ("hostile", "unhealthy"):
            y = df[label].to_numpy() > 0
            for k in BINARY:
                if k in scores:
                    m[f"auc_{k}_vs_{label}"] = roc_auc(y, scores[k])
        for k, thr in UCC_THRESHOLDS.items():
            if k in scores:
                m[f"share_{k}_over_{thr}"] = float((scores[k] >= thr).mean())
    for k in BINARY:
        if k in scores and df[k].notna().any() and name != "ucc_holdout":
            y = df[k].to_numpy()
            ok = ~np.isnan(y)
            m[f"auc_{k}"] = roc_auc(y[ok] > 0, scores[k][ok])
    if "sentiment" in scores and (df["sentiment"] >= 0).any():
        m["macro_f1_sentiment"] = macro_f1(df["sentiment"].to_numpy(), scores["sentiment"].argmax(1), [0, 1, 2])
    if "stance" in scores and (df["stance"] >= 0).any():
        y, logits = df["stance"].to_numpy(), scores["stance"]
        if name.startswith("vast"):  # 3 classes: query folds into comment (neutral)
            q, c = STANCES.index("query"), STANCES.index("comment")
            logits = logits.copy()
            logits[:, c] = np.logaddexp(logits[:, c], logits[:, q])
            logits[:, q] = -np.inf
            m["macro_f1_stance"] = macro_f1(y, logits.argmax(1), [0, 1, 3])
        else:
            m["macro_f1_stance"] = macro_f1(y, logits.argmax(1), [0, 1, 2, 3])
    return m
