"""Flags: why a comment needs a human look. Pure functions, no IO."""

from __future__ import annotations

from collections.abc import Mapping

from moderation.model import Flag, Scores


def threshold_flags(scores: Scores, thresholds: Mapping[str, float]) -> list[Flag]:
    """One flag per score attribute at or over its threshold, highest first."""
    flags = [
        Flag(reason=name, score=value, threshold=thresholds[name], span=scores.spans.get(name))
        for name, value in scores.attributes.items()
        if name in thresholds and value >= thresholds[name]
    ]
    return sorted(flags, key=lambda f: (-f.score, f.reason))
