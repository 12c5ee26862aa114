"""Sinks for a run's rows (in memory, or an output folder published atomically) and the report writer.

An output folder is never left half-written and never loses an earlier run's results:

- `FolderSink.check` refuses, before anything is read or written (UsageError): an output
  path that is a file or cannot be created or written, and an output folder that holds an
  input or lies inside an input folder.
- `open` takes a lock on the folder (`.moderate.lock`; a second run gets OutputBusyError)
  and writes every file into a private staging folder `.staging-*` inside it.
- `finish` renders report.html in the staging folder and renames the files into place,
  run.json last (its presence marks a finished run). When the folder holds an earlier run
  and this one could not read some input, the earlier results are kept and RunNotPublished
  is raised, unless `overwrite`. Files of an earlier run that this run does not produce
  (threads.jsonl and report.html after `moderate parse`) are removed so the folder holds
  one consistent set.
- On any failure (disk full, Ctrl-C, a crash) the staging folder is removed.

With `output_format="parquet"`, articles/comments/threads are also written as Parquet
(`moderation/parquet.py`), from the staged JSONL, before anything is published.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from moderation.errors import ModerationError, OutputBusyError, UsageError
from moderation.schema import OUTPUT_FILES, OUTPUT_ROWS, RunRecord

if TYPE_CHECKING:
    from moderation.moderator import ArticleResult
    from moderation.report.render import CommentPass

LOCK_FILE = ".moderate.lock"
STAGING_PREFIX = ".staging-"
SCORE_FILES = ("articles.jsonl", "comments.jsonl", "threads.jsonl")
PARSE_FILES = ("articles.jsonl", "comments.jsonl")
REPORT_COMMENTS = 20_000  # report.html holds every comment up to this many, else a bounded view
OUTPUT_FORMATS = ("jsonl", "parquet")  # parquet: JSONL plus .parquet copies (moderation/parquet.py)


class RunNotPublished(ModerationError):
    """The run finished but some input could not be read, and the folder holds an earlier run.
    `errors`: the run's input errors (FileError), for the caller to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.errors: list[Any] = []


class Sink(Protocol):
    """Where a run's rows go. `out_dir` is None for a sink that writes no folder. A sink with
    `row_files` takes each chunk's rows rendered (`render_rows`) through `add_lines`, which a
    worker process can do; one without keeps the results themselves (`add`)."""

    out_dir: Path | None
    row_files: tuple[str, ...]

    def check(self, inputs: Sequence[Path]) -> None: ...
    def open(self, report_comments: int = REPORT_COMMENTS) -> None: ...
    def add(self, result: ArticleResult) -> None: ...
    def add_lines(self, lines: Mapping[str, str]) -> None: ...
    def flush(self) -> None: ...
    def finish(self, record: RunRecord, complete: bool) -> dict[str, Path]: ...
    def discard(self) -> None: ...
    def close(self) -> None: ...
    def results(self) -> list[ArticleResult]: ...


class MemorySink:
    """Keeps every `ArticleResult` (what `Moderator.score_paths` returns)."""

    out_dir: Path | None = None
    row_files: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._results: list[ArticleResult] = []

    def check(self, inputs: Sequence[Path]) -> None:
        return None

    def open(self, report_comments: int = REPORT_COMMENTS) -> None:
        self._results = []

    def add(self, result: ArticleResult) -> None:
        self._results.append(result)

    def add_lines(self, lines: Mapping[str, str]) -> None:
        raise TypeError("a memory sink keeps results, not rendered rows")

    def flush(self) -> None:
        return None

    def finish(self, record: RunRecord, complete: bool) -> dict[str, Path]:
        return {}

    def discard(self) -> None:
        return None

    def close(self) -> None:
        return None

    def results(self) -> list[ArticleResult]:
        return self._results


class FolderSink:
    """articles.jsonl, comments.jsonl, threads.jsonl, run.json and report.html in `out_dir`
    (with `parse_only`: articles.jsonl, comments.jsonl and run.json)."""

    def __init__(
        self, out_dir: Path, parse_only: bool = False, overwrite: bool = False, output_format: str = "jsonl"
    ) -> None:
        if output_format not in OUTPUT_FORMATS:
            raise UsageError(f"unknown output format {output_format!r}; known: {', '.join(OUTPUT_FORMATS)}")
        self.out_dir: Path | None = Path(out_dir)
        self.parse_only = parse_only
        self.overwrite = overwrite
        self.output_format = output_format
        self.names = PARSE_FILES if parse_only else SCORE_FILES
        self.row_files: tuple[str, ...] = self.names
        self._lock: IO[bytes] | None = None
        self._staging: Path | None = None
        self._handles: dict[str, IO[str]] = {}
        self._rows: dict[str, int] = {}  # rows written per file
        self._report_comments = REPORT_COMMENTS
        self._report: CommentPass | None = None  # report.html's pass over the comments, as they are written

    @property
    def folder(self) -> Path:
        assert self.out_dir is not None
        return self.out_dir

    def check(self, inputs: Sequence[Path]) -> None:
        out = self.folder
        if self.output_format == "parquet":
            from moderation.parquet import require_pyarrow

            require_pyarrow()
        if out.exists() and not out.is_dir():
            raise UsageError(f"output path {out} is a file, not a folder")
        existing = out
        while not existing.exists():
            if existing.is_symlink():
                raise UsageError(f"output path {existing} is a dangling symbolic link")
            existing = existing.parent
        if not existing.is_dir():
            raise UsageError(f"cannot create output folder {out}: {existing} is not a folder")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise UsageError(f"output folder {out} is not writable")
        out_r = _resolved(out)
        for path in inputs:
            p = _resolved(Path(path))
            if p == out_r or (p.is_dir() and out_r.is_relative_to(p)):
                raise UsageError(f"output folder {out} is inside input {path}; choose an output folder outside it")
            if p.is_relative_to(out_r):
                raise UsageError(f"output folder {out} holds input {path}; choose another output folder")

    def open(self, report_comments: int = REPORT_COMMENTS) -> None:
        """Lock the folder and start staging. `report_comments`: the most comments report.html
        holds (`RunOptions.report_comments`), else it shows a bounded view (`report.load`).
        While comments.jsonl holds no more rows than that, the report's pass over them is made
        as they are written (`report.render.CommentPass`), else at `finish`, from the file."""
        out = self.folder
        try:
            out.mkdir(parents=True, exist_ok=True)
            self._lock = (out / LOCK_FILE).open("ab")
        except OSError as exc:
            raise UsageError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            self._lock = None
            raise OutputBusyError(f"another run is writing to {out}; wait for it to finish") from None
        for stale in out.glob(f"{STAGING_PREFIX}*"):  # left by a killed run (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        for stale in out.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
        self._staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        for name in self.names:
            self._handles[name] = (self._staging / name).open("w", encoding="utf-8", newline="\n")
            self._rows[name] = 0
        self._report_comments = report_comments
        if not self.parse_only:
            from moderation.report.render import CommentPass

            self._report = CommentPass(keep_ids=True)  # whether the page needs the ids is known at the end

    def add(self, result: ArticleResult) -> None:
        self.add_lines(render_rows([result], self.row_files))

    def add_lines(self, lines: Mapping[str, str]) -> None:
        for name, text in lines.items():
            self._handles[name].write(text)
            self._rows[name] += text.count("\n")  # one row a line (JSON escapes line breaks)
        if self._report is not None and "comments.jsonl" in lines:
            if self._rows["comments.jsonl"] > self._report_comments:  # a bounded report: made from the file at the end
                self._report.close()
                self._report = None
            else:
                for line in lines["comments.jsonl"].split("\n")[:-1]:
                    self._report.add(json.loads(line))  # the row as the report would read it back

    def flush(self) -> None:
        for handle in self._handles.values():
            handle.flush()

    def finish(self, record: RunRecord, complete: bool) -> dict[str, Path]:
        out, staging = self.folder, self._staging
        assert staging is not None
        for handle in self._handles.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        if not complete and not self.overwrite and (out / "run.json").exists():
            raise RunNotPublished(
                f"some input could not be read, so the earlier results in {out} were kept; "
                "fix the input or pass --overwrite to replace them"
            )
        with (staging / "run.json").open("w", encoding="utf-8", newline="\n") as handle:
            json.dump(record, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        names = list(self.names)
        if self.output_format == "parquet":
            from moderation.parquet import PARQUET_FILES, write_parquet

            for name in self.names:
                write_parquet(staging / name, staging / PARQUET_FILES[name], OUTPUT_ROWS[name])
                names.append(PARQUET_FILES[name])
        if not self.parse_only:
            from moderation.report.load import view_outputs

            # Counted as written: a run within report_comments is not read to count, and its
            # comments were passed over as they were written; else the bounded view, from the file.
            rows = view_outputs(staging, self._report_comments, n_comments=self._rows["comments.jsonl"])
            comments = self._report if self._report is not None else rows.comments
            write_report(staging / "report.html", rows.articles, comments, rows.threads, rows.run)
            names.append("report.html")
        names.append("run.json")  # last: its presence marks a finished run
        written: dict[str, Path] = {}
        for name in names:
            os.replace(staging / name, out / name)
            written[name] = out / name
        for name in OUTPUT_FILES:  # an earlier run's files this run does not produce
            if name not in written:
                (out / name).unlink(missing_ok=True)
        self.discard()
        return written

    def discard(self) -> None:
        for handle in self._handles.values():
            if not handle.closed:
                handle.close()
        self._handles.clear()
        if self._report is not None:
            self._report.close()
            self._report = None
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    def close(self) -> None:
        self.discard()
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    def results(self) -> list[ArticleResult]:
        return []


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


def render_rows(results: Iterable[ArticleResult], files: Sequence[str]) -> dict[str, str]:
    """The JSONL lines of `files` (of articles.jsonl, comments.jsonl, threads.jsonl) for these
    results, one string per file: what a folder writes, rendered where the chunk was scored."""
    lines: dict[str, list[str]] = {name: [] for name in files}
    articles, comments, threads = (lines.get(name) for name in SCORE_FILES)
    for result in results:
        if articles is not None:
            articles.append(_row_line(result.article_row()))
        if comments is not None:
            comments.extend(_row_line(row.to_dict()) for row in result.comments)
        if threads is not None:
            threads.extend(_row_line(thread) for thread in result.thread_rows())
    return {name: "".join(rows) for name, rows in lines.items()}


def _row_line(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n"


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


def write_report(
    path: Path,
    articles: Iterable[Mapping[str, Any]],
    comments: Iterable[Mapping[str, Any]] | CommentPass,
    threads: Iterable[Mapping[str, Any]],
    run: Mapping[str, Any],
    decisions: Mapping[str, Any] | None = None,
) -> Path:
    """report.html from the output rows (also used by `moderate report DIR`), starting from
    earlier `decisions` ({comment_id: decision}, see `report.decisions.carry_over`).
    `articles` are read more than once: a list, or `report.load.Rows`; `comments` once, or
    the pass over them made as they were written (see `report.render.write_html`)."""
    from moderation.report.render import write_html

    with atomic_open(path) as handle:
        write_html(handle, articles, comments, threads, run, decisions)
    return path
