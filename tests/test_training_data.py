"""The held-out NLU test set is really held out, and big enough to mean something."""

from __future__ import annotations

from pathlib import Path

from bot.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parent.parent
MIN_TEST_EXAMPLES_PER_INTENT = 10


def _examples(paths: list[Path]) -> dict[str, list[str]]:
    """Intent -> examples, read from Rasa NLU YAML files."""
    by_intent: dict[str, list[str]] = {}
    for path in paths:
        for item in read_yaml(path).get("nlu", []):
            if "intent" not in item:
                continue
            lines = item["examples"].splitlines()
            examples = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
            by_intent.setdefault(item["intent"], []).extend(examples)
    return by_intent


TRAINING = _examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))
HELD_OUT = _examples(sorted((ROOT / "tests" / "nlu").glob("*.yml")))


def _normalized(text: str) -> str:
    return " ".join(text.casefold().split())


def test_held_out_examples_never_appear_in_training_data() -> None:
    """No test example is also a training example (case and spacing ignored)."""
    training = {_normalized(e) for examples in TRAINING.values() for e in examples}
    leaked = [e for examples in HELD_OUT.values() for e in examples if _normalized(e) in training]
    assert leaked == []


def test_held_out_set_covers_every_trained_intent() -> None:
    """Each trained intent has at least 10 held-out examples."""
    assert TRAINING, "no NLU training data found"
    for intent in TRAINING:
        assert len(HELD_OUT.get(intent, [])) >= MIN_TEST_EXAMPLES_PER_INTENT, intent


def test_held_out_intents_are_trained() -> None:
    """The test set asks only for intents the model is trained on."""
    assert set(HELD_OUT) <= set(TRAINING)
