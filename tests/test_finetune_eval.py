"""The standalone GPU script's metrics (finetune_eval.py travels beside finetune.py)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from moderation.training import finetune_eval as fe


def test_roc_auc_and_macro_f1_known_values() -> None:
    assert fe.roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == 0.75
    assert math.isnan(fe.roc_auc(np.array([1, 1]), np.array([0.2, 0.3])))
    y = np.array([0, 0, 1, 1])
    assert fe.macro_f1(y, np.array([0, 0, 1, 1]), [0, 1]) == 1.0
    assert fe.macro_f1(y, np.array([0, 0, 0, 0]), [0, 1]) == (2 * 0.5 * 1 / 1.5) / 2


def test_vast_folds_query_into_comment() -> None:
    df = pd.DataFrame({"stance": [0, 1, 3]})
    for k in fe.BINARY:
        df[k] = np.nan
    df["sentiment"] = -1
    logits = np.array([[5.0, 0, 0, 0], [0, 5.0, 0, 0], [0, 0, 5.0, 0.0]])  # 3rd: query, counted as comment
    assert fe.evaluate("vast_dev", df, {"stance": logits})["macro_f1_stance"] == 1.0
    assert fe.evaluate("rumoureval_dev", df, {"stance": logits})["macro_f1_stance"] < 1.0


def test_finetune_runs_as_a_file_beside_its_metrics(tmp_path: Path) -> None:
    script = Path(fe.__file__).with_name("finetune.py")
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "--mix" in done.stdout
