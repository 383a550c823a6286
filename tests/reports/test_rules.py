"""The reader's rules for the reports people really have, one table each (docs/reports.md).

Units in OCR noise, a portal's blocks of lines, the test's name against what is taken, table
rules painted out, and "clear enough" from agreeing evidence.
"""

from __future__ import annotations

import numpy
import pytest
from PIL import Image, ImageDraw

from bot.reports import ReportLine, images
from bot.reports.lines import blocks, is_name_only, is_value_only, tidy
from bot.reports.read import (
    EVIDENCE_FLOOR,
    _check,
    evidence_agrees,
    named_kinds,
    usual_range,
)
from tests.reports.synthetic import values_read

# --- Units in OCR noise: tidied without touching a number ---------------------------------------


@pytest.mark.parametrize(
    ("read", "tidied"),
    [
        ("WBC 3.2 x10°/uL (4.0-10.5)", "WBC 3.2 x10^3/uL (4.0-10.5)"),  # x10³/µL, ³ lost
        ("WBC 3.2 x10?/uL", "WBC 3.2 x10^3/uL"),
        ("White cell count 5.4 x10°/L", "White cell count 5.4 x10^9/L"),  # x10⁹/L
        ("Neutrophil count 8.62 «10^9/L (2.0-7.5) H", "Neutrophil count 8.62 x10^9/L (2.0-7.5) H"),
        ("Lymphocyte count 1.9 x10^9/ (1.0-4.0)", "Lymphocyte count 1.9 x10^9/L (1.0-4.0)"),
        ("Leukozyten 15,3 G/t 3,9 - 10,2 +", "Leukozyten 15,3 G/l 3,9 - 10,2 +"),
        ("Leukozyten 3,2 G/I", "Leukozyten 3,2 G/l"),
        ("Leukozyten 3,2 /nI 4,0 - 10,0", "Leukozyten 3,2 /nl 4,0 - 10,0"),
        ("Neutrophile abs. 9,1 /nl", "Neutrophile abs 9,1 /nl"),
        ("WBC 2.9L x10^3/uL 4.0-10.5", "WBC 2.9 L x10^3/uL 4.0-10.5"),  # a flag stuck to it
        ("WBC 3.3L x10^3/uL = 4.0-10.5", "WBC 3.3 L x10^3/uL 4.0-10.5"),  # a table rule's mark
        (
            "Your value: 5.9 x10E3/uL Standard range: 4.0 - 10.5 x10E3/uL",
            "5.9 x10E3/uL 4.0 - 10.5 x10E3/uL",
        ),
        ("Neutrophil count 3.55 x1l0*9/L (2.0-7.5)", "Neutrophil count 3.55 x10^9/L (2.0-7.5)"),
        ("White cellcount 12.9 x10^9/L", "White cell count 12.9 x10^9/L"),
        ("Total WBC Count 1073/cumm", "Total WBC Count 1073/cumm"),  # a count, not a unit
        ("WBC 13.2 x10E3/uL", "WBC 13.2 x10E3/uL"),
        ("TLC 3600 /cu mm 4000 - 10000", "TLC 3600 /cu mm 4000 - 10000"),
    ],
    ids=lambda value: value if len(value) < 40 else value[:40],
)
def test_units_in_ocr_noise_are_tidied_and_numbers_are_not(read: str, tidied: str) -> None:
    assert tidy(read) == tidied
    numbers = [w for w in read.replace(",", ".").split() if w.replace(".", "").isdigit()]
    assert all(number in tidied.replace(",", ".") for number in numbers)


@pytest.mark.parametrize(
    ("line", "kind", "cells_or_percent"),
    [
        ("WBC 3.2 x10^3/uL", "wbc", 3200.0),
        ("WBC 3.2 x10E3/uL", "wbc", 3200.0),
        ("WBC 3.2 10*3/uL", "wbc", 3200.0),
        ("WBC 3.2 x10³/µL", "wbc", 3200.0),
        ("WBC 3.2 K/uL", "wbc", 3200.0),
        ("WBC 3.2 Thousand/uL", "wbc", 3200.0),
        ("White cell count 3.2 x10^9/L", "wbc", 3200.0),
        ("White cell count 3.2 10*9/L", "wbc", 3200.0),
        ("Leukozyten 3,2 /nl", "wbc", 3200.0),
        ("Leukozyten 3,2 G/l", "wbc", 3200.0),
        ("Total W.B.C. Count 3200 /cumm", "wbc", 3200.0),
        ("Total Leucocyte Count (TLC) 3200 cells/cumm", "wbc", 3200.0),
        ("Neutrophile abs 4,3 G/l", "anc", 4300.0),
        ("Neutrophil count 1.42 x10^9/L", "anc", 1420.0),
        ("SEGS 58 % 40-70", "neutrophils", 58.0),
    ],
)
def test_each_unit_a_report_prints_is_read(line: str, kind: str, cells_or_percent: float) -> None:
    """The units of the layouts in tests/reports/layouts.py, as the reader takes them."""
    assert values_read(tidy(line)) == [(kind, cells_or_percent)]


# --- A portal's blocks: joined only when nothing else can be meant -------------------------------


@pytest.mark.parametrize(
    ("lines", "groups"),
    [
        (  # name, then "Your value ... Standard range ..." (the large portals)
            ["White Blood Cell Count", "Your value: 3.2 x10E3/uL Standard range: 4.0 - 10.5"],
            [[0, 1]],
        ),
        (  # name, value, range on three lines (a phone's portal app)
            ["WBC", "2.2 x10E3/uL Low", "Standard range: 4 - 10.5 x10E3/uL", "Hemoglobin"],
            [[0, 1, 2], [3]],
        ),
        (  # three lines of numbers after the name: which is the value is not clear
            ["WBC", "2.2 x10E3/uL", "4.0 - 10.5", "3.1"],
            [[0], [1], [2], [3]],
        ),
        (  # the next line names a test: a heading, not a block
            ["Differential Leucocyte Count", "Neutrophils 62 % 40 - 80"],
            [[0], [1]],
        ),
        (["WBC 3.2 x10^3/uL 4.0-10.5"], [[0]]),  # one line per test: nothing to join
        (["Neutrophils", "Sodium 139 mmol/L"], [[0], [1]]),  # another test's line
        (["WBC", "Collected 03/14/2025 08:10"], [[0], [1]]),  # words that are not units
    ],
)
def test_a_block_is_joined_only_when_unambiguous(lines: list[str], groups: list[list[int]]) -> None:
    assert blocks(lines) == groups


def test_a_value_in_another_column_is_not_the_names() -> None:
    """A value in another column is not joined to the name above it.

    Read column by column, a names column's last name is followed by the values column's first
    value: it starts elsewhere, so it is not joined.
    """
    lines = ["WBC", "Neutrophils", "3.2 x10^3/uL"]
    assert blocks(lines, aligned=[False, True, False]) == [[0], [1], [2]]
    assert blocks(lines, aligned=[False, True, True]) == [[0], [1, 2]]


def test_a_name_beside_another_column_is_not_a_block() -> None:
    """In a two-column page the name alone in its cell is not followed by its own value."""
    lines = ["Neutrophils", "3.2 x10E3/uL"]
    assert blocks(lines, alone=[False, True]) == [[0], [1]]


@pytest.mark.parametrize(
    ("line", "name_only", "value_only"),
    [
        ("White Blood Cell Count", True, False),
        ("Neutrophils (Absolute)", True, False),
        ("Leukozyten", True, False),
        ("White cell count 3.2", False, False),
        ("Your value: 3.2 x10E3/uL", False, True),
        ("3.8 to 10.8 Thousand/uL", False, True),
        ("Standard range: 1.8 - 7.7 x10E3/uL", False, True),
        ("9,1 G/l +", False, True),
        ("Your value: 71 % Standard range: 40-74%", False, True),
        ("Sodium 139 mmol/L", False, False),
    ],
)
def test_name_lines_and_value_lines(line: str, name_only: bool, value_only: bool) -> None:
    assert (is_name_only(line), is_value_only(line)) == (name_only, value_only)


# --- The test's name against what the reader takes ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "doubtful"),
    [
        # Not a white count: the reader of typed text takes nothing from it, so nothing to doubt.
        ("Lymphocyte count 1.9 x10^9/L (1.0-4.0)", False),
        ("White cell count 1.9 x10^9/L (4.0-11.0) L", False),
        ("Neutrophil count 1.42 x10^9/L (2.0 - 7.5) L", False),
        ("Total W.B.C. Count 3600 /cumm 4000 - 10000", False),
        ("Neutrophile abs 4,3 G/l 1,5 - 7,7", False),
        ("SEGS 58 % 40-70", False),
        ("BANDS 12 H % 0-10", False),
        ("Neutrophile abs s G/l 1,5 - 7,7", True),  # the value lost: "1,5" starts the range
    ],
)
def test_a_value_is_taken_only_for_the_test_the_line_names(text: str, doubtful: bool) -> None:
    assert _check(ReportLine(text, 95.0)).doubtful is doubtful


def test_named_kinds() -> None:
    assert named_kinds("Neutrophils, Absolute 1.1") == {"neutrophil"}
    assert named_kinds("Total W.B.C. Count 3200") == {"wbc"}
    assert named_kinds("Lymphs 28 %") == {"lymphocyte"}


# --- "Clear enough" from agreeing evidence -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "agrees"),
    [
        ("WBC 3.2 L x10^3/uL 4.0-10.5", True),  # below its range, flagged low
        ("WBC 6.8 x10^3/uL 4.0-10.5", True),  # inside, no flag
        ("White cell count 19.4 x10^9/L (4.0-11.0) H", True),
        ("Leukozyten 15,3 G/l 3,9 - 10,2 +", True),  # a German "+" is high
        ("WBC 2.2 x10E3/uL Low 4 - 10.5 x10E3/uL", True),
        ("SEGS 58 % 40-70", True),
        ("Neutrophils 79 H % 40-75", True),
        ("WBC 3.2 x10^3/uL 4.0-10.5", False),  # outside its range with no flag
        ("WBC 32 L x10^3/uL 4.0-10.5", False),  # flagged low, read high: a lost point
        ("Leukozyten 3,2 G/l 3,9 - 10,2 +", False),  # "+" but below
        ("SEGS 38 % 48-76", False),  # 58 and 40-70 misread: outside with no flag
        ("WBC 3.2 L x10^3/uL 4.0-10.5 H", False),  # two flags
        ("WBC 3.2", False),  # no range: nothing to agree with
        ("WBC 3.2 4.0-10.5", False),  # no unit
        ("Neutrophils [36L_ % [40-75", False),  # marks a clean reading does not have
        ("Lymphocyte count 1.9 x10^9/L (1.0-4.0)", False),  # not a test the reader judges
        ("Neutrophils 62 % 2.5 x10^9/L 40-75", False),  # two values: which range?
        ("BANDS 12 H % 0-10", True),
        # a "1" read "2" in the value and the range alike: the range is not a usual one
        ("Leukozyten 25,3 G/l 3,9 - 20,2 +", False),
        ("Total W.B.C. Count 98006 /cumm 4000 - 11000", False),  # outside, no flag
        ("WBC 3.2 L x10^3/uL 0.4-10.5", False),  # the range's low end misread
    ],
)
def test_evidence_agrees(text: str, agrees: bool) -> None:
    assert evidence_agrees(text) is agrees


@pytest.mark.parametrize(
    ("confidence", "agreeing", "doubtful", "clear"),
    [
        (91.0, False, False, True),  # sure: judged as before
        (55.0, True, False, True),  # crisp and all evidence agrees: judged
        (55.0, False, False, False),  # unsure, evidence not agreeing: shown, not judged
        (55.0, True, True, False),  # a check against wrong values always wins
        (None, False, False, True),  # a PDF's text layer
    ],
)
def test_clear_enough(
    confidence: float | None, agreeing: bool, doubtful: bool, clear: bool
) -> None:
    line = ReportLine("WBC 3.2 L x10^3/uL 4.0-10.5", confidence, doubtful, agreeing=agreeing)
    assert line.clear is clear


@pytest.mark.parametrize(
    ("kind", "low", "high", "usual"),
    [
        ("wbc", 4000.0, 10500.0, True),
        ("wbc", 3900.0, 10200.0, True),
        ("wbc", 3900.0, 20200.0, False),
        ("wbc", 400.0, 10500.0, False),
        ("anc", 1800.0, 7700.0, True),
        ("anc", 2000.0, 7500.0, True),
        ("neutrophils", 40.0, 80.0, True),
        ("neutrophils", 4.0, 75.0, False),
        ("bands", 0.0, 10.0, True),
        ("bands", 0.0, 5.0, True),
        ("bands", 0.0, 50.0, False),
        ("lymphocytes", 20.0, 40.0, False),  # not a test the reader judges
    ],
)
def test_usual_printed_ranges(kind: str, low: float, high: float, usual: bool) -> None:
    assert usual_range(kind, low, high) is usual


def test_the_evidence_floor_is_below_the_confidence_limit() -> None:
    from bot.reports.read import MIN_CONFIDENCE

    assert 0 < EVIDENCE_FLOOR < MIN_CONFIDENCE


# --- A table's rules painted out ------------------------------------------------------------------


def test_table_rules_are_painted_out_and_text_is_kept() -> None:
    page = Image.new("L", (2000, 300), 255)  # a page is read at least 2,000 pixels wide
    draw = ImageDraw.Draw(page)
    draw.line([(100, 0), (100, 299)], fill=0, width=3)  # a column rule
    draw.line([(0, 250), (1999, 250)], fill=0, width=3)  # a row rule
    draw.rectangle([(300, 60), (306, 100)], fill=0)  # a capital's stroke, 40 px tall
    draw.rectangle([(400, 60), (560, 66)], fill=0)  # a long dash
    cleaned = numpy.asarray(images.without_rules(page))
    assert cleaned[:, 98:104].min() == 255 and cleaned[248:254, :].min() == 255
    assert cleaned[60:101, 300:307].max() == 0 and cleaned[60:67, 400:561].max() == 0


def test_a_page_without_rules_is_left_as_it_is() -> None:
    page = Image.new("L", (2000, 100), 255)
    ImageDraw.Draw(page).rectangle([(20, 20), (30, 60)], fill=0)
    assert images.without_rules(page) is page
