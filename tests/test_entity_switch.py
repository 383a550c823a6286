"""The NLU entity extractors: each follows its switch.

The switch is on for evaluation and, for the subject, in the servers; off where noted.
"""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.model import Subject
from components.subject_entities import subject_entities
from components.wbc_entities import SWITCH, WbcEntityExtractor
from tests.bot.test_subjects import CASES


@pytest.mark.parametrize(("switch", "found"), [("on", ["wbc_value"]), ("off", [])])
def test_extractor_follows_its_switch(
    monkeypatch: pytest.MonkeyPatch, switch: str, found: list[str]
) -> None:
    """With WBC_ENTITIES=off the message is left as it is; otherwise counts become entities."""
    monkeypatch.setenv(SWITCH, switch)
    message = Message({TEXT: "my wbc is 3.2"})
    WbcEntityExtractor().process([message])
    assert [entity["entity"] for entity in message.get(ENTITIES, [])] == found


@pytest.mark.parametrize(("switch", "found"), [("on", ["subject"]), ("off", [])])
def test_subject_extractor_follows_its_switch(
    monkeypatch: pytest.MonkeyPatch, switch: str, found: list[str]
) -> None:
    """The subject entity is on in the servers; SUBJECT_ENTITIES=off (the story tests) drops it."""
    from components.subject_entities import SWITCH as SUBJECT_SWITCH
    from components.subject_entities import SubjectExtractor

    monkeypatch.setenv(SUBJECT_SWITCH, switch)
    message = Message({TEXT: "what is neutropenia?"})
    SubjectExtractor().process([message])
    entities = message.get(ENTITIES, [])
    assert [entity["entity"] for entity in entities] == found
    assert all(entity["value"] == "neutropenia" for entity in entities)


@pytest.mark.parametrize(("text", "subject"), CASES[:8])
def test_the_nlu_entity_is_the_same_subject(text: str, subject: Subject) -> None:
    """components/subject_entities.py puts the same subject in the tracker as an entity."""
    entities = subject_entities(text)
    assert {"entity": "subject", "start": 0, "end": len(text), "value": subject.value} in entities


@pytest.mark.parametrize("text", ["", "   ", "/greet", "x" * 30_000])
def test_no_subject_entity_for_text_that_is_not_a_message(text: str) -> None:
    assert subject_entities(text) == []


def test_cause_entity() -> None:
    text = "could clozapine lower my wbc to 3?"
    assert {"entity": "cause", "start": 0, "end": len(text), "value": "clozapine"} in (
        subject_entities(text)
    )
