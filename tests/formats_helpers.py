"""Shared helpers of the format tests."""

from __future__ import annotations

from pathlib import Path

from moderation.schema import Article

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def fixture(name: str) -> tuple[bytes, str]:
    path = FIXTURES / name
    return path.read_bytes(), str(path)


def edges(article: Article) -> list[tuple[int, int]]:
    """(position, parent position) of every reply."""
    pos = {c.comment_id: c.position for c in article.comments}
    return [(c.position, pos[c.parent_id]) for c in article.comments if c.parent_id]


def kinds(article: Article) -> list[str]:
    return sorted(p.kind for p in article.problems)
