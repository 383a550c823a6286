"""Each channel's drawing of a reading's range pictures (bot/range_picture).

The pictures travel as the message's custom data beside its text (`{"range_pictures": [...]}`,
actions/respond.py).

- Socket.IO (the widget): the SVG goes with the reading's own text, in rasa-webchat's per-message
  `customCss` (the one extra key it keeps), and web/static/embed.js puts it in that bubble.
- Telegram: a PNG per picture (sendPhoto), its sentence as the caption, after the reading.
- The terminal: a text bar per picture, as a line under the reading.
- REST: the data as it is, in the message's `custom` (nothing to do here).

Pictures are drawn for each message and never stored. Custom data that is not a valid picture
is left out (logged without its content).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from bot.reply.range_picture import (
    PictureDataError,
    RangePicture,
    only_pictures,
    pictures_in,
    render_png,
    render_svg,
    render_text_bar,
)
from channels.telegram_api import TelegramApi

logger = logging.getLogger(__name__)

# The class the widget's bubble of a reading with pictures gets (web/static/embed.js draws them).
PICTURE_CLASS = "wbc-range"
TELEGRAM_CAPTION_LIMIT = 1024  # characters of a photo's caption


def readable_pictures(custom: object) -> tuple[RangePicture, ...]:
    """The pictures in a message's custom data; none when there are none or they are invalid."""
    try:
        return pictures_in(custom)
    except PictureDataError as error:
        logger.warning("Range pictures left out: %s", error.problem)
        return ()


def with_widget_pictures(
    message: dict[str, Any], message_fields: Mapping[str, Any]
) -> dict[str, Any]:
    """Put a Socket.IO message's pictures in it as SVG; any other message is returned unchanged.

    The pictures come from the message's `custom` data (in `message_fields`, the rest of the bot's
    message). The SVG and their sentences go in rasa-webchat's `customCss` (the one extra key it
    keeps with a message, so a reload shows them again), with the class that makes the widget draw
    them.
    """
    pictures = readable_pictures(message_fields.get("custom"))
    if not pictures:
        return message
    style = dict(message.get("customCss") or {"style": "class", "css": ""})
    style["css"] = f"{style.get('css', '')} {PICTURE_CLASS}".strip()
    style["pictures"] = [{"svg": render_svg(p), "label": p.label} for p in pictures]
    return {**message, "customCss": style}


def shown_with_text(custom: object) -> bool:
    """True for custom data that holds only pictures: the widget shows them with the text."""
    return only_pictures(custom)


async def send_telegram_pictures(api: TelegramApi, chat_id: int | str, custom: object) -> bool:
    """Send each picture as a photo with its sentence as the caption.

    Returns False when the custom data holds no pictures (it is something else, for the caller to
    send).
    """
    if not only_pictures(custom):
        return False
    for picture in readable_pictures(custom):
        png = await asyncio.to_thread(render_png, picture)
        params = {"chat_id": chat_id, "caption": picture.label[:TELEGRAM_CAPTION_LIMIT]}
        photo = {"photo": ("range.png", png, "image/png")}
        if await api.call("sendPhoto", params, repeatable=False, files=photo) is None:
            return True  # logged by the client; a missing picture is not worth a retry
    return True


def terminal_response(message: dict[str, Any]) -> dict[str, Any]:
    """Return a bot message for the terminal, its pictures as text bars; others unchanged.

    The bars, one line each, go under the reading's first paragraph (the verdict), in the same
    message, so the buttons stay the last thing shown.
    """
    custom, text = message.get("custom"), message.get("text")
    if not only_pictures(custom) or not isinstance(text, str):
        return message
    bars = "\n".join(render_text_bar(picture) for picture in readable_pictures(custom))
    rest = {key: value for key, value in message.items() if key != "custom"}
    if not bars:
        return rest
    verdict, gap, after = text.partition("\n\n")
    return {**rest, "text": f"{verdict}\n{bars}{gap}{after}"}


def bars_under_readings(output: Any) -> None:
    """Make a terminal's output channel (`make shell`) show pictures as text bars."""
    send_response = output.send_response

    async def send_with_bars(recipient_id: str, message: dict[str, Any]) -> None:
        await send_response(recipient_id, terminal_response(message))

    output.send_response = send_with_bars
