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
    no_hostile = np.zeros(200, dtype=bool)
    before = unhealthy._oof(x, unhealthy.Development([""] * 200, y == 1, no_hostile, y.astype(float)), 1.0)
    flipped = y.copy()
    flipped[7] = 1 - flipped[7]
    # the folds stay those of the labels above: only row 7's share changes
    after = unhealthy._oof(x, unhealthy.Development([""] * 200, y == 1, no_hostile, flipped.astype(float)), 1.0)
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


def test_soft_target_with_hard_shares_is_the_hard_fit() -> None:
    from moderation.training.fit import fit_logistic

    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 5))
    y = (x[:, 0] + rng.normal(size=300) > 1.0).astype(int)
    soft = unhealthy.fit_soft(x, y.astype(float), 1.0)
    hard = fit_logistic(x, y, None, 1.0)
    np.testing.assert_allclose(soft.coef_, hard.coef_, rtol=1e-3, atol=1e-4)


def test_soft_target_counts_a_split_vote_less() -> None:
    # one feature, one positive comment among negatives: its pull on the weight shrinks with its share
    x = np.r_[np.zeros(50), [1.0]].reshape(-1, 1)
    coefs = []
    for share in (1.0, 0.6):
        target = np.r_[np.zeros(50), [share]]
        coefs.append(float(unhealthy.fit_soft(x, target, 10.0).coef_[0, 0]))
    assert coefs[0] > coefs[1] > 0
