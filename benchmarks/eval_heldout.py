"""Every held-out set through one preset, each set scored once: the figures the model cards quote.

    PYTHONPATH=. python -m moderation.training export-heldout     # writes /tmp/moderate-eval/*.csv
    PYTHONPATH=. python benchmarks/eval_heldout.py [--preset default] [--json out.json]

Each report is what `moderate eval` prints for the same file, label and score (the same
`moderation.evaluate.report_scores`); this script only avoids scoring a file once per score.
On UCC it also prints the share of comments at or over each of the preset's thresholds.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

from moderation.config import load_preset
from moderation.evaluate import report_scores
from moderation.scoring.pipeline import pipeline_from_preset

ATTRIBUTES = ("toxicity", "insult", "identity_attack", "threat", "severe_toxicity")
# set -> [(task, label column, score, merge)]
CHECKS: dict[str, list[tuple[str, str, str, dict[str, str]]]] = {
    "ucc_holdout": [("toxicity", "hostile", s, {}) for s in (*ATTRIBUTES, "profanity")]
    + [("toxicity", "unhealthy", "toxicity", {})],
    "hatexplain_test": [
        ("toxicity", "toxicity", "toxicity", {}),
        ("toxicity", "identity_attack", "identity_attack", {}),
    ],
    "tweeteval_hate_val": [("toxicity", "toxicity", "toxicity", {}), ("toxicity", "toxicity", "identity_attack", {})],
    "tweeteval_offensive_val": [("toxicity", "toxicity", "toxicity", {})],
    "tweeteval_sentiment_val": [("sentiment", "sentiment", "sentiment", {})],
    "goemotions_test": [("sentiment", "sentiment", "sentiment", {})],
    "rumoureval_dev": [("stance", "stance", "stance", {})],
    "vast_dev": [("stance", "stance", "stance", {"query": "comment"})],
    "vast_test": [("stance", "stance", "stance", {"query": "comment"})],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="default")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/moderate-eval"))
    parser.add_argument("--sets", nargs="*", default=list(CHECKS))
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    preset = load_preset(args.preset)
    pipeline = pipeline_from_preset(preset)
    summary: dict[str, dict[str, float]] = {}
    for name in args.sets:
        with (args.dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        texts = [r["text"] for r in rows]
        targets = [r["target"] or None for r in rows]
        start = time.perf_counter()
        results = pipeline.score(texts, targets)
        took = time.perf_counter() - start
        figures = summary.setdefault(name, {"n": len(rows), "seconds": round(took, 1)})
        for task, label, score, merge in CHECKS[name]:
            if score not in pipeline.produces:
                continue
            report = report_scores(task, preset.name, score, [r[label] for r in rows], results, merge=merge)
            merged = "".join(f" --merge {a}={b}" for a, b in merge.items())
            print(f"\n## {name}: label {label}, score {score}")
            target = " --target-col target" if task == "stance" else ""
            print(
                f"$ moderate eval --task {task} {args.dir / name}.csv --text-col text --label-col {label} "
                f"--preset {args.preset} --score {score}{target}{merged}"
            )
            print(report.format())
            key = f"{label}:{score}"
            figures[f"{key}:macro_f1"] = round(report.macro_f1, 4)
            if report.roc_auc is not None:
                figures[f"{key}:roc_auc"] = round(report.roc_auc, 4)
        if name == "ucc_holdout":
            for attr, thr in sorted(preset.thresholds.items()):
                if attr in pipeline.produces:
                    share = sum(r.attributes[attr] >= thr for r in results) / len(results)
                    figures[f"share_{attr}_at_or_over_{thr}"] = round(share, 4)
                    print(f"share of UCC held-out comments with {attr} >= {thr}: {share:.2%}")
        print(f"({name}: {len(rows)} texts scored in {took:.0f}s)", flush=True)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
