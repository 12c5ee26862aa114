"""Scoring and analysis of a run's chunks, in the run's process or ahead of it in workers.

What a chunk needs from the rest of the run is small: its duplicate matches, found by the
run's index in run order (`Moderator.find_duplicates`, in the run's process). The rest
depends on the chunk alone: each comment's language, long-comment marks and scores
(`Moderator.article_scores`), then flags, severities and rollups (`analyse_articles`). With
`workers` >= 1 that part runs in worker processes (see `WorkerPool` for how they start)
while the run's process reads the next chunk and writes the one before. Chunks come back in
input order, so a run writes the same bytes with or without workers (tests/test_prefetch.py).

What comes back of a chunk (`ChunkOutput`): its figures (`moderation.tally.count`) and, for
a sink that writes files, its JSONL lines rendered (`writers.render_rows`), in the run's
process as in a worker; a worker then hands back strings, not the result objects, and the
run's process only writes them. For a sink that keeps results (in memory), the results.

The scores cache: a worker reads the run's cache file (`ScoresCache.reader`; SQLite in WAL
mode reads while the run writes) and hands back what it scored fresh; the run adds those
entries to its cache and commits them after the chunk's rows are written, as it does without
workers, so a resumed run finds them.
"""

from __future__ import annotations

import signal
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moderation.analysis.language import assign_languages
from moderation.schema import Article
from moderation.tally import Tally, TallyLimits, count
from moderation.writers import render_rows

if TYPE_CHECKING:
    from concurrent.futures import Future

    from moderation.analysis.duplicates import FoundDuplicates
    from moderation.moderator import ArticleResult, Moderator


@dataclass(frozen=True, slots=True)
class ChunkOutput:
    """What a chunk's scoring hands back besides its figures: the rows of `row_files`
    rendered (a sink that writes files: `Sink.row_files`), else the results themselves."""

    limits: TallyLimits
    row_files: tuple[str, ...]


@dataclass(slots=True)
class ScoredChunk:
    """A chunk scored, flagged and rolled up (parse-only: languages only): its figures, and its
    rendered rows (`lines`, file name -> lines) or its `results`. A worker's chunk also carries
    the scores cache entries it scored fresh and its cache counts (in the run's process they
    are counted in place)."""

    tally: Tally
    lines: dict[str, str] = field(default_factory=dict)
    results: list[ArticleResult] = field(default_factory=list)
    fresh: dict[bytes, str] = field(default_factory=dict)
    from_cache: int = 0
    scored_fresh: int = 0


def score_chunk(
    moderator: Moderator | None,
    scorer: Any,
    articles: list[Article],
    duplicates: FoundDuplicates | None,
    output: ChunkOutput,
) -> ScoredChunk:
    """Score and analyse one chunk whose duplicate matches were found (parse-only when
    `moderator` is None: languages only), and count and render it as `output` asks."""
    from moderation.moderator import unscored

    assign_languages(*articles)
    if moderator is None:
        results = [unscored(a) for a in articles]
    else:
        results = moderator.analyse_articles(articles, moderator.article_scores(articles, scorer=scorer), duplicates)
    tally = count(results, output.limits)
    if output.row_files:
        return ScoredChunk(tally, lines=render_rows(results, output.row_files))
    return ScoredChunk(tally, results=results)


class InProcess:
    """Each chunk scored and analysed in the run's own process, when it is handed over."""

    def __init__(self, moderator: Moderator | None, scorer: Any, output: ChunkOutput) -> None:
        self.moderator = moderator
        self.scorer = scorer
        self.output = output

    def start(self) -> None:
        if self.moderator is not None:
            self.moderator.load_models()

    def submit(self, articles: list[Article], duplicates: FoundDuplicates | None) -> list[ScoredChunk]:
        return [score_chunk(self.moderator, self.scorer, articles, duplicates, self.output)]

    def drain(self) -> list[ScoredChunk]:
        return []

    def close(self, failed: bool = False) -> None:
        pass


class WorkerPool:
    """Chunks scored and analysed in `workers` processes, up to `workers` chunks ahead of the run.

    `submit` returns the chunks that are done, oldest first, once more than `workers` are in
    flight; `drain` returns the rest at the end of the input. A worker ignores Ctrl-C: the run
    handles it and shuts the pool down.

    How workers start: for a preset without neural models they are forked from the run's
    process once it has loaded the models (no second load, and a script that calls `run`
    needs no `if __name__ == "__main__"` guard); a preset with torch models gets spawned
    workers that load their own (forking after torch has started its threads can hang), which
    a calling script must allow with that guard, as for any spawned process."""

    def __init__(
        self,
        moderator: Moderator,
        workers: int,
        cache: tuple[Path, str] | None,
        neural: bool,
        output: ChunkOutput,
    ) -> None:
        import multiprocessing  # here: a run without workers does not pay for the imports
        from concurrent.futures import ProcessPoolExecutor

        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = workers
        self.moderator = moderator
        self.output = output
        self.fork = not neural and "fork" in multiprocessing.get_all_start_methods()
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork" if self.fork else "spawn"),
            initializer=_start_worker,
            initargs=(moderator, cache),
        )
        self._in_flight: deque[Future[ScoredChunk]] = deque()

    def start(self) -> None:
        """Start every worker and wait until each has the models loaded."""
        if self.fork:
            self.moderator.load_models()  # forked workers inherit them
        for ready in [self._pool.submit(_ready) for _ in range(self.workers)]:
            ready.result()

    def submit(self, articles: list[Article], duplicates: FoundDuplicates | None) -> list[ScoredChunk]:
        self._in_flight.append(self._pool.submit(_score_in_worker, articles, duplicates, self.output))
        done = []
        while len(self._in_flight) > self.workers:
            done.append(self._in_flight.popleft().result())
        return done

    def drain(self) -> list[ScoredChunk]:
        done = []
        while self._in_flight:
            done.append(self._in_flight.popleft().result())
        return done

    def close(self, failed: bool = False) -> None:
        """Stop the workers: at once after a failure (chunks in flight are dropped, their scores
        uncommitted), else after they finish."""
        self._pool.shutdown(wait=not failed, cancel_futures=True)


_WORKER: tuple[Moderator, Any] | None = None


def _start_worker(moderator: Moderator, cache: tuple[Path, str] | None) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run's process handles Ctrl-C
    moderator.load_models()
    scorer: Any = moderator.pipeline
    if cache is not None:
        from moderation.cache import CachedPipeline, ScoresCache

        scorer = CachedPipeline(scorer, ScoresCache.reader(*cache))
    _WORKER = (moderator, scorer)


def _ready() -> bool:
    return _WORKER is not None


def _score_in_worker(articles: list[Article], duplicates: FoundDuplicates | None, output: ChunkOutput) -> ScoredChunk:
    assert _WORKER is not None, "worker not started"
    from moderation.cache import CachedPipeline

    moderator, scorer = _WORKER
    if not isinstance(scorer, CachedPipeline):
        return score_chunk(moderator, scorer, articles, duplicates, output)
    before = (scorer.from_cache, scorer.scored_fresh)
    chunk = score_chunk(moderator, scorer, articles, duplicates, output)
    chunk.fresh = scorer.cache.take_pending()
    chunk.from_cache = scorer.from_cache - before[0]
    chunk.scored_fresh = scorer.scored_fresh - before[1]
    return chunk
