"""A comment's status: `published`, or what the platform or its placeholder text says instead.

The wording lives in `placeholders.toml` beside this module (a table, not code). Readers
pass the platform's own status value when the format has one (Globe and Mail `status`,
Disqus `isDeleted`/`isSpam`, WordPress `comment_approved`, a JSONL `status` field);
`resolve_status` combines it with the text:

- a platform status other than published wins (`rejected`, `spam`, `deleted`, ...);
- otherwise a text that is wholly a known placeholder (`[deleted]`, "This comment has been
  deleted", a German or French tombstone, "awaiting moderation") gets that placeholder's
  status and is marked as a placeholder;
- otherwise the comment is `published`.

Placeholder texts are never the author's words: such comments are kept and counted but never
scored, flagged or indexed as duplicates (see `Comment.scorable`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from moderation.schema import PUBLISHED

TABLE_PATH = Path(__file__).with_name("placeholders.toml")
# Placeholders are short; anything longer is the author's text whatever it contains.
MAX_PLACEHOLDER_CHARS = 200
_SPACES = re.compile(r"\s+")
_BRACKET_SPACE = re.compile(r"\[\s+|\s+\]")


@dataclass(frozen=True, slots=True)
class StatusTable:
    placeholders: dict[str, str]  # normalised placeholder text -> status
    platform: dict[str, str]  # platform's status value (lower case) -> status


def normalise(text: str) -> str:
    """Case folded, spaces collapsed, spaces inside brackets and trailing dots/spaces dropped."""
    folded = _SPACES.sub(" ", text.casefold()).strip()
    folded = _BRACKET_SPACE.sub(lambda m: m.group().strip(), folded)
    return folded.rstrip(" .!…")


@lru_cache(maxsize=1)
def table() -> StatusTable:
    with TABLE_PATH.open("rb") as handle:
        raw = tomllib.load(handle)
    placeholders = {normalise(text): status for status, texts in raw["placeholders"].items() for text in texts}
    platform = {str(k).lower(): str(v) for k, v in raw["platform_status"].items()}
    return StatusTable(placeholders, platform)


def placeholder_status(text: str) -> str | None:
    """The status a placeholder text stands for, or None when the text is the author's."""
    if not text or len(text) > MAX_PLACEHOLDER_CHARS:
        return None
    return table().placeholders.get(normalise(text))


def platform_status(value: object) -> str | None:
    """A platform's status value in our vocabulary (None when absent or empty)."""
    if value is None or isinstance(value, bool):
        return None
    key = str(value).strip().lower()
    if not key:
        return None
    return table().platform.get(key, key)


def resolve_status(text: str, platform: str | None = None) -> tuple[str, bool]:
    """(status, is_placeholder) of a comment from its text and the platform's status value."""
    held = placeholder_status(text)
    if platform is not None and platform != PUBLISHED:
        return platform, held is not None
    if held is not None:
        return held, True
    return PUBLISHED, False
