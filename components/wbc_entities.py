"""WbcEntityExtractor: the counts and temperatures bot/ reads in a message, as Rasa entities.

Rule-based (spaCy tokenizer and matchers in bot/), not trained: wbc_value, anc_value and
temperature spans are exactly what `python -m bot interpret` reads, so NLU evaluation scores the
same reader the answers use.

At run time nothing uses these entities (the intent does not depend on them, and the action
server reads the message itself), so every Rasa process of the running bot (`make run`, `make
shell`: server/rasa_run.py) switches the extractor off (WBC_ENTITIES=off) and each message is
parsed once, in the action server. `rasa test` keeps it on.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot import Analyte, WbcBotError, parse_text
from bot.read.temperature import find_temperatures
from components.rule_extractor import RuleEntityExtractor

SWITCH = "WBC_ENTITIES"  # "off": extract nothing (the servers of `make run`)
ENTITY_OF_ANALYTE = {Analyte.WBC: "wbc_value", Analyte.ANC: "anc_value"}
TEMPERATURE = "temperature"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class WbcEntityExtractor(RuleEntityExtractor):
    """Adds wbc_value, anc_value and temperature entities found by bot/."""

    SWITCH = SWITCH

    @staticmethod
    def entities_of(text: str) -> list[dict[str, Any]]:
        """Return the wbc_value, anc_value and temperature entities bot/ finds in the text."""
        return entities_in(text)


def entities_in(text: str) -> list[dict[str, Any]]:
    """Rasa entity dicts for the counts and temperatures in `text` (none for unreadable text)."""
    try:
        parsed = parse_text(text)
    except WbcBotError:
        return []
    entities = [
        _entity(ENTITY_OF_ANALYTE[value.analyte], value.text, value.start)
        for value in parsed.values
    ]
    entities += [
        _entity(TEMPERATURE, temperature.text, temperature.start)
        for temperature in find_temperatures(parsed.text)
    ]
    return sorted(entities, key=lambda entity: int(entity["start"]))


def _entity(name: str, text: str, start: int) -> dict[str, Any]:
    return {"entity": name, "start": start, "end": start + len(text), "value": text}
