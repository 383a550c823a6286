"""The range picture on Telegram, against the fake Bot API.

After the reading, a PNG drawn on the server (sendPhoto, multipart) with the reading's sentence
as its caption; after emergency advice, never before it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.channels.fake_telegram import FakeTelegram, SentFile
from tests.channels.test_telegram import (
    BOT_NAME,
    CHAT_IDS,
    READING,
    TOKEN,
    deliver,
    message,
    start_telegram_stack,
)
from tests.stack import Stack

pytestmark = pytest.mark.stack

EMERGENCY = "I have trouble breathing and my wbc is 1.9"


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    """The fake Bot API."""
    with FakeTelegram(TOKEN, BOT_NAME) as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The bot with the Telegram channel on, using the fake Bot API."""
    running = start_telegram_stack(tmp_path_factory.mktemp("telegram-pictures"), telegram)
    yield running
    running.stop()


def photos(telegram: FakeTelegram, chat: int) -> list[SentFile]:
    calls = telegram.wait_for("sendPhoto", chat)
    assert all(call.status == 200 for call in calls)
    return [call.params["photo"] for call in calls]


def test_a_reading_comes_with_its_picture(bot: Stack, telegram: FakeTelegram) -> None:
    """One decodable PNG of sensible size after the reading's text, its sentence as caption."""
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, text="my wbc is 3.2")) == 200
    (photo,) = photos(telegram, chat)
    assert photo.content_type == "image/png" and 2_000 < len(photo.data) < 40_000
    image = Image.open(io.BytesIO(photo.data))
    assert image.format == "PNG" and image.size == (640, 124)
    (call,) = telegram.calls("sendPhoto", chat)
    assert READING in call.params["caption"] and "low band" in call.params["caption"]
    reading = [c for c in telegram.calls("sendMessage", chat) if READING in c.text]
    assert reading and reading[0].at <= call.at  # the text first, then its picture


def test_the_next_reading_shows_the_earlier_count(bot: Stack, telegram: FakeTelegram) -> None:
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, text="my wbc is 3.2")) == 200
    telegram.wait_for("sendPhoto", chat)
    assert deliver(bot, message(chat, text="my wbc is 5.1 now")) == 200
    calls = telegram.wait_for("sendPhoto", chat, lambda c: len(c) >= 2)
    assert "went up from 3,200" in calls[-1].params["caption"]


def test_emergency_advice_comes_before_the_picture(bot: Stack, telegram: FakeTelegram) -> None:
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, text=EMERGENCY)) == 200
    (photo_call,) = telegram.wait_for("sendPhoto", chat)
    first = telegram.calls("sendMessage", chat)[0]
    assert first.text.startswith("⚠️") and first.at <= photo_call.at
    assert "1,900" in photo_call.params["caption"]
