"""Peak memory of a streaming `moderate score` run as the input grows.

    PYTHONPATH=. python benchmarks/bench_memory.py --sizes 10000 100000 1000000 [--preset fast]
    PYTHONPATH=. python benchmarks/bench_memory.py --sizes --comment-mb 50     # one huge comment

Each size gets a synthetic comment JSONL (benchmarks/synth_comments.py) and one run of
`python -m moderation.cli score FILE -o OUT --preset fast --quiet --no-cache` in its own
subprocess; peak RSS is the largest ru_maxrss of that child or any of its scoring workers
(resource.getrusage(RUSAGE_CHILDREN), read right after each child exits, so each figure is
the largest process so far: sizes run smallest first), one process's peak, not their sum.
Prints one line per size: comments, seconds, comments/s, peak RSS MiB.
With --sample-s S it also prints, every S seconds while a child runs, its resident memory
(VmRSS and VmHWM from /proc) and the comments it has written so far (lines in its staging
comments.jsonl): how memory moves while comments stream, also for a run that is stopped;
and the PSS of the run and its workers together (/proc/PID/smaps_rollup: pages a forked
worker shares with the run count once), whose highest sample ends the size's line.
With --comment-mb N it then runs the same command once more on a Disqus export holding one
comment of N MB and one ordinary comment (the path outside streaming: an export is read whole).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.synth_comments import write_comments


def long_comment_export(path: Path, mb: int) -> None:
    """A Disqus export: one comment of `mb` MB of ordinary words, then a short one."""
    words = "a point made at great length "
    big = words * (mb * 1024 * 1024 // len(words))
    path.write_text(
        '<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="t1"><title>One</title></thread>\n'
        f'<post dsq:id="1"><message><![CDATA[<p>{big}</p>]]></message><thread dsq:id="t1"/></post>\n'
        '<post dsq:id="2"><message>Thanks for a fair piece.</message><thread dsq:id="t1"/></post>\n</disqus>\n',
        encoding="utf-8",
    )


def _status_mib(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _descendants(pid: int) -> list[int]:
    """The processes below `pid` (a run's scoring workers), from each process's parent in /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        below = [p for p, parent in parents.items() if parent == todo[-1]]
        todo.pop()
        found += below
        todo += below
    return found


def _pss_mib(pid: int) -> float:
    """Proportional set size: pages a forked worker shares with the run count once between them."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wait_sampling(proc: subprocess.Popen[bytes], out: Path, every: float | None) -> float:
    """Wait for the child; every `every` seconds print its RSS, its workers' and the comments
    written so far. Returns the highest PSS of the child and its workers together seen in a sample."""
    lines, offset, started, tree_peak = 0, 0, time.perf_counter(), 0.0
    while True:
        try:
            proc.wait(timeout=every)
            return tree_peak
        except subprocess.TimeoutExpired:
            pass
        try:
            rss, hwm = _status_mib(proc.pid, "VmRSS"), _status_mib(proc.pid, "VmHWM")
            workers = _descendants(proc.pid)
            tree = _pss_mib(proc.pid)
            for pid in workers:
                with contextlib.suppress(OSError):  # a worker that just ended
                    tree += _pss_mib(pid)
        except OSError:
            continue
        if math.isnan(rss):  # exited (a zombie has no memory left to show)
            continue
        tree_peak = max(tree_peak, tree)
        staged = sorted(out.glob(".staging-*/comments.jsonl"))
        if staged:
            with staged[0].open("rb") as f:  # count only the lines added since the last look
                f.seek(offset)
                chunk = f.read()
            lines, offset = lines + chunk.count(b"\n"), offset + len(chunk)
        print(
            f"  ... {time.perf_counter() - started:6.0f} s  {lines:>9,} comments written  "
            f"RSS {rss:6.1f} MiB  high-water {hwm:6.1f} MiB  with {len(workers)} workers PSS {tree:6.1f} MiB",
            flush=True,
        )


def measure(
    n: int, preset: str, workdir: Path, cache: bool, data: Path | None = None, sample_s: float | None = None
) -> dict[str, float]:
    if data is None:
        data = workdir / f"comments_{n}.jsonl"
        if not data.exists():
            write_comments(data, n)
    out = workdir / f"out_{data.stem}"
    cmd = [sys.executable, "-m", "moderation.cli", "score", str(data), "-o", str(out), "-p", preset, "--quiet"]
    if not cache:
        cmd.append("--no-cache")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        tree_peak = _wait_sampling(proc, out, sample_s)
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
        if proc.returncode != 0:
            log.seek(0)
            raise SystemExit(f"run failed ({proc.returncode}): {log.read()[-2000:].decode(errors='replace')}")
    counts = json.loads((out / "run.json").read_text(encoding="utf-8"))["counts"]
    return {
        "comments": counts["comments_written"],
        "input_mib": data.stat().st_size / 2**20,
        "seconds": seconds,
        "per_s": counts["comments_written"] / seconds,
        "peak_rss_mib": peak_kib / 1024,
        "tree_pss_mib": tree_peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--cache", action="store_true", help="run with the scores cache (default: --no-cache)")
    parser.add_argument("--sample-s", type=float, default=None, help="print RSS and progress this often")
    parser.add_argument("--comment-mb", type=int, default=None, help="also one export holding a comment this large")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="moderate-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir {workdir}; preset {args.preset}; cache {'on' if args.cache else 'off'}", flush=True)
    for n in sorted(args.sizes):
        r = measure(n, args.preset, workdir, args.cache, sample_s=args.sample_s)
        print(
            f"{r['comments']:>9,} comments  input {r['input_mib']:7.1f} MiB  {r['seconds']:7.1f} s  "
            f"{r['per_s']:6.0f}/s  peak RSS {r['peak_rss_mib']:6.1f} MiB"
            + (f"  (run and workers: highest sampled PSS {r['tree_pss_mib']:.1f} MiB)" if args.sample_s else ""),
            flush=True,
        )
    if args.comment_mb is not None:
        export = workdir / f"long_comment_{args.comment_mb}mb.xml"
        long_comment_export(export, args.comment_mb)
        r = measure(2, args.preset, workdir, args.cache, export, args.sample_s)
        print(
            f"one {args.comment_mb} MB comment + 1: input {r['input_mib']:7.1f} MiB  {r['seconds']:7.1f} s  "
            f"peak RSS {r['peak_rss_mib']:6.1f} MiB (the largest child so far)",
            flush=True,
        )


if __name__ == "__main__":
    main()
