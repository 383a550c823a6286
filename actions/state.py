"""Slots <-> bot.judge.conversation.ConversationState: the one mapping between Rasa and the core.

Generated from the dataclass fields: every field is a slot of the same name (a test checks
domain.yml has exactly these), converted by the field's type; the counts are stored as plain
JSON objects (dataclasses as dicts, enums as their values).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from functools import cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.judge.conversation import ConversationState

STATE_SLOTS = tuple(field.name for field in dataclasses.fields(ConversationState))


def load_state(tracker: Tracker) -> ConversationState:
    """Load the conversation state from the tracker's slots.

    A slot that is empty or cannot be read gets the state's default.
    """
    hints = _hints(ConversationState)
    values: dict[str, Any] = {}
    for name in STATE_SLOTS:
        try:
            value = from_plain(hints[name], tracker.get_slot(name))
        except (TypeError, ValueError, KeyError):
            value = None
        if value is not None:
            values[name] = value
    return ConversationState(**values)


def save_state(state: ConversationState, before: ConversationState | None = None) -> list[SlotSet]:
    """SlotSet events for the fields that differ from `before` (all of them without it)."""
    return [
        SlotSet(name, to_plain(getattr(state, name)))
        for name in STATE_SLOTS
        if before is None or getattr(state, name) != getattr(before, name)
    ]


def to_plain(value: Any) -> Any:
    """A field value as JSON: dataclasses as dicts, enums as values, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [to_plain(item) for item in value]
    return value


def from_plain(hint: Any, value: Any) -> Any:
    """A JSON value as the type `hint` says; None for an empty value (the field's default)."""
    if value is None or value == "":
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return from_plain(next(arg for arg in args if arg is not type(None)), value)
    if origin is tuple:
        return tuple(from_plain(args[0], item) for item in value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{k: from_plain(hints[k], v) for k, v in dict(value).items() if k in hints})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint in (bool, float, int, str):
        return hint(value)
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
