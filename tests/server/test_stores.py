"""The stores without servers: the tracker store and the lock store of endpoints.yml.

The SQL tracker store (server/tracker_store.py) on a real SQLite file: forgetting, a database
that fails, the cache of conversations that reads only new events; and which lock store a
LOCK_STORE_URL gives (server/lock_store.py).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    EntitiesAdded,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from server import purge, rasa_tuning
from server.lock_store import AtomicRedisLockStore, UrlLockStore
from server.privacy import hashed
from server.settings import ROOT, SettingError
from server.tracker_store import StoreUnavailableError, UnreadableConversation, UrlSQLTrackerStore

DOMAIN = Domain.load(ROOT / "domain.yml")


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'conversations.db'}"


@pytest.fixture
def store(url: str) -> UrlSQLTrackerStore:
    return UrlSQLTrackerStore(url=url, domain=DOMAIN)


@pytest.fixture
def other(url: str) -> UrlSQLTrackerStore:
    """A second Rasa server on the same database, with its own cache."""
    return UrlSQLTrackerStore(url=url, domain=DOMAIN)


@pytest.fixture
def rasa_store(url: str) -> SQLTrackerStore:
    """Rasa's own SQLTrackerStore on the same database: what every answer must equal."""
    database = sa.engine.make_url(url).database
    assert database is not None
    return SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=database)


def conversation(sender: str, *texts: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    for text in texts:
        turn(tracker, text)
    return tracker


def turn(tracker: DialogueStateTracker, text: str, **slots: Any) -> DialogueStateTracker:
    """One user message as the bot stores it: the message, the reply, changed slots."""
    tracker.update(UserUttered(text, {"name": "inform_wbc_value"}))
    tracker.update(ActionExecuted("action_respond"))
    tracker.update(BotUttered(f"you said {text}"))
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    tracker.update(ActionExecuted("action_listen"))
    return tracker


def new_session(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """What Rasa adds when a session expired: session start, carried-over slots, listen."""
    carried = {name: slot.value for name, slot in tracker.slots.items() if slot.value}
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    for name, value in carried.items():  # after the start: Rasa keeps the start's later events
        tracker.update(SlotSet(name, value))
    tracker.update(ActionExecuted("action_listen"))
    return tracker


def dump(tracker: DialogueStateTracker | None) -> Any:
    """Everything a caller can see of a tracker: its events and its state."""
    if tracker is None:
        return None
    state = tracker.current_state()
    events = [e.as_dict() for e in tracker.events]
    # A deep copy: as_dict() hands out the events' own values, which a test may then change.
    return copy.deepcopy((events, {k: v for k, v in state.items() if k != "events"}))


def stored_rows(url: str, sender: str) -> int:
    with sa.create_engine(url).connect() as connection:
        query = sa.text("SELECT count(*) FROM events WHERE sender_id = :s")
        return int(connection.execute(query, {"s": sender}).scalar_one())


@pytest.fixture
def database_reads(store: UrlSQLTrackerStore) -> Iterator[dict[str, int]]:
    """How many statements `store` runs and how many stored events it decodes (json.loads)."""
    counts = {"statements": 0, "decoded": 0}

    def count_statement(*_: Any) -> None:
        counts["statements"] += 1

    loads = json.loads

    def counting_loads(*args: Any, **kwargs: Any) -> Any:
        counts["decoded"] += 1
        return loads(*args, **kwargs)

    sa.event.listen(store.engine, "after_cursor_execute", count_statement)
    json.loads = counting_loads
    try:
        yield counts
    finally:
        json.loads = loads
        sa.event.remove(store.engine, "after_cursor_execute", count_statement)


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


# --- the cache of conversations ----------------------------------------------------------


async def test_a_turn_reads_only_the_rows_stored_since(
    store: UrlSQLTrackerStore, rasa_store: SQLTrackerStore, database_reads: dict[str, int]
) -> None:
    """After 60 messages, retrieving reads one statement and decodes only the new events."""
    await store.save(conversation("alice", *(f"message {n}" for n in range(60))))
    tracker = await store.retrieve("alice")
    assert tracker is not None and len(tracker.events) == 1 + 60 * 4
    turn(tracker, "one more", says_low_count=True)
    database_reads.update(statements=0, decoded=0)

    await store.save(tracker)
    assert database_reads["decoded"] == 0  # which events are new: counted from the cache
    database_reads.update(statements=0, decoded=0)
    again = await store.retrieve("alice")

    assert database_reads == {"statements": 1, "decoded": 5}
    assert dump(again) == dump(await rasa_store.retrieve("alice"))
    assert again is not None and again.get_slot("says_low_count") is True
    assert stored_rows(sqlite_url(store), "alice") == len(again.events)


async def test_stored_rows_are_the_rows_rasa_stores(
    store: UrlSQLTrackerStore, rasa_store: SQLTrackerStore, url: str
) -> None:
    """Our save (one INSERT, no ORM) writes every column as Rasa's own save does."""
    alice = turn(conversation("alice", "my wbc is 3.2"), "she is 3", age_years=3.0)
    events = list(alice.events)  # the same event objects, stored under two names
    bob = DialogueStateTracker.from_events("bob", events, DOMAIN.slots)
    await store.save(alice)
    await rasa_store.save(bob)

    def rows(sender: str) -> list[tuple[Any, ...]]:
        with sa.create_engine(url).connect() as connection:
            query = sa.text(
                "SELECT type_name, timestamp, intent_name, action_name, data FROM events"
                " WHERE sender_id = :s ORDER BY id"
            )
            return [tuple(row) for row in connection.execute(query, {"s": sender})]

    assert rows("alice") == rows("bob")
    assert len(rows("alice")) == len(events) == 10
    assert {"inform_wbc_value", None} == {row[2] for row in rows("alice")}


def sqlite_url(store: UrlSQLTrackerStore) -> str:
    return str(store.engine.url)


async def test_another_servers_events_are_read(
    store: UrlSQLTrackerStore, other: UrlSQLTrackerStore, rasa_store: SQLTrackerStore
) -> None:
    """Turns taken by another server are in the next retrieve; nothing is stored twice."""
    await store.save(conversation("alice", "my wbc is 3.2"))
    assert await store.retrieve("alice") is not None  # now cached here

    elsewhere = await other.retrieve("alice")
    assert elsewhere is not None
    await other.save(turn(elsewhere, "she is 3", age_years=3.0))
    here = await store.retrieve("alice")
    assert here is not None
    await store.save(turn(here, "and a fever"))

    expected = dump(await rasa_store.retrieve("alice"))
    assert dump(await store.retrieve("alice")) == dump(await other.retrieve("alice")) == expected
    assert expected[1]["slots"]["age_years"] == 3.0
    assert stored_rows(sqlite_url(store), "alice") == 1 + 3 * 4 + 1


async def test_forgetting_elsewhere_or_purging_is_noticed(
    store: UrlSQLTrackerStore, other: UrlSQLTrackerStore, url: str
) -> None:
    """A conversation deleted by another server or by `make purge` is not served from memory."""
    await store.save(conversation("alice", "my wbc is 3.2"))
    await store.save(conversation("bob", "wbc 5"))
    assert await store.retrieve("alice") is not None and await store.retrieve("bob") is not None

    other.delete("alice")
    assert purge.purge(url, retention_days=0, now=2e10) == 1  # bob, the only one left

    assert await store.retrieve("alice") is None
    assert await store.retrieve("bob") is None
    assert "alice" not in store.cache and "bob" not in store.cache


async def test_a_new_conversation_on_the_same_row_ids_is_read_again(
    store: UrlSQLTrackerStore, other: UrlSQLTrackerStore, rasa_store: SQLTrackerStore
) -> None:
    """SQLite gives a deleted row's id to the next row: same ids and count, other events."""
    await store.save(conversation("alice", "my wbc is 3.2"))
    assert await store.retrieve("alice") is not None
    other.delete("alice")
    await other.save(conversation("alice", "wbc 9"))  # the same 5 rows, ids 1 to 5 again

    again = await store.retrieve("alice")

    assert again is not None and again.latest_message is not None
    assert again.latest_message.text == "wbc 9"
    assert dump(again) == dump(await rasa_store.retrieve("alice"))


async def test_rows_missing_or_committed_late_are_noticed(
    store: UrlSQLTrackerStore, rasa_store: SQLTrackerStore, url: str
) -> None:
    """Rows missing or committed late are noticed, and the conversation is read again.

    A row deleted before the last one, or committed late with a lower id (PostgreSQL hands out ids
    before commit), changes the row count.
    """
    await store.save(conversation("alice", "my wbc is 3.2", "she is 3"))
    assert await store.retrieve("alice") is not None
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        row = connection.execute(sa.text("SELECT * FROM events WHERE id = 3")).mappings().one()
        connection.execute(sa.text("DELETE FROM events WHERE id = 3"))

    assert dump(await store.retrieve("alice")) == dump(await rasa_store.retrieve("alice"))

    with engine.begin() as connection:
        names = list(row)
        columns, values = ", ".join(names), ", ".join(f":{name}" for name in names)
        connection.execute(sa.text(f"INSERT INTO events ({columns}) VALUES ({values})"), row)
    again = await store.retrieve("alice")
    assert dump(again) == dump(await rasa_store.retrieve("alice"))
    assert again is not None and len(again.events) == 1 + 2 * 4


async def test_forgetting_here_drops_the_cached_copy(store: UrlSQLTrackerStore) -> None:
    """The turn that ran the forget action deletes the rows and the cached conversation."""
    await store.save(conversation("alice", "my wbc is 3.2"))
    tracker = await store.retrieve("alice")
    assert tracker is not None and "alice" in store.cache
    tracker.update(UserUttered("forget my data", {"name": "forget_data"}))
    tracker.update(ActionExecuted("action_forget_data"))
    tracker.update(Restarted())

    await store.save(tracker)

    assert "alice" not in store.cache
    assert await store.retrieve("alice") is None


async def test_memory_holds_at_most_the_cache_size(url: str) -> None:
    """The least recently used conversation leaves first; it is still read from the database."""
    store = UrlSQLTrackerStore(url=url, domain=DOMAIN, cache_size=2)
    for sender in ("alice", "bob", "carol"):
        await store.save(conversation(sender, f"I am {sender}"))
        await store.retrieve(sender)
    await store.retrieve("bob")
    await store.retrieve("dave")  # not stored: not cached

    assert len(store.cache) == 2 and "alice" not in store.cache
    assert "bob" in store.cache and "carol" in store.cache
    alice = await store.retrieve("alice")
    assert alice is not None and alice.latest_message is not None
    assert alice.latest_message.text == "I am alice"
    assert "carol" not in store.cache


async def test_cache_size_zero_is_rasas_own_store(url: str, rasa_store: SQLTrackerStore) -> None:
    """TRACKER_CACHE_SIZE=0: nothing is kept; every retrieve reads the conversation."""
    store = UrlSQLTrackerStore(url=url, domain=DOMAIN, cache_size="0")
    tracker = conversation("alice", "my wbc is 3.2")
    await store.save(tracker)
    await store.save(turn(tracker, "she is 3"))

    assert len(store.cache) == 0
    assert dump(await store.retrieve("alice")) == dump(await rasa_store.retrieve("alice"))
    assert len(store.cache) == 0


@pytest.mark.parametrize("value", ["-1", "many", "1.5"])
def test_a_wrong_cache_size_names_the_setting(url: str, value: str) -> None:
    with pytest.raises(SettingError, match="TRACKER_CACHE_SIZE"):
        UrlSQLTrackerStore(url=url, domain=DOMAIN, cache_size=value)


def test_cache_size_comes_from_the_environment(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "7")
    assert UrlSQLTrackerStore(url=url, domain=DOMAIN).cache.size == 7
    monkeypatch.delenv("TRACKER_CACHE_SIZE")
    assert UrlSQLTrackerStore(url=url, domain=DOMAIN).cache.size == 1000


async def test_changing_a_returned_tracker_leaves_the_cache_alone(
    store: UrlSQLTrackerStore, rasa_store: SQLTrackerStore
) -> None:
    """A turn that changes the tracker and fails before saving changes nothing for the next."""
    tracker = conversation("alice", "my wbc is 3.2")
    tracker.update(SlotSet("red_flags", ["fever"]))
    await store.save(turn(tracker, "she is 3", age_years=3.0))
    before = dump(await store.retrieve("alice"))
    assert before == dump(await rasa_store.retrieve("alice"))

    changed = await store.retrieve("alice")
    assert changed is not None and changed.latest_message is not None
    changed.latest_message.entities.append({"entity": "wbc_value", "value": "9"})
    changed.latest_message.parse_data["intent"]["name"] = "greet"
    changed.slots["red_flags"].value.append("stiff neck")
    changed.slots["age_years"].value = 40.0
    changed.update(EntitiesAdded([{"entity": "anc_value", "value": "800"}]))
    changed.update(UserUttered("a new message"))
    changed.update(Restarted())
    changed.events.popleft()

    assert dump(await store.retrieve("alice")) == before


async def test_only_the_current_session_is_returned_as_rasa_does(
    store: UrlSQLTrackerStore, other: UrlSQLTrackerStore, rasa_store: SQLTrackerStore
) -> None:
    """A new session (here or on another server): retrieve returns it alone, slots carried."""
    tracker = conversation("alice", "my wbc is 3.2")
    await store.save(turn(tracker, "she is 3", age_years=3.0))
    cached = await store.retrieve("alice")
    assert cached is not None
    await store.save(turn(new_session(cached), "what causes it?"))
    elsewhere = await other.retrieve("alice")
    assert elsewhere is not None
    await other.save(turn(new_session(elsewhere), "thanks"))

    for server in (store, other):
        current = await server.retrieve("alice")
        assert dump(current) == dump(await rasa_store.retrieve("alice"))
        assert current is not None and current.get_slot("age_years") == 3.0
        assert isinstance(current.events[0], SessionStarted)
        full = await server.retrieve_full_tracker("alice")
        assert full is not None and len(full.events) == stored_rows(sqlite_url(store), "alice")


async def test_a_new_model_drops_the_cache(store: UrlSQLTrackerStore) -> None:
    """Trackers carry the domain's slots: a new domain (a new model) empties the cache."""
    await store.save(conversation("alice", "my wbc is 3.2"))
    await store.retrieve("alice")
    store.domain = DOMAIN
    assert len(store.cache) == 0


@pytest.mark.slow  # 300 random turns against two stores and Rasa's: seconds
async def test_random_turns_on_two_servers_equal_rasas_store(
    store: UrlSQLTrackerStore,
    other: UrlSQLTrackerStore,
    rasa_store: SQLTrackerStore,
    url: str,
) -> None:
    """Random turns on two servers give what Rasa's own store would give.

    Random turns, sessions, forgetting and purging across two servers: every retrieve and every
    stored row is what Rasa's own store would give.
    """
    chance = random.Random(15)
    senders = ["alice", "bob", "carol"]
    texts = ["my wbc is 3.2", "she is 3", "K/uL", "thanks", "what causes it?"]
    for step in range(300):
        server = chance.choice([store, other])
        sender = chance.choice(senders)
        action = chance.random()
        if action < 0.03:
            server.delete(sender)
        elif action < 0.05:
            purge.purge(url, retention_days=0, now=2e10)
        else:
            tracker = await server.retrieve(sender) or conversation(sender)
            if action < 0.12:
                new_session(tracker)
            for _ in range(chance.randint(1, 3)):
                slots = {"age_years": float(step)} if chance.random() < 0.5 else {}
                turn(tracker, chance.choice(texts), **slots)
            stored = await rasa_store.retrieve(sender)  # Rasa saves the events after these
            rows_before = stored_rows(url, sender)
            await server.save(tracker)
            added = len(tracker.events) - (len(stored.events) if stored else 0)
            assert stored_rows(url, sender) - rows_before == added
        for check in (store, other):
            assert dump(await check.retrieve(sender)) == dump(await rasa_store.retrieve(sender))


async def test_a_retrieved_conversation_knows_its_applied_events(
    store: UrlSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retrieved conversation knows its applied events, and they are Rasa's.

    With the Rasa tuning on, a copy starts from the cached applied events, not from every event
    again.
    """
    rasas = DialogueStateTracker.applied_events
    if "applied_events" not in rasa_tuning.RASAS:
        monkeypatch.setitem(rasa_tuning.RASAS, "applied_events", rasas)
    tracker = conversation("alice", *(f"message {n}" for n in range(20)))
    await store.save(tracker)
    assert await store.retrieve("alice") is not None
    await store.save(turn(tracker, "one more"))

    again = await store.retrieve("alice")

    assert again is not None and "_applied" in again.__dict__
    assert rasa_tuning.applied_events(again) == rasa_tuning.RASAS["applied_events"](again)
    assert again.__dict__["_applied"].count == len(again.events)


async def test_the_sqlite_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQLite file is 0600 and a directory the store makes is 0700, whatever the umask.

    Conversations are health data; the file was once created world-readable.
    """
    import os
    import stat

    old_umask = os.umask(0o022)
    try:
        made = tmp_path / "new" / "deeper" / "conversations.db"
        store = UrlSQLTrackerStore(url=f"sqlite:///{made}", domain=DOMAIN)
        await store.save(conversation("private-file", "my wbc is 3.2"))
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
        assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
        existing = tmp_path / "existing.db"
        existing.write_bytes(b"")
        existing.chmod(0o644)
        UrlSQLTrackerStore(url=f"sqlite:///{existing}", domain=DOMAIN)
        assert stat.S_IMODE(existing.stat().st_mode) == 0o600
        monkeypatch.chdir(tmp_path)  # the default file, var/conversations.db, and var/
        (tmp_path / "var").mkdir(mode=0o755)
        UrlSQLTrackerStore(domain=DOMAIN)
        assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "var" / "conversations.db").stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)
