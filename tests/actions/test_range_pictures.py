"""action_respond sends a reading's range pictures as data beside its text.

With them go the earlier counts the conversation's `counts` slot remembers.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionRespond
from actions.state import load_state, to_plain
from bot.judge.conversation import ConversationState, take_turn
from bot.reply.range_picture import PAYLOAD_KEY, pictures_in
from tests.actions.conftest import EMPTY_SLOTS


def tracker(text: str, slots: dict[str, Any]) -> Tracker:
    return Tracker(
        sender_id="test-user",
        slots={**EMPTY_SLOTS, **slots},
        latest_message={"text": text, "intent": {"name": "inform_wbc_value", "confidence": 0.9}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def test_reading_is_sent_with_its_pictures_and_earlier_count() -> None:
    """The reading's text and, as its custom data, its picture with the count before it."""
    before = take_turn(take_turn(ConversationState(), "wbc 7.4").state, "wbc 6.2").state
    dispatcher = CollectingDispatcher()
    events = await ActionRespond().run(
        dispatcher, tracker("my wbc is 3.2", {"counts": to_plain(before.counts)}), {}
    )
    with_pictures = [m for m in dispatcher.messages if m.get("custom")]
    assert len(with_pictures) == 1 and "3,200" in with_pictures[0]["text"]
    assert set(with_pictures[0]["custom"]) == {PAYLOAD_KEY}
    (picture,) = pictures_in(with_pictures[0]["custom"])
    assert picture.value == 3200 and picture.earlier == (7400, 6200)
    saved = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    after = load_state(tracker("", {"counts": saved["counts"]}))
    assert after.counts[0].earlier_cells_per_ul == (7400, 6200)  # remembered in the slot


async def test_a_topic_answer_has_no_pictures() -> None:
    dispatcher = CollectingDispatcher()
    await ActionRespond().run(dispatcher, tracker("what causes a low count?", {}), {})
    assert not any(m.get("custom") for m in dispatcher.messages)
