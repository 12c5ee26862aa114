"""Parquet copies of the JSONL outputs, with columns from the typed rows in `moderation.schema`.

    moderate score seeds/ -o out --output-format parquet   # also writes articles/comments/threads.parquet

Needs pyarrow (`pip install 'moderate[parquet]'`). Column types follow the TypedDicts:
str/int/float/bool as such, `X | None` and NotRequired keys as nullable columns, list[X] as
lists, nested rows as structs, dict[str, X] of scalars as maps; values of no fixed type
(`extra`, `layout`, dict[str, Any]) are JSON text. Keys a row has beyond its TypedDict are
kept, as one JSON object per row in the column `more_json` (null when there are none).
Rows are converted in batches, so memory stays bounded on large runs.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NotRequired, Union, get_args, get_origin, get_type_hints, is_typeddict

from moderation.errors import UsageError
from moderation.schema import OUTPUT_ROWS

PARQUET_FILES = {name: name.replace(".jsonl", ".parquet") for name in OUTPUT_ROWS if name.endswith(".jsonl")}
MORE_COLUMN = "more_json"
BATCH_ROWS = 10_000
_JSON = "json"  # a value stored as JSON text


def require_pyarrow() -> None:
    """UsageError (before any work) when pyarrow is not installed."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UsageError("--output-format parquet needs pyarrow: pip install 'moderate[parquet]'") from None


def _plan(hint: Any) -> Any:
    """(arrow type, converter) for a type hint; the converter maps a JSON value to an arrow value."""
    import pyarrow as pa

    origin = get_origin(hint)
    if origin in (NotRequired, Annotated):
        return _plan(get_args(hint)[0])
    scalars = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    if hint in scalars:
        return scalars[hint], _scalar(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if len(options) == 1:
            return _plan(options[0])
    elif origin is list:
        item_type, convert = _plan(get_args(hint)[0])
        if convert is not _as_json:
            return pa.list_(item_type), lambda v: None if v is None else [convert(x) for x in v]
    elif origin is dict:
        value = get_args(hint)[1]
        if value in scalars or get_origin(value) is Annotated:
            value_type, convert = _plan(value)
            return pa.map_(
                pa.string(), value_type
            ), lambda v: None if v is None else {str(k): convert(x) for k, x in v.items()}
    elif is_typeddict(hint):
        fields = {name: _plan(h) for name, h in get_type_hints(hint, include_extras=True).items()}
        struct = pa.struct([(name, t) for name, (t, _) in fields.items()])
        return struct, lambda v: None if v is None else {n: c(v.get(n)) for n, (_, c) in fields.items()}
    return pa.string(), _as_json


def _scalar(kind: type) -> Any:
    def convert(value: Any) -> Any:
        if value is None:
            return None
        if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return value if isinstance(value, kind) else None

    return convert


def _as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_parquet(jsonl: Path, parquet: Path, row_type: type) -> int:
    """Copy the rows of `jsonl` into `parquet` with the columns of `row_type`; rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    plans = {name: _plan(h) for name, h in get_type_hints(row_type, include_extras=True).items()}
    schema = pa.schema([(name, t) for name, (t, _) in plans.items()] + [(MORE_COLUMN, pa.string())])
    written = 0
    with pq.ParquetWriter(str(parquet), schema) as writer:
        for batch in _batches(jsonl):
            columns: dict[str, list[Any]] = {name: [] for name in schema.names}
            for row in batch:
                for name, (_, convert) in plans.items():
                    columns[name].append(convert(row.get(name)))
                more = {k: v for k, v in row.items() if k not in plans}
                columns[MORE_COLUMN].append(_as_json(more) if more else None)
            writer.write_table(pa.table(columns, schema=schema))
            written += len(batch)
        if not written:
            writer.write_table(schema.empty_table())
    return written


def _batches(jsonl: Path) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    with jsonl.open(encoding="utf-8") as handle:
        for line in handle:
            batch.append(json.loads(line))
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
    if batch:
        yield batch
