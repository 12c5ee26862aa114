"""The UCC task of the GPU fine-tune (finetune.py --ucc) and its out-of-fold bookkeeping.

The end-to-end test runs the script as the GPU machine does (a file, beside its helpers) on a
tiny random BERT, a few rows per task and a small UCC table.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from moderation.training import finetune_eval
from moderation.training.ucc_folds import FoldVectors, fold_ids, out_of_fold, run_vectors
from tests.tiny_bert import tiny_bert

SCRIPTS = Path(finetune_eval.__file__).parent
WORDS = [
    "you",
    "are",
    "an",
    "idiot",
    "good",
    "news",
    "bad",
    "what",
    "a",
    "fine",
    "day",
    "this",
    "is",
    "wrong",
    "the",
    "company",
    "should",
    "pay",
    "taxes",
]


def test_fold_ids_are_stratified_and_seeded() -> None:
    unhealthy = np.array([1] * 10 + [0] * 30, dtype=bool)
    hostile = np.array([1] * 4 + [0] * 36, dtype=bool)
    folds = fold_ids(unhealthy, hostile)
    assert set(folds.tolist()) == {0, 1}
    assert (folds[:4] == 0).sum() == 2  # hostile split evenly
    assert (folds[unhealthy] == 0).sum() == 5
    assert np.array_equal(folds, fold_ids(unhealthy, hostile))


def test_out_of_fold_never_fits_on_the_fold_it_scores() -> None:
    fold = np.array([0, 1, 0, 1, 0, 1])
    share = np.arange(6, dtype=float) / 10
    # fold k's vectors carry k in their first column: the head must read fold k's own matrix
    vectors = [np.full((6, 2), 0.0), np.full((6, 2), 1.0)]
    seen: list[set[float]] = []

    class Fitted:
        def __init__(self, x: np.ndarray, s: np.ndarray) -> None:
            seen.append(set(s.tolist()))
            self.level = float(x[0, 0])

        def predict_proba(self, x: np.ndarray) -> np.ndarray:
            assert (x[:, 0] == self.level).all()
            return np.column_stack([1 - x[:, 0] * 0.5, np.full(len(x), self.level)])

    out = out_of_fold(FoldVectors(fold, vectors), Fitted, share)
    assert seen == [set(share[fold == 1].tolist()), set(share[fold == 0].tolist())]
    assert np.array_equal(out, fold.astype(float))


def test_pooled_matches_the_scorers_pooling() -> None:
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(SCRIPTS))
    try:
        from finetune_ucc import pooled
    finally:
        sys.path.remove(str(SCRIPTS))
    rng = np.random.default_rng(0)
    chunk_vectors = rng.normal(size=(3, 4)).astype(np.float32)
    chunk_vectors /= np.linalg.norm(chunk_vectors, axis=1, keepdims=True)
    counts = np.array([5.0, 2.0, 7.0], dtype=np.float32)

    def embed_counts(texts: list[str]) -> tuple[object, object]:
        idx = [int(t) for t in texts]
        return torch.tensor(chunk_vectors[idx]), torch.tensor(counts[idx])

    got = pooled(embed_counts, [["0", "1"], ["2"]]).numpy()
    first = chunk_vectors[0] * 5 + chunk_vectors[1] * 2  # token-count weighted, then unit length
    assert np.allclose(got[0], first / np.linalg.norm(first), atol=1e-6)
    assert np.allclose(got[1], chunk_vectors[2], atol=1e-6)


def _tiny_bert(folder: Path) -> Path:
    pytest.importorskip("torch")
    return tiny_bert(folder, WORDS)


def _tables(tmp: Path) -> tuple[Path, Path]:
    import pandas as pd

    rng = np.random.default_rng(1)

    def text() -> str:
        return " ".join(rng.choice(WORDS, size=int(rng.integers(2, 8))))

    nan = float("nan")
    rows = []
    for split in ("train", "hatexplain_val"):
        for i in range(8):
            tox = float(i % 2)
            rows.append({"text": text(), "target": "", "source": "civil", "split": split, "toxicity": tox,
                         "insult": tox, "identity_attack": nan, "threat": nan, "severe_toxicity": nan,
                         "sentiment": -1, "stance": -1})  # fmt: skip
            rows.append({"text": text(), "target": "", "source": "goemotions", "split": split, "toxicity": nan,
                         "insult": nan, "identity_attack": nan, "threat": nan, "severe_toxicity": nan,
                         "sentiment": i % 3, "stance": -1})  # fmt: skip
            rows.append({"text": text(), "target": "company", "source": "vast", "split": split, "toxicity": nan,
                         "insult": nan, "identity_attack": nan, "threat": nan, "severe_toxicity": nan,
                         "sentiment": -1, "stance": i % 4})  # fmt: skip
    mix = tmp / "mix.parquet"
    pd.DataFrame(rows).to_parquet(mix)
    ucc_rows = []
    for part, n in (("dev", 12), ("heldout", 6)):
        for i in range(n):
            bad = i % 4 == 0
            ucc_rows.append({"part": part, "index": i, "fold": (i % 2) if part == "dev" else -1,
                             "share": 0.8 if bad else 0.1, "unhealthy": int(bad), "hostile": int(bad and i % 8 == 0),
                             "chunks": [text(), text()] if i % 3 == 0 else [text()], "text": ""})  # fmt: skip
    ucc = tmp / "ucc.parquet"
    pd.DataFrame(ucc_rows).to_parquet(ucc)
    return mix, ucc


def test_finetune_with_the_ucc_task_runs_every_fold(tmp_path: Path) -> None:
    encoder = _tiny_bert(tmp_path / "enc")
    mix, ucc = _tables(tmp_path)
    out = tmp_path / "out"
    cmd = [sys.executable, str(SCRIPTS / "finetune.py"), "--mix", str(mix), "--encoder", str(encoder),
           "--out", str(out), "--steps", "3", "--batch", "4", "--stance-batch", "2", "--ucc-batch", "3",
           "--max-len", "16", "--target-len", "8", "--frozen-epochs", "0", "--ucc", str(ucc)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "fold 0: UCC task on 6 development comments" in done.stdout
    assert "fold 1: UCC task on 6 development comments" in done.stdout
    with np.load(out / "ucc_vectors.npz") as d:
        assert sorted(d.files) == ["fold", "fold0", "fold1", "full", "index", "part", "start"]
        for key in ("start", "fold0", "fold1", "full"):
            assert d[key].shape == (18, 16)
            assert np.allclose(np.linalg.norm(d[key].astype(np.float32), axis=1), 1.0, atol=1e-2)
        assert not np.allclose(d["fold0"], d["start"])  # the fold encoder was trained
        assert not np.allclose(d["fold0"], d["fold1"])  # on different comments
    with np.load(out / "heads.npz") as heads:
        for key in ("fold0__unhealthy_coef", "fold1__unhealthy_coef", "ft__unhealthy_coef", "ft__toxicity_coef"):
            assert heads[key].shape[-1] == 16
    train = json.loads((out / "metrics.json").read_text())["train"]
    assert train["steps"] == 3 and train["train_rows"]["ucc_dev"] == 12
    # the evaluation script reads the run: the starting encoder under the same folds
    fv = run_vectors(out / "ucc_vectors.npz", ("start", "start"))
    assert fv.fold.tolist() == [i % 2 for i in range(12)]
