"""Choose a reader for a file by its content: every reader sniffs, the most confident wins.

`READERS` is ordered: on equal confidence the earlier reader wins. The plain-text page
reader (`moderation.parse.text_page`) is the last resort for text no structured format
claims; it is looked up lazily so this module works where it is not installed yet.
"""

from __future__ import annotations

import importlib

from moderation.errors import ParseError
from moderation.parse import disqus, globe_mail, html_page, jsonl, reddit, wordpress
from moderation.parse.base import Reader

READERS: tuple[Reader, ...] = (
    disqus.READER,
    wordpress.READER,
    reddit.READER,
    globe_mail.READER,
    jsonl.READER,
    html_page.READER,
)
FALLBACK_MODULE = "moderation.parse.text_page"
FALLBACK_CONFIDENCE = 0.1  # what the text reader is given when nothing else claims the file
MIN_CONFIDENCE = 0.3


def fallback_reader() -> Reader | None:
    try:
        module = importlib.import_module(FALLBACK_MODULE)
    except ModuleNotFoundError:
        return None
    reader = getattr(module, "READER", None)
    return reader if isinstance(reader, Reader) else None


def known_readers() -> list[Reader]:
    fallback = fallback_reader()
    return [*READERS, fallback] if fallback else list(READERS)


def choose_reader(data: bytes, path: str | None, format: str | None = None) -> Reader:
    """The reader for these bytes, or the one named by `format`; ParseError when none fits."""
    readers = known_readers()
    names = ", ".join(r.name for r in readers)
    if format is not None:
        for reader in readers:
            if reader.name == format:
                return reader
        raise ParseError(path, f"unknown format {format!r}; known formats: {names}")
    scored = [(reader.sniff(data, path), -i, reader) for i, reader in enumerate(READERS)]
    best_score, _, best = max(scored, key=lambda item: item[:2])
    if best_score >= MIN_CONFIDENCE:
        return best
    fallback = fallback_reader()
    if fallback is not None and fallback.sniff(data, path) >= FALLBACK_CONFIDENCE:
        return fallback
    raise ParseError(path, f"no reader recognises this file; known formats: {names}")
