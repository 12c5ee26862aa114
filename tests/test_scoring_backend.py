"""The scoring backend layer: shared chunk helpers, the preset's [encoder] table, head configs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from moderation.config import EncoderSpec, load_preset
from moderation.errors import ConfigError, ModelLoadError
from moderation.evaluate import parse_merge
from moderation.scoring import chunks, registry
from moderation.scoring.availability import preset_models, scorer_models
from moderation.scoring.base import TextBatch
from moderation.scoring.heads import HeadArtefact


def test_max_mean_and_top_span_fold_chunks_per_text() -> None:
    c = chunks.Chunks(["a", "b", "c", "d"], np.asarray([0, 0, 1, 0]), [(0, 1), (2, 3), (0, 5), (4, 5)], 3)
    values = np.asarray([0.2, 0.9, 0.4, 0.9])
    assert chunks.max_by_owner(values, c.owner, 2).tolist() == [0.9, 0.4]
    mean = chunks.mean_by_owner(np.asarray([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]), c.owner, 2)
    assert np.allclose(mean, [[2 / 3, 1 / 3], [0.5, 0.5]])
    # first chunk wins a tie (0.9 twice for text 0); a text without chunks gets (-1, -1)
    assert chunks.top_spans(values, c).tolist() == [[2, 3], [0, 5], [-1, -1]]


def test_split_without_tokenizer_keeps_whole_texts() -> None:
    c = chunks.split(["one", "", "two three"], None, 8)
    assert c.pieces == ["one", "", "two three"] and c.owner.tolist() == [0, 1, 2]


def test_softmax_rows_sum_to_one() -> None:
    p = chunks.softmax(np.asarray([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]]))
    assert np.allclose(p.sum(axis=1), 1.0) and p[1, 0] == pytest.approx(1.0)


def _preset(tmp_path: Path, encoder: str, extra: str = "") -> Path:
    path = tmp_path / "p.toml"
    path.write_text(f'name = "p"\n[encoder]\n{encoder}\n[[scorers]]\nname = "sentiment-head"\n{extra}\n')
    return path


def test_encoder_table_is_read_and_checked(tmp_path: Path) -> None:
    spec = load_preset(_preset(tmp_path, 'model = "x"\nmax_tokens = 64')).encoder
    assert spec == EncoderSpec(model="x", max_tokens=64)
    with pytest.raises(ConfigError, match="unknown \\[encoder\\] keys"):
        load_preset(_preset(tmp_path, "max_length = 64"))
    with pytest.raises(ConfigError, match="pooling"):
        load_preset(_preset(tmp_path, 'pooling = "cls"'))
    assert load_preset("default").encoder is not None


def test_head_scorer_needs_the_preset_encoder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"needs an \[encoder\] table"):
        registry.create("sentiment-head", {})
    with pytest.raises(ConfigError, match=r"\[encoder\] table, not per scorer"):
        registry.create("sentiment-head", {"encoder": "x"}, encoder=EncoderSpec())


def test_head_refuses_an_encoder_it_was_not_trained_on() -> None:
    trained = json.loads(HeadArtefact("sentiment-minilm", EncoderSpec()).config_path.read_text())["encoder"]
    other = EncoderSpec(model="all-MiniLM-L6-v2" if trained["model"] != "all-MiniLM-L6-v2" else "elsewhere")
    scorer = registry.create("sentiment-head", {}, encoder=other)
    with pytest.raises(ModelLoadError, match=r"was trained on encoder .* but the preset's \[encoder\] is"):
        scorer.predict(TextBatch(["hello"]))
    longer = EncoderSpec(model=trained["model"], max_tokens=trained["max_tokens"] * 2)
    with pytest.raises(ModelLoadError, match="max_tokens"):
        registry.create("stance-head", {}, encoder=longer).predict(TextBatch(["a"], ["b"]))


def test_every_shipped_head_config_names_encoder_labels_and_data() -> None:
    spec = load_preset("default").encoder
    assert spec is not None
    for name in ("toxicity-minilm", "sentiment-minilm", "stance-minilm"):
        config = HeadArtefact(name, spec).config  # raises if it does not match the default encoder
        assert set(config) >= {"encoder", "labels", "features", "training_data_sha256", "version"}
        assert len(config["training_data_sha256"]) == 64


def test_models_listing_follows_what_scorers_declare() -> None:
    for name in registry.names():
        assert registry.needs(name), f"{name} declares nothing"
    listed = scorer_models("toxicity-head", {}, EncoderSpec(model="no-such-encoder"))
    assert listed[0][0] == "no-such-encoder" and not listed[0][1]
    assert {m for m, *_ in listed} >= {"toxicity-minilm", "alt-profanity-check", "vaderSentiment"}
    default = preset_models(load_preset("default"))
    encoder = load_preset("default").encoder
    assert encoder is not None and sum(1 for s in default if s.model == encoder.model) == 1


def test_parse_merge() -> None:
    assert parse_merge(["query=comment", " a = b "]) == {"query": "comment", "a": "b"}
    with pytest.raises(ConfigError):
        parse_merge(["query"])
