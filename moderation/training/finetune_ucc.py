"""The UCC task of `finetune.py`: the encoder also learns "not healthy" on Globe and Mail comments.

Standalone like `finetune.py` (torch, numpy, pandas; nothing from `moderation`); `bundle` copies it
beside the script. The table (`ucc.parquet`, written by `moderation.training.ucc_folds.table`) has
one row per UCC comment of both halves: `part` ("dev" or "heldout"), `index` (order within its
part), `fold` (development rows: 0 .. k-1; held-out rows: -1), `share` (annotators' weight on not
healthy, the soft target), `unhealthy`, `hostile` and `chunks`: the comment cut into the pieces
the CPU scorer embeds (at most 128 word pieces each), so that pooled vectors here are the
scorer's (token-count weighted mean of unit chunk vectors, unit length).

Only development rows outside the held-back fold are trained on; held-out rows are only embedded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F


def pooled(embed_counts: Callable, chunks: list[list[str]]) -> torch.Tensor:
    """Each comment's vector from its chunks, as `SentenceEncoder.encode(...).texts` pools them.

    `embed_counts(texts)` returns (unit vectors, token counts) of the flat list of chunks."""
    flat = [c for row in chunks for c in row]
    owner = torch.tensor([i for i, row in enumerate(chunks) for _ in row])
    vectors, counts = embed_counts(flat)
    owner = owner.to(vectors.device)
    out = torch.zeros(len(chunks), vectors.shape[1], device=vectors.device, dtype=vectors.dtype)
    out = out.index_add(0, owner, vectors * counts[:, None])
    return F.normalize(out, p=2, dim=1)


class UccTask:
    """Batches of development comments outside `held_back` (None: all of them), half drawn at
    natural prevalence and half class-balanced on the hard label (the rare class gets more
    gradient without being drawn dozens of times more than the rest)."""

    def __init__(self, table: pd.DataFrame, held_back: int | None, rng: np.random.Generator) -> None:
        dev = table[table["part"] == "dev"]
        self.rows = dev[dev["fold"] != held_back].reset_index(drop=True) if held_back is not None else dev
        self.rows = self.rows.reset_index(drop=True)
        y = self.rows["unhealthy"].to_numpy() > 0
        balanced = np.where(y, 0.5 / max(1, y.sum()), 0.5 / max(1, (~y).sum()))
        self.p = 0.5 * np.full(len(y), 1.0 / len(y)) + 0.5 * balanced
        self.p /= self.p.sum()
        self.rng = rng

    def batch(self, size: int) -> pd.DataFrame:
        return self.rows.iloc[self.rng.choice(len(self.rows), size=size, p=self.p)]


def loss(logit: torch.Tensor, rows: pd.DataFrame) -> torch.Tensor:
    """Soft binary cross-entropy against the annotators' weight on not healthy."""
    target = torch.tensor(rows["share"].to_numpy(np.float32), device=logit.device)
    return F.binary_cross_entropy_with_logits(logit.reshape(-1), target)


@torch.no_grad()
def embed_table(embed_counts: Callable, table: pd.DataFrame, batch: int = 128) -> np.ndarray:
    """Pooled vectors of every row of the table (fp32 numpy, table order)."""
    out = []
    chunks = [list(c) for c in table["chunks"]]
    for s in range(0, len(chunks), batch):
        out.append(pooled(embed_counts, chunks[s : s + batch]).float().cpu().numpy())
    return np.vstack(out) if out else np.zeros((0, 0), dtype=np.float32)
