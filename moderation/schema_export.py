"""JSON Schema (draft 2020-12) of every output file, made from the TypedDicts in `moderation.schema`.

    moderate schema -o docs/schema          # writes <file>.schema.json per output file

Mapping: str/int/float/bool/None to their JSON types, `X | None` to a type list or anyOf,
list[X] to an array, dict[str, X] to an object of X, a TypedDict to an object whose required
keys are those not marked NotRequired, `Unit` to a number in [0, 1], Any to anything. Objects
allow additional properties: new fields are added to the contract compatibly.
"""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Annotated, Any, NotRequired, Union, get_args, get_origin, get_type_hints, is_typeddict

from moderation.schema import OUTPUT_ROWS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}


def json_schema(row_type: type, title: str) -> dict[str, Any]:
    """The JSON Schema of one row type, with every nested TypedDict under `$defs`."""
    defs: dict[str, Any] = {}
    body = _object(row_type, defs)
    defs.pop(row_type.__name__, None)
    out: dict[str, Any] = {"$schema": DRAFT, "title": title, **body}
    if defs:
        out["$defs"] = dict(sorted(defs.items()))
    return out


def _object(typed: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(typed, include_extras=True)
    # Read NotRequired from the hints: under `from __future__ import annotations` Python 3.11's
    # __required_keys__ cannot see it.
    total = getattr(typed, "__total__", True)
    required = sorted(k for k, h in hints.items() if total and get_origin(h) is not NotRequired)
    properties = {name: _type(hint, defs) for name, hint in hints.items()}
    out: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if typed.__doc__ and not typed.__doc__.startswith(f"{typed.__name__}("):
        out["description"] = " ".join(typed.__doc__.split())
    return out


def _type(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(hint)
    if origin is NotRequired:
        return _type(get_args(hint)[0], defs)
    if origin is Annotated:
        base, *meta = get_args(hint)
        schema = _type(base, defs)
        return {**schema, "minimum": 0, "maximum": 1} if "unit" in meta else schema
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    if hint is Any:
        return {}
    if origin in (Union, types.UnionType):
        options = [_type(arg, defs) for arg in get_args(hint)]
        if all(set(o) == {"type"} and isinstance(o["type"], str) for o in options):
            return {"type": [o["type"] for o in options]}
        return {"anyOf": options}
    if origin is list:
        (item,) = get_args(hint)
        return {"type": "array", "items": _type(item, defs)}
    if origin is dict:
        _, value = get_args(hint)
        return {"type": "object", "additionalProperties": _type(value, defs)}
    if is_typeddict(hint):
        if hint.__name__ not in defs:
            defs[hint.__name__] = {}  # placeholder while it is built (no recursion in our rows)
            defs[hint.__name__] = _object(hint, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    raise TypeError(f"no JSON Schema mapping for {hint!r}")


def output_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema of its rows, for every output file with typed rows."""
    return {name: json_schema(row, name) for name, row in OUTPUT_ROWS.items()}


def schema_file_name(output_name: str) -> str:
    return f"{output_name.rsplit('.', 1)[0]}.schema.json"


def write_schemas(folder: Path) -> list[Path]:
    """Write `<file>.schema.json` for every output file into `folder`; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in output_schemas().items():
        path = folder / schema_file_name(name)
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
