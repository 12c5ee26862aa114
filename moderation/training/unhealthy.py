"""Train `models/unhealthy-minilm`: the `unhealthy` head of preset default.

A logistic head on the shipped encoder (frozen here) that predicts "not healthy" (UCC
`healthy == 0`: hostile, antagonising, dismissive, condescending, sarcastic or generalising),
fitted on natural news comments: the development half of UCC (`split_ucc(ucc, 0.5)`, first
half) and nothing else; the held-out half is never read. It reads the comment's pooled
embedding (`SentenceEncoder.encode(...).texts`, as the scorer does), with no class weights,
so its output is calibrated to the prevalence of Globe and Mail comments. The target is
soft: the annotators' weight on "not healthy" (UCC's label confidence, `unhealthy_share` in
training.data), each comment entering the fit once as not healthy with that weight and once
as healthy with the rest, so a comment three annotators split on counts less than one they
agreed on. C is chosen from C_GRID by 5-fold cross-validation on the development half (ROC
AUC against the hard label, folds stratified on not-healthy x hostile, seed 13).

The severity layer is fitted on the same development half: `cross_fitted` gives each
development comment its out-of-fold score (the fold's head never saw it), which the severity
fit uses in place of the shipped head's in-sample score.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moderation.evaluate import roc_auc
from moderation.scoring.encoder import SentenceEncoder
from moderation.training import data, ucc_folds
from moderation.training.embed import texts_digest
from moderation.training.fit import fit_logistic, linear_arrays
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
    share: np.ndarray  # the soft target
    n: int


@dataclass
class Development:
    """UCC development comments (the severity fit's rows) and their labels."""

    texts: list[str]
    unhealthy: np.ndarray  # bool: the aggregated label is not healthy
    hostile: np.ndarray  # bool
    share: np.ndarray  # annotators' weight on not healthy, in [0, 1]


def development(data_dir: Path) -> Development:
    ucc = data.ucc(data_dir)
    dev, _ = split_ucc(ucc, 0.5)
    labels = {k: v[dev] for k, v in ucc.labels.items()}
    return Development(
        [ucc.texts[i] for i in dev], labels["unhealthy"] == 1, labels["hostile"] == 1, labels["unhealthy_share"]
    )


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


def fit_soft(x: np.ndarray, share: np.ndarray, c: float) -> Any:
    """Logistic regression on a soft target: every row once as positive with weight `share`
    and once as negative with weight 1 - `share` (the weighted log-loss of the soft label)."""
    n = len(share)
    y = np.r_[np.ones(n, dtype=int), np.zeros(n, dtype=int)]
    return fit_logistic(np.vstack([x, x]), y, np.r_[share, 1.0 - share], c)


def _oof(x: np.ndarray, dev: Development, c: float) -> np.ndarray:
    """Out-of-fold scores at C = `c`: FOLDS folds stratified on not healthy x hostile (seed 13),
    one set of vectors for every fold (`ucc_folds.out_of_fold`)."""
    folds = ucc_folds.fold_ids(dev.unhealthy, dev.hostile, FOLDS)
    return ucc_folds.out_of_fold(ucc_folds.FoldVectors(folds, [x] * FOLDS), lambda x, s: fit_soft(x, s, c), dev.share)


def fit(data_dir: Path, encoder: SentenceEncoder, cache_dir: Path) -> UnhealthyFit:
    dev = development(data_dir)
    x = pooled_vectors(dev.texts, encoder, cache_dir)
    y = dev.unhealthy.astype(int)
    oofs = {c: _oof(x, dev, c) for c in C_GRID}
    cv_auc = {c: roc_auc(y, p) for c, p in oofs.items()}
    best = max(C_GRID, key=lambda c: (cv_auc[c], -c))
    model = fit_soft(x, dev.share, best)
    arrays = linear_arrays("unhealthy", model)
    return UnhealthyFit(arrays, best, cv_auc, oofs[best], dev.unhealthy, dev.hostile, dev.share, len(y))


def cross_fitted(texts: list[str], data_dir: Path, encoder: SentenceEncoder, c: float, cache_dir: Path) -> np.ndarray:
    """Out-of-fold `unhealthy` of the development comments `texts` (in that order), with the
    shipped head's C: what the severity fit reads instead of the head's in-sample scores."""
    dev = development(data_dir)
    if texts != dev.texts:
        raise ValueError("cross_fitted expects the UCC development comments, in order")
    x = pooled_vectors(texts, encoder, cache_dir)
    return _oof(x, dev, c)


VERSION = "0.2.0"
NAME = "unhealthy-minilm"


def save(result: UnhealthyFit, out_dir: Path, encoder_model: str, max_tokens: int, heldout: str) -> Path:
    """head.npz, config.json and MODEL_CARD.md in `out_dir` (`heldout`: the card's held-out section)."""
    import json

    from moderation.config import EncoderSpec
    from moderation.scoring.base import sha256_file
    from moderation.training.fit import head_config, write_artefact

    spec = EncoderSpec(model=encoder_model, max_tokens=max_tokens)
    labels = [result.n, result.unhealthy.astype(int).tolist(), result.share.round(4).tolist()]
    digest = hashlib.sha256(json.dumps(labels).encode()).hexdigest()
    config = head_config(spec, VERSION, {"attributes": ["unhealthy"]}, {}, digest)
    config["training"] = {"data": "UCC val split, development half (split_ucc(ucc, 0.5)[0])", "rows": result.n,
                          "target": "soft: annotators' weight on not healthy (UCC healthy:confidence)",
                          "C": result.c, "class_weight": None}  # fmt: skip
    path = write_artefact(out_dir, result.arrays, config)
    grid = "\n".join(f"| {c:g} | {auc:.3f} |" for c, auc in result.cv_auc.items())
    oof_un = roc_auc(result.unhealthy.astype(int), result.oof)
    oof_ho = roc_auc(result.hostile.astype(int), result.oof)
    card = f"""# {NAME}

The `unhealthy` score of preset `default`: the probability that a news-comment annotator would
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
- Soft target: each comment counts as not healthy with the annotators' weight on that label
  (UCC's confidence; mean {result.share.mean():.3f}) and as healthy with the rest.
- No class weights: at the prevalence of news comments the output estimates the annotators'
  weight on not healthy (mean out-of-fold score {result.oof.mean():.3f} against a mean weight of
  {result.share.mean():.3f}; the aggregated label is not healthy for {result.unhealthy.mean():.3f} of comments).
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
