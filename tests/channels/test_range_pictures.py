"""Each channel's drawing of a reading's range pictures (channels/range_pictures.py).

The SVG in the widget's bubble data, photos sent to a fake Telegram Bot API, text bars for the
terminal.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from bot import interpret_text
from bot.reply.range_picture import PAYLOAD_KEY, payload, picture_of, render_text_bar
from channels.range_pictures import (
    PICTURE_CLASS,
    bars_under_readings,
    send_telegram_pictures,
    shown_with_text,
    terminal_response,
    with_widget_pictures,
)
from channels.telegram_api import TelegramApi
from channels.votes import with_widget_marker
from tests.channels.fake_telegram import FakeTelegram, SentFile

TOKEN = "123456:TEST"
CHAT = 7_399_000_001


def custom_for(*texts: str) -> dict[str, Any]:
    findings = [interpret_text(text).findings[0] for text in texts]
    pictures = [picture_of(finding, None, (6200.0,)) for finding in findings]
    return payload([p for p in pictures if p is not None])


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN) as fake:
        yield fake


def test_widget_message_gets_the_svg_and_sentence_in_its_custom_css() -> None:
    """The reading's bubble carries each picture's SVG and sentence, with the thumbs' classes."""
    custom = custom_for("my wbc is 3.2", "anc 0.3")
    message = with_widget_pictures({"text": "Your white count ..."}, {"custom": custom})
    message = with_widget_marker(message, {"answer_id": "0a1b2c3d"})
    style = message["customCss"]
    assert style["style"] == "class" and {PICTURE_CLASS, "wbc-vote"} <= set(style["css"].split())
    assert [p["label"] for p in style["pictures"]] == [p["label"] for p in custom[PAYLOAD_KEY]]
    for drawn in style["pictures"]:
        root = ET.fromstring(drawn["svg"])
        assert root.get("role") == "img" and root.get("aria-label") == drawn["label"]
    assert shown_with_text(custom)  # not sent a second time as a message of its own


def test_widget_message_without_pictures_is_unchanged() -> None:
    message = {"text": "Hello!"}
    assert with_widget_pictures(message, {}) is message
    assert with_widget_pictures(message, {"custom": {"forget_session": True}}) is message
    broken = {PAYLOAD_KEY: [{"value": "not a number"}]}
    assert with_widget_pictures(message, {"custom": broken}) is message  # left out, logged
    assert not shown_with_text({"forget_session": True})


def test_terminal_gets_one_bar_per_picture_under_the_verdict() -> None:
    custom = custom_for("my wbc is 3.2", "anc 0.3")
    text = "Your white count of 3.2 (3,200) is low.\n\nSources: ...\n\nGeneral information."
    shown = terminal_response({"text": text, "buttons": [{"title": "x"}], "custom": custom})
    assert "custom" not in shown and shown["buttons"] == [{"title": "x"}]
    verdict, *rest = shown["text"].split("\n\n")
    lines = verdict.split("\n")
    assert len(lines) == 3 and "3,200 ↓ from 6,200" in lines[1] and "300" in lines[2]
    assert rest == ["Sources: ...", "General information."]
    other = {"recipient_id": "shell:x", "text": "Hello"}
    assert terminal_response(other) is other


async def test_terminal_output_sends_the_bars() -> None:
    sent: list[dict[str, Any]] = []

    class Output:
        async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
            sent.append(message)

    output = Output()
    bars_under_readings(output)
    await output.send_response("shell:x", {"text": "A.", "custom": custom_for("wbc 7")})
    assert sent[0]["text"].startswith("A.\n") and "7,000" in sent[0]["text"]


async def test_telegram_gets_a_png_with_the_sentence_as_caption(telegram: FakeTelegram) -> None:
    """sendPhoto, multipart: a decodable PNG of sensible size, the reading's sentence as caption."""
    api = TelegramApi(TOKEN, telegram.url)
    custom = custom_for("my wbc is 3.2")
    try:
        assert await send_telegram_pictures(api, CHAT, custom)
        assert not await send_telegram_pictures(api, CHAT, {"forget_session": True})
    finally:
        await api.close()
    (call,) = telegram.calls("sendPhoto", CHAT)
    assert call.status == 200
    photo = call.params["photo"]
    assert isinstance(photo, SentFile) and photo.content_type == "image/png"
    assert 2_000 < len(photo.data) < 40_000
    assert Image.open(io.BytesIO(photo.data)).size == (640, 124)
    assert call.params["caption"] == custom[PAYLOAD_KEY][0]["label"]
    assert "3,200" in call.params["caption"]


def test_text_bar_matches_the_picture() -> None:
    finding = interpret_text("wbc 1.2").findings[0]
    drawn = picture_of(finding)
    assert drawn is not None
    assert render_text_bar(drawn).startswith("!")
