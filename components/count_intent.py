"""CountIntent: a message the classifiers could not place, but that gives a count, gives a count.

Real messages often tell a long story with a count inside it and no question the classifiers
know ("went to urgent care, no temp, wbc low, 3, was given antibiotics ..."). The question
classifier spreads its confidence over many question types, FallbackClassifier then says
nlu_fallback, and the conversation's record says the bot did not understand, although the
action reads and explains the count. Here, after FallbackClassifier, such a message becomes
inform_wbc_value when bot/ reads a count in it (the action's answer does not change: it reads the
count whatever the intent). A message with a question type above the thresholds keeps it ("wbc
3.2, what causes that?" stays ask_causes).
"""

from __future__ import annotations

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

from bot import WbcBotError, parse_text

FALLBACK = "nlu_fallback"
COUNT_INTENT = "inform_wbc_value"


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
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) == FALLBACK and gives_a_count(message.get(TEXT)):
                _make_count_intent(message)
        return messages


def gives_a_count(text: object) -> bool:
    """Whether bot/ reads a white count or an ANC in the text."""
    try:
        return bool(parse_text(str(text or "")).values)
    except WbcBotError:
        return False


def _make_count_intent(message: Message) -> None:
    """inform_wbc_value first, with the confidence the classifier gave it."""
    ranking = [dict(entry) for entry in message.get(INTENT_RANKING_KEY) or []]
    own = next((entry for entry in ranking if entry.get(INTENT_NAME_KEY) == COUNT_INTENT), None)
    confidence = float(own.get(PREDICTED_CONFIDENCE_KEY) or 0.0) if own else 0.0
    chosen = {INTENT_NAME_KEY: COUNT_INTENT, PREDICTED_CONFIDENCE_KEY: confidence}
    others = [entry for entry in ranking if entry.get(INTENT_NAME_KEY) != COUNT_INTENT]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)
