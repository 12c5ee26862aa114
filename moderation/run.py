"""The one orchestrator: inputs -> unique articles -> scores -> analysis -> a sink.

    result = run(["comments.jsonl", "pages/"], Moderator("fast"), FolderSink(Path("out")))
    result = run(["seeds/"], Moderator("fast"), MemorySink())   # what `Moderator.score_paths` does
    result = run(["seeds/"], None, FolderSink(Path("out"), parse_only=True))   # `moderate parse`

Articles come from `moderation.parse.inputs.iter_articles` (the one reading path; ids
unique across the run) and are grouped into chunks of about `chunk_comments` comments (an
article is never split). Each chunk is scored by `Moderator.score_articles` with this run's
scorer (the pipeline, behind the scores cache when there is one) and this run's duplicate
index: per-run state lives in `RunContext`, never in the Moderator. Counts, run.json and
the progress callback are defined here once (`moderation.distributed` reuses them for
`--engine ray`); sinks only store rows.

Memory: per comment, nothing outlives its chunk in a folder run; kept for the whole run: per
file (hashes, errors) or per article (ids), bounded lists (top flagged, articles, problems).

Resume: the scores cache (default `OUT_DIR/.cache/scores.sqlite`) commits each chunk's scores after
its rows are written; a re-run after a kill or Ctrl-C reads them back, writing identical JSONL.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moderation import __version__
from moderation.disk_index import SqliteCopyStore, SqliteDuplicateStore
from moderation.errors import ModerationError
from moderation.parse.base import DEFAULT_MAX_INPUT_BYTES
from moderation.parse.copies import CopyIndex
from moderation.parse.detect import check_format
from moderation.parse.inputs import FileError, InputFile, ReadState, input_bytes, iter_articles, list_inputs
from moderation.prefetch import ChunkOutput, InProcess, ScoredChunk, WorkerPool
from moderation.run_record import publish
from moderation.schema import Article, RunRecord
from moderation.scoring.registry import is_neural
from moderation.tally import MAX_PROBLEMS_IN_RUN_JSON, ArticleRow, Figures, TallyLimits, add
from moderation.writers import REPORT_COMMENTS, MemorySink, RunNotPublished, Sink

if TYPE_CHECKING:
    from moderation.analysis.duplicates import DuplicateIndex
    from moderation.cache import ScoresCache
    from moderation.moderator import ArticleResult, CommentResult, Moderator
    from moderation.parse.inputs import InputEntry

DEFAULT_CHUNK_COMMENTS = 2000
AUTO_WORKER_BYTES = 4 << 20  # inputs below this are scored in the run's process unless told otherwise
MAX_AUTO_WORKERS = 8  # the run's process reads and writes for all of them


@dataclass(frozen=True, slots=True)
class RunOptions:
    format: str | None = None
    chunk_comments: int = DEFAULT_CHUNK_COMMENTS
    use_cache: bool | None = None  # None: on for a folder sink, off in memory
    cache_path: Path | None = None  # default: OUT_DIR/.cache/scores.sqlite
    top_flagged: int = 10  # kept in memory for the terminal summary
    report_comments: int = REPORT_COMMENTS  # report.html holds every comment up to this many, else a bounded view
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    max_article_rows: int = 50  # articles kept for the terminal table
    workers: int | None = None  # scoring processes beside the run (moderation/prefetch.py); None: auto


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a run stands: input bytes read of all, comments written so far."""

    bytes_done: int
    bytes_total: int
    comments_done: int


ProgressCallback = Callable[[Progress], None]
StageCallback = Callable[[str], None]  # "loading models" before the first chunk, then "scoring"


@dataclass(slots=True)
class RunResult:
    """What a run did. `articles` holds every result for a memory sink (empty for a folder,
    whose rows are in the files); `record` is run.json as written."""

    counts: dict[str, int]
    errors: list[FileError]
    inputs: list[InputFile]
    provenance: dict[str, Any]
    timings: dict[str, float]
    record: RunRecord
    top_flagged: list[CommentResult]
    article_rows: list[ArticleRow]
    articles: list[ArticleResult] = field(default_factory=list)
    written: dict[str, Path] = field(default_factory=dict)
    out_dir: Path | None = None

    @property
    def has_fatal_errors(self) -> bool:
        return any(e.fatal for e in self.errors)

    @property
    def comments(self) -> list[CommentResult]:
        return [c for a in self.articles for c in a.comments]

    def review_queue(self) -> list[CommentResult]:
        """Flagged comments, most severe first (source order among equals)."""
        return sorted((c for c in self.comments if c.flagged), key=lambda c: -c.severity)


class RunInterrupted(ModerationError):
    """Ctrl-C during a run: `comments_saved` comments have their scores in the cache."""

    def __init__(self, comments_saved: int, cache_path: Path | None) -> None:
        super().__init__(f"interrupted; {comments_saved} comments saved")
        self.comments_saved = comments_saved
        self.cache_path = cache_path


@dataclass(slots=True, kw_only=True)
class RunContext(Figures):
    """Per-run state, passed explicitly: reading, the scorer (behind the cache), duplicates, and
    the run's figures (`Figures`: counts, problems, languages, ...)."""

    read: ReadState
    scorer: Any = None  # the moderator's pipeline or a CachedPipeline in front of it; None: parse only
    cache: ScoresCache | None = None
    cache_path: Path | None = None
    duplicates: DuplicateIndex | None = None
    duplicate_store: SqliteDuplicateStore | None = None
    copy_store: SqliteCopyStore | None = None  # the originals of comments other exports also carry
    flagged_heap: list[tuple[float, int, CommentResult]] = field(default_factory=list)  # see tally.keep_severe
    seq: int = 0


def run(
    inputs: Iterable[str | Path],
    moderator: Moderator | None,
    sink: Sink | None = None,
    options: RunOptions | None = None,
    progress: ProgressCallback | None = None,
    stage: StageCallback | None = None,
) -> RunResult:
    """Read, score and flag everything under `inputs` into `sink` (default: in memory).

    With `moderator=None` the run only parses (no scores, flags or threads file). Bad usage
    (missing input, empty folder, unknown format, unusable output folder) raises UsageError
    before anything is read or written."""
    options = options or RunOptions()
    sink = sink if sink is not None else MemorySink()
    if options.chunk_comments < 1:
        raise ValueError("chunk_comments must be at least 1")
    check_format(options.format)
    paths = [Path(p) for p in inputs]
    entries = list_inputs(paths, skip=sink.out_dir)
    sink.check(paths)
    started = time.perf_counter()
    sink.open(options.report_comments)
    ctx = RunContext(read=ReadState())
    models: InProcess | WorkerPool = InProcess(None, None, ChunkOutput(tally_limits(options), sink.row_files))
    try:
        load_s = 0.0
        if moderator is not None:
            if stage is not None:
                stage("loading models")
            _start_scoring(ctx, moderator, sink, options)
            models = _models_part(moderator, ctx, options, entries, sink.row_files)
            load_s = _load_models(models)
            if stage is not None:
                stage("scoring")
        scoring_s = 0.0
        chunk: list[Article] = []
        n_chunk = 0
        ctx.copy_store = SqliteCopyStore()  # one per run, on disk: copies are found across chunks
        copies = CopyIndex(ctx.copy_store)
        for article in iter_articles(entries, ctx.read, options.format, options.max_input_bytes):
            copies.mark(article)  # in run order, before scoring: a copy is never scored
            if chunk and n_chunk + len(article.comments) > options.chunk_comments:
                scoring_s += _flush(partial(_submit, models, chunk, moderator, ctx), sink, ctx, options, progress)
                chunk, n_chunk = [], 0
            chunk.append(article)
            n_chunk += len(article.comments)
        if chunk:
            scoring_s += _flush(partial(_submit, models, chunk, moderator, ctx), sink, ctx, options, progress)
        scoring_s += _flush(models.drain, sink, ctx, options, progress)
        models.close()
        timings = {"total_s": time.perf_counter() - started, "load_s": load_s, "score_s": scoring_s}
        provenance = moderator.provenance() if moderator is not None else _parse_provenance()
        counts, record, written = publish(ctx, sink, provenance, timings)
    except RunNotPublished as exc:
        exc.errors = ctx.read.errors
        sink.discard()
        raise
    except KeyboardInterrupt:
        sink.discard()
        raise RunInterrupted(ctx.counts["comments_saved"], ctx.cache_path) from None
    except BaseException:
        sink.discard()
        raise
    finally:
        models.close(failed=True)  # a no-op after the normal close above
        if ctx.cache is not None:
            ctx.cache.close()
        if ctx.duplicate_store is not None:
            ctx.duplicate_store.close()
        if ctx.copy_store is not None:
            ctx.copy_store.close()
        sink.close()
    return run_result(ctx, sink, counts, provenance, timings, record, written)


def _load_models(models: InProcess | WorkerPool) -> float:
    """Load the preset's models (here or in the workers) before the first chunk; the seconds it took."""
    started = time.perf_counter()
    models.start()
    return time.perf_counter() - started


def tally_limits(options: RunOptions) -> TallyLimits:
    return TallyLimits(options.top_flagged, options.max_article_rows, MAX_PROBLEMS_IN_RUN_JSON)


def _models_part(
    moderator: Moderator,
    ctx: RunContext,
    options: RunOptions,
    entries: list[InputEntry],
    row_files: tuple[str, ...] = (),
) -> InProcess | WorkerPool:
    """Where chunks are scored: in this process, or ahead of it in worker processes (see
    `RunOptions.workers`; auto: one worker per core, up to `MAX_AUTO_WORKERS`, on a machine
    with two cores or more, for a preset without neural models and an input of several chunks:
    the run's own process mostly waits for them)."""
    neural = any(is_neural(s.name) for s in moderator.preset.scorers)
    workers = options.workers
    if workers is None:
        size = input_bytes(entries)
        cores = os.cpu_count() or 1
        workers = min(cores, MAX_AUTO_WORKERS) if not neural and cores >= 2 and size >= AUTO_WORKER_BYTES else 0
    output = ChunkOutput(tally_limits(options), row_files)
    if workers <= 0:
        return InProcess(moderator, ctx.scorer, output)
    cache = (ctx.cache_path, ctx.cache.fingerprint) if ctx.cache is not None and ctx.cache_path is not None else None
    return WorkerPool(moderator, workers, cache, neural, output)


def _start_scoring(ctx: RunContext, moderator: Moderator, sink: Sink, options: RunOptions) -> None:
    from moderation.cache import CachedPipeline, ScoresCache

    use_cache = options.use_cache if options.use_cache is not None else sink.out_dir is not None
    pipeline = moderator.pipeline
    if use_cache:
        default = sink.out_dir / ".cache" / "scores.sqlite" if sink.out_dir is not None else None
        ctx.cache_path = options.cache_path or default
    if ctx.cache_path is not None:
        ctx.cache = ScoresCache(ctx.cache_path, moderator.model_fingerprint())
        if ctx.cache.notice is not None:  # an unusable cache file was set aside and a new one started
            ctx.read.errors.append(FileError(str(ctx.cache_path), ctx.cache.notice, fatal=False))
        ctx.scorer = CachedPipeline(pipeline, ctx.cache)
    else:
        ctx.scorer = pipeline
    # One index per run (repeats are found across chunks), kept on disk: memory stays flat.
    ctx.duplicate_store = SqliteDuplicateStore()
    ctx.duplicates = moderator.new_duplicate_index(ctx.duplicate_store)


def _parse_provenance() -> dict[str, Any]:
    return {"package": "moderate", "version": __version__, "preset": None, "models": []}


def _submit(
    models: InProcess | WorkerPool, chunk: list[Article], moderator: Moderator | None, ctx: RunContext
) -> list[ScoredChunk]:
    """Find the chunk's duplicates with the run's index (in run order, here), then hand it over."""
    found = moderator.find_duplicates(chunk, ctx.duplicates) if moderator is not None else None
    return models.submit(chunk, found)


def _flush(
    score: Callable[[], list[ScoredChunk]],
    sink: Sink,
    ctx: RunContext,
    options: RunOptions,
    progress: ProgressCallback | None,
) -> float:
    """`score` hands a chunk over (or collects the last ones); the figures and rows of each
    chunk that comes back done go to the run and the sink, then its scores are committed to
    the cache. The seconds this took."""
    started = time.perf_counter()
    limits = tally_limits(options)
    for done in score():
        add(ctx, done.tally, limits)
        if done.lines:
            sink.add_lines(done.lines)
        for result in done.results:
            sink.add(result)
        sink.flush()
        if ctx.cache is not None:
            ctx.cache.add_pending(done.fresh)
            ctx.cache.commit()
        if done.from_cache or done.scored_fresh:  # counted in a worker
            ctx.scorer.from_cache += done.from_cache
            ctx.scorer.scored_fresh += done.scored_fresh
        ctx.counts["comments_saved"] += done.tally.counts["comments_parsed"]
        if progress is not None:
            progress(Progress(ctx.read.bytes_done, ctx.read.bytes_total, ctx.counts["comments_written"]))
    return time.perf_counter() - started


def run_result(
    ctx: RunContext,
    sink: Sink,
    counts: dict[str, int],
    provenance: dict[str, Any],
    timings: dict[str, float],
    record: RunRecord,
    written: dict[str, Path],
) -> RunResult:
    """What a finished run returns (a local run and `moderation.distributed` alike)."""
    return RunResult(
        counts=counts,
        errors=ctx.read.errors,
        inputs=ctx.read.inputs,
        provenance=provenance,
        timings=timings,
        record=record,
        top_flagged=[item[2] for item in sorted(ctx.flagged_heap, key=lambda it: (-it[0], -it[1]))],
        article_rows=ctx.article_rows,
        articles=sink.results(),
        written=written,
        out_dir=sink.out_dir,
    )
