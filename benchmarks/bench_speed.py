"""Throughput and start-up in one run (issue 17): every figure and ratio the README quotes.

    PYTHONPATH=. python benchmarks/bench_speed.py [--n 300] [--naive-n 40] [--fast-n 20000] [--pairs 1] [--fast-only]
    PYTHONPATH=. python benchmarks/bench_speed.py --seeds-only [--root OTHER_CHECKOUT]

Prints, measured in this one process (ratios are what to compare on a shared machine):
- bare encoder: tokenise + forward, length-sorted, per batch size (the default preset's limit);
- default preset end to end (`run()` into a folder: scores, flags, rollups, JSONL, report),
  its ratio to the bare encoder (--pairs N: N pairs of the two, alternated, one ratio each),
  and one comment at a time through the same scorers;
- fast preset scorers alone and end to end on synthetic comments (benchmarks/synth_comments.py),
  with the run's own choice of worker processes (one, for this input on 2+ cores) and with none;
- `moderate score seeds/` cold in a fresh process for both presets: wall, CPU and peak memory
  (alone with --seeds-only, which also prints the load average before each; --root runs another
  checkout's code, e.g. a detached worktree of main, to alternate base and branch runs).

Comments for the default preset: UCC Globe and Mail comments of 60-100 word pieces from
../shared/data when present, else generated ones (as benchmarks/bench_scoring.py). The load
average is printed before and after: other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rate(n: int, seconds: float, cpu: float | None = None) -> str:
    """Comments per wall second; with `cpu` (this process's CPU seconds, one thread of work)
    also per CPU second, what the rate would be on an idle core of this machine."""
    per_cpu = f"; {n / cpu:,.0f}/s per CPU second" if cpu else ""
    return f"{n / seconds:9.1f} comments/s ({n} in {seconds:.2f} s{per_cpu})"


def _write_jsonl(path: Path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i, text in enumerate(texts, 1):
            row = {"article_id": "a1", "comment_id": f"c{i}", "parent_id": None, "author": f"u{i}", "text": text}
            handle.write(json.dumps(row) + "\n")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (a run's worker processes)."""
    return time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime


def _end_to_end(preset: str, source: Path, n: int, workers: int | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of `run()` over `source` with models already loaded (no cache);
    `workers` as `RunOptions.workers` (None: the run's own choice). CPU includes the workers'."""
    from moderation.moderator import Moderator
    from moderation.run import RunOptions, run
    from moderation.writers import FolderSink

    moderator = Moderator(preset)
    moderator.load_models()
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu = time.perf_counter(), _cpu()
        options = RunOptions(use_cache=False, workers=workers)
        result = run([source], moderator, FolderSink(Path(tmp) / "out"), options)
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    assert result.counts["comments_written"] == n, result.counts
    return seconds, cpu


def _cold_seeds(preset: str, root: Path = ROOT) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of `moderate score seeds/` in a fresh process, run by the
    code of the checkout at `root`."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "moderation.cli", "score", str(root / "seeds"), "-o", tmp, "-p", preset]
        env = {**os.environ, "PYTHONPATH": str(root)}
        started = time.perf_counter()
        # cwd too: `python -m` puts the working directory first on sys.path, before PYTHONPATH
        child = subprocess.Popen(cmd, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"moderate score seeds/ -p {preset} failed ({status})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _fast(n: int) -> None:
    """Prints the fast preset's figures on `n` synthetic comments: scorers alone, end to end
    with the run's own choice of workers and with none, and their ratios."""
    from benchmarks.synth_comments import write_comments
    from moderation.config import load_preset
    from moderation.scoring.pipeline import pipeline_from_preset

    fast = pipeline_from_preset(load_preset("fast"))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "fast.jsonl"
        write_comments(source, n, seed=1)
        fast_texts = [json.loads(line)["text"] for line in source.read_text(encoding="utf-8").splitlines()]
        fast.load()
        started, cpu = time.perf_counter(), time.process_time()
        fast.score(fast_texts)
        fast_scorers_s, fast_scorers_cpu = time.perf_counter() - started, time.process_time() - cpu
        fast_s, fast_cpu = _end_to_end("fast", source, n)
        single_s, single_cpu = _end_to_end("fast", source, n, workers=0)
    print(f"fast preset, scorers alone:         {_rate(n, fast_scorers_s, fast_scorers_cpu)}")
    print(f"fast preset end to end:             {_rate(n, fast_s, fast_cpu)} (workers: auto)")
    print(f"fast preset end to end, --workers 0:{_rate(n, single_s, single_cpu)}")
    print(f"  fast end to end / fast scorers alone:           {fast_scorers_s / fast_s:5.2f}")
    print(f"  fast end to end, auto workers / --workers 0:    {single_s / fast_s:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="comments for the default preset figures")
    parser.add_argument("--naive-n", type=int, default=40, help="comments scored one at a time")
    parser.add_argument("--fast-n", type=int, default=20000, help="synthetic comments for the fast preset")
    parser.add_argument("--batch-sizes", default="16,32,64", help="encoder batch sizes to try")
    parser.add_argument("--fast-only", action="store_true", help="only the fast preset's figures (no torch)")
    parser.add_argument("--pairs", type=int, default=1, help="bare encoder / default end to end pairs, alternated")
    parser.add_argument("--seeds-only", action="store_true", help="only `moderate score seeds/` cold, both presets")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose code --seeds-only runs")
    args = parser.parse_args()
    print(f"{date.today()} {platform.machine()} {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    if args.seeds_only:
        for preset in ("default", "fast"):
            load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else ""
            wall, cpu, rss = _cold_seeds(preset, args.root.resolve())
            print(
                f"{time.strftime('%H:%M:%S')} {args.root.resolve()} moderate score seeds/ -p {preset:7s} cold: "
                f"{wall:5.2f} s wall, {cpu:5.2f} s CPU, {rss:4.0f} MiB peak (load before {load})"
            )
        return
    if args.fast_only:
        _fast(args.fast_n)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
        return

    # Cold start first, before this process has anything loaded that a child could share.
    cold = {preset: _cold_seeds(preset) for preset in ("default", "fast")}

    import torch

    from benchmarks.bench_scoring import TARGET, comments
    from moderation.config import EncoderSpec, load_preset
    from moderation.scoring.encoder import shared_encoder
    from moderation.scoring.pipeline import ScoringPipeline, pipeline_from_preset

    texts = comments(args.n + args.naive_n)
    batched, naive = texts[: args.n], texts[args.n :]
    encoder = shared_encoder(load_preset("default").encoder or EncoderSpec())
    encoder.embed_pieces(batched[:8])  # warm up
    print(f"torch threads {torch.get_num_threads()}; {args.n} comments of 60-100 word pieces")

    bare: dict[int, float] = {}
    configured = encoder.batch_size
    for size in (int(s) for s in args.batch_sizes.split(",")):
        encoder.batch_size = size
        started = time.perf_counter()
        encoder.embed_pieces(batched)
        bare[size] = time.perf_counter() - started
        print(f"bare encoder, batch {size:3d}:            {_rate(args.n, bare[size])}")
    encoder.batch_size = configured
    bare_s = bare.get(configured, min(bare.values()))

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "default.jsonl"
        _write_jsonl(source, batched)
        default_s, _ = _end_to_end("default", source, args.n)
        print(f"default preset end to end:          {_rate(args.n, default_s)}")
        ratios = [bare_s / default_s]
        for _ in range(args.pairs - 1):  # the bare encoder and end to end again, alternated
            started = time.perf_counter()
            encoder.embed_pieces(batched)
            again_bare = time.perf_counter() - started
            again_default, _ = _end_to_end("default", source, args.n)
            ratios.append(again_bare / again_default)
            print(
                f"  again: bare encoder, batch {configured}: {args.n / again_bare:.1f} comments/s, "
                f"default end to end: {args.n / again_default:.1f} comments/s, ratio {ratios[-1]:.2f}"
            )

    default = pipeline_from_preset(load_preset("default"))
    one = ScoringPipeline(default.scorers, batch_size=1)
    started = time.perf_counter()
    for text in naive:
        one.score([text], [TARGET])
    naive_s = time.perf_counter() - started
    print(f"default, one comment at a time:     {_rate(args.naive_n, naive_s)}")

    _fast(args.fast_n)

    print("ratios (same run):")
    print(f"  default end to end / bare encoder (batch {configured}): {' / '.join(f'{r:.2f}' for r in ratios)}")
    print(f"  default batched end to end / one at a time:     {(args.n / default_s) / (args.naive_n / naive_s):5.1f}x")
    for preset, (wall, cpu, rss) in cold.items():
        print(f"moderate score seeds/ -p {preset:7s} cold: {wall:5.1f} s wall, {cpu:5.1f} s CPU, {rss:4.0f} MiB peak")
    print(
        f"load average at the end {os.getloadavg()[0]:.1f}; peak RSS of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
