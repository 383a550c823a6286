"""What a question is about: its subject (docs/understanding.md, "Subject").

A message has a question type (the NLU intent: causes, treatment, ...) and a subject: a low white
count in general (leukopenia, the default), neutropenia, cancer treatment, a child, or a high
count. The answer is chosen by both (bot.reply.content.topic_answer), so "how do I avoid infections
during chemo?" gets the chemotherapy answer to prevention, not the general one.

The subject is decided by a short list of rules, read top to bottom; the first that applies wins.
The order comes from the training part of the realistic corpus (tests/corpus/train.yml): a story
about cancer treatment is about the treatment even when neutropenia is named; a named child is
about children even when neutrophils are counted; neutropenia named as a condition wins over a
son or daughter of unknown age. The cue words are in data/vocabulary.yml (`subject_cues`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bot.judge.interpret import categorise
from bot.model import Analyte, Category, ParsedText, Subject
from bot.read.matchers import matched_spans, phrase_matcher, tokens_of, vocabulary
from bot.reference import ranges

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher

CUE_GROUPS = (
    "cancer_treatment_more",
    "cancer_care",
    "neutropenia_named",
    "neutrophils_named",
    "child_words",
    "offspring_words",
    "high_words",
)
_HIGH = frozenset({Category.HIGH, Category.CRITICALLY_HIGH})
_LOW = frozenset({Category.LOW, Category.CRITICALLY_LOW, Category.BORDERLINE_LOW})


def subject_of(parsed: ParsedText) -> Subject:
    """The subject of one parsed message (bot.read.parse.parse_text)."""
    context = parsed.context
    if context.other_specimen:
        return Subject.LEUKOPENIA  # white cells in urine, spinal fluid ...: not a blood subject
    cues = _cues(parsed)
    age = context.age_years
    adult = age is not None and not ranges.is_child(age)
    categories = [
        categorise(value.analyte, value.cells_per_ul, age, value.lab_range).category
        for value in parsed.values
    ]
    treatment_denied = "cancer_treatment" in context.negated
    if context.on_cancer_treatment or ("cancer_treatment_more" in cues and not treatment_denied):
        return Subject.CHEMOTHERAPY
    if (age is not None and ranges.is_child(age)) or ("child_words" in cues and not adult):
        return Subject.CHILDREN
    if "neutropenia_named" in cues:
        return Subject.NEUTROPENIA
    if "offspring_words" in cues and not adult:
        return Subject.CHILDREN
    if "cancer_care" in cues and not treatment_denied:
        return Subject.CHEMOTHERAPY
    if any(category in _HIGH for category in categories):
        return Subject.HIGH_COUNT
    if _neutrophils_asked(parsed, cues):
        return Subject.NEUTROPENIA
    if "high_words" in cues and not any(category in _LOW for category in categories):
        return Subject.HIGH_COUNT
    return Subject.LEUKOPENIA


def _neutrophils_asked(parsed: ParsedText, cues: frozenset[str]) -> bool:
    """An ANC given first, or neutrophils named with no white count: the question is about them."""
    if parsed.values:
        return parsed.values[0].analyte is Analyte.ANC
    return "neutrophils_named" in cues


def _cues(parsed: ParsedText) -> frozenset[str]:
    """The subject cue groups the message names, read from its tokens (cut once, by the parser)."""
    return frozenset(span.label_ for span in matched_spans(_matcher(), tokens_of(parsed)))


@cache
def _matcher() -> PhraseMatcher:
    groups = vocabulary()["subject_cues"]
    return phrase_matcher({name: groups[name] for name in CUE_GROUPS})
