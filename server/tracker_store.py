"""The tracker store: conversations in the SQL database one URL names, read and kept safely.

endpoints.yml names `UrlSQLTrackerStore`, so `TRACKER_STORE_URL` (SQLite by default,
`postgresql://...` in production) is all it takes to move from the embedded default to a real
server. It is Rasa's SQLTrackerStore, changed where health data needs it: "forget my data"
deletes the conversation and its votes; a database that is down makes the turn fail with the
trouble reply instead of starting the conversation afresh without its red flags; a conversation
that cannot be read as stored is read event by event and the person told what may be lost; and
the conversations served last stay in memory so that a turn reads only the new rows.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, ensure_schema_exists
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from server import notices, settings, votes
from server.privacy import hashed
from server.rasa_tuning import copy_state, remember_applied_events

logger = logging.getLogger(__name__)

FORGET_ACTION = "action_forget_data"
# On a tracker read in part (`_salvage`): how many stored rows of its session it does not hold.
UNREAD_ROWS = "_wbc_unread_rows"
MAX_METADATA_VALUE_CHARS = 200
DEFAULT_SQLITE_FILE = "var/conversations.db"  # relative to the working directory, the repo
POSTGRES_CONNECT_TIMEOUT = 3  # seconds; a URL's own ?connect_timeout= takes precedence


class UrlSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore from one SQLAlchemy URL, which forgets a conversation on request.

    It keeps the conversations it served last in memory (`TrackerCache`) and reads only the
    rows stored since, so a turn costs the same late in a conversation as early; rows another
    server stored are read like its own, and a conversation deleted meanwhile is read again.
    """

    def __init__(
        self,
        host: str | None = None,
        url: str | None = None,
        cache_size: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        """The store of `url` (or `host`; SQLite's var/conversations.db when neither is given).

        `cache_size` is how many conversations stay in memory (0: none), by default
        TRACKER_CACHE_SIZE; the other arguments are SQLTrackerStore's.
        """
        self.cache = TrackerCache(_cache_size(cache_size, os.environ))
        parsed = sa.engine.make_url(url or host or f"sqlite:///{DEFAULT_SQLITE_FILE}")
        private_sqlite_file(parsed)
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
        self.statements = Statements(self.SQLEvent.__table__)
        votes.create_table(self.engine)  # votes on answers, beside the events
        logger.info(
            "Tracker store: %s database, %d conversations kept in memory",
            parsed.get_backend_name(),
            self.cache.size,
        )

    @property
    def domain(self) -> Domain:
        """The model's domain, whose slots a tracker read from the database has."""
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        """A new model's domain: trackers built with the old one's slots are dropped."""
        self._domain = domain or Domain.empty()
        self.cache.clear()

    @contextlib.contextmanager
    def session_scope(self) -> Generator[Any, None, None]:
        """Rasa's session scope, but a ValueError raised while the session is in use stays one.

        Such an error is an event that cannot be read (bad JSON, an unknown event name); Rasa's
        scope takes any ValueError for a missing PostgreSQL schema and exits the process.
        """
        session = self.sessionmaker()
        try:
            ensure_schema_exists(session)
        except ValueError:
            session.close()
            with super().session_scope():  # checks it again: Rasa's message, and its exit
                pass
            raise
        try:
            yield session
        finally:
            session.close()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's current session; an unusable stand-in if the database fails.

        Rasa's FailSafeTrackerStore would answer a failed read as if the conversation had just
        begun, without what the person said before (a fever after a low count would not be an
        emergency). The stand-in, `UnreadableConversation`, makes the turn fail instead, and the
        channel's guard sends the short trouble reply. A conversation the database returns but
        that cannot be read as stored is read again event by event (`_salvage`).
        """
        try:
            if not self.cache.size:
                tracker = await super().retrieve(sender_id)
                return None if tracker is None else copy_state(tracker)  # can it be copied?
            with self.session_scope() as session, self.cache.lock:
                entry = self._synced(session, sender_id)
                return None if entry is None else copy_state(entry.tracker)
        except sa.exc.SQLAlchemyError as error:
            self.cache.drop(sender_id)
            failure = StoreUnavailableError("read", sender_id, error)
            logger.error("Tracker store unavailable: %s", failure)
            return UnreadableConversation(failure, self.domain.slots)
        except Exception as error:  # noqa: BLE001 - stored, but not readable as it is
            self.cache.drop(sender_id)
            return self._salvage(sender_id, error)

    def _salvage(self, sender_id: str, error: Exception) -> DialogueStateTracker:
        """The conversation read again event by event, keeping what can be read.

        For a conversation stored but not readable as it is (an event Rasa cannot read, a value
        that breaks copying), instead of starting it afresh without its count and treatment:
        see `salvaged_tracker`. The log gets one line, not a traceback, and if anything was left
        out the person is told before the reply (server/notices.py). Nothing stored is changed.
        An unusable stand-in if the database fails meanwhile.
        """
        try:
            with self.session_scope() as session, self.cache.lock:
                entry = self._load(session, sender_id, salvage=True)
        except sa.exc.SQLAlchemyError as db_error:
            failure = StoreUnavailableError("read", sender_id, db_error)
            logger.error("Tracker store unavailable: %s", failure)
            return UnreadableConversation(failure, self.domain.slots)
        if entry is None:  # deleted meanwhile
            return DialogueStateTracker(sender_id, self.domain.slots)
        unread = entry.tracker.__dict__.get(UNREAD_ROWS, 0)
        logger.error(
            "Conversation %s could not be read as stored (%s): continued with %d of its %d "
            "events%s",
            hashed(sender_id),
            type(error).__name__,
            entry.session_rows - unread,
            entry.session_rows,
            "; the person is told" if unread else "",
        )
        if unread:
            notices.unreadable_conversation(sender_id)
        self.cache.put(sender_id, entry)
        return copy_state(entry.tracker)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events; after "forget my data", delete the conversation instead."""
        try:
            if _just_forgot(tracker):
                self.delete(tracker.sender_id)
            elif not self.cache.size:
                await super().save(tracker)
            else:
                await self.stream_events(tracker)
                self._insert_new_events(tracker)
        except sa.exc.SQLAlchemyError as error:
            self.cache.drop(tracker.sender_id)
            # Re-raised without the SQL error's text, which quotes the events (what was typed).
            raise StoreUnavailableError("save", tracker.sender_id, error) from None

    def _insert_new_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save (the same rows), as one INSERT of all new rows built once, not the ORM."""
        with self.session_scope() as session:
            rows = [
                _event_row(tracker.sender_id, event)
                for event in self._additional_events(session, tracker)
            ]
            if rows:
                session.execute(self.statements.insert, rows)
            session.commit()

    def delete(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; returns how many there were."""
        self.cache.drop(sender_id)
        notices.forget(sender_id)
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.execute(votes.forget_statement(sender_id))  # the person's votes go too
            session.commit()
        self.cache.drop(sender_id)
        logger.info("Deleted conversation %s (%d events) on request", hashed(sender_id), deleted)
        return int(deleted)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events after the ones stored in the current session, as Rasa counts.

        They are counted from the cached copy brought up to date instead of by a COUNT query.
        """
        if not self.cache.size:
            stored = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
        else:
            with self.cache.lock:
                entry = self._synced(session, tracker.sender_id)
                stored = 0 if entry is None else entry.session_rows
        # A tracker read in part (`_salvage`) holds fewer events than there are stored rows.
        stored = max(0, stored - tracker.__dict__.get(UNREAD_ROWS, 0))
        return itertools.islice(tracker.events, stored, len(tracker.events))

    # --- the cache --------------------------------------------------------------------------

    def _synced(self, session: Any, sender_id: str) -> CachedConversation | None:
        """The cached conversation with every event stored since added (None: none stored).

        Reads the rows after the last one cached, with the row count: if the last cached row
        is gone or has changed, or rows went missing, or a new session started, the
        conversation's current session is read in full, as Rasa does.
        """
        entry = self.cache.get(sender_id)
        try:
            if entry is not None:
                rows = session.execute(
                    self.statements.newer_rows, {"sender_id": sender_id, "last_id": entry.last_id}
                ).all()
                if entry.extend(rows):
                    remember_applied_events(entry.tracker)
                    return entry
                self.cache.drop(sender_id)
                logger.debug("Conversation %s changed elsewhere: read again", hashed(sender_id))
            entry = self._load(session, sender_id)
        except BaseException:
            self.cache.drop(sender_id)
            raise
        if entry is not None:
            self.cache.put(sender_id, entry)
            remember_applied_events(entry.tracker)  # copies start from it, not from scratch
        return entry

    def _load(
        self, session: Any, sender_id: str, salvage: bool = False
    ) -> CachedConversation | None:
        """The conversation's current session read in full (Rasa's query), as a cache entry.

        With `salvage`, as much of it as can be read (`salvaged_tracker`).
        """
        last = session.execute(self.statements.last_row, {"sender_id": sender_id}).first()
        if last is None:
            return None
        rows = session.execute(
            self.statements.session_rows, {"sender_id": sender_id, "last_id": last.id}
        ).all()
        if not rows:  # deleted meanwhile
            return None
        if salvage:
            tracker = salvaged_tracker(sender_id, [row.data for row in rows], self.domain)
        else:
            tracker = DialogueStateTracker.from_dict(
                sender_id, [json.loads(row.data) for row in rows], self.domain.slots
            )
        return CachedConversation(
            tracker=tracker,
            last_id=last.id,
            last_timestamp=last.timestamp,
            rows=last.rows,
            session_rows=len(rows),
            session_start=rows[0].started,
        )


def salvaged_tracker(sender_id: str, rows: Sequence[str], domain: Domain) -> DialogueStateTracker:
    """A tracker of the stored events (JSON texts) that can be read.

    Each event's metadata is reduced to flat values, and events that still cannot be read or
    applied are left out. If that tracker cannot be copied either, a tracker of only the slot
    values that can be. Marked with how many stored rows it does not hold (UNREAD_ROWS), so
    that saving it stores only its new events.
    """
    tracker = DialogueStateTracker(sender_id, domain.slots)
    for data in rows:
        try:
            event = _readable_event(data)
            if event is not None:
                tracker.update(event)
        except Exception:  # noqa: BLE001 - left out, counted below
            continue
    try:
        copy_state(tracker)
    except Exception:  # noqa: BLE001 - even so not usable: keep the slots that can be read
        tracker = _slots_only(tracker, domain)
    tracker.__dict__[UNREAD_ROWS] = len(rows) - len(tracker.events)
    return tracker


def _readable_event(data: str) -> Event | None:
    parsed = json.loads(data)
    if not isinstance(parsed, dict):
        return None
    for holder in (parsed, parsed.get("parse_data")):  # a message keeps it in both
        if isinstance(holder, dict) and "metadata" in holder:
            holder["metadata"] = _flat_metadata(holder["metadata"])
    events = deserialise_events([parsed])
    return events[0] if events else None


def _flat_metadata(metadata: Any) -> dict[str, Any]:
    """The entries of stored metadata whose values are short strings, numbers or booleans."""
    if not isinstance(metadata, dict):
        return {}
    return {
        str(key): value
        for key, value in metadata.items()
        if isinstance(value, (bool, int, float))
        or (isinstance(value, str) and len(value) <= MAX_METADATA_VALUE_CHARS)
    }


def _slots_only(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    """A new tracker with the slot values of `tracker` that survive a JSON round trip."""
    kept = DialogueStateTracker(tracker.sender_id, domain.slots)
    for name, slot in tracker.slots.items():
        try:
            value = json.loads(json.dumps(slot.value))
        except (TypeError, ValueError, RecursionError):
            continue
        if value is not None:
            kept.update(SlotSet(name, value))
    return kept


class Statements:
    """The store's SQL, built once with bound parameters.

    SQLAlchemy then neither builds a statement nor works out its cache key again for every
    turn (a fifth of the store's time).

    - `newer_rows` (sender_id, last_id): the last cached row (without its data) and every
      later one, each with the count of the conversation's rows, in one statement so that
      both describe the same moment;
    - `last_row` (sender_id): the conversation's last row and its count of rows;
    - `session_rows` (sender_id, last_id): Rasa's query, the rows of the current session (from
      the latest SessionStarted's timestamp on, every row if none) up to `last_id`, each with
      that start;
    - `insert`: one stored event (the columns of `_event_row`).
    """

    def __init__(self, table: sa.Table) -> None:
        """The statements on `table`, the tracker store's table of events."""
        event = table.c
        sender = event.sender_id == sa.bindparam("sender_id")
        last_id = sa.bindparam("last_id")
        up_to_last = event.id <= last_id
        count = sa.select(sa.func.count()).select_from(table).where(sender).scalar_subquery()
        self.newer_rows = (
            sa.select(
                event.id,
                event.timestamp,
                event.type_name,
                sa.case((event.id > last_id, event.data), else_=sa.null()).label("data"),
                count.label("rows"),
            )
            .where(sender, event.id >= last_id)
            .order_by(event.id)
        )
        self.last_row = (
            sa.select(event.id, event.timestamp, sa.func.count().over().label("rows"))
            .where(sender)
            .order_by(event.id.desc())
            .limit(1)
        )
        started = (
            sa.select(sa.func.max(event.timestamp))
            .where(sender, event.type_name == SessionStarted.type_name, up_to_last)
            .scalar_subquery()
        )
        self.session_rows = (
            sa.select(event.data, started.label("started"))
            .where(sender, up_to_last, sa.or_(event.timestamp >= started, started.is_(None)))
            .order_by(event.id)
        )
        self.insert = sa.insert(table)


def _event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The row Rasa's SQLTrackerStore.save stores for one event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


@dataclass
class CachedConversation:
    """One conversation's current session as stored, and where its stored rows end.

    `tracker` is never handed out (callers get a copy); `session_rows` is how many stored rows
    Rasa counts in the current session when it decides which events of a tracker are new.
    """

    tracker: DialogueStateTracker
    last_id: int  # the highest row id of the conversation (every session)
    last_timestamp: float | None  # that row's: SQLite may give a deleted row's id to a new one
    rows: int  # rows of the conversation, every session
    session_rows: int
    session_start: float | None  # Rasa's: the latest SessionStarted timestamp

    def extend(self, rows: Sequence[Any]) -> bool:
        """Add the rows after the last cached one; False if the cache cannot be extended.

        `rows` starts with the last cached row. It cannot be extended when that row is gone or
        is another one, when rows are missing (fewer than counted: deleted, or committed late
        with a lower id) or when a later session started (Rasa then returns only the rows from
        the new session's start, which may include earlier ones if clocks differ).
        """
        if not rows or rows[0].id != self.last_id or rows[0].timestamp != self.last_timestamp:
            return False
        new = rows[1:]
        if rows[0].rows != self.rows + len(new):
            return False
        if any(self._starts_session(row) for row in new):
            return False
        for row in new:
            if self._in_session(row.timestamp):
                self.session_rows += 1
                for event in deserialise_events([json.loads(row.data)]):
                    self.tracker.update(event)
        if new:
            self.last_id, self.last_timestamp = new[-1].id, new[-1].timestamp
            self.rows += len(new)
        return True

    def _starts_session(self, row: Any) -> bool:
        return (
            row.type_name == SessionStarted.type_name
            and row.timestamp is not None
            and (self.session_start is None or row.timestamp > self.session_start)
        )

    def _in_session(self, timestamp: float | None) -> bool:
        """Rasa's filter: at or after the session start, everything without one."""
        if self.session_start is None:
            return True
        return timestamp is not None and timestamp >= self.session_start


class TrackerCache:
    """The most recently used conversations (at most `size`; 0: no cache), as an LRU.

    Used under `lock` (one Sanic worker is one thread, but the store may be called from others).
    """

    def __init__(self, size: int) -> None:
        """An empty cache for at most `size` conversations."""
        self.size = size
        self.lock = threading.RLock()
        self._entries: OrderedDict[str, CachedConversation] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, sender_id: object) -> bool:
        return sender_id in self._entries

    def get(self, sender_id: str) -> CachedConversation | None:
        """The cached conversation (now the most recently used), or None."""
        with self.lock:
            entry = self._entries.get(sender_id)
            if entry is not None:
                self._entries.move_to_end(sender_id)
            return entry

    def put(self, sender_id: str, entry: CachedConversation) -> None:
        """Keep `entry`, dropping the least recently used beyond `size` (none kept if 0)."""
        if not self.size:
            return
        with self.lock:
            self._entries[sender_id] = entry
            self._entries.move_to_end(sender_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def drop(self, sender_id: str) -> None:
        """Forget the conversation, if it is cached."""
        with self.lock:
            self._entries.pop(sender_id, None)

    def clear(self) -> None:
        """Forget every conversation."""
        with self.lock:
            self._entries.clear()


def _cache_size(value: int | str | None, environ: Mapping[str, str]) -> int:
    """The cache size given to the store, else TRACKER_CACHE_SIZE from the environment."""
    if value is None or str(value).strip() == "":
        value = settings.resolve(environ)["TRACKER_CACHE_SIZE"]
    try:
        size = int(str(value).strip())
    except ValueError:
        raise settings.SettingError("TRACKER_CACHE_SIZE", str(value)) from None
    if size < 0:
        raise settings.SettingError("TRACKER_CACHE_SIZE", str(value))
    return size


def private_sqlite_file(url: Any) -> None:
    """Make an SQLite store's file private before SQLite creates it.

    The file is readable by this user only (0600), in a directory only this user can enter
    (0700): conversations are health data, and the default umask would make both readable by
    every user of the machine. SQLite gives its journal files the database file's permissions.
    """
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    if not path.parent.exists() or url.database == DEFAULT_SQLITE_FILE:
        # A directory named in TRACKER_STORE_URL that exists is left as it is (it may be /tmp)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.chmod(0o700)  # mkdir's mode is cut by the umask
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    path.chmod(0o600)  # a file made earlier, or with another umask


def _engine_kwargs(url: Any) -> dict[str, Any]:
    """Rasa's engine settings, with a connect timeout for PostgreSQL and a pool for SQLite.

    PostgreSQL's default is to wait forever. For an SQLite file SQLAlchemy 1.4 opens and closes
    a connection for every session, several per turn: about a fifth of the Rasa server's CPU per
    message.
    """
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
        """`doing` ("read" or "save") failed for `sender_id` with the database's `error`."""
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
        """A stand-in for the conversation `failure` could not read, with the domain's slots."""
        super().__init__(failure.sender_id, slots)
        self.failure = failure

    def update(self, event: Event, domain: Domain | None = None) -> None:
        """Refuse the event: raises the StoreUnavailableError of the failed read."""
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
