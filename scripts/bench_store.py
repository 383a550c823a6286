"""Benchmark of the tracker store alone: what one turn costs it, without NLU or policies.

A turn is what the Rasa server asks of its tracker store for one message: retrieve the
conversation, add the turn's events (the message, the action, the reply, changed slots, back
to listening), save. New conversations start with a session, as Rasa starts them. Run against
our store (server.tracker_store.UrlSQLTrackerStore: cached conversations, reading only new
rows) and, as the baseline in the same run, Rasa's own SQLTrackerStore on the same database
(our store with TRACKER_CACHE_SIZE=0, which leaves retrieve and save to Rasa's code), round
for round. Prints the median milliseconds per turn (wall and CPU of this process) for new
conversations (their first five messages) and for messages 81-100 of one conversation.

    .venv/bin/python scripts/bench_store.py [--store sqlite|postgresql|both] [--rounds N]

PostgreSQL is a throwaway server from Debian's package (as the store tests start it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from server import rasa_tuning, settings
from server.settings import ROOT
from server.tracker_store import UrlSQLTrackerStore

DOMAIN = Domain.load(ROOT / "domain.yml")
NEW_CONVERSATIONS = 50  # each five messages: the "50 x 5" load
LONG_MESSAGES = 100  # one conversation grown to this, then timed
LONG_TIMED = 20


@dataclass
class Timing:
    """Milliseconds per turn, wall clock and CPU."""

    wall_ms: float
    cpu_ms: float


async def one_turn(store: TrackerStore, sender: str, n: int) -> None:
    """Retrieve, add one message's events, save: the store's part of a turn."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(f"my wbc is 3.{n % 10}, is that bad?", {"name": "inform_wbc_value"}))
    tracker.update(ActionExecuted("action_respond"))
    tracker.update(BotUttered(f"Your white count of 3.{n % 10} is a little low ..."))
    tracker.update(SlotSet("says_low_count", n % 2 == 0))
    tracker.update(SlotSet("age_years", float(30 + n % 3)))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def timed(turns: Callable[[], None], count: int) -> Timing:
    """Run `turns` and return the wall-clock and CPU milliseconds per turn, of `count` turns."""
    wall, cpu = time.perf_counter(), time.process_time()
    turns()
    return Timing(
        (time.perf_counter() - wall) * 1000 / count, (time.process_time() - cpu) * 1000 / count
    )


def new_conversations(store: TrackerStore, prefix: str) -> Timing:
    """NEW_CONVERSATIONS conversations of five messages, taken in turn as 50 clients would."""

    async def run() -> None:
        for n in range(5):
            for c in range(NEW_CONVERSATIONS):
                await one_turn(store, f"{prefix}-{c}", n)

    return timed(lambda: asyncio.run(run()), 5 * NEW_CONVERSATIONS)


def long_conversation(store: TrackerStore, sender: str) -> Timing:
    """Messages LONG_MESSAGES - LONG_TIMED + 1 to LONG_MESSAGES of one conversation."""

    async def grow(messages: int) -> None:
        for n in range(messages):
            await one_turn(store, sender, n)

    asyncio.run(grow(LONG_MESSAGES - LONG_TIMED))
    return timed(lambda: asyncio.run(grow(LONG_TIMED)), LONG_TIMED)


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    """A throwaway database of `kind`: its SQLAlchemy URL."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'conversations.db'}"
        return
    from tests.production.services import Postgres, ensure_installed

    ensure_installed()
    server = Postgres().setup()
    try:
        yield server.url
    finally:
        server.cleanup()


def stores(url: str) -> dict[str, TrackerStore]:
    """Return our store and Rasa's behaviour (our store without its cache) on the same database."""
    return {
        "ours": UrlSQLTrackerStore(url=url, domain=DOMAIN),
        "rasa": UrlSQLTrackerStore(url=url, domain=DOMAIN, cache_size=0),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print the tracker store's milliseconds per turn, ours against Rasa's, on each database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    # As in the Rasa server, whose channels apply the tuning (copies, reading stored events).
    rasa_tuning.apply(settings.number(settings.resolve(os.environ), "ACTION_TIMEOUT_SECONDS"))
    kinds = ("sqlite", "postgresql") if args.store == "both" else (args.store,)
    print("ms per turn of the tracker store (retrieve, add a message's events, save), medians")
    print(f"{'database':<11}{'load':<22}{'ours wall/CPU':>16}{'rasa wall/CPU':>16}{'x wall':>8}")
    for kind in kinds:
        with database(kind) as url:
            bench = stores(url)
            figures: dict[tuple[str, str], list[Timing]] = {}
            for round_ in range(args.rounds):
                for name, store in bench.items():
                    prefix = f"{name}-{round_}"
                    figures.setdefault((name, "new"), []).append(new_conversations(store, prefix))
                    figures.setdefault((name, "long"), []).append(
                        long_conversation(store, f"{prefix}-long")
                    )
            for load, label in (("new", "50 new x 5 messages"), ("long", "messages 81-100")):
                ours = _medians(figures[("ours", load)])
                rasa = _medians(figures[("rasa", load)])
                print(
                    f"{kind:<11}{label:<22}{ours[0]:>8.2f}/{ours[1]:<7.2f}"
                    f"{rasa[0]:>8.2f}/{rasa[1]:<7.2f}{rasa[0] / ours[0]:>8.2f}"
                )
    return 0


def _medians(timings: list[Timing]) -> tuple[float, float]:
    return (
        statistics.median(t.wall_ms for t in timings),
        statistics.median(t.cpu_ms for t in timings),
    )


if __name__ == "__main__":
    raise SystemExit(main())
