"""Off-the-shelf Hugging Face classifiers (preset `hub`), loaded by id + revision or from a directory.

`load_classifier` looks in a local directory when `model` is one, else in the local HF cache
and (unless HF_HUB_OFFLINE=1) the Hub. Nothing is loaded at import time or construction: the
first `predict` (or `load()`) does it, and a failure is one `ModelLoadError` naming the
model, where it looked, and that preset `default` works offline.

Long texts are split by the shared chunk helper (`moderation.scoring.chunks`, as the default
encoder does): toxicity is the max over chunks (top chunk's span kept), sentiment and stance the
mean over chunks. Class order comes from `SCORE_GROUPS`.
"""

from __future__ import annotations

import hashlib
import os
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import ModelLoadError
from moderation.schema import SCORE_GROUPS
from moderation.scoring.base import ModelInfo, TextBatch, package_version, sha256_file
from moderation.scoring.chunks import Chunks, max_by_owner, mean_by_owner, sigmoid, softmax, split, top_spans

JIGSAW_LABELS = {
    "toxic": "toxicity",
    "toxicity": "toxicity",
    "severe_toxic": "severe_toxicity",
    "severe_toxicity": "severe_toxicity",
    "obscene": "profanity",
    "threat": "threat",
    "insult": "insult",
    "identity_hate": "identity_attack",
    "identity_attack": "identity_attack",
}
SENTIMENT_LABELS = {
    "negative": "negative",
    "neutral": "neutral",
    "positive": "positive",
    "label_0": "negative",
    "label_1": "neutral",
    "label_2": "positive",
}
STANCE_TEMPLATES = {
    "support": "This comment agrees with: {target}",
    "deny": "This comment says this is false: {target}",
    "query": "This comment asks whether this is true: {target}",
    "comment": "This comment does not take a side on: {target}",
}
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def _where(model: str) -> str:
    if Path(model).expanduser().is_dir():
        return f"local directory {Path(model).expanduser()}"
    from huggingface_hub import constants

    places = [f"local directory ./{model} (not found)", f"HF cache {constants.HF_HUB_CACHE}"]
    if os.environ.get("HF_HUB_OFFLINE", "").lower() not in {"1", "true", "yes"}:
        places.append("huggingface.co")
    return ", ".join(places)


def load_classifier(model: str, revision: str | None = None) -> tuple[Any, Any]:
    """(tokenizer, sequence-classification model) from a directory, the HF cache or the Hub."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    local = Path(model).expanduser()
    source = str(local) if local.is_dir() else model
    kwargs: dict[str, Any] = {} if local.is_dir() or revision is None else {"revision": revision}
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
        network = AutoModelForSequenceClassification.from_pretrained(source, **kwargs)
    except (OSError, ValueError, RuntimeError, ImportError) as exc:
        rev = f"@{revision}" if revision else ""
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(
            f"cannot load model {model}{rev}: looked in {_where(model)} ({first}). "
            "Download it once with network access, or point the preset at a local directory; "
            "preset `default` works offline."
        ) from None
    network.eval()
    return tokenizer, network


def _weights_sha256(model: str, revision: str | None, network: Any) -> str:
    """sha256 of the weight file when one is found, else of the parameter bytes."""
    local = Path(model).expanduser()
    for name in _WEIGHT_FILES:
        path: Any = local / name if local.is_dir() else None
        if path is None:
            from huggingface_hub import try_to_load_from_cache

            path = try_to_load_from_cache(model, name, revision=revision)
        if isinstance(path, str | Path) and Path(path).is_file():
            return sha256_file(path)
    digest = hashlib.sha256()
    for key, tensor in sorted(network.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().numpy().tobytes())
    return "params:" + digest.hexdigest()


class _HFScorer:
    name = "hf"
    produces: tuple[str, ...] = ()

    def __init__(
        self,
        model: str,
        revision: str | None = None,
        batch_size: int = 16,
        max_tokens: int = 256,
        threads: int | None = None,
    ) -> None:
        self.model = model
        self.revision = revision
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.threads = threads

    @cached_property
    def _loaded(self) -> tuple[Any, Any]:
        import torch

        torch.set_num_threads(self.threads or max(1, min(4, os.cpu_count() or 1)))
        return load_classifier(self.model, self.revision)

    def load(self) -> None:
        """Load now (raises ModelLoadError), instead of on the first batch."""
        _ = self._loaded

    def labels(self) -> list[str]:
        config = self._loaded[1].config
        return [str(config.id2label[i]).lower() for i in range(len(config.id2label))]

    def info(self) -> list[ModelInfo]:
        rev = f"@{self.revision}" if self.revision else ""
        return [
            ModelInfo(
                name=self.model,
                version=self.revision or f"transformers {package_version('transformers')}",
                source=f"hub:{self.model}{rev}" if not Path(self.model).expanduser().is_dir() else f"dir:{self.model}",
                weights_sha256=_weights_sha256(self.model, self.revision, self._loaded[1]),
                produces=self.produces,
            )
        ]

    def _chunks(self, texts: list[str]) -> Chunks:
        return split(texts, self._loaded[0], self.max_tokens)

    def _logits(self, first: list[str], second: list[str] | None = None) -> np.ndarray:
        """Logits for texts (or text pairs), in input order, length-sorted batches."""
        import torch

        tokenizer, network = self._loaded
        out = np.zeros((len(first), network.config.num_labels), dtype=np.float64)
        order = sorted(range(len(first)), key=lambda i: (len(first[i]) + len(second[i] if second else ""), i))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                args = [[first[i] for i in idx]] + ([[second[i] for i in idx]] if second else [])
                enc = tokenizer(*args, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="pt")
                out[idx] = network(**enc).logits.double().numpy()
        return out


class HFToxicityScorer(_HFScorer):
    """A multi-label Jigsaw-style classifier; `labels` maps its label names to contract attributes."""

    name = "hf-toxicity"

    def __init__(
        self,
        model: str,
        revision: str | None = None,
        labels: dict[str, str] | None = None,
        multi_label: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(model, revision, **kwargs)
        self.label_map = {k.lower(): v for k, v in (labels or JIGSAW_LABELS).items()}
        self.multi_label = multi_label
        self.produces = tuple(dict.fromkeys(self.label_map.values()))

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        n = len(batch)
        out: dict[str, np.ndarray] = {k: np.zeros(n) for k in self.produces}
        if n == 0:
            return out
        chunks = self._chunks(list(batch.texts))
        logits = self._logits(chunks.pieces)
        probs = sigmoid(logits) if self.multi_label else softmax(logits)
        best = max_by_owner(probs, chunks.owner, n)
        for j, label in enumerate(self.labels()):
            key = self.label_map.get(label)
            if key is not None:
                out[key] = np.maximum(out[key], best[:, j])
        if "toxicity" in self.produces:
            col = next(j for j, lab in enumerate(self.labels()) if self.label_map.get(lab) == "toxicity")
            out["span:toxicity"] = top_spans(probs[:, col], chunks)
        return out


class HFSentimentScorer(_HFScorer):
    """A 3-class sentiment classifier; `labels` maps its label names to negative/neutral/positive."""

    name = "hf-sentiment"
    produces: tuple[str, ...] = ("sentiment",)

    def __init__(
        self, model: str, revision: str | None = None, labels: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(model, revision, **kwargs)
        self.label_map = {k.lower(): v for k, v in (labels or SENTIMENT_LABELS).items()}

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        n = len(batch)
        if n == 0:
            return {"sentiment": np.zeros((0, 3))}
        chunks = self._chunks(list(batch.texts))
        probs = softmax(self._logits(chunks.pieces))
        classes = SCORE_GROUPS["sentiment"]
        columns = [self.label_map.get(lab) for lab in self.labels()]
        if sorted(c for c in columns if c) != sorted(classes):
            raise ModelLoadError(f"model {self.model} labels {self.labels()} do not map onto {classes}; set `labels`")
        ordered = np.stack([probs[:, columns.index(c)] for c in classes], axis=1)
        return {"sentiment": mean_by_owner(ordered, chunks.owner, n)}


class HFZeroShotStanceScorer(_HFScorer):
    """Stance by NLI: entailment logit of one hypothesis per class (templates with {target}),
    softmaxed over the four classes. Rows without a target are NaN (no stance)."""

    name = "hf-zero-shot-stance"
    produces: tuple[str, ...] = ("stance",)

    def __init__(
        self,
        model: str,
        revision: str | None = None,
        templates: dict[str, str] | None = None,
        entailment_label: str = "entailment",
        **kwargs: Any,
    ) -> None:
        super().__init__(model, revision, **kwargs)
        self.templates = templates or STANCE_TEMPLATES
        self.entailment_label = entailment_label.lower()

    def predict(self, batch: TextBatch) -> dict[str, np.ndarray]:
        classes = SCORE_GROUPS["stance"]
        n = len(batch)
        out = np.full((n, len(classes)), np.nan)
        targets = batch.target_list()
        rows = batch.rows_with_target()
        if not rows:
            return {"stance": out}
        labels = self.labels()
        if self.entailment_label not in labels:
            raise ModelLoadError(f"model {self.model} has no {self.entailment_label!r} label (labels: {labels})")
        entail = labels.index(self.entailment_label)
        chunks = self._chunks([batch.texts[i] for i in rows])
        premises, hypotheses = [], []
        for piece, o in zip(chunks.pieces, chunks.owner, strict=True):
            for c in classes:
                premises.append(piece)
                hypotheses.append(self.templates[c].format(target=targets[rows[o]]))
        scores = self._logits(premises, hypotheses)[:, entail].reshape(len(chunks.pieces), len(classes))
        out[rows] = mean_by_owner(softmax(scores), chunks.owner, len(rows))
        return {"stance": out}
