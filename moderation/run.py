"""The streaming run behind `moderate score`: bounded memory, resumable, nothing lost.

    summary = run(Moderator("fast"), ["comments.jsonl", "pages/"], Path("out"))

Input files are visited lazily, one at a time; their articles are grouped into chunks of
about `chunk_comments` comments (an article is never split: its thread context stays
whole, and a huge article is still scored in pipeline batches), and each chunk goes
through `Moderator.score_articles` (the per-chunk unit of work). Rows are appended to
hidden temporary files which are renamed into place only when the run completes.

Memory: per comment, nothing outlives its chunk. What is kept for the whole run is per
file (input hashes, errors) or per article (ids), plus bounded lists: the top flagged
comments (a heap), the first articles for the terminal table and the first problems.

Resume: with the scores cache (default `OUT_DIR/.cache/scores.sqlite`), each chunk's
scores are committed after its rows are written; a re-run after a kill or Ctrl-C reads
them back instead of scoring again and writes byte-identical JSONL outputs.
"""

from __future__ import annotations

import hashlib
import heapq
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from moderation.analysis.duplicates import DuplicateIndex
from moderation.moderator import (
    ArticleResult,
    CommentResult,
    FileError,
    FileFailed,
    InputFile,
    Moderator,
    expand_paths,
    read_file,
    unique_id,
)
from moderation.cache import ScoresCache
from moderation.errors import ModerationError, ParseError
from moderation.schema import Article
from moderation.parse import jsonl_stream
from moderation.parse.base import DEFAULT_MAX_INPUT_BYTES
from moderation.writers import DATA_FILES, StagedOutputs, remove_stale_temporaries

DEFAULT_CHUNK_COMMENTS = 2000
MAX_PROBLEMS_IN_RUN_JSON = 1000


@dataclass(frozen=True, slots=True)
class RunOptions:
    format: str | None = None
    chunk_comments: int = DEFAULT_CHUNK_COMMENTS
    use_cache: bool = True
    cache_path: Path | None = None  # default: OUT_DIR/.cache/scores.sqlite
    top_flagged: int = 10  # kept in memory for the terminal summary
    report_comments: int = 20_000  # report.html holds every comment up to this many, else a bounded view
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    max_article_rows: int = 50  # articles kept for the terminal table


@dataclass(frozen=True, slots=True)
class Progress:
    bytes_done: int
    bytes_total: int
    comments_done: int


ProgressCallback = Callable[[Progress], None]


@dataclass(slots=True)
class ArticleRow:
    """One line of the terminal's article table."""

    article_id: str
    site: str | None
    title: str | None
    comments: int
    threads: int
    flagged: int
    sentiment_mean: float | None


@dataclass(slots=True)
class RunSummary:
    """What a streaming run did; the rows themselves are in the output files."""

    out_dir: Path
    written: dict[str, Path]
    counts: dict[str, int]
    errors: list[FileError]
    provenance: dict[str, Any]
    timings: dict[str, float]
    top_flagged: list[CommentResult]
    articles: list[ArticleRow]  # the first `max_article_rows` articles

    @property
    def has_fatal_errors(self) -> bool:
        return any(e.fatal for e in self.errors)


class RunInterrupted(ModerationError):
    """Ctrl-C during a run: `comments_saved` comments have their scores in the cache."""

    def __init__(self, comments_saved: int, cache_path: Path | None) -> None:
        super().__init__(f"interrupted; {comments_saved} comments saved")
        self.comments_saved = comments_saved
        self.cache_path = cache_path


@dataclass(slots=True)
class _State:
    bytes_total: int
    bytes_done: int = 0
    inputs: list[InputFile] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, Any]] = field(default_factory=list)
    problem_kinds: Counter[str] = field(default_factory=Counter)
    seen_ids: set[str] = field(default_factory=set)
    articles: list[ArticleRow] = field(default_factory=list)
    flagged_heap: list[tuple[float, int, int, CommentResult]] = field(default_factory=list)
    seq: int = 0


def run(
    moderator: Moderator,
    paths: Iterable[str | Path],
    out_dir: Path,
    options: RunOptions | None = None,
    progress: ProgressCallback | None = None,
) -> RunSummary:
    """Score everything under `paths` into `out_dir`, one chunk at a time."""
    options = options or RunOptions()
    if options.chunk_comments < 1:
        raise ValueError("chunk_comments must be at least 1")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    if out_dir.is_dir():
        remove_stale_temporaries(out_dir)
    files = expand_paths(paths)
    state = _State(bytes_total=sum(_size(p) for p, problem in files if problem is None))
    moderator.max_input_bytes = options.max_input_bytes
    cache_path = (options.cache_path or out_dir / ".cache" / "scores.sqlite") if options.use_cache else None
    cache = ScoresCache(cache_path, moderator.model_fingerprint()) if cache_path is not None else None
    cached = moderator.use_cache(cache)
    staged = StagedOutputs(out_dir, DATA_FILES)
    duplicates = moderator.new_duplicate_index()  # one per run: repeats are found across chunks
    scoring_s = 0.0
    try:
        chunk: list[Article] = []
        n_chunk = 0
        for article in _iter_articles(moderator, files, state, options):
            if chunk and n_chunk + len(article.comments) > options.chunk_comments:
                scoring_s += _flush(moderator, chunk, staged, state, cache, options, progress, duplicates)
                chunk, n_chunk = [], 0
            chunk.append(article)
            n_chunk += len(article.comments)
        if chunk:
            scoring_s += _flush(moderator, chunk, staged, state, cache, options, progress, duplicates)
        if cached is not None:
            state.counts["from_cache"] = cached.from_cache
            state.counts["scored_fresh"] = cached.scored_fresh
        else:
            state.counts["from_cache"] = 0
            state.counts["scored_fresh"] = state.counts["comments_parsed"]
        counts = _final_counts(state)
        timings = {"total_s": time.perf_counter() - started, "score_s": scoring_s}
        top = _sorted_flagged(state)
        provenance = moderator.provenance()
        _write_run_json(staged, provenance, state, counts, timings, cache_path)
        written = staged.publish(DATA_FILES)  # run.json last: its presence marks a finished run
        written["report.html"] = _write_report(out_dir, options.report_comments)
    except KeyboardInterrupt:
        staged.discard()
        raise RunInterrupted(state.counts["comments_saved"], cache_path) from None
    except BaseException:
        staged.discard()
        raise
    finally:
        moderator.use_cache(None)
        if cache is not None:
            cache.close()
    return RunSummary(
        out_dir=out_dir,
        written=written,
        counts=counts,
        errors=state.errors,
        provenance=provenance,
        timings=timings,
        top_flagged=top[: options.top_flagged],
        articles=state.articles,
    )


# --- reading -----------------------------------------------------------------------------


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _iter_articles(
    moderator: Moderator, files: list[tuple[Path, str | None]], state: _State, options: RunOptions
) -> Iterator[Article]:
    for path, problem in files:
        if problem is not None:
            state.errors.append(FileError(str(path), problem))
            continue
        before = state.bytes_done
        if options.format == jsonl_stream.FORMAT or (
            options.format is None and jsonl_stream.looks_like_comment_jsonl(path)
        ):
            yield from _stream_jsonl(path, state)
        else:
            yield from _read_whole(moderator, path, state, options)
        state.bytes_done = before + _size(path)


def _stream_jsonl(path: Path, state: _State) -> Iterator[Article]:
    stats = jsonl_stream.JsonlStats()
    digest = hashlib.sha256()
    ids: list[str] = []
    base = state.bytes_done
    try:
        with path.open("rb") as raw:
            handle = _HashingReader(raw, digest)
            for article in jsonl_stream.iter_articles(handle, str(path), stats):
                ids.append(article.article_id)
                state.bytes_done = base + stats.bytes_read
                yield article
    except ParseError as exc:
        state.errors.append(FileError(str(path), exc.problem))
    except OSError as exc:
        state.errors.append(FileError(str(path), f"cannot read: {exc.strerror or exc}", fatal=not ids))
    finally:
        state.counts["comments_read"] += stats.lines
        state.counts["comments_rejected"] += stats.rejected
    if ids:
        state.inputs.append(InputFile(str(path), digest.hexdigest(), stats.bytes_read, jsonl_stream.FORMAT, tuple(ids)))


class _HashingReader:
    """A binary file whose `readline` feeds every byte read into a hash."""

    def __init__(self, raw: IO[bytes], digest: Any) -> None:
        self._raw = raw
        self._digest = digest

    def readline(self, size: int = -1) -> bytes:
        line = self._raw.readline(size)
        self._digest.update(line)
        return line


def _read_whole(moderator: Moderator, path: Path, state: _State, options: RunOptions) -> Iterator[Article]:
    try:
        articles, record, warnings = read_file(
            path, unique_id(path.stem, state.seen_ids), options.format, options.max_input_bytes
        )
    except FileFailed as exc:
        state.errors.append(exc.error)
        return
    state.errors.extend(warnings)
    state.counts["comments_read"] += sum(len(a.comments) for a in articles)
    state.inputs.append(record)
    articles.reverse()  # hand articles over one by one, dropping each once yielded
    while articles:
        yield articles.pop()


# --- scoring and writing -------------------------------------------------------------------


def _flush(
    moderator: Moderator,
    chunk: list[Article],
    staged: StagedOutputs,
    state: _State,
    cache: ScoresCache | None,
    options: RunOptions,
    progress: ProgressCallback | None,
    duplicates: DuplicateIndex | None,
) -> float:
    """Score one chunk, append its rows, then commit its scores to the cache."""
    started = time.perf_counter()
    results = moderator.score_articles(chunk, duplicates=duplicates)
    elapsed = time.perf_counter() - started
    for result in results:
        _write_article(result, staged, state, options)
    staged.flush()
    if cache is not None:
        cache.commit()
    state.counts["comments_saved"] += sum(len(a.comments) for a in chunk)
    if progress is not None:
        progress(Progress(state.bytes_done, state.bytes_total, state.counts["comments_written"]))
    return elapsed


def _write_article(result: ArticleResult, staged: StagedOutputs, state: _State, options: RunOptions) -> None:
    article = result.article
    counts = state.counts
    counts["documents"] += 1
    counts["comments_parsed"] += len(article.comments)
    staged.write_row("articles.jsonl", result.article_row())
    n_flagged = 0
    for row in result.comments:
        staged.write_row("comments.jsonl", row.to_dict())
        counts["comments_written"] += 1
        if row.scores.error is None:
            counts["comments_scored"] += 1
        else:
            counts["comments_failed"] += 1
        if row.flagged:
            n_flagged += 1
            _keep_flagged(state, row, options.top_flagged)
    counts["comments_flagged"] += n_flagged
    for thread_row in result.thread_rows():
        staged.write_row("threads.jsonl", thread_row)
        counts["threads"] += 1
    for problem in article.problems:
        state.problem_kinds[problem.kind] += 1
        if len(state.problems) < MAX_PROBLEMS_IN_RUN_JSON:
            state.problems.append({"article_id": article.article_id, **problem.to_dict()})
    if len(state.articles) < options.max_article_rows:
        state.articles.append(
            ArticleRow(
                article.article_id,
                article.site,
                article.title,
                len(result.comments),
                len(result.threads),
                n_flagged,
                (result.rollup.get("sentiment") or {}).get("mean"),
            )
        )


def _keep_flagged(state: _State, row: CommentResult, limit: int) -> None:
    """Keep the `limit` most severe flagged comments (earlier ones win ties)."""
    if limit <= 0:
        return
    state.seq += 1
    item = (row.severity, -state.seq, state.seq, row)
    if len(state.flagged_heap) < limit:
        heapq.heappush(state.flagged_heap, item)
    elif item[:2] > state.flagged_heap[0][:2]:
        heapq.heapreplace(state.flagged_heap, item)


def _sorted_flagged(state: _State) -> list[CommentResult]:
    return [item[3] for item in sorted(state.flagged_heap, key=lambda it: (-it[0], it[2]))]


def _final_counts(state: _State) -> dict[str, int]:
    c = state.counts
    fatal = sum(1 for e in state.errors if e.fatal)
    return {
        "files": len(state.inputs) + fatal,
        "files_failed": fatal,
        "documents": c["documents"],
        "comments_read": c["comments_read"],
        "comments_rejected": c["comments_rejected"],
        "comments_parsed": c["comments_parsed"],
        "comments_scored": c["comments_scored"],
        "comments_failed": c["comments_failed"],
        "comments_flagged": c["comments_flagged"],
        "comments_written": c["comments_written"],
        "scored_fresh": c["scored_fresh"],
        "from_cache": c["from_cache"],
        "threads": c["threads"],
    }


def _write_report(out_dir: Path, max_comments: int) -> Path:
    """report.html from the published outputs, bounded: the most severe flagged comments with
    their threads when the run is large (everything is in the JSONL files)."""
    from moderation.report import load_outputs
    from moderation.writers import write_report

    rows = load_outputs(out_dir, max_comments=max_comments)
    return write_report(out_dir / "report.html", rows.articles, rows.comments, rows.threads, rows.run)


def _write_run_json(
    staged: StagedOutputs,
    provenance: dict[str, Any],
    state: _State,
    counts: dict[str, int],
    timings: dict[str, float],
    cache_path: Path | None,
) -> None:
    import json

    body = {
        **provenance,
        "inputs": [i.to_dict() for i in state.inputs],
        "counts": counts,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "errors": [e.to_dict() for e in state.errors],
        "problems": state.problems,
        "problems_total": sum(state.problem_kinds.values()),
        "problems_by_kind": dict(sorted(state.problem_kinds.items())),
        "cache": str(cache_path) if cache_path is not None else None,
    }
    handle = staged.handle("run.json")
    json.dump(body, handle, ensure_ascii=False, indent=2)
    handle.write("\n")
