"""The subject of a question (bot/judge/subjects.py): one row per rule, then the realistic corpus.

The rules were fitted on the training part of the corpus (tests/corpus/); the held-out part is
the check (docs/understanding.md, "Subject").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.judge.subjects import subject_of
from bot.model import Subject
from bot.read.parse import parse_text
from bot.yaml_files import read_yaml

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
HELD_OUT_FLOOR = 0.93  # measured 0.966 when the rules were written

CASES = [
    # (message, subject): the first rule that applies wins
    ("what causes a low white count?", Subject.LEUKOPENIA),
    ("my wbc is 3.2, is that bad?", Subject.LEUKOPENIA),
    ("How do I avoid infections while my counts are low from chemo?", Subject.CHEMOTHERAPY),
    ("Mum's bloods after cycle 2: WBC 2.3, ANC 1.1. What do they mean?", Subject.CHEMOTHERAPY),
    ("What is febrile neutropenia? Dad is on chemo.", Subject.CHEMOTHERAPY),
    ("my oncologist wants me on filgrastim, how does it work?", Subject.CHEMOTHERAPY),
    ("I'm not on chemo, why would my wbc be 3.1?", Subject.LEUKOPENIA),
    ("what causes neutropenia in babies?", Subject.CHILDREN),
    ("My 3 year old has a wbc of 5.1, what does it mean?", Subject.CHILDREN),
    ("our son's white count is 4.0, should we worry?", Subject.CHILDREN),
    ("My daughter is 24 and her wbc is 3.9. Is that low?", Subject.LEUKOPENIA),
    ("What is cyclic neutropenia?", Subject.NEUTROPENIA),
    ("My son has congenital neutropenia. Will he grow out of it?", Subject.NEUTROPENIA),
    ("ANC 1.1 and WBC 3.6 again. What does that mean?", Subject.NEUTROPENIA),
    ("WBC 2.7, neutrophils 1.2. Why all those tests?", Subject.LEUKOPENIA),
    ("what is a normal neutrophil count?", Subject.NEUTROPENIA),
    ("my wbc is 14.2, what could cause that?", Subject.HIGH_COUNT),
    ("what is leukocytosis?", Subject.HIGH_COUNT),
    ("What can cause a high white count?", Subject.HIGH_COUNT),
    ("my wbc is 3.1 and flagged low, is it high risk?", Subject.LEUKOPENIA),
    ("my urine test shows a high white cell count", Subject.LEUKOPENIA),  # not a blood count
    ("I'm 28 weeks pregnant and my wbc is 11.5, is that high?", Subject.HIGH_COUNT),
]


@pytest.mark.parametrize(("text", "subject"), CASES)
def test_subject_rules(text: str, subject: Subject) -> None:
    assert subject_of(parse_text(text)) is subject


def test_held_out_corpus_subject_accuracy() -> None:
    """On messages the rules were never fitted to, the subject is right at least 93% of the time."""
    entries = read_yaml(CORPUS / "heldout.yml")
    right = sum(subject_of(parse_text(e["text"])).value == e["subject"] for e in entries)
    assert right / len(entries) >= HELD_OUT_FLOOR
