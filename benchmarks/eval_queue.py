"""The review queue as a moderator meets it: UCC at natural prevalence, and real comment streams.

UCC (Globe and Mail comments, ../shared/data/ucc_unhealthy_comments) is split in two by
`moderation.training.toxicity.split_ucc(ucc, 0.5)`: the "dev" half is where the severity
layer and its operating point are fitted, the "held-out" half is where figures are reported.
For the chosen half, prints: share of comments flagged, queue precision (flagged comments
that annotators called not healthy), recall of hostile and of not-healthy comments, and
the share not healthy among the 50 most severe comments (ties kept in input order), plus
the same top-50 figure when ranking by the toxicity score alone. On the development half the
`unhealthy` score (a head trained on that half) is replaced by its out-of-fold value. `--curve` adds the table
of severity thresholds (share flagged, precision, hostile recall); `--recall R` the smallest
queue, in severity order, that catches R of the hostile comments.

`--inputs PATH ...` also runs the whole pipeline (readers, duplicates, escalation) on real
files and prints how many comments were flagged and the 20 most severe, to read.

Scores are cached in SQLite (default /tmp/moderate-eval/scores-<preset>.sqlite, keyed by
the models' fingerprint; the same cache as `moderate train severity`), so a second run
does not score again. "Before" figures in docs/flags.md come from the version of this
script at commit 75d5851 run on a checkout of 0eb18fd (it used the API of that time).

Run: cd <repo> && PYTHONPATH=. python benchmarks/eval_queue.py --split held-out --curve
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from moderation.analysis.flags import Assessment, assess
from moderation.moderator import Moderator
from moderation.run import RunOptions, run
from moderation.schema import Scores
from moderation.training import data
from moderation.training.severity import cached_scores, cross_fitted_unhealthy
from moderation.training.toxicity import split_ucc

TOP_K = 50


def queue_figures(
    flagged: np.ndarray, severity: np.ndarray, unhealthy: np.ndarray, hostile: np.ndarray
) -> dict[str, float]:
    order = np.argsort(-severity, kind="stable")
    top = order[:TOP_K]
    n_flagged = int(flagged.sum())
    return {
        "n": float(len(flagged)),
        "share_flagged": float(flagged.mean()),
        "precision_unhealthy": float(unhealthy[flagged].mean()) if n_flagged else float("nan"),
        "recall_hostile": float(flagged[hostile].mean()) if hostile.any() else float("nan"),
        "recall_unhealthy": float(flagged[unhealthy].mean()) if unhealthy.any() else float("nan"),
        "top50_unhealthy": float(unhealthy[top].mean()),
        "top50_hostile": float(hostile[top].mean()),
    }


def curve(severity: np.ndarray, unhealthy: np.ndarray, hostile: np.ndarray, thresholds: list[float]) -> list[str]:
    lines = ["min_severity  flagged  share   precision  hostile_recall  unhealthy_recall"]
    for t in thresholds:
        f = severity >= t
        prec = unhealthy[f].mean() if f.any() else float("nan")
        lines.append(
            f"{t:>12.3f}  {int(f.sum()):>7d}  {f.mean():.3f}   {prec:.3f}      "
            f"{f[hostile].mean():.3f}           {f[unhealthy].mean():.3f}"
        )
    return lines


def assessed(mod: Moderator, texts: list[str], cache_dir: Path) -> list[tuple[Scores, Assessment]]:
    """What `Moderator.score_texts` gives, with the scores served from the cache."""
    scores = cached_scores(mod, texts, cache_dir)
    return [(s, assess(t, s, mod.flag_settings)) for t, s in zip(texts, scores, strict=True)]


def ucc_section(
    mod: Moderator, split: str, data_dir: Path, cache_dir: Path, show_curve: bool, recalls: list[float]
) -> None:
    ucc = data.ucc(data_dir)
    dev, held = split_ucc(ucc, 0.5)
    rows = held if split == "held-out" else dev
    texts = [ucc.texts[i] for i in rows]
    results = assessed(mod, texts, cache_dir)
    if split == "dev" and "unhealthy" in mod.pipeline.produces:
        # the unhealthy head was trained on the development half: read its out-of-fold scores
        scores = cross_fitted_unhealthy(mod, texts, [s for s, _ in results], data_dir, cache_dir)
        results = [(s, assess(t, s, mod.flag_settings)) for t, s in zip(texts, scores, strict=True)]
        print("(development half: unhealthy is out-of-fold, as in the severity fit)")
    unhealthy = ucc.labels["unhealthy"][rows] == 1
    hostile = ucc.labels["hostile"][rows] == 1
    flagged = np.array([a.in_queue for _, a in results])
    severity = np.array([a.severity for _, a in results], dtype=np.float64)
    print(
        f"UCC {split} half, preset {mod.preset.name}: {len(rows)} comments, "
        f"{unhealthy.mean():.3f} not healthy, {hostile.mean():.3f} hostile"
    )
    for name, value in queue_figures(flagged, severity, unhealthy, hostile).items():
        print(f"  {name:<20} {value:.3f}" if name != "n" else f"  {name:<20} {int(value)}")
    if all("toxicity" in s.attributes for s, _ in results):
        tox = np.array([s.attributes["toxicity"] for s, _ in results])
        top = np.argsort(-tox, kind="stable")[:TOP_K]
        print(f"  {'top50 by toxicity':<20} {unhealthy[top].mean():.3f} (score alone, for comparison)")
    reasons: dict[str, int] = {}
    for _, a in results:
        for f in a.flags:
            reasons[f.reason] = reasons.get(f.reason, 0) + 1
    print("  flag reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1])))
    for recall in recalls:
        need = int(np.ceil(recall * hostile.sum()))
        order = np.argsort(-severity, kind="stable")
        k = int(np.searchsorted(np.cumsum(hostile[order]), need)) + 1
        print(
            f"  smallest queue catching {recall:.3f} of hostile: {k} comments ({k / len(rows):.3f}), "
            f"precision {unhealthy[order[:k]].mean():.3f}"
        )
    if show_curve:
        qs = sorted({round(float(q), 3) for q in np.quantile(severity, [0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99])})
        print("\n".join("  " + line for line in curve(severity, unhealthy, hostile, qs)))


def inputs_section(mod: Moderator, paths: list[str], top: int, cache_dir: Path) -> None:
    result = run(paths, mod, None, RunOptions(cache_path=cache_dir / f"scores-{mod.preset.name}-runs.sqlite"))
    comments = result.comments
    queue = result.review_queue()
    print(f"\n{', '.join(paths)}: {len(comments)} comments, {len(queue)} flagged")
    for i, c in enumerate(queue[:top], 1):
        reasons = "; ".join(f.reason + (f" ({f.detail})" if f.detail else "") for f in c.flags)
        text = " ".join(c.comment.text.split())[:220]
        print(f"{i:>3}. {c.severity:.3f} [{reasons}] {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--split", choices=["held-out", "dev", "none"], default="held-out")
    parser.add_argument("--curve", action="store_true", help="print the severity threshold table")
    parser.add_argument("--data-dir", type=Path, default=data.DEFAULT_DATA_DIR)
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/moderate-eval"))
    parser.add_argument("--inputs", nargs="*", default=[], help="real files to run and list the top of the queue")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--min-severity", type=float, default=None, help="instead of the preset's operating point")
    parser.add_argument(
        "--recall",
        type=float,
        nargs="*",
        default=[],
        help="print the smallest queue (by severity) catching this share of hostile",
    )
    args = parser.parse_args(argv)
    if args.split != "none" and not (args.data_dir / "ucc_unhealthy_comments").is_dir():
        print(f"no UCC data under {args.data_dir}", file=sys.stderr)
        return 2
    mod = Moderator(args.preset, queue={"min_severity": args.min_severity} if args.min_severity is not None else None)
    if args.split != "none":
        ucc_section(mod, args.split, args.data_dir, args.cache_dir, args.curve, args.recall)
    for path in args.inputs:
        inputs_section(mod, [path], args.top, args.cache_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
