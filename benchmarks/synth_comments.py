"""Synthetic comment JSONL in the project's schema, for memory benchmarks and run tests.

    python benchmarks/synth_comments.py 100000 out.jsonl [--seed 1]

Lengths follow a log-normal around ~40 words (median ~230 characters, a long tail up to a
few thousand), articles hold 20-400 comments, about 40% of comments reply to an earlier
one, a few percent carry swearing so that flags fire. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

_WORDS = [
    "the",
    "government",
    "said",
    "policy",
    "vote",
    "council",
    "budget",
    "school",
    "road",
    "tax",
    "people",
    "city",
    "minister",
    "article",
    "report",
    "think",
    "really",
    "never",
    "always",
    "agree",
    "disagree",
    "wrong",
    "right",
    "true",
    "false",
    "facts",
    "economy",
    "jobs",
    "prices",
    "housing",
    "police",
    "court",
    "election",
    "party",
    "leader",
    "support",
    "against",
    "why",
    "how",
    "what",
    "when",
    "maybe",
    "probably",
    "clearly",
    "obviously",
    "honestly",
    "thanks",
    "good",
    "great",
    "terrible",
    "awful",
    "nice",
    "fair",
    "balanced",
    "biased",
    "media",
    "story",
    "source",
    "data",
    "numbers",
    "year",
    "week",
    "today",
    "tomorrow",
]
_HOSTILE = ("idiot", "stupid", "shit", "damn", "fucking", "moron", "crap")


def comment_text(rng: random.Random) -> str:
    n_words = max(1, min(600, int(rng.lognormvariate(3.6, 0.7))))
    words = [rng.choice(_WORDS) for _ in range(n_words)]
    if rng.random() < 0.05:
        words[rng.randrange(n_words)] = rng.choice(_HOSTILE)
    sentences, i = [], 0
    while i < n_words:
        step = rng.randint(6, 18)
        part = words[i : i + step]
        sentences.append(part[0].capitalize() + " " + " ".join(part[1:]) + rng.choice(".!?.."))
        i += step
    return " ".join(s.replace("  ", " ") for s in sentences)


def write_comments(path: Path, n_comments: int, seed: int = 1) -> int:
    """Write `n_comments` comment lines grouped by article; returns the number of articles."""
    rng = random.Random(seed)
    written, n_articles = 0, 0
    with path.open("w", encoding="utf-8") as handle:
        while written < n_comments:
            n_articles += 1
            article_id = f"art{n_articles:06d}"
            size = min(n_comments - written, rng.randint(20, 400))
            for n in range(1, size + 1):
                parent = f"c{rng.randint(1, n - 1)}" if n > 1 and rng.random() < 0.4 else None
                row = {
                    "article_id": article_id,
                    "comment_id": f"c{n}",
                    "parent_id": parent,
                    "author": f"user{rng.randint(1, 5000)}",
                    "text": comment_text(rng),
                    "timestamp": f"2024-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}Z",
                }
                handle.write(json.dumps(row) + "\n")
            written += size
    return n_articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_comments", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n_articles = write_comments(args.path, args.n_comments, args.seed)
    print(f"wrote {args.n_comments} comments in {n_articles} articles to {args.path}")


if __name__ == "__main__":
    main()
