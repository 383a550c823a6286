"""The reading of counts, verdict first, then what it means and what to do.

"Your white count of 3,200 is low for an adult (the usual range is 4,500 to 11,000)." Then what
it means and what to do, in one sentence each. The notes that do not change what to do (how a
number was read, other ranges, naturally lower counts) wait behind the "More about this result"
button (`more_about`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import Analyte, Category, Finding, Interpretation, ReferenceRange, Urgency
from bot.read.clinical_context import PRONOUN_OWNERS
from bot.reference import ranges, wording
from bot.reference.ranges import format_count as format_cells
from bot.reply.explain import by_severity, explanations

# Notes told with the verdict because they change what the person should do next; the others
# (unit_assumed, computed ANC, lab_flag, sex_range, mildly_low) are told on request.
NOTES_NOW = frozenset(
    {"needs_unit", "needs_unit_unread", "unit_mix_up", "implausible", "age_unknown"}
)
# (from this age, in units of, unit): "a 4-year-old", "a 5-month-old", then weeks under 3 months as
# parents count them ("an 8-week-old", not "a 1-month-old"), then days.
_GROUP_UNITS = (
    (1.0, 1.0, "year"),
    (0.25, 1 / 12, "month"),
    (7 / 365.25, 7 / 365.25, "week"),
    (1 / 365.25, 1 / 365.25, "day"),
)


@dataclass(frozen=True)
class Cited:
    """A text and the keys of the sources it rests on."""

    text: str
    source_keys: tuple[str, ...]


def reading(interpretation: Interpretation, relative: str | None = None) -> Cited:
    """Verdict for each count (most serious first), what it means, what to do, needed notes."""
    findings = by_severity(interpretation.findings)
    age = interpretation.context.age_years
    sentences = [sentence for f in findings for sentence in (verdict(f, relative, age), _trend(f))]
    sentences = [sentence for sentence in sentences if sentence]
    if any(finding.analyte is Analyte.ANC for finding in findings):
        sentences.append(wording.word("neutrophils_are"))
    sentences.append(str(explanations()["meanings"][findings[0].category.value]))
    emergency = interpretation.urgency is Urgency.EMERGENCY
    if not emergency:  # else the emergency advice has them
        sentences.extend(interpretation.reasons)
    # Never a verdict without "ranges vary" and who to ask (section 7), whatever the urgency:
    # under emergency advice, the emergency staff, not "your doctor" another day.
    sentences.append(wording.reason("routine_in_emergency" if emergency else "routine"))
    needed = [note for note in interpretation.notes if wording.key_of(note) in NOTES_NOW]
    sentences.extend(_once_per_key(needed))
    keys = [key for finding in findings for key in finding.reference.source_keys]
    keys += [
        key
        for text in [*interpretation.reasons, *interpretation.notes]
        for key in wording.source_keys_of(text)
    ]
    return Cited(" ".join(dict.fromkeys(sentences)), tuple(dict.fromkeys(keys)))


def has_more(interpretation: Interpretation) -> bool:
    """Whether notes are left for "More about this result"."""
    return any(wording.key_of(note) not in NOTES_NOW for note in interpretation.notes)


def more_about(interpretation: Interpretation) -> Cited:
    """The notes left out of the reading: how numbers were read, other ranges, lower counts."""
    notes = [note for note in interpretation.notes if wording.key_of(note) not in NOTES_NOW]
    findings = [f for f in interpretation.findings if f.category not in _UNREAD]
    ranges_used = [_range_sentence(f.reference) for f in findings]
    grades = [_grade_sentence(f) for f in findings if f.grade is not None]
    keys = [key for note in notes for key in wording.source_keys_of(note)]
    keys += [key for f in findings for key in f.reference.source_keys]
    text = " ".join(dict.fromkeys([*grades, *notes, *ranges_used]))
    return Cited(text, tuple(dict.fromkeys(keys)))


def verdict(finding: Finding, relative: str | None, age_years: float | None) -> str:
    """One sentence: whose count, the number, its category, for whom, against which range."""
    whose = _whose(relative)
    name = wording.word(f"name_{finding.analyte.value}")
    if finding.category is Category.NEEDS_UNIT:
        return _cap(wording.word("verdict_needs_unit", whose=whose, name=name, text=finding.text))
    if finding.category is Category.IMPLAUSIBLE or finding.cells_per_ul is None:
        return _cap(wording.word("verdict_implausible", text=finding.text, name=name))
    value = format_cells(finding.cells_per_ul)
    if finding.unit_assumed and not finding.computed:
        value = wording.word("read_as", text=finding.text, value=value)
    category = wording.word(finding.category.value)  # the neutropenia grade: "More about"
    reference = finding.reference
    low, high = format_cells(reference.low), format_cells(reference.high)
    fields = {"whose": whose, "name": name, "value": value, "category": category}
    if reference.basis == ranges.BASIS_LAB:
        return _cap(wording.word("verdict_lab", **fields, low=low, high=high))
    if reference.basis == ranges.BASIS_ADULT and ranges.is_child(age_years):
        # A child's count that no child's range covers (an ANC under 2 weeks of age): judged on
        # the adult limits, and said so, never "low for an adult" (section 3).
        template = str(explanations()["verdict_no_child_range"])
        return _cap(template.format(**fields, low=low, high=high))
    group = _group(reference, age_years)
    return _cap(wording.word("verdict", **fields, group=group, low=low, high=high))


_UNREAD = frozenset({Category.NEEDS_UNIT, Category.IMPLAUSIBLE})


def _whose(relative: str | None) -> str:
    """Return whose count it is: "your", "your daughter's", or "her" for a pronoun alone."""
    if relative is None:
        return "your"
    return relative if relative in PRONOUN_OWNERS else f"your {relative}'s"


def _group(reference: ReferenceRange, age_years: float | None) -> str:
    """Name the group a range is for: "an adult", "a 4-year-old", "a 6-week-old"."""
    if reference.basis == ranges.BASIS_PREGNANCY:
        return wording.word(f"group_pregnancy_{reference.label}")
    if reference.basis != ranges.BASIS_PEDIATRIC:
        return wording.word("group_adult")
    if age_years is None:
        return wording.word("group_band", label=reference.label)
    for from_age, size, unit in _GROUP_UNITS:
        if age_years >= from_age:
            age = f"{int(age_years / size + 1e-9)}-{unit}"
            article = "an" if age.startswith(("8", "11-", "18-")) else "a"  # "an 8-year-old"
            return wording.word("group_age", article=article, age=age)
    return wording.word("group_band", label=reference.label)


def _range_sentence(reference: ReferenceRange) -> str:
    low, high = format_cells(reference.low), format_cells(reference.high)
    return (
        f"I compared it with the {wording.range_words(reference)}, {low} to {high} per microliter."
    )


def _trend(finding: Finding) -> str:
    """Say the change from earlier counts in words ("went from 6.2 to 3.9").

    The latest count is the one judged.
    """
    before, now = finding.previous_cells_per_ul, finding.cells_per_ul
    if before is None or now is None or before == now:
        return ""
    key = "trend_down" if now < before else "trend_up"
    change = wording.word(key, previous=format_cells(before))
    if len(finding.earlier_in_message) < 2:
        return change
    series = ", ".join(format_cells(cells) for cells in finding.earlier_in_message)
    return f"{wording.word('trend_series', earlier=series, latest=format_cells(now))} {change}"


def _once_per_key(notes: list[str]) -> list[str]:
    """The first note of each kind ("tell me the age" once, even for two counts)."""
    seen: set[str] = set()
    kept = []
    for note in notes:
        if wording.key_of(note) not in seen:
            seen.add(wording.key_of(note))
            kept.append(note)
    return kept


def _grade_sentence(finding: Finding) -> str:
    assert finding.grade is not None and finding.cells_per_ul is not None
    grade = explanations()["grades"][finding.grade.value]
    return wording.word("grade_is", value=format_cells(finding.cells_per_ul), grade=grade)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
