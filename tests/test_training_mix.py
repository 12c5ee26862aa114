"""The multi-task training table: identity-term swaps, no UCC, held-out splits kept apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from moderation.training.mix import IDENTITY_GROUPS, swap_identity


def test_swap_identity_swaps_within_group_and_keeps_case() -> None:
    rng = np.random.default_rng(0)
    out = swap_identity("Muslims are fine. GAY people too, said the woman.", rng)
    assert out is not None
    words = out.replace(".", "").replace(",", "").split()
    assert words[0] in {t.capitalize() for t in IDENTITY_GROUPS[1]} and words[0] != "Muslims"
    assert words[3] in {t.upper() for t in IDENTITY_GROUPS[2]} and words[3] != "GAY"
    assert words[-1] in IDENTITY_GROUPS[5] and words[-1] != "woman"
    assert swap_identity("The council approved the tram.", rng) is None
    assert swap_identity("whitewash is not an identity", rng) is None  # whole words only


def test_hatexplain_labels(shared_data: Path) -> None:
    from moderation.training import sets

    s = sets.hatexplain(shared_data, "test")
    assert len(s.texts) == 1924
    tox, ident = s.labels["toxicity"], s.labels["identity_attack"]
    assert ident.sum() > 0 and np.all(tox[ident == 1] == 1)  # identity attack implies toxic
    assert 0.5 < tox.mean() < 0.7  # offensive + hatespeech = 1,142 of 1,924
