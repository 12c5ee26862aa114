"""Presets: TOML files naming the scorers to run and the thresholds to flag at.

Presets live in the repository's top-level `configs/` (shipped inside the wheel as
`moderation/_configs`). `load_preset("fast")` finds one by name; `load_preset(path)`
reads any TOML file of the same shape.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.errors import ConfigError

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """A top-level data folder (`configs`, `models`): the checkout's own, else the wheel's copy."""
    for candidate in (_PACKAGE_DIR.parent / name, _PACKAGE_DIR / f"_{name}"):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"cannot find the {name}/ folder next to or inside the moderation package")


@dataclass(frozen=True, slots=True)
class ScorerSpec:
    name: str
    options: dict[str, Any] = field(default_factory=dict)


ENCODER_KEYS = ("model", "max_tokens", "batch_size", "pooling")
POOLINGS = ("mean",)
# The most characters of one comment that the models and the flag rules read (a preset may set
# its own top-level `max_comment_chars`); a longer comment is written whole, scored on this
# prefix and marked (problem `long_comment`, `scored_chars` on its row). 100,000 is 25 pages
# of text, far beyond any real comment, and keeps one 50 MB comment from costing gigabytes.
DEFAULT_MAX_COMMENT_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class EncoderSpec:
    """A preset's `[encoder]` table: the one sentence encoder that every head reads.

    model: "all-MiniLM-L6-v2" (the packaged encoder), a folder under models/, or a directory;
    max_tokens: word pieces per chunk; batch_size: chunks per forward pass; pooling: "mean"
    (token mean, unit length). Heads record the encoder they were trained with and refuse another.
    """

    model: str = "all-MiniLM-L6-v2"
    max_tokens: int = 128
    batch_size: int = 32
    pooling: str = "mean"


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    description: str
    path: Path
    scorers: tuple[ScorerSpec, ...]
    thresholds: dict[str, float]
    batch_size: int = 32
    flags: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    # [languages] scored: comments detected in another language get no model scores.
    scored_languages: tuple[str, ...] = ("en",)
    encoder: EncoderSpec | None = None
    max_comment_chars: int = DEFAULT_MAX_COMMENT_CHARS


def preset_names() -> list[str]:
    return sorted(p.stem for p in resource_dir("configs").glob("*.toml"))


def load_preset(name_or_path: str | Path) -> Preset:
    """A preset by name (`default`, `fast`, `hub`) or from a TOML file path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = resource_dir("configs") / f"{name_or_path}.toml"
        if not path.is_file():
            raise ConfigError(f"unknown preset {str(name_or_path)!r}; known presets: {', '.join(preset_names())}")
    elif not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _preset_from_dict(raw, path)


def _preset_from_dict(raw: dict[str, Any], path: Path) -> Preset:
    scorers_raw = raw.get("scorers", [])
    if not isinstance(scorers_raw, list) or not all(isinstance(s, dict) and "name" in s for s in scorers_raw):
        raise ConfigError(f"{path}: [[scorers]] must be tables with a name")
    scorers = tuple(ScorerSpec(str(s["name"]), {k: v for k, v in s.items() if k != "name"}) for s in scorers_raw)
    thresholds_raw = raw.get("thresholds", {})
    thresholds: dict[str, float] = {}
    for key, value in thresholds_raw.items():
        if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
            raise ConfigError(f"{path}: threshold {key} must be a number in [0, 1], got {value!r}")
        thresholds[key] = float(value)
    batch_size = raw.get("batch_size", 32)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"{path}: batch_size must be a positive integer")
    max_chars = raw.get("max_comment_chars", DEFAULT_MAX_COMMENT_CHARS)
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 1:
        raise ConfigError(f"{path}: max_comment_chars must be a positive integer, got {max_chars!r}")
    languages = raw.get("languages", {})
    scored = languages.get("scored", ["en"]) if isinstance(languages, dict) else None
    if not isinstance(scored, list) or not scored or not all(isinstance(x, str) and x for x in scored):
        raise ConfigError(f"{path}: [languages] scored must be a non-empty list of language codes")
    return Preset(
        encoder=_encoder_spec(raw.get("encoder"), path),
        name=str(raw.get("name", path.stem)),
        description=str(raw.get("description", "")),
        path=path,
        scorers=scorers,
        thresholds=thresholds,
        batch_size=batch_size,
        flags=dict(raw.get("flags", {})),
        raw=raw,
        scored_languages=tuple(scored),
        max_comment_chars=max_chars,
    )


def _encoder_spec(table: Any, path: Path) -> EncoderSpec | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [encoder] must be a table")
    unknown = sorted(set(table) - set(ENCODER_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown [encoder] keys {', '.join(unknown)}; known: {', '.join(ENCODER_KEYS)}")
    spec = EncoderSpec(**table)
    if not isinstance(spec.model, str) or not spec.model:
        raise ConfigError(f"{path}: [encoder] model must be a non-empty string")
    for key in ("max_tokens", "batch_size"):
        value = getattr(spec, key)
        if not isinstance(value, int) or isinstance(value, bool) or value < (8 if key == "max_tokens" else 1):
            raise ConfigError(f"{path}: [encoder] {key} must be a positive integer (max_tokens at least 8)")
    if spec.pooling not in POOLINGS:
        raise ConfigError(f"{path}: [encoder] pooling must be one of {', '.join(POOLINGS)}")
    return spec
