"""Read a run's output records back from disk, for `moderate report DIR`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.errors import InputError


@dataclass(slots=True)
class Outputs:
    """The rows of one output folder, exactly as the writers wrote them."""

    articles: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    threads: list[dict[str, Any]]
    run: dict[str, Any]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"line {n} is not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise InputError(str(path), f"line {n} is not a JSON object")
            rows.append(row)
    return rows


def load_outputs(out_dir: Path | str) -> Outputs:
    """articles.jsonl, comments.jsonl, threads.jsonl and run.json from `out_dir`.

    articles and comments are required; a missing threads.jsonl or run.json reads as empty
    (a `moderate parse` folder has neither).
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise InputError(str(out_dir), "not a folder")
    for name in ("articles.jsonl", "comments.jsonl"):
        if not (out_dir / name).is_file():
            raise InputError(str(out_dir), f"no {name} (run `moderate score` first)")
    threads_path = out_dir / "threads.jsonl"
    run_path = out_dir / "run.json"
    run: dict[str, Any] = {}
    if run_path.is_file():
        try:
            loaded = json.loads(run_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(str(run_path), f"not JSON ({exc.msg})") from None
        if not isinstance(loaded, dict):
            raise InputError(str(run_path), "not a JSON object")
        run = loaded
    return Outputs(
        articles=_read_jsonl(out_dir / "articles.jsonl"),
        comments=_read_jsonl(out_dir / "comments.jsonl"),
        threads=_read_jsonl(threads_path) if threads_path.is_file() else [],
        run=run,
    )
