"""Judging counts (bot/judge/interpret.py): categories, grades, ranges, computed ANC and notes.

Values are built directly as LabValue/ParsedText objects, independent of the text reader.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.judge.interpret import categorise, interpret
from bot.model import (
    Analyte,
    Category,
    ClinicalContext,
    Grade,
    LabFlag,
    LabRange,
    LabValue,
    NeutrophilShare,
    ParsedText,
    RedFlag,
    RedFlagKind,
    Sex,
    Urgency,
)
from bot.reference import ranges

W, A = Analyte.WBC, Analyte.ANC
CL, L, BL, N, H, CH = (
    Category.CRITICALLY_LOW,
    Category.LOW,
    Category.BORDERLINE_LOW,
    Category.NORMAL,
    Category.HIGH,
    Category.CRITICALLY_HIGH,
)
DAY = 1 / 365.25
LOW_SIDE = (L, CL)


def value(
    cells: float | None,
    analyte: Analyte = W,
    text: str | None = None,
    start: int = 0,
    unit_assumed: bool = False,
    lab_range: LabRange | None = None,
    lab_flag: LabFlag | None = None,
) -> LabValue:
    """A LabValue as the reader would give it."""
    typed = text if text is not None else ("?" if cells is None else f"{cells:g}")
    return LabValue(analyte, typed, start, cells, unit_assumed, lab_range, lab_flag)


def judge(
    *values: LabValue,
    shares: tuple[NeutrophilShare, ...] = (),
    context: ClinicalContext | None = None,
    age_years: float | None = None,
    sex: Sex | None = None,
) -> tuple[list[tuple[Analyte, Category]], tuple[str, ...]]:
    """Interpret values; return (analyte, category) per finding and the notes."""
    parsed = ParsedText("", values, shares, context or ClinicalContext())
    result = interpret(parsed, age_years=age_years, sex=sex)
    return [(f.analyte, f.category) for f in result.findings], result.notes


# --- the sourced tables, row by row ---------------------------------------------------------------

ROW_EDGES = [
    (analyte, edge, row)
    for analyte in Analyte
    for row in ranges.adult_rows(analyte)
    for edge in (row.lowest, row.highest)
    if edge is not None
]


@pytest.mark.parametrize(
    ("analyte", "count", "row"),
    ROW_EDGES,
    ids=[f"{a.value}-{count}-{row.category.value}" for a, count, row in ROW_EDGES],
)
def test_adult_row_edges_from_data(analyte: Analyte, count: int, row: ranges.CategoryRow) -> None:
    """Both edges of every adult row (so both sides of every boundary) get that row's category."""
    judgement = categorise(analyte, count)
    assert judgement.category is row.category
    assert judgement.grade is (row.grade if row.category in LOW_SIDE else None)
    assert judgement.reference.basis == "adult"


BAND_EDGES = [
    (band, count, expected)
    for analyte in Analyte
    for band in ranges.pediatric_bands(analyte)
    for count, expected in (
        (band.low - 1, L),
        (band.low, N),
        (band.high, N),
        (band.high + 1, H),
    )
]


@pytest.mark.parametrize(
    ("band", "count", "expected"),
    BAND_EDGES,
    ids=[f"{b.analyte.value}-{b.label}-{c}".replace(" ", "_") for b, c, _ in BAND_EDGES],
)
def test_pediatric_band_limits_from_data(
    band: ranges.PediatricBand, count: int, expected: Category
) -> None:
    """Below a band's lower limit is low, above its upper limit is high, both limits normal."""
    for age in (band.from_years, band.below_years - DAY / 2):
        judgement = categorise(band.analyte, count, age)
        assert judgement.category is expected
        assert (judgement.reference.basis, judgement.reference.label) == (
            "pediatric band",
            band.label,
        )


# --- hand-written clinical cases ------------------------------------------------------------------

ADULT_WBC = [
    (1, CL),
    (1999, CL),
    (2000, L),
    (3999, L),
    (4000, BL),
    (4499, BL),
    (4500, N),
    (11000, N),
    (11001, H),
    (29999, H),
    (30000, CH),
    (1_000_000, CH),
]


@pytest.mark.parametrize(("count", "expected"), ADULT_WBC, ids=[str(c) for c, _ in ADULT_WBC])
@pytest.mark.parametrize("age", [None, 18.0, 70.0], ids=["age-unknown", "18y", "70y"])
def test_adult_white_count(count: int, expected: Category, age: float | None) -> None:
    """Section 1 boundaries: 1999/2000, 3999/4000, 4499/4500, 11000/11001, 29999/30000."""
    assert categorise(W, count, age).category is expected


ANC_CASES = [
    (0, CL, Grade.SEVERE),
    (499, CL, Grade.SEVERE),
    (500, L, Grade.MODERATE),
    (999, L, Grade.MODERATE),
    (1000, L, Grade.MILD),
    (1499, L, Grade.MILD),
    (1499.4, L, Grade.MILD),
    (1500, N, None),
    (7700, N, None),
    (7701, H, None),
]


@pytest.mark.parametrize(
    ("count", "expected", "grade"), ANC_CASES, ids=[f"{c:g}" for c, _, _ in ANC_CASES]
)
def test_adult_neutrophil_count_and_grade(
    count: float, expected: Category, grade: Grade | None
) -> None:
    """Section 3: 499/500, 999/1000, 1499/1500, 7700/7701; an ANC of 0 is severe, not a typo."""
    judgement = categorise(A, count)
    assert (judgement.category, judgement.grade) == (expected, grade)


CHILD_CASES = [
    ("critically-low-at-any-age", 3.0, 1999, CL),
    ("2000-is-low-for-a-3-year-old", 3.0, 2000, L),
    ("no-borderline-for-children", 8.0, 4200, L),
    ("no-critically-high-for-children", 3.0, 35000, H),
    ("newborn-35000-high", 2 * DAY, 35000, H),
    ("newborn-30000-normal", 2 * DAY, 30000, N),
    ("6-days-8000-low", 6 * DAY, 8000, L),
    ("7-days-8000-normal", 7 * DAY, 8000, N),
    ("5.99-years-5000-low", 5.99, 5000, L),
    ("6-years-5000-normal", 6.0, 5000, N),
    ("17.99-years-4200-low", 17.99, 4200, L),
    ("18-years-4200-borderline", 18.0, 4200, BL),
    ("17.99-years-12000-normal", 17.99, 12000, N),
    ("18-years-12000-high", 18.0, 12000, H),
    ("3-years-12500-normal", 3.0, 12500, N),
    ("1-year-4200-low", 1.0, 4200, L),
]


@pytest.mark.parametrize(
    ("age", "count", "expected"),
    [case[1:] for case in CHILD_CASES],
    ids=[case[0] for case in CHILD_CASES],
)
def test_children_are_judged_by_their_band(age: float, count: int, expected: Category) -> None:
    """Never adult thresholds for a child; below 2,000 is critically low at any age."""
    assert categorise(W, count, age).category is expected


INFANT_ANC = [
    ("13-days-adult-limit", 13 * DAY, 1200, L, Grade.MILD),
    ("14-days-infant-limit", 14 * DAY, 1200, N, None),
    ("364-days-infant-limit", 364 * DAY, 1200, N, None),
    ("1-year-adult-limit", 1.0, 1200, L, Grade.MILD),
    ("infant-999-moderate", 0.5, 999, L, Grade.MODERATE),
    ("infant-1000-normal", 0.5, 1000, N, None),
    ("infant-499-severe", 0.5, 499, CL, Grade.SEVERE),
    ("5-years-adult-limits", 5.0, 1400, L, Grade.MILD),
]


@pytest.mark.parametrize(
    ("age", "count", "expected", "grade"),
    [case[1:] for case in INFANT_ANC],
    ids=[case[0] for case in INFANT_ANC],
)
def test_infant_neutrophil_limit(
    age: float, count: int, expected: Category, grade: Grade | None
) -> None:
    """From 14 days to under 1 year the ANC lower limit is 1,000 (13/14 days, 364 days/1 y)."""
    judgement = categorise(A, count, age)
    assert (judgement.category, judgement.grade) == (expected, grade)


LAB_CASES = [
    ("inside-lab-range", W, 3900, None, LabRange(3400, 9600), N, None),
    ("below-lab-range", W, 3300, None, LabRange(3400, 9600), L, None),
    ("above-lab-range", W, 9700, None, LabRange(3400, 9600), H, None),
    ("lab-range-edges-normal", W, 3400, None, LabRange(3400, 9600), N, None),
    ("critically-low-still-applies", W, 1900, None, LabRange(1000, 5000), CL, None),
    ("critically-high-still-applies", W, 31000, None, LabRange(4000, 40000), CH, None),
    ("no-critically-high-for-a-child", W, 31000, 5.0, LabRange(4000, 40000), N, None),
    ("lab-range-over-child-band", W, 5000, 3.0, LabRange(4000, 11000), N, None),
    ("no-borderline-with-lab-range", W, 4200, None, LabRange(4000, 11000), N, None),
    ("anc-lab-low-above-1500", A, 1600, None, LabRange(1800, 7700), L, None),
    ("anc-lab-normal-below-1500", A, 1200, None, LabRange(1000, 7000), N, None),
    ("anc-lab-low-mild", A, 1200, None, LabRange(1500, 7000), L, Grade.MILD),
    ("anc-below-500-stays-critical", A, 450, None, LabRange(300, 7000), CL, Grade.SEVERE),
    ("anc-lab-high", A, 7200, None, LabRange(1800, 7000), H, None),
]


@pytest.mark.parametrize(
    ("analyte", "count", "age", "lab_range", "expected", "grade"),
    [case[1:] for case in LAB_CASES],
    ids=[case[0] for case in LAB_CASES],
)
def test_lab_range_decides_low_normal_high(
    analyte: Analyte,
    count: int,
    age: float | None,
    lab_range: LabRange,
    expected: Category,
    grade: Grade | None,
) -> None:
    """The printed range decides low/normal/high; <2,000 WBC, <500 ANC and adult >=30,000 hold."""
    judgement = categorise(analyte, count, age, lab_range)
    assert (judgement.category, judgement.grade) == (expected, grade)
    assert judgement.reference.basis == "lab report"
    assert (judgement.reference.low, judgement.reference.high) == (lab_range.low, lab_range.high)


def test_a_lab_range_that_cannot_be_right_is_ignored() -> None:
    """A printed range with its ends swapped falls back to the adult table."""
    judgement = categorise(W, 4200, None, LabRange(11000, 4000))
    assert (judgement.category, judgement.reference.basis) == (BL, "adult")


UNREADABLE = [
    ("no-unit", W, None, Category.NEEDS_UNIT),
    ("zero-wbc", W, 0.0, Category.IMPLAUSIBLE),
    ("negative", W, -3000.0, Category.IMPLAUSIBLE),
    ("above-a-million", W, 1_000_001.0, Category.IMPLAUSIBLE),
    ("unit-mix-up", W, 3_200_000.0, Category.IMPLAUSIBLE),
    ("nan", W, math.nan, Category.IMPLAUSIBLE),
    ("infinite", A, math.inf, Category.IMPLAUSIBLE),
    ("negative-anc", A, -5.0, Category.IMPLAUSIBLE),
]


@pytest.mark.parametrize(
    ("analyte", "cells", "expected"),
    [case[1:] for case in UNREADABLE],
    ids=[case[0] for case in UNREADABLE],
)
def test_counts_that_cannot_be_judged(
    analyte: Analyte, cells: float | None, expected: Category
) -> None:
    """No unit -> needs_unit; zero, negative, above 1,000,000/µL or not a number -> implausible."""
    judgement = categorise(analyte, cells)
    assert (judgement.category, judgement.grade) == (expected, None)


def test_reference_names_the_sources_of_the_verdict() -> None:
    """A low adult count cites Mayo Clinic; a child's critical count cites CTCAE and Dallman."""
    mayo_low = 'Mayo Clinic, "Low white blood cell count"'
    assert mayo_low in categorise(W, 3000).reference.source
    assert mayo_low not in categorise(W, 7000).reference.source
    child = categorise(W, 1500, 3.0).reference
    ctcae = "Common Terminology Criteria for Adverse Events"
    assert "Dallman" in child.source and ctcae in child.source
    assert ctcae not in categorise(W, 3000, 3.0).reference.source
    assert "critical-value" in categorise(W, 31000, None, LabRange(4000, 40000)).reference.source


# --- interpret: context, order, computed ANC ------------------------------------------------------


def test_explicit_age_and_sex_override_the_text() -> None:
    """interpret(age_years=, sex=) wins over what the reader found."""
    context = ClinicalContext(age_years=30.0, sex=Sex.FEMALE)
    parsed = ParsedText("", (value(12500.0),), (), context)
    result = interpret(parsed, age_years=3.0, sex=Sex.MALE)
    assert result.findings[0].category is N
    assert result.findings[0].reference.label == "2 to under 6 years"
    assert (result.context.age_years, result.context.sex) == (3.0, Sex.MALE)
    assert interpret(parsed).findings[0].category is H


def test_findings_come_in_text_order_with_wbc_and_anc_mixed() -> None:
    """Findings are sorted by where they start in the text."""
    values = (value(900.0, A, start=30), value(3200.0, W, start=0), value(5000.0, W, start=50))
    found, _ = judge(*values)
    assert found == [(W, L), (A, L), (W, N)]


def _share(kind: str, percent: float, start: int) -> NeutrophilShare:
    return NeutrophilShare(kind, percent, f"{percent:g}%", start)


def test_anc_is_computed_from_neutrophil_share() -> None:
    """ANC = WBC x % neutrophils / 100, as a computed finding at the share's place."""
    parsed = ParsedText(
        "wbc 3.2 neut 40%",
        (value(3200.0, text="3.2", unit_assumed=True),),
        (_share("neutrophils", 40, 13),),
    )
    result = interpret(parsed)
    wbc, anc = result.findings
    assert (anc.analyte, anc.cells_per_ul, anc.category, anc.grade) == (A, 1280.0, L, Grade.MILD)
    assert (anc.computed, anc.text, anc.start, anc.unit_assumed) == (True, "40%", 13, True)
    assert not wbc.computed
    assert any("3,200 × 40% = 1,280 per microliter" in n for n in result.notes)


def test_anc_is_computed_with_bands() -> None:
    """Bands are added to neutrophils: 3,200 x (40% + 10%) = 1,600, normal."""
    shares = (_share("neutrophils", 40, 13), _share("bands", 10, 25))
    result = interpret(ParsedText("", (value(3200.0),), shares))
    anc = result.findings[1]
    assert (anc.cells_per_ul, anc.category, anc.text) == (1600.0, N, "40% + 10%")
    assert any("3,200 × (40% + 10%) = 1,600" in n for n in result.notes)


def test_computed_anc_is_rounded_to_whole_cells() -> None:
    """3,333 x 45% = 1,499.85 is 1,500 cells: printed and judged the same."""
    result = interpret(ParsedText("", (value(3333.0),), (_share("neutrophils", 45, 9),)))
    assert (result.findings[1].cells_per_ul, result.findings[1].category) == (1500.0, N)


def test_each_share_uses_the_nearest_white_count_before_it() -> None:
    """Two reports in one message: each percentage goes with its own white count."""
    values = (value(5000.0, start=0), value(2000.0, start=40))
    shares = (_share("neutrophils", 50, 10), _share("bands", 10, 20), _share("neutrophils", 50, 50))
    result = interpret(ParsedText("", values, shares))
    computed = [f.cells_per_ul for f in result.findings if f.computed]
    assert computed == [3000.0, 1000.0]


def test_a_share_before_any_count_uses_the_first_count() -> None:
    """A share said before any count ("45% neutrophils of a count of 4,000") still computes."""
    result = interpret(ParsedText("", (value(4000.0, start=30),), (_share("neutrophils", 45, 0),)))
    assert [f.cells_per_ul for f in result.findings] == [1800.0, 4000.0]


@pytest.mark.parametrize(
    ("values", "shares"),
    [
        ((value(3200.0), value(800.0, A, start=20)), (_share("neutrophils", 40, 10),)),
        ((value(None, text="320"),), (_share("neutrophils", 40, 10),)),
        ((value(3_200_000.0),), (_share("neutrophils", 40, 10),)),
        ((value(3200.0),), (_share("bands", 10, 10),)),
        ((value(3200.0),), (_share("neutrophils", math.inf, 10),)),
        ((), (_share("neutrophils", 40, 10),)),
    ],
    ids=["anc-given", "wbc-needs-unit", "wbc-implausible", "bands-only", "bad-percent", "no-wbc"],
)
def test_no_anc_is_computed_without_what_it_needs(
    values: tuple[LabValue, ...], shares: tuple[NeutrophilShare, ...]
) -> None:
    """An ANC in the text is used as is; no usable white count or no neutrophils: no ANC."""
    result = interpret(ParsedText("", values, shares))
    assert not any(f.computed for f in result.findings)


# --- notes ----------------------------------------------------------------------------------------


def test_note_for_a_man_below_cleveland_clinics_range() -> None:
    """4,700 is normal by the adult table but below CC's 5,000 for men: say so."""
    _, notes = judge(value(4700.0), age_years=40.0, sex=Sex.MALE)
    (note,) = notes
    assert "5,000 to 10,000" in note and "men" in note and "below it" in note
    assert "ask your doctor" in note.lower()


@pytest.mark.parametrize(
    ("cells", "sex", "age"),
    [
        (10800.0, Sex.FEMALE, 40.0),
        (3000.0, Sex.MALE, 40.0),
        (7000.0, Sex.MALE, 40.0),
        (4700.0, Sex.MALE, 10.0),
        (4700.0, None, 40.0),
    ],
    ids=["woman-10800-inside-both", "man-low-by-both", "man-normal-by-both", "child", "no-sex"],
)
def test_no_sex_note_when_it_does_not_change_the_picture(
    cells: float, sex: Sex | None, age: float
) -> None:
    """CC's range is mentioned only when the sex is known, for adults, and it changes the side."""
    _, notes = judge(value(cells), age_years=age, sex=sex)
    assert not any("Cleveland Clinic" in note for note in notes)


def test_note_for_a_man_above_cleveland_clinics_range() -> None:
    """10,500 is normal by the table, above CC's 10,000 for men."""
    _, notes = judge(value(10500.0), age_years=40.0, sex=Sex.MALE)
    assert any("above it" in note for note in notes)


@pytest.mark.parametrize(
    ("cells", "words"),
    [(12500.0, "could be normal"), (4200.0, "could be low."), (7000.0, "could be low or normal")],
    ids=["12500-normal-for-a-3-year-old", "4200-low-for-a-1-year-old", "7000-low-for-a-newborn"],
)
def test_unknown_age_note_when_a_child_would_be_judged_differently(
    cells: float, words: str
) -> None:
    """No age: when some child's band gives another verdict than the adult table, ask the age."""
    _, notes = judge(value(cells))
    age_notes = [note for note in notes if "Tell me the age" in note]
    assert len(age_notes) == 1 and words in age_notes[0]


@pytest.mark.parametrize(
    ("cells", "age", "lab_range"),
    [
        (3000.0, None, None),
        (1500.0, None, None),
        (12500.0, 30.0, None),
        (12500.0, None, LabRange(4000, 11000)),
    ],
    ids=["low-for-everyone", "critical-for-everyone", "age-known", "lab-range-decides"],
)
def test_no_age_note_when_the_age_would_not_change_the_verdict(
    cells: float, age: float | None, lab_range: LabRange | None
) -> None:
    """The age is not asked for when every band agrees, the age is known, or the lab decides."""
    _, notes = judge(value(cells, lab_range=lab_range), age_years=age)
    assert not any("tell me the age" in note for note in notes)


@pytest.mark.parametrize(
    ("typed", "readings"),
    [
        ("320", ("320 per microliter", "3,200")),
        ("85", ("85,000", "8,500")),
        ("30", ("30,000", "3,000")),
        ("999", ("999 per microliter", "9,990")),
    ],
)
def test_needs_unit_note_offers_both_readings(typed: str, readings: tuple[str, str]) -> None:
    """The needs-unit note offers both readings (section 4), in plain numbers.

    85 could be 85,000 (very high) or 8.5 thousand with a lost decimal point; 320 could be 320/µL or
    3.20 thousand; never a wrong conversion.
    """
    found, notes = judge(value(None, text=typed))
    assert found == [(W, Category.NEEDS_UNIT)]
    first, second = readings
    assert first in notes[0] and second in notes[0]
    assert notes[0].index(first) < notes[0].index(second)


def test_needs_unit_note_without_a_number() -> None:
    """A value whose text holds no digits still asks for the unit."""
    _, notes = judge(value(None, text="three hundred"))
    assert "three hundred without its unit" in notes[0]


@pytest.mark.parametrize(
    ("cells", "text", "likely"),
    [(3_200_000.0, "3200 K/uL", "3,200"), (3_200_000_000.0, "3200000 K/uL", "3,200")],
    ids=["thousand-too-many", "million-too-many"],
)
def test_unit_mix_up_note_offers_the_likely_reading(cells: float, text: str, likely: str) -> None:
    """An implausible count as written ("3200 K/uL") offers the likely reading and asks to check.

    For example 3,200 per microliter.
    """
    found, notes = judge(value(cells, text=text))
    assert found == [(W, Category.IMPLAUSIBLE)]
    assert f"Did you mean {likely}?" in notes[0]
    assert "check the number and unit" in notes[0]


@pytest.mark.parametrize(
    "cells", [0.0, -3000.0, 5e15], ids=["zero", "negative", "no-plausible-reading"]
)
def test_implausible_note_asks_to_check(cells: float) -> None:
    """Zero and negative counts, and counts with no plausible reading, ask to check the report."""
    _, notes = judge(value(cells, text="x"))
    assert notes == (
        "A count of x is not possible. Please check the number and unit on your report.",
    )


@pytest.mark.parametrize(
    ("cells", "flag", "age", "noted"),
    [
        (7000.0, LabFlag.HIGH, 30.0, True),
        (3000.0, LabFlag.HIGH, 30.0, True),
        (7000.0, LabFlag.LOW, 3.0, True),
        (4200.0, LabFlag.LOW, 30.0, False),
        (3000.0, LabFlag.LOW, 30.0, False),
        (12000.0, LabFlag.HIGH, 30.0, False),
    ],
    ids=[
        "H-on-normal",
        "H-on-low",
        "L-on-child-normal",
        "L-on-borderline",
        "L-on-low",
        "H-on-high",
    ],
)
def test_note_when_the_labs_flag_disagrees(
    cells: float, flag: LabFlag, age: float, noted: bool
) -> None:
    """The lab's H/L flag is respected: when it disagrees with the category, say so."""
    _, notes = judge(value(cells, text="7.0", lab_flag=flag), age_years=age)
    assert any("Your report marks 7.0 as" in note for note in notes) is noted


def test_flag_note_names_the_range_used() -> None:
    """The flag note says which range the verdict came from."""
    _, notes = judge(value(7000.0, lab_flag=LabFlag.LOW), age_years=3.0)
    assert "range for children aged 2 to under 6 years" in notes[0]
    _, notes = judge(value(7000.0, lab_flag=LabFlag.LOW, lab_range=LabRange(7500, 11000)))
    assert not any("Your report marks" in note for note in notes)
    _, notes = judge(value(7000.0, lab_flag=LabFlag.HIGH, lab_range=LabRange(4000, 11000)))
    assert "range printed on your report" in notes[0]
    _, notes = judge(value(7000.0, lab_flag=LabFlag.HIGH), age_years=30.0)
    assert "adult range" in notes[0]


def test_note_when_a_unit_was_assumed() -> None:
    """A bare "2.9" was read in thousands per microliter: say which unit was assumed."""
    _, notes = judge(value(2900.0, text="2.9", unit_assumed=True), age_years=30.0)
    assert notes[0].startswith("I read 2.9 as 2,900 per microliter")


MILDLY_LOW = [
    ("borderline", value(4200.0), True),
    ("low-3000", value(3000.0), True),
    ("low-2999", value(2999.0), False),
    ("normal", value(6000.0), False),
    ("anc-mild", value(1200.0, A), True),
    ("anc-moderate", value(800.0, A), False),
    ("child-low-4000", value(4000.0), False),  # the Duffy data are from adults only
]


@pytest.mark.parametrize(
    ("found", "noted"), [case[1:] for case in MILDLY_LOW], ids=[case[0] for case in MILDLY_LOW]
)
def test_note_that_some_healthy_people_run_lower(found: LabValue, noted: bool) -> None:
    """Mildly low adult counts get the DUFFY/MAYO-DEF note; lower counts and children do not."""
    age = 8.0 if found.cells_per_ul == 4000.0 else 30.0
    _, notes = judge(found, age_years=age)
    assert any("African or Middle Eastern" in note for note in notes) is noted


def test_note_on_lower_counts_never_asks_about_race_or_lowers_urgency() -> None:
    """The note is a general fact said once; fever with a low count stays an emergency."""
    fever = RedFlag("fever", RedFlagKind.FEVER, "fever", 40)
    parsed = ParsedText(
        "", (value(3500.0), value(3600.0, start=20)), (), ClinicalContext(red_flags=(fever,))
    )
    result = interpret(parsed, age_years=30.0)
    duffy = [note for note in result.notes if "African or Middle Eastern" in note]
    assert len(duffy) == 1
    assert "?" not in duffy[0] and "your ancestry" not in duffy[0] and "your race" not in duffy[0]
    assert result.urgency is Urgency.EMERGENCY


def test_interpret_calls_triage() -> None:
    """Urgency and reasons come from triage.assess over the findings and context."""
    result = interpret(ParsedText("", (value(1500.0),)), age_years=30.0)
    assert result.urgency is Urgency.SAME_DAY
    assert "very low" in result.reasons[0]


# --- properties ----------------------------------------------------------------------------------

POSITION = {CL: -3, L: -2, BL: -1, N: 0, H: 1, CH: 2}
ages = st.none() | st.floats(min_value=0, max_value=120)


@st.composite
def lab_ranges(draw: st.DrawFn) -> LabRange | None:
    """No printed range, or a plausible one with low < high."""
    if draw(st.booleans()):
        return None
    low = draw(st.floats(min_value=0, max_value=50_000))
    high = draw(st.floats(min_value=low + 1, max_value=100_000))
    return LabRange(low, high)


@given(
    analyte=st.sampled_from(Analyte),
    cells=st.floats(allow_nan=True, allow_infinity=True) | st.none(),
    age=ages | st.floats(),
    lab_range=lab_ranges(),
)
def test_every_value_gets_a_category(
    analyte: Analyte, cells: float | None, age: float | None, lab_range: LabRange | None
) -> None:
    """Any count, any age and any printed range give a category, never an exception."""
    judgement = categorise(analyte, cells, age, lab_range)
    assert judgement.category in Category
    if cells is not None and math.isfinite(cells) and cells >= 1_000_001:
        assert judgement.category is Category.IMPLAUSIBLE


@given(
    analyte=st.sampled_from(Analyte),
    cells=st.floats(min_value=1, max_value=1_000_000),
    age=ages,
    lab_range=lab_ranges(),
)
def test_every_plausible_value_is_placed_on_the_scale(
    analyte: Analyte, cells: float, age: float | None, lab_range: LabRange | None
) -> None:
    """Every finite count from 1 to 1,000,000/µL gets one of the six range categories."""
    assert categorise(analyte, cells, age, lab_range).category in POSITION


@given(
    analyte=st.sampled_from(Analyte),
    first=st.floats(min_value=1, max_value=1_000_000),
    second=st.floats(min_value=1, max_value=1_000_000),
    age=ages,
    lab_range=lab_ranges(),
)
def test_a_higher_count_is_never_judged_more_severe(
    analyte: Analyte,
    first: float,
    second: float,
    age: float | None,
    lab_range: LabRange | None,
) -> None:
    """Same person, same range: a higher count is never judged more severe.

    Severity runs two ways from normal. Below it, critically_low > low > borderline_low > normal,
    so a higher count must be no more severe; above it, normal < high < critically_high, so a
    higher count must be no less severe. Both hold exactly when the category's position on the
    line critically_low < low < borderline_low < normal < high < critically_high never goes down
    as the count goes up, which is what is checked.
    """
    lower, higher = sorted((first, second))
    lower_category = categorise(analyte, lower, age, lab_range).category
    higher_category = categorise(analyte, higher, age, lab_range).category
    assert POSITION[lower_category] <= POSITION[higher_category]
