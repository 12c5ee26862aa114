"""Scoring: the scorer interface, named scorers and the batching pipeline.

Only this package imports torch or transformers, and only lazily.
"""

from moderation.scoring.base import ModelInfo, Scorer, TextBatch
from moderation.scoring.pipeline import ScoringPipeline

__all__ = ["ModelInfo", "Scorer", "ScoringPipeline", "TextBatch"]
