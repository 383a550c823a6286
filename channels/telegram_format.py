"""What one of the bot's answers looks like in Telegram: its parts and its buttons.

A Telegram message holds at most 4096 UTF-16 code units and a button's data at most 64 bytes,
so a long answer goes out in parts cut between paragraphs, lines or words, and buttons become an
inline keyboard of those that fit. The text itself is made Telegram's HTML by channels/markup.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4096  # characters (UTF-16 code units) in one Telegram message
MAX_CALLBACK_DATA_BYTES = 64  # Telegram refuses a button whose callback_data is longer


def inline_keyboard(buttons: Sequence[Mapping[str, Any]]) -> list[list[dict[str, str]]]:
    """One button per row; pressing it sends its payload back (as a callback query)."""
    rows = []
    for button in buttons:
        title, payload = str(button.get("title", "")), str(button.get("payload", ""))
        if not title or not 0 < len(payload.encode()) <= MAX_CALLBACK_DATA_BYTES:
            logger.warning("Button left out: Telegram needs a title and a payload of 1-64 bytes")
            continue
        rows.append([{"text": title, "callback_data": payload}])
    return rows


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """`text` in parts of at most `limit` UTF-16 units, cut between paragraphs, lines or words.

    A part is cut between paragraphs or lines when one ends in its second half, else between
    words; only a single "word" longer than `limit` (a giant link) has to be cut inside.
    """
    parts = []
    rest = text.strip()
    while _units(rest) > limit:
        fits = max(len(_prefix(rest, limit)), 1)  # at least one character, however wide
        # The character just after the part may be the space or line break to cut at.
        cut = _cut(rest[: fits + 1], minimum=fits // 2) or fits
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*parts, rest] if rest else parts


def _prefix(text: str, limit: int) -> str:
    """The longest start of `text` that is at most `limit` UTF-16 units long."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def _cut(window: str, minimum: int) -> int | None:
    """Where to end a part in `window`; None if there is no space at all.

    At the last paragraph or line break from `minimum` on, else at the last space.
    """
    for separator in ("\n\n", "\n"):
        index = window.rfind(separator)
        if index >= minimum:
            return index
    last_space = max((space.start() for space in re.finditer(r"\s", window)), default=0)
    return last_space or None


def _units(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji can count as two)."""
    return len(text.encode("utf-16-le")) // 2
