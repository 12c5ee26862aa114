"""`moderate eval`: score a labelled CSV/JSONL with a preset and report how well it did.

Pure metric functions (`roc_auc`, `per_class`, `reliability`) plus `evaluate_file`, which
loads the table through `datasets`, runs a preset's scoring pipeline and returns an
`EvalReport`; `EvalReport.format()` is the text the CLI prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import ConfigError, InputError
from moderation.schema import SCORE_GROUPS, Scores

TASKS = {"toxicity": None, "sentiment": "sentiment", "stance": "stance"}


@dataclass(frozen=True, slots=True)
class ClassStats:
    label: str
    support: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class ReliabilityRow:
    low: float
    high: float
    n: int
    mean_score: float
    observed: float


@dataclass(slots=True)
class EvalReport:
    task: str
    preset: str
    score: str
    n: int
    n_skipped: int
    macro_f1: float
    classes: list[ClassStats]
    reliability: list[ReliabilityRow]
    roc_auc: float | None = None
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        lines = [f"task={self.task} preset={self.preset} score={self.score} n={self.n} skipped={self.n_skipped}"]
        if self.roc_auc is not None:
            lines.append(f"ROC AUC   {self.roc_auc:.3f}")
        lines.append(f"macro-F1  {self.macro_f1:.3f}")
        lines.append(f"{'class':<12}{'support':>8}{'precision':>11}{'recall':>8}{'f1':>7}")
        lines += [f"{c.label:<12}{c.support:>8}{c.precision:>11.3f}{c.recall:>8.3f}{c.f1:>7.3f}" for c in self.classes]
        what = "observed positive rate" if self.roc_auc is not None else "accuracy of top class"
        lines.append(f"reliability (score bucket -> {what})")
        lines.append(f"{'bucket':<12}{'n':>6}{'mean score':>12}{'observed':>10}")
        lines += [
            f"{r.low:.1f}-{r.high:.1f}{'':<5}{r.n:>6}{r.mean_score:>12.3f}{r.observed:>10.3f}" for r in self.reliability
        ]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def roc_auc(y: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    """Area under the ROC curve (ties count half); NaN when only one class is present."""
    y_arr = np.asarray(y, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y_arr.sum()), int((~y_arr).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y_arr].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def per_class(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> list[ClassStats]:
    out = []
    for label in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == label and p == label)
        n_pred = sum(1 for p in y_pred if p == label)
        n_true = sum(1 for t in y_true if t == label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append(ClassStats(label, n_true, precision, recall, f1))
    return out


def macro_f1(stats: Sequence[ClassStats]) -> float:
    return float(np.mean([c.f1 for c in stats])) if stats else float("nan")


def reliability(
    hit: Sequence[float] | np.ndarray, scores: Sequence[float] | np.ndarray, bins: int = 10
) -> list[ReliabilityRow]:
    """Score buckets of width 1/bins: how many, mean score, observed rate of `hit` (0/1)."""
    h = np.asarray(hit, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    which = np.minimum((s * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            rows.append(
                ReliabilityRow(b / bins, (b + 1) / bins, int(mask.sum()), float(s[mask].mean()), float(h[mask].mean()))
            )
    return rows


def binary_report(y: Sequence[int], scores: Sequence[float], threshold: float = 0.5, **meta: Any) -> EvalReport:
    pred = ["1" if s >= threshold else "0" for s in scores]
    truth = [str(int(v)) for v in y]
    stats = per_class(truth, pred, ["0", "1"])
    return EvalReport(
        macro_f1=macro_f1(stats),
        classes=stats,
        reliability=reliability(y, scores),
        roc_auc=roc_auc(y, scores),
        n=len(truth),
        **meta,
    )


def multiclass_report(truth: Sequence[str], dists: np.ndarray, classes: Sequence[str], **meta: Any) -> EvalReport:
    top = dists.argmax(axis=1)
    pred = [classes[i] for i in top]
    stats = per_class(list(truth), pred, classes)
    hit = [t == p for t, p in zip(truth, pred, strict=True)]
    return EvalReport(
        macro_f1=macro_f1(stats),
        classes=stats,
        reliability=reliability(hit, dists.max(axis=1)),
        n=len(pred),
        **meta,
    )


def load_table(path: str | Path, columns: Sequence[str]) -> dict[str, list[Any]]:
    """Columns of a local CSV/TSV/JSONL file, read with `datasets`."""
    from datasets import load_dataset

    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), "no such file")
    suffix = p.suffix.lower()
    if suffix in {".jsonl", ".json"}:
        ds = load_dataset("json", data_files=str(p), split="train")
    elif suffix in {".csv", ".tsv"}:
        ds = load_dataset("csv", data_files=str(p), split="train", delimiter="\t" if suffix == ".tsv" else ",")
    else:
        raise InputError(str(p), "expected a .csv, .tsv, .jsonl or .json file")
    missing = [c for c in columns if c not in ds.column_names]
    if missing:
        raise InputError(str(p), f"missing column(s) {missing}; columns are {ds.column_names}")
    return {c: ds[c] for c in columns}


def _binary_labels(values: Sequence[Any], positive: str | None) -> list[int]:
    if positive is not None:
        return [int(str(v) == positive) for v in values]
    try:
        return [int(float(v) >= 0.5) for v in values]
    except (TypeError, ValueError):
        raise ConfigError("labels are not numeric: say which value is positive with --positive") from None


def parse_merge(items: Sequence[str]) -> dict[str, str]:
    """["query=comment", ...] -> {"query": "comment"}."""
    out: dict[str, str] = {}
    for item in items:
        src, sep, dst = item.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise ConfigError(f"--merge wants FROM=TO, got {item!r}")
        out[src.strip()] = dst.strip()
    return out


def evaluate_file(
    task: str,
    path: str | Path,
    text_col: str = "text",
    label_col: str = "label",
    preset: str = "default",
    target_col: str | None = None,
    score: str | None = None,
    positive: str | None = None,
    threshold: float = 0.5,
    limit: int | None = None,
    merge: dict[str, str] | None = None,
) -> EvalReport:
    """Score a labelled file with a preset and compare with its labels.

    toxicity: binary labels (numbers >= 0.5, or equal to `positive`) against attribute
    `score` (default "toxicity"). sentiment / stance: labels are class names (or class
    indices) of the group; stance reads its target text from `target_col`. `merge` folds
    predicted classes into others before scoring (e.g. {"query": "comment"} for a 3-class
    stance set such as VAST: pro / con / neutral as support / deny / comment).
    """
    from moderation.config import load_preset
    from moderation.scoring.pipeline import pipeline_from_preset

    if task not in TASKS:
        raise ConfigError(f"unknown task {task!r}; tasks are {', '.join(TASKS)}")
    cols = [text_col, label_col] + ([target_col] if target_col else [])
    table = load_table(path, cols)
    texts = [str(t) if t is not None else "" for t in table[text_col]]
    labels = table[label_col]
    targets = [str(t) if t is not None else None for t in table[target_col]] if target_col else None
    if limit is not None:
        texts, labels = texts[:limit], labels[:limit]
        targets = targets[:limit] if targets is not None else None
    loaded = load_preset(preset)
    pipeline = pipeline_from_preset(loaded)
    key = score or (TASKS[task] or "toxicity")
    if key not in pipeline.produces:
        raise ConfigError(
            f"preset {loaded.name!r} does not produce {key!r} (it produces {', '.join(pipeline.produces)})"
        )
    results = pipeline.score(texts, targets)
    return report_scores(task, loaded.name, key, labels, results, positive, threshold, merge)


def report_scores(
    task: str,
    preset: str,
    key: str,
    labels: Sequence[Any],
    results: Sequence[Scores],
    positive: str | None = None,
    threshold: float = 0.5,
    merge: dict[str, str] | None = None,
) -> EvalReport:
    """The report for one score `key` of already scored texts against their labels."""
    meta: dict[str, Any] = {"task": task, "preset": preset, "score": key}
    if key not in SCORE_GROUPS:
        y = _binary_labels(labels, positive)
        s = [r.attributes[key] for r in results]
        return binary_report(y, s, threshold=threshold, n_skipped=0, **meta)
    classes = SCORE_GROUPS[key]
    merge = merge or {}
    bad = sorted(c for pair in merge.items() for c in pair if c not in classes)
    if bad or any(t in merge for t in merge.values()):
        raise ConfigError(f"cannot merge {merge}: classes must be {key} classes {list(classes)}, merged once")
    kept = [
        (str(classes[int(lab)]) if isinstance(lab, int) else str(lab), r.groups[key])
        for lab, r in zip(labels, results, strict=True)
        if key in r.groups
    ]
    unknown = sorted({t for t, _ in kept if t not in classes})
    if unknown:
        raise ConfigError(f"labels {unknown} are not {key} classes {list(classes)}")
    truth = [t for t, _ in kept]
    if merge:
        folded = [{c: v for c, v in d.items() if c not in merge} for _, d in kept]
        for d, (_, full) in zip(folded, kept, strict=True):
            for src, dst in merge.items():
                d[dst] += full[src]
        kept = [(t, d) for (t, _), d in zip(kept, folded, strict=True)]
        classes = tuple(c for c in classes if c not in merge)
        if any(t in merge for t in truth):
            raise ConfigError(f"labels include merged classes {sorted(set(truth) & set(merge))}")
    dists = np.asarray([[d[c] for c in classes] for _, d in kept], dtype=np.float64).reshape(-1, len(classes))
    report = multiclass_report(truth, dists, classes, n_skipped=len(results) - len(kept), **meta)
    if merge:
        report.notes.append("merged before scoring: " + ", ".join(f"{a} -> {b}" for a, b in merge.items()))
    if report.n_skipped:
        report.notes.append(f"{report.n_skipped} rows had no {key} score (e.g. no target) and were left out")
    return report
