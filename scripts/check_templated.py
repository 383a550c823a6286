"""Check the question type and subject of templated health questions (docs/understanding.md).

The questions are like "What are the symptoms of autoimmune neutropenia?", as consumer
health-question collections write them (one focus term, one question type). The focus terms
here are not among those of the training file data/nlu/templated.yml, so this checks that the
model learned the templates, not the terms.

Each question goes through the trained model in-process (Rasa's Agent, as the server parses it);
printed: question-type accuracy, subject accuracy, and the confusions.

    python scripts/check_templated.py [--model models/wbc.tar.gz] [--min-accuracy 0.85]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate_corpus import quiet_rasa  # the one way to silence Rasa here

ROOT = Path(__file__).resolve().parent.parent

# Focus term -> the subject its questions are about.
FOCUS = {
    "autoimmune neutropenia": "neutropenia",
    "Kostmann syndrome": "neutropenia",
    "cyclic neutropenia": "neutropenia",
    "myelokathexis": "neutropenia",
    "chemotherapy-induced neutropenia": "chemotherapy",
    "low blood counts during cancer treatment": "chemotherapy",
    "a low white blood cell count in children": "children",
    "neutropenia in newborns": "children",
    "neutrophilia": "high_count",
    "leukopenia in adults": "leukopenia",
}
TEMPLATES = {
    "ask_what_is_leukopenia": ["What is (are) {x}?", "What is {x}?"],
    "ask_symptoms": ["What are the symptoms of {x}?", "What are the signs and symptoms of {x}?"],
    "ask_causes": ["What causes {x}?", "Is {x} inherited?"],
    "ask_treatment": ["What are the treatments for {x}?", "How is {x} treated?"],
    "ask_diagnosis": ["How to diagnose {x}?", "How is {x} diagnosed?"],
    "ask_prevention": ["How to prevent {x}?"],
    "ask_outlook": ["What is the outlook for {x}?", "What are the complications of {x}?"],
    "ask_when_to_see_doctor": ["When to contact a medical professional for {x}?"],
}


async def _parse_all(model: Path, texts: list[str]) -> list[dict[str, object]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def main() -> int:
    """Print the accuracies and confusions; exit 1 when question types fall below --min-accuracy."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "wbc.tar.gz")
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    args = parser.parse_args()
    quiet_rasa()

    cases = [
        (template.format(x=focus), intent, subject)
        for intent, templates in TEMPLATES.items()
        for template in templates
        for focus, subject in FOCUS.items()
    ]
    parses = asyncio.run(_parse_all(args.model, [text for text, _, _ in cases]))
    type_right = subject_right = 0
    confusions: Counter[tuple[str, str]] = Counter()
    for (_, intent, subject), parse in zip(cases, parses, strict=True):
        got = str((parse.get("intent") or {}).get("name"))  # type: ignore[union-attr]
        entities = parse.get("entities") or []
        got_subject = next(
            (e["value"] for e in entities if e.get("entity") == "subject"),  # type: ignore[union-attr]
            None,
        )
        type_right += got == intent
        subject_right += got_subject == subject
        if got != intent:
            confusions[(intent, got)] += 1
    n = len(cases)
    print(f"templated questions ({n}, focus terms not trained on)")
    print(f"  question type accuracy  {type_right / n:.3f}")
    print(f"  subject accuracy        {subject_right / n:.3f}")
    for (want, got), count in confusions.most_common(8):
        print(f"  {count:3d} x {want} read as {got}")
    return 0 if type_right / n >= args.min_accuracy else 1


if __name__ == "__main__":
    sys.exit(main())
