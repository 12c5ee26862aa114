"""The output contract, typed: one TypedDict per row of articles.jsonl, comments.jsonl,
threads.jsonl and run.json (standard library only).

The data model's `to_dict` methods, the writers, the report loader and the renderer use
these types, `moderation.parquet` takes its columns from them, and
`moderation.schema_export` turns them into the JSON Schema files in docs/schema/. `Unit`
marks a float in [0, 1]. Rows may carry more keys than listed (fields are added
compatibly); the listed ones are always present unless NotRequired.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

Unit = Annotated[float, "unit"]  # a float in [0, 1]


class SourceRow(TypedDict):
    path: str | None
    line_start: NotRequired[int | None]
    line_end: NotRequired[int | None]
    byte_start: NotRequired[int | None]
    byte_end: NotRequired[int | None]


class ProblemRow(TypedDict):
    kind: str
    detail: str
    comment_id: NotRequired[str]
    line: NotRequired[int]
    article_id: NotRequired[str]  # in run.json's list


class BoilerplateRow(TypedDict):
    line: int
    text: str
    kind: str


class SpanRow(TypedDict):
    start: int
    end: int


class FlagRow(TypedDict):
    reason: str
    score: float
    threshold: float
    span: NotRequired[SpanRow]
    detail: NotRequired[str]


class SentimentRow(TypedDict):
    negative: Unit
    neutral: Unit
    positive: Unit


class StanceRow(TypedDict):
    support: Unit
    deny: Unit
    query: Unit
    comment: Unit


class ScoresRow(TypedDict, total=False):
    """Only what the preset produced is present."""

    toxicity: Unit
    severe_toxicity: Unit
    insult: Unit
    identity_attack: Unit
    profanity: Unit
    threat: Unit
    sentiment: SentimentRow
    stance: StanceRow


class CommentRow(TypedDict):
    """One line of comments.jsonl (`moderate parse` writes the keys up to `extra`)."""

    article_id: str
    comment_id: str
    author: str | None
    text: str
    parent_id: str | None
    reply_to_author: str | None
    thread_id: str | None
    depth: int
    source: SourceRow | None
    status: NotRequired[str]  # published, deleted, removed, pending, ... as the platform says
    placeholder: NotRequired[bool]  # the text is the platform's stand-in ("[deleted]"), never scored
    language: NotRequired[str]  # detected language code
    quote: NotRequired[str]  # quoted parent text, kept apart from the author's words
    # status `copy`: the comment id of the same comment read earlier from another export of
    # the same platform article (parse/copies.py); a copy is never scored, flagged or counted twice
    copy_of: NotRequired[str]
    timestamp: NotRequired[str]
    external_id: NotRequired[str]
    extra: NotRequired[dict[str, Any]]
    scores: NotRequired[ScoresRow]
    labels: NotRequired[dict[str, str]]
    flags: NotRequired[list[FlagRow]]
    flagged: NotRequired[bool]
    severity: NotRequired[float]
    score_error: NotRequired[str]
    # Why the models did not score it: placeholder, empty, a platform status, unsupported_language.
    not_scored: NotRequired[str]
    # Only when the text is longer than the preset's max_comment_chars: the characters (the
    # first ones) that the models and the flag rules read. The text itself is written whole.
    scored_chars: NotRequired[int]


class DepthMeanRow(TypedDict):
    depth: int
    n: int
    mean: float


class SentimentFiguresRow(TypedDict):
    n: int
    mean: float
    shares: dict[str, Unit]
    by_depth: list[DepthMeanRow]


class EscalationRow(TypedDict):
    rise: float
    parent_id: str
    comment_id: str


class ToxicityFiguresRow(TypedDict):
    attribute: str
    threshold: float | None
    n: int
    max: Unit
    max_comment_id: str
    share_over_threshold: Unit | None
    first_over_threshold: str | None
    escalation: EscalationRow | None


class StanceFiguresRow(TypedDict):
    n: int
    shares: dict[str, Unit]


class DisagreementRow(TypedDict):
    pairs: int
    disagreeing: int
    share: Unit


class FiguresRow(TypedDict):
    """Score figures of a group of comments; a block is null when no comment has its score."""

    sentiment: SentimentFiguresRow | None
    toxicity: ToxicityFiguresRow | None
    stance: StanceFiguresRow | None
    disagreement: DisagreementRow | None


class ThreadRow(FiguresRow):
    """One line of threads.jsonl."""

    thread_id: str
    article_id: str
    n_comments: int
    max_depth: int
    participants: int
    n_flagged: int
    comment_ids: list[str]


class RollupRow(FiguresRow):
    n_comments: int
    n_threads: int
    max_depth: int | None
    participants: int
    n_flagged: int
    share_flagged: Unit | None


class ArticleRow(TypedDict):
    """One line of articles.jsonl (`rollup` only from `moderate score`)."""

    article_id: str
    source_path: str | None
    format: str
    site: str | None
    title: str | None
    subtitle: str | None
    dateline: str | None
    section: str | None
    body: list[str]
    tags: list[str]
    related: list[str]
    boilerplate: list[BoilerplateRow]
    n_comments: int
    stance_target: str | None
    problems: list[ProblemRow]
    layout: list[list[int | str]]
    extra: NotRequired[dict[str, Any]]
    rollup: NotRequired[RollupRow]


class ModelRow(TypedDict):
    name: str
    version: str | None
    source: str
    weights_sha256: str | None
    produces: list[str]


class InputRow(TypedDict):
    path: str
    sha256: str
    bytes: int
    format: str
    article_ids: list[str]


class ErrorRow(TypedDict):
    path: str
    problem: str
    fatal: bool
    skipped: NotRequired[bool]  # not read on purpose (the reason is `problem`); never fatal


class CollisionRow(TypedDict):
    path: str
    article_id: str
    renamed_to: str
    first_in: str


class CountsRow(TypedDict):
    files: int
    files_failed: int
    files_skipped: int  # found in a folder and not read: not comments (errors[].skipped)
    documents: int
    comments_read: int
    comments_rejected: int
    comments_parsed: int
    comments_scored: int
    comments_failed: int
    comments_not_scored: int  # placeholders, taken-down comments, copies, unsupported languages
    comments_copies: int  # second copies of comments another export of the same article carries
    comments_flagged: int
    comments_written: int
    scored_fresh: int
    from_cache: int
    threads: int
    id_collisions: int


class RunRecord(TypedDict):
    """run.json. `preset` is null for `moderate parse`, which also has no thresholds or flags."""

    package: str
    version: str
    preset: str | None
    models: list[ModelRow]
    inputs: list[InputRow]
    counts: CountsRow
    timings: dict[str, float]
    errors: list[ErrorRow]
    id_collisions: list[CollisionRow]
    problems: list[ProblemRow]
    problems_total: int
    problems_by_kind: dict[str, int]
    cache: str | None
    not_scored: dict[str, int]  # comments the models did not score, by reason
    statuses: dict[str, int]  # comments by platform status other than published
    languages: dict[str, int]  # comments by detected language ("none": placeholders, empty)
    preset_path: NotRequired[str]
    languages_scored: NotRequired[list[str]]
    thresholds: NotRequired[dict[str, float]]
    flags: NotRequired[dict[str, Any]]
    scores_produced: NotRequired[list[str]]
    scores_not_produced: NotRequired[list[str]]
    report_scope: NotRequired[str]


# Output file -> the row type of each of its lines (run.json: the one object).
OUTPUT_ROWS: dict[str, type] = {
    "articles.jsonl": ArticleRow,
    "comments.jsonl": CommentRow,
    "threads.jsonl": ThreadRow,
    "run.json": RunRecord,
}
