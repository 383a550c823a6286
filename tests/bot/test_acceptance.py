"""Acceptance table for `python -m bot interpret --json`, written from the issue and the spec.

Every expectation below comes from the CLI contract in the issue or from
`docs/clinical-reference.md` (sections named in the comments); nothing here is read off the
implementation. Inputs are written the way patients and real lab reports write them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main

ROOT = Path(__file__).resolve().parents[2]

AD = "adult"
PB = "pediatric band"
LR = "lab report"


def interpret(capsys: pytest.CaptureFixture[str], text: str, *opts: str) -> dict[str, Any]:
    """Run the CLI in-process and return its one JSON object."""
    code = main(["interpret", "--json", *opts, text])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code == 0, captured.err
    result: dict[str, Any] = json.loads(captured.out)
    return result


def findings(result: dict[str, Any], analyte: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["analyte"] == analyte]


def check_finding(finding: dict[str, Any], want: dict[str, Any]) -> None:
    """Compare only the fields the spec decides for this case."""
    got = {
        "cells": finding["cells_per_ul"],
        "category": finding["category"],
        "grade": finding["grade"],
        "assumed": finding["unit_assumed"],
        "basis": finding["reference"]["basis"],
        "low": finding["reference"]["low"],
        "high": finding["reference"]["high"],
    }
    if "cells" in want and want["cells"] is not None:
        assert got["cells"] == pytest.approx(want["cells"], abs=1), got
    assert {k: got[k] for k in want if k != "cells"} == {k: want[k] for k in want if k != "cells"}


def params(cases: list[tuple[Any, ...]]) -> list[Any]:
    """(id, *values) rows to pytest.param with the id."""
    return [pytest.param(*case[1:], id=case[0]) for case in cases]


# --------------------------------------------------------------------------------------------
# White count: the first WBC finding. Sections 1 (adult), 2 (children), 4 (reading what is typed).
# (id, options, text, expected fields)
# --------------------------------------------------------------------------------------------
WBC_CASES: list[Any] = [
    # --- units in every spelling (section 4: x10^3/uL = K/uL = x10^9/L = G/L = /nL ...) ---
    ("bare-decimal", [], "my wbc is 3.2", dict(cells=3200, category="low", assumed=True)),
    ("K/uL", [], "WBC 3.2 K/uL", dict(cells=3200, category="low", assumed=False, basis=AD)),
    ("K/µL", [], "WBC 3.2 K/µL", dict(cells=3200, category="low", assumed=False)),
    ("x10^3/uL", [], "WBC: 3.2 x10^3/uL", dict(cells=3200, category="low", assumed=False)),
    ("x10E3/uL", [], "WBC 3.2 x10E3/uL", dict(cells=3200, category="low", assumed=False)),
    ("×10³/µL", [], "WBC 3.2 ×10³/µL", dict(cells=3200, category="low", assumed=False)),
    ("x10^9/L", [], "WBC 3.2 x10^9/L", dict(cells=3200, category="low", assumed=False)),
    ("10*9/L", [], "WBC 3.2 10*9/L", dict(cells=3200, category="low", assumed=False)),
    ("x10⁹/L", [], "WBC 3.2 x10⁹/L", dict(cells=3200, category="low", assumed=False)),
    (
        "billion-per-liter",
        [],
        "the nurse said my white cell count is 3.2 billion per liter",
        dict(cells=3200, category="low", assumed=False),
    ),
    ("G/l-de", [], "Leukozyten 3,2 G/l", dict(cells=3200, category="low", assumed=False)),
    ("/nl-de", [], "Leukozyten 3,2 /nl", dict(cells=3200, category="low", assumed=False)),
    (
        "spaces-x-10-^-9-/-L",
        [],
        "leukocytes 3.2 x 10 ^ 9 / L",
        dict(cells=3200, category="low", assumed=False),
    ),
    ("K/mcL", [], "WBC 3.2 K/mcL", dict(cells=3200, category="low", assumed=False)),
    ("x10^3/mcL", [], "WBC 3.2 x10^3/mcL", dict(cells=3200, category="low", assumed=False)),
    ("thou/mm3", [], "WBC 3.2 thou/mm3", dict(cells=3200, category="low", assumed=False)),
    ("10^3/uL-no-x", [], "White Blood Cells (WBC) 2.8 10^3/uL", dict(cells=2800, category="low")),
    ("cells/cumm-in", [], "TLC 3200 cells/cumm", dict(cells=3200, category="low", assumed=False)),
    (
        "/cu-mm-in",
        [],
        "Total leucocyte count 7,800 /cu mm",
        dict(cells=7800, category="normal", assumed=False),
    ),
    (
        "dot-thousands-mm³-es",
        [],
        "Leucocitos 7.200/mm³",
        dict(cells=7200, category="normal", assumed=False),
    ),
    (
        "dot-thousands-mm³-pt",
        [],
        "Leucócitos 3.900/mm³",
        dict(cells=3900, category="low", assumed=False),
    ),
    (
        "cells/mcL",
        [],
        "WBC 4,100 cells/mcL",
        dict(cells=4100, category="borderline_low", assumed=False),
    ),
    ("/uL", [], "WBC 4100/uL", dict(cells=4100, category="borderline_low", assumed=False)),
    ("/mm3", [], "WBC 11,000/mm3", dict(cells=11000, category="normal", assumed=False)),
    ("G/L-upper", [], "Leukocytes: 4.2 G/L", dict(cells=4200, category="borderline_low")),
    ("/nl-high-de", [], "Leukozyten 12,4 /nl", dict(cells=12400, category="high")),
    ("x10^3/µL-es", [], "leucocitos 3,6 x10^3/µL", dict(cells=3600, category="low")),
    # --- separators, k suffix, whole numbers (section 4 table) ---
    ("space-thousands", [], "white count 3 200", dict(cells=3200, category="low")),
    ("comma-thousands", [], "white blood cells 3,200", dict(cells=3200, category="low")),
    ("decimal-comma-1", [], "wbc 3,2", dict(cells=3200, category="low", assumed=True)),
    ("decimal-comma-2", [], "WBC 3,25", dict(cells=3250, category="low", assumed=True)),
    ("k-suffix", [], "wbc 3.2k", dict(cells=3200, category="low", assumed=False)),
    ("WCC-uk", [], "WCC 3.25", dict(cells=3250, category="low")),
    ("whole-8", [], "wbc 8", dict(cells=8000, category="normal", assumed=True)),
    ("decimal-comma-12,5", [], "WBC 12,5", dict(cells=12500, category="high")),
    ("dot-three-digits-no-unit", [], "Leucocitos 7.200", dict(cells=7200, category="normal")),
    ("greek-mu", [], "WBC 3.2 x10^3/μL", dict(cells=3200, category="low", assumed=False)),
    ("10³/mm³", [], "WBC: 3.2 10³/mm³", dict(cells=3200, category="low", assumed=False)),
    ("X-10E9/L", [], "WBC 3.2 X 10E9/L", dict(cells=3200, category="low", assumed=False)),
    ("cells/cu.mm", [], "TLC: 4,200 cells/cu.mm", dict(cells=4200, category="borderline_low")),
    ("Tsd/µl-de", [], "Leukozyten 3,2 Tsd/µl", dict(cells=3200, category="low")),
    ("whole-1", [], "wbc 1", dict(cells=1000, category="critically_low", assumed=True)),
    ("whole-29", [], "wbc 29", dict(cells=29000, category="high", assumed=True)),
    ("whole-30-needs-unit", [], "wbc 30", dict(category="needs_unit")),
    ("320-needs-unit", [], "wbc 320", dict(category="needs_unit")),
    ("999-needs-unit", [], "my white count came back 999", dict(category="needs_unit")),
    ("1200-is-cells", [], "wbc 1200", dict(cells=1200, category="critically_low")),
    ("3200-K/uL-implausible", [], "WBC 3200 K/uL", dict(category="implausible")),
    ("3200-x10^9/L-implausible", [], "WBC 3200 x10^9/L", dict(category="implausible")),
    ("zero-implausible", [], "WBC 0", dict(category="implausible")),
    ("1.5-million-implausible", [], "WBC 1,500,000", dict(category="implausible")),
    # --- adult boundaries, typed as people type them (section 1) ---
    ("1.9-crit-low", [], "WBC 1.9", dict(cells=1900, category="critically_low", basis=AD)),
    ("1,999-crit-low", [], "WBC 1,999", dict(cells=1999, category="critically_low")),
    ("2.0-low", [], "WBC 2.0", dict(cells=2000, category="low", basis=AD)),
    ("2,000/µL-low", [], "WBC 2,000/µL", dict(cells=2000, category="low")),
    ("3.99-low", [], "WBC 3.99", dict(cells=3990, category="low")),
    ("4.0-borderline", [], "WBC 4.0", dict(cells=4000, category="borderline_low", basis=AD)),
    ("4.49-borderline", [], "WBC 4.49", dict(cells=4490, category="borderline_low")),
    ("4.5-normal", [], "WBC 4.5", dict(cells=4500, category="normal", basis=AD)),
    ("11.0-normal", [], "WBC 11.0", dict(cells=11000, category="normal")),
    ("11,001-high", [], "WBC 11,001", dict(cells=11001, category="high")),
    ("11.1-high", [], "WBC 11.1", dict(cells=11100, category="high", basis=AD)),
    ("29.9-high", [], "WBC 29.9", dict(cells=29900, category="high")),
    ("30-K/uL-crit-high", [], "WBC 30 K/uL", dict(cells=30000, category="critically_high")),
    ("30,000-crit-high", [], "WBC 30,000", dict(cells=30000, category="critically_high")),
    ("45.2-crit-high", [], "WBC 45.2 x10^9/L", dict(cells=45200, category="critically_high")),
    # --- every name for the white count ---
    ("Leucocytes-uk", [], "Leucocytes 3.6", dict(cells=3600, category="low")),
    ("total-count-in", [], "Total count 3800 cells/cumm", dict(cells=3800, category="low")),
    ("total-wbc-count-in", [], "total WBC count 3800", dict(cells=3800, category="low")),
    ("white-blood-cell-count", [], "white blood cell count 2.8", dict(cells=2800, category="low")),
    (
        "white-count-lowercase-chat",
        [],
        "doc says my white count is low, it was 2.6",
        dict(cells=2600, category="low"),
    ),
    # --- the lab's own range and flag on the same line (sections 1 and 4) ---
    (
        "lab-flag-paren",
        [],
        "WBC 3.2 L (3.6-10.6)",
        dict(cells=3200, category="low", basis=LR, low=3600, high=10600),
    ),
    (
        "lab-flag-range-unit",
        [],
        "WBC 2.9 L 4.0-11.0 x10^3/uL",
        dict(cells=2900, category="low", basis=LR, low=4000, high=11000),
    ),
    (
        "lab-range-normal-mayo",
        [],
        "WBC 3.9 (3.4-9.6)",
        dict(cells=3900, category="normal", basis=LR, low=3400, high=9600),
    ),
    (
        "lab-range-high-mayo",
        [],
        "WBC 10.2 H (3.4-9.6)",
        dict(cells=10200, category="high", basis=LR, low=3400, high=9600),
    ),
    (
        "lab-range-decides-low",
        [],
        "WBC 4.3 (4.5-11.0)",
        dict(cells=4300, category="low", basis=LR, low=4500, high=11000),
    ),
    (
        "lab-range-lower-edge",
        [],
        "WBC 3,500 /uL (3,500 - 10,500)",
        dict(cells=3500, category="normal", basis=LR, low=3500, high=10500),
    ),
    (
        "lab-range-crit-low-still",
        [],
        "WBC 1.5 L (4.0-11.0)",
        dict(cells=1500, category="critically_low"),
    ),
    (
        "lab-range-crit-high-still",
        [],
        "WBC 31.0 H (4.0-11.0)",
        dict(cells=31000, category="critically_high", basis=LR, low=4000, high=11000),
    ),
    (
        "lab-range-crit-high-with-unit",
        [],
        "WBC 31.0 H (4.0-11.0) x10^3/uL",
        dict(cells=31000, category="critically_high", basis=LR, low=4000, high=11000),
    ),
    (
        "labcorp-lab-code-column",
        [],
        "WBC  01  2.9  Low  x10E3/uL  3.4-10.8",
        dict(cells=2900, category="low", basis=LR, low=3400, high=10800),
    ),
    (
        "quest-thousand/uL",
        [],
        "WHITE BLOOD CELL COUNT    3.2 L    3.8-10.8 Thousand/uL",
        dict(cells=3200, category="low", basis=LR, low=3800, high=10800),
    ),
    (
        "pipe-table-row",
        [],
        "| WBC | 3.2 | L | 4.0 - 11.0 | x10^3/uL |",
        dict(cells=3200, category="low", basis=LR, low=4000, high=11000),
    ),
    (
        "indian-report-row",
        [],
        "Total Leucocyte Count (TLC)   3800   cells/cumm   4000 - 10000",
        dict(cells=3800, category="low", basis=LR, low=4000, high=10000),
    ),
    (
        "german-report-row",
        [],
        "Leukozyten  3,1  G/l  3,9 - 10,2",
        dict(cells=3100, category="low", basis=LR, low=3900, high=10200),
    ),
    (
        "spanish-report-row",
        [],
        "Leucocitos 3,5 x10^3/µL (4,5 - 11,0)",
        dict(cells=3500, category="low", basis=LR, low=4500, high=11000),
    ),
    (
        "brazilian-report-row",
        [],
        "Leucócitos: 3.800 /mm³ (VR: 4.000 a 11.000)",
        dict(cells=3800, category="low", basis=LR, low=4000, high=11000),
    ),
    # --- children: pediatric band by age (section 2), age from the text or --age-years ---
    (
        "3yo-low",
        [],
        "my 3 year old wbc 5.0",
        dict(cells=5000, category="low", basis=PB, low=5500, high=15500),
    ),
    ("3yo-high", [], "my 3 year old's wbc is 16", dict(cells=16000, category="high", basis=PB)),
    ("3yo-upper-edge", [], "my 3 year old, wbc 15.5", dict(category="normal", basis=PB)),
    (
        "10-day-old",
        [],
        "10 day old baby WBC 19",
        dict(cells=19000, category="normal", basis=PB, low=5000, high=21000),
    ),
    (
        "16-week-old",
        [],
        "our 16-week-old had WBC 4.8",
        dict(cells=4800, category="low", basis=PB, low=5000, high=19500),
    ),
    (
        "4-day-old",
        [],
        "my 4 day old wbc 25",
        dict(cells=25000, category="normal", basis=PB, low=9000, high=30000),
    ),
    ("6-day-old-low", [], "6 day old, wbc 7", dict(cells=7000, category="low", basis=PB)),
    ("1-week-old-normal", [], "1 week old wbc 7", dict(cells=7000, category="normal", basis=PB)),
    ("3-week-old", [], "3 week old WBC 20", dict(category="normal", basis=PB, high=21000)),
    ("1-month-old", [], "my 1 month old wbc 20", dict(category="high", basis=PB, high=19500)),
    ("5-month-old", [], "5 month old daughter wbc 5.5", dict(category="normal", basis=PB)),
    ("6-month-old", [], "6 month old son wbc 5.5", dict(category="low", basis=PB, low=6000)),
    ("8-month-old", [], "8 month old wbc 17.8", dict(category="high", basis=PB, high=17500)),
    ("1yo", [], "my 1 year old wbc 16.8", dict(category="normal", basis=PB, high=17000)),
    ("23-month-old", [], "23 month old WBC 16", dict(category="normal", basis=PB)),
    ("2yo", [], "my 2 year old WBC 16", dict(category="high", basis=PB, high=15500)),
    ("5yo", [], "my 5 year old WBC 15", dict(category="normal", basis=PB)),
    ("6yo", [], "my 6 year old WBC 15", dict(category="high", basis=PB, high=14500)),
    ("7yo", [], "my 7 year old wbc 4.6", dict(category="normal", basis=PB, low=4500)),
    ("9-yo-abbrev", [], "my 9 yo WBC 4.4", dict(category="low", basis=PB)),
    ("11yo", [], "my 11 year old WBC 14", dict(category="normal", basis=PB)),
    ("12yo", [], "12 year old daughter WBC 14", dict(category="high", basis=PB, high=13000)),
    ("son-is-14", [], "son is 14 and his wbc is 12", dict(category="normal", basis=PB)),
    ("im-16", [], "I'm 16 and my wbc is 4.2", dict(category="low", basis=PB)),
    ("17yo", [], "my 17 year old WBC 12.5", dict(category="normal", basis=PB)),
    ("18yo-adult", [], "my 18 year old WBC 12.5", dict(category="high", basis=AD)),
    ("im-34", [], "I'm 34, wbc 4.2", dict(category="borderline_low", basis=AD)),
    ("5yo-crit-low", [], "my 5 year old wbc 1.8", dict(category="critically_low")),
    ("3yo-no-space", [], "my 3yo wbc 5.0", dict(category="low", basis=PB)),
    ("three-year-old-word", [], "my three year old wbc 5.0", dict(category="low", basis=PB)),
    ("18-month-old", [], "my 18 month old wbc 16.8", dict(category="normal", basis=PB)),
    ("6-wk-old", [], "6 wk old wbc 4.8", dict(category="low", basis=PB, low=5000)),
    ("14-y/o", [], "14 y/o with wbc 12", dict(category="normal", basis=PB)),
    ("im-17", [], "I'm 17 and wbc 12", dict(category="normal", basis=PB)),
    ("im-18", [], "I'm 18 and wbc 12", dict(category="high", basis=AD)),
    (
        "son-age-in-parens",
        [],
        "my son (14) wbc 12",
        dict(category="normal", basis=PB, high=13000),
    ),
    (
        "2-month-old-white-count",
        [],
        "my 2 month old baby boy has a white count of 4,900",
        dict(cells=4900, category="low", basis=PB),
    ),
    ("opt-age-3", ["--age-years", "3"], "wbc 16", dict(category="high", basis=PB)),
    (
        "opt-age-40-male",
        ["--age-years", "40", "--sex", "male"],
        "wbc 4.7",
        dict(category="normal", basis=AD),
    ),
    (
        "opt-age-12-female",
        ["--age-years", "12", "--sex", "female"],
        "wbc 13.5",
        dict(category="high"),
    ),
    ("age-unknown-adult", [], "my daughter's WBC is 14", dict(category="high", basis=AD)),
    (
        "man-40-sex-word",
        [],
        "I'm a 40 year old man and my WBC is 4.7",
        dict(category="normal", basis=AD),
    ),
    # --- long, messy chat and pasted reports ---
    (
        "messy-chat-typos",
        [],
        "hi so i got my bloodwork back from the clinc and the wbc was 3.1 which they flaged as L,"
        " platelets were 140,000 and hb 105. i dont have any fever or anything just tierd."
        " Is this bad??",
        dict(cells=3100, category="low", basis=AD),
    ),
    (
        "german-report-multiline",
        [],
        "Kleines Blutbild\nLeukozyten 3,2 G/l 3,9 - 10,2\nErythrozyten 4,1 T/l\n"
        "Hämoglobin 12,1 g/dl\nThrombozyten 140 G/l 150 - 400",
        dict(cells=3200, category="low", basis=LR, low=3900, high=10200),
    ),
    (
        "today-then-last-week",
        [],
        "WBC today 5.2, last week it was 3.1",
        dict(cells=5200, category="normal"),
    ),
]


@pytest.mark.parametrize(("opts", "text", "want"), params(WBC_CASES))
def test_white_count(
    capsys: pytest.CaptureFixture[str], opts: list[str], text: str, want: dict[str, Any]
) -> None:
    """Section 1, 2 and 4: the first WBC finding is read and judged as the spec says."""
    result = interpret(capsys, text, *opts)
    wbc = findings(result, "wbc")
    assert wbc, result
    check_finding(wbc[0], want)


# --------------------------------------------------------------------------------------------
# Neutrophils: the first ANC finding, given or computed (section 3; section 4 for 30-999).
# --------------------------------------------------------------------------------------------
ANC_CASES: list[tuple[Any, ...]] = [
    # --- every boundary of section 3 ---
    ("1500-normal", [], "ANC 1500", dict(cells=1500, category="normal", grade=None)),
    ("1499-mild", [], "ANC 1499", dict(cells=1499, category="low", grade="mild")),
    ("1000-mild", [], "ANC 1000", dict(cells=1000, category="low", grade="mild")),
    ("999-moderate", [], "ANC 999", dict(cells=999, category="low", grade="moderate")),
    ("500-moderate", [], "ANC 500", dict(cells=500, category="low", grade="moderate")),
    ("499-severe", [], "ANC 499", dict(cells=499, category="critically_low", grade="severe")),
    ("0-after-chemo", [], "ANC 0", dict(cells=0, category="critically_low", grade="severe")),
    ("7700-normal", [], "ANC 7700", dict(cells=7700, category="normal", grade=None)),
    ("7800-high", [], "ANC 7800", dict(cells=7800, category="high", grade=None)),
    # --- how ANC values are typed ---
    ("320-no-unit-is-cells", [], "ANC 320", dict(cells=320, category="critically_low")),
    ("decimal-thousands", [], "ANC 1.2", dict(cells=1200, category="low", grade="mild")),
    ("of-800", [], "my ANC of 800 is worrying me", dict(cells=800, grade="moderate")),
    ("decimal-comma-G/l", [], "ANC 0,8 G/l", dict(cells=800, grade="moderate")),
    (
        "absolute-neutrophils-K/uL",
        [],
        "absolute neutrophils 0.9 K/uL",
        dict(cells=900, category="low", grade="moderate"),
    ),
    (
        "labcorp-absolute",
        [],
        "Neutrophils (Absolute) 1.1 x10E3/uL",
        dict(cells=1100, category="low", grade="mild"),
    ),
    (
        "neutrophils-with-count",
        [],
        "Neutrophils 1.2 x10^9/L",
        dict(cells=1200, category="low", grade="mild"),
    ),
    ("neuts-uk", [], "neuts 0.45", dict(cells=450, category="critically_low", grade="severe")),
    ("polys-K/uL", [], "polys 2.1 K/uL", dict(cells=2100, category="normal")),
    # --- computed: WBC x (% neutrophils + % bands) / 100 ---
    ("wbc-x-pct", [], "WBC 3.0, neutrophils 45%", dict(cells=1350, category="low", grade="mild")),
    (
        "wbc-x-pct-moderate",
        [],
        "WBC 2.5 neutrophils 30%",
        dict(cells=750, category="low", grade="moderate"),
    ),
    (
        "with-bands-edge-normal",
        [],
        "WBC 3.0 neutrophils 40% bands 10%",
        dict(cells=1500, category="normal", grade=None),
    ),
    (
        "with-bands-edge-500",
        [],
        "WBC 2.0, neutrophils 20%, bands 5%",
        dict(cells=500, category="low", grade="moderate"),
    ),
    (
        "wbc-K/uL-x-pct-severe",
        [],
        "WBC 1.2 K/uL, neutrophils 30%",
        dict(cells=360, category="critically_low", grade="severe"),
    ),
    ("computed-high", [], "WBC 9.0, neutrophils 90%", dict(cells=8100, category="high")),
    (
        "mayo-style-cbc-paste",
        [],
        "COMPLETE BLOOD COUNT\nHemoglobin 10.5 g/dL L 12.0-15.5\nWBC 2.1 L 3.4-9.6 x10(9)/L\n"
        "Platelets 140 x10(9)/L L 150-450\nNeutrophils 38 %\nLymphocytes 36 %",
        dict(cells=798, category="low", grade="moderate"),
    ),
    (
        "indian-cbc-paste",
        [],
        "Haemoglobin 9.8 gm/dl\nTotal Leucocyte Count 2,400 /cumm 4000-11000\n"
        "Differential count:\nNeutrophils 30 %\nLymphocytes 62 %\nPlatelet count 1.2 lakhs/cumm",
        dict(cells=720, category="low", grade="moderate"),
    ),
    (
        "uk-wcc-neuts",
        [],
        "WCC 3.1 x10^9/L, neuts 1.2",
        dict(cells=1200, category="low", grade="mild"),
    ),
    ("anc-lab-range", [], "ANC 1.1 K/uL (1.5-7.7)", dict(cells=1100, category="low", grade="mild")),
    (
        "anc-paren-name",
        [],
        "absolute neutrophil count (ANC) 0.6",
        dict(cells=600, grade="moderate"),
    ),
    (
        "lymphs-before-neutrophils",
        [],
        "Lymphocytes 1.2, Neutrophils 0.8 x10^9/L",
        dict(cells=800, category="low", grade="moderate"),
    ),
    (
        "pt-neutrofilos-count",
        [],
        "WBC 3,4 x 10^9/L Neutrófilos 1,2 x 10^9/L",
        dict(cells=1200, category="low", grade="mild"),
    ),
    (
        "pt-segmentados-bastonetes",
        [],
        "Leucocitos 3.000/mm³ Neutrófilos segmentados 40% Bastonetes 5%",
        dict(cells=1350, category="low", grade="mild"),
    ),
    (
        "de-neutrophile-absolut",
        [],
        "Neutrophile absolut 1,2 G/l",
        dict(cells=1200, category="low", grade="mild"),
    ),
    ("anc-0.0", [], "Neutrophils 0.0 K/uL", dict(cells=0, category="critically_low")),
    # --- infants from 2 weeks to 1 year: lower limit 1,000 ---
    ("infant-3-months-1100", [], "my 3 month old, ANC 1,100", dict(cells=1100, category="normal")),
    ("infant-4-months-800", [], "4 month old baby ANC 800", dict(cells=800, category="low")),
]


@pytest.mark.parametrize(("opts", "text", "want"), params(ANC_CASES))
def test_neutrophils(
    capsys: pytest.CaptureFixture[str], opts: list[str], text: str, want: dict[str, Any]
) -> None:
    """Section 3: the ANC (given, or computed from WBC and %) is categorized and graded."""
    result = interpret(capsys, text, *opts)
    anc = findings(result, "anc")
    assert anc, result
    check_finding(anc[0], want)


# --------------------------------------------------------------------------------------------
# Temperature and fever words (section 5). (id, text, temperature_c or None, fever?)
# --------------------------------------------------------------------------------------------
TEMP_CASES: list[tuple[Any, ...]] = [
    ("38.0-is-fever", "temp 38.0", 38.0, True),
    ("37.9-not-fever", "temp 37.9", 37.9, False),
    ("100.4F-is-fever", "temperature 100.4F", 38.0, True),
    ("100.3°F-not-fever", "temp 100.3 °F", 37.94, False),
    ("101-no-unit-is-F", "temp 101", 38.33, True),
    ("99.5-no-unit-is-F", "temp is 99.5", 37.5, False),
    ("decimal-comma-°C", "Fieber 38,5 °C seit gestern", 38.5, True),
    ("102°F", "she's burning up, 102°F", 38.89, True),
    ("39C", "39C since this morning", 39.0, True),
    ("36.8-°C", "Temperature 36.8 °C", 36.8, False),
    ("last-night", "my temp was 38.3 last night", 38.3, True),
    (
        "thermometer",
        "thermometer says 100.8",
        38.22,
        True,
    ),
    ("temp-104", "temp 104", 40.0, True),
    ("degree-sign-only", "38.5° last night", 38.5, True),
    ("fever-of-100.4", "fever of 100.4", 38.0, True),
    ("temp-of-100", "running a temp of 100", 37.78, False),
    ("word-fever", "I have a fever", None, True),
    ("word-feverish", "feeling feverish and achy", None, True),
    ("no-fever", "no fever", None, False),
    ("no-temp", "no temp, just tired", None, False),
    ("no-fever-or-chills", "no fever or chills", None, False),
    ("37.5C-no-fever", "temp 37.5C, no fever", 37.5, False),
    ("negated-yesterday-not-today", "no fever yesterday but tonight temp is 38.4", 38.4, True),
]


@pytest.mark.parametrize(("text", "temp_c", "fever"), params(TEMP_CASES))
def test_temperature_and_fever(
    capsys: pytest.CaptureFixture[str], text: str, temp_c: float | None, fever: bool
) -> None:
    """Section 5: 38.0 °C / 100.4 °F or higher is a fever; <= 45 is °C; negation is not fever."""
    result = interpret(capsys, text)
    if temp_c is None:
        assert result["temperature_c"] is None
    else:
        assert result["temperature_c"] == pytest.approx(temp_c, abs=0.06)
    assert ("fever" in result["red_flags"]) is fever, result["red_flags"]


CHILLS_CASES: list[tuple[Any, ...]] = [
    ("chills", "I had chills all night", True),
    ("no-fever-or-chills", "no fever or chills", False),
    ("no-chills", "WBC 3.4, no chills", False),
    ("no-fever-but-chills", "no fever but chills", True),
]


@pytest.mark.parametrize(("text", "chills"), params(CHILLS_CASES))
def test_chills(capsys: pytest.CaptureFixture[str], text: str, chills: bool) -> None:
    """Section 5: chills count as a fever sign; "no ... chills" does not."""
    result = interpret(capsys, text)
    assert ("chills" in result["red_flags"]) is chills, result["red_flags"]


# --------------------------------------------------------------------------------------------
# Urgency (section 6), each rule both ways. (id, options, text, urgency)
# --------------------------------------------------------------------------------------------
URGENCY_CASES: list[tuple[Any, ...]] = [
    # --- fever + low-count context -> emergency; fever + other counts -> same_day ---
    ("fever-low-wbc", [], "WBC 3.2 and fever 38.5", "emergency"),
    ("fever-low-wbc-edge", [], "WBC 3.8 temp 38.1", "emergency"),
    ("fever-critically-low-wbc", [], "WBC 1.9 and fever 38.5", "emergency"),
    ("fever-borderline", [], "WBC 4.2, temp 38.5", "same_day"),
    ("fever-normal", [], "WBC 7.5 and a fever of 101", "routine"),
    ("fever-high", [], "WBC 14 with fever 38.9", "same_day"),
    ("fever-crit-high", [], "WBC 35 K/uL and 39 fever", "same_day"),
    ("fever-crit-low", [], "WBC 1.5 temp 38.3", "emergency"),
    ("fever-needs-unit", [], "WBC 320, fever 38.4", "emergency"),
    ("fever-implausible", [], "WBC 0, temp 38.2", "emergency"),
    ("fever-normal-wbc-low-anc", [], "WBC 5.0, ANC 1.2, temp 38.6", "same_day"),
    ("fever-normal-wbc-anc-1500", [], "WBC 5.0, ANC 1500, temp 38.6", "routine"),
    ("fever-no-count", [], "I have a fever of 38.6", "routine"),
    ("fever-chemo", [], "on chemo and I have a temp of 38.1", "emergency"),
    ("feverish-chemotherapy", [], "had chemotherapy last week, feeling feverish", "emergency"),
    (
        "chills-radiation",
        [],
        "I'm having radiation for breast cancer and now I have chills",
        "emergency",
    ),
    ("fever-neutropenia", [], "I have neutropenia and a fever", "emergency"),
    ("fever-neutropenic", [], "fever 38.5 and I'm neutropenic", "emergency"),
    ("rigors-leukopenia", [], "I have leukopenia and rigors tonight", "emergency"),
    ("fever-chemo-normal-wbc", [], "on chemo, WBC 6.2, temp 38.0", "emergency"),
    ("chemo-37.9", [], "on chemo, temp 37.9", "same_day"),
    ("chemo-100.4", [], "chemo patient, temp 100.4", "emergency"),
    ("chemo-100.3F", [], "chemo patient, temp 100.3F", "same_day"),
    ("chemo-temp-38-whole", [], "I'm on chemo and my temperature is 38", "emergency"),
    ("low-wbc-37.8", [], "WBC 3.2, temp 37.8", "routine"),
    ("low-wbc-100.2F", [], "WBC 3.2, temp 100.2 F", "routine"),
    ("shaking-chills-borderline", [], "wbc 4.6 and shaking chills", "emergency"),
    ("shaking-low", [], "WBC 3.5, been shaking uncontrollably", "emergency"),
    ("child-fever-child-low", [], "my 3 year old has a fever of 39 and WBC 5.0", "emergency"),
    ("child-fever-child-high", [], "my 3 year old has 101F, WBC 16", "same_day"),
    ("opt-age-3-fever-low", ["--age-years", "3"], "fever 38.4, wbc 5.0", "emergency"),
    # --- counts without red flags ---
    ("crit-low-alone", [], "WBC 1.9", "same_day"),
    ("crit-low-no-fever", [], "WBC 1.8, temp 37.5", "same_day"),
    ("low-alone", [], "WBC 2.0", "routine"),
    ("crit-high-alone", [], "WBC 30 K/uL", "same_day"),
    ("high-alone", [], "WBC 29.9", "routine"),
    ("normal-alone", [], "WBC 6.5", "routine"),
    ("borderline-alone", [], "WBC 4.3", "routine"),
    ("anc-crit-low", [], "ANC 0.4", "same_day"),
    ("anc-500", [], "ANC 0.5", "routine"),
    ("anc-crit-low-normal-wbc", [], "WBC 4.8 ANC 0.3", "same_day"),
    ("needs-unit-alone", [], "WBC 320", "routine"),
    # --- negation ---
    ("no-fever-low", [], "WBC 3.2, no fever", "routine"),
    ("no-fever-or-chills-low", [], "WBC 2.5 no fever or chills", "routine"),
    ("no-temp-low", [], "WBC 3.0, no temp", "routine"),
    ("no-fever-crit-low", [], "WBC 1.5, no fever", "same_day"),
    ("no-fever-no-chills", [], "no fever, no chills, just tired. WBC 3.9", "routine"),
    ("afebrile-low", [], "afebrile, WBC 2.4", "routine"),
    ("dont-have-any-fever", [], "I don't have any fever, my wbc is 3.3", "routine"),
    (
        "dont-no-apostrophe",
        [],
        "i dont have a fever, wbc 3.1",
        "routine",
    ),
    (
        "havent-no-apostrophe",
        [],
        "i havent had a fever, wbc 3.1",
        "routine",
    ),
    ("denies-fever", [], "denies fever, wbc 3.1", "routine"),
    ("not-feverish", [], "not feverish, wbc 2.5", "routine"),
    ("no-rigors", [], "no rigors, WBC 2", "routine"),
    ("no-chest-pain-no-sob", [], "no chest pain, no trouble breathing, WBC 3.2", "routine"),
    ("denies-cp-sob", [], "denies chest pain or shortness of breath, WBC 3.2", "routine"),
    ("no-cough-no-sore-throat-chemo", [], "no cough, no sore throat, on chemo", "routine"),
    ("no-seizures", [], "no seizures, WBC 3", "routine"),
    ("negated-fever-real-chest-pain", [], "no fever. chest pain though", "emergency"),
    ("confused-by-numbers", [], "I'm so confused by these numbers, WBC 3.2", "routine"),
    ("results-confusing", [], "these results are confusing, WBC 3.2", "routine"),
    ("confused-about-meaning", [], "WBC 3.5, I'm confused about what this means", "routine"),
    ("more-confused-than-before", [], "WBC 3.5 and I'm more confused than before. Why?", "routine"),
    ("mother-more-confused", [], "my mother is more confused than usual, WBC 3.5", "emergency"),
    # --- emergency signs on their own (section 5) ---
    ("confused-hard-to-wake", [], "my dad is confused and hard to wake, WBC was 7", "emergency"),
    ("trouble-breathing", [], "WBC 7.1 and I have trouble breathing", "emergency"),
    ("shortness-of-breath", [], "shortness of breath, no fever, WBC 8", "emergency"),
    ("struggling-to-breathe", [], "she is struggling to breathe", "emergency"),
    ("chest-pain", [], "chest pain since this morning, WBC 6", "emergency"),
    ("fainted", [], "I fainted in the shower, wbc 5.5", "emergency"),
    ("passed-out", [], "my mum passed out twice today", "emergency"),
    ("stiff-neck-headache", [], "stiff neck and a bad headache, wbc 12", "emergency"),
    ("seizure", [], "my son had a seizure, his wbc is 9", "emergency"),
    ("fit-uk", [], "she had a fit this morning", "emergency"),
    ("cant-breathe", [], "I can't breathe properly, wbc 6", "emergency"),
    ("chest-hurts", [], "my chest hurts, wbc 6", "emergency"),
    ("cant-wake", [], "can't wake him up properly, wbc 6", "emergency"),
    ("confused-since-morning", [], "she's been confused since this morning", "emergency"),
    ("husband-chemo-fever", [], "my husband is on chemo and has a fever", "emergency"),
    ("radiotherapy-fever", [], "radiotherapy for prostate, fever 38.3", "emergency"),
    ("neutropenic-fever", [], "neutropenic fever", "emergency"),
    ("chemo-2-weeks-ago-38.2", [], "I had chemo 2 weeks ago, feel hot, temp 38.2", "emergency"),
    (
        "lab-line-crit-high-no-unit",
        [],
        "WBC 35.2 H 4.0-11.0",
        "same_day",
    ),
    ("headache-alone-normal", [], "bit of a headache, wbc 6.8", "routine"),
    # --- infection signs without fever: same_day in a low-count context, else routine ---
    ("sore-throat-low", [], "WBC 3.1 and a sore throat", "same_day"),
    ("low-without-sore-throat", [], "WBC 3.1", "routine"),
    ("sore-throat-normal", [], "WBC 7.2 and a sore throat", "routine"),
    ("mouth-sores-chemo", [], "on chemo, mouth sores since Tuesday", "same_day"),
    ("chemo-just-tired", [], "on chemo, feeling tired", "routine"),
    ("new-cough-anc", [], "ANC 0.9 and a new cough", "same_day"),
    (
        "burning-urination-low",
        [],
        "WBC 2.5, burning when I urinate",
        "same_day",
    ),
    ("burns-when-i-pee-low", [], "WBC 2.5, it burns when I pee", "same_day"),
    ("burning-urination-normal", [], "burning on urination but WBC 7", "routine"),
    ("port-red-swollen-chemo", [], "on chemo, my port site is red and swollen", "same_day"),
    ("pus-picc-neutropenic", [], "neutropenic, pus around my PICC line", "same_day"),
    ("diarrhea-chemo", [], "on chemo, diarrhea and can't keep fluids down", "emergency"),
    ("diarrhea-chemo-drinking", [], "on chemo, diarrhea but drinking fine", "same_day"),
    ("severe-pain-anc", [], "ANC 0.8, new severe pain in my belly", "same_day"),
    # --- chemo diaries and long messages ---
    (
        "chemo-diary-nadir-no-fever",
        [],
        "Day 10 after cycle 3 of FOLFOX. ANC 0.4 today, temp 37.6, feeling wiped",
        "same_day",
    ),
    ("chemo-diary-rigors", [], "Nadir day 7 post chemo, neuts 0.2 and rigors", "emergency"),
    (
        "chemo-diary-multiline",
        [],
        "Chemo diary - cycle 4 day 9\nMorning temp 37.4\nEvening temp 38.3 and chills\n"
        "Counts from Monday: WBC 1.1, ANC 0.3",
        "emergency",
    ),
    (
        "messy-chat-low-no-fever",
        [],
        "hi so i got my bloodwork back from the clinc and the wbc was 3.1 which they flaged as L,"
        " platelets were 140,000 and hb 105. i dont have any fever or anything just tierd."
        " Is this bad??",
        "routine",
    ),
    (
        "parent-newborn-no-temp",
        [],
        "my 10 day old baby had bloods, wbc 19 and they said its fine? she has no temp",
        "routine",
    ),
]


@pytest.mark.parametrize(("opts", "text", "urgency"), params(URGENCY_CASES))
def test_urgency(
    capsys: pytest.CaptureFixture[str], opts: list[str], text: str, urgency: str
) -> None:
    """Section 6: emergency / same_day / routine, with at least one reason."""
    result = interpret(capsys, text, *opts)
    assert result["urgency"] == urgency, (result["urgency"], result["red_flags"], result["reasons"])
    assert result["reasons"]


FEVER_FLAG_CASES: list[tuple[Any, ...]] = [
    ("low-wbc-fever", "WBC 3.2 and fever 38.5", True),
    ("chemo-100.4", "chemo patient, temp 100.4", True),
    ("no-fever-low", "WBC 3.2, no fever", False),
    ("confused-not-fever", "WBC 3.5, I'm confused about what this means", False),
    (
        "messy-chat",
        "i dont have any fever or anything just tierd. wbc 3.1",
        False,
    ),
    ("multiline-evening-fever", "Morning temp 37.4\nEvening temp 38.3\nWBC 1.1", True),
]


@pytest.mark.parametrize(("text", "fever"), params(FEVER_FLAG_CASES))
def test_fever_flag_in_context(capsys: pytest.CaptureFixture[str], text: str, fever: bool) -> None:
    """Section 5: "fever" is in red_flags exactly when there is a fever."""
    assert ("fever" in interpret(capsys, text)["red_flags"]) is fever


# --------------------------------------------------------------------------------------------
# Other numbers on the line are not a white count. (id, text, expected WBC cells in order)
# --------------------------------------------------------------------------------------------
NOT_A_WBC_CASES: list[tuple[Any, ...]] = [
    ("hb-and-platelets-after", "WBC 6.1 Hb 105 platelets 140,000", [6100]),
    ("platelets-before", "platelets 140,000 and wbc 3.9", [3900]),
    ("blood-pressure", "BP 148/84, WBC 5.6", [5600]),
    ("date-slashes", "Results from 12/03/2024: WBC 3.4", [3400]),
    ("lymphocytes-pct", "WBC 5.0, lymphocytes 36%", [5000]),
    (
        "iso-date-and-time",
        "blood drawn 2024-03-12 08:15, WBC 7.7 x10^9/L, Hgb 13.2, Plt 250",
        [7700],
    ),
    ("hb-only", "Hb 105 g/L", []),
    ("platelets-only", "platelets 140,000", []),
    ("age-not-a-count", "I'm 34 and my wbc is 3.3", [3300]),
    ("child-age-not-a-count", "my 3 year old wbc 16", [16000]),
    ("temp-not-a-count", "temp 38.5, wbc 3.2", [3200]),
    ("date-after", "WBC 4.5 on 3/4, platelets 220", [4500]),
    ("german-date", "Datum: 12.03.2024 Leukozyten 6,1 G/l", [6100]),
    ("dotted-date-after", "WBC 3.2 on 12.03.2024", [3200]),
    ("ref-ranges-of-others", "WBC 5.6 (ref 4.0-11.0) Hb 13.5 (12-16) Plt 220 (150-400)", [5600]),
    ("hb-wbc-plt", "Hb 10.5, WBC 3.2, Plt 98", [3200]),
    ("mcv", "MCV 88 fL, WBC 6.3", [6300]),
    ("rbc-hgb", "WBC 7.1, RBC 4.5, Hgb 13", [7100]),
    ("abs-lymphs", "WBC 2.9 x10^3/uL ANC 1.3 x10^3/uL Lymph 1.1 x10^3/uL", [2900]),
    (
        "german-thrombozyten",
        "Leukozyten 3,2 G/l 3,9 - 10,2\nThrombozyten 140 G/l 150 - 400",
        [3200],
    ),
    (
        "mayo-paste-platelets",
        "WBC 2.1 L 3.4-9.6 x10(9)/L\nPlatelets 140 x10(9)/L L 150-450",
        [2100],
    ),
]


@pytest.mark.parametrize(("text", "cells"), params(NOT_A_WBC_CASES))
def test_other_numbers_are_not_a_white_count(
    capsys: pytest.CaptureFixture[str], text: str, cells: list[int]
) -> None:
    """Issue: platelets, Hb, BP, %, dates, ages and temperatures must not become a white count."""
    wbc = findings(interpret(capsys, text), "wbc")
    assert [f["cells_per_ul"] for f in wbc] == cells


NO_ANC_CASES: list[tuple[Any, ...]] = [
    ("lymphocytes-not-neutrophils", "WBC 5.0, lymphocytes 36%"),
    ("percentages-without-wbc", "my neutrophils were 62% and lymphocytes 30%"),
    ("monocytes", "WBC 6.0, monocytes 8%, eosinophils 3%"),
    ("absolute-lymphocytes", "lymphocytes 1.2 x10^9/L"),
]


@pytest.mark.parametrize("text", params(NO_ANC_CASES))
def test_no_anc_without_neutrophil_count(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Section 3: an ANC needs neutrophils (count or WBC x %); other cell types give none."""
    assert findings(interpret(capsys, text), "anc") == []


# --------------------------------------------------------------------------------------------
# Contract: order of findings, JSON shape, bad input, batch mode.
# --------------------------------------------------------------------------------------------
def test_findings_in_text_order(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue: findings appear in the order found in the text."""
    result = interpret(capsys, "ANC 0.9 and WBC 2.8")
    assert [f["analyte"] for f in result["findings"]] == ["anc", "wbc"]


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue: the documented keys and value types."""
    result = interpret(capsys, "WBC 2.9 L 4.0-11.0 x10^3/uL, neutrophils 40%, temp 38.5")
    assert set(result) == {"findings", "temperature_c", "red_flags", "urgency", "reasons"}
    for f in result["findings"]:
        assert set(f) == {
            "analyte",
            "text",
            "cells_per_ul",
            "unit_assumed",
            "computed",
            "category",
            "grade",
            "earlier_in_message",
            "reference",
        }
        assert set(f["reference"]) == {"low", "high", "basis", "source"}
        assert f["reference"]["source"]
    assert result["findings"][0]["text"] == "2.9"
    assert all(isinstance(r, str) and r for r in result["reasons"])


BAD_INPUTS: list[tuple[Any, ...]] = [
    ("empty", ""),
    ("spaces-only", "   \n\t "),
    ("100KB-filler", "lorem ipsum " * 8600),
    ("binary-controls", "\x00\x01\x02\x7f\x1b[31m\x00"),
    ("lone-surrogate", "wbc \udcff\udcfe"),
]


@pytest.mark.parametrize("text", params(BAD_INPUTS))
def test_bad_input_in_process(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Issue: a clear message and non-zero exit, or an empty findings list; never a traceback."""
    code = main(["interpret", "--json", text])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    if code:
        assert captured.err.strip()
    else:
        assert json.loads(captured.out)["findings"] == []


def run_cli(args: list[Any], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "interpret", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.slow  # a real process: seconds
def test_invalid_utf8_argument() -> None:
    """Issue: invalid UTF-8 gives a clear message or empty findings, never a traceback."""
    proc = run_cli(["--json", b"wbc \xff\xfe 3.2 \xc3"])
    assert b"Traceback" not in proc.stderr
    if proc.returncode:
        assert proc.stderr.strip()
    else:
        json.loads(proc.stdout)


@pytest.mark.slow  # a real process: seconds
def test_batch_mode_one_object_per_line() -> None:
    """Issue: TEXT `-` reads one text per line and prints one JSON object per line, in order."""
    proc = run_cli(["--json", "-"], b"wbc 2.9\nwbc 12000\nANC 0.3\nLeukozyten 3,2 G/l\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(lines) == 4
    assert lines[0]["findings"][0]["cells_per_ul"] == 2900
    assert lines[0]["findings"][0]["category"] == "low"
    assert lines[1]["findings"][0]["cells_per_ul"] == 12000
    assert lines[1]["findings"][0]["category"] == "high"
    assert lines[2]["findings"][0]["analyte"] == "anc"
    assert lines[2]["findings"][0]["category"] == "critically_low"
    assert lines[2]["urgency"] == "same_day"
    assert lines[3]["findings"][0]["cells_per_ul"] == 3200


@pytest.mark.slow  # a real process: seconds
def test_batch_mode_with_age_option() -> None:
    """--age-years applies to every line of a batch."""
    proc = run_cli(["--json", "--age-years", "3", "-"], b"wbc 16\nwbc 5.0\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["findings"][0]["category"] for r in lines] == ["high", "low"]
    assert {r["findings"][0]["reference"]["basis"] for r in lines} == {PB}


@pytest.mark.slow  # a real process: seconds
def test_batch_mode_bad_bytes_no_traceback() -> None:
    """Issue: invalid UTF-8 and binary on stdin: clear message or JSON, never a traceback."""
    proc = run_cli(["--json", "-"], b"wbc 2.9\n\xff\xfe\x00\x01\nwbc 5\n")
    assert b"Traceback" not in proc.stderr
    if proc.returncode:
        assert proc.stderr.strip()
    else:
        for line in proc.stdout.decode().splitlines():
            json.loads(line)
