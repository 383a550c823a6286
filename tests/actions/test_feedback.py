"""action_respond keeps the record of each answer with its last message (actions/feedback.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.reply.feedback import ANSWER_ID, ANSWER_TOPIC, ANSWER_URGENCY, RECORD_KEYS
from tests.actions.conftest import Conversation


def records(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: m[k] for k in RECORD_KEYS} for m in messages if ANSWER_ID in m]


@pytest.mark.parametrize(
    ("text", "intent", "topic", "urgency"),
    [
        ("my wbc is 3.2", "inform_wbc_value", "reading:low", "routine"),
        ("what causes it?", "ask_causes", "causes", "none"),
        ("wbc 0.3 on chemo and a fever of 39", "inform_wbc_value", "emergency", "emergency"),
    ],
    ids=["reading", "topic", "emergency"],
)
async def test_the_last_message_of_an_answer_carries_its_record(
    respond: Conversation, text: str, intent: str, topic: str, urgency: str
) -> None:
    """One record per answer, on its last message: a new id, the topic and the urgency."""
    messages, _, _ = await respond(text, intent, {"intro_given": True})
    [record] = records(messages)
    assert ANSWER_ID in messages[-1]
    assert re.fullmatch(r"[0-9a-f]{8}", record[ANSWER_ID])
    assert (record[ANSWER_TOPIC], record[ANSWER_URGENCY]) == (topic, urgency)
    again, _, _ = await respond(text, intent, {"intro_given": True})
    assert records(again)[0][ANSWER_ID] != record[ANSWER_ID]  # each answer its own id


@pytest.mark.parametrize(
    ("text", "intent"), [("hello", "greet"), ("thanks", "thank")], ids=["greeting", "thanks"]
)
async def test_a_reply_without_a_medical_answer_has_nothing_to_rate(
    respond: Conversation, text: str, intent: str
) -> None:
    """Greetings and thanks carry no record: no thumbs under them."""
    messages, _, _ = await respond(text, intent, {"intro_given": True})
    assert messages and records(messages) == []
