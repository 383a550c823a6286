"""Slots <-> bot.conversation.ConversationState: the one mapping between Rasa and the core.

Generated from the dataclass fields: every field is a slot of the same name (a test checks
domain.yml has exactly these), converted by the field's type.
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import fields
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.conversation import ConversationState

_HINTS = typing.get_type_hints(ConversationState)
STATE_SLOTS = tuple(field.name for field in fields(ConversationState))


def load_state(tracker: Tracker) -> ConversationState:
    """The conversation state kept in the tracker's slots (defaults where a slot is empty)."""
    values: dict[str, Any] = {}
    for name in STATE_SLOTS:
        value = _from_slot(_HINTS[name], tracker.get_slot(name))
        if value is not None:
            values[name] = value
    return ConversationState(**values)


def save_state(state: ConversationState, before: ConversationState | None = None) -> list[SlotSet]:
    """SlotSet events for the fields that differ from `before` (all of them without it)."""
    return [
        SlotSet(name, _to_slot(getattr(state, name)))
        for name in STATE_SLOTS
        if before is None or getattr(state, name) != getattr(before, name)
    ]


def _from_slot(hint: Any, value: Any) -> Any:
    """A slot value as the field's type; None for an empty or unreadable slot (the default)."""
    if value is None or value == "":
        return None
    kind = _base_type(hint)
    try:
        if kind is bool:
            return bool(value)
        if kind is float:
            return float(value)
        if kind is str:
            return str(value)
        if kind is tuple:
            return tuple(str(item) for item in value)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return kind(value)
    except (TypeError, ValueError):
        return None
    return value


def _to_slot(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _base_type(hint: Any) -> Any:
    """`float | None` -> float, `tuple[str, ...]` -> tuple."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(arg for arg in args if arg is not type(None))
    return typing.get_origin(hint) or hint
