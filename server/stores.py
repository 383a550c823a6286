"""Rasa's own SQL tracker store and lock stores, configured by one URL each.

endpoints.yml names these classes, so `TRACKER_STORE_URL` (an SQLAlchemy URL: SQLite by
default, `postgresql://...` in production) and `LOCK_STORE_URL` (`redis://...`, or empty for
the in-memory lock store) are all it takes to move between the embedded default and real
servers. The tracker store also deletes a conversation when the person asks us to forget it.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from server.privacy import hashed

logger = logging.getLogger(__name__)

FORGET_ACTION = "action_forget_data"


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
            engine_url, pool_pre_ping=True, **create_engine_kwargs(engine_url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        logger.info("Tracker store: %s database", parsed.get_backend_name())

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events; after "forget my data", delete the conversation instead."""
        if _just_forgot(tracker):
            self.delete(tracker.sender_id)
            return
        await super().save(tracker)

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


def _just_forgot(tracker: DialogueStateTracker) -> bool:
    """Whether the last action the bot ran in this turn was the forget action."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            return event.action_name == FORGET_ACTION
    return False


class UrlLockStore(LockStore):
    """The lock store `LOCK_STORE_URL` names: Redis for `redis://...`, else in memory.

    Rasa builds custom lock stores as `cls(endpoint_config=...)`; this class hands back one of
    Rasa's own lock stores rather than an instance of itself.
    """

    def __new__(cls, endpoint_config: EndpointConfig) -> LockStore:
        url = (endpoint_config.url or "").strip()
        if not url or url == "memory://":
            return InMemoryLockStore()
        parsed = sa.engine.make_url(url)
        if parsed.drivername not in ("redis", "rediss"):
            raise ValueError(f"LOCK_STORE_URL must start with redis:// (got {parsed.drivername})")
        logger.info("Lock store: Redis at %s:%s", parsed.host, parsed.port or 6379)
        return RedisLockStore(
            host=parsed.host or "localhost",
            port=parsed.port or 6379,
            db=int(parsed.database or 0),
            password=parsed.password,
            use_ssl=parsed.drivername == "rediss",
        )
