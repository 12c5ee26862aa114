"""JSON loading for the export readers: ParseError on bad input, and no depth limit.

`json.loads` recurses in C and gives up near 1,000 levels of nesting; a 10,000-deep reply
chain in a nested export is far deeper than that. When it gives up, the document is parsed
again by `loads_iterative`, which keeps its own stack.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moderation.errors import ParseError
from moderation.parse.base import decode_text

_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
        (?P<punct>[\[\]{}:,])
      | (?P<string>"(?:[^"\\\x00-\x1f]|\\.)*")
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (?P<literal>true|false|null)
    )""",
    re.VERBOSE | re.DOTALL,
)
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


def load_json(data: bytes, path: str | None) -> Any:
    """The JSON value in `data`, or ParseError naming what is wrong."""
    text = decode_text(data, path)
    try:
        return json.loads(text)
    except RecursionError:
        return loads_iterative(text, path)
    except ValueError as exc:
        raise ParseError(path, f"invalid JSON ({exc})") from None


def loads_iterative(text: str, path: str | None = None) -> Any:
    """A JSON parser with an explicit stack (slower than json.loads, but any depth)."""
    stack: list[Any] = []
    keys: list[str] = []
    root: list[Any] = []
    state = "value"  # value | value_or_close | key | key_or_close | colon | after
    pos, end = 0, len(text)

    def bad(what: str) -> ParseError:
        return ParseError(path, f"invalid JSON ({what} at char {pos})")

    def add(value: Any) -> None:
        if not stack:
            root.append(value)
        elif isinstance(stack[-1], list):
            stack[-1].append(value)
        else:
            stack[-1][keys.pop()] = value

    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos == end:
            break
        if state == "after" and not stack:
            raise bad("extra data")
        m = _TOKEN.match(text, pos)
        if m is None:
            raise bad("unexpected character")
        pos = m.end()
        punct, string, number, literal = m.group("punct", "string", "number", "literal")
        if state in ("value_or_close", "key_or_close") and punct in ("]", "}"):
            if (punct == "]") != (state == "value_or_close"):
                raise bad("mismatched bracket")
            stack.pop()
            state = "after"
        elif state in ("value", "value_or_close"):
            if punct == "[" or punct == "{":
                container: Any = [] if punct == "[" else {}
                add(container)
                stack.append(container)
                state = "value_or_close" if punct == "[" else "key_or_close"
            elif punct is not None:
                raise bad(f"unexpected {punct!r}")
            else:
                add(_scalar(string, number, literal, bad))
                state = "after"
        elif state in ("key", "key_or_close"):
            if string is None:
                raise bad("expected a key")
            keys.append(_scalar(string, None, None, bad))
            state = "colon"
        elif state == "colon":
            if punct != ":":
                raise bad("expected ':'")
            state = "value"
        else:  # after a value
            if punct == ",":
                state = "value" if isinstance(stack[-1], list) else "key"
            elif punct in ("]", "}") and (punct == "]") == isinstance(stack[-1], list):
                stack.pop()
            else:
                raise bad("expected ',' or a closing bracket")
    if state != "after" or stack or not root:
        raise bad("unexpected end")
    return root[0]


def _scalar(string: str | None, number: str | None, literal: str | None, bad: Any) -> Any:
    if literal is not None:
        return _LITERALS[literal]
    try:
        return json.loads(string if string is not None else number or "")
    except ValueError:
        raise bad("invalid scalar") from None
