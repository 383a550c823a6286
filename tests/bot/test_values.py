"""Reading counts from free text and lab lines (clinical-reference.md section 4)."""

from __future__ import annotations

import pytest

from bot.model import Analyte, LabFlag
from bot.read.parse import parse_text

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
    ("Is 11.5 a normal white count during pregnancy?", "wbc", 11500, True, None, None),
    ("is 3 a low wbc?", "wbc", 3000, True, None, None),
    # a count before its name: with "is ... a", "a ... number for my", a unit with digits
    ("just wondering if 9.8 is an ok white count", "wbc", 9800, True, None, None),
    ("would 4.9 be a low reading for my wbc?", "wbc", 4900, True, None, None),
    ("she has 3400/mm3 white cells", "wbc", 3400, False, None, None),
    # up to eight words between the name and its value
    ("the white count was reported as a bit low, at just 3100", "wbc", 3100, False, None, None),
    ("a 2.6 x10^9/L white count at 8 weeks pregnant", "wbc", 2600, False, None, None),
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
    """A percentage with an absolute count on one line gives both.

    As in "Neutrophils 62 % 2.5 x10^9/L".
    """
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
        ("my wbc was 2.8 and then 4.9 a week later", [4900]),
        ("white count dropped from 5.0 to 3.4 in a year", [3400]),
        ("wbc 3.2 and 2 kids at home", [3200]),
        ("how to increase tlc count naturally, mine is 3800", [3800]),
        ("my white cell going down since 6 month, 3,4 now", [3400]),
        ("my sons whitebloodcells are 13.9", [13900]),
    ],
    ids=["or", "and then", "from ... to", "not a count", "name + generic word", "typo", "joined"],
)
def test_values_in_chat_messages(text: str, cells: list[float]) -> None:
    """Two values of one count; readings in time keep the latest; typed names run together."""
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
    """Scientific notation is read whole: "3.2e3" is 3,200, not 3.2 followed by a stray word."""
    (value,) = parse_text(text).values
    assert value.cells_per_ul == cells


def test_absurd_scientific_value_is_implausible() -> None:
    """An absurd value ("1e308") is read as one no blood test gives, not as 1 (very low)."""
    from bot import interpret_text
    from bot.model import Category
    from bot.reply.explain import format_cells

    (finding,) = interpret_text("my wbc is 1e308").findings
    assert finding.category is Category.IMPLAUSIBLE
    assert format_cells(float(finding.cells_per_ul or 0)) == "1e+308"


@pytest.mark.parametrize("text", ["wbc 1e999999999999", "anc 1e-999999", "wbc 9E+5000"])
def test_astronomical_exponents_are_not_numbers(text: str) -> None:
    """An exponent no one could mean is not read as a count (and does not overflow)."""
    assert parse_text(text).values == ()


# --------------------------------------------------------------------------------------------
# Values inside stories (issue 11). (id, text, [(analyte, cells per µL, previous cells or None)])
# Readings in time return only the latest, carrying the one before it.
# --------------------------------------------------------------------------------------------
W, A = "wbc", "anc"
STORY_CASES: list[tuple[str, str, list[tuple[str, float | None, float | None]]]] = [
    # the forms of the issue
    ("comma-then-number", "wbc low, 2", [(W, 2000, None)]),
    ("leading-point-later-clause", "my wbc keeps dropping, it's at .6 now", [(W, 600, None)]),
    ("leading-point-next-sentence", "My WBC keeps dropping. It's at .6 now.", [(W, 600, None)]),
    ("neutropenic-brackets", "she is neutropenic (640)", [(A, 640, None)]),
    ("neutropenia-brackets-thousands", "neutropenia (0.64) after cycle 2", [(A, 640, None)]),
    ("counts-wbc-then-anc", "counts were 1.9 and 520", [(W, 1900, None), (A, 520, None)]),
    ("my-counts-wbc-then-anc", "my counts were 1.9 and 520", [(W, 1900, None), (A, 520, None)]),
    ("my-anc-is", "my ANC is 410", [(A, 410, None)]),
    ("from-to", "his wbc went from 6.2 to 3.9 since March", [(W, 3900, 6200)]),
    (
        "from-to-next-sentence",
        "My WBC was low. It went from 6.2 to 3.9 since March.",
        [(W, 3900, 6200)],
    ),
    # how patients write in forums
    ("only", "his white count is only 1.1", [(W, 1100, None)]),
    ("of-k", "WBC of 2.1k", [(W, 2100, None)]),
    ("dropped-to", "wbc dropped to 1.4 after chemo", [(W, 1400, None)]),
    ("anc-thousands", "ANC 0.4", [(A, 400, None)]),
    ("decimal-comma", "white cells 3,2", [(W, 3200, None)]),
    ("generic-count", "my count is 2.9", [(W, 2900, None)]),
    ("weekday-then-today", "wbc: 3.2 on Monday and 2.8 today", [(W, 2800, 3200)]),
    ("and-then", "my wbc was 2.8 and then 4.9 a week later", [(W, 4900, 2800)]),
    ("today-first", "WBC today 5.2, last week it was 3.1", [(W, 5200, 3100)]),
    ("now-first", "wbc now 2.8, was 3.2 last week", [(W, 2800, 3200)]),
    ("yesterday-vs-month-ago", "My WBC was 2.9 yesterday but 5.8 a month ago", [(W, 2900, 5800)]),
    ("months-in-brackets", "WBC: 6.2 (Jan), 4.1 (Mar), 2.9 (May)", [(W, 2900, 4100)]),
    ("dates", "I had a WBC of 1.8 on 3/12 and 2.4 on 3/19", [(W, 2400, 1800)]),
    ("arrow", "WBC 4.5 -> 2.1", [(W, 2100, 4500)]),
    ("then-now", "wbc 6.2, then 4.1, now 2.8", [(W, 2800, 4100)]),
    ("three-results", "three tests this year, WBC 3.4, 3.3 and 3.2", [(W, 3200, 3300)]),
    ("unit-typed-once", "her wbc dropped from 6.2 K/uL to 3.9", [(W, 3900, 6200)]),
    ("thousands-from-to", "my wbc went from 6,200 to 3,900", [(W, 3900, 6200)]),
    ("anc-from-to", "ANC went from 1200 to 400 after cycle 2", [(A, 400, 1200)]),
    ("was-in-next-sentence", "My WBC is 2.8. It was 4.1 in January.", [(W, 2800, 4100)]),
    ("now-in-next-sentence", "My WBC was 4.1 in January. Now it's 2.8.", [(W, 2800, 4100)]),
    (
        "but-on-monday-it-was",
        "Her white count was fine at the start but on Monday it was 1.9",
        [(W, 1900, None)],
    ),
    (
        "most-recently",
        "my white count has been low on and off for five years, most recently 2.8",
        [(W, 2800, None)],
    ),
    (
        "from-about-to-now",
        "My white count has been slowly going down over 5 years, from about 6 to 3.9 now.",
        [(W, 3900, 6000)],
    ),
    ("mine-next-sentence", "What is a normal white count? Mine is 3.1.", [(W, 3100, None)]),
    (
        "possessive",
        "What's normal for a two-year-old's WBC? Our daughter's was 5.9",
        [(W, 5900, None)],
    ),
    (
        "hers",
        "Can a child's white count be low? My daughter is 6 and hers is 3.9.",
        [(W, 3900, None)],
    ),
    (
        "count-came-back",
        "Does stress lower white cells? My count came back 3.7.",
        [(W, 3700, None)],
    ),
    ("result", "Does being dehydrated change the white count? Result 4.1.", [(W, 4100, None)]),
    ("last-one", "Is it safe if my white count is a bit low? Last one was 3.7.", [(W, 3700, None)]),
    ("report-says", "What is TLC in cumm? my report says 3,900/µL", [(W, 3900, None)]),
    (
        "neutropenia-and-counts",
        "I have neutropenia, my counts were 1.9 and 520",
        [(W, 1900, None), (A, 520, None)],
    ),
    ("names-listed", "WBC and ANC were 1.9 and 0.5", [(W, 1900, None), (A, 500, None)]),
    ("names-listed-anc-cells", "wbc and anc are 2.1 and 640", [(W, 2100, None), (A, 640, None)]),
    ("names-slash", "WBC/ANC 1.9 and 0.5", [(W, 1900, None), (A, 500, None)]),
    ("percent-then-absolute", "neutrophils 38% and absolute 1.3", [(A, 1300, None)]),
    ("hyphen-joins-name", "WBC-3.2, Hb-10.5, PLT-140", [(W, 3200, None)]),
    ("ellipsis", "my wbc is... 2.1", [(W, 2100, None)]),
    ("or-two-readings", "wbc: is it 4,000 or 4,500", [(W, 4000, None), (W, 4500, None)]),
    ("and-two-readings", "wbc 3.2 and 4.1", [(W, 3200, None), (W, 4100, None)]),
    ("vs-last-year", "my wbc is 3.2 vs 4.5 last year", [(W, 3200, 4500)]),
    ("repeat-later", "WBC of 1.9 but the repeat an hour later was 3.0", [(W, 3000, 1900)]),
    ("went-to", "wbc went 3.2 to 4.1", [(W, 4100, 3200)]),
    ("span-is-no-reading", "my white count is always around 4.0 to 4.3", []),
    ("came-back-once", "Should I repeat my white count? It came back 3.5 once.", [(W, 3500, None)]),
    # a later clause of the same sentence refers back; a repeat is the later reading
    (
        "now-later-clause",
        "wbc fell from 7.0 to 4.2 in the spring and now it's 2.6",
        [(W, 2600, 4200)],
    ),
    ("retested-later", "white count 2.9, retested Monday and it was 3.3", [(W, 3300, 2900)]),
    # the name after the number, pointing back to it
    ("named-afterwards", "Should I worry about 3.1? That's my white count.", [(W, 3100, None)]),
    # no name at all: readings told in time are white counts
    ("unnamed-series", "6,900 in June, then 5,100 and last week 3,800", [(W, 3800, 5100)]),
    ("unnamed-later", "it was 4.0 and a month later 2.7", [(W, 2700, 4000)]),
    ("unnamed-test", "the lab redid it and it came back 3.3 again", [(W, 3300, None)]),
    ("range-after-vs", "my wbc was 0.7, vs normal of 4.5 to 11", [(W, 700, None)]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in STORY_CASES], ids=[c[0] for c in STORY_CASES]
)
def test_values_inside_stories(
    text: str, expected: list[tuple[str, float | None, float | None]]
) -> None:
    """Every count of a story is read; of readings in time, only the latest, with the one before."""
    values = parse_text(text).values
    got = [(v.analyte.value, v.cells_per_ul, v.previous_cells_per_ul) for v in values]
    assert got == expected


# (id, text, cells, unit assumed, lab range or None, flag or None)
LAYOUT_CASES: list[tuple[str, str, float, bool, tuple[float, float] | None, str | None]] = [
    ("dotted-leaders", "Leukocytes ........ 2.7 L (4.0-10.5)", 2700, True, (4000, 10500), "L"),
    ("leaders-touching", "Leukocytes.......2.7", 2700, True, None, None),
    ("underscore-leaders", "WBC ______ 2.7 x10^9/L", 2700, False, None, None),
    (
        "pipes-spaced-abbreviation",
        "| W. B. C. Count | 15200 | /cumm | 4000-10000 |",
        15200,
        False,
        (4000, 10000),
        None,
    ),
    ("capital-dotted-abbreviation", "W.B.C. 3.2, platelets 140", 3200, True, None, None),
    ("tlc-dotted", "T.L.C. 3200 cells/cumm", 3200, False, None, None),
    # "47.0" is 47,000 in every layout: cells per µL are never printed with decimals
    ("47.0-plain", "WBC 47.0", 47000, True, None, None),
    ("47.0-flag", "WBC 47.0 H", 47000, True, None, "H"),
    ("47.0-flag-range", "WBC 47.0 H (4.0-11.0)", 47000, True, (4000, 11000), "H"),
    ("47.0-leaders", "Leukocytes ........ 47.0 H (4.0-10.5)", 47000, True, (4000, 10500), "H"),
    ("47.0-pipes", "| WBC | 47.0 | H | 4.0-11.0 |", 47000, True, (4000, 11000), "H"),
    (
        "47.0-pipes-unit",
        "| W. B. C. Count | 47.0 | 10^3/uL | 4.0-11.0 |",
        47000,
        False,
        (4000, 11000),
        None,
    ),
    ("47.0-si-unit", "WBC: 47.0 x10^9/L", 47000, False, None, None),
    ("47.0-sentence", "my wbc is 47.0, is that bad?", 47000, True, None, None),
    ("47.0-range-in-words", "white count 47.0 (normal 4.0-11.0)", 47000, True, (4000, 11000), None),
    ("decimal-52.0", "wbc 52.0", 52000, True, None, None),
    ("decimal-flagged-high", "WBC 35.2 H", 35200, True, None, "H"),
    ("whole-flagged-high", "WBC 320 H", 320000, True, None, "H"),
    # the lab range in words
    (
        "normal-range-brackets",
        "my wbc is 3.15 (normal range 4.5-11.0)",
        3150,
        True,
        (4500, 11000),
        None,
    ),
    ("normal-is-to", "my wbc is 3.2, normal is 4.5 to 11", 3200, True, (4500, 11000), None),
    (
        "range-being",
        "my wbc is 3.2, the normal range being 4.5-11.0",
        3200,
        True,
        (4500, 11000),
        None,
    ),
    (
        "should-be-between",
        "wbc 3.2 (should be between 4.5 and 11)",
        3200,
        True,
        (4500, 11000),
        None,
    ),
    ("neutrophil-range-thousands", "neutrophils 0.9 (1.5-8.0)", 900, True, (1500, 8000), None),
]


@pytest.mark.parametrize(
    "text",
    ["wbc 38.5", "my wbc is low and I have 38.5", "wbc 101.2", "wbc 47", "WBC 320 L"],
    ids=["celsius", "celsius-in-a-story", "fahrenheit", "whole", "whole-flagged-low"],
)
def test_counts_that_still_need_a_unit(text: str) -> None:
    """A whole 30 to 999, or a decimal that could be a body temperature, still asks for the unit."""
    (value,) = parse_text(text).values
    assert value.cells_per_ul is None


@pytest.mark.parametrize(
    ("text", "cells", "assumed", "lab_range", "flag"),
    [c[1:] for c in LAYOUT_CASES],
    ids=[c[0] for c in LAYOUT_CASES],
)
def test_report_layouts(
    text: str, cells: float, assumed: bool, lab_range: tuple[float, float] | None, flag: str | None
) -> None:
    """Dotted leaders, pipes, spaced abbreviations, "47.0" and ranges in words are read whole."""
    (value,) = parse_text(text).values
    assert value.cells_per_ul == cells
    assert value.unit_assumed is assumed
    got_range = None if value.lab_range is None else (value.lab_range.low, value.lab_range.high)
    assert got_range == lab_range
    assert value.lab_flag == (None if flag is None else LabFlag(flag))


# (id, text, white counts and ANCs read, in text order)
NOT_COUNTS_IN_STORIES: list[tuple[str, str, list[float | None]]] = [
    ("day-and-cycle", "my wbc was low on day 10 of cycle 3", []),
    ("cycle-hash", "wbc after cycle #3 was 2.1", [2100]),
    ("day-after-value", "wbc 3.2 day 10 of cycle 3", [3200]),
    ("dose-mg", "WBC 3.2, took 5 mg prednisone", [3200]),
    ("dose-mcg", "ANC low after 300 mcg neupogen", []),
    ("doses", "ANC 410 with 2 doses of neupogen", [410]),
    ("age-i-am", "my wbc is low, I'm 34", []),
    ("age-she-is", "my wbc is low, she is 4", []),
    ("age-decade", "What is a normal white blood cell count for a woman in her 50s?", []),
    ("age-possessive", "My wbc was low. My dad's 75.", []),
    ("age-possessive-and", "My WBC was low. My son's 4 and has a cold.", []),
    ("month-day", "wbc on March 3 was 3.2", [3200]),
    ("day-of-month", "wbc on 3rd of March was 3.2", [3200]),
    ("day-month-year", "wbc 3 March 2024: 3.2", [3200]),
    ("year-heading", "wbc results 2023: 3.2", [3200]),
    ("year-in", "my wbc was low in 2021", []),
    ("kids", "wbc low, 2 kids at home", []),
    ("kids-after-value", "WBC 3.1 and 2 kids", [3100]),
    ("more-tests", "wbc 3.2 and then 2 more tests", [3200]),
    ("stage", "wbc is low, stage 4 lymphoma", []),
    ("grade", "my wbc is low, stage 3 cancer and it's grade 2", []),
    ("money", "my wbc results cost $45", []),
    ("money-words", "My wbc was low. It cost me 40 dollars.", []),
    ("phone-spaces", "my count is 2.9, call 555 123 4567", [2900]),
    ("phone-dashes", "my wbc is low, call me on 555-123-4567", []),
    ("phone-number-word", "My wbc was low. My number is 555 123 4567.", []),
    ("clock-at", "wbc drawn at 7 this morning was 3.1", [3100]),
    ("not-a-clock", "wbc was 3 this morning", [3000]),
    ("clock-in-the-morning", "My white count is low. It's 3 in the morning.", []),
    ("clock-am", "My white count is low. It's 2am and I can't sleep.", []),
    ("clock-pm", "My wbc was low. It's 5 pm now.", []),
    ("weeks", "My wbc was low. It's been 2 weeks.", []),
    ("someone-else-later", "My wbc is 3.2. His is 5.", [3200]),
    ("temperature-later", "My WBC was low. My temp went up, it's 38.5 now.", []),
    ("temperature-word", "my ANC was low. Temperature 38.2, it went up to 38.9", []),
    ("platelets-later", "My WBC was low. My platelets were 140 and it was 150 before.", []),
    ("hemoglobin-later", "My WBC was 3.2. My hemoglobin was 10 and now it's 11.", [3200]),
    ("neutropenic-grade", "neutropenic (grade 3) after cycle 2", []),
    ("neutropenic-year", "she was neutropenic (2019)", []),
    ("neutropenic-days", "neutropenic for 3 days", []),
    ("counts-then-platelets", "my counts were 1.9 and 150 platelets", [1900]),
    ("counts-second-unclear", "my counts were 1.9 and 0.5", [1900]),
    ("counts-three", "my counts were 1.9, 520 and 140", [1900]),
    ("range-question", "is the wbc normal range 4.0 to 11.0?", []),
    ("no-count-named", "It's at .6 now", []),
    ("far-question", "Is 3.9 considered low for a white count?", []),
    # no name at all: numbers in time that are not counts
    ("unnamed-ages", "my son was 5 in may and 6 in june", []),
    ("unnamed-temperatures", "I was 38.2 this morning and 38.9 now", []),
    ("unnamed-weights", "weighed 70.2 then 68.5 now", []),
    ("unnamed-other-test", "potassium 3.4 then 3.9 now", []),
    ("unnamed-single", "it was 4.0 last week", []),
    ("unnamed-test-two-numbers", "my test came back 3.1 and 2.2, what now", []),
    ("unnamed-test-age", "I am 44 and my tests came back fine", []),
    ("unnamed-test-other-named", "my thyroid test came back 3.1", []),
    ("named-afterwards-two-numbers", "Is 3.1 or 4.2 bad? That's my white count.", []),
    ("named-afterwards-not-pointing", "I got 3.1 on a quiz. My white count is fine.", []),
]


@pytest.mark.parametrize(
    ("text", "cells"),
    [c[1:] for c in NOT_COUNTS_IN_STORIES],
    ids=[c[0] for c in NOT_COUNTS_IN_STORIES],
)
def test_numbers_in_stories_that_are_not_counts(text: str, cells: list[float | None]) -> None:
    """Numbers in stories that are not counts are not read as the count.

    Dates, ages, times, doses, money, phone numbers, cycles and other people's counts.
    """
    assert [value.cells_per_ul for value in parse_text(text).values] == cells


def test_a_count_that_needs_a_unit_keeps_the_reading_before_it() -> None:
    """A unit given later completes the latest reading and keeps the earlier one."""
    from bot.read.values import with_unit
    from bot.reference.units import match_unit

    (value,) = parse_text("wbc went from 6.2 to 390").values
    assert (value.cells_per_ul, value.previous_cells_per_ul) == (None, 6200)
    unit = match_unit("/uL", 0)
    assert unit is not None
    completed = with_unit(value, unit)
    assert (completed.cells_per_ul, completed.previous_cells_per_ul) == (390, 6200)


def test_previous_reading_defaults_to_none() -> None:
    """LabValue gains `previous_cells_per_ul` with a default, so existing callers are unchanged."""
    from bot.model import LabValue

    assert LabValue(Analyte.WBC, "3.2", 0, 3200.0).previous_cells_per_ul is None


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("NEUT % 22.4 L % 40.0-74.0", 22.4),  # a flag between the number and its "%"
        ("Neutrophils 22.4 L %", 22.4),
        ("neutrophils 40 H %", 40.0),
    ],
)
def test_a_flag_before_the_percent_sign_keeps_a_percentage(text: str, percent: float) -> None:
    """A percentage of a differential is never read as an absolute count."""
    parsed = parse_text(text)
    assert parsed.values == ()
    assert [share.percent for share in parsed.neutrophil_shares] == [percent]


@pytest.mark.parametrize(
    "text",
    [
        "Lymphocyte count 1.9 x10^9/L",
        "absolute lymphocyte count 1.9",
        "monocyte count 0.9",
        "eosinophil count 0.3",
    ],
)
def test_another_cells_count_is_not_a_white_count(text: str) -> None:
    """A "count" after another cell's name belongs to that cell, not to the white count."""
    assert parse_text(text).values == ()


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("white count came back three point two yesterday", 3200),  # dictation
        ("my wbc is 14 point 1", 14100),
        ("wbc 4 point 4 k is that too low", 4400),
        ("anc zero point five", 500),
        ("white blood sells were two point nine", 2900),
    ],
)
def test_a_decimal_said_in_words_is_read(text: str, cells: int) -> None:
    assert [value.cells_per_ul for value in parse_text(text).values] == [cells]


def test_point_in_a_sentence_is_no_decimal() -> None:
    assert parse_text("at one point two of us had a cold, wbc 5.1").values[0].cells_per_ul == 5100
