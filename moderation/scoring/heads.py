"""Small trained heads that read the shared MiniLM embedding (artefacts in `models/<name>/`).

- `ToxicityHeadScorer`: toxicity (embedding head stacked with the alt-profanity-check logit
  and VADER compound), severe_toxicity, insult, identity_attack, threat. Long comments are
  scored per chunk; a comment's score is the max over its chunks and the top chunk's
  character span is returned under `span:toxicity`.
- `SentimentHeadScorer`: negative / neutral / positive from the text embedding.
- `StanceHeadScorer`: support / deny / query / comment toward `batch.targets[i]` from pair
  features [reply, target * reply, |target - reply|] plus cue features; a row is NaN when the
  target is None (the pipeline then leaves stance out for that text).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from moderation.config import resource_dir
from moderation.errors import ModelLoadError
from moderation.scoring.base import ModelInfo, TextBatch, sha256_file
from moderation.scoring.encoder import DEFAULT_MAX_TOKENS, Encoded, SentenceEncoder, shared_encoder

TOXICITY_HEADS = ("severe_toxicity", "insult", "identity_attack", "threat")

# Cheap stance cues, as data: (name, pattern). Counted on the lower-cased reply.
STANCE_CUES: tuple[tuple[str, str], ...] = (
    ("question_mark", r"\?"),
    (
        "question_word",
        r"^\W*(?:@\w+\s+)*(?:who|what|when|where|why|how|is|are|was|were|do|does|did|can|could|will|would|should|really)\b",
    ),
    (
        "denial",
        r"\b(?:fake|false|hoax|lie|lies|lying|untrue|not true|isn'?t true|wrong|debunked|rumou?rs?"
        r"|no evidence|doubt|unconfirmed|nonsense|bs|fabricated|misleading)\b",
    ),
    ("negation", r"\b(?:not|no|never|nobody|nothing|don'?t|doesn'?t|didn'?t|isn'?t|wasn'?t|aren'?t)\b"),
    ("support", r"\b(?:true|confirmed|confirms|indeed|exactly|agree|right|yes|official|reports?)\b"),
)
_CUES = [(name, re.compile(p)) for name, p in STANCE_CUES]


def stance_cues(texts: list[str]) -> np.ndarray:
    """(n, len(STANCE_CUES)) cue features: log(1 + number of matches)."""
    out = np.zeros((len(texts), len(_CUES)), dtype=np.float32)
    for i, text in enumerate(texts):
        low = text.lower()
        for j, (_, pattern) in enumerate(_CUES):
            out[i, j] = np.log1p(len(pattern.findall(low)))
    return out


def stance_features(reply: np.ndarray, target: np.ndarray, cues: np.ndarray) -> np.ndarray:
    """Pair features of (reply, target) embeddings plus cues."""
    return np.hstack([reply, reply * target, np.abs(reply - target), cues]).astype(np.float32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def logit(p: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    p = np.clip(p, eps, 1 - eps)
    return np.log(p / (1 - p))


def model_dir(name: str) -> Path:
    return resource_dir("models") / name


class HeadArtefact:
    """A `head.npz` of linear heads (`<key>_coef`, `<key>_intercept`) and its provenance."""

    def __init__(self, name: str, file: str = "head.npz") -> None:
        self.name = name
        self.path = model_dir(name) / file

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        if not self.path.is_file():
            raise ModelLoadError(
                f"trained head {self.name!r} not found at {self.path}; "
                "train it with `python -m moderation.training all` or reinstall the package"
            )
        with np.load(self.path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    def linear(self, key: str, features: np.ndarray) -> np.ndarray:
        coef, intercept = self.arrays[f"{key}_coef"], self.arrays[f"{key}_intercept"]
        return features @ coef.T + intercept

    def info(self, produces: tuple[str, ...]) -> ModelInfo:
        version = str(self.arrays.get("version", np.asarray("unknown")))
        return ModelInfo(
            name=self.name,
            version=version,
            source=f"models/{self.name}",
            weights_sha256=sha256_file(self.path),
            produces=produces,
        )


class _EncoderHead:
    """Shared plumbing: the encoder, and its memoised pass over a batch."""

    name = "head"
    produces: tuple[str, ...] = ()
    artefact_name = ""

    def __init__(
        self,
        model: str | None = None,
        encoder_path: str | None = None,
        encoder_batch_size: int = 32,
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> None:
        self.artefact = HeadArtefact(model or self.artefact_name)
        self._encoder_args = (encoder_path, encoder_batch_size, max_tokens)

    @cached_property
    def encoder(self) -> SentenceEncoder:
        return shared_encoder(*self._encoder_args)

    def encoded(self, batch: TextBatch) -> Encoded:
        return batch.feature(self.encoder.key, lambda: self.encoder.encode(list(batch.texts)))

    def info(self) -> list[ModelInfo]:
        return [self.encoder.info(), self.artefact.info(self.produces)]


class ToxicityHeadScorer(_EncoderHead):
    name = "toxicity-head"
    produces: tuple[str, ...] = ("toxicity", *TOXICITY_HEADS)
    artefact_name = "toxicity-minilm"

    @cached_property
    def _lexical(self) -> tuple[Any, Any]:
        import profanity_check

        from moderation.scoring import vader

        return profanity_check, vader.analyzer()

    def chunk_scores(self, chunk_texts: list[str], vectors: np.ndarray) -> dict[str, np.ndarray]:
        """Per-chunk probabilities of every attribute this scorer produces."""
        profanity, vader = self._lexical
        z = self.artefact.linear("toxicity", vectors).reshape(-1)
        prof = logit(np.asarray(profanity.predict_prob(chunk_texts), dtype=np.float64)) if chunk_texts else z[:0]
        comp = np.asarray([vader.polarity_scores(t)["compound"] for t in chunk_texts], dtype=np.float64)
        stacked = self.artefact.linear("stack", np.stack([z, prof, comp], axis=1)).reshape(-1)
        out = {"toxicity": sigmoid(stacked)}
        for key in TOXICITY_HEADS:
            out[key] = sigmoid(self.artefact.linear(key, vectors).reshape(-1))
        return out

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        n = len(batch)
        if n == 0:
            return {k: np.zeros(0) for k in self.produces}
        enc = self.encoded(batch)
        pieces = [batch.texts[o][s:e] for o, (s, e) in zip(enc.owner, enc.spans, strict=True)]
        per_chunk = self.chunk_scores(pieces, enc.chunks)
        out: dict[str, np.ndarray] = {}
        for key, values in per_chunk.items():
            best = np.full(n, -np.inf)
            np.maximum.at(best, enc.owner, values)
            out[key] = best
        top = np.full(n, -1, dtype=np.int64)
        tox = per_chunk["toxicity"]
        for j in range(len(tox)):  # first chunk wins ties, so the span is order independent
            o = enc.owner[j]
            if top[o] < 0 or tox[j] > tox[top[o]]:
                top[o] = j
        out["span:toxicity"] = np.asarray([enc.spans[j] for j in top], dtype=np.int64).reshape(n, 2)
        return out


class SentimentHeadScorer(_EncoderHead):
    name = "sentiment-head"
    produces: tuple[str, ...] = ("sentiment",)
    artefact_name = "sentiment-minilm"

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        if len(batch) == 0:
            return {"sentiment": np.zeros((0, 3))}
        return {"sentiment": softmax(self.artefact.linear("sentiment", self.encoded(batch).texts))}


class StanceHeadScorer(_EncoderHead):
    name = "stance-head"
    produces: tuple[str, ...] = ("stance",)
    artefact_name = "stance-minilm"

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        n = len(batch)
        out = np.full((n, 4), np.nan)
        targets = batch.target_list()
        rows = batch.rows_with_target()
        if not rows:
            return {"stance": out}
        replies = self.encoded(batch).texts[rows]
        unique_targets = sorted({t for i in rows if (t := targets[i]) is not None})
        t_vec = batch.feature(f"{self.encoder.key}:targets", lambda: self.encoder.encode(list(unique_targets)).texts)
        where = {t: k for k, t in enumerate(unique_targets)}
        target_vecs = t_vec[[where[str(targets[i])] for i in rows]]
        cues = stance_cues([batch.texts[i] for i in rows])
        out[rows] = softmax(self.artefact.linear("stance", stance_features(replies, target_vecs, cues)))
        return {"stance": out}
