"""The encoder's BERT forward (`moderation.scoring.bert`) and tokenizer.json word pieces against
transformers' AutoModel and AutoTokenizer: the same ids, offsets, spans and embeddings, on the
shipped encoder, the packaged base encoder and tiny random BERTs built here; other models still
load through transformers; a default-preset run never imports transformers."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from moderation.scoring.bert import BertForward, applies
from moderation.scoring.encoder import SentenceEncoder, encoder_path, minilm_path
from tests.conftest import ROOT, SEEDS, shared_data_dir
from tests.tiny_bert import tiny_bert

EDGE = [
    "",
    " ",
    "a",
    "ok.",
    "Ünïcödé, çà và? naïve café résumé",
    "日本語のテキスト and 中文 mixed in 🙂👍",
    "tabs\tand\nnew\r\nlines\x00control\x07chars",
    "CAPITALS and MiXeD cAsE, don't won't can't",
    "https://example.com/a?b=c&d=e user@example.org +1 (555) 010-9999",
    "supercalifragilisticexpialidocious " + "x" * 150,
    "A long sentence that keeps going " * 40 + ". And then another. " * 30,
    "word " * 300,
]


def _seed_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(SEEDS.iterdir()):
        texts += [t for t in path.read_text(encoding="utf-8").split("\n\n") if t.strip()]
    return texts


def _ucc(n: int) -> list[str]:
    data = shared_data_dir()
    path = data / "ucc_unhealthy_comments" / "val.csv" if data else None
    if path is None or not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        return [row["comment"] for _, row in zip(range(n), csv.DictReader(handle), strict=False)]


ENCODERS = {"minilm-moderate": lambda: encoder_path("minilm-moderate"), "packaged": minilm_path}


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_word_pieces_equal_autotokenizer(name: str) -> None:
    from transformers import AutoTokenizer

    path = ENCODERS[name]()
    texts = EDGE + _seed_texts() + _ucc(1500)
    hf = AutoTokenizer.from_pretrained(str(path))
    ours = SentenceEncoder(path).tokenizer
    assert (ours.cls_id, ours.sep_id, ours.pad_id) == (hf.cls_token_id, hf.sep_token_id, hf.pad_token_id)
    ids, offsets = ours.split(texts)
    found = hf(texts, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    assert ids == found["input_ids"]
    assert [[tuple(o) for o in row] for row in offsets] == [[tuple(o) for o in row] for row in found["offset_mapping"]]
    assert any(len(row) > 126 for row in ids)  # truncation below is exercised
    for max_tokens in (128, 16):
        expected = hf(texts, truncation=True, max_length=max_tokens, verbose=False)["input_ids"]
        assert ours.input_ids(texts, max_tokens, [None] * len(texts)) == expected


def _max_diff(a: SentenceEncoder, b: SentenceEncoder, texts: list[str]) -> float:
    x, y = a.encode(texts), b.encode(texts)
    assert x.spans == y.spans and x.owner.tolist() == y.owner.tolist()
    px, lx = a.embed_pieces(texts)
    py, ly = b.embed_pieces(texts)
    assert lx.tolist() == ly.tolist()
    return float(max(np.abs(x.chunks - y.chunks).max(), np.abs(x.texts - y.texts).max(), np.abs(px - py).max()))


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_shipped_encoders_equal_transformers(name: str) -> None:
    path = ENCODERS[name]()
    ours, reference = SentenceEncoder(path), SentenceEncoder(path, use_transformers=True)
    assert isinstance(ours._loaded.forward, BertForward)
    assert not isinstance(reference._loaded.forward, BertForward)
    texts = EDGE + _seed_texts() + _ucc(48)
    assert _max_diff(ours, reference, texts) < 1e-5
    for size in (1, 7):  # other paddings: one text per batch (no mask), odd batches
        ours.batch_size = reference.batch_size = size
        assert _max_diff(ours, reference, texts[:20]) < 1e-5


WORDS = ["the", "a", "you", "are", "good", "bad", "news", "idiot", "thanks", "long", "sentence", "##s", "##ing"]


def _tiny(folder: Path, architecture: str = "BertModel", **config_options: object) -> Path:
    """Weights well away from their initialisation (jitter), so that every tensor matters."""
    options: dict[str, object] = {"hidden_size": 24, "num_hidden_layers": 2, "num_attention_heads": 3}
    options |= {"intermediate_size": 40, "layer_norm_eps": 1e-3}
    return tiny_bert(folder, WORDS, architecture, seed=3, jitter=0.5, **(options | config_options))


TINY_TEXTS = ["you are good", "bad news!", "the long sentence, the long sentences.", "", "thanks " * 40, "a"]


@pytest.mark.parametrize("architecture", ["BertModel", "BertForMaskedLM"])
def test_tiny_random_bert_equals_transformers(tmp_path: Path, architecture: str) -> None:
    folder = _tiny(tmp_path / "tiny", architecture)
    assert applies(folder)
    ours = SentenceEncoder(folder, max_tokens=16, batch_size=4)
    reference = SentenceEncoder(folder, max_tokens=16, batch_size=4, use_transformers=True)
    assert isinstance(ours._loaded.forward, BertForward) and ours.dimension == 24
    assert _max_diff(ours, reference, TINY_TEXTS) < 1e-5


def test_other_models_load_through_transformers(tmp_path: Path) -> None:
    other_act = _tiny(tmp_path / "gelu_new", hidden_act="gelu_new")
    no_json = _tiny(tmp_path / "vocab_only")
    (no_json / "tokenizer.json").unlink()
    for folder in (other_act, no_json):
        assert not applies(folder)
        encoder = SentenceEncoder(folder, max_tokens=16)
        assert not isinstance(encoder._loaded.forward, BertForward)
        assert encoder.encode(TINY_TEXTS).texts.shape == (len(TINY_TEXTS), 24)
    config = json.loads((other_act / "config.json").read_text())
    (other_act / "config.json").write_text(json.dumps(config | {"hidden_act": "gelu", "model_type": "roberta"}))
    assert not applies(other_act)


@pytest.mark.parametrize(
    "setting", [{"do_lower_case": False}, {"strip_accents": True}, {"tokenize_chinese_chars": False}]
)
def test_a_tokenizer_config_that_disagrees_with_tokenizer_json_loads_through_transformers(
    tmp_path: Path, setting: dict[str, object]
) -> None:
    """transformers builds the BERT normaliser from tokenizer_config.json; tokenizers reads only
    tokenizer.json: when the two disagree, only the transformers path gives transformers' pieces."""
    folder = _tiny(tmp_path / "tiny")
    assert applies(folder)
    config_path = folder / "tokenizer_config.json"
    config_path.write_text(json.dumps(json.loads(config_path.read_text()) | setting))
    assert not applies(folder)
    texts = ["You are GOOD news", "Café 北京 thanks"]
    encoder = SentenceEncoder(folder, max_tokens=16)
    assert not isinstance(encoder._loaded.forward, BertForward)
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(str(folder))(texts, add_special_tokens=False)["input_ids"]
    assert encoder.tokenizer.split(texts)[0] == reference


def test_default_run_does_not_import_transformers(tmp_path: Path) -> None:
    script = (
        "import json, runpy, sys\n"
        f"sys.argv = ['moderate', 'score', {str(SEEDS)!r}, '-o', {str(tmp_path / 'out')!r}, '--no-cache']\n"
        "try:\n"
        "    runpy.run_module('moderation.cli', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.partition('.')[0] in ('transformers', 'torch'))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "torch" in loaded  # the encoder ran in this process
    assert not [m for m in loaded if m.partition(".")[0] == "transformers"]
    assert (tmp_path / "out" / "comments.jsonl").is_file()
