"""server.stores without servers: the SQL tracker store on a real SQLite file (forgetting, a
database that fails), and which lock store a LOCK_STORE_URL gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from server.privacy import hashed
from server.settings import ROOT
from server.stores import (
    AtomicRedisLockStore,
    StoreUnavailableError,
    UnreadableConversation,
    UrlLockStore,
    UrlSQLTrackerStore,
)

DOMAIN = Domain.load(ROOT / "domain.yml")


@pytest.fixture
def store(tmp_path: Path) -> UrlSQLTrackerStore:
    return UrlSQLTrackerStore(url=f"sqlite:///{tmp_path / 'conversations.db'}", domain=DOMAIN)


def conversation(sender: str, *texts: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    for text in texts:
        tracker.update(UserUttered(text, {"name": "inform_wbc_value"}))
        tracker.update(ActionExecuted("action_respond"))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def break_database(store: UrlSQLTrackerStore) -> None:
    with store.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE events"))


async def test_forget_action_deletes_that_conversation_only(store: UrlSQLTrackerStore) -> None:
    """The turn that ran action_forget_data deletes that conversation's rows, no other's."""
    alice, bob = conversation("alice", "my wbc is 3.2"), conversation("bob", "wbc 5")
    await store.save(alice)
    await store.save(bob)
    alice.update(UserUttered("forget my data", {"name": "forget_data"}))
    for event in (
        ActionExecuted("action_forget_data"),
        Restarted(),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ):
        alice.update(event)

    await store.save(alice)

    assert await store.retrieve("alice") is None
    bob_again = await store.retrieve("bob")
    assert bob_again is not None and len(bob_again.events) == len(bob.events)


async def test_unreadable_conversation_refuses_the_next_message(
    store: UrlSQLTrackerStore,
) -> None:
    """A failed read gives a stand-in that refuses the next message; the error hashes the sender."""
    await store.save(conversation("alice", "my wbc is 3.2"))
    break_database(store)

    tracker = await store.retrieve("alice")

    assert isinstance(tracker, UnreadableConversation)
    with pytest.raises(StoreUnavailableError) as raised:
        tracker.update(UserUttered("and I have a fever now"))
    assert hashed("alice") in str(raised.value) and "alice" not in str(raised.value)


async def test_failed_save_says_why_without_the_text(store: UrlSQLTrackerStore) -> None:
    """A failed save raises an error that says why without quoting what was typed."""
    break_database(store)

    with pytest.raises(StoreUnavailableError) as raised:
        await store.save(conversation("alice", "my secret wbc is 3.2"))

    assert "OperationalError" in str(raised.value)
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize("url", ["", "  ", "memory://"])
def test_no_lock_store_url_means_in_memory(url: str) -> None:
    """Without LOCK_STORE_URL (one process) the lock store is Rasa's in-memory one."""
    assert isinstance(UrlLockStore(EndpointConfig(url=url)), InMemoryLockStore)


def test_redis_url_gives_the_atomic_redis_lock_store() -> None:
    """Host, port, database number, user and password all come from the one URL."""
    store = UrlLockStore(EndpointConfig(url="redis://bot:s3cret@redis.internal:6380/2"))
    assert isinstance(store, AtomicRedisLockStore)
    connection = store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"]) == ("redis.internal", 6380, 2)
    assert (connection["username"], connection["password"]) == ("bot", "s3cret")


def test_other_lock_store_url_is_refused() -> None:
    """A URL that is not Redis is a configuration mistake, reported at start-up."""
    with pytest.raises(ValueError, match="redis://"):
        UrlLockStore(EndpointConfig(url="postgresql://db/locks"))
