"""`make purge`: conversations idle longer than RETENTION_DAYS leave the real Rasa SQL store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from server.purge import SECONDS_PER_DAY, purge
from server.settings import ROOT
from server.tracker_store import UrlSQLTrackerStore

NOW = time.time()


def days_ago(days: float) -> float:
    return NOW - days * SECONDS_PER_DAY


async def save_conversation(store: UrlSQLTrackerStore, sender: str, *ages_in_days: float) -> None:
    """A conversation with one user message and one reply at each age, through Rasa's store."""
    events = []
    for age in ages_in_days:
        at = days_ago(age)
        events += [
            UserUttered("my wbc is 3.2", timestamp=at),
            ActionExecuted("action_respond", timestamp=at),
            BotUttered("Your count is low.", timestamp=at),
        ]
    await store.save(DialogueStateTracker.from_events(sender, events))


@pytest.fixture
async def store_url(tmp_path: Path) -> str:
    """A SQLite tracker store holding old, recent and mixed conversations."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    store = UrlSQLTrackerStore(url=url)
    await save_conversation(store, "old", 45, 40)
    await save_conversation(store, "older", 400)
    await save_conversation(store, "recent", 2)
    await save_conversation(store, "old-then-back", 60, 1)  # idle since its latest event: 1 day
    store.engine.dispose()
    return url


async def senders(url: str) -> set[str]:
    store = UrlSQLTrackerStore(url=url)
    try:
        return set(await store.keys())
    finally:
        store.engine.dispose()


async def test_deletes_only_conversations_idle_past_the_retention(store_url: str) -> None:
    """Idle 40 and 400 days: deleted; active 2 days ago, or back yesterday after 60: kept."""
    assert purge(store_url, retention_days=30, now=NOW) == 2
    assert await senders(store_url) == {"recent", "old-then-back"}


async def test_kept_conversations_stay_whole(store_url: str) -> None:
    """A kept conversation still has every event, old ones included."""
    purge(store_url, retention_days=30, now=NOW)
    store = UrlSQLTrackerStore(url=store_url)
    tracker = await store.retrieve("old-then-back")
    store.engine.dispose()
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["my wbc is 3.2"] * 2


async def test_a_longer_retention_keeps_more(store_url: str) -> None:
    """RETENTION_DAYS=60 keeps the conversation idle for 40 days."""
    assert purge(store_url, retention_days=60, now=NOW) == 1
    assert await senders(store_url) == {"old", "recent", "old-then-back"}


def test_a_store_without_conversations_is_left_alone(tmp_path: Path) -> None:
    """No SQLite file yet: nothing deleted and no file created."""
    missing = tmp_path / "none.db"
    assert purge(f"sqlite:///{missing}", retention_days=30) == 0
    assert not missing.exists()


def run_purge(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", "purge"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_the_command_prints_the_count_and_exits_0(store_url: str) -> None:
    """`python -m server purge` (what `make purge` and cron run) reads the settings."""
    result = run_purge(TRACKER_STORE_URL=store_url, RETENTION_DAYS="30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Deleted 2 conversations with no activity since ")
    assert await senders(store_url) == {"recent", "old-then-back"}


def test_the_command_refuses_a_bad_retention(tmp_path: Path) -> None:
    """RETENTION_DAYS that is not a number, or negative, is an error that names it."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for bad in ("thirty", "-1"):
        result = run_purge(TRACKER_STORE_URL=url, RETENTION_DAYS=bad)
        assert result.returncode == 2
        assert "RETENTION_DAYS" in result.stderr


def test_the_command_fails_when_the_store_cannot_be_read(tmp_path: Path) -> None:
    """An unreachable store exits non-zero (cron mails it) without printing a password."""
    url = "postgresql://wbc:s3cret@127.0.0.1:1/wbc"  # port 1: nothing listens there
    result = run_purge(TRACKER_STORE_URL=url, RETENTION_DAYS="30")
    assert result.returncode == 1
    assert "could not purge" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout
