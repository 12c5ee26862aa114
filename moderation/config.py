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
    languages = raw.get("languages", {})
    scored = languages.get("scored", ["en"]) if isinstance(languages, dict) else None
    if not isinstance(scored, list) or not scored or not all(isinstance(x, str) and x for x in scored):
        raise ConfigError(f"{path}: [languages] scored must be a non-empty list of language codes")
    return Preset(
        name=str(raw.get("name", path.stem)),
        description=str(raw.get("description", "")),
        path=path,
        scorers=scorers,
        thresholds=thresholds,
        batch_size=batch_size,
        flags=dict(raw.get("flags", {})),
        raw=raw,
        scored_languages=tuple(scored),
    )
