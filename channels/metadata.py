"""What a message may carry besides its text: small, flat metadata with known keys only.

Rasa stores a message's metadata with it in the conversation. Unchecked, a client could store
anything there: a REST message whose metadata was 900 nested lists (1.8 KB) made every later
copy of the conversation fail (RecursionError), and the conversation could no longer be read.
So every channel passes the metadata a client sends through `accepted_metadata`: a flat object
whose keys are in KNOWN_KEYS and whose values are short strings; everything else is dropped
(never stored), and the message is answered as if it came without it.

No part of the bot reads metadata today; `language` is what a chat widget may say about the
visitor's language.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

# Known keys and the form of their values.
KNOWN_KEYS: dict[str, re.Pattern[str]] = {
    "language": re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}"),
}
MAX_RAW_CHARS = 1024  # a JSON string of metadata longer than this is not even parsed


def accepted_metadata(raw: Any) -> dict[str, str] | None:
    """The known, well-formed entries of a message's metadata (None when there are none).

    `raw` is what the client sent: an object, or (Socket.IO) its JSON text. Nested values,
    unknown keys and long or odd values are dropped; a debug line says how many.
    """
    if isinstance(raw, str):
        if len(raw) > MAX_RAW_CHARS:
            _dropped("long JSON text")
            return None
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            _dropped("not JSON")
            return None
    if raw is None:
        return None
    if not isinstance(raw, dict):
        _dropped("not an object")
        return None
    accepted = {
        key: value
        for key, value in raw.items()
        if key in KNOWN_KEYS and isinstance(value, str) and KNOWN_KEYS[key].fullmatch(value)
    }
    if len(accepted) < len(raw):
        _dropped(f"{len(raw) - len(accepted)} unknown or malformed entries")
    return accepted or None


def _dropped(why: str) -> None:
    logger.debug("Message metadata dropped: %s", why)
