"""What a message says about the person besides lab values.

That is the temperature, red flags, cancer treatment or an immune-lowering medicine, "I have
neutropenia", age and sex.

Each counts only when it is present now (bot/read/assertion.py: not negated in its own clause, not
hypothetical, not long over, not a word in another sense).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from bot.model import ClinicalContext, LabValue, Pregnancy, RedFlag, RedFlagKind, Sex
from bot.read.ages import Age, find_ages
from bot.read.assertion import Assertions
from bot.read.matchers import (
    RedFlagSpec,
    context_matcher,
    immune_lowering_pattern_spans,
    matched_spans,
    red_flag_matcher,
    red_flag_pattern_spans,
    red_flag_specs,
)
from bot.read.temperature import Temperature, find_temperatures
from bot.reference import ranges
from bot.reference.ranges import fever_threshold_c

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

QUESTION_WINDOW_TOKENS = 3
TREATMENT_LABELS = ("cancer_treatment", "immune_lowering")


def read_context(
    doc: Doc,
    values: Sequence[LabValue] = (),
    temperatures: Sequence[Temperature] | None = None,
) -> ClinicalContext:
    """The clinical context of one message (`temperatures`: those not read as counts).

    Every sign, temperature and treatment counts only when it is present now
    (bot/read/assertion.py).
    """
    cues = [*matched_spans(context_matcher(), doc), *immune_lowering_pattern_spans(doc)]
    symptom_spans = [
        *matched_spans(red_flag_matcher(), doc, per_label=True),
        *red_flag_pattern_spans(doc),
    ]
    if temperatures is None:
        temperatures = find_temperatures(doc.text)
    temperature_spans = {t: _temperature_span(doc, t) for t in temperatures}
    signs = [*symptom_spans, *(span for span in temperature_spans.values() if span is not None)]
    assertions = Assertions(doc, cues, signs)
    measured = [
        t for t, span in temperature_spans.items() if span is None or assertions.present(span)
    ]
    # "My nurse said ring if I hit 37.5; I'm 37.7": the number the team gave is the fever line.
    thresholds = [t.celsius for t in temperatures if t not in measured]
    temperatures = measured
    temperature_c = max((t.celsius for t in temperatures), default=None)
    age = _age_of_person(find_ages(doc.text), values)
    relative = _relative(doc.text, age)
    child = _young_child(doc, age, relative)
    red_flags = _red_flags(doc, symptom_spans, assertions, temperature_c, temperatures, child)
    if _over_own_threshold(temperature_c, thresholds) and not any(
        flag.name == "fever" for flag in red_flags
    ):
        red_flags.append(RedFlag("fever", RedFlagKind.FEVER, str(temperature_c), -1))
    fever_words = [s for s in symptom_spans if s.label_ == "fever" and assertions.present(s)]
    below = temperature_c is not None and temperature_c < fever_threshold_c()
    treatments = [
        span
        for span in cues
        if span.label_ in TREATMENT_LABELS and assertions.present(span, treatment=True)
    ]
    return ClinicalContext(
        temperature_c=temperature_c,
        red_flags=tuple(red_flags),
        on_cancer_treatment=bool(treatments),
        treatment=_treatment_word(treatments),
        says_low_count=any(
            span.label_ == "low_count" and assertions.present(span) and not _asked_about(span, cues)
            for span in cues
        ),
        age_years=None if age is None else age.years,
        sex=_sex(cues, age),
        negated=_negated(symptom_spans, cues, assertions, temperature_c),
        relative=relative,
        fever_below_threshold=below and bool(fever_words),
        pregnancy=_pregnancy(doc, cues, assertions, age, relative),
    )


# "20 weeks pregnant", "28+3 weeks", "pregnant (34 wks)", "in my third trimester".
_PREGNANCY_WEEKS = re.compile(
    r"\b(?P<weeks>\d{1,2})(?:[ \t]*\+[ \t]*\d)?[ \t]*(?:weeks?|wks?|w)\b"
    r"(?=[^.!?\n]{0,25}\b(?:pregnan\w*|along|gestation|expecting)\b)"
    r"|\bpregnan\w*\b[^.!?\n]{0,25}?\b(?P<after>\d{1,2})"
    r"(?:[ \t]*\+[ \t]*\d)?[ \t]*(?:weeks?|wks?)\b",
    re.I,
)
_TRIMESTER_WEEKS = {
    "first": 8.0,
    "1st": 8.0,
    "second": 20.0,
    "2nd": 20.0,
    "third": 32.0,
    "3rd": 32.0,
}
_TRIMESTER = re.compile(r"\b(?P<which>first|1st|second|2nd|third|3rd)[ \t]+trimester\b", re.I)
_NOT_PREGNANT_PEOPLE = frozenset({"husband", "son", "dad", "father", "brother", "boy", "grandpa"})


def _pregnancy(
    doc: Doc, cues: Sequence[Span], assertions: Assertions, age: Age | None, relative: str | None
) -> Pregnancy | None:
    """Pregnant now (not "my last pregnancy", not "not pregnant"), and how far along."""
    said = [span for span in cues if span.label_ == "pregnant" and assertions.present(span)]
    if not said or relative in _NOT_PREGNANT_PEOPLE:
        return None
    if age is not None and age.years < MIN_PREGNANCY_AGE:
        return None
    found = _PREGNANCY_WEEKS.search(doc.text)
    if found:
        return Pregnancy(float(found.group("weeks") or found.group("after")))
    trimester = _TRIMESTER.search(doc.text)
    if trimester:
        return Pregnancy(_TRIMESTER_WEEKS[trimester.group("which").lower()])
    return Pregnancy()


MIN_PREGNANCY_AGE = 10


def _temperature_span(doc: Doc, temperature: Temperature) -> Span | None:
    """Return the tokens of a temperature, so that one not measured now can be left out.

    As in "if it reaches 38.5" or "39 as a toddler".
    """
    end = temperature.start + len(temperature.text)
    return doc.char_span(temperature.start, end, label="temperature", alignment_mode="expand")


def _over_own_threshold(temperature_c: float | None, thresholds: Sequence[float]) -> bool:
    """Tell whether a temperature reaches the number the person was told to call at.

    As in "ring if I hit 37.5". Only a number below the usual 38.0 °C counts (NICE CG151: follow the
    team's number).
    """
    if temperature_c is None:
        return False
    own = [t for t in thresholds if ranges.team_fever_from_c() <= t < fever_threshold_c()]
    return bool(own) and temperature_c >= min(own)


def _treatment_word(treatments: Sequence[Span]) -> str | None:
    """Return how the person named the treatment ("chemo", "clozapine").

    A medicine's own name is preferred, else the treatment's.
    """
    medicines = [span for span in treatments if span.label_ == "immune_lowering"]
    named = [span for span in treatments if span[-1].lower_ not in _CARE_WORDS]
    chosen = (medicines or named)[:1]
    return chosen[0].text.lower() if chosen else None


# "My chemo nurse", "the oncology team": the person is on treatment, but "tell the staff you
# are on chemo nurse" is no way to name it (the reply then says "chemo").
_CARE_WORDS = frozenset({"nurse", "nurses", "unit", "team", "ward", "clinic", "line", "doctor"})


_CHILD_WORDS = frozenset({"baby", "infant", "newborn", "toddler", "babies", "bub", "bubba"})
_CHILD_RELATIVES = frozenset({"son", "daughter", "child", "kid", "boy", "girl", "twins", "twin"})
_NAPPY_WORDS = frozenset({"nappy", "nappies", "diaper", "diapers"})
YOUNG_CHILD_BELOW_YEARS = 5  # NICE NG143: fever in under 5s
# "hes 5 months", "she is 7 weeks": an age in weeks or months is a baby's.
_BABY_AGE = re.compile(
    r"(?<!for )(?<!over )(?<!past )(?<!last )(?<!in )"
    r"\b\d{1,2}[ \t]*(?:-[ \t]*)?(?:weeks?|wks?|months?|mos?)\b"
    r"(?![ \t]+(?:ago|of|into|post|since|later|pregnant|gestation))",
    re.I,
)


def _young_child(doc: Doc, age: Age | None, relative: str | None) -> bool:
    """Tell whether the person is a baby or young child, to whom NICE NG143's signs apply.

    Under 5, or called a baby; a son or daughter of unknown age counts (when unsure, the sign
    counts).
    """
    if age is not None:
        return age.years < YOUNG_CHILD_BELOW_YEARS
    if any(token.lower_ in _CHILD_WORDS or token.lower_ in _NAPPY_WORDS for token in doc):
        return True
    if _BABY_AGE.search(doc.text):
        return True
    return relative in _CHILD_WORDS or relative in _CHILD_RELATIVES


def _red_flags(
    doc: Doc,
    spans: Sequence[Span],
    assertions: Assertions,
    temperature_c: float | None,
    temperatures: Sequence[Temperature],
    child: bool,
) -> list[RedFlag]:
    specs = {spec.name: spec for spec in red_flag_specs()}
    present = [span for span in spans if assertions.present(span)]
    present_extras = {
        span.label_.split(":", 1)[0] for span in present if span.label_.endswith(":requires")
    }
    flags: dict[str, RedFlag] = {}
    for span in present:
        spec = specs.get(span.label_)
        if spec is None or spec.name in flags:
            continue
        if spec.not_followed_by and _followed_by(doc, span, spec.not_followed_by):
            continue
        if spec.puzzled_sense and _puzzled(doc, span):
            continue
        if _a_term_asked_about(doc, span):
            continue
        if spec.requires_child and not child:
            continue
        if spec.name == "fever" and temperature_c is not None:
            continue  # a measured temperature decides whether there is a fever
        flags[spec.name] = RedFlag(spec.name, RedFlagKind(spec.kind), span.text, span.start_char)
    if temperature_c is not None and temperature_c >= fever_threshold_c():
        hottest = max(temperatures, key=lambda temperature: temperature.celsius)
        flags["fever"] = RedFlag("fever", RedFlagKind.FEVER, hottest.text, hottest.start)
    fever = any(flag.kind is RedFlagKind.FEVER or flag.name == "rigors" for flag in flags.values())
    for name in [name for name in flags if _needs_company(specs.get(name))]:
        spec = specs[name]
        if not ((spec.with_fever and fever) or name in present_extras):
            del flags[name]
    # Any duration said in a sentence about a fever: when unsure, it counts.
    fever_sentences = [
        sentence.text
        for sentence in _sentences(doc)
        if _FEVER_TALK.search(sentence.text)
        or any(sentence.start_char <= t.start < sentence.end_char for t in temperatures)
    ]
    if fever and _long_fever(" ".join(fever_sentences), _today_named(doc.text)):
        flags[LONG_FEVER] = RedFlag(LONG_FEVER, RedFlagKind.FEVER_DURATION, "", -1)
    return sorted(flags.values(), key=lambda flag: flag.start)


def _needs_company(spec: RedFlagSpec | None) -> bool:
    return spec is not None and (spec.with_fever or bool(spec.requires_any))


LONG_FEVER = "fever_over_3_days"
_NUMBER_WORDS = {"four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "ten": 10, "several": 4}
# "fever for 4 days", "a fever 4 days now", "since last week", "for over a week" (not "4 days
# ago", which dates something else).
_DURATION = re.compile(
    r"(?<!\bin )(?<!\bwithin )\b"
    r"(?:(?P<days>\d{1,2}|four|five|six|seven|eight|ten|several)[ \t]+(?:days?|d)\b"
    r"|(?:a|one|two|three|\d)[ \t]+weeks?\b|since[ \t]+last[ \t]+week\b)"
    r"(?![ \t]+(?:ago|course|of|old|after|post|before|pregnant|later))",
    re.IGNORECASE,
)
_FEVER_DAYS = 3  # MedlinePlus, Fever: call when a fever lasts more than 3 days (adults)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = (
    r"(?P<day>(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?)"
)
# "fever since Friday" (counted to today), "today is Tuesday" (the day it is, when said).
_SINCE_WEEKDAY = re.compile(
    rf"\b(?:since|(?:started|began|begun|came on|come on)(?:[ \t]+on)?)[ \t]+(?:last[ \t]+)?"
    rf"{_WEEKDAY}\b",
    re.IGNORECASE,
)
# A sentence about a fever: a duration said in it is the fever's ("fever for 4 days"), not one
# said elsewhere ("running twice a week", "she was better in four days").
_FEVER_TALK = re.compile(
    r"\b(?:fevers?|febrile|feverish|temp|temps|temperature|temperatures|pyrexi\w*|hot"
    r"|burning up)\b",
    re.IGNORECASE,
)
_TODAY_IS = re.compile(rf"\btoday(?:[ \t]+is|['’]s)[ \t]+{_WEEKDAY}\b", re.IGNORECASE)


def _long_fever(text: str, today: int | None = None) -> bool:
    """Tell whether a fever is said to have lasted more than 3 days (MedlinePlus, Fever).

    "for 4 days", or "since Friday" said on a Tuesday: the day `text` names ("today is
    Tuesday"), else `today` (Monday 0 .. Sunday 6), else the clock's.
    """
    since = _SINCE_WEEKDAY.search(text)
    if since is not None:
        named = _today_named(text)
        today = named if named is not None else today
        if today is None:
            today = date.today().weekday()
        days_since = (today - _WEEKDAYS.index(since.group("day")[:3].lower())) % 7 or 7
        if days_since > _FEVER_DAYS:
            return True
    for match in _DURATION.finditer(text):
        days = match.group("days")
        if days is None:
            return True
        number = int(days) if days.isdigit() else _NUMBER_WORDS[days.lower()]
        if number > _FEVER_DAYS:
            return True
    return False


def _today_named(text: str) -> int | None:
    """The day of the week the message says it is ("today is Tuesday"), Monday 0."""
    named = _TODAY_IS.search(text)
    return None if named is None else _WEEKDAYS.index(named.group("day")[:3].lower())


def _sentences(doc: Doc) -> list[Span]:
    """Split the message into sentences at a full stop, question or exclamation mark, or new line.

    The blank pipeline has no sentence splitter.
    """
    sentences, start = [], 0
    for token in doc:
        if token.text in (".", "?", "!") or "\n" in token.text:
            sentences.append(doc[start : token.i + 1])
            start = token.i + 1
    if start < len(doc):
        sentences.append(doc[start:])
    return sentences


def red_flag_named(name: str) -> RedFlag:
    """A red flag remembered by name from an earlier message (no text position)."""
    kinds = {spec.name: spec.kind for spec in red_flag_specs()}
    kinds[LONG_FEVER] = RedFlagKind.FEVER_DURATION.value
    return RedFlag(name, RedFlagKind(kinds.get(name, RedFlagKind.FEVER.value)), name, -1)


def _negated(
    symptom_spans: Sequence[Span],
    cues: Sequence[Span],
    assertions: Assertions,
    temperature_c: float | None,
) -> tuple[str, ...]:
    """Return the red flags and cancer treatment the person says they do not have (any more).

    "no fever", "not on chemo", "the fever is gone"; a measured temperature below the fever
    threshold also says "no fever".
    """
    names = [
        span.label_
        for span in symptom_spans
        if not span.label_.endswith(":requires") and assertions.denied(span)
    ]
    names += [
        "cancer_treatment"
        for span in cues
        if span.label_ in TREATMENT_LABELS and assertions.denied(span, treatment=True)
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


_ASKS_MEANING = frozenset({"mean", "means", "meaning", "explain", "explained", "understand"})
_NOW_WORDS = frozenset({"right", "now", "atm", "honestly", "lol", "tbh"})


def _ends_its_sentence(doc: Doc, span: Span) -> bool:
    """Tell whether only "right now" and the like follow the word before the sentence's end.

    "I'm so confused right now." ends there; "confused and dizzy" goes on to say more about the
    person.
    """
    after = span.end
    while after < len(doc) and doc[after].lower_ in _NOW_WORDS:
        after += 1
    return after == len(doc) or doc[after].text in (".", "!", "...")


def _puzzled(doc: Doc, span: Span) -> bool:
    """Tell whether "confused" means puzzled about the result, not the emergency sign (section 5).

    The writer speaks of themself ("I'm so confused") or starts with the word, and a question
    follows or the message asks one; "my mother is confused, what should I do?" stays the sign.
    """
    cursor = span.start - 1
    while cursor >= 0 and doc[cursor].lower_ in _BETWEEN_SUBJECT_AND_WORD:
        cursor -= 1
    first_person = cursor >= 0 and doc[cursor].lower_ in _FIRST_PERSON
    if not (first_person or cursor < 0 or doc[cursor].is_punct):
        return False
    rest = doc[span.end :]
    if (
        first_person
        and _ends_its_sentence(doc, span)
        and any(t.lower_ in _ASKS_MEANING for t in rest)
    ):
        return True  # "I'm so confused right now. ... Can someone explain what these mean?"
    after = span.end
    while after < len(doc) and doc[after].lower_ in _CLAUSE_GLUE:
        after += 1
    if after < len(doc) and doc[after].lower_ in _STATE_WORDS:
        return False
    question_follows = after < len(doc) and doc[after].lower_ in _QUESTION_WORDS
    asks = any(token.text == "?" or token.lower_ in ("what", "mean", "means") for token in rest)
    return question_follows or (first_person and asks) or _result_follows(doc, span)


def _result_follows(doc: Doc, span: Span) -> bool:
    """Tell whether the result is named right after the word and punctuation.

    As in "Confused - the lab says 3.9". After punctuation only: "confused and" does not count.
    """
    after = span.end
    if after >= len(doc) or not doc[after].is_punct:
        return False
    while after < len(doc) and doc[after].is_punct:
        after += 1
    window = doc[after : after + _RESULT_WINDOW_TOKENS]
    return any(token.lower_ in _RESULT_WORDS for token in window)


def _followed_by(doc: Doc, span: Span, words: frozenset[str]) -> bool:
    return span.end < len(doc) and doc[span.end].lower_ in words


# "What are rigors?", "what is a stiff neck a sign of?": a question about the word itself.
_ASKED_ABOUT_A_TERM = (("what", "are"), ("what", "is"), ("what", "'s"), ("whats",), ("define",))
_ARTICLES = frozenset({"a", "an"})


def _a_term_asked_about(doc: Doc, span: Span) -> bool:
    """Tell whether the person asks what the word means: it follows "what is/are".

    At most an article may come between. "What is this rash?" and "what are these spots" stay the
    sign.
    """
    start = span.start
    if start > 0 and doc[start - 1].lower_ in _ARTICLES:
        start -= 1
    for words in _ASKED_ABOUT_A_TERM:
        before = doc[max(start - len(words), 0) : start]
        if len(before) == len(words) and tuple(t.lower_ for t in before) == words:
            return True
    return False


def _asked_about(span: Span, cues: Sequence[Span]) -> bool:
    """Tell whether the word is asked about ("What is neutropenia?"), not said of the person."""
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
    "granny|grandad|granddad|nan|nana|cousin|neighbou?r|colleague|roommate|"
    "madre|padre|mam[áa]|pap[áa]|hij[oa]"  # a word of Spanish in an English message
)
# "my 3 year old daughter's", or a message that starts with the person: "Daughter 7 years old".
_RELATIVE = re.compile(
    rf"(?:\b(?:my|our|mi)[ \t]+(?:[\w-]+[ \t]+){{0,3}}?|^[ \t]*)(?P<who>{_RELATIVES})"
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


# "4 month old hit 39.5", "3 year old, wbc 16.8", "4yo with a fever": a child named by age.
_AGE_FIRST = re.compile(
    r"^[ \t]*(?:(?:my|our|a|the)[ \t]+)?\d{1,2}[ \t]*-?[ \t]*"
    r"(?:(?:yrs?|years?|months?|mos?|weeks?|wks?|days?)[ \t]*-?[ \t]*old|yo|y/o)\b",
    re.I,
)
_THIRD_PERSON = re.compile(r"\b(?P<who>she|he|she's|he's|shes|hes|her|his)\b", re.I)
_FIRST_PERSON_WORDS = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|my|me|mine|myself)\b", re.I)
_OWNER = {"she": "her", "she's": "her", "shes": "her", "her": "her"}


def _relative(text: str, age: Age | None) -> str | None:
    """Return whose count it is when it is not the writer's, or None.

    "daughter"; "child" for "my 3 year old" or "4 month old, wbc 15"; "her" for "her wbc" or a
    message about "she" with no "I" or "my".
    """
    match = _RELATIVE.search(text)
    if match:
        return match.group("who").lower()
    if age is not None and _CHILD_AGE.search(text) and ranges.is_child(age.years):
        return "child"
    if _AGE_FIRST.search(text):
        return "child"
    pronoun = _PRONOUN_COUNT.search(text)
    if pronoun:
        return pronoun.group("who").lower()
    third = _THIRD_PERSON.search(text)
    child = age is not None and ranges.is_child(age.years)
    if third and (child or not _FIRST_PERSON_WORDS.search(text)):
        return _OWNER.get(third.group("who").lower(), "his")
    return None


def _sex(cues: Sequence[Span], age: Age | None) -> Sex | None:
    if age is not None and age.sex is not None:
        return Sex(age.sex)
    for labels in (("female", "male"), ("female_pronoun", "male_pronoun")):
        for span in cues:
            if span.label_ in labels:
                return Sex.FEMALE if span.label_ == labels[0] else Sex.MALE
    return None
