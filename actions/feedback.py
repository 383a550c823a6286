"""The record of an answer a person can vote on, kept with the answer in the conversation.

The last message of a reply with a medical answer carries, in its metadata, a new answer id and
what the answer is about (bot/reply/feedback.py: topic or reading category, urgency). Rasa stores
the
metadata with the bot's message in the tracker store, and the channels put the thumbs under that
message, naming only the id: a vote is matched to this server-side record (channels/votes.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from rasa_sdk.executor import CollectingDispatcher

from bot.reply.dialogue import Reply
from bot.reply.feedback import ANSWER_ID, ANSWER_TOPIC, ANSWER_URGENCY, urgency_name


def new_answer_id() -> str:
    """A short random id for one answer (8 hex digits), unique enough within a conversation."""
    return secrets.token_hex(4)


def mark_answer(
    dispatcher: CollectingDispatcher, reply: Reply, new_id: Callable[[], str] = new_answer_id
) -> None:
    """Put the answer's record on the last message sent for `reply` (none: nothing to rate)."""
    if reply.topic is None or reply.failed or not dispatcher.messages:
        return
    dispatcher.messages[-1].update(
        {
            ANSWER_ID: new_id(),
            ANSWER_TOPIC: reply.topic,
            ANSWER_URGENCY: urgency_name(reply.urgency),
        }
    )
