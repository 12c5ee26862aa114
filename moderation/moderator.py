"""The batch API: the one place that wires parse -> score -> analyse.

from moderation import Moderator
mod = Moderator(preset="default")
run = mod.score_paths(["seeds/"])             # RunResult: articles, comments, threads, errors
results = mod.score_texts(["You idiot.", "Thanks for the piece."], target="The article's claim")
ds = ds.map(mod.score_batch, batched=True)   # datasets.Dataset with a "text" column
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from moderation import __version__
from moderation.analysis.article import analyse_article
from moderation.analysis.duplicates import DuplicateIndex
from moderation.analysis.flags import order_flags, severity, text_flags
from moderation.analysis.threads import thread_summary
from moderation.cache import CachedPipeline, ScoresCache, model_fingerprint
from moderation.config import Preset, load_preset
from moderation.errors import InputError, ModerationError, ParseError
from moderation.analysis.settings import flag_settings
from moderation.schema import Article, Comment, Flag, Scores, Thread, build_threads
from moderation.parse.base import DEFAULT_MAX_INPUT_BYTES, read_limited
from moderation.parse.detect import choose_reader
from moderation.scoring.pipeline import ScoringPipeline, pipeline_from_preset

ProgressCallback = Callable[[int, int], None]


class _Scored:
    """What a scored text and a scored comment share: flagged when any flag fired; argmax labels."""

    __slots__ = ()
    flags: list[Flag]
    scores: Scores

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def labels(self) -> dict[str, str]:
        return self.scores.labels()


@dataclass(slots=True)
class TextResult(_Scored):
    """Scores and flags of one free text (from `score_texts`)."""

    text: str
    scores: Scores
    flags: list[Flag]
    stance_target: str | None
    severity: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "scores": self.scores.to_dict(),
            "labels": self.labels,
            "flags": [f.to_dict() for f in self.flags],
            "flagged": self.flagged,
            "severity": self.severity,
            "stance_target": self.stance_target,
        }


@dataclass(slots=True)
class CommentResult(_Scored):
    """A parsed comment with its scores and flags: one line of comments.jsonl."""

    comment: Comment
    scores: Scores
    flags: list[Flag]
    severity: float = 0.0  # orders the review queue; see analysis/flags.py

    def to_dict(self) -> dict[str, Any]:
        out = self.comment.to_dict()
        out["scores"] = self.scores.to_dict()
        out["labels"] = self.labels
        out["flags"] = [f.to_dict() for f in self.flags]
        out["flagged"] = self.flagged
        out["severity"] = self.severity
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

    def thread_rows(self) -> list[dict[str, Any]]:
        if self.thread_figures or not self.threads:
            return list(self.thread_figures)
        by_id = {r.comment.comment_id: r.comment for r in self.comments}  # built without analysis: counts only
        flagged = [r.comment.comment_id for r in self.comments if r.flagged]
        return [thread_summary(t, by_id, flagged) for t in self.threads]

    def article_row(self) -> dict[str, Any]:
        """One line of articles.jsonl: the article and its `rollup`."""
        return {**self.article.to_dict(), "rollup": self.rollup}


@dataclass(frozen=True, slots=True)
class FileError:
    """A problem with one input file. `fatal`: nothing could be read from it."""

    path: str
    problem: str
    fatal: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "problem": self.problem, "fatal": self.fatal}


@dataclass(frozen=True, slots=True)
class InputFile:
    path: str
    sha256: str
    bytes: int
    format: str
    article_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "format": self.format,
            "article_ids": list(self.article_ids),
        }


@dataclass(slots=True)
class ParsedRun:
    articles: list[Article] = field(default_factory=list)
    inputs: list[InputFile] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


@dataclass(slots=True)
class RunResult:
    """Everything one run produced, ready for the writers."""

    articles: list[ArticleResult]
    inputs: list[InputFile]
    errors: list[FileError]
    provenance: dict[str, Any]
    timings: dict[str, float]

    @property
    def comments(self) -> list[CommentResult]:
        return [c for a in self.articles for c in a.comments]

    def review_queue(self) -> list[CommentResult]:
        """Flagged comments, most severe first (source order among equals)."""
        return sorted((c for c in self.comments if c.flagged), key=lambda c: -c.severity)

    @property
    def has_fatal_errors(self) -> bool:
        return any(e.fatal for e in self.errors)

    def counts(self) -> dict[str, int]:
        comments = self.comments
        return {
            "files": len(self.inputs) + sum(1 for e in self.errors if e.fatal),
            "files_failed": sum(1 for e in self.errors if e.fatal),
            "documents": len(self.articles),
            "comments_parsed": sum(len(a.article.comments) for a in self.articles),
            "comments_scored": sum(1 for c in comments if c.scores.error is None),
            "comments_failed": sum(1 for c in comments if c.scores.error is not None),
            "comments_flagged": sum(1 for c in comments if c.flagged),
            "threads": sum(len(a.threads) for a in self.articles),
        }


class Moderator:
    """Parse, score and flag comments with one preset's models and thresholds."""

    def __init__(self, preset: str | Path = "default", thresholds: dict[str, float] | None = None) -> None:
        self.preset: Preset = load_preset(preset)
        self.thresholds = {**self.preset.thresholds, **(thresholds or {})}
        self.flag_settings = flag_settings(self.preset.flags, self.thresholds, self.preset.path.parent)
        self._cached: CachedPipeline | None = None
        self.max_input_bytes = DEFAULT_MAX_INPUT_BYTES  # bigger files are a FileError, not a hang

    @cached_property
    def scoring_pipeline(self) -> ScoringPipeline:
        return pipeline_from_preset(self.preset)

    @property
    def pipeline(self) -> ScoringPipeline:
        """The scoring pipeline; behind the scores cache when `use_cache` was called."""
        return self._cached if self._cached is not None else self.scoring_pipeline  # type: ignore[return-value]

    def use_cache(self, cache: ScoresCache | None) -> CachedPipeline | None:
        """Serve scores from `cache` (and store new ones in it); None turns caching off."""
        self._cached = CachedPipeline(self.scoring_pipeline, cache) if cache is not None else None
        return self._cached

    def model_fingerprint(self) -> str:
        """What scores depend on besides the text: the cache key's model part."""
        return model_fingerprint(self.preset.name, self.scoring_pipeline.info())

    # --- free texts ----------------------------------------------------------------------

    def score_texts(self, texts: Sequence[str], target: str | None = None) -> list[TextResult]:
        """Score free texts. With `target`, stance is toward it; without, no stance is given."""
        if isinstance(texts, str):
            raise TypeError("score_texts takes a list of texts, not one string")
        scores = self.pipeline.score(list(texts), [target] * len(texts))
        settings = self.flag_settings
        flags = [order_flags(text_flags(text, s, settings), settings) for text, s in zip(texts, scores, strict=True)]
        return [
            TextResult(text, s, f, target, severity(f, settings.weights, settings.default_weight))
            for text, s, f in zip(texts, scores, flags, strict=True)
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

    def parse_paths(self, paths: Iterable[str | Path], format: str | None = None) -> ParsedRun:
        """Read every file under `paths`. Unreadable files become `FileError`s; the rest go on."""
        run = ParsedRun()
        seen_ids: set[str] = set()
        for path, error in expand_paths(paths):
            if error is not None:
                run.errors.append(FileError(str(path), error))
                continue
            try:
                articles, record, warnings = read_file(
                    path, unique_id(path.stem, seen_ids), format, self.max_input_bytes
                )
            except FileFailed as exc:
                run.errors.append(exc.error)
                continue
            run.articles.extend(articles)
            run.inputs.append(record)
            run.errors.extend(warnings)
        return run

    def score_paths(
        self,
        paths: Iterable[str | Path],
        format: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> RunResult:
        """Parse, score and flag every comment under `paths`."""
        started = time.perf_counter()
        parsed = self.parse_paths(paths, format)
        parsed_at = time.perf_counter()
        results = self.score_articles(parsed.articles, progress)
        scored_at = time.perf_counter()
        return RunResult(
            articles=results,
            inputs=parsed.inputs,
            errors=parsed.errors,
            provenance=self.provenance(),
            timings={"parse_s": parsed_at - started, "score_s": scored_at - parsed_at},
        )

    def new_duplicate_index(self) -> DuplicateIndex | None:
        """A duplicate finder for one run (None when the preset switches duplicates off)."""
        settings = self.flag_settings.duplicates
        return DuplicateIndex(settings) if settings is not None else None

    def score_articles(
        self,
        articles: Sequence[Article],
        progress: ProgressCallback | None = None,
        duplicates: DuplicateIndex | None = None,
    ) -> list[ArticleResult]:
        """Score, flag and roll up a group of articles. Pass the run's `duplicates` index when
        calling chunk by chunk, so that repeats across chunks are found; else one is made here."""
        comments = [c for a in articles for c in a.comments]
        targets = {a.article_id: a.stance_target for a in articles}
        scores = self.pipeline.score(
            [c.text for c in comments], [targets[c.article_id] for c in comments], progress=progress
        )
        by_id = {c.comment_id: s for c, s in zip(comments, scores, strict=True)}
        if duplicates is None:
            duplicates = self.new_duplicate_index()
        out: list[ArticleResult] = []
        for article in articles:
            threads = build_threads(article.comments)
            found = analyse_article(article.comments, threads, by_id, self.flag_settings, duplicates)
            rows = [
                CommentResult(c, by_id[c.comment_id], found.flags[c.comment_id], found.severity[c.comment_id])
                for c in article.comments
            ]
            out.append(ArticleResult(article, rows, threads, found.rollup, found.thread_rows))
        return out

    def provenance(self) -> dict[str, Any]:
        return {
            "package": "moderate",
            "version": __version__,
            "preset": self.preset.name,
            "preset_path": str(self.preset.path),
            "models": [m.to_dict() for m in self.pipeline.info()],
            "thresholds": dict(self.thresholds),
            "flags": self.preset.flags,  # the preset's [flags] table as read
            "scores_produced": list(self.pipeline.produces),
            "scores_not_produced": self.pipeline.missing(),
        }


class FileFailed(ModerationError):
    """Nothing could be read from one input file; `error` says why."""

    def __init__(self, error: FileError) -> None:
        super().__init__(f"{error.path}: {error.problem}")
        self.error = error


def read_file(
    path: Path, article_id: str, format: str | None, max_bytes: int
) -> tuple[list[Article], InputFile, list[FileError]]:
    """One input file's articles, its provenance record and its warnings; FileFailed when unreadable.

    A reader bug costs that one file, never the run: any exception becomes a FileError.
    """

    def failed(problem: str) -> FileFailed:
        return FileFailed(FileError(str(path), problem))

    try:
        data = read_limited(path, max_bytes)
    except ParseError as exc:
        raise failed(exc.problem) from None
    except OSError as exc:
        raise failed(f"cannot read: {exc.strerror or exc}") from None
    try:
        reader = choose_reader(data, str(path), format)
        articles = reader.read(data, str(path), article_id)
    except ParseError as exc:
        raise failed(exc.problem) from None
    except RecursionError:
        raise failed("input nested too deeply to read") from None
    except Exception as exc:
        raise failed(f"reader failed: {type(exc).__name__}: {exc}") from None
    warnings = [
        FileError(str(path), "comment section found but no comment could be read", fatal=False)
        for a in articles
        if not a.comments and any(p.kind == "no_comment_section" for p in a.problems)
    ]
    record = InputFile(
        str(path), hashlib.sha256(data).hexdigest(), len(data), reader.name, tuple(a.article_id for a in articles)
    )
    return articles, record, warnings


def expand_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str | None]]:
    """Files under the given paths, sorted within each folder; (path, problem) for bad ones."""
    out: list[tuple[Path, str | None]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
            if not files:
                out.append((path, "folder holds no files"))
            out.extend((p, None) for p in files)
        elif path.is_file():
            out.append((path, None))
        elif path.exists():
            out.append((path, "not a regular file"))
        else:
            out.append((path, "no such file or folder"))
    return out


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def unique_id(stem: str, seen: set[str]) -> str:
    candidate, n = stem, 2
    while candidate in seen:
        candidate, n = f"{stem}~{n}", n + 1
    seen.add(candidate)
    return candidate


__all__ = [
    "ArticleResult",
    "CommentResult",
    "FileError",
    "InputError",
    "ModerationError",
    "Moderator",
    "RunResult",
    "TextResult",
]
