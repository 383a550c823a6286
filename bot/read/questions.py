"""What a message asks, by keyword rules from data/questions.yml: the topic of content.yml.

The chat takes the question type from the NLU model; the command line has no model and uses
these rules, and the chat uses them for a question inside a message the model read as
something else (a symptom report, a value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import yaml

from bot.errors import ReferenceDataError
from bot.yaml_files import DATA_DIR, read_yaml

QUESTIONS_FILE = DATA_DIR / "questions.yml"
TOPIC_PREFIX = "ask_"
FALLBACK_INTENT = "nlu_fallback"
# A runner-up question type is offered when its confidence is at least this share of the best's.
RUNNER_UP_SHARE = 0.6
# A second question sentence is offered when its own best type is at least this confident.
SECOND_QUESTION_CONFIDENCE = 0.4
MAX_OFFERS = 2  # next to an answer
MAX_CHOICES = 4  # for a message that is not clear: the likely topics to choose from
MIN_CHOICE_CONFIDENCE = 0.03


FOLLOW_UP = re.compile(
    r"^\W*(?:and |so |ok(?:ay)?,? |hmm,? )?(?:"
    r"is (?:that|this|it|this number|that number|that count|this result) "
    r"(?:normal|bad|ok|okay|good|serious|dangerous|high|low|too low|too high|worrying|fine)"
    r"|what does (?:that|this|it) mean(?: for me)?"
    r"|(?:should|do) (?:i|we) (?:need to )?(?:be )?worr(?:y|ied)(?: about (?:it|that|this))?"
    r"|how bad is (?:that|this|it)"
    r"|is (?:that|this|it) something to worry about"
    r"|what now|so what does that mean)\W*$",
    re.IGNORECASE,
)


# "why?" after an answer asks for the causes.
WHY = re.compile(
    r"^\W*(?:and |but |so )?(?:why|how come|why is (?:that|it|this)(?: so)?)\W*$", re.IGNORECASE
)
# "and for a child?", "what about during chemo?": the last question again, for another subject.
SUBJECT_SWITCH = re.compile(
    r"^\W*(?:and|what about|how about|same)\b[^.?!]{0,40}[.?!]*\s*$", re.IGNORECASE
)


def topic_of_intent(intent: str) -> str | None:
    """The content topic an intent asks about ("ask_causes" -> "causes"); None for other intents."""
    return intent[len(TOPIC_PREFIX) :] if intent.startswith(TOPIC_PREFIX) else None


def is_follow_up(text: str) -> bool:
    """A short question about what was just said ("is that normal?", "should I worry?")."""
    return FOLLOW_UP.match(text) is not None


def offered_topics(
    intent: str,
    ranking: Iterable[Mapping[str, Any]],
    questions: Iterable[Mapping[str, Any]],
    topics: Sequence[str],
) -> tuple[str, ...]:
    """Return the other topics to offer as buttons.

    They come from the NLU model's ranking and the question sentences it found
    (docs/understanding.md, "Finding the question inside a story"): a second question asked in the
    message, then a runner-up close to the best; for a message that is not clear (`nlu_fallback`),
    the likely topics.

    `ranking`: [{"name", "confidence"}], best first; `questions`: [{"intent", "confidence"}],
    one per question sentence; `topics`: the content topics (intents ask_<topic> answer them).
    """
    known = frozenset(topics)

    def topic_of(name: Any) -> str | None:
        topic = topic_of_intent(str(name or ""))
        return topic if topic in known else None

    ranked = [
        (topic_of(row.get("name")), float(row.get("confidence") or 0.0))
        for row in ranking
        if str(row.get("name")) != FALLBACK_INTENT
    ]
    if intent == FALLBACK_INTENT:
        likely = [t for t, c in ranked if t is not None and c >= MIN_CHOICE_CONFIDENCE]
        return tuple(dict.fromkeys(likely))[:MAX_CHOICES]
    main = topic_of(intent)
    offers = [
        topic_of(q.get("intent"))
        for q in questions
        if float(q.get("confidence") or 0.0) >= SECOND_QUESTION_CONFIDENCE
    ]
    if len(ranked) >= 2 and ranked[0][0] == main and ranked[1][1] >= RUNNER_UP_SHARE * ranked[0][1]:
        offers.append(ranked[1][0])
    return tuple(t for t in dict.fromkeys(offers) if t is not None and t != main)[:MAX_OFFERS]


def asked_topic(text: str) -> str | None:
    """The content topic the message asks about, or None when no rule matches."""
    for topic, patterns in _rules():
        if any(pattern.search(text) for pattern in patterns):
            return topic
    return None


@cache
def _rules() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    try:
        rows = read_yaml(QUESTIONS_FILE)
        return tuple(
            (str(row["topic"]), tuple(re.compile(p, re.IGNORECASE) for p in row["patterns"]))
            for row in rows
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as exc:
        raise ReferenceDataError(str(QUESTIONS_FILE), f"cannot be read: {exc}") from exc
