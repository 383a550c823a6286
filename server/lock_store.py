"""The lock store: one lock per conversation, in memory or in Redis as one URL says.

endpoints.yml names `UrlLockStore`, so `LOCK_STORE_URL` (`redis://...`, or empty for the
in-memory lock store of a single process) chooses it. With Redis the lock store is Rasa's own,
with each change to a lock made atomically, so that several processes can serve one
conversation without two of them handling its messages at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TypeVar

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
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")


class UrlLockStore(LockStore):
    """The lock store `LOCK_STORE_URL` names: Redis for `redis://...`, else in memory.

    Rasa builds custom lock stores as `cls(endpoint_config=...)`; this class hands back one of
    the real lock stores rather than an instance of itself.
    """

    def __new__(cls, endpoint_config: EndpointConfig) -> LockStore:
        """The lock store for `endpoint_config.url`; a URL other than redis:// is refused."""
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
        """A new ticket on the conversation's lock, made if there is none; LockError on failure."""

        def take(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop the expired tickets of the conversation's lock."""

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
