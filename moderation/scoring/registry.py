"""Named scorers, referenced from preset files (`[[scorers]] name = "vader"`).

A factory takes the scorer's options table from the preset and returns a `Scorer`.
Heavy imports happen inside factories, so listing names costs nothing. Each scorer declares
what it needs (`needs(name)`), which is what `moderate models` checks:
- "encoder": the preset's `[encoder]` table (passed to the factory as `encoder=`);
- "head:<folder>": a trained head under models/ (the `model` option overrides the folder);
- "package:<distribution>:<module>": an installed Python package;
- "hub": a Hugging Face model named by the `model` option.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moderation.config import EncoderSpec
from moderation.errors import ConfigError
from moderation.scoring.base import Scorer

ScorerFactory = Callable[..., Scorer]

_FACTORIES: dict[str, tuple[ScorerFactory, tuple[str, ...]]] = {}


def register(name: str, needs: tuple[str, ...] = ()) -> Callable[[ScorerFactory], ScorerFactory]:
    def decorate(factory: ScorerFactory) -> ScorerFactory:
        _FACTORIES[name] = (factory, needs)
        return factory

    return decorate


def names() -> list[str]:
    return sorted(_FACTORIES)


def needs(name: str) -> tuple[str, ...]:
    """What scorer `name` needs (see the module docstring); ConfigError for an unknown name."""
    return _entry(name)[1]


def is_neural(name: str) -> bool:
    """Whether scorer `name` runs a neural model (the shared encoder or a hub model: torch)."""
    return any(need in ("encoder", "hub") for need in needs(name))


def _entry(name: str) -> tuple[ScorerFactory, tuple[str, ...]]:
    try:
        return _FACTORIES[name]
    except KeyError:
        raise ConfigError(f"unknown scorer {name!r}; known scorers: {', '.join(names())}") from None


def create(name: str, options: dict[str, Any] | None = None, encoder: EncoderSpec | None = None) -> Scorer:
    """Scorer `name` from its preset options; `encoder` is the preset's [encoder] table."""
    factory, wants = _entry(name)
    kwargs = dict(options or {})
    if "encoder" in wants:
        if encoder is None:
            raise ConfigError(f"scorer {name!r} reads the shared encoder: the preset needs an [encoder] table")
        if "encoder" in kwargs:
            raise ConfigError(f"scorer {name!r}: set the encoder in the preset's [encoder] table, not per scorer")
        kwargs["encoder"] = encoder
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"bad options for scorer {name!r}: {exc}") from None


@register("profanity-check", needs=("package:alt-profanity-check:profanity_check",))
def _profanity_check() -> Scorer:
    from moderation.scoring.lexical import ProfanityCheckScorer

    return ProfanityCheckScorer()


@register("vader", needs=("package:vaderSentiment:vaderSentiment",))
def _vader() -> Scorer:
    from moderation.scoring.lexical import VaderScorer

    return VaderScorer()


@register(
    "toxicity-head",
    needs=(
        "encoder",
        "head:toxicity-minilm",
        "package:alt-profanity-check:profanity_check",
        "package:vaderSentiment:vaderSentiment",
    ),
)
def _toxicity_head(**options: Any) -> Scorer:
    from moderation.scoring.heads import ToxicityHeadScorer

    return ToxicityHeadScorer(**options)


@register("sentiment-head", needs=("encoder", "head:sentiment-minilm"))
def _sentiment_head(**options: Any) -> Scorer:
    from moderation.scoring.heads import SentimentHeadScorer

    return SentimentHeadScorer(**options)


@register("unhealthy-head", needs=("encoder", "head:unhealthy-minilm"))
def _unhealthy_head(**options: Any) -> Scorer:
    from moderation.scoring.heads import UnhealthyHeadScorer

    return UnhealthyHeadScorer(**options)


@register("stance-head", needs=("encoder", "head:stance-minilm"))
def _stance_head(**options: Any) -> Scorer:
    from moderation.scoring.heads import StanceHeadScorer

    return StanceHeadScorer(**options)


@register("hf-toxicity", needs=("hub",))
def _hf_toxicity(**options: Any) -> Scorer:
    from moderation.scoring.hub import HFToxicityScorer

    return HFToxicityScorer(**options)


@register("hf-sentiment", needs=("hub",))
def _hf_sentiment(**options: Any) -> Scorer:
    from moderation.scoring.hub import HFSentimentScorer

    return HFSentimentScorer(**options)


@register("hf-zero-shot-stance", needs=("hub",))
def _hf_stance(**options: Any) -> Scorer:
    from moderation.scoring.hub import HFZeroShotStanceScorer

    return HFZeroShotStanceScorer(**options)
