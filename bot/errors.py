"""Errors of the domain core: one base class; each specific error also subclasses a built-in."""

from __future__ import annotations


class WbcBotError(Exception):
    """Base class of every error raised by bot/."""


class TextTooLongError(WbcBotError, ValueError):
    """The text is longer than the interpreter accepts."""

    def __init__(self, length: int, limit: int) -> None:
        """Keep the text's length and the limit, for the message and for callers that show them."""
        super().__init__(length, limit)
        self.length = length
        self.limit = limit

    def __str__(self) -> str:
        return f"the text is {self.length:,} characters long; the limit is {self.limit:,}"


class EmptyTextError(WbcBotError, ValueError):
    """There is nothing to interpret."""

    def __str__(self) -> str:
        return "the text is empty"


class ReferenceDataError(WbcBotError, ValueError):
    """A sourced data file is missing a field or holds a value that cannot be right."""

    def __init__(self, path: str, problem: str) -> None:
        """Keep the file's path and what is wrong with it, for the message."""
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class UnknownTopicError(WbcBotError, KeyError):
    """A topic or cause that the content (data/content.yml) does not have."""

    def __init__(self, topic: str, kind: str, known: tuple[str, ...]) -> None:
        """Keep the name asked for, its kind ("topic" or "cause") and the names that exist."""
        super().__init__(topic, kind, known)
        self.topic = topic
        self.kind = kind  # "topic" or "cause"
        self.known = known

    def __str__(self) -> str:
        return f"unknown {self.kind} {self.topic!r}; known: {', '.join(self.known)}"
