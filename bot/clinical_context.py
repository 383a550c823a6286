"""What a message says about the person besides lab values: temperature, red flags (not negated),
cancer treatment, "I have neutropenia", age and sex.

Negation follows NegEx: a cue ("no", "without", "denies", "n't") negates the phrases after it
until a scope ends ("but", ".", "and I"); "fever: no" and "fever-free" negate backwards;
"not sure if" is not a negation. "No fever or chills" is neither a fever nor chills.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import ranges
from bot.ages import Age, find_ages
from bot.matchers import context_matcher, matched_spans, red_flag_matcher, red_flag_specs
from bot.model import ClinicalContext, LabValue, RedFlag, RedFlagKind, Sex
from bot.ranges import fever_threshold_c
from bot.temperature import Temperature, find_temperatures

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

NEGATION_SCOPE_TOKENS = 6
POST_NEGATION_TOKENS = 3
QUESTION_WINDOW_TOKENS = 3

_STANDALONE_NO = frozenset({",", ".", "!", "?", ":", ";"})  # "No, I have a fever" is an answer


def read_context(
    doc: Doc,
    values: Sequence[LabValue] = (),
    temperatures: Sequence[Temperature] | None = None,
) -> ClinicalContext:
    """The clinical context of one message (`temperatures`: those not read as counts)."""
    cues = matched_spans(context_matcher(), doc)
    negations = _Negation(doc, cues)
    if temperatures is None:
        temperatures = find_temperatures(doc.text)
    temperature_c = max((t.celsius for t in temperatures), default=None)
    symptom_spans = matched_spans(red_flag_matcher(), doc)
    red_flags = _red_flags(doc, symptom_spans, negations, temperature_c, temperatures)
    age = _age_of_person(find_ages(doc.text), values)
    fever_words = [s for s in symptom_spans if s.label_ == "fever" and not negations.negates(s)]
    below = temperature_c is not None and temperature_c < fever_threshold_c()
    return ClinicalContext(
        temperature_c=temperature_c,
        red_flags=tuple(red_flags),
        on_cancer_treatment=any(
            span.label_ == "cancer_treatment" and not negations.negates(span) for span in cues
        ),
        says_low_count=any(
            span.label_ == "low_count"
            and not negations.negates(span)
            and not _asked_about(span, cues)
            for span in cues
        ),
        age_years=None if age is None else age.years,
        sex=_sex(cues, age),
        negated=_negated(symptom_spans, cues, negations, temperature_c),
        relative=_relative(doc.text, age),
        fever_below_threshold=below and bool(fever_words),
    )


class _Negation:
    """NegEx-style negation scopes of one message."""

    def __init__(self, doc: Doc, cues: Sequence[Span]) -> None:
        self._doc = doc
        pseudo = [span for span in cues if span.label_ == "negation_pseudo"]
        self._before = [
            span
            for span in cues
            if span.label_ == "negation_before"
            and not any(p.start <= span.start < p.end for p in pseudo)
            and not _standalone_no(doc, span)
        ]
        self._after = [span for span in cues if span.label_ == "negation_after"]
        self._scope_ends = [span for span in cues if span.label_ == "scope_end"]

    def negates(self, span: Span) -> bool:
        """True when `span` sits inside a negation scope."""
        for cue in self._before:
            in_reach = cue.end <= span.start and span.start - cue.end <= NEGATION_SCOPE_TOKENS
            if in_reach and not any(cue.end <= end.start < span.start for end in self._scope_ends):
                return True
        for cue in self._after:
            if 0 <= cue.start - span.end <= POST_NEGATION_TOKENS:
                between = self._doc[span.end : cue.start]
                if not any(token.is_punct and token.text in ".!?;" for token in between):
                    return True
        return False


def _standalone_no(doc: Doc, cue: Span) -> bool:
    return cue.text.lower() == "no" and cue.end < len(doc) and doc[cue.end].text in _STANDALONE_NO


def _red_flags(
    doc: Doc,
    spans: Sequence[Span],
    negations: _Negation,
    temperature_c: float | None,
    temperatures: Sequence[Temperature],
) -> list[RedFlag]:
    specs = {spec.name: spec for spec in red_flag_specs()}
    present_extras = {
        span.label_.split(":", 1)[0]
        for span in spans
        if span.label_.endswith(":requires") and not negations.negates(span)
    }
    flags: dict[str, RedFlag] = {}
    for span in spans:
        spec = specs.get(span.label_)
        if spec is None or spec.name in flags or negations.negates(span):
            continue
        if spec.requires_any and spec.name not in present_extras:
            continue
        if spec.not_followed_by and _followed_by(doc, span, spec.not_followed_by):
            continue
        if spec.puzzled_sense and _puzzled(doc, span):
            continue
        if spec.name == "fever" and temperature_c is not None:
            continue  # a measured temperature decides whether there is a fever
        flags[spec.name] = RedFlag(spec.name, RedFlagKind(spec.kind), span.text, span.start_char)
    if temperature_c is not None and temperature_c >= fever_threshold_c():
        hottest = max(temperatures, key=lambda temperature: temperature.celsius)
        flags["fever"] = RedFlag("fever", RedFlagKind.FEVER, hottest.text, hottest.start)
    return sorted(flags.values(), key=lambda flag: flag.start)


def red_flag_named(name: str) -> RedFlag:
    """A red flag remembered by name from an earlier message (no text position)."""
    kinds = {spec.name: spec.kind for spec in red_flag_specs()}
    return RedFlag(name, RedFlagKind(kinds.get(name, RedFlagKind.FEVER.value)), name, -1)


def _negated(
    symptom_spans: Sequence[Span],
    cues: Sequence[Span],
    negations: _Negation,
    temperature_c: float | None,
) -> tuple[str, ...]:
    """Red flags and cancer treatment the person says they do not have ("no fever", "not on
    chemo"); a measured temperature below the fever threshold also says "no fever"."""
    names = [
        span.label_
        for span in symptom_spans
        if not span.label_.endswith(":requires") and negations.negates(span)
    ]
    names += [
        "cancer_treatment"
        for span in cues
        if span.label_ == "cancer_treatment" and negations.negates(span)
    ]
    if temperature_c is not None and temperature_c < fever_threshold_c():
        names.append("fever")
    return tuple(dict.fromkeys(names))


_QUESTION_WORDS = frozenset(
    {"what", "what's", "whats", "why", "how", "does", "do", "is", "are", "can", "could"}
    | {"should", "would", "which", "when", "where", "who", "pls", "please", "help", "explain"}
)
_FIRST_PERSON = frozenset({"i", "i'm", "im", "me", "we", "we're"})
_BETWEEN_SUBJECT_AND_WORD = frozenset(
    {"'m", "’m", "m", "am", "are", "'re", "a", "bit", "little", "so", "really", "very", "totally"}
    | {"quite", "kind", "kinda", "of", "sort", "just", "completely", "super", "too", "still"}
    | {"feel", "feeling", "getting", "honestly", "all", "rather", "more", "even", "now"}
)
_CLAUSE_GLUE = frozenset({",", ".", ":", ";", "-", "!", "…", "and", "so", "but", "because"})
# "I'm confused, my wbc is 2.4", "confused - the lab says 3.9": the result comes next.
_RESULT_WORDS = frozenset(
    {"result", "results", "report", "lab", "labs", "test", "tests", "numbers", "number"}
    | {"values", "value", "bloods", "bloodwork", "cbc", "wbc", "count", "counts", "range"}
    | {"white", "anc", "neutrophils", "report's", "lab's", "test's"}
)
_RESULT_WINDOW_TOKENS = 3
# "I'm confused and dizzy": a state of the person, the sign whatever question follows.
_STATE_WORDS = frozenset(
    {"dizzy", "drowsy", "sleepy", "disoriented", "lightheaded", "light-headed", "faint", "weak"}
    | {"shaky", "feverish", "unwell", "sick", "ill", "forgetful", "lost", "agitated", "slurring"}
    | {"tired", "exhausted", "groggy", "can't", "cannot", "cant", "keep", "keeps"}
)


def _puzzled(doc: Doc, span: Span) -> bool:
    """ "Confused" as puzzled about the result, not the emergency sign (section 5).

    The writer speaks of themself ("I'm so confused") or starts with the word, and a question
    follows or the message asks one; "my mother is confused, what should I do?" stays the sign.
    """
    cursor = span.start - 1
    while cursor >= 0 and doc[cursor].lower_ in _BETWEEN_SUBJECT_AND_WORD:
        cursor -= 1
    first_person = cursor >= 0 and doc[cursor].lower_ in _FIRST_PERSON
    if not (first_person or cursor < 0 or doc[cursor].is_punct):
        return False
    after = span.end
    while after < len(doc) and doc[after].lower_ in _CLAUSE_GLUE:
        after += 1
    if after < len(doc) and doc[after].lower_ in _STATE_WORDS:
        return False
    question_follows = after < len(doc) and doc[after].lower_ in _QUESTION_WORDS
    rest = doc[span.end :]
    asks = any(token.text == "?" or token.lower_ in ("what", "mean", "means") for token in rest)
    return question_follows or (first_person and asks) or _result_follows(doc, span)


def _result_follows(doc: Doc, span: Span) -> bool:
    """ "Confused - the lab says 3.9": after punctuation only (not "and"), the result is named."""
    after = span.end
    if after >= len(doc) or not doc[after].is_punct:
        return False
    while after < len(doc) and doc[after].is_punct:
        after += 1
    window = doc[after : after + _RESULT_WINDOW_TOKENS]
    return any(token.lower_ in _RESULT_WORDS for token in window)


def _followed_by(doc: Doc, span: Span, words: frozenset[str]) -> bool:
    return span.end < len(doc) and doc[span.end].lower_ in words


def _asked_about(span: Span, cues: Sequence[Span]) -> bool:
    """ "What is neutropenia?" asks about the word; it does not say the person has it."""
    return any(
        cue.label_ == "question_about" and 0 <= span.start - cue.end <= QUESTION_WINDOW_TOKENS
        for cue in cues
    )


def _age_of_person(ages: Sequence[Age], values: Sequence[LabValue]) -> Age | None:
    """The age nearest before the first count (whose count it is), else the first age."""
    if not ages:
        return None
    if values:
        first_value = values[0].start
        before = [age for age in ages if age.start < first_value]
        if before:
            return before[-1]
    return ages[0]


_RELATIVES = (
    "son|daughter|child|kid|baby|boy|girl|toddler|infant|newborn|husband|wife|partner|mom|mum|"
    "mother|dad|father|brother|sister|grandson|granddaughter|grandmother|grandfather|grandma|"
    "grandpa|aunt|uncle|niece|nephew|friend|patient|teenager|teen|twins?|stepson|"
    "stepdaughter|stepmom|stepmum|stepdad|boyfriend|girlfriend|fianc[ée]e?|grandchild|grandkid|"
    "granny|grandad|granddad|nan|nana|cousin|neighbou?r|colleague|roommate"
)
# "my 3 year old daughter's", or a message that starts with the person: "Daughter 7 years old".
_RELATIVE = re.compile(
    rf"(?:\b(?:my|our)[ \t]+(?:[\w-]+[ \t]+){{0,3}}?|^[ \t]*)(?P<who>{_RELATIVES})"
    r"(?:'s|’s|s)?\b",
    re.I,
)
_CHILD_AGE = re.compile(r"\b(?:my|our)[ \t]+\d", re.I)
# "her wbc", "his white count": a count of someone the message does not name.
PRONOUN_OWNERS = ("her", "his", "their")
_PRONOUN_COUNT = re.compile(
    r"\b(?P<who>her|his|their)[ \t]+(?:[\w-]+[ \t]+){0,2}?"
    r"(?:wbc|white|leukocytes?|leucocytes?|anc|neutrophils?|counts?|blood|results?|labs?)\b",
    re.I,
)


def _relative(text: str, age: Age | None) -> str | None:
    """Whose count it is when it is not the writer's: "daughter", or "child" for "my 3 year old"."""
    match = _RELATIVE.search(text)
    if match:
        return match.group("who").lower()
    if age is not None and _CHILD_AGE.search(text) and ranges.is_child(age.years):
        return "child"
    pronoun = _PRONOUN_COUNT.search(text)
    return pronoun.group("who").lower() if pronoun else None


def _sex(cues: Sequence[Span], age: Age | None) -> Sex | None:
    if age is not None and age.sex is not None:
        return Sex(age.sex)
    for labels in (("female", "male"), ("female_pronoun", "male_pronoun")):
        for span in cues:
            if span.label_ in labels:
                return Sex.FEMALE if span.label_ == labels[0] else Sex.MALE
    return None
