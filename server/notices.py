"""Lines the person must read before the bot's next reply, left by the tracker store.

The tracker store cannot send messages, yet when it could not read a conversation in full
(server/tracker_store.py, `UrlSQLTrackerStore._salvage`) the person has to be told before they are
answered: what they told the bot before may be missing. The store leaves the lines here, keyed
by the conversation's sender id, and the channel guard (channels/guard.py) sends them first, in
the same turn. In memory, per process: the store and the channels run in the same Rasa server
process, and the turn that read the conversation is the one that answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TypeVar

from bot.judge.safety import emergency_text

UNREADABLE_TEXT = (
    "I'm sorry: I could not read all of our earlier conversation, so I may have lost what you "
    "told me before. Please tell me again your white cell count, any treatment such as "
    "chemotherapy, and any symptoms such as a fever."
)
V = TypeVar("V")
MAX_WAITING = 10_000  # senders with lines waiting (the oldest are dropped beyond)

_lock = threading.Lock()
_waiting: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_told: OrderedDict[str, None] = OrderedDict()  # told once per process


def unreadable_conversation(sender_id: str) -> None:
    """Tell the person (once in this process) that their conversation could not be read in full.

    The friendly line goes with the emergency advice, since a red flag they named may be among what
    was lost (ask again rather than downgrade).
    """
    with _lock:
        if sender_id in _told:
            return
        _remember(_told, sender_id, None)
        _remember(_waiting, sender_id, (UNREADABLE_TEXT, emergency_text()))


def take(sender_id: str) -> tuple[str, ...]:
    """The lines waiting for `sender_id` (none: empty), now no longer waiting."""
    with _lock:
        return _waiting.pop(sender_id, ())


def forget(sender_id: str) -> None:
    """The conversation is gone (forgotten): a new one with this id starts clean."""
    with _lock:
        _waiting.pop(sender_id, None)
        _told.pop(sender_id, None)


def _remember(table: OrderedDict[str, V], key: str, value: V) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > MAX_WAITING:
        table.popitem(last=False)
