"""Slots <-> bot.conversation.ConversationState: the one mapping between Rasa and the core."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.conversation import ConversationState
from bot.model import Sex

INTRO_GIVEN = "intro_given"
STATE_SLOTS = tuple(field.name for field in fields(ConversationState))


def load_state(tracker: Tracker) -> ConversationState:
    """The conversation state kept in the tracker's slots (defaults where a slot is empty)."""
    slots = {name: tracker.get_slot(name) for name in STATE_SLOTS}
    sex = slots["sex"]
    return ConversationState(
        value_text=slots["value_text"] or None,
        age_years=_number(slots["age_years"]),
        sex=Sex(sex) if sex in {member.value for member in Sex} else None,
        on_cancer_treatment=bool(slots["on_cancer_treatment"]),
        says_low_count=bool(slots["says_low_count"]),
        temperature_c=_number(slots["temperature_c"]),
        red_flags=tuple(str(name) for name in slots["red_flags"] or ()),
        awaiting=slots["awaiting"] or None,
    )


def save_state(state: ConversationState) -> list[SlotSet]:
    """SlotSet events that store the state."""
    values: dict[str, Any] = {
        "value_text": state.value_text,
        "age_years": state.age_years,
        "sex": None if state.sex is None else state.sex.value,
        "on_cancer_treatment": state.on_cancer_treatment,
        "says_low_count": state.says_low_count,
        "temperature_c": state.temperature_c,
        "red_flags": list(state.red_flags),
        "awaiting": state.awaiting,
    }
    return [SlotSet(name, value) for name, value in values.items()]


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
