"""Scoring speed: default and fast presets end to end, and a one-comment-at-a-time loop.

    PYTHONPATH=. python benchmarks/bench_scoring.py [--n 400] [--naive-n 60] [--preset default]

Comments: UCC Globe and Mail comments of 60-100 word pieces from ../shared/data when present,
else generated sentences of about 80 word pieces. Every comment is distinct (no dedupe gains).
All comments get the same stance target, as under one article.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from pathlib import Path

from moderation.config import EncoderSpec, load_preset
from moderation.scoring.encoder import shared_encoder
from moderation.scoring.pipeline import ScoringPipeline, pipeline_from_preset

UCC = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucc_unhealthy_comments" / "val.csv"
TARGET = "City council approves new tram line. Construction starts in March and should end in 2027."


def word_pieces(texts: list[str]) -> list[int]:
    """Word pieces of each text with [CLS] and [SEP], by the default preset's encoder tokenizer
    (the same vocabulary for every MiniLM here)."""
    ids, _ = shared_encoder(load_preset("default").encoder or EncoderSpec()).tokenizer.split(texts)
    return [len(row) + 2 for row in ids]


def comments(n: int) -> list[str]:
    pool: list[str] = []
    if UCC.is_file():
        with UCC.open(encoding="utf-8") as handle:
            pool = [r["comment"] for r in csv.DictReader(handle)]
        pool = [t for t, n in zip(pool, word_pieces(pool), strict=True) if 60 <= n <= 100]
    rng = random.Random(7)
    words = [
        "the",
        "council",
        "plan",
        "tram",
        "city",
        "costs",
        "residents",
        "vote",
        "budget",
        "why",
        "never",
        "agree",
        "great",
        "idea",
        "waste",
        "money",
    ]
    while len(pool) < n:
        pool.append(" ".join(rng.choice(words) for _ in range(75)) + f" {len(pool)}.")
    rng.shuffle(pool)
    return pool[:n]


def rate(pipeline: ScoringPipeline, texts: list[str], one_at_a_time: bool = False) -> float:
    start = time.perf_counter()
    if one_at_a_time:
        for t in texts:
            pipeline.score([t], [TARGET])
    else:
        pipeline.score(texts, [TARGET] * len(texts))
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--naive-n", type=int, default=60)
    parser.add_argument("--fast-n", type=int, default=5000)
    parser.add_argument("--preset", default="default", help="the preset timed as 'default' (name or .toml)")
    args = parser.parse_args()
    texts = comments(args.n + args.naive_n)
    tokens = word_pieces(texts)
    print(f"cpu cores: {os.cpu_count()}; comments: {len(texts)}, mean {sum(tokens) / len(tokens):.0f} word pieces")
    default = pipeline_from_preset(load_preset(args.preset))
    default.score(texts[:8], [TARGET] * 8)  # load models once, outside the timings
    batched = rate(default, texts[: args.n])
    naive_pipe = ScoringPipeline(default.scorers, batch_size=1)
    naive = rate(naive_pipe, texts[args.n :], one_at_a_time=True)
    fast = pipeline_from_preset(load_preset("fast"))
    fast_texts = [f"{t} #{i}" for i, t in enumerate((texts * (args.fast_n // len(texts) + 1))[: args.fast_n])]
    fast.score(fast_texts[:8])
    fast_rate = rate(fast, fast_texts)
    print(f"default preset, batched + length-sorted: {batched:8.1f} comments/s (n={args.n})")
    print(f"default preset, one comment at a time:   {naive:8.1f} comments/s (n={args.naive_n})")
    print(f"speed-up of batching:                    {batched / naive:8.1f}x")
    print(f"fast preset:                             {fast_rate:8.1f} comments/s (n={args.fast_n})")


if __name__ == "__main__":
    main()
