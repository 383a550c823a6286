"""Votes on answers in the conversation store's database (server/votes.py).

Found by the bot's own record of the answer, stored without text, gone with "forget my data" and
`make purge`.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.reply.feedback import ANSWER_ID, ANSWER_TOPIC, ANSWER_URGENCY, AnswerRecord
from server.purge import SECONDS_PER_DAY, purge_all
from server.settings import ROOT
from server.tracker_store import UrlSQLTrackerStore
from server.votes import StoredVote, VoteStore, conversation_key, today

TYPED = "my wbc is 3.2 and my name is Ada Lovelace"
ALICE, BOB = "telegram:555001", "widget:0123abcd"


def answer(answer_id: str, topic: str, urgency: str, at: float | None = None) -> list[object]:
    """A turn: the person's message and the bot's answer, its record in the metadata."""
    at = time.time() if at is None else at
    record = {ANSWER_ID: answer_id, ANSWER_TOPIC: topic, ANSWER_URGENCY: urgency}
    return [
        UserUttered(TYPED, timestamp=at),
        ActionExecuted("action_respond", timestamp=at),
        BotUttered("Your count of 3,200 is low.", metadata=record, timestamp=at),
        BotUttered("Hello!", metadata={"utter_action": "utter_greet"}, timestamp=at),
    ]


@pytest.fixture
async def store(tmp_path: Path) -> UrlSQLTrackerStore:
    """A SQLite store where Alice got two answers and Bob one."""
    tracker_store = UrlSQLTrackerStore(url=f"sqlite:///{tmp_path / 'conversations.db'}")
    alice = [*answer("aaaa0001", "reading:low", "routine"), *answer("aaaa0002", "causes", "none")]
    await tracker_store.save(DialogueStateTracker.from_events(ALICE, alice))
    bob = answer("bbbb0001", "emergency", "emergency")
    await tracker_store.save(DialogueStateTracker.from_events(BOB, bob))
    return tracker_store


def rows(database: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT * FROM votes ORDER BY answer_id").fetchall()


def votes_of(store: UrlSQLTrackerStore) -> VoteStore:
    return VoteStore(str(store.engine.url))


@pytest.mark.parametrize(
    ("sender", "answer_id", "found"),
    [
        (ALICE, None, AnswerRecord("aaaa0002", "causes", "none")),
        (ALICE, "aaaa0001", AnswerRecord("aaaa0001", "reading:low", "routine")),
        (ALICE, "bbbb0001", None),
        (ALICE, "ffffffff", None),
        (BOB, None, AnswerRecord("bbbb0001", "emergency", "emergency")),
        ("shell:nobody", None, None),
    ],
    ids=["latest", "named", "another-conversations", "made-up", "emergency", "no-answers"],
)
def test_an_answer_is_found_only_in_its_own_conversation(
    store: UrlSQLTrackerStore, sender: str, answer_id: str | None, found: AnswerRecord | None
) -> None:
    """The latest answer, or the one named, and only among the conversation's own answers."""
    assert votes_of(store).find_answer(sender, answer_id) == found


def test_a_vote_is_stored_without_any_text(store: UrlSQLTrackerStore, tmp_path: Path) -> None:
    """A vote is stored without any text and without the conversation id.

    A row is the conversation's key, the answer's id, topic, urgency, channel, day and vote.
    """
    votes = votes_of(store)
    record = votes.find_answer(ALICE, "aaaa0001")
    assert record is not None
    votes.record(StoredVote.on(ALICE, record, -1))
    with sqlite3.connect(tmp_path / "conversations.db") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(votes)")]
    assert columns == ["conversation_key", "answer_id", "topic", "urgency", "channel", "day",
                       "vote"]  # fmt: skip
    [row] = rows(tmp_path / "conversations.db")
    assert row == (
        conversation_key(ALICE), "aaaa0001", "reading:low", "routine", "telegram",
        today().isoformat(), -1,
    )  # fmt: skip
    stored = " ".join(map(str, row))
    assert ALICE not in stored and "555001" not in stored
    assert not any(word in stored for word in TYPED.split() if len(word) > 2)


def test_a_second_vote_on_an_answer_replaces_the_first(
    store: UrlSQLTrackerStore, tmp_path: Path
) -> None:
    """One vote per answer per conversation: the later one counts."""
    votes = votes_of(store)
    record = votes.find_answer(ALICE, None)
    assert record is not None
    for vote in (1, -1, 1):
        votes.record(StoredVote.on(ALICE, record, vote))
    assert [(row[1], row[-1]) for row in rows(tmp_path / "conversations.db")] == [("aaaa0002", 1)]


async def test_forget_my_data_deletes_the_persons_votes(
    store: UrlSQLTrackerStore, tmp_path: Path
) -> None:
    """Deleting a conversation (forget my data) deletes its votes; others' votes stay."""
    votes = votes_of(store)
    for sender, answer_id in ((ALICE, "aaaa0001"), (ALICE, "aaaa0002"), (BOB, "bbbb0001")):
        record = votes.find_answer(sender, answer_id)
        assert record is not None
        votes.record(StoredVote.on(sender, record, 1))
    store.delete(ALICE)
    assert [row[1] for row in rows(tmp_path / "conversations.db")] == ["bbbb0001"]
    assert votes.find_answer(ALICE, None) is None  # nothing left to vote on


def test_purge_deletes_votes_past_the_retention(store: UrlSQLTrackerStore, tmp_path: Path) -> None:
    """`make purge`: votes of purged conversations and votes older than the retention go."""
    votes = votes_of(store)
    now = time.time()
    long_ago = today() - timedelta(days=40)
    record = AnswerRecord("cccc0001", "causes", "none")
    votes.record(StoredVote.on(BOB, record, 1, day=long_ago))  # old, in a kept conversation
    votes.record(StoredVote.on(BOB, AnswerRecord("bbbb0001", "emergency", "emergency"), 1))
    purged = purge_all(str(store.engine.url), retention_days=30, now=now)
    assert (purged.conversations, purged.votes) == (0, 1)
    assert [row[1] for row in rows(tmp_path / "conversations.db")] == ["bbbb0001"]
    later = now + 31 * SECONDS_PER_DAY  # both conversations idle past the retention
    purged = purge_all(str(store.engine.url), retention_days=30, now=later)
    assert (purged.conversations, purged.votes) == (2, 1)
    assert rows(tmp_path / "conversations.db") == []


def test_nothing_is_created_where_nothing_is_stored(tmp_path: Path) -> None:
    """No database yet: no answer, no votes, and no file made."""
    missing = tmp_path / "none.db"
    votes = VoteStore(f"sqlite:///{missing}")
    assert votes.find_answer(ALICE, None) is None
    assert votes.rows() == []
    assert not missing.exists()
    assert isinstance(today(), date)


def test_make_feedback_prints_a_table_per_topic(store: UrlSQLTrackerStore, tmp_path: Path) -> None:
    """`make feedback` prints up, down and the share helpful per topic, then all topics.

    It reads TRACKER_STORE_URL; `--channel` keeps one channel's votes.
    """
    votes = votes_of(store)
    for sender, answer_id, vote in ((ALICE, "aaaa0001", 1), (ALICE, "aaaa0002", -1),
                                    (BOB, "bbbb0001", 1)):  # fmt: skip
        record = votes.find_answer(sender, answer_id)
        assert record is not None
        votes.record(StoredVote.on(sender, record, vote))

    def feedback(args: str = "") -> list[list[str]]:
        env = {**os.environ, "TRACKER_STORE_URL": str(store.engine.url), "FEEDBACK_ARGS": args}
        result = subprocess.run(
            ["make", "--no-print-directory", "feedback"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return [line.split() for line in result.stdout.splitlines() if not line.startswith("-")]

    assert feedback() == [
        ["topic", "up", "down", "helpful"],
        ["causes", "0", "1", "0%"],
        ["emergency", "1", "0", "100%"],
        ["reading:low", "1", "0", "100%"],
        ["all", "topics", "2", "1", "67%"],
    ]
    assert feedback("--channel widget")[1:] == [
        ["emergency", "1", "0", "100%"],
        ["all", "topics", "1", "0", "100%"],
    ]
    assert feedback("--channel rest") == [["No", "votes", "yet."]]
