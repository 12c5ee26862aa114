"""How the stance refit and its benchmark count macro-F1 (moderation.training.ship.stance_macro_f1)."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.training.ship import stance_macro_f1

# columns: support, deny, query, comment
LOGITS = np.array(
    [
        [3.0, 0.0, 0.0, 0.0],  # support
        [0.0, 3.0, 0.0, 0.0],  # deny
        [0.0, 0.0, 2.0, 1.0],  # query; three-way: comment
        [0.0, 0.0, 1.0, 2.0],  # comment
        [1.0, 0.0, 0.9, 0.9],  # support four-way; three-way: comment (logaddexp(0.9, 0.9) > 1)
    ]
)


def test_four_way_counts_every_class() -> None:
    labels = np.array([0, 1, 2, 3, 0])
    assert stance_macro_f1(labels, LOGITS, three_way=False) == pytest.approx(1.0)


def test_three_way_folds_query_into_comment_without_touching_the_logits() -> None:
    before = LOGITS.copy()
    labels = np.array([0, 1, 3, 3, 0])  # VAST has no query label
    # support: 1 of 2 found (precision 1, recall 0.5); deny exact; comment: 2 right of 3 predicted
    expected = np.mean([2 / 3, 1.0, 0.8])
    assert stance_macro_f1(labels, LOGITS, three_way=True) == pytest.approx(expected)
    np.testing.assert_array_equal(LOGITS, before)
