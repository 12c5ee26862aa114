"""Severity: a calibrated estimate that a moderator would act on a comment. Pure, no IO.

A `SeverityModel` is a logistic regression over a few features of one comment (its
scores, word-list hits, length), fitted on labelled news comments at natural prevalence
(`moderate train severity`, moderation/training/severity.py) and stored as JSON beside
its model card (models/severity-<preset>/severity.json). `probability` is the estimate,
`contributions` says how much each feature pushed it up or down relative to an average
development comment: the largest positive push among the evidence features is the reason
a queue flag names.

Feature names (values computed by `features`):
- `toxicity`, `profanity`, `insult`, `threat`, `identity_attack`, `severe_toxicity`: the
  logit of that score (clipped to [1e-4, 1 - 1e-4]);
- `toxicity_high`: the part of the toxicity logit above 0 (toxicity over 0.5), else 0: the
  toxicity head ranks natural comments well only where it is confident;
- `negative`: the sentiment head's probability of `negative`;
- `watched_word`, `banned_word`: number of distinct list entries found (at most 3);
- `length`: log(1 + characters);
- `addressed`: 1 when the comment speaks to someone in the second person ("you", "your",
  "yourself", ...), else 0. Antagonising, condescending and dismissive comments are mostly
  replies to another reader: 47% of the not-healthy UCC development comments speak to
  someone, against 30% of all (docs/flags.md).

Term-neutral step (identity-term bias): `offsets[feature][term]` is how much naming `term`
alone raises that logit feature, measured on development comments by swapping the term
for a neutral word (training/severity.py). When a text names identity terms, the largest
offset among them is taken off that feature before the model sees it, so "I am a gay
person" is scored like "I am a local person", while "I hate gay people" stays hostile.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.errors import ConfigError
from moderation.schema import Scores
from moderation.textnorm import may_hold_word, word_needles, word_pattern

LOGIT_FEATURES = ("toxicity", "profanity", "insult", "threat", "identity_attack", "severe_toxicity", "unhealthy")
COUNT_FEATURES = ("watched_word", "banned_word")
# Logit features above a floor: name -> (the score it reads, the floor on its logit).
HINGE_FEATURES = {"toxicity_high": ("toxicity", 0.0)}
OTHER_FEATURES = ("negative", "length", "addressed")
KNOWN_FEATURES = (*LOGIT_FEATURES, *HINGE_FEATURES, *COUNT_FEATURES, *OTHER_FEATURES)
# Features that may be named as the reason a comment entered the queue (evidence a
# moderator can check); length and addressed only adjust the estimate.
EVIDENCE_FEATURES = (*LOGIT_FEATURES, *HINGE_FEATURES, *COUNT_FEATURES, "negative")
REASON_NAMES = {"negative": "negative_sentiment", "toxicity_high": "toxicity"}
MAX_COUNT = 3
_EPS = 1e-4
_SECOND_PERSON = re.compile(r"\byou(?:|r|rs|rself|rselves|re)\b", re.IGNORECASE)


def _logit(p: float) -> float:
    p = min(1.0 - _EPS, max(_EPS, p))
    return math.log(p / (1.0 - p))


@dataclass(frozen=True, slots=True)
class CommentEvidence:
    """What the severity features are computed from, besides the scores."""

    text: str
    watched: frozenset[str] = frozenset()
    banned: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SeverityModel:
    """Logistic regression on standardised features; `threshold` is the queue's operating point."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    name: str = "severity"
    offsets: dict[str, dict[str, float]] = field(default_factory=dict)
    share_table: tuple[tuple[float, float], ...] = ()  # (share of dev comments queued, min severity)
    meta: dict[str, Any] = field(default_factory=dict)
    terms: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(sorted({t for table in self.offsets.values() for t in table})))
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n):
            raise ConfigError(f"severity model {self.name}: features, mean, scale and coef differ in length")
        unknown = [f for f in self.features if f not in KNOWN_FEATURES]
        if unknown:
            raise ConfigError(f"severity model {self.name}: unknown features {unknown}")
        if any(s <= 0 for s in self.scale):
            raise ConfigError(f"severity model {self.name}: every scale must be positive")
        if set(self.offsets) - set(LOGIT_FEATURES):
            raise ConfigError(f"severity model {self.name}: offsets only apply to score logits")
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(f"severity model {self.name}: threshold must be in [0, 1]")

    @classmethod
    def single(cls, attribute: str) -> SeverityModel:
        """Severity = one score as it is (for presets without a fitted model)."""
        return cls((attribute,), (0.0,), (1.0,), (1.0,), 0.0, 0.5, name=f"{attribute} score")

    def threshold_for_share(self, share: float) -> float:
        """The min severity that queued `share` of the development comments (interpolated)."""
        table = sorted(self.share_table)
        if not table:
            raise ConfigError(f"severity model {self.name} has no share table")
        if share <= table[0][0]:
            return table[0][1]
        for (s0, t0), (s1, t1) in itertools.pairwise(table):
            if share <= s1:
                return t0 + (t1 - t0) * (share - s0) / (s1 - s0)
        return table[-1][1]

    @property
    def needs_scores(self) -> tuple[str, ...]:
        """Score attributes the model reads (a preset must produce them all)."""
        scores = [HINGE_FEATURES[f][0] if f in HINGE_FEATURES else f for f in self.features]
        return tuple(dict.fromkeys(f for f in scores if f in LOGIT_FEATURES)) + (
            ("sentiment",) if "negative" in self.features else ()
        )

    def features_of(self, scores: Scores, evidence: CommentEvidence) -> list[float] | None:
        """Feature values in model order; None when a score the model needs is missing."""
        values: list[float] = []
        named = identity_terms_in(evidence.text, self.terms) if self.offsets else frozenset()
        for name in self.features:
            if name in LOGIT_FEATURES or name in HINGE_FEATURES:
                score, floor = HINGE_FEATURES.get(name, (name, None))
                if score not in scores.attributes:
                    return None
                offsets = self.offsets.get(score, {})
                shift = max((offsets.get(t, 0.0) for t in named), default=0.0)
                z = _logit(scores.attributes[score]) - max(0.0, shift)
                values.append(z if floor is None else max(floor, z))
            elif name == "negative":
                dist = scores.groups.get("sentiment")
                if not dist or "negative" not in dist:
                    return None
                values.append(float(dist["negative"]))
            elif name == "watched_word":
                values.append(float(min(MAX_COUNT, len(evidence.watched))))
            elif name == "banned_word":
                values.append(float(min(MAX_COUNT, len(evidence.banned))))
            elif name == "addressed":
                values.append(1.0 if addressed(evidence.text) else 0.0)
            else:  # length
                values.append(math.log1p(len(evidence.text)))
        return values

    def contributions(self, values: Sequence[float]) -> dict[str, float]:
        """Each feature's push on the log-odds, relative to the development mean."""
        return {
            name: c * (v - m) / s
            for name, v, m, s, c in zip(self.features, values, self.mean, self.scale, self.coef, strict=True)
        }

    def probability(self, values: Sequence[float]) -> float:
        z = self.intercept + sum(self.contributions(values).values())
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def driver(self, values: Sequence[float]) -> str:
        """The reason a queue flag names: the evidence feature that pushed the estimate up most."""
        pushes = self.contributions(values)
        best = max((name for name in self.features if name in EVIDENCE_FEATURES), key=lambda n: pushes[n], default=None)
        if best is None or pushes[best] <= 0:
            return "severity"
        return REASON_NAMES.get(best, best)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "offsets": self.offsets,
            "share_table": [list(row) for row in self.share_table],
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], name: str = "severity") -> SeverityModel:
        try:
            return cls(
                features=tuple(str(f) for f in raw["features"]),
                mean=tuple(float(x) for x in raw["mean"]),
                scale=tuple(float(x) for x in raw["scale"]),
                coef=tuple(float(x) for x in raw["coef"]),
                intercept=float(raw["intercept"]),
                threshold=float(raw["threshold"]),
                name=str(raw.get("name", name)),
                offsets={
                    str(f): {str(t): float(v) for t, v in table.items()}
                    for f, table in dict(raw.get("offsets", {})).items()
                },
                share_table=tuple((float(a), float(b)) for a, b in raw.get("share_table", [])),
                meta=dict(raw.get("meta", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"severity model {name}: bad or missing field ({exc})") from None

    @classmethod
    def load(cls, path: Path) -> SeverityModel:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read severity model {path}: {exc}") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"severity model {path}: expected a JSON object")
        return cls.from_dict(raw, path.parent.name)


def addressed(text: str) -> bool:
    """Whether `text` speaks to someone in the second person ("you", "your", "yourself", ...).
    Texts without "you" in any case skip the regex (most of them; the same answers: no
    character but y/Y, o/O, u/U matches those letters case-insensitively)."""
    return "you" in text.lower() and _SECOND_PERSON.search(text) is not None


_TERM_CACHE: dict[tuple[str, ...], tuple[re.Pattern[str], frozenset[str] | None]] = {}


def identity_terms_in(text: str, terms: Sequence[str]) -> frozenset[str]:
    """The `terms` that `text` names as whole words (case-insensitive; a plural -s counts)."""
    if not terms:
        return frozenset()
    key = tuple(terms)
    cached = _TERM_CACHE.get(key)
    if cached is None:
        cached = _TERM_CACHE[key] = (word_pattern(terms), word_needles(terms))
    pattern, needles = cached
    if not may_hold_word(text, needles):  # most texts: no regex scan
        return frozenset()
    return frozenset(m.group(1).casefold() for m in pattern.finditer(text))
