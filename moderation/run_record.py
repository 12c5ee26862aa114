"""What a finished run counts and records: the counts, run.json's record, and publishing them
through the sink; one place for a local run (`moderation.run`) and `moderation.distributed`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from moderation.schema import RunRecord

if TYPE_CHECKING:
    from moderation.run import RunContext
    from moderation.writers import Sink


def publish(
    ctx: RunContext, sink: Sink, provenance: dict[str, Any], timings: dict[str, float]
) -> tuple[dict[str, int], RunRecord, dict[str, Path]]:
    """Counts and run.json's record of a finished run, handed to the sink to publish (complete
    only when every input was read)."""
    counts = final_counts(ctx)
    record = run_record(provenance, ctx, counts, timings)
    complete = not any(e.fatal for e in ctx.read.errors)
    written = sink.finish(record, complete=complete)
    return counts, record, written


def final_counts(ctx: RunContext) -> dict[str, int]:
    c, read = ctx.counts, ctx.read
    fatal = sum(1 for e in read.errors if e.fatal)
    skipped = sum(1 for e in read.errors if e.skipped)
    if ctx.cache is not None:
        from_cache, fresh = ctx.scorer.from_cache, ctx.scorer.scored_fresh
    else:
        from_cache, fresh = 0, (c["comments_scored"] + c["comments_failed"] if ctx.scorer is not None else 0)
    return {
        "files": len(read.inputs) + fatal + skipped,
        "files_failed": fatal,
        "files_skipped": skipped,
        "documents": c["documents"],
        "comments_read": read.counts["comments_read"],
        "comments_rejected": read.counts["comments_rejected"],
        "comments_parsed": c["comments_parsed"],
        "comments_scored": c["comments_scored"],
        "comments_failed": c["comments_failed"],
        "comments_not_scored": sum(ctx.not_scored.values()),
        "comments_copies": c["comments_copies"],
        "comments_flagged": c["comments_flagged"],
        "comments_written": c["comments_written"],
        "scored_fresh": fresh,
        "from_cache": from_cache,
        "threads": c["threads"],
        "id_collisions": len(read.collisions),
    }


def run_record(
    provenance: dict[str, Any], ctx: RunContext, counts: dict[str, int], timings: dict[str, float]
) -> RunRecord:
    """run.json: provenance, inputs, counts, timings, errors, problems (the one writer of its shape)."""
    record: dict[str, Any] = {
        **provenance,
        "inputs": [i.to_dict() for i in ctx.read.inputs],
        "counts": counts,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "errors": [e.to_dict() for e in ctx.read.errors],
        "id_collisions": list(ctx.read.collisions),
        # Comments the models did not score, by reason (placeholder, deleted, ...,
        # unsupported_language); platform statuses other than published; detected languages.
        "not_scored": dict(sorted(ctx.not_scored.items())),
        "statuses": dict(sorted(ctx.statuses.items())),
        "languages": dict(ctx.languages.most_common()),
        "problems": ctx.problems,
        "problems_total": sum(ctx.problem_kinds.values()),
        "problems_by_kind": dict(sorted(ctx.problem_kinds.items())),
        "cache": str(ctx.cache_path) if ctx.cache_path is not None else None,
    }
    return cast(RunRecord, record)
