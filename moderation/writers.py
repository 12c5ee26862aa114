"""Write a run's results: JSONL files, run.json and the HTML report, each atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from moderation.moderator import ParsedRun, RunResult

OUTPUT_FILES = ("articles.jsonl", "comments.jsonl", "threads.jsonl", "report.html", "run.json")
# What a streaming run stages and publishes together (run.json last); the report follows.
DATA_FILES = ("articles.jsonl", "comments.jsonl", "threads.jsonl", "run.json")


@contextmanager
def atomic_open(path: Path) -> Iterator[IO[str]]:
    """Write to a temporary file beside `path`, then rename: a killed run leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_open(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=False))
            handle.write("\n")
            n += 1
    return n


def write_json(path: Path, obj: dict[str, Any]) -> None:
    with atomic_open(path) as handle:
        json.dump(obj, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def write_parsed(parsed: ParsedRun, out_dir: Path) -> dict[str, Path]:
    """`moderate parse`: articles.jsonl and comments.jsonl without scores."""
    articles = out_dir / "articles.jsonl"
    comments = out_dir / "comments.jsonl"
    write_jsonl(articles, (a.to_dict() for a in parsed.articles))
    write_jsonl(comments, (c.to_dict() for a in parsed.articles for c in a.comments))
    return {"articles": articles, "comments": comments}


def write_run(run: RunResult, out_dir: Path) -> dict[str, Path]:
    """`moderate score`: every file of the output contract; the report is rendered from the same rows."""
    paths = {name: out_dir / name for name in OUTPUT_FILES}
    article_rows = [a.article_row() for a in run.articles]
    comment_rows = [c.to_dict() for c in run.comments]
    thread_rows = [row for a in run.articles for row in a.thread_rows()]
    write_jsonl(paths["articles.jsonl"], article_rows)
    n_written = write_jsonl(paths["comments.jsonl"], comment_rows)
    write_jsonl(paths["threads.jsonl"], thread_rows)
    counts = {**run.counts(), "comments_written": n_written}
    run_row = {
        **run.provenance,
        "inputs": [i.to_dict() for i in run.inputs],
        "counts": counts,
        "timings": {k: round(v, 3) for k, v in run.timings.items()},
        "errors": [e.to_dict() for e in run.errors],
        "problems": [
            {"article_id": a.article.article_id, **p.to_dict()} for a in run.articles for p in a.article.problems
        ],
    }
    write_json(paths["run.json"], run_row)
    write_report(paths["report.html"], article_rows, comment_rows, thread_rows, run_row)
    return paths


def write_report(
    path: Path,
    articles: list[dict[str, Any]],
    comments: list[dict[str, Any]],
    threads: list[dict[str, Any]],
    run: dict[str, Any],
) -> Path:
    """report.html from the output rows (also used by `moderate report DIR`)."""
    from moderation.report import render_report

    with atomic_open(path) as handle:
        handle.write(render_report(articles, comments, threads, run))
    return path


class StagedOutputs:
    """Output files written incrementally into temporary files, renamed into place together.

    Until `publish()`, only hidden `.<name>.*.tmp` files exist, so a killed run never
    leaves a half-written file under a final name. `publish()` renames run.json last:
    its presence marks a finished run. `discard()` removes the temporary files.
    """

    def __init__(self, out_dir: Path, names: Iterable[str]) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self._tmp: dict[str, Path] = {}
        self._handles: dict[str, IO[str]] = {}
        for name in names:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            self._tmp[name] = Path(tmp)
            self._handles[name] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def handle(self, name: str) -> IO[str]:
        return self._handles[name]

    def write_row(self, name: str, row: dict[str, Any]) -> None:
        handle = self._handles[name]
        handle.write(json.dumps(row, ensure_ascii=False, sort_keys=False))
        handle.write("\n")

    def flush(self) -> None:
        for handle in self._handles.values():
            handle.flush()

    def publish(self, order: Iterable[str]) -> dict[str, Path]:
        for handle in self._handles.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        final: dict[str, Path] = {}
        for name in order:
            final[name] = self.out_dir / name
            os.replace(self._tmp.pop(name), final[name])
        self.discard()
        return final

    def discard(self) -> None:
        for handle in self._handles.values():
            if not handle.closed:
                handle.close()
        for tmp in self._tmp.values():
            tmp.unlink(missing_ok=True)
        self._tmp.clear()


def remove_stale_temporaries(out_dir: Path, names: Iterable[str] = OUTPUT_FILES) -> int:
    """Delete `.<name>.*.tmp` files a killed run left in `out_dir`; how many were removed."""
    removed = 0
    for name in names:
        for stale in out_dir.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed
