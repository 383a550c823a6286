"""components/question_classifier.py: sentences, questions, a train-save-load-parse round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.question_classifier import (
    QuestionIntentClassifier,
    is_question,
    normalized,
    sentence_weights,
    sentences,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My WBC is 3.2. Is that low?", ["My WBC is 3.2.", "Is that low?"]),
        ("temp 38.5 and ANC 0.4! what now", ["temp 38.5 and ANC 0.4!", "what now"]),
        ("WBC 3.0\nRBC 4.5\nWhat does it mean?", ["WBC 3.0", "RBC 4.5", "What does it mean?"]),
        ("is it normal?my son is 4", ["is it normal?", "my son is 4"]),
        ("3,200 cells/µL", ["3,200 cells/µL"]),
        ("", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Is that low?",
        "what does it mean",
        "why is my count low",
        "I'd like to understand why it keeps dropping.",
        "Do I need to worry about it",
        "Would it make sense to ask for a blood smear.",
        "Can someone explain the result please",
        "I'm wondering whether to call the GP.",
    ],
)
def test_questions(sentence: str) -> None:
    assert is_question(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "My husband is 58 and otherwise healthy.",
        "The doctor said to repeat it in a month.",
        "Chemo diary, cycle 3 day 9.",
        "WBC 3.1 L (4.0-10.0)",
    ],
)
def test_story_sentences(sentence: str) -> None:
    assert not is_question(sentence)


def test_normalized() -> None:
    """Lower case, American spelling, every number one token."""
    assert normalized("Leukaemia? WBC 3.2, Paediatric") == "leukemia? wbc  0 , pediatric"


def test_sentence_weights() -> None:
    """Question sentences weigh most; with no question, every part weighs the same."""
    assert sentence_weights(["My son is 4.", "Is that low?"], 1.0, 2.0, 0.5) == [1.0, 0.5, 2.0]
    assert sentence_weights(["My son is 4.", "WBC 3.2."], 1.0, 2.0, 0.5) == [1.0, 1.0, 1.0]


EXAMPLES = {
    "ask_causes": [
        "what causes a low white count",
        "why is my white count low",
        "what could make the wbc drop",
        "My wife is 40 and feels fine. Why would her white count be low?",
    ],
    "ask_treatment": [
        "how do i raise my white count",
        "is there a treatment for a low wbc",
        "what can I take to increase white cells",
        "My dad is 70 and feels fine. How can we raise his white count?",
    ],
    "ask_when_to_see_doctor": [
        "should i see a doctor",
        "do i need to go to the hospital",
        "is this urgent",
        "My son is 6 and feels fine. Should we see a doctor today?",
    ],
    "out_of_scope": ["what is diabetes", "tell me a joke", "how do i cook rice"],
}


def _training_data() -> TrainingData:
    return TrainingData(
        [
            Message(data={"text": text, "intent": intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )


def _component(storage: LocalModelStorage, **config: object) -> QuestionIntentClassifier:
    context = ExecutionContext(GraphSchema({}), node_name="question_classifier")
    return QuestionIntentClassifier.create(
        {**QuestionIntentClassifier.get_default_config(), **config},
        storage,
        Resource("question_classifier"),
        context,
    )


@pytest.mark.slow
def test_trained_model_is_saved_loaded_and_finds_the_question(tmp_path: Path) -> None:
    """A trained model finds the question, is saved and loads back.

    A long story is classified by its question; the questions are listed; a sample that is not blood
    is out_of_scope; the model loads back from storage.
    """
    storage = LocalModelStorage(tmp_path)
    resource = _component(storage).train(_training_data())
    context = ExecutionContext(GraphSchema({}), node_name="question_classifier")
    loaded = QuestionIntentClassifier.load(
        QuestionIntentClassifier.get_default_config(), storage, resource, context
    )
    story = (
        "My mother is 81 and lives alone. She saw her doctor last week and had a blood test. "
        "The count came back at 3.1. How can we raise her white count?"
    )
    urine = "My urine test shows white cells 10-15 per hpf. What does that mean?"
    messages = [Message(data={"text": story}), Message(data={"text": urine})]
    loaded.process(messages)
    intent = messages[0].get("intent")
    ranking = messages[0].get("intent_ranking")
    assert intent["name"] == "ask_treatment"
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True
    )
    assert [q["text"] for q in messages[0].get("questions")] == [
        "How can we raise her white count?"
    ]
    assert messages[1].get("intent")["name"] == "out_of_scope"


def test_untrained_component_leaves_messages_alone(tmp_path: Path) -> None:
    """Nothing stored (no intent examples): load gives a component that sets no intent."""
    storage = LocalModelStorage(tmp_path)
    component = _component(storage)
    assert component.train(TrainingData([])) is not None
    context = ExecutionContext(GraphSchema({}), node_name="question_classifier")
    loaded = QuestionIntentClassifier.load({}, storage, Resource("missing"), context)
    message = Message(data={"text": "what causes it?"})
    loaded.process([message])
    assert message.get("intent") is None
