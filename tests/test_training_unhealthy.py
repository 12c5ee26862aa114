"""The unhealthy head's cross-fitting: what the severity fit reads for development comments."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.scoring.identity import without_identity_terms
from moderation.training import unhealthy


def test_out_of_fold_score_never_sees_its_own_label() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8))
    y = (x[:, 0] + 0.5 * rng.normal(size=200) > 1.0).astype(int)
    folds = unhealthy._folds(y == 1, np.zeros(200, dtype=bool))
    before = unhealthy._oof(x, y, folds, 1.0)
    flipped = y.copy()
    flipped[7] = 1 - flipped[7]
    after = unhealthy._oof(x, flipped, folds, 1.0)
    assert after[7] == pytest.approx(before[7])  # row 7's fold model was fitted without row 7
    assert not np.allclose(np.delete(after, 7), np.delete(before, 7))  # the other folds' models saw it


def test_cross_fitted_refuses_other_texts(tmp_path, shared_data) -> None:
    with pytest.raises(ValueError, match="development comments"):
        unhealthy.cross_fitted(["not UCC"], shared_data, None, 1.0, tmp_path)  # type: ignore[arg-type]


def test_identity_terms_removed_as_whole_words_only() -> None:
    assert without_identity_terms("Gays and lesbians; a Blacksmith, a trans-woman.").split() == [
        "and",
        ";",
        "a",
        "Blacksmith,",
        "a",
        "trans-woman.",
    ]
