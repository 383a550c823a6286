"""`make purge` (`python -m server purge`): delete conversations idle for RETENTION_DAYS.

A conversation is idle since its latest event: the newest `timestamp` (Unix seconds) among its
rows in the `events` table of Rasa's SQLTrackerStore, at TRACKER_STORE_URL. Conversations idle
longer than RETENTION_DAYS (default 30) are deleted, every event of them, with their votes on
answers (server/votes.py); so is every vote made on a day before the cutoff. The counts are
printed.
Meant for cron, e.g. every night at 03:00:

    0 3 * * *  cd /srv/wbc-bot && make purge >> var/log/purge.log 2>&1
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from server import settings
from server.votes import purge_votes

SECONDS_PER_DAY = 86_400.0
EVENTS = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))


@dataclass(frozen=True)
class Purged:
    """What one purge deleted."""

    conversations: int
    votes: int


def purge(url: str, retention_days: float, now: float | None = None) -> int:
    """Delete the conversations whose latest event is older than `retention_days`; how many."""
    return purge_all(url, retention_days, now).conversations


def purge_all(url: str, retention_days: float, now: float | None = None) -> Purged:
    """Delete the conversations idle longer than `retention_days`, with their votes.

    Also every vote made on a day before the cutoff's (server/votes.py).
    """
    cutoff = (time.time() if now is None else now) - retention_days * SECONDS_PER_DAY
    engine_url = sa.engine.make_url(url)
    if _missing_sqlite_file(engine_url):
        return Purged(0, 0)  # nothing stored yet; do not create the file
    engine = sa.create_engine(engine_url)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return Purged(0, 0)
            idle = (
                sa.select(EVENTS.c.sender_id)
                .group_by(EVENTS.c.sender_id)
                .having(sa.func.max(EVENTS.c.timestamp) < cutoff)
            )
            senders = connection.execute(idle).scalars().all()
            for chunk in _chunks(senders, 500):  # keep each statement's parameter list short
                connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk)))
            cutoff_day = datetime.fromtimestamp(cutoff, timezone.utc).date()
            return Purged(len(senders), purge_votes(connection, senders, cutoff_day))
    finally:
        engine.dispose()


def _missing_sqlite_file(url: sa.engine.URL) -> bool:
    database = url.database or ""
    in_memory = database in ("", ":memory:")
    return url.get_backend_name() == "sqlite" and not in_memory and not Path(database).exists()


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def main(environ: Mapping[str, str]) -> int:
    """Purge the store the settings name and say what was done; 0 on success, as cron expects."""
    values = settings.resolve(environ)
    try:
        days = settings.number(values, "RETENTION_DAYS")
    except settings.SettingError as error:
        print(f"purge: {error}", file=sys.stderr)
        return 2
    if days < 0:
        print(f"purge: RETENTION_DAYS={values['RETENTION_DAYS']} is negative", file=sys.stderr)
        return 2
    url = values["TRACKER_STORE_URL"]
    try:
        purged = purge_all(url, days)
    except sa.exc.SQLAlchemyError as error:
        shown = sa.engine.make_url(url).render_as_string(hide_password=True)
        print(f"purge: could not purge {shown}: {type(error).__name__}", file=sys.stderr)
        return 1
    cutoff = datetime.fromtimestamp(time.time() - days * SECONDS_PER_DAY, timezone.utc)
    deleted = purged.conversations
    print(
        f"Deleted {deleted} conversation{'' if deleted == 1 else 's'} with no activity since "
        f"{cutoff:%Y-%m-%d %H:%M} UTC (RETENTION_DAYS={values['RETENTION_DAYS']})."
    )
    print(
        f"Deleted {purged.votes} vote{'' if purged.votes == 1 else 's'} on answers "
        f"(made before {cutoff:%Y-%m-%d}, or in a deleted conversation)."
    )
    return 0
