"""Language detection on real comments: how often English comments are taken for another language.

Data: ../shared/data/ucc_unhealthy_comments/val.csv (or $MODERATE_SHARED_DATA/...): Globe and
Mail comments, all English. Reads every fourth row starting at `--start` (default 1: the rule
in moderation/analysis/language.py was chosen looking at rows 0, 4, 8, ... only) and prints,
per probability threshold, how many rows the detector names another language at or above
it, with examples; then the share of rows `confident_language` leaves to the page fallback.

Run: cd <repo> && PYTHONPATH=. python benchmarks/eval_language.py [--start 1]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

from moderation.analysis.language import CONFIDENT, confident_language, detect


def shared_data_dir() -> Path:
    env = os.environ.get("MODERATE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=int, default=1)
    args = parser.parse_args()
    path = shared_data_dir() / "ucc_unhealthy_comments" / "val.csv"
    if not path.is_file():
        print(f"not found: {path}", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r["comment"] for r in csv.DictReader(handle)][args.start :: 4]
    detected = [detect(text) for text in rows]
    print(f"{len(rows)} English comments (rows {args.start}, {args.start + 4}, ...)")
    for threshold in (0.5, 0.8, CONFIDENT, 0.99):
        wrong = [
            (t[:50], lang, round(p, 3))
            for t, (lang, p) in zip(rows, detected, strict=True)
            if lang != "en" and p >= threshold
        ]
        print(f"other language at p >= {threshold}: {len(wrong)} {wrong[:5]}")
    fallback = sum(confident_language(t) is None for t in rows)
    print(f"left to the page's language (not confident): {fallback} ({fallback / len(rows):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
