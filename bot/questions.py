"""What a message asks, by keyword rules from data/questions.yml: the topic of content.yml.

The chat takes the question type from the NLU model; the command line has no model and uses
these rules, and the chat uses them for a question inside a message the model read as
something else (a symptom report, a value).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from bot.errors import ReferenceDataError

QUESTIONS_FILE = Path(__file__).parent / "data" / "questions.yml"


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


def is_follow_up(text: str) -> bool:
    """A short question about what was just said ("is that normal?", "should I worry?")."""
    return FOLLOW_UP.match(text) is not None


def asked_topic(text: str) -> str | None:
    """The content topic the message asks about, or None when no rule matches."""
    for topic, patterns in _rules():
        if any(pattern.search(text) for pattern in patterns):
            return topic
    return None


@cache
def _rules() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    try:
        rows = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
        return tuple(
            (str(row["topic"]), tuple(re.compile(p, re.IGNORECASE) for p in row["patterns"]))
            for row in rows
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as exc:
        raise ReferenceDataError(str(QUESTIONS_FILE), f"cannot be read: {exc}") from exc
