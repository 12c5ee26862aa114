"""Turn a preset's [thresholds] and [flags] tables into `FlagSettings` (reads the word lists).

Word-list paths are relative to the preset file's folder (configs/). Every key is
optional; missing keys take the defaults of `FlagSettings` / `DuplicateSettings`.
Bad values raise `ConfigError` naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from moderation.analysis.duplicates import DuplicateSettings
from moderation.analysis.flags import FlagSettings, WordLists
from moderation.analysis.words import WordMatcher, parse_wordlist
from moderation.errors import ConfigError

_DUPLICATE_KEYS = {"enabled", *DuplicateSettings.__dataclass_fields__}


def flag_settings(flags: Mapping[str, Any], thresholds: Mapping[str, float], config_dir: Path) -> FlagSettings:
    """Settings from the raw [flags] table of a preset whose file is in `config_dir`."""
    words = _table(flags, "words")
    escalation = _table(flags, "escalation")
    duplicates = _table(flags, "duplicates")
    weights = _table(flags, "weights")
    unknown = set(duplicates) - _DUPLICATE_KEYS
    if unknown:
        raise ConfigError(f"[flags.duplicates]: unknown keys {sorted(unknown)}")
    try:
        dup_settings = (
            DuplicateSettings(**{k: v for k, v in duplicates.items() if k != "enabled"})
            if duplicates.get("enabled", True)
            else None
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[flags.duplicates]: {exc}") from None
    attributes = escalation.get("attributes", ["toxicity", "profanity"])
    if not isinstance(attributes, list) or not attributes or not all(isinstance(a, str) for a in attributes):
        raise ConfigError("[flags.escalation] attributes must be a non-empty list of score names")
    return FlagSettings(
        thresholds=dict(thresholds),
        banned=_matcher(words.get("banned"), config_dir, "banned"),
        watched=_matcher(words.get("watched"), config_dir, "watched"),
        words_by_language=_language_lists(words, config_dir),
        links=_bool(flags, "links", True),
        contacts=_bool(flags, "contacts", True),
        duplicates=dup_settings,
        escalation_threshold=(
            _number(escalation, "threshold", 0.3, "[flags.escalation]") if escalation.get("enabled", True) else None
        ),
        heat_attributes=tuple(attributes),
        weights={k: _number(weights, k, 1.0, "[flags.weights]") for k in weights if k != "default"},
        default_weight=_number(weights, "default", 1.0, "[flags.weights]"),
    )


def read_wordlist(path: Path) -> list[str]:
    try:
        return parse_wordlist(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read word list {path}: {exc}") from None


def _matcher(name: object, config_dir: Path, key: str) -> WordMatcher | None:
    if name is None or name == "":
        return None
    if not isinstance(name, str):
        raise ConfigError(f"[flags.words] {key} must be a file name")
    return WordMatcher(read_wordlist(config_dir / name))


def _language_lists(words: Mapping[str, Any], config_dir: Path) -> dict[str, WordLists]:
    """[flags.words.<language>] tables: each language's own banned and watched lists."""
    out: dict[str, WordLists] = {}
    for language, table in words.items():
        if language in ("banned", "watched"):
            continue
        if not isinstance(table, dict) or set(table) - {"banned", "watched"}:
            raise ConfigError(f"[flags.words.{language}] must be a table with banned and/or watched")
        out[language] = WordLists(
            _matcher(table.get("banned"), config_dir, f"{language}.banned"),
            _matcher(table.get("watched"), config_dir, f"{language}.watched"),
        )
    return out


def _table(flags: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = flags.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[flags.{key}] must be a table")
    return value


def _bool(table: Mapping[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"[flags] {key} must be true or false")
    return value


def _number(table: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where} {key} must be a non-negative number, got {value!r}")
    return float(value)
