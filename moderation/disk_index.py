"""Run-long indexes kept on disk, so memory stays flat however many comments a run reads.

`SqliteDuplicateStore` is a `DuplicateStore` (see `moderation.analysis.duplicates`) in a
private temporary SQLite database: SQLite keeps at most `cache_kib` of its pages in memory
and the rest in a temporary file that disappears when the store is closed (or the process
ends). The duplicate index of a million comments is about 1 GB in dicts; here it costs the
page cache and a file of a few hundred MB in the temporary folder (TMPDIR).
`SqliteCopyStore` keeps the copy index's originals (`moderation.parse.copies`) the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np

from moderation.analysis.duplicates import Band, Exact, Signed
from moderation.parse.copies import Carried

_SCHEMA = (
    "CREATE TABLE exact (digest INTEGER PRIMARY KEY, comment_id TEXT NOT NULL)",
    "CREATE TABLE bands (band_key INTEGER PRIMARY KEY, row INTEGER NOT NULL)",
    "CREATE TABLE signatures (row INTEGER PRIMARY KEY, comment_id TEXT NOT NULL, signature BLOB NOT NULL)",
)


def _temporary_db(cache_kib: int, schema: Sequence[str]) -> sqlite3.Connection:
    """SQLite's private temporary on-disk database ("": removed when the connection closes),
    holding at most `cache_kib` of pages in memory, inside one long transaction: nothing in it
    needs to survive a crash."""
    db = sqlite3.connect("", isolation_level=None)
    db.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    for statement in schema:
        db.execute(statement)
    db.execute("BEGIN")
    return db


class SqliteDuplicateStore:
    """The duplicate index's memory, in a temporary SQLite file (deleted on close)."""

    def __init__(self, cache_kib: int = 16 * 1024) -> None:
        self._db = _temporary_db(cache_kib, _SCHEMA)
        self.rows = 0

    def exact_ids(self, digests: Sequence[int]) -> dict[int, str]:
        return dict(self._select("SELECT digest, comment_id FROM exact WHERE digest IN ({})", digests))

    def band_rows(self, keys: Sequence[int]) -> dict[int, int]:
        return dict(self._select("SELECT band_key, row FROM bands WHERE band_key IN ({})", keys))

    def signatures(self, rows: Sequence[int]) -> dict[int, tuple[str, np.ndarray]]:
        found = self._select("SELECT row, comment_id, signature FROM signatures WHERE row IN ({})", rows)
        return {row: (comment_id, np.frombuffer(blob, dtype=np.uint32)) for row, comment_id, blob in found}

    def add(self, exact: Sequence[Exact], signatures: Sequence[Signed], bands: Sequence[Band]) -> None:
        self._db.executemany("INSERT OR IGNORE INTO exact (digest, comment_id) VALUES (?, ?)", exact)
        self._db.executemany(
            "INSERT INTO signatures (row, comment_id, signature) VALUES (?, ?, ?)",
            [
                (row, comment_id, np.ascontiguousarray(sig, dtype=np.uint32).tobytes())
                for row, (comment_id, sig) in enumerate(signatures, start=self.rows)
            ],
        )
        self._db.executemany("INSERT OR IGNORE INTO bands (band_key, row) VALUES (?, ?)", bands)
        self.rows += len(signatures)

    def _select(self, query: str, values: Sequence[Any]) -> list[Any]:
        """Rows of `query` for `values`, at most 500 per statement (SQLite's variable limit)."""
        unique = list(dict.fromkeys(values))
        found: list[Any] = []
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            found += self._db.execute(query.format(",".join("?" * len(part))), part).fetchall()
        return found

    def close(self) -> None:
        self._db.close()


class SqliteCopyStore:
    """The copy index's originals (`moderation.parse.copies.CopyStore`) in a temporary SQLite file."""

    def __init__(self, cache_kib: int = 4 * 1024) -> None:
        self._db = _temporary_db(
            cache_kib,
            (
                "CREATE TABLE originals (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, "
                "article_id TEXT NOT NULL, comment_id TEXT NOT NULL, timestamp TEXT)",
                "CREATE INDEX originals_key ON originals (key, seq)",
            ),
        )

    def originals(self, key: str) -> list[Carried]:
        found = self._db.execute(
            "SELECT article_id, comment_id, timestamp FROM originals WHERE key = ? ORDER BY seq", (key,)
        )
        return [Carried(*row) for row in found]

    def add(self, key: str, carried: Carried) -> None:
        self._db.execute(
            "INSERT INTO originals (key, article_id, comment_id, timestamp) VALUES (?, ?, ?, ?)",
            (key, carried.article_id, carried.comment_id, carried.timestamp),
        )

    def close(self) -> None:
        self._db.close()
