"""The Moderator: a preset's configuration in, scores and flags out.

from moderation import Moderator
mod = Moderator(preset="default")
result = mod.score_paths(["seeds/"])          # RunResult (moderation.run): articles, comments, errors
results = mod.score_texts(["You idiot.", "Thanks for the piece."], target="The article's claim")
ds = ds.map(mod.score_batch, batched=True)   # datasets.Dataset with a "text" column

Stateless and picklable: the Moderator holds configuration only. Per-run state (scores
cache, input limits, duplicate index) lives in the run (`moderation.run.RunContext`) and is
passed in explicitly. Models load lazily, once per process, on first use; pickling drops
them (a copy in another process, a Ray actor or a web worker loads its own). Scoring is
serialised by a lock (not pickled), so one Moderator may be shared by several threads;
build one per thread or process for parallel scoring.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from moderation import __version__
from moderation.analysis import language
from moderation.analysis.article import analyse_article
from moderation.analysis.duplicates import DuplicateFinder, DuplicateIndex, DuplicateStore, FoundDuplicates
from moderation.analysis.flags import assess
from moderation.analysis.language import assign_languages
from moderation.analysis.reading import (
    LONG_COMMENT,
    UNSUPPORTED_LANGUAGE,
    bounded,
    mark_long_comments,
    not_scored_reason,
)
from moderation.analysis.settings import check_severity_inputs, flag_settings, merge_queue
from moderation.cache import scores_fingerprint
from moderation.config import Preset, load_preset
from moderation.schema import (
    Article,
    ArticleRow,
    Comment,
    CommentRow,
    Flag,
    RollupRow,
    Scores,
    Thread,
    ThreadRow,
    build_threads,
)
from moderation.scoring.pipeline import ScoringPipeline, pipeline_from_preset

if TYPE_CHECKING:
    from moderation.run import ProgressCallback, RunResult


class _Scored:
    """What a scored text and a scored comment share: flagged when any flag fired; argmax labels."""

    __slots__ = ()
    flags: list[Flag]
    scores: Scores | None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def labels(self) -> dict[str, str]:
        return self.scores.labels() if self.scores is not None else {}


@dataclass(slots=True)
class TextResult(_Scored):
    """Scores and flags of one free text (from `score_texts`)."""

    text: str
    scores: Scores
    flags: list[Flag]
    stance_target: str | None
    severity: float = 0.0
    # Set, as on a comment's row, when the text is longer than the preset's max_comment_chars:
    # the characters the models and rules read (the first ones); `text` is still the whole text.
    scored_chars: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "text": self.text,
            "scores": self.scores.to_dict(),
            "labels": self.labels,
            "flags": [f.to_dict() for f in self.flags],
            "flagged": self.flagged,
            "severity": self.severity,
            "stance_target": self.stance_target,
        }
        if self.scored_chars is not None:
            out["scored_chars"] = self.scored_chars
        return out


@dataclass(slots=True)
class CommentResult(_Scored):
    """A parsed comment with its scores and flags: one line of comments.jsonl."""

    comment: Comment
    scores: Scores | None  # None in a parse-only run
    flags: list[Flag]
    severity: float = 0.0  # orders the review queue; see analysis/flags.py
    # Why the models did not score this comment (`placeholder`, `empty`, the platform status
    # such as `deleted`, or `unsupported_language`); None when they did.
    not_scored: str | None = None
    # Set when the text is longer than the preset's max_comment_chars: the characters the
    # models and rules read (the first ones); the row still holds the whole text.
    scored_chars: int | None = None

    def to_dict(self) -> CommentRow:
        out = self.comment.to_dict()
        if self.scores is None:
            return out
        out["scores"] = self.scores.to_dict()
        out["labels"] = self.labels
        if self.not_scored is not None:
            out["not_scored"] = self.not_scored
            if self.not_scored == UNSUPPORTED_LANGUAGE:
                out["labels"]["language"] = UNSUPPORTED_LANGUAGE
        out["flags"] = [f.to_dict() for f in self.flags]
        out["flagged"] = self.flagged
        out["severity"] = self.severity
        if self.scored_chars is not None:
            out["scored_chars"] = self.scored_chars
        if self.scores.error is not None:
            out["score_error"] = self.scores.error
        return out


@dataclass(slots=True)
class ArticleResult:
    article: Article
    comments: list[CommentResult]
    threads: list[Thread]
    rollup: dict[str, Any] = field(default_factory=dict)  # per-article figures (analysis/rollup.py)
    thread_figures: list[dict[str, Any]] = field(default_factory=list)  # one row per thread, same order
    scored: bool = True  # False in a parse-only run: no scores, flags or rollup

    def thread_rows(self) -> list[ThreadRow]:
        """The lines of threads.jsonl for this article (none in a parse-only run)."""
        return [cast(ThreadRow, row) for row in self.thread_figures]

    def article_row(self) -> ArticleRow:
        """One line of articles.jsonl: the article and (when scored) its `rollup`."""
        row = self.article.to_dict()
        if self.scored:
            row["rollup"] = cast(RollupRow, self.rollup)
        return row


class Moderator:
    """Score and flag comments with one preset's models and thresholds (configuration only)."""

    def __init__(
        self,
        preset: str | Path = "default",
        thresholds: dict[str, float] | None = None,
        queue: dict[str, Any] | None = None,
    ) -> None:
        """`queue` overrides keys of the preset's [queue] table (see analysis.settings.merge_queue)."""
        self.preset: Preset = load_preset(preset)
        self.thresholds = {**self.preset.thresholds, **(thresholds or {})}
        self.queue = merge_queue(self.preset.raw.get("queue", {}), queue or {})
        self.flag_settings = flag_settings(self.preset.flags, self.thresholds, self.preset.path.parent, self.queue)
        self._pipeline: ScoringPipeline | None = None  # built on first use, in each process
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "thresholds": self.thresholds,
            "queue": self.queue,
            "flag_settings": self.flag_settings,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._pipeline = None
        self._lock = threading.RLock()

    @property
    def pipeline(self) -> ScoringPipeline:
        """The preset's scoring pipeline; its models load lazily on first use in this process."""
        with self._lock:
            if self._pipeline is None:
                pipeline = pipeline_from_preset(self.preset)
                check_severity_inputs(self.flag_settings, pipeline.produces, self.preset.name)
                self._pipeline = pipeline
            return self._pipeline

    def _score(
        self,
        scorer: Any,
        texts: list[str],
        targets: list[str | None],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Scores]:
        with self._lock:  # models are not safe to call from several threads at once
            return list(scorer.score(texts, targets, progress=progress))

    def load_models(self) -> None:
        """Load the preset's models (and the language detector) in this process now instead of
        at the first comment."""
        with self._lock:
            self.pipeline.load()
        language.load()

    def model_fingerprint(self) -> str:
        """What scores depend on besides the text (models, scorer options, version): the cache key's part."""
        return scores_fingerprint(self.preset, self.pipeline.info())

    # --- free texts ----------------------------------------------------------------------

    def score_texts(self, texts: Sequence[str], target: str | None = None) -> list[TextResult]:
        """Score free texts. With `target`, stance is toward it; without, no stance is given.
        As in a run, a text longer than the preset's `max_comment_chars` is scored and flagged
        on its first `max_comment_chars` characters, and its result says so (`scored_chars`)."""
        if isinstance(texts, str):
            raise TypeError("score_texts takes a list of texts, not one string")
        limit = self.preset.max_comment_chars
        read = [text[:limit] for text in texts]
        scores = self._score(self.pipeline, read, [target] * len(read))
        found = [assess(text, s, self.flag_settings) for text, s in zip(read, scores, strict=True)]
        return [
            TextResult(text, s, a.flags, target, a.severity, limit if len(text) > limit else None)
            for text, s, a in zip(texts, scores, found, strict=True)
        ]

    def score_batch(self, batch: dict[str, list[Any]], text_column: str = "text") -> dict[str, list[Any]]:
        """For `datasets.Dataset.map(batched=True)`: adds score columns to a batch dict."""
        results = self.score_texts(batch[text_column])
        columns: dict[str, list[Any]] = {}
        for name in self.pipeline.produces:
            columns[name] = [
                r.scores.attributes.get(name) if name in r.scores.attributes else r.scores.groups.get(name)
                for r in results
            ]
        columns["flagged"] = [r.flagged for r in results]
        columns["flag_reasons"] = [[f.reason for f in r.flags] for r in results]
        return {**batch, **columns}

    # --- files ---------------------------------------------------------------------------

    def score_paths(
        self,
        paths: Iterable[str | Path],
        format: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> RunResult:
        """Parse, score and flag every comment under `paths`, in memory (`moderation.run.run`)."""
        from moderation.run import RunOptions, run

        return run(paths, self, None, RunOptions(format=format), progress)

    def new_duplicate_index(self, store: DuplicateStore | None = None) -> DuplicateIndex | None:
        """A duplicate finder for one run (None when the preset switches duplicates off); `store`
        keeps what it has seen (default: in memory, about 1 KB per comment)."""
        settings = self.flag_settings.duplicates
        return DuplicateIndex(settings, store) if settings is not None else None

    def score_articles(
        self,
        articles: Sequence[Article],
        progress: Callable[[int, int], None] | None = None,
        duplicates: DuplicateIndex | None = None,
        scorer: Any = None,
    ) -> list[ArticleResult]:
        """Score, flag and roll up a group of articles. A run passes its `duplicates` index (so
        that repeats across chunks are found) and its `scorer` (the pipeline behind its scores
        cache); without them a fresh index and the plain pipeline are used."""
        scored = self.article_scores(articles, progress, scorer)
        return self.analyse_articles(articles, scored, duplicates)

    def article_scores(
        self,
        articles: Sequence[Article],
        progress: Callable[[int, int], None] | None = None,
        scorer: Any = None,
    ) -> list[tuple[list[Scores], list[str | None]]]:
        """The models' part of `score_articles`: per article, each comment's scores and why it
        was not scored (None when it was). Assigns comments' languages first."""
        limit = self.preset.max_comment_chars
        assign_languages(*articles)  # detected together: faster than one article at a time
        for article in articles:
            mark_long_comments(article, limit)
        comments = [c for a in articles for c in a.comments]
        targets = [a.stance_target for a in articles for _ in a.comments]
        reasons = [not_scored_reason(c, self.preset.scored_languages) for c in comments]
        todo = [i for i, reason in enumerate(reasons) if reason is None]
        fresh = self._score(
            scorer if scorer is not None else self.pipeline,
            [comments[i].text[:limit] for i in todo],
            [targets[i] for i in todo],
            progress,
        )
        scores = [Scores() for _ in comments]  # empty for comments the models do not see
        for i, s in zip(todo, fresh, strict=True):
            scores[i] = s
        out: list[tuple[list[Scores], list[str | None]]] = []
        start = 0
        for article in articles:
            end = start + len(article.comments)
            out.append((scores[start:end], reasons[start:end]))  # by position, never by id
            start = end
        return out

    def analyse_articles(
        self,
        articles: Sequence[Article],
        scored: Sequence[tuple[list[Scores], list[str | None]]],
        duplicates: DuplicateFinder | None = None,
    ) -> list[ArticleResult]:
        """The analysis part of `score_articles`: flags, severities and rollups of scored
        articles. `duplicates`: anything with `settings` and `check(comment_id, text)` (the
        run's DuplicateIndex, or the matches a distributed run found beforehand)."""
        if duplicates is None:
            duplicates = self.new_duplicate_index()
        limit = self.preset.max_comment_chars
        out: list[ArticleResult] = []
        for article, (mine, why) in zip(articles, scored, strict=True):
            by_id = {c.comment_id: s for c, s in zip(article.comments, mine, strict=True)}
            threads = build_threads(article.comments)
            read = [bounded(c, limit) for c in article.comments]  # after build_threads: copies keep threads
            found = analyse_article(read, threads, by_id, self.flag_settings, duplicates)
            rows = [
                CommentResult(
                    c,
                    s,
                    found.flags[c.comment_id],
                    found.severity[c.comment_id],
                    reason,
                    limit if r is not c and c.scorable else None,
                )
                for c, r, s, reason in zip(article.comments, read, mine, why, strict=True)
            ]
            out.append(ArticleResult(article, rows, threads, found.rollup, found.thread_rows))
        return out

    def find_duplicates(self, articles: Sequence[Article], index: DuplicateIndex | None) -> FoundDuplicates | None:
        """The run's duplicate matches for these articles' comments, checked in order against
        `index` (the run's), read as `analyse_articles` reads them: what it is then given."""
        if index is None:
            return None
        limit = self.preset.max_comment_chars
        read = [b for a in articles for c in a.comments if (b := bounded(c, limit)).scorable]
        found = index.check_many([(c.comment_id, c.text) for c in read])
        return FoundDuplicates(
            index.settings, {c.comment_id: m for c, m in zip(read, found, strict=True) if m is not None}
        )

    def provenance(self) -> dict[str, Any]:
        pipeline = self.pipeline
        return {
            "package": "moderate",
            "version": __version__,
            "preset": self.preset.name,
            "preset_path": str(self.preset.path),
            "models": [m.to_dict() for m in pipeline.info()],
            "thresholds": dict(self.thresholds),
            "queue": {
                "severity_model": self.flag_settings.severity.name if self.flag_settings.severity else None,
                "min_severity": self.flag_settings.min_severity,
                "rules": list(self.flag_settings.queue_rules),
            },
            "flags": self.preset.flags,  # the preset's [flags] table as read
            "scores_produced": list(pipeline.produces),
            "scores_not_produced": pipeline.missing(),
            "languages_scored": list(self.preset.scored_languages),
        }


def unscored(article: Article) -> ArticleResult:
    """An article's result without scores (a parse-only run)."""
    return ArticleResult(article, [CommentResult(c, None, []) for c in article.comments], [], scored=False)


__all__ = [
    "LONG_COMMENT",
    "UNSUPPORTED_LANGUAGE",
    "ArticleResult",
    "CommentResult",
    "Moderator",
    "TextResult",
    "bounded",
    "not_scored_reason",
    "unscored",
]
