"""CountIntent: a message the classifiers could not place, but that gives a count, gives a count.

Real messages often tell a long story with a count inside it and no question the classifiers
know ("went to urgent care, no temp, wbc low, 3, was given antibiotics ..."). The question
classifier spreads its confidence over many question types, FallbackClassifier then says
nlu_fallback, and the conversation's record says the bot did not understand, although the
action reads and explains the count. Here, after FallbackClassifier, such a message becomes
inform_wbc_value when bot/ reads a count in it (the action's answer does not change: it reads the
count whatever the intent). So does a message classified as asking for the normal range that
gives a count with its lab's range: the range is the lab's, not a question. Any other question
type is kept when the message asks it ("wbc 3.2, what causes that?" stays ask_causes); a
message that gives a count and asks nothing at all ("It is back to normal now, wbc at 6k",
"A count of 3.28 is considered low") is telling the count, whatever topic its words lean to,
and becomes inform_wbc_value too.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot import WbcBotError
from bot.model import LabValue
from components.message_reading import reading_of
from components.question_classifier import is_question, sentences

FALLBACK = "nlu_fallback"
# "My white cells are at 18.5, when the normal range is 4.5 to 10.5": the normal range is the
# lab's, given with the count, not asked for.
NORMAL_RANGE = "ask_normal_range"
COUNT_INTENT = "inform_wbc_value"
TOPIC_PREFIX = "ask_"  # the question types; other intents (a symptom, thanks) are kept


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CountIntent(GraphComponent):
    """nlu_fallback becomes inform_wbc_value when the message gives a count."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CountIntent:
        """Return the component: it has no settings and no training."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Set inform_wbc_value on each message that gives a count instead of asking a question.

        That is nlu_fallback or a question type (`ask_*`) that asks nothing, with a count in the
        text; or ask_normal_range with a count that comes with its own lab range.
        """
        for message in messages:
            name = str((message.get(INTENT) or {}).get(INTENT_NAME_KEY) or "")
            if name != FALLBACK and not name.startswith(TOPIC_PREFIX):
                continue
            # The cheap test first: a question type that is asked needs no parse of the text.
            told = name == FALLBACK or asks_nothing(message)
            if not told and name != NORMAL_RANGE:
                continue
            counts = counts_in(message.get(TEXT))
            ranged = any(count.lab_range is not None for count in counts)
            if counts and (told or ranged):
                _make_count_intent(message)
        return messages


def asks_nothing(message: Message) -> bool:
    """Tell whether the message asks nothing.

    No sentence of it is a question, direct or indirect, and no clause asks one after a comma ("my
    wbc is 3,300, what might be causing that").
    """
    text = str(message.get(TEXT) or "")
    return not any(is_question(sentence) for sentence in sentences(text)) and not _ASKING.search(
        text
    )


# A question word or a worry anywhere in the message: it may be asking something.
_ASKING = re.compile(
    r"\b(?:what|whats|what's|why|how|when|which|who|should|shouldn't|could|would|can|can't|"
    r"do (?:i|we|you)|does|did|is (?:it|that|this|he|she|my|her|his|there|the)|"
    r"are (?:they|these|those|my|his|her|both|all|the)|will (?:it|i|she|he|they|my|her|his|we)|"
    r"chances? of|risk of|tell me|explain|wonder|any (?:ideas|advice|thoughts)|"
    r"worried|worry|concerned|help|pls|please)\b",
    re.IGNORECASE,
)


def counts_in(text: object) -> tuple[LabValue, ...]:
    """The white counts and ANCs bot/ reads in the text."""
    try:
        return reading_of(str(text or "")).values
    except WbcBotError:
        return ()


def _make_count_intent(message: Message) -> None:
    """inform_wbc_value first, with the confidence the classifier gave it."""
    ranking = [dict(entry) for entry in message.get(INTENT_RANKING_KEY) or []]
    own = next((entry for entry in ranking if entry.get(INTENT_NAME_KEY) == COUNT_INTENT), None)
    confidence = float(own.get(PREDICTED_CONFIDENCE_KEY) or 0.0) if own else 0.0
    chosen = {INTENT_NAME_KEY: COUNT_INTENT, PREDICTED_CONFIDENCE_KEY: confidence}
    others = [entry for entry in ranking if entry.get(INTENT_NAME_KEY) != COUNT_INTENT]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)
