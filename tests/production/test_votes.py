"""Votes on answers in a real PostgreSQL store (server/votes.py), as on SQLite.

Found, stored, replaced, and deleted with the conversation on "forget my data" and by `make
purge`, as on SQLite (tests/server/test_votes.py).
"""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.reply.feedback import ANSWER_ID, ANSWER_TOPIC, ANSWER_URGENCY
from server.purge import SECONDS_PER_DAY, purge_all
from server.tracker_store import UrlSQLTrackerStore
from server.votes import VOTES, StoredVote, VoteStore, conversation_key
from tests.production.services import Postgres

pytestmark = pytest.mark.stack


async def test_votes_live_and_die_with_the_conversation_on_postgresql(postgres: Postgres) -> None:
    """Votes live and die with the conversation on PostgreSQL too.

    A vote on the bot's record, a second one replacing it, and the votes gone with the conversation
    (forget) and with purged ones.
    """
    store = UrlSQLTrackerStore(url=postgres.url)
    sender, other = f"telegram:{uuid.uuid4().int % 10**9}", f"widget:{uuid.uuid4().hex}"
    for who in (sender, other):
        record = {ANSWER_ID: who[-8:].replace(":", "0"), ANSWER_TOPIC: "causes",
                  ANSWER_URGENCY: "none"}  # fmt: skip
        events = [UserUttered("what causes it?"), BotUttered("Many things.", metadata=record)]
        await store.save(DialogueStateTracker.from_events(who, events))
    votes = VoteStore(postgres.url)
    try:
        for who in (sender, other):
            found = votes.find_answer(who, None)
            assert found is not None and found.topic == "causes"
            votes.record(StoredVote.on(who, found, 1))
            votes.record(StoredVote.on(who, found, -1))
        mine = [v for v in votes.rows() if v.conversation_key == conversation_key(sender)]
        assert [v.vote for v in mine] == [-1]
        store.delete(sender)
        keys = {v.conversation_key for v in votes.rows()}
        assert conversation_key(sender) not in keys and conversation_key(other) in keys
        later = time.time() + 400 * SECONDS_PER_DAY
        assert purge_all(postgres.url, retention_days=30, now=later).votes >= 1
        with votes.engine.connect() as connection:
            assert connection.execute(sa.select(sa.func.count()).select_from(VOTES)).scalar() == 0
    finally:
        votes.dispose()
        store.engine.dispose()
