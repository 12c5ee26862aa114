"""Train `models/toxicity-minilm`: toxicity head + stacker, and the attribute heads.

Toxicity: logistic head on frozen MiniLM embeddings over a source-balanced mix (Civil
Comments majority vote, OLID, Davidson, optionally part of UCC), classes balanced within
each source; then a 3-feature logistic stacker over [head logit, alt-profanity-check logit,
VADER compound] fitted on out-of-fold head logits. Attributes: heads on Civil Comments only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.evaluate import roc_auc
from moderation.scoring.encoder import SentenceEncoder
from moderation.scoring.heads import logit
from moderation.training import data
from moderation.training.embed import embed_cached
from moderation.training.fit import SEED, balanced_weights, fit_logistic, linear_arrays, oof_scores

# Attribute label = annotator share >= threshold, from Civil Comments raw span types.
ATTRIBUTE_LABELS: dict[str, tuple[str, float]] = {
    "insult": ("insult", 0.5),
    "identity_attack": ("identity_attack", 1 / 3),
    "threat": ("threat", 1 / 3),
    "severe_toxicity": ("severe", 0.5),  # proxy, see data.civil_comments
}


@dataclass
class ToxicityResult:
    arrays: dict[str, np.ndarray]
    metrics: dict[str, float]
    counts: dict[str, int]
    holdout_csv: Path | None


def lexical_features(texts: list[str]) -> np.ndarray:
    """[alt-profanity-check logit, VADER compound] per text."""
    import profanity_check
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    prof = logit(np.asarray(profanity_check.predict_prob(texts), dtype=np.float64))
    comp = np.asarray([vader.polarity_scores(t)["compound"] for t in texts], dtype=np.float64)
    return np.stack([prof, comp], axis=1)


def split_ucc(ucc: data.LabelledSet, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of UCC rows: (train indices, held-out indices)."""
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(ucc.texts))
    cut = round(fraction * len(order))
    return np.sort(order[:cut]), np.sort(order[cut:])


def write_holdout(ucc: data.LabelledSet, rows: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["comment", "hostile", "unhealthy"])
        for i in rows:
            writer.writerow([ucc.texts[i], int(ucc.labels["hostile"][i]), int(ucc.labels["unhealthy"][i])])
    return path


def train(
    data_dir: Path,
    encoder: SentenceEncoder,
    ucc_fraction: float = 0.5,
    holdout_dir: Path | None = None,
    civil_limit: int = 5000,
    tweet_limit: int = 2500,
) -> ToxicityResult:
    civil = data.civil_comments(data_dir, civil_limit)
    parts = [civil, data.olid(data_dir, tweet_limit), data.davidson(data_dir, tweet_limit)]
    ucc = data.ucc(data_dir)
    ucc_train, ucc_hold = split_ucc(ucc, ucc_fraction)
    texts: list[str] = []
    y_list: list[np.ndarray] = []
    source: list[str] = []
    for part in parts:
        texts += part.texts
        y_list.append(part.labels["toxic"])
        source += part.source
    if len(ucc_train):
        texts += [ucc.texts[i] for i in ucc_train]
        hostile = np.maximum(ucc.labels["hostile"][ucc_train], 0)
        y_list.append(hostile)
        source += ["ucc"] * len(ucc_train)
    y = np.concatenate(y_list).astype(int)
    x = embed_cached(texts, encoder)
    w = balanced_weights(y, source)
    strata = np.asarray([f"{s}:{v}" for s, v in zip(source, y, strict=True)])
    z_oof = oof_scores(x, y, w, strata)
    lex = lexical_features(texts)
    stack_x = np.column_stack([z_oof, lex])
    stacker = fit_logistic(stack_x, y, w)
    head = fit_logistic(x, y, w)
    arrays = {**linear_arrays("toxicity", head), **linear_arrays("stack", stacker)}
    metrics: dict[str, float] = {}
    for name in sorted(set(source)):
        m = np.asarray(source) == name
        metrics[f"oof_auc_head_{name}"] = roc_auc(y[m], z_oof[m])
        metrics[f"oof_auc_stacked_{name}"] = roc_auc(y[m], stacker.decision_function(stack_x[m]))
    # Attribute heads: Civil Comments labels, plus every non-toxic text of the other sources
    # as a negative (Civil Comments alone holds almost no benign text). 5-fold out-of-fold AUC.
    n_civil = len(civil.texts)
    clean = np.flatnonzero((np.arange(len(y)) >= n_civil) & (y == 0))
    xc = np.vstack([x[:n_civil], x[clean]])
    for attr, (col, thr) in ATTRIBUTE_LABELS.items():
        ya = np.concatenate([(civil.labels[col] >= thr).astype(int), np.zeros(len(clean), dtype=int)])
        wa = balanced_weights(ya)
        metrics[f"oof_auc_{attr}_civil_plus_clean"] = roc_auc(ya, oof_scores(xc, ya, wa, ya))
        metrics[f"positives_{attr}_civil"] = float(ya.sum())
        arrays.update(linear_arrays(attr, fit_logistic(xc, ya, wa)))
    counts = {name: int(sum(1 for s in source if s == name)) for name in sorted(set(source))}
    holdout = write_holdout(ucc, ucc_hold, holdout_dir / "ucc_holdout.csv") if holdout_dir and len(ucc_hold) else None
    return ToxicityResult(arrays, metrics, counts, holdout)
