"""moderate: reader-comment moderation for news pages.

from moderation import Moderator
results = Moderator(preset="default").score_texts(["You are an idiot.", "Thanks, good piece."])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from moderation.moderator import ArticleResult, CommentResult, Moderator, RunResult

__all__ = ["ArticleResult", "CommentResult", "Moderator", "RunResult", "__version__"]


def __getattr__(name: str) -> Any:
    # The API pulls in numpy and the scorers; importing `moderation.parse` alone stays light.
    if name in {"Moderator", "ArticleResult", "CommentResult", "RunResult"}:
        from moderation import moderator as api

        return getattr(api, name)
    raise AttributeError(f"module 'moderation' has no attribute {name!r}")
