"""Number literals in every national format, unit spellings, and exact unit conversion."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.numbers import find_numbers, read_number
from bot.parse import parse_text
from bot.units import from_cells_per_ul, known_units, match_unit, to_cells_per_ul


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
