"""Reading counts from free text and lab lines (clinical-reference.md section 4)."""

from __future__ import annotations

import pytest

from bot.model import Analyte, LabFlag
from bot.parse import parse_text

# (text, analyte, cells per µL or None, unit assumed, lab range or None, flag or None)
COUNT_CASES = [
    # how people type
    ("my wbc is 3,200, is that bad?", "wbc", 3200, False, None, None),
    ("my WBC is 3200", "wbc", 3200, False, None, None),
    ("white count 3 200", "wbc", 3200, False, None, None),
    ("wbc 3.2", "wbc", 3200, True, None, None),
    ("wbc 3,2", "wbc", 3200, True, None, None),
    ("wbc 3,25", "wbc", 3250, True, None, None),
    ("wbc 3.2k", "wbc", 3200, False, None, None),
    ("wbc 3.2 k", "wbc", 3200, False, None, None),
    ("white blood cells 8", "wbc", 8000, True, None, None),
    ("white cell count of 29", "wbc", 29000, True, None, None),
    ("wbc 320", "wbc", None, False, None, None),
    ("wbc 30", "wbc", None, False, None, None),
    ("wbc 999", "wbc", None, False, None, None),
    ("wbc 1000", "wbc", 1000, False, None, None),
    ("wbc 0.8", "wbc", 800, True, None, None),
    ("wbc 0", "wbc", 0, False, None, None),
    ("wbc -3", "wbc", -3000, True, None, None),
    ("wbc 3200 K/uL", "wbc", 3_200_000, False, None, None),
    ("wbc 3200 x10^9/L", "wbc", 3_200_000, False, None, None),
    ("my white count came back at 2.9", "wbc", 2900, True, None, None),
    (
        "My 3 year old had the flu and her WBC was 4,500, should I worry?",
        "wbc",
        4500,
        False,
        None,
        None,
    ),
    ("I have 2,900 white cells", "wbc", 2900, False, None, None),
    ("my count is 2.8", "wbc", 2800, True, None, None),
    ("3.2", "wbc", 3200, True, None, None),
    ("3,200/uL?", "wbc", 3200, False, None, None),
    # every name
    ("WCC 3.1", "wbc", 3100, True, None, None),
    ("leukocytes 3.1", "wbc", 3100, True, None, None),
    ("Leucocytes 3.1", "wbc", 3100, True, None, None),
    ("Leukozyten 3,1", "wbc", 3100, True, None, None),
    ("leucocitos 3100", "wbc", 3100, False, None, None),
    ("TLC 3100", "wbc", 3100, False, None, None),
    ("total leucocyte count 3100", "wbc", 3100, False, None, None),
    ("total count 3100", "wbc", 3100, False, None, None),
    ("white blood cell count: 3.1", "wbc", 3100, True, None, None),
    ("ANC 800", "anc", 800, False, None, None),
    ("ANC 0.8", "anc", 800, True, None, None),
    ("ANC 30", "anc", 30, False, None, None),
    ("absolute neutrophils 1.2", "anc", 1200, True, None, None),
    ("neutrophils 1.2", "anc", 1200, True, None, None),
    ("neuts 0.4", "anc", 400, True, None, None),
    ("polys 900", "anc", 900, False, None, None),
    ("Neutrophils, Absolute 1.2 K/uL", "anc", 1200, False, None, None),
    ("NEUT# 0.9", "anc", 900, True, None, None),
    # every unit spelling
    ("wbc 3.2 K/uL", "wbc", 3200, False, None, None),
    ("wbc 3.2 K/µL", "wbc", 3200, False, None, None),
    ("wbc 3.2 K/mcL", "wbc", 3200, False, None, None),
    ("wbc 3.2 x10^3/uL", "wbc", 3200, False, None, None),
    ("wbc 3.2 x10E3/uL", "wbc", 3200, False, None, None),
    ("wbc 3.2 ×10³/µL", "wbc", 3200, False, None, None),
    ("wbc 3.2 x10^9/L", "wbc", 3200, False, None, None),
    ("wbc 3.2 10*9/L", "wbc", 3200, False, None, None),
    ("wbc 3.2 x 10 ^ 9 / L", "wbc", 3200, False, None, None),
    ("wbc 3.2 ×10⁹/L", "wbc", 3200, False, None, None),
    ("wbc 3.2 billion per liter", "wbc", 3200, False, None, None),
    ("wbc 3.2 billion cells per litre", "wbc", 3200, False, None, None),
    ("wbc 3.2 G/L", "wbc", 3200, False, None, None),
    ("wbc 3.2 /nL", "wbc", 3200, False, None, None),
    ("wbc 3.2 thou/mm3", "wbc", 3200, False, None, None),
    ("wbc 3.2 thousand", "wbc", 3200, False, None, None),
    ("wbc 2,9 Tsd/µl", "wbc", 2900, False, None, None),
    ("wbc 3200 cells/cumm", "wbc", 3200, False, None, None),
    ("wbc 3200 /cu mm", "wbc", 3200, False, None, None),
    ("wbc 3200/mm³", "wbc", 3200, False, None, None),
    ("wbc 3200 /mm3", "wbc", 3200, False, None, None),
    ("wbc 3200 cells/mcL", "wbc", 3200, False, None, None),
    ("wbc 3200 cells/uL", "wbc", 3200, False, None, None),
    ("wbc 3200 per microliter", "wbc", 3200, False, None, None),
    ("wbc 800 cells/µL", "wbc", 800, False, None, None),
    # lab lines: US
    ("WBC 2.9 L 4.0-11.0 x10^3/uL", "wbc", 2900, False, (4000, 11000), "L"),
    ("WBC: 3.2 K/uL (4.5-11.0) L", "wbc", 3200, False, (4500, 11000), "L"),
    ("WBC 3.2 L (3.6-10.6)", "wbc", 3200, True, (3600, 10600), "L"),
    ("| WBC | 3.2 | L | 4.0-11.0 | x10^3/uL |", "wbc", 3200, False, (4000, 11000), "L"),
    ("WBC 12.5 H", "wbc", 12500, True, None, "H"),
    ("WBC 3.9 (3.4-9.6)", "wbc", 3900, True, (3400, 9600), None),
    ("WBC (x10^9/L): 3.4 (4.0-11.0)", "wbc", 3400, False, (4000, 11000), None),
    # SI / UK
    ("White cell count 3.4 x10^9/L (4.0 - 11.0) Low", "wbc", 3400, False, (4000, 11000), "L"),
    ("Neutrophils 1.1 x10^9/L [2.0-7.5]", "anc", 1100, False, (2000, 7500), None),
    # India
    (
        "Total Leucocyte Count (TLC) 3,200 /cu mm 4000 - 11000",
        "wbc",
        3200,
        False,
        (4000, 11000),
        None,
    ),
    ("TLC : 3200 cells/cumm 4000-11000", "wbc", 3200, False, (4000, 11000), None),
    # Germany
    ("Leukozyten 3,2 G/l (4,0-10,0)", "wbc", 3200, False, (4000, 10000), None),
    ("Leukozyten 3,2 /nl 4,0 - 10,0 ↓", "wbc", 3200, False, (4000, 10000), "L"),
    # Brazil
    ("Leucócitos 7.200/mm³ 4.000 a 11.000", "wbc", 7200, False, (4000, 11000), None),
    ("Leucócitos: 3.200 /mm3 (4.000 a 11.000)", "wbc", 3200, False, (4000, 11000), None),
]


@pytest.mark.parametrize(
    ("text", "analyte", "cells", "assumed", "lab_range", "flag"),
    COUNT_CASES,
    ids=[case[0] for case in COUNT_CASES],
)
def test_count_is_read(
    text: str,
    analyte: str,
    cells: float | None,
    assumed: bool,
    lab_range: tuple[float, float] | None,
    flag: str | None,
) -> None:
    """The first count in the text is read with its unit, range and flag."""
    values = parse_text(text).values
    assert values, f"no count found in {text!r}"
    value = values[0]
    assert value.analyte is Analyte(analyte)
    assert value.cells_per_ul == cells
    assert value.unit_assumed is assumed
    got_range = None if value.lab_range is None else (value.lab_range.low, value.lab_range.high)
    assert got_range == lab_range
    assert value.lab_flag == (None if flag is None else LabFlag(flag))


OTHER_NUMBERS = [
    "WBC 3.2, Hb 105, PLT 140,000, BP 148/84, lymphocytes 36%",
    "platelets 140,000 and WBC 3.2",
    "Hb 105 g/L; WBC 3.2; MCV 88",
    "WBC on 12/03/2024 was 3.2",
    "WBC in 2023 was 3.2",
    "my wbc on day 10 was 3.2",
    "WBC 3.2 at 10:30, temp 38.1",
]


@pytest.mark.parametrize("text", OTHER_NUMBERS, ids=OTHER_NUMBERS)
def test_other_numbers_are_not_the_white_count(text: str) -> None:
    """Platelets, hemoglobin, blood pressure, percentages, dates and days are never the WBC."""
    values = parse_text(text).values
    assert [(v.analyte, v.cells_per_ul) for v in values] == [(Analyte.WBC, 3200)]


NO_COUNT = [
    "what causes a low white count?",
    "platelets 140,000",
    "lymphocytes 36%",
    "BP 148/84",
    "my 3 year old has a cold",
    "I'm 34",
    "temp 38.5",
    "Hb 105",
]


@pytest.mark.parametrize("text", NO_COUNT, ids=NO_COUNT)
def test_no_count_where_there_is_none(text: str) -> None:
    """Texts without a white count or neutrophil count give no count."""
    assert parse_text(text).values == ()


def test_findings_keep_text_order() -> None:
    """Several counts come back in the order they were typed."""
    values = parse_text("white cells 1.1 x 10^9/L, ANC 0.4, last month WBC 4.2").values
    assert [(v.analyte.value, v.cells_per_ul) for v in values] == [
        ("wbc", 1100),
        ("anc", 400),
        ("wbc", 4200),
    ]


@pytest.mark.parametrize(
    ("text", "shares"),
    [
        ("WBC 4.1 Neutrophils 45% Bands 5%", [("neutrophils", 45.0), ("bands", 5.0)]),
        ("WBC 4.1, segs 60 %, bands 10%", [("neutrophils", 60.0), ("bands", 10.0)]),
        ("WBC 4.1 Neutrophils 62", [("neutrophils", 62.0)]),
        ("45% neutrophils, wbc 3.0", [("neutrophils", 45.0)]),
        ("Neutrophils 62 % 2.5 x10^9/L", [("neutrophils", 62.0)]),
        ("Neutrófilos segmentados 55 %, bastões 3 %", [("neutrophils", 55.0), ("bands", 3.0)]),
        ("lymphocytes 36%", []),
    ],
    ids=[
        "us",
        "segs and bands",
        "no percent sign",
        "before the name",
        "with count",
        "brazil",
        "lymphs",
    ],
)
def test_differential_percentages(text: str, shares: list[tuple[str, float]]) -> None:
    """Neutrophil and band percentages are read as percentages, not counts."""
    found = parse_text(text).neutrophil_shares
    assert [(share.kind, share.percent) for share in found] == shares


def test_percentage_with_absolute_count_on_one_line() -> None:
    """ "Neutrophils 62 % 2.5 x10^9/L" gives the percentage and the absolute count."""
    parsed = parse_text("Neutrophils 62 % 2.5 x10^9/L")
    assert [(v.analyte, v.cells_per_ul) for v in parsed.values] == [(Analyte.ANC, 2500)]


def test_text_is_the_value_as_typed() -> None:
    """The finding's text is the number with its unit, as the person typed it."""
    value = parse_text("Leukozyten 3,2 G/l (4,0-10,0)").values[0]
    assert value.text == "3,2 G/l"
    assert parse_text("WBC 3.2 L").values[0].text == "3.2"


def test_forty_line_report() -> None:
    """A whole pasted CBC report gives the WBC, the absolute neutrophils and the percentages."""
    report = "\n".join(
        [
            "COMPLETE BLOOD COUNT          Result   Flag  Ref range       Units",
            "WBC                           2.9      L     4.0-11.0        x10^3/uL",
            "RBC                           4.10           4.20-5.40       x10^6/uL",
            "Hemoglobin                    12.1     L     12.5-16.0       g/dL",
            "Hematocrit                    36.0           36-46           %",
            "MCV                           88             80-100          fL",
            "Platelets                     140      L     150-400         x10^3/uL",
            "Neutrophils                   38       L     40-75           %",
            "Lymphocytes                   50       H     20-45           %",
            "Monocytes                     9              2-10            %",
            "Neutrophils, Absolute         1.1      L     1.8-7.7         x10^3/uL",
            "Lymphocytes, Absolute         1.5            1.0-4.8         x10^3/uL",
        ]
    )
    parsed = parse_text(report)
    assert [(v.analyte.value, v.cells_per_ul) for v in parsed.values] == [
        ("wbc", 2900),
        ("anc", 1100),
    ]
    assert parsed.values[1].lab_range is not None
    assert (parsed.values[1].lab_range.low, parsed.values[1].lab_range.high) == (1800, 7700)
    assert [(s.kind, s.percent) for s in parsed.neutrophil_shares] == [("neutrophils", 38.0)]


@pytest.mark.parametrize(
    ("text", "cells", "lab_range", "flag"),
    [
        ("WBC 800 (4000-11000)", 800, (4000, 11000), None),
        ("WBC 3.2 (4000-11000)", 3200, (4000, 11000), None),
        ("WBC 3200 (4.0-11.0)", 3200, (4000, 11000), None),
        ("WBC 3.2* (4.0-11.0)", 3200, (4000, 11000), None),
        ("WBC 3.2 (11.0-4.0)", 3200, None, None),
        ("WBC 3.2 (4.0-)", 3200, None, None),
        ("WBC 3.2 ↑", 3200, None, "H"),
    ],
    ids=[
        "range shows cells",
        "range in cells",
        "value in cells",
        "star",
        "reversed",
        "open",
        "arrow",
    ],
)
def test_lab_range_scale_and_flags(
    text: str, cells: float, lab_range: tuple[float, float] | None, flag: str | None
) -> None:
    """A printed range is put on the value's scale; reversed or open ranges are ignored."""
    value = parse_text(text).values[0]
    assert value.cells_per_ul == cells
    got_range = None if value.lab_range is None else (value.lab_range.low, value.lab_range.high)
    assert got_range == lab_range
    assert value.lab_flag == (None if flag is None else LabFlag(flag))


@pytest.mark.parametrize(
    "text",
    [
        "bands 2000",
        "wbc is normal, thanks",
        "wbc was really quite a bit lower than it was before 3.2",
    ],
    ids=["band count", "no number", "number too far from the name"],
)
def test_no_white_count_read(text: str) -> None:
    """Band counts, names without numbers and numbers far from the name give no count."""
    assert parse_text(text).values == ()


def test_band_percentage_without_sign() -> None:
    """A small number after "bands" is a percentage even without a % sign."""
    shares = parse_text("wbc 4.0 neutrophils 50 bands 5").neutrophil_shares
    assert [(s.kind, s.percent) for s in shares] == [("neutrophils", 50.0), ("bands", 5.0)]


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("which wbc is the lower limit, 4,000 or 4,500", [4000, 4500]),
        ("my wbc was 2.8 and then 4.9 a week later", [2800, 4900]),
        ("white count dropped from 5.0 to 3.4 in a year", [3400]),
        ("wbc 3.2 and 2 kids at home", [3200]),
        ("how to increase tlc count naturally, mine is 3800", [3800]),
        ("my white cell going down since 6 month, 3,4 now", [3400]),
        ("my sons whitebloodcells are 13.9", [13900]),
    ],
    ids=["or", "and then", "from ... to", "not a count", "name + generic word", "typo", "joined"],
)
def test_values_in_chat_messages(text: str, cells: list[float]) -> None:
    """Two values of one count; "from X to Y" keeps the current one; typed names run together."""
    assert [value.cells_per_ul for value in parse_text(text).values] == cells


@pytest.mark.parametrize(
    ("text", "cells"),
    [("ｗｂｃ ３．２", 3200), ("ＷＢＣ　２，９００", 2900), ("wbc 3.2 x10⁹/L", 3200)],
    ids=["full-width decimal", "full-width thousands and ideographic space", "superscript kept"],
)
def test_full_width_text_reads_like_ascii(text: str, cells: int) -> None:
    """Full-width letters and digits read as ASCII; superscript exponents keep their meaning."""
    (value,) = parse_text(text).values
    assert value.cells_per_ul == cells


@pytest.mark.parametrize(
    ("text", "cells"),
    [("wbc 3.2e3", 3200), ("WBC 2.9E3 cells/uL", 2900), ("wbc 1e3/uL", 1000)],
    ids=["decimal mantissa", "capital E with unit", "unit per microliter"],
)
def test_scientific_notation_is_read_whole(text: str, cells: int) -> None:
    """ "3.2e3" is 3,200, not 3.2 followed by a stray word."""
    (value,) = parse_text(text).values
    assert value.cells_per_ul == cells


def test_absurd_scientific_value_is_implausible() -> None:
    """ "1e308" is not read as 1 (a very low count) but as a value no blood test gives."""
    from bot import interpret_text
    from bot.model import Category
    from bot.report import format_cells

    (finding,) = interpret_text("my wbc is 1e308").findings
    assert finding.category is Category.IMPLAUSIBLE
    assert format_cells(float(finding.cells_per_ul or 0)) == "1e+308"


@pytest.mark.parametrize("text", ["wbc 1e999999999999", "anc 1e-999999", "wbc 9E+5000"])
def test_astronomical_exponents_are_not_numbers(text: str) -> None:
    """An exponent no one could mean is not read as a count (and does not overflow)."""
    assert parse_text(text).values == ()
