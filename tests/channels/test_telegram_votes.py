"""Was this helpful? on Telegram, against the fake Bot API.

Thumbs under each answer as an inline keyboard row, a press stored as a vote (about the bot's
own record of the answer), acknowledged with answerCallbackQuery and thanked, and the
conversation left as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from channels.votes import NOTHING_TO_RATE_TEXT, THANKS_TEXT
from server.votes import conversation_key
from tests.channels.fake_telegram import ApiCall, FakeTelegram
from tests.channels.test_telegram import (
    BOT_NAME,
    CHAT_IDS,
    READING,
    TOKEN,
    button_press,
    deliver,
    message,
    start_telegram_stack,
)
from tests.stack import Stack, settled_events, stored_events

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    """The fake Bot API."""
    with FakeTelegram(TOKEN, BOT_NAME) as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The bot with the Telegram channel on, using the fake Bot API."""
    running = start_telegram_stack(tmp_path_factory.mktemp("telegram-votes"), telegram)
    yield running
    running.stop()


EMERGENCY = "wbc 0.3, I'm on chemo and have a fever of 39.5 and trouble breathing"
EMERGENCY_MARK = "⚠️"


def thumbs(calls: list[ApiCall]) -> list[dict[str, str]]:
    """The thumbs row of the last message with a keyboard."""
    keyboards = [call.params["reply_markup"]["inline_keyboard"] for call in calls
                 if "reply_markup" in call.params]  # fmt: skip
    assert keyboards, "no message had a keyboard"
    row: list[dict[str, str]] = keyboards[-1][-1]
    return row


def has_keyboard(calls: list[ApiCall]) -> bool:
    """For FakeTelegram.wait_for: a message with buttons (the last of a reply) was sent."""
    return any("reply_markup" in call.params for call in calls)


def votes(bot: Stack, chat: int) -> list[tuple[Any, ...]]:
    database = bot.values["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    key = conversation_key(f"telegram:{chat}")
    with sqlite3.connect(database) as db:
        query = "SELECT * FROM votes WHERE conversation_key = ?"
        return db.execute(query, (key,)).fetchall()


def press_and_wait(bot: Stack, telegram: FakeTelegram, chat: int, data: str, reply: str) -> None:
    """Press the button with callback `data`; wait for its acknowledgement and `reply`."""
    before = len(telegram.calls("sendMessage", chat))
    press = button_press(chat, data)
    assert deliver(bot, press) == 200
    telegram.wait_for(
        "sendMessage", chat, lambda calls: any(c.text == reply for c in calls[before:])
    )
    acknowledged = [c.params["callback_query_id"] for c in telegram.calls("answerCallbackQuery")]
    assert press["callback_query"]["id"] in acknowledged


def test_a_thumb_press_is_stored_acknowledged_and_thanked(
    bot: Stack, telegram: FakeTelegram
) -> None:
    """A thumb press is stored, acknowledged and thanked.

    The reading comes with 👍 and 👎; pressing 👍 stores a vote on the reading, without text, and
    adds nothing to the conversation; pressing 👎 then replaces it.
    """
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, text="my wbc is 3.2")) == 200
    calls = telegram.wait_for("sendMessage", chat, has_keyboard)
    assert any(READING in call.text for call in calls)
    up, down = thumbs(calls)
    assert up["callback_data"].startswith("/vote up ") and "Helpful" in up["text"]
    assert down["callback_data"].startswith("/vote down ")
    assert all(len(b["callback_data"].encode()) <= 64 for b in (up, down))
    events = settled_events(bot, f"telegram:{chat}")  # the turn is stored
    press_and_wait(bot, telegram, chat, up["callback_data"], THANKS_TEXT)
    [row] = votes(bot, chat)
    assert row[1:] == (up["callback_data"].split()[-1], "reading:low", "routine", "telegram",
                       row[5], 1)  # fmt: skip
    assert "3.2" not in repr(row) and str(chat) not in repr(row)
    assert stored_events(bot, f"telegram:{chat}") == events  # the conversation is untouched
    press_and_wait(bot, telegram, chat, down["callback_data"], THANKS_TEXT)
    assert [r[-1] for r in votes(bot, chat)] == [-1]  # one vote per answer: the later one


def test_a_vote_after_emergency_advice_leaves_the_advice_standing(
    bot: Stack, telegram: FakeTelegram
) -> None:
    """A vote on emergency advice is stored as "emergency" and leaves the advice standing.

    The next message still gets the advice first, as before the vote.
    """
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, text=EMERGENCY)) == 200
    calls = telegram.wait_for("sendMessage", chat, has_keyboard)
    assert calls[0].text.startswith(EMERGENCY_MARK)
    _, down = thumbs(calls)
    press_and_wait(bot, telegram, chat, down["callback_data"], THANKS_TEXT)
    [row] = votes(bot, chat)
    assert (row[2], row[3], row[-1]) == ("emergency", "emergency", -1)
    before = len(telegram.calls("sendMessage", chat))
    assert deliver(bot, message(chat, text="what does that mean?")) == 200
    calls = telegram.wait_for("sendMessage", chat, lambda c: len(c) > before + 1)
    assert calls[before].text.startswith(EMERGENCY_MARK)


def test_a_made_up_answer_or_another_chats_answer_is_refused(
    bot: Stack, telegram: FakeTelegram
) -> None:
    """A press naming an answer this chat never got (another chat's, or made up) stores nothing.

    /good before any answer stores nothing either.
    """
    other = next(CHAT_IDS)
    assert deliver(bot, message(other, text="my wbc is 3.2")) == 200
    others_up, _ = thumbs(telegram.wait_for("sendMessage", other, has_keyboard))
    chat = next(CHAT_IDS)
    press_and_wait(bot, telegram, chat, others_up["callback_data"], NOTHING_TO_RATE_TEXT)
    press_and_wait(bot, telegram, chat, "/vote up ffffffff", NOTHING_TO_RATE_TEXT)
    assert deliver(bot, message(chat, text="/good")) == 200
    telegram.wait_for("sendMessage", chat, lambda c: len(c) == 3)
    assert votes(bot, chat) == []
