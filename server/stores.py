"""Rasa's own SQL tracker store and lock stores, configured by one URL each.

endpoints.yml names these classes, so `TRACKER_STORE_URL` (an SQLAlchemy URL: SQLite by
default, `postgresql://...` in production) and `LOCK_STORE_URL` (`redis://...`, or empty for
the in-memory lock store) are all it takes to move between the embedded default and real
servers. The tracker store also deletes a conversation when the person asks us to forget it.

When the database is down, Rasa's FailSafeTrackerStore (which wraps every tracker store) would
answer as if the conversation had just begun, without what the person said before: a fever
after a low count would not be seen as an emergency. So a conversation that cannot be read is
handed back as an `UnreadableConversation`, which refuses every event: handling the message
fails and the channel guard sends the short trouble reply. Stored conversations stay as they
were, and the next message after the database is back is answered in full context.

With Redis, the lock store is Rasa's own with each change to a lock made atomically, so that
several processes can serve one conversation (see AtomicRedisLockStore).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis
import sqlalchemy as sa
from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from server.privacy import hashed

logger = logging.getLogger(__name__)
T = TypeVar("T")

FORGET_ACTION = "action_forget_data"
POSTGRES_CONNECT_TIMEOUT = 3  # seconds; a URL's own ?connect_timeout= takes precedence


class UrlSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore from one SQLAlchemy URL, which forgets a conversation on request."""

    def __init__(self, host: str | None = None, url: str | None = None, **kwargs: Any) -> None:
        parsed = sa.engine.make_url(url or host or "sqlite:///var/conversations.db")
        super().__init__(
            dialect=parsed.drivername,
            host=parsed.host,
            port=parsed.port,
            db=parsed.database or "",
            username=parsed.username,
            password=parsed.password,
            query=dict(parsed.query) or None,
            **kwargs,
        )
        # Check a pooled connection before use, so the store recovers by itself after the
        # database has been restarted instead of failing on a dead connection once.
        engine_url = self.engine.url
        self.engine.dispose()
        self.engine: Any = sa.create_engine(
            engine_url, pool_pre_ping=True, **_engine_kwargs(engine_url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        logger.info("Tracker store: %s database", parsed.get_backend_name())

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's current session; an unusable stand-in if the database fails."""
        try:
            return await super().retrieve(sender_id)
        except sa.exc.SQLAlchemyError as error:
            failure = StoreUnavailableError("read", sender_id, error)
            logger.error("Tracker store unavailable: %s", failure)
            return UnreadableConversation(failure, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events; after "forget my data", delete the conversation instead."""
        try:
            if _just_forgot(tracker):
                self.delete(tracker.sender_id)
            else:
                await super().save(tracker)
        except sa.exc.SQLAlchemyError as error:
            # Re-raised without the SQL error's text, which quotes the events (what was typed).
            raise StoreUnavailableError("save", tracker.sender_id, error) from None

    def delete(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; returns how many there were."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        logger.info("Deleted conversation %s (%d events) on request", hashed(sender_id), deleted)
        return int(deleted)


def _engine_kwargs(url: Any) -> dict[str, Any]:
    """Rasa's engine settings, a connect timeout for PostgreSQL (default: wait forever), and a
    connection pool for an SQLite file (SQLAlchemy 1.4 opens and closes a connection for every
    session, several per turn: about a fifth of the Rasa server's CPU per message)."""
    kwargs = create_engine_kwargs(url)
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        kwargs.setdefault("connect_args", {})["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        kwargs["poolclass"] = sa.pool.QueuePool
        kwargs["connect_args"] = {"check_same_thread": False}
    return kwargs


class StoreUnavailableError(RuntimeError):
    """The tracker store's database failed while reading or saving one conversation."""

    def __init__(self, doing: str, sender_id: str, error: BaseException) -> None:
        super().__init__(doing, sender_id)
        self.doing = doing
        self.sender_id = sender_id
        cause = getattr(error, "orig", None) or error  # the database driver's own error
        lines = str(cause).strip().splitlines()
        self.reason = f"{type(cause).__name__}: {lines[0] if lines else ''}"

    def __str__(self) -> str:
        return f"could not {self.doing} conversation {hashed(self.sender_id)} ({self.reason})"


class UnreadableConversation(DialogueStateTracker):
    """Stands in for a conversation the database could not return: it takes no events.

    The first event Rasa adds (the start of a session, or the person's message) raises
    StoreUnavailableError, so the message fails before anything is answered or saved.
    """

    def __init__(self, failure: StoreUnavailableError, slots: Any) -> None:
        super().__init__(failure.sender_id, slots)
        self.failure = failure

    def update(self, event: Event, domain: Domain | None = None) -> None:
        raise self.failure


def _just_forgot(tracker: DialogueStateTracker) -> bool:
    """Whether the bot ran the forget action since the person's last message.

    Not simply the last action: Rasa runs `action_session_start` after the `Restarted` event
    that the forget action returns.
    """
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == FORGET_ACTION:
            return True
    return False


class UrlLockStore(LockStore):
    """The lock store `LOCK_STORE_URL` names: Redis for `redis://...`, else in memory.

    Rasa builds custom lock stores as `cls(endpoint_config=...)`; this class hands back one of
    the real lock stores rather than an instance of itself.
    """

    def __new__(cls, endpoint_config: EndpointConfig) -> LockStore:
        url = (endpoint_config.url or "").strip()
        if not url or url == "memory://":
            return InMemoryLockStore()
        parsed = sa.engine.make_url(url)
        if parsed.drivername not in ("redis", "rediss"):
            raise ValueError(f"LOCK_STORE_URL must start with redis:// (got {parsed.drivername})")
        logger.info("Lock store: Redis at %s:%s", parsed.host, parsed.port or 6379)
        return AtomicRedisLockStore(
            host=parsed.host or "localhost",
            port=parsed.port or 6379,
            db=int(parsed.database or 0),
            username=parsed.username,
            password=parsed.password,
            use_ssl=parsed.drivername == "rediss",
        )


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, with every change to a conversation's lock made atomically.

    Rasa reads a lock, changes it and writes it back as separate commands. Two processes (Sanic
    workers, or Rasa servers) taking a ticket for one conversation at the same moment can then
    both get the same ticket and handle two messages at once, and the later save of the
    conversation drops a turn; or one process deletes the lock another is waiting on. Here each
    change is a Redis transaction (WATCH, MULTI, EXEC), done again if the lock changed meanwhile.
    """

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give back a ticket; delete the lock if no one else holds one."""

        def give_back(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, give_back)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], tuple[TicketLock | None, T]],
    ) -> T:
        """Apply `change` to the stored lock (None: there is none / delete it) atomically."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock, result = change(
                        TicketLock.from_dict(json.loads(stored)) if stored else None
                    )
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:  # another process changed the lock: read it again
                    continue
