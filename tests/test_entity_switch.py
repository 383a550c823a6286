"""The NLU entity extractor: on for evaluation, off in the servers of `make run`."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.wbc_entities import SWITCH, WbcEntityExtractor


@pytest.mark.parametrize(("switch", "found"), [("on", ["wbc_value"]), ("off", [])])
def test_extractor_follows_its_switch(
    monkeypatch: pytest.MonkeyPatch, switch: str, found: list[str]
) -> None:
    """With WBC_ENTITIES=off the message is left as it is; otherwise counts become entities."""
    monkeypatch.setenv(SWITCH, switch)
    message = Message({TEXT: "my wbc is 3.2"})
    WbcEntityExtractor().process([message])
    assert [entity["entity"] for entity in message.get(ENTITIES, [])] == found
