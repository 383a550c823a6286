"""components/count_intent.py: a message left at nlu_fallback that gives a count gives a count."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from components.count_intent import CountIntent


def _message(text: str, intent: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={"text": text})
    message.set(INTENT, {"name": intent, "confidence": 0.2})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    return message


RANKING = [("nlu_fallback", 0.2), ("ask_treatment", 0.15), ("inform_wbc_value", 0.12)]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        # a story with a count in it, no question the classifiers place
        (
            "went to urgent care, no temp, wbc low, 3, was given antibiotics",
            "nlu_fallback",
            "inform_wbc_value",
        ),
        ("They repeated the test on Friday. Still 2.7.", "nlu_fallback", "inform_wbc_value"),
        ("I have 2 kids and feel rotten", "nlu_fallback", "nlu_fallback"),  # no count
        ("blorp florp", "nlu_fallback", "nlu_fallback"),  # no count
        ("temp 38.5 and feel awful", "nlu_fallback", "nlu_fallback"),  # a temperature, no count
        ("wbc 3.2, what causes that?", "ask_causes", "ask_causes"),  # a question type kept
        # "normal range" that is the lab's range given with the count
        ("my wbc was 0.7, vs normal of 4.5 to 11", "ask_normal_range", "inform_wbc_value"),
        ("wbc 3.2, what is the normal range?", "ask_normal_range", "ask_normal_range"),
    ],
)
def test_a_count_decides_only_an_unplaced_message(text: str, intent: str, expected: str) -> None:
    message = _message(text, intent, RANKING)
    (processed,) = CountIntent().process([message])
    chosen: dict[str, Any] = processed.get(INTENT)
    assert chosen["name"] == expected
    ranking = processed.get(INTENT_RANKING_KEY)
    assert ranking[0]["name"] == (expected if expected != intent else "nlu_fallback")
    if expected == "inform_wbc_value":
        assert chosen["confidence"] == 0.12  # what the classifier gave it
        assert [entry["name"] for entry in ranking] == [
            "inform_wbc_value",
            "nlu_fallback",
            "ask_treatment",
        ]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        # a count told, nothing asked: the reading is the answer, whatever topic the words lean to
        ("It is back to normal now, wbc at 6k, I will get a copy next week", "ask_outlook", True),
        ("A white count of 3.28 k/uL is considered low (leukopenia).", "ask_normal_range", True),
        ("My white count is only 2.1. I do not get sick.", "ask_prevention", True),
        # something is asked, in a sentence or a clause after a comma: the question type stays
        ("my wbc is 3,300, what might be causing that", "ask_causes", False),
        ("wbc 3.1 after covid, will it recover", "ask_outlook", False),
        ("chances of leukemia with a wbc of 3.5", "ask_cancer_link", False),
        ("wbc 3.5, should i make a doctor appointment", "ask_when_to_see_doctor", False),
        ("My count is 2.9. Is that bad?", "ask_when_to_see_doctor", False),
        ("on chemo, wbc 1.2 and I feel fine", "report_symptom", False),  # not a question type
    ],
)
def test_a_count_told_with_nothing_asked_is_the_count(
    text: str, intent: str, expected: bool
) -> None:
    (processed,) = CountIntent().process([_message(text, intent, RANKING)])
    assert (processed.get(INTENT)["name"] == "inform_wbc_value") is expected
