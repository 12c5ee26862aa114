"""Choose a reader for a file by its content: every reader sniffs, the most confident wins.

`READERS` is ordered: on equal confidence the earlier reader wins. The plain-text page
reader comes last: it is the fallback for text that no structured format claims.
"""

from __future__ import annotations

from moderation.errors import ParseError, UsageError
from moderation.parse import disqus, globe_mail, html_page, jsonl, reddit, text_page, wordpress
from moderation.parse.base import Reader, decode_text

STRUCTURED: tuple[Reader, ...] = (
    disqus.READER,
    wordpress.READER,
    reddit.READER,
    globe_mail.READER,
    jsonl.READER,
    html_page.READER,
)
FALLBACK: Reader = text_page.READER
READERS: tuple[Reader, ...] = (*STRUCTURED, FALLBACK)
MIN_CONFIDENCE = 0.3  # a structured reader must be at least this sure to take a file


def reader_names() -> list[str]:
    return [r.name for r in READERS]


def check_format(format: str | None) -> None:
    """UsageError unless `format` is None (detect) or the name of a reader."""
    if format is not None and format not in reader_names():
        raise UsageError(f"unknown format {format!r}; known formats: {', '.join(reader_names())}")


def choose_reader(data: bytes, path: str | None, format: str | None = None) -> Reader:
    """The reader for these bytes, or the one named by `format`; ParseError when none fits."""
    names = ", ".join(reader_names())
    if format is not None:
        for reader in READERS:
            if reader.name == format:
                return reader
        raise ParseError(path, f"unknown format {format!r}; known formats: {names}")
    scored = [(reader.sniff(data, path), -i, reader) for i, reader in enumerate(STRUCTURED)]
    best_score, _, best = max(scored, key=lambda item: item[:2])
    if best_score >= MIN_CONFIDENCE:
        return best
    if FALLBACK.sniff(data, path) > 0.0:
        return FALLBACK
    decode_text(data, path)  # names the problem when the file is empty, binary or not UTF-8
    raise ParseError(path, f"no reader recognises this file; known formats: {names}")
