"""Local run vs `--engine ray` with 1 and 2 scoring actors: comments/s, peak memory per process,
and Ray's overhead, on synthetic comment JSONL (benchmarks/synth_comments.py).

    PYTHONPATH=$PWD python benchmarks/bench_ray.py                       # 20k fast, 2k default
    PYTHONPATH=$PWD python benchmarks/bench_ray.py --cases fast:2000     # a quick look

Each configuration runs in its own process (a fresh local Ray instance with 2 CPUs for the
Ray ones), writing into a temporary folder with the scores cache off. Peak memory: the
driver's own peak RSS, and for Ray the peak RSS (VmHWM) of each worker process of the run's
own Ray instance seen while the run lasts (sampled from /proc every 0.2 s; the scoring actors are the largest).
Each row also carries the 1-minute load average when its configuration started and ended
(`load_1m`), so that figures taken on a shared machine say how shared it was. Linux only. On
a machine shared with other work, times vary: compare rows of one run, and run it twice.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _ray_workers() -> dict[int, tuple[str, int]]:
    """pid -> (process title, peak RSS in KiB) of every worker of this process's own Ray
    instance now alive (children of the raylet this process started: the machine may run
    other people's Ray instances too)."""
    procs: dict[int, tuple[int, str, int]] = {}  # pid -> (parent pid, title, peak KiB)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            fields = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
            procs[int(entry.name)] = (int(fields["PPid"]), title, int(fields.get("VmHWM", "0 kB").split()[0]))
        except (OSError, KeyError, ValueError):
            continue
    ours = {pid for pid, (ppid, _, _) in procs.items() if ppid == os.getpid()}  # the raylet among them
    return {
        pid: (title, kib) for pid, (ppid, title, kib) in procs.items() if ppid in ours and title.startswith("ray::")
    }


def _one(engine: str, actors: int, preset: str, data: Path) -> dict[str, object]:
    """One configuration, in this process; prints a JSON line."""
    from moderation import Moderator
    from moderation.run import RunOptions, run
    from moderation.writers import FolderSink

    load_start = os.getloadavg()[0]
    moderator = Moderator(preset)
    peaks: dict[int, tuple[str, int]] = {}
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        sink = FolderSink(Path(tmp) / "out")
        options = RunOptions(use_cache=False)
        if engine == "local":
            started = time.perf_counter()
            result = run([data], moderator, sink, options)
        else:
            import ray

            from moderation.distributed import RayOptions, run_ray

            ray.init(num_cpus=2, object_store_memory=300 * 1024 * 1024, include_dashboard=False, log_to_driver=False)

            def sample() -> None:
                while not stop.is_set():
                    peaks.update(_ray_workers())
                    time.sleep(0.2)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.perf_counter()
            result = run_ray([data], moderator, sink, options, RayOptions(num_actors=actors))
            stop.set()
            sampler.join()
        seconds = time.perf_counter() - started
    actors_kib = [kib for title, kib in peaks.values() if "ScoreArticles" in title]
    return {
        "engine": engine if engine == "local" else f"ray x{actors}",
        "preset": preset,
        "comments": result.counts["comments_written"],
        "seconds": round(seconds, 1),
        "comments_per_s": round(result.counts["comments_written"] / seconds, 1),
        "driver_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "actor_peak_mb": [round(k / 1024) for k in sorted(actors_kib, reverse=True)],
        "other_ray_workers_peak_mb": max(
            (round(k / 1024) for t, k in peaks.values() if "ScoreArticles" not in t), default=0
        ),
        "stages_s": {k: round(v, 1) for k, v in result.timings.items()},
        "load_1m": [round(load_start, 1), round(os.getloadavg()[0], 1)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", default="fast:20000,default:2000", help="preset:comments,...")
    parser.add_argument("--actors", default="1,2")
    parser.add_argument("--one", nargs=4, metavar=("ENGINE", "ACTORS", "PRESET", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, actors, preset, data = args.one
        print(json.dumps(_one(engine, int(actors), preset, Path(data))), flush=True)
        return
    sys.path.insert(0, str(HERE))
    from synth_comments import write_comments

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE, check=False
    ).stdout.strip()
    import ray

    print(
        f"{time.strftime('%Y-%m-%d %H:%M %Z')} commit {commit or '?'} ray {ray.__version__} "
        f"machine: {os.cpu_count()} CPUs (shared with other work while measured)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases.split(","):
            preset, n = case.split(":")
            data = Path(tmp) / f"comments_{n}.jsonl"
            write_comments(data, int(n), seed=1)
            rows = []
            for engine, actors in [("local", 0)] + [("ray", int(a)) for a in args.actors.split(",")]:
                proc = subprocess.run(
                    [sys.executable, __file__, "--one", engine, str(actors), preset, str(data)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
                if proc.returncode != 0 or not lines:
                    print(f"{preset} {n} {engine} x{actors}: failed\n{proc.stderr[-2000:]}")
                    continue
                row = json.loads(lines[-1])
                rows.append(row)
                print(json.dumps(row), flush=True)
            local = next((r for r in rows if r["engine"] == "local"), None)
            for row in rows:
                if local is not None and row is not local:
                    overhead = row["seconds"] - local["seconds"]
                    print(
                        f"{preset} {n}: {row['engine']} takes {overhead:+.1f} s vs local "
                        f"({row['seconds'] / local['seconds']:.2f}x)"
                    )


if __name__ == "__main__":
    main()
