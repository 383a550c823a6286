"""Was this helpful? What an answer is about, for a vote on it, and the table of votes.

A vote names only up or down. What it is about (the topic or reading category, the urgency) is
the bot's own record of the answer: `answer_topic` works it out when the answer is made, and the
action keeps it with the answer's last message in the conversation (the `RECORD_KEYS` of its
metadata). A channel that takes a vote reads that record back; nothing the person sends says
what the vote is about. `tally` and `table` sum the stored votes per topic for `make feedback`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from bot.judge.conversation import Turn
from bot.model import Urgency
from bot.read.questions import is_follow_up, topic_of_intent
from bot.reply.content import topics
from bot.reply.replies import Message

EMERGENCY_TOPIC = "emergency"
READING_PREFIX = "reading:"  # "reading:low": an answer that read a count, by its category
# Answers that are neither a reading nor a topic of bot/data/content.yml, by intent.
TOPIC_OF_OTHER_INTENT = {"report_symptom": "symptoms", "nlu_fallback": "unclear"}
OTHER_TOPIC = "other"

# The keys of a bot message's metadata that hold the record of the answer it ends.
ANSWER_ID = "answer_id"
ANSWER_TOPIC = "answer_topic"
ANSWER_URGENCY = "answer_urgency"
RECORD_KEYS = (ANSWER_ID, ANSWER_TOPIC, ANSWER_URGENCY)
NO_URGENCY = "none"  # an answer about a topic, with no count or symptom judged


class Vote(IntEnum):
    """What a person said about an answer: helpful or not."""

    UP = 1
    DOWN = -1


@dataclass(frozen=True)
class AnswerRecord:
    """What an answer was about, as the bot recorded it when it answered."""

    answer_id: str
    topic: str
    urgency: str


def answer_topic(turn: Turn, intent: str, messages: Sequence[Message]) -> str | None:
    """Return what the reply to `turn` is about, most serious first, or None.

    "emergency" for emergency advice, "reading:<category>" for the reading of a count, else the
    topic answered; None for a reply with no medical answer (a greeting, "noted", a question back),
    which gets no vote.
    """
    if not any(message.source_keys for message in messages):
        return None
    interpretation = turn.interpretation
    if interpretation is not None and interpretation.urgency is Urgency.EMERGENCY:
        return EMERGENCY_TOPIC
    read_out = turn.counts_changed or is_follow_up(turn.text)  # the reading is in the reply
    if interpretation is not None and interpretation.findings and read_out:
        return READING_PREFIX + interpretation.findings[0].category.value
    topic = topic_of_intent(intent)
    if topic is not None and topic in topics():
        return topic
    if turn.other_specimen:
        return "other_specimen"
    return TOPIC_OF_OTHER_INTENT.get(intent, OTHER_TOPIC)


def urgency_name(urgency: Urgency | None) -> str:
    """The urgency as stored with a vote ("none" when nothing was judged)."""
    return NO_URGENCY if urgency is None else urgency.value


def record_from(metadata: object) -> AnswerRecord | None:
    """The answer record in a stored bot message's metadata, or None when it has none."""
    if not isinstance(metadata, dict):
        return None
    values = [metadata.get(key) for key in RECORD_KEYS]
    if not all(isinstance(value, str) and value for value in values):
        return None
    answer_id, topic, urgency = (str(value) for value in values)
    return AnswerRecord(answer_id, topic, urgency)


@dataclass(frozen=True)
class TopicTally:
    """The votes on the answers about one topic."""

    topic: str
    up: int
    down: int

    @property
    def votes(self) -> int:
        """The number of votes on the topic, up and down together."""
        return self.up + self.down

    @property
    def share_helpful(self) -> float | None:
        """The share of votes that said helpful (None without votes)."""
        return self.up / self.votes if self.votes else None


def tally(votes: Iterable[tuple[str, int]]) -> list[TopicTally]:
    """(topic, vote) pairs summed per topic, the most voted topic first."""
    counts: dict[str, list[int]] = {}
    for topic, vote in votes:
        up_down = counts.setdefault(topic, [0, 0])
        up_down[0 if vote > 0 else 1] += 1
    tallies = [TopicTally(topic, up, down) for topic, (up, down) in counts.items()]
    return sorted(tallies, key=lambda t: (-t.votes, t.topic))


def table(tallies: Sequence[TopicTally]) -> str:
    """The tallies as a plain-text table, one row per topic and one for all of them."""
    if not tallies:
        return "No votes yet."
    total = TopicTally("all topics", sum(t.up for t in tallies), sum(t.down for t in tallies))
    rows = [("topic", "up", "down", "helpful")]
    rows += [(t.topic, str(t.up), str(t.down), _percent(t.share_helpful)) for t in tallies]
    rows.append((total.topic, str(total.up), str(total.down), _percent(total.share_helpful)))
    width = max(len(row[0]) for row in rows)
    lines = [f"{row[0]:<{width}}  {row[1]:>5}  {row[2]:>5}  {row[3]:>7}" for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"
