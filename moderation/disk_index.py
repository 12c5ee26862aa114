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

import numpy as np

from moderation.parse.copies import Carried

_SCHEMA = (
    "CREATE TABLE exact (digest INTEGER PRIMARY KEY, comment_id TEXT NOT NULL)",
    "CREATE TABLE bands (band_key INTEGER PRIMARY KEY, row INTEGER NOT NULL)",
    "CREATE TABLE signatures (row INTEGER PRIMARY KEY, comment_id TEXT NOT NULL, signature BLOB NOT NULL)",
)


class SqliteDuplicateStore:
    """The duplicate index's memory, in a temporary SQLite file (deleted on close)."""

    def __init__(self, cache_kib: int = 16 * 1024) -> None:
        # "" is SQLite's private temporary on-disk database, removed when the connection closes.
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        for statement in _SCHEMA:
            self._db.execute(statement)
        self._db.execute("BEGIN")  # one long transaction: nothing here needs to survive a crash
        self._rows = 0

    def first_exact(self, digest: int) -> str | None:
        found = self._db.execute("SELECT comment_id FROM exact WHERE digest = ?", (digest,)).fetchone()
        return found[0] if found else None

    def add_exact(self, digest: int, comment_id: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO exact (digest, comment_id) VALUES (?, ?)", (digest, comment_id))

    def rows_for_bands(self, keys: Sequence[int]) -> list[int]:
        marks = ",".join("?" * len(keys))
        found = self._db.execute(f"SELECT DISTINCT row FROM bands WHERE band_key IN ({marks})", list(keys))
        return sorted(r[0] for r in found)

    def signature(self, row: int) -> tuple[str, np.ndarray]:
        comment_id, blob = self._db.execute(
            "SELECT comment_id, signature FROM signatures WHERE row = ?", (row,)
        ).fetchone()
        return comment_id, np.frombuffer(blob, dtype=np.uint32)

    def add_signature(self, comment_id: str, signature: np.ndarray, band_keys: Sequence[int]) -> None:
        row = self._rows
        self._db.execute(
            "INSERT INTO signatures (row, comment_id, signature) VALUES (?, ?, ?)",
            (row, comment_id, np.ascontiguousarray(signature, dtype=np.uint32).tobytes()),
        )
        self._db.executemany("INSERT OR IGNORE INTO bands (band_key, row) VALUES (?, ?)", [(k, row) for k in band_keys])
        self._rows += 1

    def close(self) -> None:
        self._db.close()


class SqliteCopyStore:
    """The copy index's originals (`moderation.parse.copies.CopyStore`) in a temporary SQLite file."""

    def __init__(self, cache_kib: int = 4 * 1024) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE originals (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, "
            "article_id TEXT NOT NULL, comment_id TEXT NOT NULL, timestamp TEXT)"
        )
        self._db.execute("CREATE INDEX originals_key ON originals (key, seq)")
        self._db.execute("BEGIN")

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
