"""Was this helpful? The thumbs under an answer, and the votes, taken by the channel layer.

A vote never reaches Rasa. The channel takes it (after the rate limit, like any message), finds
the answer it names in the conversation's stored bot messages, stores the vote (server/votes.py)
and says thank you; nothing is added to the conversation. So a vote cannot change the
conversation's state, its last answer or its emergency advice, needs no intent, training data or
story, and what it is about can only come from the bot's own record of the answer
(bot/reply/feedback.py), never from what the client sent.

What a vote looks like:

- a button under an answer (widget, Telegram) sends `/vote up <answer id>` or
  `/vote down <answer id>`; the id only says which of this conversation's answers is meant;
- `/good` and `/bad` (typed, e.g. in `make shell`) rate the conversation's latest answer.

A vote on an answer this conversation does not have (none yet, forgotten, a made-up id) is
refused with a short note, and nothing is stored.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.reply.feedback import ANSWER_ID, Vote
from server.privacy import hashed
from server.votes import StoredVote, VoteStore

logger = logging.getLogger(__name__)

VOTE_COMMAND = "/vote"
TYPED_VOTES = {"/good": Vote.UP, "/bad": Vote.DOWN}
_BUTTON_VOTE = re.compile(r"/vote (up|down) ([0-9a-f]{8,16})")
THANKS_TEXT = "Thank you. I keep only the topic of that answer and your rating, never your words."
NOTHING_TO_RATE_TEXT = (
    "There is no answer of mine here to rate yet. Ask me something first, then use the "
    "thumbs under the answer (or type /good or /bad)."
)
NOT_SAVED_TEXT = "Sorry, I could not save your rating just now. Please try again later."
# A button pressed the moment its answer appeared may come before Rasa has stored the answer
# (it stores a turn once the turn is over): look again once after this long.
LOOK_AGAIN_SECONDS = 1.0

# The widget: the class that marks the bubble an answer ends with (web/static/embed.js adds the
# thumbs to it), and the one that names the answer.
WIDGET_VOTE_CLASS = "wbc-vote"
WIDGET_ANSWER_CLASS_PREFIX = "wbc-vote-"
# Telegram: the row of buttons under the answer.
TELEGRAM_UP_TITLE = "👍 Helpful"
TELEGRAM_DOWN_TITLE = "👎 Not helpful"


@dataclass(frozen=True)
class VoteRequest:
    """What a vote message says: up or down, and which answer (None: the latest)."""

    vote: Vote
    answer_id: str | None = None


def is_vote(text: str | None) -> bool:
    """Whether a message is a vote (well-formed or not): it is then never passed to Rasa."""
    words = (text or "").strip().lower().split()
    return bool(words) and (words[0] == VOTE_COMMAND or (words[0] in TYPED_VOTES))


def read_vote(text: str | None) -> VoteRequest | None:
    """The vote a message asks for; None when it is not a well-formed vote."""
    text = " ".join((text or "").strip().lower().split())
    if text in TYPED_VOTES:
        return VoteRequest(TYPED_VOTES[text])
    button = _BUTTON_VOTE.fullmatch(text)
    if button is None:
        return None
    return VoteRequest(Vote.UP if button.group(1) == "up" else Vote.DOWN, button.group(2))


def payload(vote: Vote, answer_id: str) -> str:
    """What a button for `vote` on answer `answer_id` sends."""
    return f"{VOTE_COMMAND} {'up' if vote is Vote.UP else 'down'} {answer_id}"


def answer_id_of(message_kwargs: Mapping[str, Any]) -> str | None:
    """Return the id of the answer a bot message ends, or None for a message that ends no answer.

    The id is in the message's metadata, passed to the output channel with the message.
    """
    answer_id = message_kwargs.get(ANSWER_ID)
    return (
        answer_id
        if isinstance(answer_id, str) and re.fullmatch(r"[0-9a-f]{8,16}", answer_id)
        else None
    )


def with_widget_marker(
    message: dict[str, Any], message_kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """Add to a Socket.IO message the classes that make the widget put the thumbs under it.

    They go in its `customCss` (the only extra key rasa-webchat keeps); other messages are
    unchanged.
    """
    answer_id = answer_id_of(message_kwargs)
    if answer_id is None:
        return message
    style = dict(message.get("customCss") or {"style": "class", "css": ""})
    classes = f"{WIDGET_VOTE_CLASS} {WIDGET_ANSWER_CLASS_PREFIX}{answer_id}"
    style["css"] = f"{style.get('css', '')} {classes}".strip()
    return {**message, "customCss": style}


def telegram_row(message_kwargs: Mapping[str, Any]) -> list[list[dict[str, str]]]:
    """Return the row of thumbs for a Telegram message that ends an answer, else none.

    Its callback data is the vote's payload, at most 25 bytes.
    """
    answer_id = answer_id_of(message_kwargs)
    if answer_id is None:
        return []
    return [
        [
            {"text": TELEGRAM_UP_TITLE, "callback_data": payload(Vote.UP, answer_id)},
            {"text": TELEGRAM_DOWN_TITLE, "callback_data": payload(Vote.DOWN, answer_id)},
        ]
    ]


class Voting:
    """Takes the votes of one channel: finds the answer, stores the vote, says thank you."""

    def __init__(self, store: Callable[[], VoteStore] | None = None) -> None:
        """Take what opens the vote store; by default the store of TRACKER_STORE_URL."""
        self._make_store = store or (lambda: VoteStore.from_settings(os.environ))
        self._store: VoteStore | None = None

    @property
    def store(self) -> VoteStore:
        """The vote store, opened on the first vote, never at start-up."""
        if self._store is None:  # on the first vote, never at start-up
            self._store = self._make_store()
        return self._store

    async def take(self, message: UserMessage, output: OutputChannel) -> bool:
        """Handle `message` if it is a vote (True), else leave it for Rasa (False)."""
        if not is_vote(message.text):
            return False
        sender = message.sender_id or ""
        await output.send_text_message(sender, await self._vote(sender, read_vote(message.text)))
        return True

    async def _vote(self, sender: str, request: VoteRequest | None) -> str:
        """Store the vote `request` of conversation `sender`; what to tell the person."""
        if request is None or not sender:
            return NOTHING_TO_RATE_TEXT
        try:
            record = await asyncio.to_thread(self.store.find_answer, sender, request.answer_id)
            if record is None and request.answer_id is not None:
                await asyncio.sleep(LOOK_AGAIN_SECONDS)
                record = await asyncio.to_thread(self.store.find_answer, sender, request.answer_id)
            if record is None:
                return NOTHING_TO_RATE_TEXT
            vote = StoredVote.on(sender, record, int(request.vote))
            await asyncio.to_thread(self.store.record, vote)
        except sa.exc.SQLAlchemyError as error:
            logger.error("Vote of %s not stored: %s", hashed(sender), type(error).__name__)
            return NOT_SAVED_TEXT
        logger.info("Vote stored for %s", hashed(sender))
        return THANKS_TEXT
