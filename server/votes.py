"""Votes on answers ("Was this helpful?"), kept in the conversation store's own database.

The table `votes` sits beside Rasa's `events` in the database at TRACKER_STORE_URL: the SQLite
file by default (no other service needed), PostgreSQL in production; Redis only ever holds
locks. A row holds no text anyone typed: the topic or reading category, the urgency, the
channel, the day (a date, no time), the vote (+1 or -1), the answer's id and a key of the
conversation (the SHA-256 of its id, not the id), by which "forget my data"
(server/tracker_store.py) and `make purge` (server/purge.py) find the person's votes. One row per
answer and conversation: a second vote on an answer replaces the first.

What a vote is about is read here from the conversation itself: the record the action kept
with the answer's message (bot/reply/feedback.py), found in the stored bot messages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.reply.feedback import AnswerRecord, record_from
from server import settings

# How many of a conversation's latest bot messages are searched for the answer voted on.
ANSWERS_LOOKED_AT = 200

METADATA = sa.MetaData()
VOTES = sa.Table(
    "votes",
    METADATA,
    sa.Column("conversation_key", sa.String(64), primary_key=True),
    sa.Column("answer_id", sa.String(16), primary_key=True),
    sa.Column("topic", sa.String(64), nullable=False),
    sa.Column("urgency", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("vote", sa.SmallInteger, nullable=False),
)
EVENTS = sa.table(
    "events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"), sa.column("data")
)


def conversation_key(sender_id: str) -> str:
    """The key of a conversation's votes: the SHA-256 of its id (`telegram:<chat id>` ...)."""
    return hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()


def today() -> date:
    """Return today's date in UTC: the day a vote is stored under (a vote keeps no time)."""
    return datetime.now(timezone.utc).date()


@dataclass(frozen=True)
class StoredVote:
    """One row of the votes table."""

    conversation_key: str
    answer_id: str
    topic: str
    urgency: str
    channel: str
    day: date
    vote: int

    @classmethod
    def on(
        cls, sender_id: str, record: AnswerRecord, vote: int, day: date | None = None
    ) -> StoredVote:
        """A vote of conversation `sender_id` on the answer `record`, made today."""
        channel = sender_id.partition(":")[0] if ":" in sender_id else "other"
        return cls(
            conversation_key(sender_id),
            record.answer_id,
            record.topic[:64],
            record.urgency[:16],
            channel[:16],
            day or today(),
            1 if vote > 0 else -1,
        )


def create_table(connectable: Any) -> None:
    """The votes table, if the database does not have it yet."""
    VOTES.create(connectable, checkfirst=True)


def forget_statement(sender_id: str) -> sa.sql.Delete:
    """Deletes every vote of one conversation (run with its events on "forget my data")."""
    return sa.delete(VOTES).where(VOTES.c.conversation_key == conversation_key(sender_id))


def purge_votes(connection: Any, sender_ids: Iterable[str], before: date) -> int:
    """Delete the votes of the conversations `sender_ids` and every vote from before `before`.

    Returns how many were deleted.
    """
    if not sa.inspect(connection).has_table("votes"):
        return 0
    keys = [conversation_key(sender) for sender in sender_ids]
    deleted = 0
    for start in range(0, len(keys), 500):  # keep each statement's parameter list short
        chunk = keys[start : start + 500]
        deleted += connection.execute(
            sa.delete(VOTES).where(VOTES.c.conversation_key.in_(chunk))
        ).rowcount
    deleted += connection.execute(sa.delete(VOTES).where(VOTES.c.day < before)).rowcount
    return int(deleted)


class VoteStore:
    """The votes table and the stored bot messages of the database at `url`.

    Connects on first use, never at construction. Blocking: call it from a thread.
    """

    def __init__(self, url: str) -> None:
        """Keep the database URL; nothing connects until the store is first used."""
        self.url = sa.engine.make_url(url)
        self._engine: sa.engine.Engine | None = None

    @classmethod
    def from_settings(cls, environ: Mapping[str, str]) -> VoteStore:
        """Return the store of the conversations' database, TRACKER_STORE_URL."""
        return cls(settings.resolve(environ)["TRACKER_STORE_URL"])

    @property
    def exists(self) -> bool:
        """False for an SQLite file not made yet (nothing stored: nothing to create here)."""
        database = self.url.database or ""
        return not (
            self.url.get_backend_name() == "sqlite"
            and database not in ("", ":memory:")
            and not Path(database).exists()
        )

    @property
    def engine(self) -> sa.engine.Engine:
        """The database engine, made on first use (SQLite connections may move between threads)."""
        if self._engine is None:
            kwargs: dict[str, Any] = {"pool_pre_ping": True}
            if self.url.get_backend_name() == "sqlite":
                kwargs["connect_args"] = {"check_same_thread": False}
            self._engine = sa.create_engine(self.url, **kwargs)
        return self._engine

    def find_answer(self, sender_id: str, answer_id: str | None) -> AnswerRecord | None:
        """Return the record of answer `answer_id` (None: the latest answer), or None.

        It is looked up among the conversation's stored bot messages; None when there is no such
        answer (or nothing is stored).
        """
        if not self.exists:
            return None
        latest = (
            sa.select(EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name == "bot")
            .order_by(EVENTS.c.id.desc())
            .limit(ANSWERS_LOOKED_AT)
        )
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return None
            for data in connection.execute(latest).scalars():
                record = record_from(_metadata(data))
                if record is not None and answer_id in (None, record.answer_id):
                    return record
        return None

    def record(self, vote: StoredVote) -> None:
        """Store `vote`, replacing an earlier vote of the conversation on the same answer."""
        row = {
            "conversation_key": vote.conversation_key,
            "answer_id": vote.answer_id,
            "topic": vote.topic,
            "urgency": vote.urgency,
            "channel": vote.channel,
            "day": vote.day,
            "vote": vote.vote,
        }
        same_answer = sa.delete(VOTES).where(
            VOTES.c.conversation_key == vote.conversation_key,
            VOTES.c.answer_id == vote.answer_id,
        )
        create_table(self.engine)
        for attempt in (1, 2):  # two votes on one answer at once: the later one wins
            try:
                with self.engine.begin() as connection:
                    connection.execute(same_answer)
                    connection.execute(sa.insert(VOTES), row)
                return
            except sa.exc.IntegrityError:
                if attempt == 2:
                    raise

    def rows(self) -> list[StoredVote]:
        """Every stored vote (none when nothing is stored yet)."""
        if not self.exists:
            return []
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("votes"):
                return []
            result = connection.execute(sa.select(VOTES)).mappings().all()
        return [StoredVote(**dict(row)) for row in result]

    def dispose(self) -> None:
        """Close the engine's connections; the next use opens new ones."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _metadata(data: object) -> object:
    """The metadata of a stored bot message (JSON text), or None."""
    try:
        event = json.loads(str(data))
    except ValueError:
        return None
    return event.get("metadata") if isinstance(event, dict) else None
