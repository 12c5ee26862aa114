"""Which models each preset needs and whether they are available here without a network.

Checks files only (no model is loaded, nothing is downloaded): trained heads in `models/`,
the packaged MiniLM, the lexical packages, and hub models in a local directory or the HF cache.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.config import Preset, load_preset, preset_names
from moderation.errors import ModerationError


@dataclass(frozen=True, slots=True)
class ModelStatus:
    preset: str
    scorer: str
    model: str
    available: bool
    where: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "scorer": self.scorer,
            "model": self.model,
            "available": self.available,
            "where": self.where,
        }


def _package(scorer: str, module: str, distribution: str) -> list[tuple[str, bool, str]]:
    found = importlib.util.find_spec(module) is not None
    return [(distribution, found, f"pypi:{distribution}" if found else f"pip install {distribution}")]


def _minilm(options: dict[str, Any]) -> tuple[str, bool, str]:
    from moderation.scoring.encoder import minilm_path

    try:
        path = Path(options["encoder_path"]) if options.get("encoder_path") else minilm_path()
    except ModerationError as exc:
        return ("all-MiniLM-L6-v2", False, str(exc))
    ok = (path / "config.json").is_file()
    return ("all-MiniLM-L6-v2", ok, str(path))


def _head(options: dict[str, Any], default: str) -> tuple[str, bool, str]:
    from moderation.scoring.heads import model_dir

    name = options.get("model", default)
    path = model_dir(name) / "head.npz"
    return (name, path.is_file(), str(path))


def _hub(options: dict[str, Any]) -> tuple[str, bool, str]:
    model = str(options.get("model", "?"))
    revision = options.get("revision")
    label = f"{model}@{revision}" if revision else model
    local = Path(model).expanduser()
    if local.is_dir():
        return (label, (local / "config.json").is_file(), str(local))
    try:
        from huggingface_hub import constants, try_to_load_from_cache
    except ImportError:
        return (label, False, "huggingface_hub not installed")
    hit = try_to_load_from_cache(model, "config.json", revision=revision)
    if isinstance(hit, str):
        return (label, True, str(Path(hit).parent))
    return (label, False, f"not in HF cache {constants.HF_HUB_CACHE} (needs a download)")


_HEADS = {"toxicity-head": "toxicity-minilm", "sentiment-head": "sentiment-minilm", "stance-head": "stance-minilm"}


def scorer_models(scorer: str, options: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(model, available, where) for each model a scorer needs."""
    if scorer == "profanity-check":
        return _package(scorer, "profanity_check", "alt-profanity-check")
    if scorer == "vader":
        return _package(scorer, "vaderSentiment", "vaderSentiment")
    if scorer in _HEADS:
        return [_minilm(options), _head(options, _HEADS[scorer])]
    if scorer.startswith("hf-"):
        return [_hub(options)]
    return [(scorer, False, "unknown scorer")]


def preset_models(preset: Preset) -> list[ModelStatus]:
    out = []
    seen: set[tuple[str, str]] = set()
    for spec in preset.scorers:
        for model, ok, where in scorer_models(spec.name, spec.options):
            if (model, where) in seen:  # the shared encoder is listed once
                continue
            seen.add((model, where))
            out.append(ModelStatus(preset.name, spec.name, model, ok, where))
    return out


def availability() -> dict[str, list[ModelStatus]]:
    """Every shipped preset -> its models and whether each is available offline here."""
    return {name: preset_models(load_preset(name)) for name in preset_names()}
