"""Where a streaming run's memory goes: tracemalloc's largest live allocation sites.

    PYTHONPATH=. python benchmarks/memory_profile.py 50000 [--preset fast] [--top 15]

Runs `moderation` in this process on a synthetic comment JSONL (benchmarks/synth_comments.py)
with tracemalloc on (several times slower than a plain run), then prints, by source line,
the Python allocations still alive after scoring (what grows with the input) and the peak
of traced memory while scoring and while writing the report. Native allocations outside
Python's allocator (torch, SQLite's page cache, libxml2) are not traced: compare with
bench_memory.py's peak RSS.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.synth_comments import write_comments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("comments", type=int)
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="moderate-memprof-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"comments_{args.comments}.jsonl"
    if not data.exists():
        write_comments(data, args.comments)

    import moderation.report as report
    from moderation.moderator import Moderator
    from moderation.run import RunOptions, run
    from moderation.writers import FolderSink

    moderator = Moderator(args.preset)
    moderator.pipeline.info()  # load the models before tracing starts
    phases: dict[str, tuple[float, tracemalloc.Snapshot | None]] = {}
    load_outputs = report.load_outputs

    def traced_load(out_dir: Path, max_comments: int | None = None) -> report.Outputs:
        phases["scoring"] = (tracemalloc.get_traced_memory()[1], tracemalloc.take_snapshot())
        tracemalloc.reset_peak()
        return load_outputs(out_dir, max_comments=max_comments)

    report.load_outputs = traced_load  # the report is written from the published rows
    tracemalloc.start(1)
    started = time.perf_counter()
    summary = run([data], moderator, FolderSink(workdir / "out"), RunOptions(use_cache=False))
    seconds = time.perf_counter() - started
    phases["report"] = (tracemalloc.get_traced_memory()[1], None)
    tracemalloc.stop()
    print(f"{summary.counts['comments_written']:,} comments, {seconds:.0f} s traced; preset {args.preset}")
    for phase, (peak, _snap) in phases.items():
        print(f"peak traced memory while {phase}: {peak / 2**20:.1f} MiB")
    snapshot = phases["scoring"][1]
    assert snapshot is not None
    stats = snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)]).statistics("lineno")
    total = sum(s.size for s in stats)
    print(f"live after scoring: {total / 2**20:.1f} MiB in {sum(s.count for s in stats):,} blocks; largest sites:")
    for stat in stats[: args.top]:
        frame = stat.traceback[0]
        print(f"  {stat.size / 2**20:8.2f} MiB {stat.count:>9,} blocks  {frame.filename}:{frame.lineno}")


if __name__ == "__main__":
    main()
