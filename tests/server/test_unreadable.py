"""A stored conversation that cannot be read as it is (issue 27): never started afresh.

Before the fix, 900 nested lists of metadata in one message made every copy of the
conversation raise RecursionError, and Rasa silently began a new conversation: the person on
chemotherapy with a count of 0.4 who then named a fever got "call your doctor today". Here the
tracker store reads such a conversation again event by event (server/tracker_store.py, `_salvage`),
and when something had to be left out the person is told first (server/notices.py, sent by the
channel guard).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.judge.safety import emergency_text
from channels.guard import answer
from channels.rest import GuardedCollectingOutput
from server import notices, tracker_store
from server.notices import UNREADABLE_TEXT
from server.settings import ROOT
from server.tracker_store import UNREAD_ROWS, UrlSQLTrackerStore, salvaged_tracker

DOMAIN = Domain.load(ROOT / "domain.yml")


def nested(depth: int = 900) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def chemo_conversation(sender: str) -> DialogueStateTracker:
    """A count of 0.4 on chemotherapy, then a message with 900 nested lists of metadata."""
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("my wbc is 0.4, on chemo", {"name": "inform_wbc_value"}))
    tracker.update(ActionExecuted("action_respond"))
    tracker.update(SlotSet("on_cancer_treatment", True))
    tracker.update(SlotSet("counts", [{"analyte": "wbc", "value": 0.4}]))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("ok", {"name": "affirm"}, metadata={"deep": nested()}))
    tracker.update(ActionExecuted("action_respond"))
    tracker.update(BotUttered("noted"))
    tracker.update(ActionExecuted("action_listen"))
    return tracker


@pytest.fixture(params=[1000, 0], ids=["cache", "no-cache"])
def url_and_cache(request: pytest.FixtureRequest, tmp_path: Any) -> tuple[str, int]:
    return f"sqlite:///{tmp_path / 'conversations.db'}", request.param


def new_store(url_and_cache: tuple[str, int]) -> UrlSQLTrackerStore:
    url, cache = url_and_cache
    return UrlSQLTrackerStore(url=url, domain=DOMAIN, cache_size=cache)


def rows(store: UrlSQLTrackerStore, sender: str) -> list[str]:
    with store.engine.connect() as connection:
        query = sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id")
        return [row[0] for row in connection.execute(query, {"s": sender})]


def add_row(store: UrlSQLTrackerStore, sender: str, type_name: str, data: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO events (sender_id, type_name, timestamp, data)"
                " VALUES (:s, :t, :ts, :d)"
            ),
            {"s": sender, "t": type_name, "ts": time.time(), "d": data},
        )


def sender() -> str:
    return f"rest:{uuid.uuid4().hex}"


def test_metadata_that_breaks_copying_no_longer_loses_the_conversation(
    url_and_cache: tuple[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    who = sender()
    asyncio.run(new_store(url_and_cache).save(chemo_conversation(who)))
    store = new_store(url_and_cache)  # another process, or after a restart
    with caplog.at_level("ERROR"):
        tracker = asyncio.run(store.retrieve(who))
    assert tracker is not None and len(tracker.events) == len(rows(store, who))
    assert tracker.get_slot("on_cancer_treatment") is True
    assert tracker.get_slot("counts") == [{"analyte": "wbc", "value": 0.4}]
    assert notices.take(who) == ()  # nothing was lost: nothing to tell
    lines = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(lines) == 1 and "RecursionError" in lines[0]
    assert all(r.exc_info is None for r in caplog.records)  # one line, no traceback


def test_saving_a_read_again_conversation_stores_only_the_new_events(
    url_and_cache: tuple[str, int],
) -> None:
    who = sender()
    store = new_store(url_and_cache)
    asyncio.run(store.save(chemo_conversation(who)))
    add_row(store, who, "user", "{not json")  # a row no one can read
    store = new_store(url_and_cache)
    before = len(rows(store, who))
    tracker = asyncio.run(store.retrieve(who))
    assert tracker is not None and tracker.__dict__[UNREAD_ROWS] == 1
    assert len(tracker.events) == before - 1
    tracker.update(UserUttered("my temperature is 38.1", {"name": "inform"}))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    assert len(rows(store, who)) == before + 2  # not doubled, none lost
    again = asyncio.run(new_store(url_and_cache).retrieve(who))
    assert again is not None and again.latest_message is not None
    assert again.latest_message.text == "my temperature is 38.1"
    assert again.get_slot("on_cancer_treatment") is True


def test_the_person_is_told_once_when_something_was_left_out(
    url_and_cache: tuple[str, int],
) -> None:
    who = sender()
    store = new_store(url_and_cache)
    asyncio.run(store.save(chemo_conversation(who)))
    add_row(store, who, "user", json.dumps({"event": "no_such_event", "timestamp": 1}))
    add_row(store, who, "slot", "[1, 2]")
    tracker = asyncio.run(new_store(url_and_cache).retrieve(who))
    assert tracker is not None and tracker.get_slot("on_cancer_treatment") is True
    assert notices.take(who) == (UNREADABLE_TEXT, emergency_text())
    asyncio.run(new_store(url_and_cache).retrieve(who))
    assert notices.take(who) == ()  # once per process


def test_when_even_that_cannot_be_copied_the_slots_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored = [json.dumps(event.as_dict()) for event in chemo_conversation("rest:x").events]
    real = tracker_store.copy_state
    calls = []

    def copy_fails_once(tracker: DialogueStateTracker) -> DialogueStateTracker:
        calls.append(tracker)
        if len(calls) == 1:
            raise RecursionError
        return real(tracker)

    monkeypatch.setattr(tracker_store, "copy_state", copy_fails_once)
    tracker = salvaged_tracker("rest:x", stored, DOMAIN)
    assert tracker.get_slot("on_cancer_treatment") is True
    assert tracker.get_slot("counts") == [{"analyte": "wbc", "value": 0.4}]
    assert all(isinstance(event, SlotSet) for event in tracker.events)
    assert tracker.__dict__[UNREAD_ROWS] == len(stored) - len(tracker.events)


def test_the_guard_sends_the_notice_before_the_reply_and_with_the_fallback() -> None:
    who = sender()
    notices.unreadable_conversation(who)

    async def replies(text: str, fail: bool) -> list[str]:
        output = GuardedCollectingOutput()

        async def bot(message: UserMessage) -> None:
            if fail:
                raise RuntimeError("no reply")
            await output.send_response(who, {"text": "the reply"})

        await answer(bot, UserMessage(text, output, who), output, deadline=2.0)
        return [str(m.get("text")) for m in output.messages]

    assert asyncio.run(replies("hello", fail=False)) == [
        UNREADABLE_TEXT,
        emergency_text(),
        "the reply",
    ]
    assert asyncio.run(replies("hello", fail=False)) == ["the reply"]  # told once
    other = sender()
    notices.unreadable_conversation(other)
    who = other
    texts = asyncio.run(replies("I have a fever", fail=True))
    assert texts[0] == UNREADABLE_TEXT and texts.count(emergency_text()) == 1
