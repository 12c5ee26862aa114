"""Fit the severity layer of a preset: models/severity-<preset>/severity.json and its card.

`moderate train severity --preset default` (one command, rerun whenever the models change):
1. scores the development half of UCC (`split_ucc(ucc, 0.5)`, first half; the other half is
   never read here) with the preset, through a scores cache;
2. term-neutral offsets: sentences of development comments that name an identity term
   are rewritten with every term of IDENTITY_TERMS and with the neutral word NEUTRAL_WORD;
   a term's offset for a score is the mean logit rise of the rewrite naming it over the
   neutral one (sentences, not whole comments: in a long comment one word is diluted);
3. forward feature selection among the reliable candidates (never the attribute heads
   that do not rank natural traffic) by 5-fold out-of-fold log-loss; then a logistic
   regression at natural prevalence (so its output is a probability) on the target
   "not healthy";
4. the operating point: the smallest queue (highest threshold on out-of-fold estimates)
   that still catches `target_recall` of the hostile development comments.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moderation.analysis.severity import (
    HINGE_FEATURES,
    LOGIT_FEATURES,
    CommentEvidence,
    SeverityModel,
    identity_terms_in,
)
from moderation.cache import CachedPipeline, ScoresCache
from moderation.evaluate import roc_auc
from moderation.moderator import Moderator
from moderation.schema import Scores
from moderation.scoring.identity import IDENTITY_TERMS
from moderation.training import data
from moderation.training.fit import SEED, today
from moderation.training.toxicity import split_ucc

# Candidates in the order they are tried; the attribute heads insult, threat,
# identity_attack and severe_toxicity are left out on purpose (weak on natural traffic,
# see the card): they are shown as evidence, never ranked on.
CANDIDATES = ("unhealthy", "toxicity", "toxicity_high", "profanity", "negative", "watched_word", "length", "addressed")
MIN_GAIN = 0.0005  # out-of-fold log-loss a feature must save to be kept
NEUTRAL_WORD = "local"
SHARES = (0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3)
MAX_COUNTERFACTUAL_COMMENTS = 60


@dataclass
class SeverityFit:
    model: SeverityModel
    oof: np.ndarray
    unhealthy: np.ndarray
    hostile: np.ndarray
    selection: list[tuple[str, float]]  # (features so far, out-of-fold log-loss)
    head_auc: dict[str, tuple[float, float]]  # score -> (AUC not healthy, AUC hostile) on dev


def cached_scores(mod: Moderator, texts: list[str], cache_dir: Path) -> list[Scores]:
    """Scores of `texts` (no stance target) through a scores cache in `cache_dir`, keyed by the
    preset's models, so refits and evaluations score each text once."""
    cache = ScoresCache(cache_dir / f"scores-{mod.preset.name}.sqlite", mod.model_fingerprint())
    try:
        scores = CachedPipeline(mod.pipeline, cache).score(texts)
        cache.commit()
    finally:
        cache.close()
    return scores


def cross_fitted_unhealthy(
    mod: Moderator, texts: list[str], scores: list[Scores], data_dir: Path, cache_dir: Path
) -> list[Scores]:
    """`scores` with `unhealthy` replaced by its out-of-fold value (training.unhealthy.cross_fitted)."""
    from dataclasses import replace

    from moderation.scoring.encoder import shared_encoder
    from moderation.scoring.heads import HeadArtefact
    from moderation.training import unhealthy

    spec = mod.preset.encoder
    if spec is None:
        raise ValueError(f"preset {mod.preset.name!r} produces unhealthy but has no [encoder]")
    c = float(HeadArtefact(unhealthy.NAME, spec).config["training"]["C"])
    oof = unhealthy.cross_fitted(texts, data_dir, shared_encoder(spec), c, cache_dir)
    return [replace(s, attributes={**s.attributes, "unhealthy": float(p)}) for s, p in zip(scores, oof, strict=True)]


def evidence(mod: Moderator, texts: list[str]) -> list[CommentEvidence]:
    settings = mod.flag_settings

    def hits(matcher: Any, text: str) -> frozenset[str]:
        return frozenset(h.entry for h in matcher.find(text)) if matcher is not None else frozenset()

    return [CommentEvidence(t, hits(settings.watched, t), hits(settings.banned, t)) for t in texts]


def _logit(p: float) -> float:
    p = min(1 - 1e-4, max(1e-4, p))
    return math.log(p / (1 - p))


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def identity_offsets(
    mod: Moderator, texts: list[str], features: list[str], cache_dir: Path
) -> dict[str, dict[str, float]]:
    """Per logit feature and term: mean logit(score naming the term) - logit(score naming NEUTRAL_WORD),
    over development sentences (3-40 words) that name a term, rewritten with each term."""
    features = [f for f in features if f in LOGIT_FEATURES]
    pieces = [p.strip() for t in texts for p in _SENTENCE.split(t) if 3 <= len(p.split()) <= 40]
    named = [(t, sorted(identity_terms_in(t, IDENTITY_TERMS))) for t in pieces]
    chosen = [(t, terms[0]) for t, terms in named if terms]
    rng = np.random.default_rng(SEED)
    keep = sorted(rng.permutation(len(chosen))[:MAX_COUNTERFACTUAL_COMMENTS].tolist())
    chosen = [chosen[i] for i in keep]
    if not chosen or not features:
        return {}
    variants: list[str] = []
    for text, term in chosen:
        pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)
        variants += [pattern.sub(word, text) for word in (NEUTRAL_WORD, *IDENTITY_TERMS)]
    scores = cached_scores(mod, variants, cache_dir)
    width = 1 + len(IDENTITY_TERMS)
    out: dict[str, dict[str, float]] = {}
    for feature in features:
        z = np.array([_logit(s.attributes.get(feature, 0.5)) for s in scores]).reshape(len(chosen), width)
        rise = z[:, 1:] - z[:, :1]
        out[feature] = {term: round(float(rise[:, j].mean()), 4) for j, term in enumerate(IDENTITY_TERMS)}
    return out


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = x.std(axis=0)
    return x.mean(axis=0), np.where(scale > 0, scale, 1.0)


def _oof(x: np.ndarray, y: np.ndarray, strata: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    out = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=SEED).split(x, strata):
        mean, scale = _standardise(x[train])
        model = LogisticRegression(max_iter=2000).fit((x[train] - mean) / scale, y[train])
        out[test] = model.predict_proba((x[test] - mean) / scale)[:, 1]
    return out


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def operating_point(prob: np.ndarray, hostile: np.ndarray, target_recall: float) -> float:
    """The highest threshold whose queue (prob >= threshold) catches `target_recall` of hostile."""
    need = math.ceil(target_recall * int(hostile.sum()))
    if need == 0:
        return 1.0
    order = np.argsort(-prob, kind="stable")
    k = int(np.searchsorted(np.cumsum(hostile[order]), need))  # position of the need-th hostile
    return float(prob[order[k]])


def model_scores(features: tuple[str, ...]) -> set[str]:
    """The scores `features` read (a hinge feature reads its base score and its offsets)."""
    return {HINGE_FEATURES[f][0] if f in HINGE_FEATURES else f for f in features}


def fit(mod: Moderator, data_dir: Path, cache_dir: Path, target_recall: float = 0.5) -> SeverityFit:
    from sklearn.linear_model import LogisticRegression

    ucc = data.ucc(data_dir)
    dev, _ = split_ucc(ucc, 0.5)  # the held-out half is for reporting only
    texts = [ucc.texts[i] for i in dev]
    y = (ucc.labels["unhealthy"][dev] == 1).astype(int)
    hostile = ucc.labels["hostile"][dev] == 1
    scores = cached_scores(mod, texts, cache_dir)
    produced = set(mod.pipeline.produces)
    if "unhealthy" in produced:  # that head was trained on these comments: read its out-of-fold scores
        scores = cross_fitted_unhealthy(mod, texts, scores, data_dir, cache_dir)
    candidates = [
        c
        for c in CANDIDATES
        if (c in LOGIT_FEATURES and c in produced)
        or (c in HINGE_FEATURES and HINGE_FEATURES[c][0] in produced)
        or (c == "negative" and "sentiment" in produced)
        or (c == "watched_word" and mod.flag_settings.watched is not None)
        or c in ("length", "addressed")
    ]
    offsets = identity_offsets(mod, texts, sorted(model_scores(tuple(candidates))), cache_dir)
    probe = SeverityModel(
        tuple(candidates),
        (0.0,) * len(candidates),
        (1.0,) * len(candidates),
        (0.0,) * len(candidates),
        0.0,
        0.5,
        offsets=offsets,
    )
    ev = evidence(mod, texts)
    rows = [probe.features_of(s, e) for s, e in zip(scores, ev, strict=True)]
    ok = np.array([r is not None for r in rows])
    x_all = np.array([r if r is not None else [0.0] * len(candidates) for r in rows], dtype=np.float64)[ok]
    y, hostile = y[ok], hostile[ok]
    strata = y * 2 + hostile.astype(int)
    chosen: list[int] = []
    selection: list[tuple[str, float]] = []
    best = _log_loss(y, np.full(len(y), y.mean()))
    while True:
        trials = {
            j: _log_loss(y, _oof(x_all[:, [*chosen, j]], y, strata)) for j in range(len(candidates)) if j not in chosen
        }
        if not trials:
            break
        j, loss = min(trials.items(), key=lambda kv: kv[1])
        if best - loss < MIN_GAIN:
            break
        chosen.append(j)
        best = loss
        selection.append(("+".join(candidates[i] for i in chosen), loss))
    if not chosen:
        chosen = [0]
    x = x_all[:, chosen]
    oof = _oof(x, y, strata)
    mean, scale = _standardise(x)
    final = LogisticRegression(max_iter=2000).fit((x - mean) / scale, y)
    features = tuple(candidates[i] for i in chosen)
    fitted = final.predict_proba((x - mean) / scale)[:, 1]
    ranked = np.sort(fitted)[::-1]
    share_table = tuple((share, round(float(ranked[max(0, round(share * len(ranked)) - 1)]), 6)) for share in SHARES)
    model = SeverityModel(
        features=features,
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
        coef=tuple(round(float(v), 6) for v in final.coef_[0]),
        intercept=round(float(final.intercept_[0]), 6),
        threshold=math.floor(operating_point(oof, hostile, target_recall) * 1e6) / 1e6,
        name=f"severity-{mod.preset.name}",
        offsets={f: t for f, t in offsets.items() if f in model_scores(features)},
        share_table=share_table,
        meta={
            "preset": mod.preset.name,
            "trained": today(),
            "target": "not healthy (UCC healthy == 0)",
            "operating_point": f"smallest queue catching {target_recall:.0%} of hostile development comments",
            "development_rows": int(ok.sum()),
            "models": [
                {"name": m.name, "version": m.version, "weights_sha256": m.weights_sha256} for m in mod.pipeline.info()
            ],
        },
    )
    head_auc = {
        name: (
            roc_auc(y, vals := np.array([s.attributes[name] for s, k in zip(scores, ok, strict=True) if k])),
            roc_auc(hostile.astype(int), vals),
        )
        for name in LOGIT_FEATURES
        if name in produced
    }
    return SeverityFit(model, oof, y, hostile, selection, head_auc)


def save(result: SeverityFit, out_dir: Path, command: str) -> Path:
    """severity.json and MODEL_CARD.md in `out_dir`, each written to a temporary file first."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(out_dir / "severity.json", json.dumps(result.model.to_dict(), indent=1, sort_keys=True) + "\n")
    from moderation.training.severity_card import card

    _atomic_write(out_dir / "MODEL_CARD.md", card(result, command))
    return out_dir


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
