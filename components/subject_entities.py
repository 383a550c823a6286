"""SubjectExtractor: what a message is about, as the Rasa entities `subject` and `cause`.

The intent is the question type (what is asked: causes, treatment, ...); the `subject` entity is
what it is asked about: leukopenia (the default), neutropenia, chemotherapy, children or
high_count (docs/understanding.md, "Subject"). `cause` names one specific cause when the message
names one ("on clozapine" -> clozapine). Both come from the same rules the answers use
(bot.judge.subjects.subject_of, bot.reply.content.find_cause), so the tracker shows what the
answer was chosen by. Rule-based, not trained: the rules were fitted on the training part of the
realistic corpus and are scored on its held-out part by scripts/evaluate_corpus.py.

Unlike WbcEntityExtractor this one stays on in the running bot: a client of the REST API, or an
analyst reading trackers, gets the subject of every message (the intent and the subject are the
two axes of a question). It reads the message through components/message_reading.py, so it and
the count-intent rule share one reading in the Rasa server. The action server does not take the
subject from it: it reads the message itself, once, and judges only what it read (an entity can
be typed by a client). The conversation tests (`rasa test core`, which would want every message
of tests/test_stories.yml annotated with a whole-message entity) switch it off with
SUBJECT_ENTITIES=off; the subject is scored by tests/bot/test_subjects.py and
scripts/evaluate_corpus.py.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot import WbcBotError
from bot.judge.subjects import subject_of
from bot.read.matchers import tokens_of
from bot.reply.content import find_cause
from components.message_reading import reading_of
from components.rule_extractor import RuleEntityExtractor

SUBJECT = "subject"
CAUSE = "cause"
SWITCH = "SUBJECT_ENTITIES"  # "off": extract nothing (the conversation tests)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class SubjectExtractor(RuleEntityExtractor):
    """Adds the `subject` entity (always, for readable text) and `cause` (when one is named)."""

    SWITCH = SWITCH
    # Builds the tokenizer, the matchers and the content tables while the model loads, not on
    # the first person's message (seconds on a busy machine: past the guard's deadline).
    WARM_UP = "My son's wbc is 3.2, what could cause it?"

    @staticmethod
    def entities_of(text: str) -> list[dict[str, Any]]:
        """Return the `subject` and `cause` entities of the text (bot.judge.subjects)."""
        return subject_entities(text)


def subject_entities(text: str) -> list[dict[str, Any]]:
    """Return the `subject` entity of `text` and its `cause` entity, if any.

    The subject spans the whole message: it is the message's, not a word's. None for text that
    cannot be read, or a command.
    """
    if not text.strip() or text.lstrip().startswith("/"):
        return []
    try:
        parsed = reading_of(text)
    except WbcBotError:
        return []
    whole = {"start": 0, "end": len(text)}
    entities = [{"entity": SUBJECT, **whole, "value": subject_of(parsed).value}]
    cause = find_cause(tokens_of(parsed))
    if cause is not None:
        entities.append({"entity": CAUSE, **whole, "value": cause})
    return entities
