"""Soak every reader (and the streaming JSONL reader) with damaged and hostile inputs.

    PYTHONPATH=. python benchmarks/fuzz_readers.py --inputs 100000 [--seconds 7200] [--seed 1]
        [--readers disqus,wordpress] [--save crashes/]

Each generated input goes to every selected reader. Inputs: the seeds and test fixtures
damaged 1-4 times (truncation, byte flips, NULs, Latin-1 splices, repeated lines, junk
blocks, terminal escape sequences raw or as character references, unbroken words of up to
200,000 letters), pure random bytes, Disqus and WordPress exports whose comments hide a
marker word in markup (tags nested up to 300 deep, entities, inline XHTML, CDATA) under
colliding post and comment ids, and comment JSONL with colliding ids and cyclic parents.

A reader passes an input when it returns articles or raises ParseError within --timeout
seconds of CPU time plus --timeout-per-mb for each MB of the input (a loaded machine does
not fail it, nor does a linear reader on a 200 MB input; a quadratic one still does);
anything else is a crash. For the generated exports the reader of that format must also
return every marker word ("lost text"), and for colliding JSONL every row's text. Prints the
inputs run per reader, every distinct failure, and a last line with the totals; saves each
failing input under --save as soon as it fails. `--replay FILE...` runs the selected readers
on saved inputs instead. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from moderation.errors import ParseError
from moderation.parse.detect import READERS
from tests.fuzz_inputs import (
    ReaderTimeout,
    colliding_jsonl,
    hidden_text_export,
    mutate_hostile,
    read_with,
    sample_files,
    stream_jsonl,
    texts_of,
)

STREAM = "jsonl(stream)"


def generate(rng: random.Random, samples: list[bytes]) -> tuple[str, bytes, str | None, list[str]]:
    """(kind, data, reader that must keep `expected` texts, expected texts)."""
    roll = rng.random()
    if roll < 0.1:
        return "random", rng.randbytes(rng.randint(0, 8192)), None, []
    if roll < 0.2:
        fmt, data, markers = hidden_text_export(rng)
        return "hidden_text", data, fmt, markers
    if roll < 0.25:
        data = colliding_jsonl(rng)
        texts = [json.loads(line)["text"] for line in data.decode().splitlines()]
        return "colliding_jsonl", data, "jsonl", texts
    data = rng.choice(samples)
    for _ in range(rng.randint(1, 4)):
        data = mutate_hostile(data, rng)
    return "damaged", data, None, []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=None, help="stop after this many inputs")
    parser.add_argument("--seconds", type=float, default=60.0, help="stop after this long (whichever comes first)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0, help="CPU seconds one reader may spend on one input")
    parser.add_argument("--timeout-per-mb", type=float, default=1.0, help="more CPU seconds per MB of that input")
    parser.add_argument("--readers", default=None, help=f"comma-separated subset of: {', '.join(_names())}")
    parser.add_argument("--save", type=Path, default=None, help="folder for failing inputs")
    parser.add_argument("--replay", type=Path, nargs="+", default=None, help="run these saved inputs instead")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    samples = sample_files()
    checks = _checks(args.timeout, args.timeout_per_mb, args.readers)
    runs: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    failures: dict[str, tuple[str, bytes]] = {}
    started = time.monotonic()
    n = 0
    replay = list(args.replay or [])
    while time.monotonic() - started < args.seconds and (args.inputs is None or n < args.inputs):
        if args.replay is not None and not replay:
            break
        kind, data, keeper, expected = (
            ("replay", replay.pop(0).read_bytes(), None, []) if args.replay is not None else generate(rng, samples)
        )
        n += 1
        kinds[kind] += 1
        for name, check in checks:
            runs[name] += 1
            try:
                result = check(data)
            except (Exception, ReaderTimeout) as exc:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                at = f"{Path(where.filename).name}:{where.lineno}"
                _fail(failures, f"{name}: {type(exc).__name__} at {at}", exc, data, args.save)
                continue
            if name in (keeper, STREAM if keeper == "jsonl" else None):
                text = texts_of(result)
                lost = [t for t in expected if t not in text]
                if lost or isinstance(result, ParseError):
                    _fail(failures, f"{name}: lost text in {kind}", ValueError(f"{len(lost)} lost"), data, args.save)
        if n % 5000 == 0:
            print(f"... {n} inputs, {time.monotonic() - started:.0f} s, {len(failures)} failures", flush=True)
    for name, count in sorted(runs.items()):
        print(f"{name}: {count} inputs")
    print("inputs by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(
        f"{n} inputs, {sum(runs.values())} reader runs in {time.monotonic() - started:.0f} s; "
        f"{len(failures)} distinct failures"
    )
    return 1 if failures else 0


def _names() -> list[str]:
    return [r.name for r in READERS] + [STREAM]


def _checks(timeout: float, per_mb: float, selected: str | None) -> list[tuple[str, Callable[[bytes], object]]]:
    def limit(data: bytes) -> float:
        return timeout + per_mb * len(data) / 2**20

    checks: list[tuple[str, Callable[[bytes], object]]] = [
        (r.name, lambda d, r=r: read_with(r, d, limit(d))) for r in READERS
    ]
    checks.append((STREAM, lambda d: stream_jsonl(d, limit(d))))
    if selected:
        wanted = set(selected.split(","))
        unknown = wanted - set(_names())
        if unknown:
            raise SystemExit(f"unknown reader(s): {', '.join(sorted(unknown))}; known: {', '.join(_names())}")
        checks = [c for c in checks if c[0] in wanted]
    return checks


def _fail(
    failures: dict[str, tuple[str, bytes]], signature: str, exc: BaseException, data: bytes, save: Path | None
) -> None:
    if signature in failures:
        return
    failures[signature] = (str(exc)[:200], b"")
    saved = ""
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        path = save / f"{hashlib.sha256(signature.encode()).hexdigest()[:12]}.bin"
        path.write_bytes(data)
        saved = f" (input of {len(data):,} bytes saved as {path})"
    print(f"FAIL {signature}: {str(exc)[:200]}{saved}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
