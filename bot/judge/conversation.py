"""A conversation about counts, one message at a time.

It holds what to remember between messages and how a new message changes the judgement.

Pure functions over a frozen state, so the Rasa actions only load slots into a
ConversationState, call `take_turn`, and save the new state back. The state keeps what was read,
structured (each count with its number, unit, lab range and flag), never the raw text: each
message is parsed once. "She's 3" after a value judges the stored counts with the child's range;
"K/uL" after "WBC 320" completes the stored count; "and I have a fever now" after a low value
makes the answer an emergency; "no fever" clears it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.judge.interpret import interpret
from bot.judge.subjects import subject_of
from bot.model import (
    ClinicalContext,
    Interpretation,
    LabValue,
    NeutrophilShare,
    ParsedText,
    Pregnancy,
    Sex,
    Subject,
)
from bot.read.ages import read_bare_age
from bot.read.clinical_context import red_flag_named
from bot.read.parse import parse_text
from bot.read.values import with_unit
from bot.reference import ranges
from bot.reference.units import find_unit

MAX_EARLIER_COUNTS = 4  # earlier counts of a kind remembered for the range picture
UNIT_QUESTION = "unit"
AGE_QUESTION = "age"


@dataclass(frozen=True)
class ConversationState:
    """What the bot remembers about the person (the Rasa slots of the same names)."""

    counts: tuple[LabValue, ...] = ()  # the counts being discussed, as read
    neutrophil_shares: tuple[NeutrophilShare, ...] = ()  # their differential percentages
    age_years: float | None = None
    sex: Sex | None = None
    on_cancer_treatment: bool = False  # or a medicine that lowers the immune system
    treatment: str | None = None  # as the person named it: "chemo", "clozapine"
    pregnant: bool = False  # the counts are judged against pregnancy's range
    pregnancy_weeks: float | None = None
    says_low_count: bool = False
    temperature_c: float | None = None
    red_flags: tuple[str, ...] = ()  # reported and not denied since
    awaiting: str | None = None  # the question the bot asked last: "unit" | "age"
    relative: str | None = None  # whose counts: "daughter", "child"; None: the writer's own
    # What the questions are about (bot/judge/subjects.py): the last one a message named, so "and
    # how
    # is it treated?" after "my son has neutropenia" is answered for neutropenia. None: not yet.
    subject: Subject | None = None
    intro_given: bool = False  # the note on what this bot is was sent
    last_sources: tuple[str, ...] = ()  # every source of the last medical answer ("sources")
    last_topic: str | None = None  # the topic last answered ("and for a child?" asks it again)


@dataclass(frozen=True)
class Turn:
    """The outcome of one message."""

    state: ConversationState
    interpretation: Interpretation | None  # None: no counts and no red flags known
    counts_changed: bool  # this message gave counts, a unit or an age: explain them again
    question: str | None  # ask this now: "unit" | "age"
    # This message itself said something that sets the urgency (a symptom, a temperature,
    # treatment, "my count is low"): its advice is due even when no counts are explained.
    urgency_news: bool = False
    other_specimen: str | None = None  # white cells in urine, spinal fluid ...: not judged
    subject: Subject = Subject.LEUKOPENIA  # what this message itself is about
    # The one reading of the message (its text as the parser read it, full-width letters as
    # ASCII and escapes dropped, and its tokens): every later stage of the turn reads this, so
    # "ｗｈｙ？" is "why?" there too, and nothing cuts the text into tokens again.
    parsed: ParsedText = field(default_factory=lambda: ParsedText(text=""))

    @property
    def text(self) -> str:
        """The message as the parser read it."""
        return self.parsed.text


def take_turn(state: ConversationState, text: str) -> Turn:
    """Read one message in the light of what was said before.

    Raises EmptyTextError / TextTooLongError (WbcBotError) for text that cannot be read.
    """
    parsed = parse_text(text)
    context = parsed.context
    counts, shares = state.counts, state.neutrophil_shares
    age_years, counts_changed = context.age_years, False

    answer_age = read_bare_age(parsed.text) if state.awaiting == AGE_QUESTION else None
    if answer_age is not None:
        age_years = answer_age
    elif parsed.values:
        counts, shares, counts_changed = parsed.values, parsed.neutrophil_shares, True
        counts = with_earlier_counts(counts, state.counts)
    elif state.awaiting == UNIT_QUESTION and counts:
        completed = _with_unit(counts, parsed.text)
        if completed is not None:
            counts, counts_changed = completed, True
    if age_years is not None and age_years != state.age_years and counts:
        counts_changed = True

    subject = subject_of(parsed)
    if answer_age is not None and ranges.is_child(answer_age):
        subject = Subject.CHILDREN  # "3" answering "how old?": the counts are a child's
    new_state = _remember(state, context, counts, shares, age_years)
    if subject is not Subject.LEUKOPENIA or new_state.subject is None:
        new_state = replace(new_state, subject=subject)
    interpretation = _judge(new_state, fever_below_threshold=context.fever_below_threshold)
    question = None
    if counts_changed and interpretation is not None:
        question = next(iter(interpretation.questions), None)
    news = bool(
        context.red_flags
        or context.temperature_c is not None
        or context.on_cancer_treatment
        or context.says_low_count
        or context.fever_below_threshold
    )
    return Turn(
        replace(new_state, awaiting=question),
        interpretation,
        counts_changed,
        question,
        urgency_news=news,
        other_specimen=context.other_specimen,
        subject=subject,
        parsed=parsed,
    )


def _remember(
    state: ConversationState,
    context: ClinicalContext,
    counts: tuple[LabValue, ...],
    shares: tuple[NeutrophilShare, ...],
    age_years: float | None,
) -> ConversationState:
    """New facts win; denied ones are forgotten; the rest carries over."""
    denied = set(context.negated)
    red_flags = [name for name in state.red_flags if name not in denied]
    red_flags += [flag.name for flag in context.red_flags if flag.name not in red_flags]
    temperature = context.temperature_c
    if temperature is None and "fever" not in denied:
        temperature = state.temperature_c
    on_treatment = context.on_cancer_treatment or (
        state.on_cancer_treatment and "cancer_treatment" not in denied
    )
    treatment = context.treatment or (state.treatment if on_treatment else None)
    return replace(
        state,
        counts=counts,
        neutrophil_shares=shares,
        age_years=age_years if age_years is not None else state.age_years,
        sex=context.sex or state.sex,
        on_cancer_treatment=on_treatment,
        treatment=treatment,
        pregnant=state.pregnant or context.pregnancy is not None,
        pregnancy_weeks=(
            context.pregnancy.weeks
            if context.pregnancy is not None and context.pregnancy.weeks is not None
            else state.pregnancy_weeks
        ),
        says_low_count=state.says_low_count or context.says_low_count,
        temperature_c=temperature,
        red_flags=tuple(red_flags),
        relative=context.relative or state.relative,
    )


def _judge(state: ConversationState, fever_below_threshold: bool = False) -> Interpretation | None:
    """Interpret the remembered counts with everything known about the person now."""
    known = state.counts or state.red_flags or state.temperature_c is not None
    if not known and not fever_below_threshold:
        return None
    context = ClinicalContext(
        temperature_c=state.temperature_c,
        red_flags=tuple(red_flag_named(name) for name in state.red_flags),
        on_cancer_treatment=state.on_cancer_treatment,
        treatment=state.treatment,
        pregnancy=Pregnancy(state.pregnancy_weeks) if state.pregnant else None,
        says_low_count=state.says_low_count,
        age_years=state.age_years,
        sex=state.sex,
        relative=state.relative,
        fever_below_threshold=fever_below_threshold,
    )
    remembered = ParsedText(
        text="", values=state.counts, neutrophil_shares=state.neutrophil_shares, context=context
    )
    return interpret(remembered)


def _with_unit(counts: tuple[LabValue, ...], answer: str) -> tuple[LabValue, ...] | None:
    """The counts with the unit from the answer given to the first count that needed one."""
    unit = find_unit(answer)
    if unit is None:
        return None
    for index, value in enumerate(counts):
        if value.cells_per_ul is None:
            completed = replace(
                with_unit(value, unit), earlier_cells_per_ul=value.earlier_cells_per_ul
            )
            return (*counts[:index], completed, *counts[index + 1 :])
    return None


def with_earlier_counts(
    counts: tuple[LabValue, ...], before: tuple[LabValue, ...]
) -> tuple[LabValue, ...]:
    """Give new counts the earlier counts of their kind, for the range picture's marks.

    Each new count remembers the count of its kind it replaces, after the ones that count
    remembered.
    """
    remembered = []
    for value in counts:
        old = next(
            (o for o in before if o.analyte is value.analyte and o.cells_per_ul is not None), None
        )
        if old is None or old.cells_per_ul is None:
            remembered.append(value)
            continue
        earlier = (*old.earlier_cells_per_ul, old.cells_per_ul)[-MAX_EARLIER_COUNTS:]
        remembered.append(replace(value, earlier_cells_per_ul=earlier))
    return tuple(remembered)
