"""Held-out lab-report images, written from layout descriptions only, and a runner that scores them.

The set is kept apart from the report reader's own synthetic reports so that the reader is never
tuned on it: eight layouts seen in the wild (a US hospital printout, a patient portal page on a
desktop and on a phone, a two-column table in small serif print, a UK SI report, an Indian lab
report, a German report, tables with and without borders and unusual unit spellings), each drawn
by headless Chromium from made-up values in several fonts, sizes and line spacings. Each page
also comes degraded as a phone photo of the paper (tilt, blur, uneven light, JPEG 50-60), and one
page per layout as a photo of a computer screen (moiré, colour cast, blur, JPEG): 32 cases, 72
pages. Nothing is written to disk unless --save names a folder (use /tmp).

    python -m tests.reports.heldout_layouts            # the whole set, a table of figures
    python -m tests.reports.heldout_layouts --layout 7 --degradation clean

For each layout and degradation the runner counts the expected white-cell values read right
(present in what `bot.read.parse.parse_text` takes from the judged text), the values read wrong (a
value of a kind that differs from every expected value of that kind, e.g. a number read as
another number, a percentage taken for the wrong cell type, a unit misread) and the median
seconds per page. `test_heldout_layouts.py` asserts that nothing is read wrong on the clean and
photo pages; the read-right rate is only reported.
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib.util
import io
import math
import os
import random
import statistics
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEGRADATIONS = ("clean", "photo", "screen")
KINDS = ("wbc", "anc", "neutrophils", "bands")

Expected = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Case:
    """One made-up report page: its HTML, how it is shown, and the white-cell values on it."""

    layout: str
    name: str
    html: str
    expected: Expected
    width: int = 816
    scale: float = 2.0
    phone: bool = False


@dataclass(frozen=True)
class Page:
    case: Case
    degradation: str
    data: bytes


@dataclass(frozen=True)
class Wrong:
    page: str
    kind: str
    value: float
    line: str


@dataclass
class Result:
    page: str
    layout: str
    degradation: str
    expected: int
    right: int
    wrong: list[Wrong] = field(default_factory=list)
    seconds: float = 0.0
    problem: str | None = None


# ---------------------------------------------------------------------------------------------
# Fonts: the system's DejaVu families, plus a Times-like (STIX) and a Courier-like (typewriter)
# face that ship with matplotlib, embedded as data URLs. A missing file falls back to DejaVu.

_EMBEDDED = {
    "HeldoutTimes": ("STIXGeneral.ttf", "normal"),
    "HeldoutTimesBold": ("STIXGeneralBol.ttf", "normal"),
    "HeldoutTypewriter": ("cmtt10.ttf", "normal"),
}
TIMES = "'HeldoutTimes', 'DejaVu Serif', serif"
TYPEWRITER = "'HeldoutTypewriter', 'DejaVu Sans Mono', monospace"
MONO = "'DejaVu Sans Mono', monospace"
SANS = "'DejaVu Sans', sans-serif"
CONDENSED = "'DejaVu Sans Condensed', 'DejaVu Sans', sans-serif"
SERIF = "'DejaVu Serif', serif"
LIGHT = "'DejaVu Sans Light', 'DejaVu Sans', sans-serif"


@cache
def _font_face(family: str) -> str:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return ""
    filename, weight = _EMBEDDED[family]
    path = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / filename
    if not path.exists():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
        f"src: url(data:font/ttf;base64,{data}); }}"
    )


def _document(body: str, css: str) -> str:
    """A page embedding only the fonts its style names."""
    faces = "\n".join(_font_face(f) for f in _EMBEDDED if f"'{f}'" in css + body)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{faces}\n{css}</style></head><body>{body}</body></html>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Look:
    font: str
    size: float
    line: float
    scale: float = 2.0


# ---------------------------------------------------------------------------------------------
# 1. US hospital printout, one line per test, fixed-width font.

_US_HEADER = """\
{hospital:<38}CLINICAL LABORATORY
1200 EXAMPLE AVENUE, SPRINGFIELD      PHONE (555) 010-0100
------------------------------------------------------------------
PATIENT: {patient:<29}MRN: {mrn}
DOB: 01/01/{born}   AGE: {age}Y   SEX: {sex}       ACCT: 9900{acct}
COLLECTED: 11/0{day}/2026 07:42          RECEIVED: 11/0{day}/2026 08:10
ORDERING: SAMPLE, DANA MD               LOCATION: 4 WEST
------------------------------------------------------------------
CBC WITH DIFFERENTIAL/PLATELET                         FINAL
"""


def _us_line(name: str, value: str, ref: str, units: str, flag: str, order: int) -> str:
    if order == 0:
        return f"{name:<18}{value:>8}   {ref:<13}{units:<11}{flag}".rstrip()
    return f"{name:<18}{value:>8} {flag:<3} {units:<11}{ref}".rstrip()


def us_printout() -> list[Case]:
    looks = [
        Look(TYPEWRITER, 15, 1.25),
        Look(MONO, 13, 1.55),
        Look(MONO + "; font-weight: bold", 14, 1.15),
        Look(TYPEWRITER, 17, 1.8, 1.5),
    ]
    data: list[tuple[list[tuple[str, str, str, str, str]], Expected]] = [
        (
            [
                ("WBC", "3.2", "4.0-10.5", "x10E3/uL", "L"),
                ("RBC", "4.10", "4.20-5.80", "x10E6/uL", "L"),
                ("HGB", "12.1", "13.0-17.0", "g/dL", "L"),
                ("HCT", "36.4", "38.0-50.0", "%", "L"),
                ("MCV", "88.8", "80.0-100.0", "fL", ""),
                ("PLT", "180", "150-400", "x10E3/uL", ""),
                ("NEUT %", "38.0", "40.0-74.0", "%", "L"),
                ("LYMPH %", "49.5", "14.0-46.0", "%", "H"),
                ("MONO %", "9.0", "4.0-13.0", "%", ""),
                ("EOS %", "3.0", "0.0-7.0", "%", ""),
                ("NEUT ABS", "1.22", "1.40-7.00", "x10E3/uL", "L"),
                ("LYMPH ABS", "1.58", "0.70-3.10", "x10E3/uL", ""),
            ],
            (("wbc", 3200), ("neutrophils", 38.0), ("anc", 1220)),
        ),
        (
            [
                ("WHITE BLOOD CELLS", "12.6", "4.0-10.5", "x10E3/uL", "H"),
                ("HEMOGLOBIN", "14.4", "12.0-15.5", "g/dL", ""),
                ("PLATELETS", "402", "150-400", "x10E3/uL", "H"),
                ("NEUTROPHILS", "81.2", "40.0-74.0", "%", "H"),
                ("BANDS", "6", "0-5", "%", "H"),
                ("LYMPHOCYTES", "8.1", "14.0-46.0", "%", "L"),
                ("MONOCYTES", "4.7", "4.0-13.0", "%", ""),
                ("NEUTROPHILS ABS", "10.23", "1.40-7.00", "x10E3/uL", "H"),
            ],
            (("wbc", 12600), ("neutrophils", 81.2), ("bands", 6), ("anc", 10230)),
        ),
        (
            [
                ("WBC", "6.8", "3.4-10.8", "x10E3/uL", ""),
                ("RBC", "4.62", "3.77-5.28", "x10E6/uL", ""),
                ("HEMOGLOBIN", "13.9", "11.1-15.9", "g/dL", ""),
                ("HEMATOCRIT", "41.7", "34.0-46.6", "%", ""),
                ("PLATELETS", "255", "150-450", "x10E3/uL", ""),
                ("NEUTROPHILS", "55.1", "40-74", "%", ""),
                ("LYMPHS", "33.0", "14-46", "%", ""),
                ("NEUTROPHILS (ABS)", "3.75", "1.4-7.0", "x10E3/uL", ""),
                ("LYMPHS (ABS)", "2.24", "0.7-3.1", "x10E3/uL", ""),
            ],
            (("wbc", 6800), ("neutrophils", 55.1), ("anc", 3750)),
        ),
        (
            [
                ("WBC", "1.9", "4.0-10.5", "x10E3/uL", "LL"),
                ("RBC", "3.31", "4.20-5.80", "x10E6/uL", "L"),
                ("HGB", "9.8", "13.0-17.0", "g/dL", "L"),
                ("PLT", "96", "150-400", "x10E3/uL", "L"),
                ("NEUT %", "22.4", "40.0-74.0", "%", "L"),
                ("LYMPH %", "61.0", "14.0-46.0", "%", "H"),
                ("ANC", "0.43", "1.40-7.00", "x10E3/uL", "LL"),
            ],
            (("wbc", 1900), ("neutrophils", 22.4), ("anc", 430)),
        ),
    ]
    hospitals = [
        "LAKEVIEW COMMUNITY HOSPITAL",
        "ST. EXAMPLE MEDICAL CENTER",
        "RIVERBEND REGIONAL HOSPITAL",
        "NORTHFIELD GENERAL HOSPITAL",
    ]
    patients = ["TESTPATIENT, ALEX J", "SAMPLE, JORDAN", "DOE, CASEY R", "EXAMPLE, ROBIN"]
    cases = []
    for i, (look, (rows, expected)) in enumerate(zip(looks, data, strict=True)):
        header = _US_HEADER.format(
            hospital=hospitals[i],
            patient=patients[i],
            mrn=f"00-{i}41-{2207 + i}",
            born=1950 + 9 * i,
            age=76 - 9 * i,
            sex="FM"[i % 2],
            acct=300 + i,
            day=2 + i,
        )
        order = i % 2
        title = (
            _us_line("TEST", "RESULT", "REF RANGE", "UNITS", "FLAG", 0)
            if order == 0
            else _us_line("TEST", "RESULT", "REF RANGE", "UNITS", "FLG", 1)
        )
        lines = [title] + [_us_line(*row, order) for row in rows]
        footer = "\n\n** END OF REPORT **           PRINTED 11/09/2026 14:03   PAGE 1 OF 1"
        text = header + "\n".join(lines) + footer
        css = (
            f"body {{ margin: 48px 56px; background: #fff; color: #111; font-family: {look.font}; "
            f"font-size: {look.size}px; }} pre {{ font: inherit; line-height: {look.line}; "
            "margin: 0; }"
        )
        cases.append(
            Case(
                "1 US printout",
                f"us-{i + 1}",
                _document(f"<pre>{_e(text)}</pre>", css),
                expected,
                width=816,
                scale=look.scale,
            )
        )
    return cases


# ---------------------------------------------------------------------------------------------
# 2 and 3. Patient portal: a block per test, "Your value: ..." and "Standard range: ...".

PortalTest = tuple[str, str, str, str]  # name, value with unit, range with unit, badge

_PORTAL_DATA: list[tuple[list[PortalTest], Expected]] = [
    (
        [
            ("WBC", "5.8 x10E3/uL", "3.4 - 10.8 x10E3/uL", ""),
            ("Hemoglobin", "13.1 g/dL", "11.1 - 15.9 g/dL", ""),
            ("Neutrophils", "61 %", "Not Estab. %", ""),
            ("Neutrophils (Absolute)", "3.5 x10E3/uL", "1.4 - 7.0 x10E3/uL", ""),
            ("Lymphs", "28 %", "Not Estab. %", ""),
            ("Platelets", "287 x10E3/uL", "150 - 450 x10E3/uL", ""),
        ],
        (("wbc", 5800), ("neutrophils", 61), ("anc", 3500)),
    ),
    (
        [
            ("White Blood Cell Count", "2.9 x10E3/uL", "3.4 - 10.8 x10E3/uL", "Low"),
            ("Neutrophils", "34 %", "40 - 74 %", "Low"),
            ("Neutrophils (Absolute)", "1.0 x10E3/uL", "1.4 - 7.0 x10E3/uL", "Low"),
            ("Lymphocytes", "52 %", "14 - 46 %", "High"),
            ("Hematocrit", "38.2 %", "34.0 - 46.6 %", ""),
        ],
        (("wbc", 2900), ("neutrophils", 34), ("anc", 1000)),
    ),
    (
        [
            ("WBC", "14.2 x10E3/uL", "3.4 - 10.8 x10E3/uL", "High"),
            ("Neutrophils", "84 %", "40 - 74 %", "High"),
            ("Bands", "8 %", "0 - 5 %", "High"),
            ("Neutrophils (Absolute)", "11.9 x10E3/uL", "1.4 - 7.0 x10E3/uL", "High"),
            ("Monocytes", "5 %", "4 - 12 %", ""),
            ("Platelets", "390 x10E3/uL", "150 - 450 x10E3/uL", ""),
        ],
        (("wbc", 14200), ("neutrophils", 84), ("bands", 8), ("anc", 11900)),
    ),
    (
        [
            ("Red Blood Cell Count", "4.38 x10E6/uL", "3.77 - 5.28 x10E6/uL", ""),
            ("White Blood Cell Count", "4.1 x10E3/uL", "3.4 - 10.8 x10E3/uL", ""),
            ("Absolute Neutrophils", "2.0 x10E3/uL", "1.4 - 7.0 x10E3/uL", ""),
            ("Neutrophil %", "48 %", "40 - 74 %", ""),
            ("Eosinophils", "3 %", "0 - 5 %", ""),
        ],
        (("wbc", 4100), ("anc", 2000), ("neutrophils", 48)),
    ),
]

_PORTAL_CSS = """
body {{ margin: 0; font-family: {font}; font-size: {size}px; line-height: {line};
  background: #eef2f6; color: #1d2733; }}
.top {{ background: #1f4e79; color: #fff; padding: 14px 28px; display: flex;
  justify-content: space-between; align-items: center; }}
.top b {{ font-size: 1.3em; }} .top span {{ margin-left: 22px; opacity: .9; }}
.wrap {{ display: flex; }}
aside {{ width: 210px; padding: 22px; color: #34495e; }} aside div {{ padding: 6px 0; }}
main {{ flex: 1; padding: 22px 36px; max-width: 900px; }}
h1 {{ font-size: 1.45em; margin: 0 0 4px; font-weight: 600; }}
.meta {{ color: #5b6b7b; font-size: .9em; margin-bottom: 18px; }}
.block {{ background: #fff; border-radius: 8px; padding: 14px 18px; margin-bottom: 12px;
  box-shadow: 0 1px 3px rgba(0,0,0,.12); }}
.name {{ font-weight: 600; font-size: 1.08em; margin-bottom: 4px; color: #16324f; }}
.val strong {{ font-weight: 700; }} .gap {{ display: inline-block; width: 2.2em; }}
.badge {{ display: inline-block; margin-left: 14px; padding: 1px 10px; border-radius: 11px;
  font-size: .85em; font-weight: 700; color: #fff; background: #c0392b; }}
.badge.Low {{ background: #d35400; }}
.status {{ display: flex; justify-content: space-between; align-items: center;
  padding: 12px 26px 8px; font-weight: 600; font-size: 16px; background: #fff; color: #000; }}
.icons {{ display: flex; align-items: flex-end; gap: 3px; }}
.bar {{ width: 4px; background: #000; border-radius: 1px; }}
.battery {{ width: 24px; height: 11px; border: 1.5px solid #000; border-radius: 3px;
  margin-left: 6px; position: relative; }}
.battery i {{ position: absolute; left: 1px; top: 1px; bottom: 1px; width: 15px;
  background: #000; border-radius: 1px; }}
.apphead {{ background: #fff; padding: 8px 16px 12px; border-bottom: 1px solid #d5dde5;
  font-size: 1.05em; }}
.apphead .back {{ color: #1f6fb2; margin-right: 10px; }}
.phone main {{ padding: 14px 14px; }}
.phone .block {{ padding: 12px 14px; }}
"""


def _portal(i: int, look: Look, phone: bool) -> Case:
    tests, expected = _PORTAL_DATA[i]
    blocks = []
    for name, value, ref, badge in tests:
        flag = f"<span class='badge {badge}'>{badge}</span>" if badge else ""
        blocks.append(
            f"<div class='block'><div class='name'>{_e(name)}</div><div class='val'>"
            f"Your value: <strong>{_e(value)}</strong><span class='gap'></span>"
            f"Standard range: {_e(ref)}{flag}</div></div>"
        )
    heading = (
        "<h1>Complete Blood Count (CBC) With Differential/Platelet</h1>"
        f"<div class='meta'>Collected on Nov {3 + i}, 2026 8:1{i} AM &middot; Result status: "
        "Final &middot; Ordered by Dana Sample, MD</div>"
    )
    if phone:
        status = (
            f"<div class='status'><span>9:4{i}</span><span class='icons'>"
            + "".join(f"<span class='bar' style='height:{4 + 3 * k}px'></span>" for k in range(4))
            + "<span style='margin-left:6px;font-size:14px'>5G</span>"
            "<span class='battery'><i></i></span></span></div>"
        )
        body = (
            f"<div class='phone'>{status}<div class='apphead'><span class='back'>&lt; Results"
            f"</span></div><main>{heading}{''.join(blocks)}</main></div>"
        )
    else:
        menu = "".join(
            f"<div>{item}</div>"
            for item in ("Home", "Messages", "Test Results", "Appointments", "Billing")
        )
        body = (
            "<div class='top'><b>CarePoint Patient Portal</b><div><span>Messages</span>"
            "<span>Help</span><span>Alex T. &#9662;</span></div></div>"
            f"<div class='wrap'><aside>{menu}</aside><main>{heading}{''.join(blocks)}"
            "</main></div>"
        )
    css = _PORTAL_CSS.format(font=look.font, size=look.size, line=look.line)
    return Case(
        "3 portal phone" if phone else "2 portal desktop",
        f"{'phone' if phone else 'portal'}-{i + 1}",
        _document(body, css),
        expected,
        width=390 if phone else 1280,
        scale=3.0 if phone else look.scale,
        phone=phone,
    )


def portal_desktop() -> list[Case]:
    looks = [
        Look(SANS, 15, 1.35, 1.0),
        Look(CONDENSED, 16, 1.5, 1.0),
        Look(SERIF, 15, 1.3, 1.25),
        Look(LIGHT, 17, 1.6, 2.0),
    ]
    return [_portal(i, look, phone=False) for i, look in enumerate(looks)]


def portal_phone() -> list[Case]:
    looks = [
        Look(SANS, 16, 1.35),
        Look(CONDENSED, 17, 1.45),
        Look(SERIF, 15, 1.3),
        Look(SANS, 18, 1.55),
    ]
    return [_portal((i + 1) % 4, look, phone=True) for i, look in enumerate(looks)]


# ---------------------------------------------------------------------------------------------
# 4. Two column groups of Test | Result | Units | Reference interval, small serif print.

Row = tuple[str, str, str, str]

_TWO_COLUMN: list[tuple[list[Row], list[Row], Expected]] = [
    (
        [
            ("WBC", "7.4", "10^3/uL", "4.0 - 11.0"),
            ("RBC", "4.51", "10^6/uL", "4.20 - 5.40"),
            ("Hemoglobin", "13.6", "g/dL", "12.0 - 16.0"),
            ("Hematocrit", "40.2", "%", "37.0 - 47.0"),
            ("Platelets", "266", "10^3/uL", "150 - 400"),
        ],
        [
            ("Neutrophils", "58", "%", "40 - 75"),
            ("Lymphocytes", "31", "%", "20 - 45"),
            ("Monocytes", "7", "%", "2 - 10"),
            ("Eosinophils", "3", "%", "1 - 6"),
            ("Neutrophils, absolute", "4.29", "10^3/uL", "1.80 - 7.70"),
        ],
        (("wbc", 7400), ("neutrophils", 58), ("anc", 4290)),
    ),
    (
        [
            ("White blood cells", "3.0", "10^3/uL", "4.0 - 11.0"),
            ("Red blood cells", "3.92", "10^6/uL", "4.20 - 5.40"),
            ("Hemoglobin", "11.4", "g/dL", "12.0 - 16.0"),
            ("MCV", "91", "fL", "80 - 100"),
            ("Platelets", "141", "10^3/uL", "150 - 400"),
        ],
        [
            ("Segmented neutrophils", "41", "%", "40 - 75"),
            ("Band neutrophils", "3", "%", "0 - 5"),
            ("Lymphocytes", "46", "%", "20 - 45"),
            ("Monocytes", "10", "%", "2 - 10"),
            ("Absolute neutrophil count", "1.32", "10^3/uL", "1.80 - 7.70"),
        ],
        (("wbc", 3000), ("neutrophils", 41), ("bands", 3), ("anc", 1320)),
    ),
    (
        [
            ("Leukocytes", "10.2", "10^3/uL", "4.5 - 11.0"),
            ("Erythrocytes", "5.02", "10^6/uL", "4.50 - 5.90"),
            ("Hemoglobin", "15.1", "g/dL", "13.5 - 17.5"),
            ("Platelets", "310", "10^3/uL", "150 - 400"),
        ],
        [
            ("Neutrophils", "70", "%", "40 - 75"),
            ("Lymphocytes", "21", "%", "20 - 45"),
            ("Basophils", "1", "%", "0 - 2"),
            ("Neutrophils, absolute", "7.14", "10^3/uL", "1.80 - 7.70"),
        ],
        (("wbc", 10200), ("neutrophils", 70), ("anc", 7140)),
    ),
    (
        [
            ("WBC count", "5.1", "10^3/uL", "4.0 - 11.0"),
            ("Hemoglobin", "14.0", "g/dL", "13.0 - 17.0"),
            ("Hematocrit", "42", "%", "39 - 51"),
            ("RDW", "13.1", "%", "11.5 - 14.5"),
            ("Platelets", "205", "10^3/uL", "150 - 400"),
        ],
        [
            ("Neutrophils", "52.7", "%", "40.0 - 75.0"),
            ("Lymphocytes", "36.1", "%", "20.0 - 45.0"),
            ("Monocytes", "8.0", "%", "2.0 - 10.0"),
            ("Eosinophils", "2.4", "%", "1.0 - 6.0"),
            ("Neutrophils, absolute", "2.69", "10^3/uL", "1.80 - 7.70"),
        ],
        (("wbc", 5100), ("neutrophils", 52.7), ("anc", 2690)),
    ),
]


def _rows_table(rows: Sequence[Row], head: Row, cls: str = "") -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table class='{cls}'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def two_column() -> list[Case]:
    looks = [
        Look(TIMES, 11, 1.3, 2.0),
        Look(TIMES, 10, 1.45, 2.0),
        Look(SERIF, 10, 1.25, 1.5),
        Look(TIMES, 11, 1.6, 1.0),
    ]
    head = ("Test", "Result", "Units", "Reference interval")
    cases = []
    for i, (look, (left, right, expected)) in enumerate(zip(looks, _TWO_COLUMN, strict=True)):
        css = (
            f"body {{ margin: 36px 40px; font-family: {look.font}; font-size: {look.size}px; "
            f"line-height: {look.line}; color: #000; background: #fff; }}"
            ".groups { display: flex; gap: 34px; } table { border-collapse: collapse; }"
            "th { text-align: left; border-bottom: 1px solid #000; padding: 1px 10px 1px 0; }"
            "td { padding: 0 10px 0 0; } h2 { font-size: 1.35em; margin: 0 0 2px; }"
            ".hdr { display: flex; justify-content: space-between; margin-bottom: 12px; }"
        )
        body = (
            "<h2>Hillcrest Reference Laboratories</h2><div class='hdr'>"
            f"<div>Patient: Example, Morgan &nbsp; DOB 02/1{i}/19{60 + 7 * i} &nbsp; "
            f"Specimen ID HX-55{i}09</div><div>Collected 10/2{i}/2026 09:3{i}</div></div>"
            "<b>HEMATOLOGY &mdash; CBC WITH AUTOMATED DIFFERENTIAL</b><div class='groups'>"
            f"{_rows_table(left, head)}{_rows_table(right, head)}</div>"
            "<p>Reference intervals are for adults. Results reviewed by laboratory director.</p>"
        )
        cases.append(
            Case(
                "4 two-column serif",
                f"twocol-{i + 1}",
                _document(body, css),
                expected,
                width=900,
                scale=look.scale,
            )
        )
    return cases


# ---------------------------------------------------------------------------------------------
# 5. UK / NHS SI report with a real superscript in x10^9/L.

_UK: list[tuple[list[tuple[str, str, str, str, str]], Expected]] = [
    (
        [
            ("Haemoglobin", "121", "g/L", "(130 - 170)", "L"),
            ("White cell count", "3.1", "9", "(4.0 - 11.0)", "L"),
            ("Platelet count", "245", "9", "(150 - 410)", ""),
            ("Red cell count", "4.41", "12", "(4.50 - 5.50)", "L"),
            ("Haematocrit", "0.372", "L/L", "(0.40 - 0.50)", "L"),
            ("Neutrophils", "1.2", "9", "(2.0 - 7.5)", "L"),
            ("Lymphocytes", "1.4", "9", "(1.5 - 4.0)", "L"),
            ("Monocytes", "0.4", "9", "(0.2 - 1.0)", ""),
            ("Eosinophils", "0.1", "9", "(0.0 - 0.4)", ""),
        ],
        (("wbc", 3100), ("anc", 1200)),
    ),
    (
        [
            ("White cell count", "9.6", "9", "(4.0 - 11.0)", ""),
            ("Haemoglobin", "138", "g/L", "(115 - 165)", ""),
            ("Platelets", "301", "9", "(150 - 400)", ""),
            ("Neutrophils", "6.1", "9", "(2.0 - 7.5)", ""),
            ("Lymphocytes", "2.6", "9", "(1.5 - 4.0)", ""),
            ("Basophils", "0.05", "9", "(0.0 - 0.1)", ""),
        ],
        (("wbc", 9600), ("anc", 6100)),
    ),
    (
        [
            ("Total white cell count", "15.8", "9", "(4.0 - 11.0)", "H"),
            ("Haemoglobin", "149", "g/L", "(130 - 170)", ""),
            ("Neutrophil count", "12.9", "9", "(2.0 - 7.5)", "H"),
            ("Lymphocyte count", "1.9", "9", "(1.5 - 4.0)", ""),
            ("Monocyte count", "0.8", "9", "(0.2 - 1.0)", ""),
            ("Platelet count", "388", "9", "(150 - 410)", ""),
        ],
        (("wbc", 15800), ("anc", 12900)),
    ),
    (
        [
            ("Haemoglobin", "98", "g/L", "(115 - 165)", "L"),
            ("WBC", "0.9", "9", "(4.0 - 11.0)", "L"),
            ("Neutrophils", "0.3", "9", "(2.0 - 7.5)", "L"),
            ("Lymphocytes", "0.5", "9", "(1.5 - 4.0)", "L"),
            ("Platelets", "62", "9", "(150 - 400)", "L"),
        ],
        (("wbc", 900), ("anc", 300)),
    ),
]


def uk_si() -> list[Case]:
    looks = [
        Look(SANS, 14, 1.4, 2.0),
        Look(TIMES, 16, 1.3, 2.0),
        Look(CONDENSED, 13, 1.7, 2.0),
        Look(SERIF, 15, 1.5, 1.5),
    ]
    cases = []
    for i, (look, (rows, expected)) in enumerate(zip(looks, _UK, strict=True)):
        trs = []
        for name, value, unit, ref, flag in rows:
            shown = f"x10<sup>{unit}</sup>/L" if unit.isdigit() else _e(unit)
            trs.append(
                f"<tr><td>{_e(name)}</td><td class='v'>{value}</td><td>{shown}</td>"
                f"<td>{_e(ref)}</td><td class='f'>{flag}</td></tr>"
            )
        css = (
            f"body {{ margin: 40px 48px; font-family: {look.font}; font-size: {look.size}px; "
            f"line-height: {look.line}; color: #111; background: #fff; }}"
            ".nhs { display: flex; justify-content: space-between; align-items: flex-start; }"
            ".logo { background: #005eb8; color: #fff; font-weight: bold; font-style: italic;"
            " padding: 2px 10px; font-size: 1.5em; font-family: 'DejaVu Sans', sans-serif; }"
            "table { border-collapse: collapse; margin-top: 8px; } td { padding: 0 18px 0 0; }"
            "td.v { text-align: right; } td.f { font-weight: bold; }"
            ".sec { font-weight: bold; margin-top: 14px; border-bottom: 1px solid #999; }"
        )
        body = (
            "<div class='nhs'><div><b>Westbrook Hospitals NHS Foundation Trust</b><br>"
            "Department of Haematology<br>Tel 0100 000 0000</div><div class='logo'>NHS</div>"
            "</div><p>Patient: EXAMPLE, Sam &nbsp; NHS No: 000 000 0000 &nbsp; "
            f"DOB: 1{i}/03/19{55 + 8 * i}<br>Sample received: 0{i + 4}-Nov-2026 10:2{i}"
            f" &nbsp; Lab no: H{i}6.0112345.K</p><div class='sec'>FULL BLOOD COUNT</div>"
            f"<table>{''.join(trs)}</table><p>Film comment: no abnormal cells seen.</p>"
        )
        cases.append(Case("5 UK SI", f"uk-{i + 1}", _document(body, css), expected, 816))
    return cases


# ---------------------------------------------------------------------------------------------
# 6. Indian lab report: logo block, bold headers, bordered table, counts per cumm.

_INDIA: list[tuple[str, list[tuple[str, str, str, str, bool]], Expected]] = [
    (
        "TOTAL W.B.C. COUNT",
        [
            ("HAEMOGLOBIN", "13.2", "g/dL", "13.0 - 17.0", False),
            ("R.B.C. COUNT", "4.6", "million/cumm", "4.5 - 5.5", False),
            ("TOTAL W.B.C. COUNT", "4800", "/cumm", "4000 - 11000", False),
            ("#DIFFERENTIAL LEUCOCYTE COUNT", "", "", "", False),
            ("Neutrophils", "62", "%", "40 - 80", False),
            ("Lymphocytes", "30", "%", "20 - 40", False),
            ("Eosinophils", "04", "%", "1 - 6", False),
            ("Monocytes", "04", "%", "2 - 10", False),
            ("Basophils", "00", "%", "0 - 2", False),
            ("Absolute Neutrophil Count", "2976", "/cumm", "2000 - 7000", False),
            ("PLATELET COUNT", "2.50", "Lakhs/cumm", "1.50 - 4.50", False),
        ],
        (("wbc", 4800), ("neutrophils", 62), ("anc", 2976)),
    ),
    (
        "TLC",
        [
            ("Haemoglobin", "11.6", "gm/dl", "12.0 - 15.0", True),
            ("TLC", "3200", "/cumm", "4000 - 11000", True),
            ("#DLC", "", "", "", False),
            ("Neutrophils", "45", "%", "40 - 80", False),
            ("Lymphocytes", "47", "%", "20 - 40", True),
            ("Monocytes", "06", "%", "2 - 10", False),
            ("Eosinophils", "02", "%", "1 - 6", False),
            ("Absolute Neutrophil Count", "1440", "/cumm", "2000 - 7000", True),
            ("Platelet Count", "182000", "/cumm", "150000 - 450000", False),
        ],
        (("wbc", 3200), ("neutrophils", 45), ("anc", 1440)),
    ),
    (
        "TOTAL LEUCOCYTE COUNT (TLC)",
        [
            ("TOTAL LEUCOCYTE COUNT (TLC)", "13500", "/cumm", "4000 - 11000", True),
            ("#DIFFERENTIAL COUNT", "", "", "", False),
            ("Neutrophils", "82", "%", "40 - 80", True),
            ("Band Forms", "6", "%", "0 - 5", True),
            ("Lymphocytes", "10", "%", "20 - 40", True),
            ("Monocytes", "02", "%", "2 - 10", False),
            ("Absolute Neutrophil Count", "11070", "/cumm", "2000 - 7000", True),
            ("HAEMOGLOBIN", "14.8", "g/dL", "13.0 - 17.0", False),
            ("E.S.R.", "28", "mm/1st hr", "0 - 15", True),
        ],
        (("wbc", 13500), ("neutrophils", 82), ("bands", 6), ("anc", 11070)),
    ),
    (
        "TOTAL W.B.C. COUNT",
        [
            ("HAEMOGLOBIN", "12.9", "g/dL", "12.0 - 15.0", False),
            ("PCV", "39.0", "%", "36 - 46", False),
            ("TOTAL W.B.C. COUNT", "7600", "/cumm", "4000 - 11000", False),
            ("#DIFFERENTIAL W.B.C. COUNT", "", "", "", False),
            ("Neutrophils", "58", "%", "40 - 80", False),
            ("Lymphocytes", "34", "%", "20 - 40", False),
            ("Eosinophils", "05", "%", "1 - 6", False),
            ("Monocytes", "03", "%", "2 - 10", False),
            ("Absolute Neutrophil Count", "4408", "/cumm", "2000 - 7000", False),
        ],
        (("wbc", 7600), ("neutrophils", 58), ("anc", 4408)),
    ),
]


def india() -> list[Case]:
    looks = [
        Look(SANS, 14, 1.5, 2.0),
        Look(SERIF, 14, 1.35, 2.0),
        Look(CONDENSED, 15, 1.6, 1.5),
        Look(TIMES, 16, 1.4, 2.0),
    ]
    labs = [
        ("SD", "SHREE DIAGNOSTICS & PATHOLOGY LAB", "#b0271f"),
        ("CP", "CARELINE PATH LABS", "#1c6a3a"),
        ("LD", "LOTUS DIAGNOSTIC CENTRE", "#6a1c8a"),
        ("AP", "AAROGYA PATHOLOGY SERVICES", "#0b4f8a"),
    ]
    cases = []
    for i, (look, (_name, rows, expected)) in enumerate(zip(looks, _INDIA, strict=True)):
        initials, lab, colour = labs[i]
        trs = []
        for name, value, unit, ref, abnormal in rows:
            if name.startswith("#"):
                trs.append(f"<tr><td colspan='4' class='sub'>{_e(name[1:])}</td></tr>")
                continue
            cell = f"<b>{value}</b>" if abnormal else value
            trs.append(
                f"<tr><td>{_e(name)}</td><td>{cell}</td><td>{_e(unit)}</td><td>{_e(ref)}</td></tr>"
            )
        css = (
            f"body {{ margin: 30px 38px; font-family: {look.font}; font-size: {look.size}px; "
            f"line-height: {look.line}; color: #111; background: #fff; }}"
            ".head { display: flex; align-items: center; gap: 16px; border-bottom: 3px solid "
            f"{colour}; padding-bottom: 8px; }}"
            f".logo {{ width: 64px; height: 64px; border-radius: 50%; background: {colour}; "
            "color: #fff; font: bold 26px 'DejaVu Serif', serif; display: flex; "
            "align-items: center; justify-content: center; }"
            f".lab {{ font-size: 1.5em; font-weight: bold; color: {colour}; }}"
            ".pt { display: grid; grid-template-columns: 1fr 1fr; margin: 10px 0; gap: 0 30px; }"
            "table { border-collapse: collapse; width: 100%; }"
            "td, th { border: 1px solid #444; padding: 2px 8px; text-align: left; }"
            "th { background: #e8e8e8; } td.sub { font-weight: bold; text-decoration: underline; }"
            "h3 { text-align: center; margin: 10px 0 6px; text-decoration: underline; }"
        )
        body = (
            f"<div class='head'><div class='logo'>{initials}</div><div><div class='lab'>{lab}"
            "</div><div>Plot No. 1"
            + str(i)
            + ", Sector 5, Example Nagar &middot; Ph: 0000-000000 &middot;"
            " ISO 9001:2015 Certified</div></div></div>"
            f"<div class='pt'><div><b>Name</b> : Mr. Test Kumar {i + 1}</div>"
            f"<div><b>Age/Sex</b> : {34 + 6 * i} Y / {'MF'[i % 2]}</div>"
            f"<div><b>Ref. By</b> : Dr. A. Sample</div><div><b>Reg. No.</b> : 26110{i}7</div>"
            f"<div><b>Sample Date</b> : 0{i + 2}/11/2026</div>"
            f"<div><b>Report Date</b> : 0{i + 2}/11/2026</div></div>"
            "<h3>HAEMATOLOGY</h3><b>COMPLETE BLOOD COUNT (CBC)</b>"
            "<table><tr><th>INVESTIGATION</th><th>OBSERVED VALUE</th><th>UNIT</th>"
            f"<th>BIOLOGICAL REFERENCE INTERVAL</th></tr>{''.join(trs)}</table>"
            "<p style='text-align:center'>*** End of Report ***</p>"
            "<p style='text-align:right'><b>Dr. B. Example</b><br>MD (Pathology)</p>"
        )
        cases.append(Case("6 India", f"india-{i + 1}", _document(body, css), expected, 816))
    return cases


# ---------------------------------------------------------------------------------------------
# 7. German report: decimal comma, /nl and G/l, + and - flags.

_GERMAN: list[tuple[list[tuple[str, str, str, str, str]], Expected]] = [
    (
        [
            ("Leukozyten", "11,4", "/nl", "4,0 - 10,0", "+"),
            ("Erythrozyten", "4,52", "/pl", "4,1 - 5,1", ""),
            ("Hämoglobin", "13,8", "g/dl", "12,0 - 16,0", ""),
            ("Hämatokrit", "41", "%", "36 - 46", ""),
            ("Thrombozyten", "312", "/nl", "150 - 400", ""),
            ("#Differentialblutbild", "", "", "", ""),
            ("Neutrophile", "78,0", "%", "40 - 75", "+"),
            ("Lymphozyten", "14,2", "%", "20 - 45", "-"),
            ("Monozyten", "6,1", "%", "2 - 10", ""),
            ("Neutrophile absolut", "8,89", "/nl", "1,8 - 7,7", "+"),
        ],
        (("wbc", 11400), ("neutrophils", 78), ("anc", 8890)),
    ),
    (
        [
            ("Leukozyten", "3,6", "G/l", "4,0 - 10,0", "-"),
            ("Hämoglobin", "12,9", "g/dl", "13,5 - 17,5", "-"),
            ("Thrombozyten", "198", "G/l", "150 - 400", ""),
            ("#Differenzierung", "", "", "", ""),
            ("Neutrophile", "41,5", "%", "40 - 75", ""),
            ("Stabkernige", "3", "%", "0 - 5", ""),
            ("Lymphozyten", "44,0", "%", "20 - 45", ""),
            ("Neutrophile abs.", "1,49", "G/l", "1,8 - 7,7", "-"),
        ],
        (("wbc", 3600), ("neutrophils", 41.5), ("bands", 3), ("anc", 1490)),
    ),
    (
        [
            ("Leukozyten", "7,2", "/nl", "4,0 - 10,0", ""),
            ("Erythrozyten", "4,88", "/pl", "4,5 - 5,9", ""),
            ("MCV", "89", "fl", "80 - 96", ""),
            ("Neutrophile Granulozyten", "62,3", "%", "40 - 75", ""),
            ("Eosinophile Granulozyten", "2,1", "%", "1 - 6", ""),
            ("Lymphozyten", "27,9", "%", "20 - 45", ""),
            ("Neutrophile Granulozyten abs.", "4,49", "/nl", "1,8 - 7,7", ""),
        ],
        (("wbc", 7200), ("neutrophils", 62.3), ("anc", 4490)),
    ),
    (
        [
            ("Leukozyten", "15,9", "G/l", "3,9 - 10,2", "+"),
            ("Hämoglobin", "14,1", "g/dl", "12,0 - 15,4", ""),
            ("Thrombozyten", "421", "G/l", "150 - 370", "+"),
            ("#Maschinelles Differentialblutbild", "", "", "", ""),
            ("Neutrophile", "81", "%", "42 - 77", "+"),
            ("Lymphozyten", "11", "%", "20 - 44", "-"),
            ("Neutrophile absolut", "12,88", "G/l", "1,5 - 7,7", "+"),
        ],
        (("wbc", 15900), ("neutrophils", 81), ("anc", 12880)),
    ),
]


def german() -> list[Case]:
    looks = [
        Look(SANS, 14, 1.35, 2.0),
        Look(SERIF, 15, 1.5, 2.0),
        Look(MONO, 13, 1.45, 2.0),
        Look(CONDENSED, 16, 1.3, 1.5),
    ]
    cases = []
    for i, (look, (rows, expected)) in enumerate(zip(looks, _GERMAN, strict=True)):
        trs = []
        for name, value, unit, ref, flag in rows:
            if name.startswith("#"):
                trs.append(f"<tr><td colspan='5' class='sub'>{_e(name[1:])}</td></tr>")
                continue
            trs.append(
                f"<tr><td>{_e(name)}</td><td class='v'>{value}</td><td class='f'>{flag}</td>"
                f"<td>{_e(unit)}</td><td>{_e(ref)}</td></tr>"
            )
        css = (
            f"body {{ margin: 40px 50px; font-family: {look.font}; font-size: {look.size}px; "
            f"line-height: {look.line}; color: #111; background: #fff; }}"
            "table { border-collapse: collapse; } td, th { padding: 0 16px 0 0; text-align: left; }"
            "th { border-bottom: 1px solid #000; } td.v { text-align: right; }"
            "td.f { font-weight: bold; width: 14px; } td.sub { font-weight: bold; "
            "padding-top: 6px; } .kopf { border-bottom: 2px solid #333; margin-bottom: 10px; }"
        )
        body = (
            "<div class='kopf'><b style='font-size:1.3em'>Labor Dr. Beispiel &amp; Kollegen</b>"
            "<br>Musterstraße 1, 12345 Beispielstadt &middot; Tel. 0000 / 000000</div>"
            f"<div>Patient: Mustermann, Erika &nbsp; geb. 1{i}.0{i + 1}.19{62 + 5 * i} &nbsp;"
            f" Auftragsnr. 26-04{i}17</div><div>Eingang: 0{i + 3}.11.2026 08:5{i}"
            " &nbsp; Befund: endgültig</div><h3>Befundbericht &mdash; Kleines/Großes Blutbild</h3>"
            "<table><tr><th>Untersuchung</th><th>Ergebnis</th><th></th><th>Einheit</th>"
            f"<th>Referenzbereich</th></tr>{''.join(trs)}</table>"
            "<p>+ = oberhalb, - = unterhalb des Referenzbereichs</p>"
        )
        cases.append(Case("7 German", f"de-{i + 1}", _document(body, css), expected, 816))
    return cases


# ---------------------------------------------------------------------------------------------
# 8. Tables with and without borders; units 10*3/uL, K/uL, x10³/µL.

_UNITS: list[tuple[bool, list[Row], Expected]] = [
    (
        True,
        [
            ("WBC", "7.9", "10*3/uL", "4.5-11.0"),
            ("RBC", "4.77", "10*6/uL", "4.40-5.90"),
            ("Hemoglobin", "14.6", "g/dL", "13.5-17.5"),
            ("Neutrophils %", "66.0", "%", "40.0-75.0"),
            ("Lymphocytes %", "24.5", "%", "20.0-45.0"),
            ("Neutrophils #", "5.2", "10*3/uL", "1.8-7.7"),
            ("Platelets", "233", "10*3/uL", "150-400"),
        ],
        (("wbc", 7900), ("neutrophils", 66.0), ("anc", 5200)),
    ),
    (
        False,
        [
            ("WBC", "2.4 L", "K/uL", "4.0-11.0"),
            ("HGB", "10.7 L", "g/dL", "12.0-16.0"),
            ("PLT", "88 L", "K/uL", "150-400"),
            ("NEUT %", "33.3 L", "%", "40.0-75.0"),
            ("NEUT #", "0.8 L", "K/uL", "1.8-7.7"),
            ("LYMPH #", "1.3", "K/uL", "1.0-4.8"),
        ],
        (("wbc", 2400), ("neutrophils", 33.3), ("anc", 800)),
    ),
    (
        True,
        [
            ("White Blood Cells", "10.9", "x10³/µL", "4.0 - 11.0"),
            ("Red Blood Cells", "4.20", "x10⁶/µL", "4.00 - 5.20"),
            ("Neutrophils", "71", "%", "40 - 75"),
            ("Bands", "2", "%", "0 - 5"),
            ("Lymphocytes", "19", "%", "20 - 45"),
            ("Absolute Neutrophils", "7.74", "x10³/µL", "1.80 - 7.70"),
        ],
        (("wbc", 10900), ("neutrophils", 71), ("bands", 2), ("anc", 7740)),
    ),
    (
        False,
        [
            ("Hemoglobin", "15.2", "g/dL", "13.0-17.0"),
            ("WBC", "5.5", "K/µL", "4.0-10.0"),
            ("ANC", "3.1", "K/µL", "1.5-8.0"),
            ("Neutrophil %", "56.4", "%", "40-70"),
            ("Lymphocyte %", "30.2", "%", "20-40"),
            ("Platelet Count", "176", "K/µL", "140-400"),
        ],
        (("wbc", 5500), ("anc", 3100), ("neutrophils", 56.4)),
    ),
]


def unit_tables() -> list[Case]:
    looks = [
        Look(SANS, 15, 1.4, 2.0),
        Look(MONO, 14, 1.6, 2.0),
        Look(TIMES, 17, 1.3, 1.5),
        Look(CONDENSED, 15, 1.8, 2.0),
    ]
    head = ("Component", "Value", "Units", "Reference Range")
    cases = []
    for i, (look, (bordered, rows, expected)) in enumerate(zip(looks, _UNITS, strict=True)):
        borders = (
            "td, th { border: 1px solid #555; padding: 3px 10px; }"
            if bordered
            else "td, th { padding: 2px 26px 2px 0; } tbody tr:nth-child(odd) "
            "{ background: #f1f4f8; } th { color: #555; font-weight: normal; }"
        )
        css = (
            f"body {{ margin: 40px 48px; font-family: {look.font}; font-size: {look.size}px; "
            f"line-height: {look.line}; color: #111; background: #fff; }}"
            f"table {{ border-collapse: collapse; margin-top: 10px; }} th {{ text-align: left; }}"
            f"{borders}"
        )
        body = (
            f"<h2>Summit Valley Clinic Lab</h2><div>Patient: Sample, Taylor &nbsp; "
            f"Visit 11/1{i}/2026 &nbsp; Accession 26-HE-{4410 + i}</div>"
            f"<h3>CBC w/ Diff</h3>{_rows_table(rows, head)}"
        )
        cases.append(Case("8 tables+units", f"units-{i + 1}", _document(body, css), expected))
    return cases


LAYOUTS = (
    us_printout,
    portal_desktop,
    portal_phone,
    two_column,
    uk_si,
    india,
    german,
    unit_tables,
)


def all_cases() -> list[Case]:
    return [case for layout in LAYOUTS for case in layout()]


# ---------------------------------------------------------------------------------------------
# Rendering and degradations.


def render(cases: Sequence[Case]) -> dict[str, bytes]:
    """Each case's page as a full-page PNG screenshot from headless Chromium."""
    from playwright.sync_api import BrowserContext, sync_playwright

    shots: dict[str, bytes] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            contexts: dict[tuple[int, float, bool], BrowserContext] = {}
            for case in cases:
                key = (case.width, case.scale, case.phone)
                if key not in contexts:
                    contexts[key] = browser.new_context(
                        viewport={"width": case.width, "height": 844 if case.phone else 600},
                        device_scale_factor=case.scale,
                        is_mobile=case.phone,
                        has_touch=case.phone,
                    )
                page = contexts[key].new_page()
                page.set_content(case.html, wait_until="load")
                page.evaluate("document.fonts.ready.then(() => true)")
                shots[case.name] = page.screenshot(full_page=True, type="png")
                page.close()
        finally:
            browser.close()
    return shots


def _rng(name: str, degradation: str) -> random.Random:
    return random.Random(zlib.crc32(f"{name}/{degradation}".encode()))


def _perspective_coeffs(
    dst: Sequence[tuple[float, float]], src: Sequence[tuple[float, float]]
) -> list[float]:
    """PIL PERSPECTIVE coefficients mapping output points dst to input points src."""
    rows = []
    rhs = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.extend([u, v])
    return [float(c) for c in np.linalg.solve(np.array(rows), np.array(rhs))]


def _tilt(
    image: Image.Image, rng: random.Random, degrees: float, jitter: float, fill: tuple[int, ...]
) -> Image.Image:
    width, height = image.size
    cx, cy = width / 2, height / 2
    angle = math.radians(degrees * rng.choice((-1, 1)))
    corners = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)]
    dst = []
    for x, y in corners:
        dx, dy = x - cx, y - cy
        rx = cx + dx * math.cos(angle) - dy * math.sin(angle)
        ry = cy + dx * math.sin(angle) + dy * math.cos(angle)
        rx += rng.uniform(-jitter, jitter) * width
        ry += rng.uniform(-jitter, jitter) * height
        dst.append((rx, ry))
    # Shrink towards the centre so the tilted page stays inside the frame.
    scale = 0.94
    dst = [(cx + (x - cx) * scale, cy + (y - cy) * scale) for x, y in dst]
    coeffs = _perspective_coeffs(dst, corners)
    return image.transform(
        image.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=fill
    )


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _limit(image: Image.Image, longest: int) -> Image.Image:
    ratio = longest / max(image.size)
    if ratio >= 1:
        return image
    size = (round(image.width * ratio), round(image.height * ratio))
    return image.resize(size, Image.Resampling.LANCZOS)


def photo_of_paper(png: bytes, name: str) -> bytes:
    """A phone photo of the printed page: desk around it, tilt, blur, uneven light, JPEG 50-60."""
    rng = _rng(name, "photo")
    page = Image.open(io.BytesIO(png)).convert("RGB")
    page = _limit(page, 2000)
    paper = np.asarray(page, dtype=np.float32) * np.array([0.97, 0.955, 0.91], dtype=np.float32)
    page = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
    margin = int(0.06 * max(page.size))
    desk = (rng.randint(70, 110), rng.randint(60, 90), rng.randint(45, 70))
    canvas = Image.new("RGB", (page.width + 2 * margin, page.height + 2 * margin), desk)
    canvas.paste(page, (margin, margin))
    canvas = _tilt(canvas, rng, rng.uniform(1.5, 4.0), 0.015, desk)
    arr = np.asarray(canvas, dtype=np.float32)
    height, width = arr.shape[:2]
    ys, xs = np.mgrid[0:64, 0:64].astype(np.float32) / 63  # a smooth field, scaled up below
    phi = rng.uniform(0, 2 * math.pi)
    light = 0.9 + rng.uniform(0.12, 0.25) * (
        (xs - 0.5) * math.cos(phi) + (ys - 0.5) * math.sin(phi)
    )
    light -= 0.2 * ((xs - 0.5) ** 2 + (ys - 0.5) ** 2)
    sx, sy = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9)
    light -= 0.14 * np.exp(-((xs - sx) ** 2 + (ys - sy) ** 2) / 0.03)  # a soft shadow
    field = Image.fromarray(light.astype(np.float32), mode="F").resize(
        (width, height), Image.Resampling.BILINEAR
    )
    arr *= np.asarray(field, dtype=np.float32)[..., None]
    noise = np.random.default_rng(rng.randint(0, 2**31))
    arr += noise.standard_normal(arr.shape, dtype=np.float32) * 4.0
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.9, 1.4)))
    return _jpeg(image, rng.randint(50, 60))


def photo_of_screen(png: bytes, name: str) -> bytes:
    """A photo of the page on a monitor: moiré, pixel grid, colour cast, slight blur, JPEG."""
    rng = _rng(name, "screen")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = _limit(image, 1800)
    pitch = rng.uniform(2.6, 3.4)  # screen pixels as the camera sees them
    arr = np.asarray(image, dtype=np.float32)
    arr = 18 + arr * 0.84  # a lit screen's black is not black
    height, width = arr.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    a1 = math.radians(rng.uniform(-8, 8))
    a2 = a1 + math.radians(rng.uniform(1.0, 3.0))
    g1 = np.cos(2 * math.pi * (xs * math.cos(a1) + ys * math.sin(a1)) / pitch)
    g2 = np.cos(2 * math.pi * (xs * math.cos(a2) + ys * math.sin(a2)) / (pitch * 1.035))
    moire = 1 - rng.uniform(0.12, 0.2) * (0.5 + 0.5 * g1 * g2)
    arr *= moire[..., None]
    for channel in range(3):  # sub-pixel stripes
        phase = 2 * math.pi * channel / 3
        arr[..., channel] *= 1 - 0.06 * (0.5 + 0.5 * np.cos(2 * math.pi * xs / pitch + phase))
    cast = np.array(
        [rng.uniform(0.86, 0.96), rng.uniform(0.96, 1.03), rng.uniform(1.03, 1.12)],
        dtype=np.float32,
    )
    arr *= cast
    noise = np.random.default_rng(rng.randint(0, 2**31))
    arr += noise.standard_normal(arr.shape, dtype=np.float32) * 3.0
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    bezel = (18, 18, 22)
    framed = Image.new("RGB", (image.width + 60, image.height + 60), bezel)
    framed.paste(image, (30, 30))
    framed = _tilt(framed, rng, rng.uniform(0.8, 2.0), 0.008, bezel)
    framed = framed.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 0.9)))
    return _jpeg(framed, rng.randint(60, 72))


CACHE = Path("/tmp/heldout_layouts_cache")


@cache
def _code_key() -> str:
    """Changes whenever this file does, so a cached page always matches the code drawing it."""
    return f"{zlib.crc32(Path(__file__).read_bytes()):08x}"


def _cached(name: str, degradation: str, make: Callable[[], bytes], use: bool) -> bytes:
    path = CACHE / _code_key() / f"{name}-{degradation}"
    if use and path.exists():
        return path.read_bytes()
    data = make()
    if use:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial_file = path.with_name(f"{path.name}.{os.getpid()}")
            partial_file.write_bytes(data)
            os.replace(partial_file, path)  # another run never reads half a page
        except OSError:  # the cache only saves time; a page not cached is drawn again next run
            pass
    return data


def pages(
    cases: Sequence[Case], degradations: Iterable[str] = DEGRADATIONS, use_cache: bool = True
) -> Iterator[Page]:
    """Yield every page of the set: each case clean and as a photo, and some on a screen.

    One case per layout is shown on a screen (the first case of layout 1, the second of layout 2,
    ...), to keep a run short. Drawn pages are kept under /tmp (CACHE) for the next run of the same
    code.
    """
    wanted = tuple(degradations)
    missing = [
        case
        for case in cases
        if not (use_cache and (CACHE / _code_key() / f"{case.name}-clean").exists())
    ]
    shots = render(missing) if missing else {}
    seen: dict[str, int] = {}
    for case in cases:
        position = seen[case.layout] = seen.get(case.layout, -1) + 1
        png = _cached(case.name, "clean", partial(shots.__getitem__, case.name), use_cache)
        if "clean" in wanted:
            yield Page(case, "clean", png)
        if "photo" in wanted:
            data = _cached(case.name, "photo", partial(photo_of_paper, png, case.name), use_cache)
            yield Page(case, "photo", data)
        number = int(case.layout.split()[0])
        if "screen" in wanted and position == (number - 1) % 4:
            data = _cached(case.name, "screen", partial(photo_of_screen, png, case.name), use_cache)
            yield Page(case, "screen", data)


# ---------------------------------------------------------------------------------------------
# Reading and scoring.


def _same(found: float, expected: float) -> bool:
    return abs(found - expected) <= max(1e-6, 0.005 * abs(expected))


def _line_at(text: str, start: int) -> str:
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text[begin : end if end >= 0 else len(text)]


def found_values(text: str) -> list[tuple[str, float, str]]:
    """(kind, number, the judged line it came from) for each white-cell value parsed."""
    from bot.errors import EmptyTextError
    from bot.read.parse import parse_text

    try:
        parsed = parse_text(text)
    except EmptyTextError:  # nothing judged on the page: nothing read, right or wrong
        return []
    found = [  # a value without a count per microlitre (unit unknown) gives the bot no number
        (value.analyte.value, float(value.cells_per_ul), _line_at(text, value.start))
        for value in parsed.values
        if value.cells_per_ul is not None
    ]
    found += [
        (share.kind, float(share.percent), _line_at(text, share.start))
        for share in parsed.neutrophil_shares
    ]
    return found


def score(page: Page) -> Result:
    from bot.reports import judged_text, read_report

    started = time.perf_counter()
    reading = read_report(page.data)
    seconds = time.perf_counter() - started
    text = judged_text(reading)
    found = found_values(text)
    expected = page.case.expected
    right = sum(
        1 for kind, value in expected if any(k == kind and _same(v, value) for k, v, _ in found)
    )
    label = f"{page.case.name}/{page.degradation}"
    wrong = [
        Wrong(label, kind, value, line)
        for kind, value, line in found
        if not any(k == kind and _same(value, v) for k, v in expected)
    ]
    problem = None if reading.problem is None else str(getattr(reading.problem, "name", ""))
    return Result(
        label, page.case.layout, page.degradation, len(expected), right, wrong, seconds, problem
    )


def run(
    degradations: Iterable[str] = DEGRADATIONS,
    layouts: Iterable[str] | None = None,
    save: Path | None = None,
    use_cache: bool = True,
) -> list[Result]:
    """Draw, degrade and read the pages of the chosen layouts (numbers, e.g. "7")."""
    cases = all_cases()
    if layouts is not None:
        chosen = tuple(layouts)
        cases = [case for case in cases if case.layout.split()[0] in chosen]
    results = []
    for page in pages(cases, degradations, use_cache):
        if save is not None:
            suffix = "png" if page.degradation == "clean" else "jpg"
            (save / f"{page.case.name}-{page.degradation}.{suffix}").write_bytes(page.data)
        results.append(score(page))
    return results


def table(results: Sequence[Result]) -> str:
    groups: dict[tuple[str, str], list[Result]] = {}
    for result in results:
        groups.setdefault((result.layout, result.degradation), []).append(result)
    head = f"{'layout':<20}{'degradation':<12}{'pages':>6}{'expected':>9}{'right':>7}"
    head += f"{'wrong':>7}{'s/page':>8}{'problem':>8}"
    lines = [head, "-" * len(head)]
    order = {d: i for i, d in enumerate(DEGRADATIONS)}
    keys = sorted(groups, key=lambda key: (key[0], order[key[1]]))
    by_degradation: dict[str, list[Result]] = {}
    for key in keys:
        rows = groups[key]
        by_degradation.setdefault(key[1], []).extend(rows)
        lines.append(_row(key[0], key[1], rows))
    lines.append("-" * len(head))
    for degradation in DEGRADATIONS:
        if degradation in by_degradation:
            lines.append(_row("all", degradation, by_degradation[degradation]))
    lines.append(_row("all", "all", list(results)))
    return "\n".join(lines)


def _row(layout: str, degradation: str, rows: Sequence[Result]) -> str:
    expected = sum(r.expected for r in rows)
    right = sum(r.right for r in rows)
    wrong = sum(len(r.wrong) for r in rows)
    problems = sum(1 for r in rows if r.problem is not None)
    median = statistics.median(r.seconds for r in rows)
    return (
        f"{layout:<20}{degradation:<12}{len(rows):>6}{expected:>9}{right:>7}{wrong:>7}"
        f"{median:>8.2f}{problems:>8}"
    )


def describe_wrong(results: Sequence[Result]) -> list[str]:
    return [
        f"{w.page}: {w.kind} {w.value:g} from line {w.line!r}" for r in results for w in r.wrong
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layout", action="append", help="layout number(s), e.g. 1 or 7")
    parser.add_argument("--degradation", action="append", choices=DEGRADATIONS)
    parser.add_argument("--save", type=Path, help="also write the pages here (use /tmp)")
    parser.add_argument("--verbose", action="store_true", help="per-page figures too")
    parser.add_argument(
        "--no-cache", action="store_true", help=f"draw every page anew, not {CACHE}"
    )
    args = parser.parse_args(argv)
    degradations = tuple(args.degradation or DEGRADATIONS)
    started = time.perf_counter()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    results = run(degradations, args.layout, args.save, not args.no_cache)
    print(table(results))
    if args.verbose:
        for r in results:
            print(f"  {r.page:<22} {r.right}/{r.expected} wrong={len(r.wrong)} {r.seconds:.2f}s")
            if r.problem:
                print(f"    problem: {r.problem}")
    wrong = describe_wrong(results)
    print(f"\nvalues read wrong: {len(wrong)}")
    for line in wrong:
        print("  " + line)
    problems = [f"{r.page}: {r.problem}" for r in results if r.problem is not None]
    if problems:
        print(f"\npages with a problem: {len(problems)}")
        for line in problems:
            print("  " + line)
    print(f"\n{len(results)} pages in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
