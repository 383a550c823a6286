"""Votes taken by the channel layer (channels/votes.py), before Rasa.

They are about the bot's own record of the answer, never about what the client says.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.reply.feedback import ANSWER_ID, ANSWER_TOPIC, ANSWER_URGENCY, Vote
from channels import votes
from channels.guard import GuardedChannel
from channels.socketio import GuardedSocketIOOutput
from channels.telegram_format import inline_keyboard
from channels.votes import (
    NOTHING_TO_RATE_TEXT,
    THANKS_TEXT,
    VoteRequest,
    Voting,
    is_vote,
    read_vote,
)
from server.tracker_store import UrlSQLTrackerStore
from server.votes import VoteStore
from tests.channels.test_socketio_emergency import Sio

SENDER = "widget:0123456789abcdef0123456789abcdef"
RECORD = {ANSWER_ID: "1a2b3c4d", ANSWER_TOPIC: "reading:low", ANSWER_URGENCY: "emergency"}


@pytest.mark.parametrize(
    ("text", "vote", "request_"),
    [
        ("/good", True, VoteRequest(Vote.UP)),
        ("/bad ", True, VoteRequest(Vote.DOWN)),
        ("/GOOD", True, VoteRequest(Vote.UP)),
        ("/vote up 1a2b3c4d", True, VoteRequest(Vote.UP, "1a2b3c4d")),
        ("/vote down 1a2b3c4d", True, VoteRequest(Vote.DOWN, "1a2b3c4d")),
        ('/vote up 1a2b3c4d {"topic": "causes"}', True, None),
        ("/vote up causes", True, None),
        ("/vote sideways 1a2b3c4d", True, None),
        ("/vote", True, None),
        ("good", False, None),
        ("my wbc is 3.2", False, None),
        ("/ask_causes", False, None),
        ("", False, None),
    ],
    ids=[
        "good",
        "bad",
        "upper-case",
        "button-up",
        "button-down",
        "extra-fields",
        "topic-for-id",
        "no-direction",
        "bare",
        "word",
        "count",
        "intent",
        "empty",
    ],
)
def test_what_counts_as_a_vote(text: str, vote: bool, request_: VoteRequest | None) -> None:
    """Only up or down and an answer id; anything more makes a vote that is refused."""
    assert is_vote(text) is vote
    assert read_vote(text) == request_


@pytest.fixture
async def vote_store(tmp_path: Path) -> VoteStore:
    """A store where the conversation SENDER has one answer, an emergency low reading."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    store = UrlSQLTrackerStore(url=url)
    events = [UserUttered("wbc 0.3 and fever"), BotUttered("Call 911.", metadata=RECORD)]
    await store.save(DialogueStateTracker.from_events(SENDER, events))
    store.engine.dispose()
    return VoteStore(url)


def stored(store: VoteStore) -> list[tuple[Any, ...]]:
    with sqlite3.connect(str(store.url.database)) as db:
        return db.execute("SELECT answer_id, topic, urgency, channel, vote FROM votes").fetchall()


async def take(voting: Voting, text: str, **message: Any) -> tuple[bool, list[str]]:
    output = CollectingOutputChannel()
    taken = await voting.take(UserMessage(text, output, SENDER, **message), output)
    return taken, [str(sent.get("text")) for sent in output.messages]


async def test_a_vote_is_stored_from_the_servers_record(vote_store: VoteStore) -> None:
    """The topic and urgency are the bot's record's, whatever metadata the client sends."""
    voting = Voting(lambda: vote_store)
    hostile = {ANSWER_TOPIC: "causes", ANSWER_URGENCY: "routine", "topic": "causes"}
    taken, said = await take(voting, "/vote down 1a2b3c4d", metadata=hostile)
    assert taken and said == [THANKS_TEXT]
    assert stored(vote_store) == [("1a2b3c4d", "reading:low", "emergency", "widget", -1)]


@pytest.mark.parametrize(
    "text",
    ["/vote up ffffffff", '/vote up 1a2b3c4d {"topic": "causes"}', "/vote up causes"],
    ids=["unknown-answer", "extra-fields", "topic-for-id"],
)
async def test_a_vote_on_no_known_answer_is_refused(
    vote_store: VoteStore, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vote on no known answer stores nothing and gets a short note.

    That is a vote naming an answer this conversation does not have, or anything but up or down and
    an id.
    """
    monkeypatch.setattr(votes, "LOOK_AGAIN_SECONDS", 0.0)
    taken, said = await take(Voting(lambda: vote_store), text)
    assert taken and said == [NOTHING_TO_RATE_TEXT]
    assert stored(vote_store) == []


async def test_good_with_no_answer_yet_is_refused(tmp_path: Path) -> None:
    """/good before the bot has answered anything: nothing to rate, nothing stored."""
    store = VoteStore(f"sqlite:///{tmp_path / 'nothing.db'}")
    taken, said = await take(Voting(lambda: store), "/good")
    assert taken and said == [NOTHING_TO_RATE_TEXT]
    assert not (tmp_path / "nothing.db").exists()


async def test_a_message_that_is_not_a_vote_is_left_for_rasa(vote_store: VoteStore) -> None:
    """Other text is not touched: nothing sent, nothing stored."""
    taken, said = await take(Voting(lambda: vote_store), "my wbc is 3.2")
    assert not taken and said == []


class Channel(GuardedChannel):
    """The guard alone, as every channel mixes it in."""


async def test_a_vote_never_reaches_rasa(vote_store: VoteStore) -> None:
    """The guard takes a vote before Rasa: the conversation gets no event from it."""
    channel = Channel()
    channel.voting = Voting(lambda: vote_store)
    reached: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        reached.append(message)

    output = CollectingOutputChannel()
    message = UserMessage("/good", output, SENDER)
    await channel.guarded_answer(on_new_message, message, output)  # type: ignore[arg-type]
    assert reached == []
    assert [sent["text"] for sent in output.messages] == [THANKS_TEXT]
    assert stored(vote_store) == [("1a2b3c4d", "reading:low", "emergency", "widget", 1)]


async def test_the_widget_gets_the_answer_id_as_a_class() -> None:
    """The last bubble of an answer carries the classes embed.js puts the thumbs under.

    They are kept with the emergency class; topic and urgency never go to the browser.
    """
    sio = Sio()
    output = GuardedSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    await output.send_text_message("widget:room", "Your count is low.", **RECORD)
    await output.send_text_with_buttons(
        "widget:room", "⚠️ Call 911 now.", [{"title": "t", "payload": "/p"}], **RECORD
    )
    await output.send_text_message("widget:room", "Hello!", utter_action="utter_greet")
    plain, emergency, greeting = sio.emitted
    assert plain["customCss"] == {"style": "class", "css": "wbc-vote wbc-vote-1a2b3c4d"}
    css = emergency["customCss"]["css"].split()  # type: ignore[index]
    assert css == ["wbc-emergency", "wbc-vote", "wbc-vote-1a2b3c4d"]
    assert set(greeting) == {"text"}
    record_keys = (ANSWER_ID, ANSWER_TOPIC, ANSWER_URGENCY)
    assert not any(key in sent for sent in sio.emitted for key in record_keys)
    assert "reading:low" not in repr(sio.emitted)


def test_telegram_gets_a_row_of_thumbs_under_an_answer() -> None:
    """Thumbs up and down as one inline keyboard row, each within Telegram's 64 bytes."""
    [row] = votes.telegram_row(RECORD)
    assert [button["callback_data"] for button in row] == [
        "/vote up 1a2b3c4d",
        "/vote down 1a2b3c4d",
    ]
    assert inline_keyboard([{"title": b["text"], "payload": b["callback_data"]} for b in row])
    assert votes.telegram_row({"utter_action": "utter_greet"}) == []
    assert votes.telegram_row({ANSWER_ID: "<script>"}) == []
