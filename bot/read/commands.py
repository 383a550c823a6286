"""Words, typed or sent by a button, that ask the bot itself for something, in every channel.

"sources" lists all sources of the last answer; "more about this result" gives the notes left out
of a reading. Telegram-style slash commands (/start, /help, /forget) live in the channel guard.
"""

from __future__ import annotations

import re

SOURCES = "sources"
MORE = "more about this result"
_COMMANDS = {
    SOURCES: re.compile(r"^\s*/?(?:show (?:me )?(?:the )?)?sources?\s*[?.!]*\s*$", re.I),
    MORE: re.compile(
        r"^\s*/?(?:tell me )?more(?: (?:about|on) (?:this|that|the|my) (?:result|count|number))?"
        r"(?: please)?\s*[?.!]*\s*$",
        re.I,
    ),
}


def command_of(text: str) -> str | None:
    """SOURCES or MORE when the whole message asks for one of them, else None."""
    for command, pattern in _COMMANDS.items():
        if pattern.match(text):
            return command
    return None
