"""Soak every reader (and the streaming JSONL reader) with damaged inputs for a time budget.

    PYTHONPATH=. python benchmarks/fuzz_readers.py --seconds 600 [--seed 1] [--save crashes/]

Inputs are the seeds and test fixtures, damaged 1-4 times each (truncation, byte flips,
NULs, Latin-1 splices, repeated lines, junk blocks), plus pure random bytes. A reader
passes an input when it returns articles or raises ParseError within --timeout seconds.
Prints how many inputs ran per reader and every failure (type and message), and saves
failing inputs under --save. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from moderation.parse.detect import READERS
from tests.fuzz_inputs import ReaderTimeout, mutate, read_with, sample_files, stream_jsonl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds one reader may spend on one input")
    parser.add_argument("--save", type=Path, default=None, help="folder for failing inputs")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    samples = sample_files()
    runs: Counter[str] = Counter()
    failures: dict[str, tuple[str, bytes]] = {}
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        if rng.random() < 0.1:
            data = rng.randbytes(rng.randint(0, 8192))
        else:
            data = rng.choice(samples)
            for _ in range(rng.randint(1, 4)):
                data = mutate(data, rng)
        checks = [(r.name, lambda d, r=r: read_with(r, d, args.timeout)) for r in READERS]
        checks.append(("jsonl(stream)", lambda d: stream_jsonl(d, args.timeout)))
        for name, check in checks:
            runs[name] += 1
            try:
                check(data)
            except (Exception, ReaderTimeout) as exc:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                signature = f"{name}: {type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
                if signature not in failures:
                    failures[signature] = (str(exc)[:200], data)
                    print(f"FAIL {signature}: {str(exc)[:200]}", flush=True)
    for name, n in sorted(runs.items()):
        print(f"{name}: {n} inputs")
    print(
        f"{sum(runs.values())} reader runs on {max(runs.values(), default=0)} inputs; {len(failures)} distinct failures"
    )
    if args.save is not None and failures:
        args.save.mkdir(parents=True, exist_ok=True)
        for signature, (_, data) in failures.items():
            name = hashlib.sha256(signature.encode()).hexdigest()[:12]
            (args.save / f"{name}.bin").write_bytes(data)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
