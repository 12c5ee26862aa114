"""Comment tables as inputs of a Ray run: a `ray.data.Dataset` (for example from
`ray.data.read_parquet` or `ray.data.read_json`, read on the cluster) or a `datasets.Dataset`
whose rows have the JSONL comment columns (`article_id`, `text`; optional `comment_id`,
`parent_id`, `author`, `timestamp`, `status`: parse/jsonl.py).

Each block of the table is parsed by a Ray task; every row is checked by `jsonl.comment_row`
and an article is assembled by `jsonl.ArticleDraft`, the JSONL reader's own validation and
assembly. What differs from a JSONL file, because a table is not read as a stream: an
article is every row with its `article_id`, wherever the rows are (a group-by; a JSONL file
splits a non-contiguous article into parts), its comments in table order, and articles in
the order of their first row. A row's `source` is the table's name and its 1-based row
number; an article's `format` is `table`. A rejected row with a usable `article_id` is a `rejected_line` problem on that
article; one without is a non-fatal error in run.json (a JSONL line would go to the article
being read).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from moderation.distributed.duplicates import ARTICLE, event, event_table
from moderation.distributed.stages import rows_fn
from moderation.errors import UsageError
from moderation.parse.inputs import FileError, InputFile, ReadState
from moderation.parse.jsonl import ArticleDraft, comment_row

TABLE_FORMAT = "table"
ROW, REJECTED = "row", "rejected"
SLICE_ROWS = 10_000  # rows per block when a `datasets.Dataset` is handed to Ray


@dataclass(frozen=True, slots=True)
class BlockSummary:
    rows: int
    rejected: int
    errors: list[FileError]
    sha256: str  # of the block's rows as sorted-key JSON lines
    bytes: int  # the block's in-memory (Arrow) size


def table_dataset(ray: Any, inputs: Any) -> tuple[Any, str] | None:
    """(a Ray Dataset, a name for run.json) when `inputs` is a comment table, else None."""
    if isinstance(inputs, ray.data.Dataset):
        return inputs, "<ray.data.Dataset>"
    hf = sys.modules.get("datasets")  # never imported here: a datasets.Dataset brings it along
    if hf is not None and isinstance(inputs, hf.Dataset):
        table = inputs.with_format("arrow")[:]
        slices = [table.slice(i, SLICE_ROWS) for i in range(0, table.num_rows, SLICE_ROWS)]
        return ray.data.from_arrow(slices or [table]), "<datasets.Dataset>"
    return None


def read_table(ray: Any, ds: Any, name: str, state: ReadState, partitions: int) -> Any:
    """Parse a comment table on the cluster: the article rows (`order` = the position of the
    article's first row). Counts, errors and the table's provenance go to `state`."""
    # A table's row order is its comments' order (positions number them): Ray Data may emit the
    # blocks of a multi-file read in any order unless the dataset is told to keep it.
    ds.context.execution_options.preserve_order = True
    blocks = nonempty_blocks(ds)
    if not blocks:
        raise UsageError(f"no readable input: {name} has no rows")
    task = ray.remote(num_returns=2)(parse_block)
    tables, summary_refs, offset = [], [], 0
    for ref, n in blocks:
        table, summary = task.remote(ref, offset, name)
        tables.append(table)
        summary_refs.append(summary)
        offset += n
    summaries: list[BlockSummary] = ray.get(summary_refs)
    articles = (
        ray.data.from_arrow_refs(tables)
        .groupby("key", num_partitions=partitions)
        .map_groups(rows_fn(table_article, name=name), batch_format="numpy")
        .materialize()
    )
    # a partition that got no article is an empty block without a schema, which shuffles refuse
    articles = ray.data.from_arrow_refs([ref for ref, _ in nonempty_blocks(articles)])
    ids = [r["key"] for r in articles.select_columns(["order", "key"]).sort("order").take_all()]
    for s in summaries:
        state.errors.extend(s.errors)
        state.counts["comments_read"] += s.rows
        state.counts["comments_rejected"] += s.rejected
    digest = hashlib.sha256("".join(s.sha256 for s in summaries).encode()).hexdigest()
    size = sum(s.bytes for s in summaries)
    state.inputs.append(InputFile(name, digest, size, TABLE_FORMAT, tuple(ids)))
    state.bytes_total = state.bytes_done = size
    return articles


def nonempty_blocks(ds: Any) -> list[tuple[Any, int]]:
    """(block ref, rows) of each non-empty block of `ds`, in its order, after running it."""
    return [
        (ref, meta.num_rows)
        for bundle in ds.materialize().iter_internal_ref_bundles()
        for ref, meta in zip(bundle.block_refs, bundle.metadata, strict=True)
        if meta.num_rows
    ]


def parse_block(block: Any, offset: int, name: str) -> tuple[Any, BlockSummary]:
    """One block's rows, checked: one row event per comment or rejected row, keyed by article."""
    rows, errors, rejected = [], [], 0
    digest = hashlib.sha256()
    for i, raw in enumerate(block.to_pylist()):
        position = offset + i
        digest.update(json.dumps(raw, sort_keys=True, default=str).encode() + b"\n")
        try:
            row = comment_row(raw)
        except ValueError as exc:
            rejected += 1
            article_id = raw.get("article_id") if isinstance(raw, dict) else None
            if isinstance(article_id, str | int) and not isinstance(article_id, bool) and str(article_id):
                rows.append(event(position, REJECTED, str(exc), str(article_id)))
            else:
                errors.append(FileError(name, f"row {position + 1}: {exc}", fatal=False))
            continue
        rows.append(event(position, ROW, row, row["article_id"]))
    return event_table(rows), BlockSummary(block.num_rows, rejected, errors, digest.hexdigest(), block.nbytes)


def table_article(rows: Iterable[dict[str, Any]], name: str) -> Iterator[dict[str, Any]]:
    """All rows of one article id, in table order -> the article (assembled as JSONL's are)."""
    members = sorted((int(r["order"]), r["kind"], r["key"], r["payload"]) for r in rows)
    draft = ArticleDraft(members[0][2], name)
    for position, kind, _key, payload in members:
        if kind == ROW:
            draft.add(pickle.loads(payload), position + 1, None, None)
        else:
            draft.reject(position + 1, pickle.loads(payload))
    article = draft.finish()
    article.format = TABLE_FORMAT
    yield event(members[0][0], ARTICLE, article, article.article_id)
