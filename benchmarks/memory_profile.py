"""Where a streaming run's memory goes: tracemalloc's largest live allocation sites.

    PYTHONPATH=. python benchmarks/memory_profile.py 50000 [--preset fast] [--top 15]
    PYTHONPATH=. python benchmarks/memory_profile.py --report OUT [--report-comments 20000]

Runs `moderation` in this process on a synthetic comment JSONL (benchmarks/synth_comments.py)
with tracemalloc on (several times slower than a plain run), then prints, by source line,
the Python allocations still alive after scoring (what grows with the input) and the peak
of traced memory while scoring and while writing the report. Native allocations outside
Python's allocator (torch, SQLite's page cache, libxml2) are not traced: compare with
bench_memory.py's peak RSS.

With --report OUT it only rebuilds report.html of the finished output folder OUT (into a
temporary file) the way a run does, capped at --report-comments, and prints the peak of
traced memory, the largest allocation sites at that peak, and how far the process's peak
RSS rose while it ran.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.synth_comments import write_comments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("comments", type=int, nargs="?")
    parser.add_argument("--report", type=Path, default=None, help="profile only the report of this output folder")
    parser.add_argument("--report-comments", type=int, default=20_000)
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if args.report is not None:
        profile_report(args.report, args.report_comments, args.top)
        return
    if args.comments is None:
        parser.error("give a number of comments, or --report OUT")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="moderate-memprof-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"comments_{args.comments}.jsonl"
    if not data.exists():
        write_comments(data, args.comments)

    import moderation.report.load as report
    from moderation.moderator import Moderator
    from moderation.run import RunOptions, run
    from moderation.writers import FolderSink

    moderator = Moderator(args.preset)
    moderator.pipeline.info()  # load the models before tracing starts
    phases: dict[str, tuple[float, tracemalloc.Snapshot | None]] = {}
    view_outputs = report.view_outputs

    def traced_view(out_dir: Path, max_comments: int | None = None, **kwargs: Any) -> report.OutputsView:
        phases["scoring"] = (tracemalloc.get_traced_memory()[1], tracemalloc.take_snapshot())
        tracemalloc.reset_peak()
        return view_outputs(out_dir, max_comments=max_comments, **kwargs)

    report.view_outputs = traced_view  # the report is written from the staged rows
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


def profile_report(out: Path, cap: int, top: int) -> None:
    """Rebuild OUT's report as a run does (capped view, streamed page) with tracemalloc on;
    the snapshot taken when the traced memory was highest shows what the report holds."""
    import moderation.report.render as render
    from moderation.report.load import view_outputs
    from moderation.writers import write_report

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best: list[Any] = [0, None]
    write_html = render.write_html

    def sampled(handle: Any, *args: Any, **kwargs: Any) -> None:
        class Watch:  # a snapshot whenever traced memory reaches a new high, checked at each write
            def write(self, text: str) -> int:
                now = tracemalloc.get_traced_memory()[0]
                if now > best[0] * 1.02:
                    best[0], best[1] = now, tracemalloc.take_snapshot()
                return handle.write(text)

        write_html(Watch(), *args, **kwargs)

    render.write_html = sampled
    tracemalloc.start(1)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rows = view_outputs(out, max_comments=cap)
        path = write_report(Path(tmp) / "report.html", rows.articles, rows.comments, rows.threads, rows.run)
        size = path.stat().st_size
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report of {out} (cap {cap:,}): {size / 2**20:.1f} MiB written in {seconds:.0f} s traced")
    print(f"peak traced memory while writing the report: {peak / 2**20:.1f} MiB")
    print(f"peak RSS {rss_before:.1f} MiB before, {rss_after:.1f} MiB after (+{rss_after - rss_before:.1f} MiB)")
    if best[1] is not None:
        stats = best[1].filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)]).statistics("lineno")
        print(f"largest sites at the highest write ({best[0] / 2**20:.1f} MiB traced):")
        for stat in stats[:top]:
            frame = stat.traceback[0]
            print(f"  {stat.size / 2**20:8.2f} MiB {stat.count:>9,} blocks  {frame.filename}:{frame.lineno}")


if __name__ == "__main__":
    main()
