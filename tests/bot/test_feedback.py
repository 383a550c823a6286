"""What an answer is about, for a vote on it, and the table of votes (bot/reply/feedback.py)."""

from __future__ import annotations

import pytest

from bot.judge.conversation import ConversationState
from bot.reply.dialogue import respond
from bot.reply.feedback import (
    ANSWER_ID,
    ANSWER_TOPIC,
    ANSWER_URGENCY,
    AnswerRecord,
    TopicTally,
    record_from,
    table,
    tally,
    urgency_name,
)


@pytest.mark.parametrize(
    ("text", "intent", "topic", "urgency"),
    [
        ("my wbc is 3.2", "inform_wbc_value", "reading:low", "routine"),
        ("my wbc is 7.1", "inform_wbc_value", "reading:normal", "routine"),
        ("wbc 14.2", "inform_wbc_value", "reading:high", "routine"),
        ("what causes a low white count?", "ask_causes", "causes", None),
        ("wbc 0.3 on chemo and a fever of 39", "inform_wbc_value", "emergency", "emergency"),
        ("hello", "greet", None, None),
        ("thanks", "thank", None, None),
    ],
    ids=["low", "normal", "high", "topic", "emergency", "greeting", "thanks"],
)
def test_the_answer_topic_comes_from_the_reply_itself(
    text: str, intent: str, topic: str | None, urgency: str | None
) -> None:
    """The answer's topic comes from the reply itself.

    A reading is rated by its category, emergency advice as "emergency", a topic by its name; a
    reply with no medical answer has nothing to rate.
    """
    reply = respond(ConversationState(), text, intent)
    assert reply.topic == topic
    if topic is not None:
        assert urgency_name(reply.urgency) == (urgency or "none")


def test_emergency_outranks_the_question_asked() -> None:
    """A question asked together with a red flag is rated as emergency advice."""
    state = respond(ConversationState(), "wbc 0.3 on chemo", "inform_wbc_value").state
    reply = respond(state, "I have a fever of 39, what causes this?", "ask_causes")
    assert reply.topic == "emergency"


@pytest.mark.parametrize(
    ("metadata", "record"),
    [
        (
            {ANSWER_ID: "1a2b3c4d", ANSWER_TOPIC: "causes", ANSWER_URGENCY: "none"},
            AnswerRecord("1a2b3c4d", "causes", "none"),
        ),
        ({ANSWER_ID: "1a2b3c4d", ANSWER_TOPIC: "causes"}, None),
        ({ANSWER_ID: "", ANSWER_TOPIC: "causes", ANSWER_URGENCY: "none"}, None),
        ({ANSWER_ID: 7, ANSWER_TOPIC: "causes", ANSWER_URGENCY: "none"}, None),
        ({"utter_action": "utter_greet"}, None),
        (None, None),
        ("causes", None),
    ],
    ids=["whole", "no-urgency", "empty-id", "number-id", "other-metadata", "none", "a-string"],
)
def test_a_record_is_read_only_when_whole(metadata: object, record: AnswerRecord | None) -> None:
    """A stored message's metadata makes a record only with all three keys as text."""
    assert record_from(metadata) == record


def test_tally_counts_per_topic_most_voted_first() -> None:
    """Votes are summed per topic, the most voted topic first, with the share helpful."""
    votes = [("causes", 1), ("reading:low", -1), ("causes", 1), ("causes", -1), ("emergency", 1)]
    tallies = tally(votes)
    assert tallies == [
        TopicTally("causes", 2, 1),
        TopicTally("emergency", 1, 0),
        TopicTally("reading:low", 0, 1),
    ]
    assert tallies[0].share_helpful == pytest.approx(2 / 3)
    assert TopicTally("x", 0, 0).share_helpful is None


def test_table_has_a_row_per_topic_and_a_total() -> None:
    """The table `make feedback` prints: up, down and the share helpful, then all topics."""
    lines = table(tally([("causes", 1), ("causes", -1), ("emergency", 1)])).splitlines()
    rows = [line.split() for line in lines if not line.startswith("-")]
    assert rows == [
        ["topic", "up", "down", "helpful"],
        ["causes", "1", "1", "50%"],
        ["emergency", "1", "0", "100%"],
        ["all", "topics", "2", "1", "67%"],
    ]
    assert table([]) == "No votes yet."
