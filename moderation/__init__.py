"""moderate: reader-comment moderation for news pages.

from moderation import Moderator, run, FolderSink
results = Moderator(preset="default").score_texts(["You are an idiot.", "Thanks, good piece."])
result = run(["seeds/"], Moderator("fast"), FolderSink(Path("out")))
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from moderation.errors import (
        ConfigError,
        InputError,
        ModelLoadError,
        ModerationError,
        OutputBusyError,
        ParseError,
        UsageError,
    )
    from moderation.moderator import ArticleResult, CommentResult, Moderator, TextResult
    from moderation.parse.inputs import FileError, InputFile
    from moderation.run import Progress, RunInterrupted, RunOptions, RunResult
    from moderation.schema import Article, Comment, Flag, Problem, Scores, SourceSpan, TextSpan, Thread
    from moderation.writers import FolderSink, MemorySink, RunNotPublished

# name -> module; imported on first use, so `import moderation.parse` alone stays light
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("ArticleResult", "CommentResult", "Moderator", "TextResult"), "moderation.moderator"),
    **dict.fromkeys(("Progress", "RunInterrupted", "RunOptions", "RunResult"), "moderation.run"),
    **dict.fromkeys(("FolderSink", "MemorySink", "RunNotPublished"), "moderation.writers"),
    **dict.fromkeys(("FileError", "InputFile"), "moderation.parse.inputs"),
    **dict.fromkeys(
        ("Article", "Comment", "Flag", "Problem", "Scores", "SourceSpan", "TextSpan", "Thread"), "moderation.schema"
    ),
    **dict.fromkeys(
        (
            "ConfigError",
            "InputError",
            "ModelLoadError",
            "ModerationError",
            "OutputBusyError",
            "ParseError",
            "UsageError",
        ),
        "moderation.errors",
    ),
}

__all__ = [
    "Article",
    "ArticleResult",
    "Comment",
    "CommentResult",
    "ConfigError",
    "FileError",
    "Flag",
    "FolderSink",
    "InputError",
    "InputFile",
    "MemorySink",
    "ModelLoadError",
    "ModerationError",
    "Moderator",
    "OutputBusyError",
    "ParseError",
    "Problem",
    "Progress",
    "RunInterrupted",
    "RunNotPublished",
    "RunOptions",
    "RunResult",
    "Scores",
    "SourceSpan",
    "TextResult",
    "TextSpan",
    "Thread",
    "UsageError",
    "__version__",
    "run",
]

# `moderation.run` is both a module and the orchestrator function: importing the function
# here, once, makes `from moderation import run` give the function whatever was imported before.
from moderation.run import run  # noqa: E402


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'moderation' has no attribute {name!r}")
    return getattr(import_module(module), name)
