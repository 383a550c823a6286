"""Judge counts against the range that fits the person (clinical-reference.md sections 1-4).

It also works out an ANC from a differential, the urgency (triage.py) and the notes to tell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot.judge import triage
from bot.model import (
    Analyte,
    Category,
    ClinicalContext,
    Finding,
    Grade,
    Interpretation,
    LabFlag,
    LabRange,
    LabValue,
    NeutrophilShare,
    ParsedText,
    Pregnancy,
    ReferenceRange,
    Sex,
)
from bot.read.numbers import find_numbers
from bot.reference import ranges, wording
from bot.reference.tables import Scale
from bot.reference.units import THOUSANDS_PER_UL

PERCENT = 100
THOUSAND = float(THOUSANDS_PER_UL.cells_per_ul)
# How a count may have been typed with a thousands unit it did not need (3200 K/uL, 3200000 K/uL).
UNIT_MIX_UPS = (THOUSAND, THOUSAND * THOUSAND)

BELOW, WITHIN, ABOVE = "below", "within", "above"
_SIDE = {
    Category.CRITICALLY_LOW: BELOW,
    Category.LOW: BELOW,
    Category.BORDERLINE_LOW: BELOW,
    Category.NORMAL: WITHIN,
    Category.HIGH: ABOVE,
    Category.CRITICALLY_HIGH: ABOVE,
}
_FLAG_SIDE = {LabFlag.LOW: BELOW, LabFlag.HIGH: ABOVE}
_CATEGORY_ORDER = list(Category)  # lowest counts first, then needs_unit and implausible


@dataclass(frozen=True)
class Judgement:
    """A count's category, its neutropenia grade (ANC) and the range it was judged against."""

    category: Category
    grade: Grade | None
    reference: ReferenceRange


def categorise(
    analyte: Analyte,
    cells_per_ul: float | None,
    age_years: float | None = None,
    lab_range: LabRange | None = None,
    pregnancy: Pregnancy | None = None,
) -> Judgement:
    """Judge one count by the adult table, a child's band, pregnancy's range or the lab's own range.

    Critical limits hold whichever range is used.
    """
    scale = ranges.scale(analyte, age_years, lab_range, pregnancy)
    if cells_per_ul is None:
        return Judgement(Category.NEEDS_UNIT, None, scale.reference())
    if not ranges.is_plausible(analyte, cells_per_ul):
        return Judgement(Category.IMPLAUSIBLE, None, scale.reference())
    count = ranges.whole_cells(cells_per_ul)
    row = ranges.adult_row(analyte, count)
    critical = row.category is Category.CRITICALLY_LOW or (
        row.category is Category.CRITICALLY_HIGH and not ranges.is_child(age_years)
    )
    if scale.basis == ranges.BASIS_ADULT or critical:
        category, decided_by_row = row.category, row.category is not Category.NORMAL
    else:
        category, decided_by_row = _against(scale, count), False
    low_side = category in (Category.LOW, Category.CRITICALLY_LOW)
    grade = row.grade if low_side else None
    return Judgement(category, grade, scale.reference(row.sources if decided_by_row else ()))


def interpret(
    parsed: ParsedText, age_years: float | None = None, sex: Sex | None = None
) -> Interpretation:
    """Judge every count of a message; `age_years` and `sex` override what the text says."""
    context = parsed.context
    if age_years is not None:
        context = replace(context, age_years=age_years)
    if sex is not None:
        context = replace(context, sex=sex)
    judged = [_finding(value, context.age_years, context.pregnancy) for value in parsed.values]
    computed = _computed_ancs(parsed, context.age_years)
    findings = tuple(sorted([*judged, *computed], key=lambda finding: finding.start))
    urgency, reasons = triage.assess(findings, context)
    notes = _notes(findings, context, computed)
    return Interpretation(findings, context, urgency, reasons, notes, _questions(findings, context))


def _questions(findings: Sequence[Finding], context: ClinicalContext) -> tuple[str, ...]:
    """What to ask next: the unit a count needs; the age, when it would change a verdict."""
    questions = []
    if any(finding.category is Category.NEEDS_UNIT for finding in findings):
        questions.append("unit")
    if any(
        finding.cells_per_ul is not None
        and finding.category in _SIDE
        and _age_note(finding, finding.cells_per_ul, context)
        for finding in findings
    ):
        questions.append("age")
    return tuple(questions)


def _against(scale: Scale, count: int) -> Category:
    if count < scale.low:
        return Category.LOW
    return Category.NORMAL if count <= scale.high else Category.HIGH


def _finding(value: LabValue, age_years: float | None, pregnancy: Pregnancy | None) -> Finding:
    judgement = categorise(value.analyte, value.cells_per_ul, age_years, value.lab_range, pregnancy)
    return Finding(
        analyte=value.analyte,
        text=value.text,
        start=value.start,
        cells_per_ul=value.cells_per_ul,
        unit_assumed=value.unit_assumed,
        category=judgement.category,
        grade=judgement.grade,
        reference=judgement.reference,
        lab_flag=value.lab_flag,
        previous_cells_per_ul=value.previous_cells_per_ul,
        earlier_in_message=value.earlier_in_message,
    )


def _computed_ancs(parsed: ParsedText, age_years: float | None) -> dict[Finding, str]:
    """ANC = WBC x (% neutrophils + % bands) / 100 when the text gives shares but no ANC.

    Each neutrophil share uses the nearest white count before it (else the first one) and the
    band shares that go with the same white count. Returns each finding with its explaining note.
    """
    if any(value.analyte is Analyte.ANC for value in parsed.values):
        return {}
    counts = [
        value
        for value in parsed.values
        if value.analyte is Analyte.WBC
        and value.cells_per_ul is not None
        and ranges.is_plausible(Analyte.WBC, value.cells_per_ul)
    ]
    if not counts:
        return {}
    shares = parsed.neutrophil_shares
    computed: dict[Finding, str] = {}
    for share in shares:
        if share.kind != "neutrophils":
            continue
        wbc = _white_count_for(counts, share)
        bands = [s for s in shares if s.kind == "bands" and _white_count_for(counts, s) is wbc]
        percent = share.percent + sum(band.percent for band in bands)
        assert wbc.cells_per_ul is not None  # only counts with a value were kept
        raw = wbc.cells_per_ul * percent / PERCENT
        if not math.isfinite(raw):
            continue
        cells = float(ranges.whole_cells(raw))
        judgement = categorise(Analyte.ANC, cells, age_years)
        typed = sorted([share, *bands], key=lambda s: s.start)
        finding = Finding(
            analyte=Analyte.ANC,
            text=" + ".join(s.text for s in typed),
            start=share.start,
            cells_per_ul=cells,
            unit_assumed=wbc.unit_assumed,
            category=judgement.category,
            grade=judgement.grade,
            reference=judgement.reference,
            computed=True,
        )
        computed[finding] = _computed_note(wbc.cells_per_ul, share, bands, cells)
    return computed


def _white_count_for(counts: Sequence[LabValue], share: NeutrophilShare) -> LabValue:
    before = [value for value in counts if value.start < share.start]
    return before[-1] if before else counts[0]


def _computed_note(
    wbc: float, share: NeutrophilShare, bands: Sequence[NeutrophilShare], anc: float
) -> str:
    fields = {
        "wbc": ranges.format_count(wbc),
        "neutrophils": f"{share.percent:g}",
        "anc": ranges.format_count(anc),
    }
    if not bands:
        return wording.note("computed_anc", **fields)
    band_percent = sum(band.percent for band in bands)
    return wording.note("computed_anc_with_bands", bands=f"{band_percent:g}", **fields)


# ---------------------------------------------------------------------------------------------
# Notes


def _notes(
    findings: Sequence[Finding], context: ClinicalContext, explained: Mapping[Finding, str]
) -> tuple[str, ...]:
    """Return the notes for the findings, in text order.

    For each finding: how it was read, then what the ranges leave open; then, once, the note on
    naturally lower counts.
    """
    notes: list[str] = []
    for finding in findings:
        if finding in explained:
            notes.append(explained[finding])
        notes.extend(_reading_notes(finding))
        if finding.cells_per_ul is not None and finding.category in _SIDE:
            notes.extend(_range_notes(finding, finding.cells_per_ul, context))
    adult = not ranges.is_child(context.age_years)  # the Duffy data are from adults only
    if adult and any(_mildly_low(finding) for finding in findings):
        notes.append(wording.note("mildly_low"))
    return tuple(dict.fromkeys(notes))


def _reading_notes(finding: Finding) -> list[str]:
    """A unit that is needed, a count that cannot be real, a unit that was assumed."""
    if finding.category is Category.NEEDS_UNIT:
        return [_needs_unit_note(finding.text)]
    if finding.category is Category.IMPLAUSIBLE and finding.cells_per_ul is not None:
        return [_implausible_note(finding.analyte, finding.text, finding.cells_per_ul)]
    if finding.unit_assumed and not finding.computed and finding.cells_per_ul is not None:
        value = ranges.format_count(finding.cells_per_ul)
        return [wording.note("unit_assumed", text=finding.text, value=value)]
    return []


def _needs_unit_note(text: str) -> str:
    numbers = find_numbers(text)
    if not numbers:
        return wording.note("needs_unit_unread", text=text)
    number = numbers[0].value
    readings = _unit_readings(float(number))
    first, second = (
        wording.word(
            "unit_reading",
            cells=ranges.format_count(cells),
            category=wording.word(categorise(Analyte.WBC, cells).category.value),
            how=wording.word(how),
        )
        for how, cells in readings
    )
    return wording.note("needs_unit", number=f"{number:,}", first=first, second=second)


LOST_DECIMAL_FROM = 100  # "320": 3.20 thousand with its point lost; "85": 8.5 thousand


def _unit_readings(number: float) -> tuple[tuple[str, float], tuple[str, float]]:
    """Return the two likely readings of a white count typed without a unit (section 4).

    85 as 85 thousand or 8.5 thousand (a lost decimal point); 320 as 320 per microliter or 3.20
    thousand.
    """
    if number < LOST_DECIMAL_FROM:
        return ("reading_thousands", number * THOUSAND), ("reading_lost_point", number * 100)
    return ("reading_per_ul", number), ("reading_lost_point", number * 10)


def _implausible_note(analyte: Analyte, text: str, cells_per_ul: float) -> str:
    _, highest = ranges.plausible_counts(analyte)
    if math.isfinite(cells_per_ul) and cells_per_ul > highest:
        for factor in UNIT_MIX_UPS:
            likely = cells_per_ul / factor
            if ranges.is_plausible(analyte, likely):
                value, likely_value = ranges.format_count(cells_per_ul), ranges.format_count(likely)
                return wording.note("unit_mix_up", text=text, value=value, likely=likely_value)
    return wording.note("implausible", text=text)


def _range_notes(finding: Finding, cells: float, context: ClinicalContext) -> list[str]:
    """The lab's flag disagreeing, an age that would change the verdict, CC's range by sex."""
    notes = []
    side = _SIDE[finding.category]
    if finding.reference.basis == ranges.BASIS_PREGNANCY:
        notes.append(wording.note("pregnancy"))
    if finding.lab_flag is not None and _FLAG_SIDE[finding.lab_flag] != side:
        notes.append(
            wording.note(
                "lab_flag",
                text=finding.text,
                flag=wording.word(f"flag_{finding.lab_flag.value}"),
                range=wording.range_words(finding.reference),
                category=wording.word(finding.category.value),
            )
        )
    age_note = _age_note(finding, cells, context)
    if age_note:
        notes.append(age_note)
    sex_note = _sex_note(finding, cells, context, side)
    if sex_note:
        notes.append(sex_note)
    return notes


def _age_note(finding: Finding, cells: float, context: ClinicalContext) -> str | None:
    """With no age, say when some child's band would judge the count differently from adults."""
    if ranges.known_age(context.age_years) is not None:
        return None
    if finding.reference.basis != ranges.BASIS_ADULT:
        return None  # the lab's own range decides, whatever the age
    child = {
        categorise(finding.analyte, cells, band.from_years).category
        for band in ranges.pediatric_bands(finding.analyte)
    }
    if not child - {finding.category}:
        return None
    words = [wording.word(category.value) for category in sorted(child, key=_CATEGORY_ORDER.index)]
    child_categories = wording.join_words(words, "or")
    return wording.note(
        "age_unknown", value=ranges.format_count(cells), child_categories=child_categories
    )


def _sex_note(finding: Finding, cells: float, context: ClinicalContext, side: str) -> str | None:
    """Cleveland Clinic's range for the person's sex, when it puts the count on another side."""
    if context.sex is None or finding.analyte is not Analyte.WBC:
        return None
    if finding.reference.basis == ranges.BASIS_PREGNANCY:
        return None  # pregnancy's own range decides
    if ranges.is_child(context.age_years):
        return None  # never adult ranges for a child
    range_for_sex = ranges.sex_specific_range(context.sex)
    count = ranges.whole_cells(cells)
    if count < range_for_sex.low:
        side_for_sex = BELOW
    else:
        side_for_sex = WITHIN if count <= range_for_sex.high else ABOVE
    if side_for_sex == side:
        return None
    return wording.note(
        "sex_range",
        group=range_for_sex.label,
        low=ranges.format_count(range_for_sex.low),
        high=ranges.format_count(range_for_sex.high),
        value=ranges.format_count(cells),
        side=wording.word(f"side_{side_for_sex}"),
    )


def _mildly_low(finding: Finding) -> bool:
    """Borderline or mildly low white count, or mild neutropenia (section 3, DUFFY; MAYO-DEF)."""
    if finding.analyte is Analyte.ANC:
        return finding.grade is Grade.MILD
    if finding.category is Category.BORDERLINE_LOW:
        return True
    return (
        finding.category is Category.LOW
        and finding.cells_per_ul is not None
        and ranges.whole_cells(finding.cells_per_ul) >= ranges.mildly_low_wbc_from()
    )
