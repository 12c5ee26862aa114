"""The models' part of a run's chunks, in the run's process or ahead of it in worker processes.

A chunk goes through two steps: the models' part (each comment's language, long-comment
marks and scores: `Moderator.article_scores`), which depends on the chunk alone, and the
analysis and writing (flags, the run's duplicate index, rollups, the sink, cache commits),
which needs the run's state and stays in the run's process. With `workers` >= 1 the models'
part of the next chunks runs in worker processes (spawned; each loads the preset's models)
while the run analyses and writes the chunk before them. Chunks come back in input order, so
a run writes the same bytes with or without workers (tests/test_prefetch.py).

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
from moderation.schema import Article, Scores

if TYPE_CHECKING:
    from concurrent.futures import Future

    from moderation.moderator import Moderator

Scored = list[tuple[list[Scores], list[str | None]]]  # per article: scores, why not scored


@dataclass(slots=True)
class ScoredChunk:
    """A chunk after its models' part. `articles` carry their languages and long-comment
    marks; `scored` is None in a parse-only run. A worker's chunk also carries the scores
    cache entries it scored fresh and its cache counts (in process they are counted in place)."""

    articles: list[Article]
    scored: Scored | None
    fresh: dict[bytes, str] = field(default_factory=dict)
    from_cache: int = 0
    scored_fresh: int = 0


def score_chunk(moderator: Moderator | None, scorer: Any, articles: list[Article]) -> ScoredChunk:
    """The models' part of one chunk (parse-only when `moderator` is None: languages only)."""
    for article in articles:
        assign_languages(article)
    if moderator is None:
        return ScoredChunk(articles, None)
    return ScoredChunk(articles, moderator.article_scores(articles, scorer=scorer))


class InProcess:
    """Each chunk's models' part in the run's own process, when the chunk is handed over."""

    def __init__(self, moderator: Moderator | None, scorer: Any) -> None:
        self.moderator = moderator
        self.scorer = scorer

    def start(self) -> None:
        if self.moderator is not None:
            self.moderator.load_models()

    def submit(self, articles: list[Article]) -> list[ScoredChunk]:
        return [score_chunk(self.moderator, self.scorer, articles)]

    def drain(self) -> list[ScoredChunk]:
        return []

    def close(self, failed: bool = False) -> None:
        pass


class WorkerPool:
    """The models' part in `workers` processes, up to `workers` chunks ahead of the run.

    `submit` returns the chunks that are done, oldest first, once more than `workers` are in
    flight; `drain` returns the rest at the end of the input. A worker ignores Ctrl-C: the run
    handles it and shuts the pool down."""

    def __init__(self, moderator: Moderator, workers: int, cache: tuple[Path, str] | None) -> None:
        import multiprocessing  # here: a run without workers does not pay for the imports
        from concurrent.futures import ProcessPoolExecutor

        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(moderator, cache),
        )
        self._in_flight: deque[Future[ScoredChunk]] = deque()

    def start(self) -> None:
        """Start every worker and wait until each has loaded the models."""
        for ready in [self._pool.submit(_ready) for _ in range(self.workers)]:
            ready.result()

    def submit(self, articles: list[Article]) -> list[ScoredChunk]:
        self._in_flight.append(self._pool.submit(_score_in_worker, articles))
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


def _score_in_worker(articles: list[Article]) -> ScoredChunk:
    assert _WORKER is not None, "worker not started"
    from moderation.cache import CachedPipeline

    moderator, scorer = _WORKER
    if not isinstance(scorer, CachedPipeline):
        return score_chunk(moderator, scorer, articles)
    before = (scorer.from_cache, scorer.scored_fresh)
    chunk = score_chunk(moderator, scorer, articles)
    chunk.fresh = scorer.cache.take_pending()
    chunk.from_cache = scorer.from_cache - before[0]
    chunk.scored_fresh = scorer.scored_fresh - before[1]
    return chunk
