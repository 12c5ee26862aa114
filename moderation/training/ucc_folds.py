"""UCC's development half for a fine-tune of the shared encoder that also learns "not healthy".

The `unhealthy` head and the severity layer are fitted on UCC's development half and need each
development comment's out-of-fold score. An encoder trained on those comments
(`finetune.py --ucc`) cannot give that through one head: its vectors already saw the labels. The
fine-tune therefore also trains one encoder per fold with that fold held back and returns each
fold encoder's vectors (`ucc_vectors.npz`); a comment's out-of-fold score is a head fitted, on its
fold encoder's vectors, to the other folds' comments, read on its own vector (`out_of_fold`).
`benchmarks/eval_ucc_finetune.py` compares that with the starting encoder under the same folds.

`fold_ids` and `out_of_fold` are also the unhealthy head's own cross-validation (5 folds, one
encoder: `training.unhealthy`).

`table` writes what the fine-tune reads (`ucc.parquet`, see finetune_ucc.py): both halves of UCC,
the folds, the soft target and each comment's chunks as the scorer cuts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from moderation.training import data
from moderation.training.fit import SEED
from moderation.training.toxicity import split_ucc

if TYPE_CHECKING:
    import pandas as pd

    from moderation.scoring.encoder import SentenceEncoder

FOLDS = 2


def fold_ids(unhealthy: np.ndarray, hostile: np.ndarray, folds: int = FOLDS) -> np.ndarray:
    """Fold of each development comment, stratified on not healthy x hostile (seeded)."""
    from sklearn.model_selection import StratifiedKFold

    strata = unhealthy.astype(int) * 2 + hostile.astype(int)
    out = np.zeros(len(strata), dtype=np.int64)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(strata)), strata)):
        out[test] = k
    return out


def table(data_dir: Path, encoder: SentenceEncoder) -> pd.DataFrame:
    """Both halves of UCC, one row per comment: part, index, fold, share, unhealthy, hostile, chunks."""
    import pandas as pd

    ucc = data.ucc(data_dir)
    dev, hold = split_ucc(ucc, 0.5)
    frames = []
    for part, rows in (("dev", dev), ("heldout", hold)):
        labels = {k: ucc.labels[k][rows] for k in ("unhealthy", "hostile", "unhealthy_share")}
        texts = [ucc.texts[i] for i in rows]
        folds = fold_ids(labels["unhealthy"] == 1, labels["hostile"] == 1) if part == "dev" else -np.ones(len(rows))
        chunks = [[text[s:e] for s, e in encoder.chunk_spans(text)] for text in texts]
        frames.append(
            pd.DataFrame(
                {
                    "part": part,
                    "index": np.arange(len(rows)),
                    "fold": folds.astype(np.int64),
                    "share": labels["unhealthy_share"].astype(np.float32),
                    "unhealthy": (labels["unhealthy"] == 1).astype(np.int64),
                    "hostile": (labels["hostile"] == 1).astype(np.int64),
                    "chunks": chunks,
                    "text": texts,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@dataclass
class FoldVectors:
    fold: np.ndarray  # development order
    vectors: list[np.ndarray]  # vectors[k]: fold encoder k's vectors of every development comment


def run_vectors(path: Path, keys: tuple[str, ...]) -> FoldVectors:
    """Development rows of a run's `ucc_vectors.npz`, in development order: `keys[k]` names the
    matrix that fold k's comments are read from (("fold0", "fold1") for the fold encoders, the
    same name repeated for one encoder, e.g. ("start", "start"))."""
    with np.load(path) as d:
        dev = d["part"] == "dev"
        order = np.argsort(d["index"][dev], kind="stable")
        return FoldVectors(d["fold"][dev][order], [d[k][dev][order].astype(np.float32) for k in keys])


def out_of_fold(fv: FoldVectors, fit: Any, share: np.ndarray) -> np.ndarray:
    """Each development comment's score from the head `fit(x, share)` fitted, on its fold
    encoder's vectors, to the comments of the other folds."""
    out = np.zeros(len(share))
    for k, x in enumerate(fv.vectors):
        test = fv.fold == k
        out[test] = fit(x[~test], share[~test]).predict_proba(x[test])[:, 1]
    return out
