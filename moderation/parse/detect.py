"""Pick the reader for a file by its content (or by name with `format=`)."""

from __future__ import annotations

from moderation.errors import ParseError
from moderation.parse import text_page
from moderation.parse.base import Reader, decode_text

# Most specific first; the plain-text page reader is the fallback.
READERS: tuple[Reader, ...] = (text_page.READER,)


def reader_names() -> list[str]:
    return [r.name for r in READERS]


def choose_reader(data: bytes, path: str | None, format: str | None = None) -> Reader:
    if format is not None:
        for reader in READERS:
            if reader.name == format:
                return reader
        raise ParseError(path, f"unknown format {format!r}; known formats: {', '.join(reader_names())}")
    best = max(READERS, key=lambda r: r.sniff(data, path))
    if best.sniff(data, path) <= 0.0:
        decode_text(data, path)  # names the problem when the file is empty, binary or not UTF-8
        raise ParseError(path, f"not a format this tool reads (known formats: {', '.join(reader_names())})")
    return best
