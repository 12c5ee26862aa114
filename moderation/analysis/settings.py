"""Turn a preset's [thresholds], [flags] and [queue] tables into `FlagSettings`.

Reads the word lists (paths relative to the preset file's folder, configs/) and the
severity model named by [queue] (models/<name>/severity.json). Every key is optional;
missing keys take the defaults of `FlagSettings` / `DuplicateSettings`; without a
severity model, severity is the `toxicity` score (else `profanity`) and `min_severity`
that score's threshold. Bad values raise `ConfigError` naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from moderation.analysis.duplicates import DuplicateSettings
from moderation.analysis.flags import FlagSettings, WordLists
from moderation.analysis.severity import SeverityModel
from moderation.analysis.words import WordMatcher, parse_wordlist
from moderation.config import resource_dir
from moderation.errors import ConfigError

_DUPLICATE_KEYS = {"enabled", *DuplicateSettings.__dataclass_fields__}
_QUEUE_KEYS = {"severity_model", "min_severity", "queue_share", "rules"}
QUEUE_RULES = ("banned_word", "contact", "duplicate", "link", "watched_word", "escalation")


def flag_settings(
    flags: Mapping[str, Any],
    thresholds: Mapping[str, float],
    config_dir: Path,
    queue: Mapping[str, Any] | None = None,
) -> FlagSettings:
    """Settings from the raw [flags] and [queue] tables of a preset whose file is in `config_dir`.

    [queue] keys: `severity_model` (folder under models/), `min_severity` (a number in
    [0, 1]) or `queue_share` (the share of development comments the queue should hold, in
    (0, 1); the model's own table turns it into a min severity), `rules`.
    """
    words = _table(flags, "words")
    escalation = _table(flags, "escalation")
    duplicates = _table(flags, "duplicates")
    if "weights" in flags:
        raise ConfigError("[flags.weights] is gone: severity comes from the [queue] severity model (docs/flags.md)")
    model, min_severity, rules = queue_settings(queue or {}, thresholds)
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
        severity=model,
        min_severity=min_severity,
        queue_rules=rules,
    )


def queue_settings(
    queue: Mapping[str, Any], thresholds: Mapping[str, float]
) -> tuple[SeverityModel | None, float, tuple[str, ...]]:
    """(severity model, min severity, queue rules) from a [queue] table."""
    unknown = set(queue) - _QUEUE_KEYS
    if unknown:
        raise ConfigError(f"[queue]: unknown keys {sorted(unknown)}")
    rules = queue.get("rules", ["banned_word", "contact", "duplicate"])
    if not isinstance(rules, list) or not all(isinstance(r, str) and r in QUEUE_RULES for r in rules):
        raise ConfigError(f"[queue] rules must be a list of {', '.join(QUEUE_RULES)}")
    name = queue.get("severity_model")
    if name is not None:
        if not isinstance(name, str) or not name or "/" in name or "\\" in name:
            raise ConfigError("[queue] severity_model must be a folder name under models/")
        path = resource_dir("models") / name / "severity.json"
        if not path.is_file():
            raise ConfigError(f"severity model {path} not found; fit it with `moderate train severity`")
        model: SeverityModel | None = SeverityModel.load(path)
        default = model.threshold if model is not None else 1.0
    else:
        attribute = next((a for a in ("toxicity", "profanity") if a in thresholds), None)
        model = SeverityModel.single(attribute) if attribute is not None else None
        default = thresholds[attribute] if attribute is not None else 1.0
    if "min_severity" in queue and "queue_share" in queue:
        raise ConfigError("[queue]: give min_severity or queue_share, not both")
    if "queue_share" in queue:
        share = queue["queue_share"]
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            raise ConfigError(f"[queue] queue_share must be a number in (0, 1), got {share!r}")
        if model is None or not model.share_table:
            raise ConfigError("[queue] queue_share needs a fitted severity model (it holds the share table)")
        return model, model.threshold_for_share(float(share)), tuple(rules)
    min_severity = queue.get("min_severity", default)
    if isinstance(min_severity, bool) or not isinstance(min_severity, int | float) or not 0 <= min_severity <= 1:
        raise ConfigError(f"[queue] min_severity must be a number in [0, 1], got {min_severity!r}")
    return model, float(min_severity), tuple(rules)


def merge_queue(base: Any, override: Mapping[str, Any]) -> dict[str, Any]:
    """A preset's [queue] table with `override` applied: a None value removes a key, and a
    min severity replaces a queue share and the other way round."""
    if not isinstance(base, dict):
        raise ConfigError("[queue] must be a table")
    merged = dict(base)
    if "min_severity" in override or "queue_share" in override:
        merged.pop("min_severity", None)
        merged.pop("queue_share", None)
    merged.update(override)
    return {k: v for k, v in merged.items() if v is not None}


def queue_overrides(min_severity: float | None, queue_size: str | None) -> dict[str, Any]:
    """[queue] overrides from the CLI: a min severity, or a queue share written `3%` or `0.03`."""
    if min_severity is not None and queue_size is not None:
        raise ConfigError("give --min-severity or --queue-size, not both")
    if min_severity is not None:
        return {"min_severity": min_severity}
    if queue_size is None:
        return {}
    text = queue_size.strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ConfigError(f"--queue-size must be a share such as 3% or 0.03, got {queue_size!r}") from None
    if not 0 < share < 1:
        raise ConfigError(f"--queue-size must be between 0% and 100%, got {queue_size!r}")
    return {"queue_share": share}


def check_severity_inputs(settings: FlagSettings, produced: Sequence[str], preset: str) -> None:
    """ConfigError when the severity model reads a score the preset does not produce."""
    model = settings.severity
    missing = [k for k in model.needs_scores if k not in produced] if model is not None else []
    if missing and model is not None:
        raise ConfigError(f"severity model {model.name} needs scores {missing} that preset {preset} does not produce")


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
