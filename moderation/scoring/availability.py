"""Which models each preset needs and whether they are available here without a network.

Checks files only (no model is loaded, nothing is downloaded) for what each scorer declares
it needs in the registry: the preset's encoder, trained heads in `models/` (and that each was
trained on that encoder), Python packages, and hub models in a local directory or the HF cache.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.config import EncoderSpec, Preset, load_preset, preset_names
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


def _package(distribution: str, module: str) -> tuple[str, bool, str]:
    found = importlib.util.find_spec(module) is not None
    return (distribution, found, f"pypi:{distribution}" if found else f"pip install {distribution}")


def _encoder(spec: EncoderSpec | None) -> tuple[str, bool, str]:
    from moderation.scoring.encoder import encoder_path

    if spec is None:
        return ("encoder", False, "the preset has no [encoder] table")
    try:
        path = encoder_path(spec.model)
    except ModerationError as exc:
        return (spec.model, False, str(exc))
    return (spec.model, (path / "config.json").is_file(), str(path))


def _head(name: str, spec: EncoderSpec | None) -> tuple[str, bool, str]:
    from moderation.scoring.heads import HeadArtefact

    head = HeadArtefact(name, spec or EncoderSpec())
    try:
        _ = head.config  # present, readable, and trained on this preset's encoder
    except ModerationError as exc:
        return (name, False, str(exc))
    return (name, True, str(head.path.parent))


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


def scorer_models(
    scorer: str, options: dict[str, Any], encoder: EncoderSpec | None = None
) -> list[tuple[str, bool, str]]:
    """(model, available, where) for each thing a scorer declares it needs (`registry.needs`)."""
    from moderation.scoring import registry

    try:
        wants = registry.needs(scorer)
    except ModerationError:
        return [(scorer, False, "unknown scorer")]
    out = []
    for need in wants:
        kind, _, rest = need.partition(":")
        if kind == "encoder":
            out.append(_encoder(encoder))
        elif kind == "head":
            out.append(_head(str(options.get("model", rest)), encoder))
        elif kind == "package":
            out.append(_package(*rest.split(":", 1)))
        elif kind == "hub":
            out.append(_hub(options))
    return out


def preset_models(preset: Preset) -> list[ModelStatus]:
    out = []
    seen: set[tuple[str, str]] = set()
    for spec in preset.scorers:
        for model, ok, where in scorer_models(spec.name, spec.options, preset.encoder):
            if (model, where) in seen:  # the shared encoder is listed once
                continue
            seen.add((model, where))
            out.append(ModelStatus(preset.name, spec.name, model, ok, where))
    return out


def availability() -> dict[str, list[ModelStatus]]:
    """Every shipped preset -> its models and whether each is available offline here."""
    return {name: preset_models(load_preset(name)) for name in preset_names()}
