"""The hub loading path, on tiny models built here (no network)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from moderation.errors import ModelLoadError
from moderation.scoring import registry
from moderation.scoring.base import TextBatch
from moderation.scoring.hub import load_classifier
from tests.tiny_bert import tiny_bert

WORDS = [
    "the",
    "a",
    "you",
    "are",
    "is",
    "idiot",
    "thanks",
    "good",
    "bad",
    "news",
    "this",
    "comment",
    "agrees",
    "with",
    "says",
    "false",
    "asks",
    "whether",
    "true",
    "does",
    "not",
    "take",
    "side",
    "on",
]


def _tiny(tmp_path: Path, labels: list[str], name: str) -> Path:
    return tiny_bert(tmp_path / name, WORDS, "BertForSequenceClassification", labels)


def test_toxicity_from_local_directory(tmp_path: Path) -> None:
    folder = _tiny(tmp_path, ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"], "tox")
    scorer = registry.create("hf-toxicity", {"model": str(folder), "max_tokens": 16})
    assert set(scorer.produces) == {"toxicity", "severe_toxicity", "profanity", "threat", "insult", "identity_attack"}
    long_text = "you are good. " * 20 + "you are an idiot!"
    out = scorer.predict(TextBatch(["you are an idiot", "thanks, good news", long_text]))
    for key in scorer.produces:
        assert out[key].shape == (3,)
        assert ((out[key] > 0) & (out[key] < 1)).all()
    start, end = out["span:toxicity"][2]
    assert 0 <= start < end <= len(long_text)
    assert end - start < len(long_text)  # a chunk, not the whole over-long text
    info = scorer.info()[0]
    assert info.source.startswith("dir:") and len(info.weights_sha256 or "") == 64


def test_sentiment_and_zero_shot_stance(tmp_path: Path) -> None:
    sent = registry.create("hf-sentiment", {"model": str(_tiny(tmp_path, ["negative", "neutral", "positive"], "s"))})
    dist = sent.predict(TextBatch(["good news", "bad news"]))["sentiment"]
    assert dist.shape == (2, 3) and np.allclose(dist.sum(axis=1), 1.0)
    nli = _tiny(tmp_path, ["entailment", "neutral", "contradiction"], "nli")
    stance = registry.create("hf-zero-shot-stance", {"model": str(nli)})
    out = stance.predict(TextBatch(["this is false", "good news"], ["the news is true", None]))["stance"]
    assert np.allclose(out[0].sum(), 1.0)
    assert np.isnan(out[1]).all()  # no target: no stance, never a guess


def test_local_directory_and_id_share_the_loader(tmp_path: Path) -> None:
    folder = _tiny(tmp_path, ["negative", "neutral", "positive"], "direct")
    tokenizer, model = load_classifier(str(folder), revision="ignored-for-directories")
    assert model.config.num_labels == 3 and tokenizer("good news")["input_ids"][0] == tokenizer.cls_token_id


def test_missing_hub_model_gives_one_clear_error() -> None:
    code = (
        "from moderation.scoring.hub import load_classifier\n"
        "from moderation.errors import ModelLoadError\n"
        "try:\n    load_classifier('moderate-tests/no-such-model', revision='main')\n"
        "except ModelLoadError as e:\n    print('ERR', e)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    line = done.stdout.strip()
    assert line.startswith("ERR cannot load model moderate-tests/no-such-model@main"), done.stdout + done.stderr
    assert "HF cache" in line and "preset `default` works offline" in line


def test_offline_error_does_not_claim_the_hub_was_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    from moderation.scoring.hub import _where

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "huggingface.co" not in _where("moderate-tests/no-such-model")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert _where("moderate-tests/no-such-model").endswith("huggingface.co")


def test_error_is_a_model_load_error_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelLoadError, match="local directory"):
        load_classifier(str(empty))
