"""Typed exceptions. Library code raises these; the CLI turns them into one line and an exit code."""

from __future__ import annotations


class ModerationError(Exception):
    """Base class for every error this package raises on purpose."""


class InputError(ModerationError):
    """A path given by the user cannot be read (missing, not a file, unreadable)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class UsageError(ModerationError):
    """The command or call is wrong before any work starts (missing input, bad format name,
    an output folder that cannot be used). Nothing has been read or written."""


class OutputBusyError(ModerationError):
    """Another run holds the lock on the output folder."""


class ParseError(ModerationError):
    """A document was read but cannot be parsed (empty, binary, wrong encoding, malformed)."""

    def __init__(self, path: str | None, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


class ConfigError(ModerationError):
    """A preset or config file is missing or invalid."""


class ModelLoadError(ModerationError):
    """A model's weights could not be found or loaded."""


class CacheError(ModerationError):
    """The scores cache cannot be opened or created (not a file, no permission)."""
