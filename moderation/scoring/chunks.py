"""What every model backend shares: cutting texts into chunks, folding chunk scores back into
one score per text, picking the top chunk's span, and the link functions.

A long comment is never silently truncated: `split` cuts each text into sentence-ish windows
of at most `max_tokens` word pieces (`chunk_spans`); a backend scores every chunk, then
`max_by_owner` (toxicity-like scores: the worst part counts), `mean_by_owner` (class
distributions) and `top_spans` (where the worst part is) give one row per text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Chunks:
    """The chunks of a list of texts: pieces[j] is texts[owner[j]][spans[j][0]:spans[j][1]]."""

    pieces: list[str]
    owner: np.ndarray
    spans: list[tuple[int, int]]
    n_texts: int


def split(texts: list[str], tokenizer: Any | None, max_tokens: int) -> Chunks:
    """Chunks of every text (a text that fits, or any text when tokenizer is None, is one chunk)."""
    pieces: list[str] = []
    owner: list[int] = []
    spans: list[tuple[int, int]] = []
    for i, text in enumerate(texts):
        for s, e in chunk_spans(text, tokenizer, max_tokens) if tokenizer is not None else [(0, len(text))]:
            pieces.append(text[s:e])
            owner.append(i)
            spans.append((s, e))
    return Chunks(pieces, np.asarray(owner, dtype=np.int64), spans, len(texts))


def max_by_owner(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per text, the max of its chunks' values ((m,) -> (n,) or (m, k) -> (n, k))."""
    best = np.full((n, *values.shape[1:]), -np.inf)
    np.maximum.at(best, owner, values)
    return best


def mean_by_owner(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per text, the mean of its chunks' rows ((m, k) -> (n, k))."""
    total = np.zeros((n, *values.shape[1:]))
    np.add.at(total, owner, values)
    counts = np.bincount(owner, minlength=n).reshape(-1, *([1] * (values.ndim - 1)))
    return total / np.maximum(counts, 1)


def top_spans(values: np.ndarray, chunks: Chunks) -> np.ndarray:
    """(n, 2) character span of each text's highest-scoring chunk; the first chunk wins ties,
    so the span does not depend on batch order."""
    top = np.full(chunks.n_texts, -1, dtype=np.int64)
    for j, o in enumerate(chunks.owner.tolist()):
        if top[o] < 0 or values[j] > values[top[o]]:
            top[o] = j
    return np.asarray([chunks.spans[j] if j >= 0 else (-1, -1) for j in top], dtype=np.int64).reshape(-1, 2)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (n, k) scores."""
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def logit(p: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    p = np.clip(p, eps, 1 - eps)
    return np.log(p / (1 - p))


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
