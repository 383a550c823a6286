"""Number literals in every national format, unit spellings, and exact unit conversion."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.read.numbers import find_numbers, not_a_count, read_number
from bot.read.parse import parse_text
from bot.reference.units import from_cells_per_ul, known_units, match_unit, to_cells_per_ul


@pytest.mark.parametrize(
    ("typed", "value", "dot_thousands"),
    [
        ("3200", "3200", None),
        ("3,200", "3200", None),
        ("1,234,567", "1234567", None),
        ("3 200", "3200", None),
        ("3\u202f200", "3200", None),
        ("3,2", "3.2", None),
        ("3,25", "3.25", None),
        ("3.2", "3.2", None),
        ("7.200", "7.200", "7200"),
        ("1.234.567", "1234567", None),
        ("3.200,5", "3200.5", None),
        ("3,200.5", "3200.5", None),
        (".8", "0.8", None),
    ],
)
def test_number_formats(typed: str, value: str, dot_thousands: str | None) -> None:
    """Decimal commas, thousands separators (comma, dot, space) and European formats."""
    literal = read_number(typed)
    assert literal is not None
    assert literal.value == Decimal(value)
    assert literal.dot_thousands == (None if dot_thousands is None else Decimal(dot_thousands))


@pytest.mark.parametrize(
    ("typed", "whole"),
    [
        ("8", True),
        ("3,200", True),
        ("3.2", False),
        ("3,2", False),
        ("3.0", False),
        ("7.200", False),
    ],
)
def test_whole_numbers(typed: str, whole: bool) -> None:
    """Whole numbers (which mean thousands when small) are told apart from decimals."""
    literal = read_number(typed)
    assert literal is not None
    assert literal.is_whole is whole


def test_numbers_inside_words_are_not_numbers() -> None:
    """Digits inside words (B12, HbA1c) are not free-standing numbers."""
    assert [n.text for n in find_numbers("B12 and HbA1c 5.6")] == ["5.6"]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Leukocytes.......2.7", ["2.7"]),
        ("WBC ........ 47.0", ["47.0"]),
        ("its at .6 now", [".6"]),
        ("1.2.3", ["1.2"]),
    ],
    ids=["leaders-touching", "leaders-spaced", "leading-point", "not-after-one-dot"],
)
def test_numbers_after_dot_leaders(text: str, numbers: list[str]) -> None:
    """A run of dots (a report's leader) may stand right before a number; a single dot may not."""
    assert [n.text for n in find_numbers(text)] == numbers


# (id, text, the number looked at, whether it is not a count)
NOT_A_COUNT_CASES = [
    ("day", "day 10", "10", True),
    ("cycle-hash", "cycle #3", "3", True),
    ("in-year", "in 2023", "2023", True),
    ("age-i-am", "I'm 34", "34", True),
    ("age-he-is", "he is 4", "4", True),
    ("age-years", "3 years old", "3", True),
    ("decade", "in her 50s", "50", True),
    ("dose-mg", "5 mg", "5", True),
    ("dose-mg-per-kg", "5 mg/kg", "5", True),
    ("dose-mcg", "300 mcg", "300", True),
    ("kids", "2 kids", "2", True),
    ("money-sign", "$45", "45", True),
    ("money-word", "45 dollars", "45", True),
    ("month-before", "March 3", "3", True),
    ("month-after", "3 March", "3", True),
    ("ordinal-of-month", "3rd of March", "3", True),
    ("month-year", "Mar 2024", "2024", True),
    ("year-heading", "2023: 3.2", "2023", True),
    ("clock-am", "7 am", "7", True),
    ("clock-at-this-morning", "at 7 this morning", "7", True),
    ("clock-in-the-morning", "3 in the morning", "3", True),
    ("phone-spaces", "555 123 4567", "555 123", True),
    ("phone-plus", "+44 7700", "44", True),
    ("date", "3/12", "3", True),
    ("ratio", "148/84", "148", True),
    ("time", "10:30", "10", True),
    ("lab-code", "01", "01", True),
    ("count", "wbc 3.2", "3.2", False),
    ("count-this-morning", "was 3 this morning", "3", False),
    ("count-day-after", "3.2 day 10", "3.2", False),
    ("count-unit-g-per-l", "3,2 G/l", "3,2", False),
    ("count-thousands", "3 200", "3 200", False),
    ("count-may-verb", "it may be 3.2", "3.2", False),
    ("count-before-may", "wbc 3 may be low", "3", False),
    ("day-before-may", "3 May 2024", "3", True),
]


@pytest.mark.parametrize(
    ("text", "number", "expected"),
    [c[1:] for c in NOT_A_COUNT_CASES],
    ids=[c[0] for c in NOT_A_COUNT_CASES],
)
def test_numbers_that_are_not_counts(text: str, number: str, expected: bool) -> None:
    """Dates, ages, times, doses, money and phone numbers are told from counts by their words."""
    start = text.index(number)
    assert not_a_count(text, start, start + len(number)) is expected


UNIT_SPELLINGS = {
    1000: [
        "K/uL",
        "K/µL",
        "k/μl",
        "K/mcL",
        "x10^3/uL",
        "x10E3/uL",
        "×10³/µL",
        "x 10 ^ 3 / uL",
        "10^3/mm3",
        "x10^9/L",
        "10*9/L",
        "x 10 ^ 9 / L",
        "×10⁹/L",
        "10E9/L",
        "G/L",
        "Gpt/l",
        "/nL",
        "thou/mm3",
        "thou/uL",
        "thousand",
        "Tsd/µl",
        "billion per liter",
        "billion cells/L",
        "x10^3",
        "x10^9",
    ],
    1: [
        "cells/uL",
        "cells/µL",
        "cells/mcL",
        "/uL",
        "/µL",
        "/mm3",
        "/mm³",
        "/mm^3",
        "/cumm",
        "cells/cumm",
        "/cu mm",
        "/cu.mm",
        "per microliter",
        "per microlitre",
        "cells/cubic millimeter",
    ],
}
UNIT_CASES = [
    (spelling, factor) for factor, spellings in UNIT_SPELLINGS.items() for spelling in spellings
]


@pytest.mark.parametrize(("spelling", "factor"), UNIT_CASES, ids=[c[0] for c in UNIT_CASES])
def test_unit_spellings(spelling: str, factor: int) -> None:
    """Every spelling of section 4's unit table is recognised in full, with its factor."""
    found = match_unit(spelling, 0)
    assert found is not None
    assert found.text == spelling
    assert found.unit.cells_per_ul == factor


@pytest.mark.parametrize("word", ["kids", "cells are low", "liters", "gram"])
def test_words_are_not_units(word: str) -> None:
    """Ordinary words that start like a unit are not units."""
    found = match_unit(word, 0)
    assert found is None or found.end < len(word.split()[0])


@given(
    value=st.decimals(
        min_value=0, max_value=10**7, allow_nan=False, allow_infinity=False, places=3
    ),
    unit=st.sampled_from(known_units()),
)
def test_unit_conversion_round_trips_exactly(value: Decimal, unit: object) -> None:
    """Converting to cells/µL and back gives exactly the typed value."""
    assert from_cells_per_ul(to_cells_per_ul(value, unit), unit) == value  # type: ignore[arg-type]


@settings(deadline=None)  # the first example also builds the spaCy pipeline
@given(st.text(max_size=300))
def test_parsing_never_raises_on_arbitrary_text(text: str) -> None:
    """Whatever is typed, reading it gives a result or a WbcBotError, never another exception."""
    from bot.errors import WbcBotError

    with contextlib.suppress(WbcBotError):
        parse_text(text)


@settings(deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "wbc",
                "ANC",
                "3.2",
                "3,200",
                "x10^9/L",
                "K/uL",
                "(",
                ")",
                "-",
                "4.0-11.0",
                "L",
                "%",
                "no",
                "fever",
                "38.5",
                "°C",
                "|",
                "neutrophils",
                "45",
                "bands",
                "I'm",
                "34",
                "F",
                " ",
            ]
        ),
        max_size=25,
    )
)
def test_parsing_never_raises_on_lab_like_text(tokens: list[str]) -> None:
    """Jumbles of lab words, numbers and units never make the reader raise."""
    text = " ".join(tokens)
    if text.strip():
        parse_text(text)


@settings(deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "My WBC",
                "counts were",
                "neutropenic (",
                ")",
                "Mine is",
                "It's at",
                "our daughter's was",
                "went from",
                "to",
                "then",
                "and",
                "or",
                "now",
                "today",
                "last week",
                "on Monday",
                "3/12",
                ".6",
                "1.9",
                "520",
                "47.0",
                "32,000",
                "........",
                "| W. B. C. Count |",
                "H",
                "(normal range 4.5-11.0)",
                "cycle #3",
                "day 10",
                "5 mg",
                "555 123 4567",
                "at 7 this morning",
                "I'm 34",
                ".",
                ",",
                "?",
                "\n",
            ]
        ),
        max_size=30,
    )
)
def test_parsing_never_raises_on_stories(tokens: list[str]) -> None:
    """Jumbles of story words, readings in time and report layouts never make the reader raise.

    Every count read starts at a digit, a point or a sign.
    """
    text = " ".join(tokens)
    if text.strip():
        parsed = parse_text(text)
        for value in parsed.values:
            assert parsed.text[value.start] in "0123456789.,-−"
