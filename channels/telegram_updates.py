"""Reading a Telegram update: the chat, its text, a photo or document, a pressed button.

Telegram posts many kinds of update (messages, edits, button presses, joins, pinned messages,
stickers ...). The channel needs only what one asks of the bot, so each update is read here
into an `Incoming`, or into nothing when it needs no answer, before anything acts on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from channels.guard import COMMANDS

# What is not text yet deserves the "I can only read text" reply; everything else in a message
# (someone joined or left, a pinned message, a new chat title ...) is a service message.
MEDIA_KEYS = frozenset(
    {
        "animation",
        "audio",
        "contact",
        "dice",
        "document",
        "game",
        "location",
        "photo",
        "poll",
        "sticker",
        "story",
        "venue",
        "video",
        "video_note",
        "voice",
    }
)


@dataclass(frozen=True)
class Upload:
    """A photo or document sent to the bot: maybe a lab report to read."""

    file_id: str
    size: int | None  # bytes, as Telegram states it
    caption: str = ""


@dataclass(frozen=True)
class Incoming:
    """What one update asks of the bot."""

    chat_id: str  # empty for a button pressed on a message that is not in a chat
    private: bool
    text: str | None  # None: something the bot cannot read (a sticker, a voice message ...)
    callback_query_id: str = ""
    upload: Upload | None = None  # a photo or document (text is None then)


def read_update(update: Mapping[str, Any]) -> Incoming | None:
    """The message in a Telegram update; None when it needs no answer.

    Joins, leaves, members and kinds of update this bot does not know need none.
    """
    query = update.get("callback_query")
    if isinstance(query, dict) and query.get("id"):
        message = query.get("message")
        chat = message.get("chat") if isinstance(message, dict) else None
        data = query.get("data")
        return Incoming(
            str(chat["id"]) if isinstance(chat, dict) and "id" in chat else "",
            isinstance(chat, dict) and chat.get("type") == "private",
            data if isinstance(data, str) and data else None,
            callback_query_id=str(query["id"]),
        )
    for key in ("message", "edited_message"):
        message = update.get(key)
        if isinstance(message, dict):
            return _read_message(message, edited=key == "edited_message")
    return None


def _read_message(message: Mapping[str, Any], edited: bool) -> Incoming | None:
    chat = message.get("chat")
    if not isinstance(chat, dict) or "id" not in chat:
        return None
    chat_id, private = str(chat["id"]), chat.get("type") == "private"
    text = message.get("text")
    if isinstance(text, str):
        return Incoming(chat_id, private, text)  # an edited text is answered as it now reads
    upload = None if edited else read_upload(message)
    if upload is not None:
        return Incoming(chat_id, private, None, upload=upload)
    if MEDIA_KEYS & message.keys() and not edited:
        return Incoming(chat_id, private, None)
    return None


def read_upload(message: Mapping[str, Any]) -> Upload | None:
    """The photo (its largest size) or the document in a message.

    Its kind is checked by its content once downloaded, not by its name or MIME type.
    """
    caption = message.get("caption")
    caption = caption if isinstance(caption, str) else ""
    photo = message.get("photo")
    if isinstance(photo, list):
        sizes = [size for size in photo if isinstance(size, dict) and size.get("file_id")]
        if sizes:
            largest = max(sizes, key=_pixels)
            return Upload(str(largest["file_id"]), _size(largest), caption)
    document = message.get("document")
    if isinstance(document, dict) and document.get("file_id"):
        return Upload(str(document["file_id"]), _size(document), caption)
    return None


def _pixels(size: Mapping[str, Any]) -> int:
    width, height = size.get("width"), size.get("height")
    return width * height if isinstance(width, int) and isinstance(height, int) else 0


def _size(file: Mapping[str, Any]) -> int | None:
    size = file.get("file_size")
    return size if isinstance(size, int) else None


def command_text(text: str, bot_name: str = "") -> str:
    """Commands as the intents they mean, from the guard's one command table; other text as is.

    /start, /help, /forget and /restart are read also as /start@this_bot; a command addressed
    to another bot stays text.
    """
    word = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    command, _, addressee = word.lower().partition("@")
    if addressee and addressee != bot_name.lower():
        return text
    return COMMANDS.get(command, text)


def addressed_to_bot(text: str, bot_name: str) -> bool:
    """In a group: a command, or a message naming the bot."""
    mention = bool(bot_name) and f"@{bot_name.lower()}" in text.lower()
    return text.lstrip().startswith("/") or mention
