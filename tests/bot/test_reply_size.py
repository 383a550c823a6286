"""Replies as sent, measured against their limits in words, grade and sentence length.

Per user message at most 120 words for a topic answer or a reading (answer, source links by
their titles, disclaimer; the once-per-conversation intro not counted), emergency advice at most
60 words before the disclaimer with what to do and the number first, grade 8 or below for each
message and 7 or below on average, sentences of 20 words or fewer, the disclaimer once per reply
and no sentence twice.

Every (topic, subject) answer is measured as a topic reply too: the answer, links to its first
two linkable sources and the disclaimer, put together the way bot/reply/replies.py sends a topic
answer (a test checks that this gives exactly what respond() sends for each general topic).

`python tests/bot/test_reply_size.py` prints the figures (median and maximum words and grade).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.judge.conversation import ConversationState
from bot.model import Subject
from bot.reply.content import TopicAnswer, subject_answers, topic_answer, topics
from bot.reply.dialogue import respond
from bot.reply.explain import explanations
from bot.reply.links import citable, link, without_links
from bot.reply.replies import MAX_LINKS, disclaimer
from tests.bot.test_readability import TABLE_ANSWERS, grade_level, sentences, words

# Every disclaimer a reply may end with (bot/data/explanations.yml: one per kind of urgency).
DISCLAIMERS = tuple(
    str(text) for key, text in explanations().items() if key.startswith("disclaimer")
)

TOPIC_WORDS = 120
READING_WORDS = 120
EMERGENCY_WORDS = 60
MAX_GRADE = 8.0
MEAN_GRADE = 7.0
SENTENCE_WORDS = 20

READINGS = [
    "my wbc is 3.2",
    "WBC 1.2",
    "wbc 6.5",
    "WBC 25",
    "wbc 4.3",
    "wbc 320",
    "ANC 800",
    "ANC 300",
    "WBC 2.9 L 4.0-11.0 x10^3/uL",
    "WBC 7.0 L (4.0-11.0)",
    "my son is 6 and his wbc is 3.9",
    "my baby is 6 weeks old, wbc 4.1",
    "wbc 3.2, neutrophils 40%",
    "I'm a 34 year old woman and my WBC is 4.6",
    "wbc 3200000 K/uL",
    "my wbc is 3.2 and I'm on chemo",
]
EMERGENCIES = [
    "I have trouble breathing",
    "wbc 2.9 and I have a fever",
    "I'm on chemo and I have a fever of 38.6",
    "my 2 month old has a fever of 38.5",
    "wbc 1.1, she had a seizure",
    "chest pain and wbc 3.1",
    "I feel very unwell",
]


@dataclass(frozen=True)
class Sent:
    """One reply as sent, with what it answered."""

    kind: str  # topic | subject | reading | emergency
    message: str
    texts: tuple[str, ...]  # every message but the intro, links as their titles


def _reply(kind: str, message: str, intent: str | None = None) -> Sent:
    reply = respond(ConversationState(intro_given=True), message, intent)
    texts = tuple(without_links(m.text) for m in reply.messages if m.text)
    return Sent(kind, message, texts)


def _topic_message(answer: TopicAnswer) -> str:
    """A topic answer as bot/reply/replies.py sends it: text, two titled links, the disclaimer."""
    links = " · ".join(link(key) for key in citable(list(answer.source_keys))[:MAX_LINKS])
    return without_links("\n\n".join([answer.text, f"Sources: {links}", disclaimer()]))


def _subject_message(topic: str, subject: str) -> str:
    return f"ask_{topic} about {subject}"


# The grade a table answer may reach (tests/bot/test_readability.py, TABLE_ANSWERS), by the
# message its reply is measured under: "content.yml:by_subject.<subject>.answers.<topic>".
TABLE_GRADES = {
    _subject_message(where.split(".")[-1], where.split(".")[-3]): grade
    for where, (_, grade, _) in TABLE_ANSWERS.items()
}


def _subject_reply(topic: str, subject: Subject) -> Sent:
    message = _subject_message(topic, subject.value)
    return Sent("subject", message, (_topic_message(topic_answer(topic, subject=subject)),))


def replies() -> Iterator[Sent]:
    """Every topic answer, every other (topic, subject) answer, the readings and emergencies."""
    for topic in topics():
        yield _reply("topic", "tell me about it", f"ask_{topic}")
    for (topic, subject), answer in subject_answers().items():
        if subject is not Subject.LEUKOPENIA and answer != topic_answer(topic):
            yield _subject_reply(topic, subject)
    for message in READINGS:
        yield _reply("reading", message, "inform")
    for message in EMERGENCIES:
        yield _reply("emergency", message)


REPLIES = list(replies())


def _total_words(sent: Sent) -> int:
    return sum(len(words(text)) for text in sent.texts)


def _prose(text: str) -> str:
    """Return a message without its sources line and without the disclaimer.

    The sources are titles of pages, not sentences a person reads; the disclaimer is measured on
    its own by tests/bot/test_readability.py.
    """
    for variant in DISCLAIMERS:
        text = text.replace(variant, "")
    blocks = text.split("\n\n")
    return "\n\n".join(b for b in blocks if b.strip() and not b.startswith("Sources:"))


@pytest.mark.parametrize("sent", REPLIES, ids=[f"{s.kind}:{s.message}" for s in REPLIES])
def test_reply_is_short(sent: Sent) -> None:
    """120 words for a topic answer or a reading; emergency advice 60 before the disclaimer."""
    if sent.kind == "emergency":
        advice = sent.texts[0]
        for variant in DISCLAIMERS:
            advice = advice.replace(variant, "")
        assert advice.startswith("⚠️ Seek emergency care now. Call")
        assert len(words(advice)) <= EMERGENCY_WORDS, advice
    else:
        limit = TOPIC_WORDS if sent.kind in ("topic", "subject") else READING_WORDS
        assert _total_words(sent) <= limit, sent.texts


@pytest.mark.parametrize("topic", topics())
def test_topic_replies_are_put_together_as_sent(topic: str) -> None:
    """The subject replies above are measured as respond() sends a topic answer."""
    sent = _reply("topic", "tell me about it", f"ask_{topic}")
    assert sent.texts == (_topic_message(topic_answer(topic)),)


@pytest.mark.parametrize("sent", REPLIES, ids=[f"{s.kind}:{s.message}" for s in REPLIES])
def test_reply_reads_easily(sent: Sent) -> None:
    """Every message is grade 8 or below, with sentences of 20 words or fewer.

    A table answer has its own grade limit.
    """
    for text in sent.texts:
        prose = _prose(text)
        assert grade_level(prose) <= TABLE_GRADES.get(sent.message, MAX_GRADE), prose
        for sentence in sentences(prose):
            assert len(words(sentence)) <= SENTENCE_WORDS, sentence


def test_every_table_answer_is_measured_as_a_reply() -> None:
    """Each table answer's own grade limit applies to a reply that is measured."""
    assert set(TABLE_GRADES) <= {sent.message for sent in REPLIES}


@pytest.mark.parametrize("sent", REPLIES, ids=[f"{s.kind}:{s.message}" for s in REPLIES])
def test_disclaimer_once_and_no_sentence_twice(sent: Sent) -> None:
    """One disclaimer per reply (the one fitting its urgency); no sentence repeated within it."""
    assert sum(text.count(variant) for text in sent.texts for variant in DISCLAIMERS) == 1
    said = [s for text in sent.texts for s in sentences(_prose(text))]
    assert len(said) == len(set(said)), said


def test_average_grade_is_seven_or_below() -> None:
    """Averaged over every reply, the text reads at grade 7 or below."""
    grades = [grade_level(_prose(text)) for sent in REPLIES for text in sent.texts]
    assert statistics.mean(grades) <= MEAN_GRADE


def main() -> None:
    """Print median and maximum words and grade per kind of reply."""
    print(f"{'kind':<10} {'replies':>7}  words median/max  grade median/max")
    for kind in ("topic", "subject", "reading", "emergency"):
        chosen = [sent for sent in REPLIES if sent.kind == kind]
        if kind == "emergency":
            counts = [len(words(_prose(s.texts[0]))) for s in chosen]
        else:
            counts = [_total_words(s) for s in chosen]
        grades = [grade_level(_prose(text)) for s in chosen for text in s.texts]
        print(
            f"{kind:<10} {len(chosen):>7}  {statistics.median(counts):>6g} / {max(counts):<6}"
            f"  {statistics.median(grades):>5.1f} / {max(grades):.1f}"
        )


if __name__ == "__main__":
    main()
