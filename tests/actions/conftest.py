"""Trackers built inline, the way rasa-sdk's own tests build them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionRespond
from actions.state import STATE_SLOTS

EMPTY_SLOTS: dict[str, Any] = dict.fromkeys(STATE_SLOTS)


def make_tracker(text: str, intent: str, slots: dict[str, Any] | None = None) -> Tracker:
    """A tracker whose latest user message is `text`, classified as `intent`."""
    return Tracker(
        sender_id="test-user",
        slots={**EMPTY_SLOTS, **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


Conversation = Callable[..., Any]


@pytest.fixture
def respond() -> Conversation:
    """Run action_respond on one message: returns (messages, events, slots after)."""

    async def run(
        text: str, intent: str, slots: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(text, intent, slots)
        events = await ActionRespond().run(dispatcher, tracker, {})
        after = {**EMPTY_SLOTS, **(slots or {})}
        after.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        return dispatcher.messages, events, after

    return run
