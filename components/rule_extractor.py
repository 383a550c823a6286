"""RuleEntityExtractor: the shared part of the entity extractors that read with bot/'s rules.

They read a message with rules instead of a trained model (components/wbc_entities.py,
components/subject_entities.py).

A subclass names its environment switch (`SWITCH`: "off" extracts nothing), optionally a message
to read once when the model loads (`WARM_UP`), and gives `entities_of(text)`; this class adds
what it finds to the entities other extractors found.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


class RuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Entities from rules: no training, one environment switch."""

    SWITCH: ClassVar[str]  # the environment variable that turns the extractor off ("off")
    WARM_UP: ClassVar[str | None] = None  # a message read once when the model loads

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleEntityExtractor:
        """Return the extractor, after reading WARM_UP once while the model loads."""
        if cls.WARM_UP is not None:
            cls.entities_of(cls.WARM_UP)
        return cls()

    @staticmethod
    def entities_of(text: str) -> list[dict[str, Any]]:
        """Rasa entity dicts for `text`."""
        raise NotImplementedError

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the entities of each message to what other extractors found."""
        if os.environ.get(self.SWITCH, "on") == "off":
            return messages
        for message in messages:
            found = self.add_extractor_name(self.entities_of(str(message.get(TEXT) or "")))
            message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages
