"""alt-profanity-check read without scikit-learn (moderation/scoring/profanity.py): the same
probabilities bit for bit, no scikit-learn import on the scoring path, unknown layouts refused."""

from __future__ import annotations

import copy
import random
import subprocess
import sys

import pytest

from benchmarks.synth_comments import comment_text
from moderation.errors import ConfigError
from moderation.scoring.profanity import FILES, ProfanityModel, _load, data_dir, model
from tests.conftest import ROOT


def synth_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [comment_text(rng) for _ in range(n)]


EDGE_CASES = [
    "",
    "!!! ???",
    "a b c",  # one-letter words are not tokens
    "You are a FUCKING IDIOT",
    "SHIT",  # all capitals
    "Ça suffit, espèce d'idiot. Scheiße!",
    "the of and to",  # stop words only
    "word " * 5000,
    "fuck " + "x" * 100_000,
    "\u00a0\u2003tabs\tand\nnewlines\r\n damn",
]


def test_the_same_probabilities_as_the_package_bit_for_bit() -> None:
    from profanity_check import predict_prob  # imports scikit-learn: the reference

    texts = EDGE_CASES + synth_texts(3000, seed=11)
    ours = model().predict_prob(texts)
    theirs = predict_prob(texts).tolist()
    assert ours == theirs  # exact equality: same operations, same order
    assert max(ours) > 0.9 and min(ours) < 0.1


def test_order_and_batching_do_not_change_a_probability() -> None:
    texts = synth_texts(600, seed=12)
    whole = model().predict_prob(texts)
    one_by_one = [model().predict_prob([t])[0] for t in texts[:50]]
    assert one_by_one == whole[:50]
    assert model().predict_prob(texts[::-1]) == whole[::-1]


def test_scoring_does_not_import_scikit_learn() -> None:
    code = (
        "import sys; from moderation.moderator import Moderator; "
        "r = Moderator('fast').score_texts(['You are a fucking idiot.', 'Fine article.']); "
        "print(r[0].scores.attributes['profanity'] > 0.9, 'sklearn' in sys.modules, 'scipy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "False"]


def test_a_model_file_of_another_layout_is_refused() -> None:
    vectorizer, fitted = (_load(data_dir() / name) for name in FILES)
    ProfanityModel._from_state(vectorizer, fitted)  # the shipped layout reads
    bigrams = copy.copy(vectorizer)
    bigrams.ngram_range = (1, 2)
    with pytest.raises(ValueError, match="ngram_range"):
        ProfanityModel._from_state(bigrams, fitted)
    isotonic = copy.copy(fitted)
    isotonic.method = "isotonic"
    with pytest.raises(ValueError, match="isotonic"):
        ProfanityModel._from_state(vectorizer, isotonic)


def test_a_broken_model_file_is_one_line_not_a_traceback(tmp_path) -> None:
    (tmp_path / "vectorizer.joblib").write_bytes((data_dir() / "vectorizer.joblib").read_bytes())
    (tmp_path / "model.joblib").write_bytes(b'{"not": "a model"}')
    with pytest.raises(ConfigError, match="cannot read alt-profanity-check's model"):
        ProfanityModel.from_package(tmp_path)
