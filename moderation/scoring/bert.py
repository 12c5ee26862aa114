"""A BERT encoder's forward pass in plain torch, without transformers' modeling code.

Importing `transformers.models.bert.modeling_bert` costs about 3 s of a cold start on this
machine (it pulls in torch._dynamo, torch.distributed.tensor and scipy); the shipped encoders are
plain BERTs (all-MiniLM-L6-v2's architecture), whose forward is a few lines. `BertForward` reads
a checkpoint folder's config.json and model.safetensors and returns the last hidden state,
computed with the same torch operations, in the same order and on the same tensor layouts as
transformers' `BertModel` with its default attention (torch's scaled_dot_product_attention, a
boolean padding mask that is dropped when nothing is padded), in float32 whatever the stored
precision, so its output equals transformers' (tests/test_bert_forward.py).

`applies(path)` says whether a folder is such a checkpoint; anything else (other architectures,
other attention or position settings, no tokenizer.json or no safetensors) is loaded by
transformers (`moderation.scoring.encoder`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

from moderation.errors import ModelLoadError

# Keys of a BERT config.json whose other values this forward does not implement (default: value).
_PLAIN = {
    "hidden_act": "gelu",
    "position_embedding_type": "absolute",
    "is_decoder": False,
    "add_cross_attention": False,
    "chunk_size_feed_forward": 0,
}
_TOKENIZER_CLASSES = (None, "BertTokenizer", "BertTokenizerFast")


def applies(path: Path) -> bool:
    """True when `path` holds a plain BERT checkpoint this forward runs: config.json with
    model_type "bert" and default activation, positions and attention, model.safetensors, and
    a tokenizer.json that transformers would load as a BERT tokenizer with the same text
    normalisation (lower-casing, accents, Chinese characters)."""
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        tokenizer_config = (
            json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
            if (path / "tokenizer_config.json").is_file()
            else {}
        )
    except (OSError, ValueError):
        return False
    if config.get("model_type") != "bert" or config.get("attn_implementation", "sdpa") not in (None, "sdpa"):
        return False
    if any(config.get(key, default) != default for key, default in _PLAIN.items()):
        return False
    if tokenizer_config.get("tokenizer_class") not in _TOKENIZER_CLASSES:
        return False
    return (path / "model.safetensors").is_file() and _normalizer_agrees(path / "tokenizer.json", tokenizer_config)


# tokenizer_config.json settings transformers' BERT tokenizer builds its normalizer from, with their
# defaults, and the BertNormalizer field each becomes.
_NORMALIZER_SETTINGS = {
    "do_lower_case": (True, "lowercase"),
    "strip_accents": (None, "strip_accents"),
    "tokenize_chinese_chars": (True, "handle_chinese_chars"),
}


def _normalizer_agrees(tokenizer_json: Path, tokenizer_config: dict[str, Any]) -> bool:
    """True when tokenizer.json normalises text as transformers would from tokenizer_config.json:
    transformers rebuilds the normalizer from `do_lower_case`, `strip_accents` and
    `tokenize_chinese_chars`, while the `tokenizers` package reads only tokenizer.json."""
    try:
        normalizer = json.loads(tokenizer_json.read_text(encoding="utf-8")).get("normalizer") or {}
    except (OSError, ValueError):
        return False
    if normalizer.get("type") != "BertNormalizer" or normalizer.get("clean_text") is not True:
        return False
    return all(
        normalizer.get(field) == tokenizer_config.get(key, default)
        for key, (default, field) in _NORMALIZER_SETTINGS.items()
    )


class BertForward:
    """last_hidden_state = forward(input_ids, attention_mask) of a BERT encoder, in float32."""

    def __init__(self, config: dict[str, Any], weights: dict[str, torch.Tensor]) -> None:
        self.hidden_size = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        if self.hidden_size % self.heads:
            raise ModelLoadError(f"hidden size {self.hidden_size} is not a multiple of {self.heads} attention heads")
        self.head_size = self.hidden_size // self.heads
        self.scaling = self.head_size**-0.5
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.n_layers = int(config["num_hidden_layers"])
        weights = {k.removeprefix("bert."): v for k, v in weights.items()}
        missing = [k for k in _needed(self.n_layers) if k not in weights]
        if missing:
            raise ModelLoadError(f"BERT weights missing {len(missing)} tensors, e.g. {missing[0]!r}")
        # float32 on CPU whatever the stored precision (the fine-tuned encoder ships as fp16)
        self.w = {k: weights[k].to(torch.float32).contiguous() for k in _needed(self.n_layers)}

    @classmethod
    def load(cls, path: Path) -> BertForward:
        from safetensors.torch import load_file

        try:
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
            weights = load_file(str(path / "model.safetensors"))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load BERT encoder from {path}: {exc}") from exc
        return cls(config, weights)

    def _layer_norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, (self.hidden_size,), self.w[f"{name}.weight"], self.w[f"{name}.bias"], self.eps)

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(batch, length, hidden) last hidden state; token type 0 everywhere, no dropout."""
        batch, length = input_ids.shape
        positions = torch.arange(length).expand((1, -1))
        token_types = torch.zeros_like(input_ids)
        x = F.embedding(input_ids, self.w["embeddings.word_embeddings.weight"])
        x = x + F.embedding(token_types, self.w["embeddings.token_type_embeddings.weight"])
        x = x + F.embedding(positions, self.w["embeddings.position_embeddings.weight"])
        x = self._layer_norm(x, "embeddings.LayerNorm")
        # transformers' bidirectional SDPA mask: none when nothing is padded, else (batch, 1, q, kv) booleans
        mask = None
        if not bool(attention_mask.all()):
            mask = attention_mask.bool()[:, None, None, :].expand(batch, 1, length, length)
        shape = (batch, length, -1, self.head_size)
        for i in range(self.n_layers):
            p = f"encoder.layer.{i}."
            q = self._linear(x, p + "attention.self.query").view(*shape).transpose(1, 2)
            k = self._linear(x, p + "attention.self.key").view(*shape).transpose(1, 2)
            v = self._linear(x, p + "attention.self.value").view(*shape).transpose(1, 2)
            a = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=0.0, scale=self.scaling, is_causal=False
            )
            a = a.reshape(batch, -1, length, self.head_size).transpose(1, 2).contiguous()
            a = a.reshape(batch, length, -1).contiguous()
            x = self._layer_norm(self._linear(a, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = F.gelu(self._linear(x, p + "intermediate.dense"))
            x = self._layer_norm(self._linear(h, p + "output.dense") + x, p + "output.LayerNorm")
        return x


def _needed(n_layers: int) -> list[str]:
    """The tensors the forward reads (a checkpoint's pooler and position_ids are not used)."""
    names = [f"embeddings.{e}_embeddings.weight" for e in ("word", "position", "token_type")]
    names += ["embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
    for i in range(n_layers):
        p = f"encoder.layer.{i}."
        for part in ("attention.self.query", "attention.self.key", "attention.self.value"):
            names += [f"{p}{part}.weight", f"{p}{part}.bias"]
        for part in ("attention.output.dense", "intermediate.dense", "output.dense"):
            names += [f"{p}{part}.weight", f"{p}{part}.bias"]
        for part in ("attention.output.LayerNorm", "output.LayerNorm"):
            names += [f"{p}{part}.weight", f"{p}{part}.bias"]
    return names
