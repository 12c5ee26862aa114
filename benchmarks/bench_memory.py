"""Peak memory of a streaming `moderate score` run as the input grows.

    PYTHONPATH=. python benchmarks/bench_memory.py --sizes 10000 100000 1000000 [--preset fast]

Each size gets a synthetic comment JSONL (benchmarks/synth_comments.py) and one run of
`python -m moderation.cli score FILE -o OUT --preset fast --quiet --no-cache` in its own
subprocess; peak RSS is that child's ru_maxrss (resource.getrusage(RUSAGE_CHILDREN),
read right after each child exits, so each figure is the largest child so far: sizes run
smallest first). Prints one line per size: comments, seconds, comments/s, peak RSS MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.synth_comments import write_comments


def measure(n: int, preset: str, workdir: Path, cache: bool) -> dict[str, float]:
    data = workdir / f"comments_{n}.jsonl"
    if not data.exists():
        write_comments(data, n)
    out = workdir / f"out_{n}"
    cmd = [sys.executable, "-m", "moderation.cli", "score", str(data), "-o", str(out), "-p", preset, "--quiet"]
    if not cache:
        cmd.append("--no-cache")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    counts = json.loads((out / "run.json").read_text(encoding="utf-8"))["counts"]
    return {
        "comments": counts["comments_written"],
        "input_mib": data.stat().st_size / 2**20,
        "seconds": seconds,
        "per_s": counts["comments_written"] / seconds,
        "peak_rss_mib": peak_kib / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--cache", action="store_true", help="run with the scores cache (default: --no-cache)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="moderate-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir {workdir}; preset {args.preset}; cache {'on' if args.cache else 'off'}", flush=True)
    for n in sorted(args.sizes):
        r = measure(n, args.preset, workdir, args.cache)
        print(
            f"{r['comments']:>9,} comments  input {r['input_mib']:7.1f} MiB  {r['seconds']:7.1f} s  "
            f"{r['per_s']:6.0f}/s  peak RSS {r['peak_rss_mib']:6.1f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
