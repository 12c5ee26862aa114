"""Small trained heads that read the shared MiniLM embedding (artefacts in `models/<name>/`).

Every head reads the preset's `[encoder]` table and refuses to run on an encoder other than the
one in its `config.json`; chunking and max-over-chunks come from `moderation.scoring.chunks`.

- `ToxicityHeadScorer`: toxicity (embedding head, stacked with the alt-profanity-check logit
  and VADER compound when the head's config says `stack`), severe_toxicity, insult,
  identity_attack, threat. Long comments are
  scored per chunk; a comment's score is the max over its chunks and the top chunk's
  character span is returned under `span:toxicity`.
- `SentimentHeadScorer`: negative / neutral / positive from the text embedding.
- `UnhealthyHeadScorer`: `unhealthy`, the probability that a news-comment annotator would call
  the comment not healthy, from the text embedding (trained on natural news comments).
- `StanceHeadScorer`: support / deny / query / comment toward `batch.targets[i]` from pair
  features [reply, target * reply, |target - reply|] (plus cue counts when its config says
  `cues`); a row is NaN when the
  target is None (the pipeline then leaves stance out for that text).
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from moderation.config import EncoderSpec, resource_dir
from moderation.errors import ModelLoadError
from moderation.schema import SCORE_GROUPS
from moderation.scoring.base import ModelInfo, TextBatch, sha256_file
from moderation.scoring.chunks import Chunks, logit, max_by_owner, sigmoid, softmax, top_spans
from moderation.scoring.encoder import Encoded, SentenceEncoder, shared_encoder

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


def stance_features(reply: np.ndarray, target: np.ndarray, cues: np.ndarray | None) -> np.ndarray:
    """Pair features [reply, reply * target, |reply - target|] of unit embeddings, plus cues if given."""
    parts = [reply, reply * target, np.abs(reply - target)] + ([cues] if cues is not None else [])
    return np.hstack(parts).astype(np.float32)


HEAD_CONFIG = "config.json"


def model_dir(name: str) -> Path:
    return resource_dir("models") / name


class HeadArtefact:
    """A trained head: `head.npz` (linear layers `<key>_coef`, `<key>_intercept`) and the
    `config.json` beside it (encoder, max_tokens, pooling, labels, features, training data hash).

    Nothing is read until first use; a head refuses an encoder other than the one it was
    trained with, and labels other than the score vocabulary (`SCORE_GROUPS`)."""

    def __init__(self, name: str, encoder: EncoderSpec) -> None:
        self.name = name
        self.encoder = encoder
        self.path = model_dir(name) / "head.npz"
        self.config_path = model_dir(name) / HEAD_CONFIG

    @cached_property
    def config(self) -> dict[str, Any]:
        if not self.path.is_file() or not self.config_path.is_file():
            raise ModelLoadError(
                f"trained head {self.name!r} not found (want {self.path} and {self.config_path}); "
                "reinstall the package or retrain it (see the head's MODEL_CARD.md)"
            )
        try:
            config = json.loads(self.config_path.read_text(encoding="utf-8"))
            trained = config["encoder"]
            wanted = {
                "model": self.encoder.model,
                "max_tokens": self.encoder.max_tokens,
                "pooling": self.encoder.pooling,
            }
            have = {k: trained[k] for k in wanted}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelLoadError(f"head {self.name!r}: unreadable {self.config_path}: {exc}") from None
        if have != wanted:
            raise ModelLoadError(
                f"head {self.name!r} was trained on encoder {_describe(have)} but the preset's [encoder] is "
                f"{_describe(wanted)}; use the encoder the head was trained with, or retrain the head"
            )
        return dict(config)

    def check_labels(self, group: str) -> None:
        labels = tuple(self.config.get("labels", {}).get(group, ()))
        if labels != SCORE_GROUPS[group]:
            raise ModelLoadError(f"head {self.name!r} has {group} classes {labels}, want {SCORE_GROUPS[group]}")

    def feature(self, name: str) -> bool:
        return bool(self.config.get("features", {}).get(name, False))

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        _ = self.config  # refuses a mismatched encoder before any weight is used
        with np.load(self.path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    def linear(self, key: str, features: np.ndarray) -> np.ndarray:
        coef, intercept = self.arrays[f"{key}_coef"], self.arrays[f"{key}_intercept"]
        return features @ coef.T + intercept

    def info(self, produces: tuple[str, ...]) -> ModelInfo:
        return ModelInfo(
            name=self.name,
            version=str(self.config.get("version", "unknown")),
            source=f"models/{self.name}",
            weights_sha256=sha256_file(self.path),
            produces=produces,
        )


def _describe(enc: dict[str, Any]) -> str:
    return f"{enc['model']} (max_tokens {enc['max_tokens']}, pooling {enc['pooling']})"


class _EncoderHead:
    """Shared plumbing: the preset's encoder, and its memoised pass over a batch."""

    name = "head"
    produces: tuple[str, ...] = ()
    artefact_name = ""

    def __init__(self, model: str | None = None, encoder: EncoderSpec | None = None) -> None:
        self.spec = encoder or EncoderSpec()
        self.artefact = HeadArtefact(model or self.artefact_name, self.spec)

    @cached_property
    def encoder(self) -> SentenceEncoder:
        _ = self.artefact.config  # a head on the wrong encoder fails before the encoder loads
        return shared_encoder(self.spec)

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
        from moderation.scoring import profanity, vader

        return profanity.model(), vader.analyzer()

    def chunk_scores(self, chunk_texts: list[str], vectors: np.ndarray) -> dict[str, np.ndarray]:
        """Per-chunk probabilities of every attribute this scorer produces."""
        z = self.artefact.linear("toxicity", vectors).reshape(-1)
        if self.artefact.feature("stack"):  # head logit stacked with lexical signals
            profanity, vader = self._lexical
            prof = logit(np.asarray(profanity.predict_prob(chunk_texts), dtype=np.float64)) if chunk_texts else z[:0]
            comp = np.asarray([vader.polarity_scores(t)["compound"] for t in chunk_texts], dtype=np.float64)
            z = self.artefact.linear("stack", np.stack([z, prof, comp], axis=1)).reshape(-1)
        out = {"toxicity": sigmoid(z)}
        for key in TOXICITY_HEADS:
            out[key] = sigmoid(self.artefact.linear(key, vectors).reshape(-1))
        return out

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        n = len(batch)
        if n == 0:
            return {k: np.zeros(0) for k in self.produces}
        enc = self.encoded(batch)
        chunks = Chunks(
            [batch.texts[o][s:e] for o, (s, e) in zip(enc.owner, enc.spans, strict=True)], enc.owner, enc.spans, n
        )
        per_chunk = self.chunk_scores(chunks.pieces, enc.chunks)
        out = {key: max_by_owner(values, enc.owner, n) for key, values in per_chunk.items()}
        out["span:toxicity"] = top_spans(per_chunk["toxicity"], chunks)
        return out


class SentimentHeadScorer(_EncoderHead):
    name = "sentiment-head"
    produces: tuple[str, ...] = ("sentiment",)
    artefact_name = "sentiment-minilm"

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        if len(batch) == 0:
            return {"sentiment": np.zeros((0, 3))}
        self.artefact.check_labels("sentiment")
        return {"sentiment": softmax(self.artefact.linear("sentiment", self.encoded(batch).texts))}


class UnhealthyHeadScorer(_EncoderHead):
    """`unhealthy`: a head trained on natural news comments (UCC development half), read on
    the comment's pooled embedding like sentiment."""

    name = "unhealthy-head"
    produces: tuple[str, ...] = ("unhealthy",)
    artefact_name = "unhealthy-minilm"

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        if len(batch) == 0:
            return {"unhealthy": np.zeros(0)}
        return {"unhealthy": sigmoid(self.artefact.linear("unhealthy", self.encoded(batch).texts).reshape(-1))}


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
        self.artefact.check_labels("stance")
        cues = stance_cues([batch.texts[i] for i in rows]) if self.artefact.feature("cues") else None
        out[rows] = softmax(self.artefact.linear("stance", stance_features(replies, target_vecs, cues)))
        return {"stance": out}
