"""Embed labelled sets once with the packaged MiniLM and cache the vectors under /tmp.

The cache is a folder of shards (`<hash>.npy` vectors + `<hash>.json` texts) per encoder
setting; a call embeds only texts no shard holds yet.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from moderation.scoring.encoder import SentenceEncoder

DEFAULT_CACHE = Path("/tmp/moderate-embeddings")


def texts_digest(texts: list[str], encoder: SentenceEncoder) -> str:
    """20 hex digits naming `texts` as this encoder setting sees them (cache file names)."""
    h = hashlib.sha256(f"{encoder.path}|{encoder.max_tokens}".encode())
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()[:20]


def _folder(encoder: SentenceEncoder, cache_dir: Path) -> Path:
    key = hashlib.sha256(f"{encoder.path}|{encoder.max_tokens}".encode()).hexdigest()[:12]
    return cache_dir / key


def _load_shards(folder: Path) -> dict[str, np.ndarray]:
    known: dict[str, np.ndarray] = {}
    for meta in sorted(folder.glob("*.json")):
        vectors = np.load(meta.with_suffix(".npy"))
        for text, vec in zip(json.loads(meta.read_text(encoding="utf-8")), vectors, strict=True):
            known[text] = vec
    return known


def embed_cached(texts: list[str], encoder: SentenceEncoder, cache_dir: Path = DEFAULT_CACHE) -> np.ndarray:
    """(n, d) embeddings of texts truncated to the encoder's `max_tokens`, from cache when present."""
    folder = _folder(encoder, cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    known = _load_shards(folder)
    missing = sorted(set(texts) - set(known))
    if missing:
        start = time.perf_counter()
        vectors, _ = encoder.embed_pieces(missing)
        print(f"embedded {len(missing)} texts in {time.perf_counter() - start:.0f}s", file=sys.stderr)
        name = texts_digest(missing, encoder)
        np.save(folder / f"{name}.npy", vectors)
        (folder / f"{name}.json").write_text(json.dumps(missing), encoding="utf-8")
        known.update(zip(missing, vectors, strict=True))
    return np.stack([known[t] for t in texts]) if texts else np.zeros((0, encoder.dimension), dtype=np.float32)
