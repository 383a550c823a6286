"""Was this helpful? in the widget, in headless Chromium against the real stack.

Thumbs under the answer, a press stored as a vote on the bot's own record of the answer,
thanked, and nothing added to the conversation or shown as the visitor's message.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, expect

from channels.votes import THANKS_TEXT
from server.votes import conversation_key
from tests.channels.test_widget import WAIT_MS, Chat, open_page, widget_conversation
from tests.stack import Stack, settled_events, stored_events

pytestmark = pytest.mark.stack

HELPFUL = "Was this helpful?"
YES, NO = "Yes, this was helpful", "No, this was not helpful"


def votes(stack: Stack, conversation: str) -> list[tuple[Any, ...]]:
    database = stack.values["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        query = "SELECT answer_id, topic, urgency, channel, vote FROM votes "
        query += "WHERE conversation_key = ?"
        return db.execute(query, (conversation_key(conversation),)).fetchall()


@pytest.fixture
def chat(browser: Browser, stack: Stack) -> Iterator[Chat]:
    """The demo page at desktop size, in a fresh browser context."""
    page = open_page(browser, stack.page_url)
    yield page
    page.page.context.close()


def thanks(chat: Chat) -> Locator:
    """The bot's thank-you bubbles (a vote's answer joins the bot's turn before it)."""
    return chat.page.locator(".rw-response", has_text=THANKS_TEXT)


def test_thumbs_up_under_an_answer_is_stored_and_thanked(chat: Chat, stack: Stack) -> None:
    """Thumbs up under an answer is stored and thanked.

    The reading ends with "Was this helpful?" and two named buttons; 👍 stores a vote on the reading
    (its category, not the text), the bot says thank you, the conversation is as it was, and nothing
    is shown as the visitor's message.
    """
    chat.open()
    turn = chat.send_and_wait("my wbc is 3.2")
    expect(turn).to_contain_text("3,200")
    group = turn.get_by_role("group", name=HELPFUL)
    expect(group).to_have_count(1)  # one per answer, under its last bubble
    yes = group.get_by_role("button", name=YES)
    expect(group.get_by_role("button", name=NO)).to_be_visible()
    conversation = widget_conversation(chat.session_id())
    events = settled_events(stack, conversation)  # the turn is stored
    users = chat.user_texts.count()
    chat.screenshot("vote")
    yes.click()
    expect(thanks(chat)).to_have_count(1, timeout=WAIT_MS)
    expect(yes).to_have_attribute("aria-pressed", "true")
    assert chat.user_texts.count() == users
    [(answer_id, topic, urgency, channel, vote)] = votes(stack, conversation)
    assert (topic, urgency, channel, vote) == ("reading:low", "routine", "widget", 1)
    assert turn.locator(f".wbc-vote-{answer_id}").count() == 1
    assert stored_events(stack, conversation) == events


def test_the_other_thumb_replaces_the_vote(chat: Chat, stack: Stack) -> None:
    """Pressing 👎 after 👍 on the same answer leaves one vote, the 👎."""
    chat.open()
    turn = chat.send_and_wait("what causes a low white count?")
    group = turn.get_by_role("group", name=HELPFUL)
    conversation = widget_conversation(chat.session_id())
    for times, name in enumerate((YES, NO), start=1):
        group.get_by_role("button", name=name).click()
        expect(thanks(chat)).to_have_count(times, timeout=WAIT_MS)
    expect(group.get_by_role("button", name=NO)).to_have_attribute("aria-pressed", "true")
    expect(group.get_by_role("button", name=YES)).to_have_attribute("aria-pressed", "false")
    assert [(row[1], row[-1]) for row in votes(stack, conversation)] == [("causes", -1)]
