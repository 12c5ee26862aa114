"""Did training the encoder on UCC's development half help? Out of fold, development half only.

Reads a `finetune.py --ucc` run folder (`ucc_vectors.npz`, `heads.npz`) and the `ucc.parquet` it
was given, and prints, for the starting encoder and for the run's fold encoders under the same
2 folds, the out-of-fold ROC AUC (not healthy, hostile) of the `unhealthy` head as
`moderate train unhealthy` fits it (soft-target logistic regression, each C of C_GRID), and of
the fold runs' jointly trained heads. A comment's score always comes from a model that did not
see its label; the held-out half of UCC is not read.

Run: PYTHONPATH=. python benchmarks/eval_ucc_finetune.py --run OUT --table .gpu/ucc.parquet
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main() -> None:
    import pandas as pd

    from moderation.evaluate import roc_auc
    from moderation.training.ucc_folds import out_of_fold, run_vectors
    from moderation.training.unhealthy import C_GRID, fit_soft

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True, help="the folder finetune.py wrote")
    parser.add_argument("--table", type=Path, required=True, help="the ucc.parquet the run read")
    args = parser.parse_args()
    table = pd.read_parquet(args.table)
    dev = table[table["part"] == "dev"].sort_values("index")
    share = dev["share"].to_numpy(np.float64)
    unhealthy, hostile = dev["unhealthy"].to_numpy() > 0, dev["hostile"].to_numpy() > 0
    vectors = args.run / "ucc_vectors.npz"
    folds = sorted(int(f) for f in dev["fold"].unique())
    print(f"UCC development half: {len(dev)} comments, {unhealthy.mean():.3f} not healthy,", end=" ")
    print(f"{hostile.mean():.3f} hostile")
    print(f"{len(folds)} folds; out-of-fold ROC AUC (not healthy / hostile)\n")
    print("| vectors | head | " + " | ".join(f"C={c:g}" for c in C_GRID) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in C_GRID) + " |")
    runs = {"starting encoder": ("start",) * len(folds), "fold encoders": tuple(f"fold{k}" for k in folds)}
    for label, keys in runs.items():
        fv = run_vectors(vectors, keys)
        if not np.array_equal(fv.fold, dev["fold"].to_numpy()):
            raise SystemExit("the run's folds are not the table's")
        cells = []
        for c in C_GRID:
            p = out_of_fold(fv, lambda x, s, c=c: fit_soft(x, s, c), share)
            cells.append(f"{roc_auc(unhealthy, p):.3f} / {roc_auc(hostile, p):.3f}")
        print(f"| {label} | soft logistic on the vectors | " + " | ".join(cells) + " |")
    with np.load(args.run / "heads.npz") as heads:
        if all(f"fold{k}__unhealthy_coef" in heads.files for k in folds):
            fv = run_vectors(vectors, tuple(f"fold{k}" for k in folds))
            p = np.zeros(len(dev))
            for k in folds:
                mine = fv.fold == k
                z = fv.vectors[k][mine] @ heads[f"fold{k}__unhealthy_coef"].T + heads[f"fold{k}__unhealthy_intercept"]
                p[mine] = z.reshape(-1)
            print(f"\nfold runs' joint unhealthy heads: {roc_auc(unhealthy, p):.3f} / {roc_auc(hostile, p):.3f}")


if __name__ == "__main__":
    main()
