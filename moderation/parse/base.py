"""What every reader provides, and the table of readers that `detect` chooses from.

A reader turns the bytes of one input file into one or more `Article`s (an export can
hold many threads). It raises `ParseError` for input it cannot read and never returns
None. Readers never import torch or the scorers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import ParseError
from moderation.schema import Article

# Whole-file readers hold a file in memory: larger inputs are refused with a ParseError
# (stream big comment exports as JSONL instead). Configurable per run (`--max-input-mb`).
DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024

# (data, source path or None, article id to use when the file holds one document)
ReadFunction = Callable[[bytes, str | None, str], list[Article]]
# How sure a reader is that it can read these bytes: 0 = not at all, 1 = certain.
SniffFunction = Callable[[bytes, str | None], float]
# Streaming readers also read from a binary line source (anything with `readline(size)`):
# (source, path) -> articles one at a time, in bounded memory.
StreamFunction = Callable[..., Iterator[Article]]
# Whether a file's first bytes show it holds article context only, for comments kept in other
# files (read first, joined by `parse.join`).
ContextFunction = Callable[[bytes], bool]


@dataclass(frozen=True, slots=True)
class Reader:
    name: str
    description: str
    sniff: SniffFunction
    read: ReadFunction
    stream: StreamFunction | None = None
    context: ContextFunction | None = None


def decode_text(data: bytes, path: str | None) -> str:
    """UTF-8 text (a BOM is dropped), or ParseError naming the problem."""
    if not data.strip():
        raise ParseError(path, "empty file")
    if b"\x00" in data[:8192]:
        raise ParseError(path, "binary file (contains NUL bytes), not a text page")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def check_size(data: bytes, path: str | None, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> None:
    """ParseError when `data` is over the input size limit (bounds every reader's work)."""
    if len(data) > max_bytes:
        raise ParseError(path, f"file is {len(data)} bytes, over the {max_bytes}-byte input limit")


def read_limited(path: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> bytes:
    """A file's bytes, or ParseError when it is over the limit (checked before reading it)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseError(str(path), f"file is {size} bytes, over the {max_bytes}-byte input limit")
    data = path.read_bytes()
    check_size(data, str(path), max_bytes)
    return data
