"""Train `models/unhealthy-minilm`: the `unhealthy` head of preset default.

A logistic head on the shipped encoder (frozen here) that predicts "not healthy" (UCC
`healthy == 0`: hostile, antagonising, dismissive, condescending, sarcastic or generalising),
fitted on natural news comments: the development half of UCC (`split_ucc(ucc, 0.5)`, first
half) and nothing else; the held-out half is never read. It reads the comment's pooled
embedding (`SentenceEncoder.encode(...).texts`, as the scorer does), with no class weights,
so its output is a probability at the prevalence of Globe and Mail comments (7.6% not
healthy). C is chosen from C_GRID by 5-fold cross-validation on the development half (ROC
AUC, folds stratified on not-healthy x hostile, seed 13).

The severity layer is fitted on the same development half: `cross_fitted` gives each
development comment its out-of-fold score (the fold's head never saw it), which the severity
fit uses in place of the shipped head's in-sample score.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.evaluate import roc_auc
from moderation.scoring.encoder import SentenceEncoder
from moderation.training import data
from moderation.training.embed import texts_digest
from moderation.training.fit import SEED, fit_logistic, linear_arrays
from moderation.training.toxicity import split_ucc

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5


@dataclass
class UnhealthyFit:
    arrays: dict[str, np.ndarray]
    c: float
    cv_auc: dict[float, float]  # C -> out-of-fold AUC (not healthy) on development comments
    oof: np.ndarray  # out-of-fold probabilities at the chosen C, development order
    unhealthy: np.ndarray
    hostile: np.ndarray
    n: int


def development(data_dir: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """UCC development comments, their not-healthy and hostile labels (the severity fit's rows)."""
    ucc = data.ucc(data_dir)
    dev, _ = split_ucc(ucc, 0.5)
    texts = [ucc.texts[i] for i in dev]
    return texts, ucc.labels["unhealthy"][dev] == 1, ucc.labels["hostile"][dev] == 1


def pooled_vectors(texts: list[str], encoder: SentenceEncoder, cache_dir: Path) -> np.ndarray:
    """The scorer's pooled embeddings of `texts`, cached in `cache_dir` by texts and encoder."""
    path = cache_dir / f"pooled-{texts_digest(texts, encoder)}.npy"
    if path.is_file():
        return np.load(path)
    vectors = encoder.encode(texts).texts
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return vectors


def _folds(unhealthy: np.ndarray, hostile: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    strata = unhealthy.astype(int) * 2 + hostile.astype(int)
    return list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(strata)), strata))


def _oof(x: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], c: float) -> np.ndarray:
    out = np.zeros(len(y))
    for train, test in folds:
        out[test] = fit_logistic(x[train], y[train], None, c).predict_proba(x[test])[:, 1]
    return out


def fit(data_dir: Path, encoder: SentenceEncoder, cache_dir: Path) -> UnhealthyFit:
    texts, unhealthy, hostile = development(data_dir)
    x = pooled_vectors(texts, encoder, cache_dir)
    y = unhealthy.astype(int)
    folds = _folds(unhealthy, hostile)
    oofs = {c: _oof(x, y, folds, c) for c in C_GRID}
    cv_auc = {c: roc_auc(y, p) for c, p in oofs.items()}
    best = max(C_GRID, key=lambda c: (cv_auc[c], -c))
    model = fit_logistic(x, y, None, best)
    return UnhealthyFit(linear_arrays("unhealthy", model), best, cv_auc, oofs[best], unhealthy, hostile, len(y))


def cross_fitted(texts: list[str], data_dir: Path, encoder: SentenceEncoder, c: float, cache_dir: Path) -> np.ndarray:
    """Out-of-fold `unhealthy` of the development comments `texts` (in that order), with the
    shipped head's C: what the severity fit reads instead of the head's in-sample scores."""
    dev_texts, unhealthy, hostile = development(data_dir)
    if texts != dev_texts:
        raise ValueError("cross_fitted expects the UCC development comments, in order")
    x = pooled_vectors(texts, encoder, cache_dir)
    return _oof(x, unhealthy.astype(int), _folds(unhealthy, hostile), c)


VERSION = "0.1.0"
NAME = "unhealthy-minilm"


def save(result: UnhealthyFit, out_dir: Path, encoder_model: str, max_tokens: int, heldout: str) -> Path:
    """head.npz, config.json and MODEL_CARD.md in `out_dir` (`heldout`: the card's held-out section)."""
    import json

    from moderation.config import EncoderSpec
    from moderation.scoring.base import sha256_file
    from moderation.training.fit import head_config, write_artefact

    spec = EncoderSpec(model=encoder_model, max_tokens=max_tokens)
    digest = hashlib.sha256(json.dumps([result.n, result.unhealthy.astype(int).tolist()]).encode()).hexdigest()
    config = head_config(spec, VERSION, {"attributes": ["unhealthy"]}, {}, digest)
    config["training"] = {"data": "UCC val split, development half (split_ucc(ucc, 0.5)[0])", "rows": result.n,
                          "C": result.c, "class_weight": None}  # fmt: skip
    path = write_artefact(out_dir, result.arrays, config)
    grid = "\n".join(f"| {c:g} | {auc:.3f} |" for c, auc in result.cv_auc.items())
    oof_un = roc_auc(result.unhealthy.astype(int), result.oof)
    oof_ho = roc_auc(result.hostile.astype(int), result.oof)
    card = f"""# {NAME}

The `unhealthy` score of preset `default`: the probability that news-comment annotators would
call a comment not healthy (hostile, antagonising, dismissive, condescending, sarcastic or
generalising: the labels of the Unhealthy Comments Corpus). A logistic head (384 weights) on the
comment's pooled `{encoder_model}` embedding, fitted on natural Globe and Mail comments.
It flags nothing on its own (no threshold in the preset); the severity layer ranks on it
(models/severity-default/MODEL_CARD.md) and the report shows it as evidence.

- Version {VERSION}, trained {config["trained"]} by `moderate train unhealthy` (reproduce with the
  same command; scores the development half with the shipped encoder, about 3 CPU-minutes).
- Data: Unhealthy Comments Corpus val split (github.com/conversationai/unhealthy-conversations),
  development half only: {result.n} comments, {result.unhealthy.mean():.3f} not healthy,
  {result.hostile.mean():.3f} hostile. Licence CC BY-NC-SA 4.0: check before commercial use.
- No class weights: at the prevalence of news comments the output is a probability (mean
  out-of-fold score {result.oof.mean():.3f} against a not-healthy share of {result.unhealthy.mean():.3f}).
- C chosen by 5-fold cross-validation on the development half (out-of-fold ROC AUC, not
  healthy): C = {result.c:g}. Artefact: head.npz ({path.stat().st_size:,} bytes, sha256
  {sha256_file(path)}), config.json.

| C | out-of-fold AUC (not healthy), development |
| --- | --- |
{grid}

Out-of-fold on development comments at C = {result.c:g}: AUC not healthy
{oof_un:.3f}, AUC hostile {oof_ho:.3f}.

{heldout}
"""
    tmp = out_dir / ".MODEL_CARD.md.tmp"
    tmp.write_text(card, encoding="utf-8")
    tmp.replace(out_dir / "MODEL_CARD.md")
    return path
