"""The replies that must never fail: emergency advice and the apology when answering went wrong.

Both are constants, built without reading any file. When composing a reply raises (or the
action server cannot be reached), `fallback_texts` still gives the right urgency: emergency
advice first when the message (or the conversation) mentions a red flag, then the apology.
The red-flag check here is deliberately coarse (no negation): in a failure, sending emergency
advice to "no fever" is the safe mistake.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from functools import cache
from types import TracebackType

logger = logging.getLogger(__name__)

# Who to call: a clinic can set its own (the EMERGENCY_NUMBERS setting, server/settings.py).
DEFAULT_EMERGENCY_NUMBERS = "911 (US), 112 (EU), 999 (UK) or your local emergency number"
EMERGENCY_TEXT = (
    "⚠️ Seek emergency care now: call {numbers}, if there is a fever with a low white count, "
    "trouble breathing, chest pain, confusion, fainting, a seizure, or you feel very unwell.\n\n"
    "Source: [MedlinePlus: Recognizing medical emergencies]"
    "(https://medlineplus.gov/ency/article/001927.htm)"
)
TROUBLE_TEXT = (
    "Sorry, I'm having trouble answering right now. Please try again in a minute. "
    "If this is urgent, seek medical care now."
)
TOO_LONG_TEXT = (
    "That message is too long for me: I read up to {limit:,} characters. Please send only the "
    "lines with the white count and neutrophils, or ask in a few words."
)
# Used when the red-flag data cannot be read: the core emergency and fever words.
_CORE_RED_FLAGS = re.compile(
    r"breath|chest pain|confus|faint|passed out|seizure|convuls|stiff neck|unwell|very sick|"
    r"dying|fever|febrile|chills|rigors|shaking|hard to wake|unresponsive|collapsed",
    re.IGNORECASE,
)
# 38.0-42.9 with a decimal, or 100-109 °F: a temperature in the fever range.
_FEVER_NUMBER = re.compile(r"\b(?:3[89]|4[0-2])[.,]\d\b|\b10\d(?:[.,]\d)?\s*°?\s*f\b")
_URGENT_KINDS = ("emergency_sign", "fever")


def emergency_numbers() -> str:
    """The emergency numbers to tell people to call (EMERGENCY_NUMBERS, else the default)."""
    return os.environ.get("EMERGENCY_NUMBERS", "").strip() or DEFAULT_EMERGENCY_NUMBERS


def emergency_text() -> str:
    """The constant emergency advice, with the numbers to call."""
    return EMERGENCY_TEXT.format(numbers=emergency_numbers())


def fallback_texts(text: str, red_flag_known: bool = False) -> tuple[str, ...]:
    """What to send when the real reply could not be composed: never empty, never raises."""
    try:
        urgent = red_flag_known or mentions_red_flag(text)
    except Exception:  # noqa: BLE001 - the last line of defence must not fail
        urgent = True
    return (emergency_text(), TROUBLE_TEXT) if urgent else (TROUBLE_TEXT,)


def too_long_texts(text: str, limit: int) -> tuple[str, ...]:
    """Return what to send for a message over the length limit, before anything reads it.

    Emergency advice comes first when the message names a red flag anywhere (a linear scan), then
    how long a message can be.
    """
    try:
        urgent = mentions_red_flag(text)
    except Exception:  # noqa: BLE001 - the last line of defence must not fail
        urgent = True
    too_long = TOO_LONG_TEXT.format(limit=limit)
    return (emergency_text(), too_long) if urgent else (too_long,)


def mentions_red_flag(text: str) -> bool:
    """Whether the text names an emergency sign or a fever sign, or a fever-range number."""
    lowered = " " + re.sub(r"[’`´]", "'", text.lower()) + " "
    if _CORE_RED_FLAGS.search(lowered) or _FEVER_NUMBER.search(lowered):
        return True
    return any(phrase.search(lowered) for phrase in _red_flag_phrases())


@cache
def _red_flag_phrases() -> tuple[re.Pattern[str], ...]:
    try:
        from bot.read.matchers import red_flag_phrases

        phrases = red_flag_phrases(_URGENT_KINDS)
    except Exception:  # noqa: BLE001 - the core words above still apply
        logger.warning("red-flag phrases could not be read; using the core words only")
        return ()
    return tuple(re.compile(rf"(?<!\w){re.escape(p.lower())}(?!\w)") for p in phrases)


def log_failure(where: str, exc: BaseException) -> None:
    """Log an error by type and code location only: never the message text or its values."""
    frames = _frames(exc.__traceback__)
    logger.error("%s failed: %s at %s", where, type(exc).__name__, " <- ".join(frames))


def _frames(tb: TracebackType | None) -> Sequence[str]:
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append(f"{code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno} {code.co_name}")
        tb = tb.tb_next
    return list(reversed(frames))[:6]
