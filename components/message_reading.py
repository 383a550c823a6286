"""The one reading of a message that the NLU components of a Rasa process share.

The count-intent rule (components/count_intent.py) and the subject extractor
(components/subject_entities.py) both need bot/'s reading of the same message, one after the
other in the NLU pipeline. They take it from here, so the Rasa server reads each message once.
The cache is small on purpose: it holds what was typed only while the message is being
understood, and it stays in this layer (bot.read.parse.parse_text itself keeps nothing).
"""

from __future__ import annotations

from functools import lru_cache

from bot import ParsedText, parse_text

# Messages in the NLU pipeline at once, with room to spare (Rasa parses one message at a time
# per conversation; a few conversations may interleave).
RECENT_MESSAGES = 4


@lru_cache(maxsize=RECENT_MESSAGES)
def reading_of(text: str) -> ParsedText:
    """Return bot/'s reading of `text`, read once while it is recent.

    Raises what parse_text raises (WbcBotError for text that cannot be read); an error is not
    kept, so the next reader sees it too.
    """
    return parse_text(text)
