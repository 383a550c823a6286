"""When a part the bot depends on fails, the person still gets an answer within 3 seconds.

The answer is the short "trouble" reply, never silence or an error. When the part is back, the
bot carries on by itself, with the conversation as it was stored.
"""

from __future__ import annotations

import time

import pytest

from bot.judge.safety import TROUBLE_TEXT, emergency_text
from tests.production.services import ActionServerPort, Pair, Postgres, stored_events
from tests.stack import Stack, texts

pytestmark = pytest.mark.stack

PROMPT_SECONDS = 3.0
EMERGENCY = "Seek emergency care now"


def timed_reply(bot: Stack, sender: str, text: str) -> tuple[str, float]:
    """The bot's reply text and how long it took (REST; any HTTP error fails the test)."""
    started = time.monotonic()
    reply = texts(bot.post(sender, text))
    return reply, time.monotonic() - started


def test_action_server_down_or_slow_gets_the_trouble_reply_then_recovers(
    sqlite_bot: Stack, actions: ActionServerPort
) -> None:
    """Action server gone, then 10 s slow: trouble reply in < 3 s; real answers once it is back."""
    sender = "fault-actions"
    try:
        actions.stop()
        down = timed_reply(sqlite_bot, sender, "my wbc is 3.2")
        actions.start_slow(delay_seconds=10)
        slow = timed_reply(sqlite_bot, sender, "my wbc is 3.2")
    finally:
        actions.start_real()
    back, _ = timed_reply(sqlite_bot, sender, "my wbc is 3.2")

    for reply, seconds in (down, slow):
        assert reply == TROUBLE_TEXT
        assert seconds < PROMPT_SECONDS
    assert slow[1] > 1.0  # it did wait for the slow server before giving up
    assert "Couldn't connect to the server at" in sqlite_bot.logs()
    assert "3,200" in back and TROUBLE_TEXT not in back


def test_database_down_gets_the_trouble_reply_then_recovers_the_conversation(
    pair: Pair, postgres: Postgres
) -> None:
    """PostgreSQL stopped: trouble reply in < 3 s and a log line; once back, the context is kept."""
    sender = "fault-database"
    pair.a.post(sender, "my wbc is 2.5")
    stored_before = stored_events(postgres.url, sender)
    try:
        postgres.stop()
        on_a = timed_reply(pair.a, sender, "and I have a fever now")
        on_b = timed_reply(pair.b, "fault-database-new", "my wbc is 2.5")
    finally:
        postgres.start()
    back, _ = timed_reply(pair.b, sender, "and I have a fever now")

    # A fever named while nothing can be looked up gets the emergency advice before the apology.
    assert on_a[0] == f"{emergency_text()}\n{TROUBLE_TEXT}" and on_b[0] == TROUBLE_TEXT
    for _, seconds in (on_a, on_b):
        assert seconds < PROMPT_SECONDS
    assert "Tracker store unavailable: could not read conversation" in pair.a.logs()
    assert EMERGENCY in back  # the low count from before the outage is still known
    assert stored_events(postgres.url, sender) > stored_before
