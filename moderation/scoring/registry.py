"""Named scorers, referenced from preset files (`[[scorers]] name = "vader"`).

A factory takes the scorer's options table from the preset and returns a `Scorer`.
Heavy imports happen inside factories, so listing names costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moderation.errors import ConfigError
from moderation.scoring.base import Scorer

ScorerFactory = Callable[..., Scorer]

_FACTORIES: dict[str, ScorerFactory] = {}


def register(name: str) -> Callable[[ScorerFactory], ScorerFactory]:
    def decorate(factory: ScorerFactory) -> ScorerFactory:
        _FACTORIES[name] = factory
        return factory

    return decorate


def names() -> list[str]:
    return sorted(_FACTORIES)


def create(name: str, options: dict[str, Any] | None = None) -> Scorer:
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ConfigError(f"unknown scorer {name!r}; known scorers: {', '.join(names())}") from None
    try:
        return factory(**(options or {}))
    except TypeError as exc:
        raise ConfigError(f"bad options for scorer {name!r}: {exc}") from None


@register("profanity-check")
def _profanity_check() -> Scorer:
    from moderation.scoring.lexical import ProfanityCheckScorer

    return ProfanityCheckScorer()


@register("vader")
def _vader() -> Scorer:
    from moderation.scoring.lexical import VaderScorer

    return VaderScorer()


@register("toxicity-head")
def _toxicity_head(**options: Any) -> Scorer:
    from moderation.scoring.heads import ToxicityHeadScorer

    return ToxicityHeadScorer(**options)


@register("sentiment-head")
def _sentiment_head(**options: Any) -> Scorer:
    from moderation.scoring.heads import SentimentHeadScorer

    return SentimentHeadScorer(**options)


@register("stance-head")
def _stance_head(**options: Any) -> Scorer:
    from moderation.scoring.heads import StanceHeadScorer

    return StanceHeadScorer(**options)


@register("hf-toxicity")
def _hf_toxicity(**options: Any) -> Scorer:
    from moderation.scoring.hf import HFToxicityScorer

    return HFToxicityScorer(**options)


@register("hf-sentiment")
def _hf_sentiment(**options: Any) -> Scorer:
    from moderation.scoring.hf import HFSentimentScorer

    return HFSentimentScorer(**options)


@register("hf-zero-shot-stance")
def _hf_stance(**options: Any) -> Scorer:
    from moderation.scoring.hf import HFZeroShotStanceScorer

    return HFZeroShotStanceScorer(**options)
