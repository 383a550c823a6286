"""Report layouts seen in the real world, for the generated set (tests/reports/synthetic.py).

Each is modelled on a kind of report people send, studied from public examples (portal help
pages, lab report templates, printouts shared to explain results), never copied from one:

- a patient portal's result page, each test a block: the name on one line, then "Your value
  ... Standard range ..." on the next (the large US portals);
- a portal's result page read in a phone's browser or app: cards, the value large on its own
  line, the range under it, a "Low"/"High" badge (a phone screenshot);
- a hospital printout from a laboratory system: fixed-width type, no table lines, one test a
  line, the flag beside the result;
- a two-column page of small serif print with ruled cells (a clinic's summary page);
- a UK (NHS) full blood count: "White cell count ... 10*9/L", counts not percentages;
- an Indian laboratory's report: "Total W.B.C. Count ... cells/cumm", a method line under the
  test's name, the differential in percent;
- a German "Befund": "Leukozyten ... G/l", decimal commas, "+"/"-" after the range.

Each report is drawn in one of several type styles (sans, serif, mono, condensed; 10 to 15
CSS pixels; tight to loose line spacing), chosen by the case's random numbers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageFilter

Value = tuple[str, float]
Made = tuple[str, list[Value]]


@dataclass(frozen=True)
class Style:
    """The type a report is printed in."""

    family: str
    size: int  # CSS pixels (the screenshot is taken at 1.5x)
    line_height: float

    def css(self) -> str:
        return (
            f"font-family: '{self.family}'; font-size: {self.size}px; "
            f"line-height: {self.line_height};"
        )


SANS, SERIF, MONO, CONDENSED = (
    "DejaVu Sans",
    "DejaVu Serif",
    "DejaVu Sans Mono",
    ("DejaVu Sans Condensed"),
)


def _style(rng: random.Random, families: tuple[str, ...], sizes: tuple[int, ...]) -> Style:
    return Style(rng.choice(families), rng.choice(sizes), rng.choice((1.15, 1.35, 1.6)))


def _html(style: Style, body: str, extra_css: str = "", width: int = 820) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"body {{ {style.css()} margin: 30px; color: #111; background: #fff; width: {width}px; }}"
        "h1 { font-size: 1.35em; margin: 0 0 4px; } .sub { color: #444; margin-bottom: 12px; }"
        f"{extra_css}</style></head><body>{body}</body></html>"
    )


def _flag(value: float, low: float, high: float, low_flag: str = "L", high_flag: str = "H") -> str:
    return low_flag if value < low else high_flag if value > high else ""


def _de(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


PATIENT = "Patient: Sample, Test &nbsp; DOB: 01/01/1980 &nbsp; Collected: 03/14/2025 08:10"


def portal_blocks(rng: random.Random) -> Made:
    """Make a portal's result page: each component a block of two lines.

    Its name on one line and "Your value ... Standard range ..." on the next, a "Low"/"High" tag
    beside an abnormal value.
    """
    style = _style(rng, (SANS, SERIF, CONDENSED), (13, 14, 15))
    wbc = rng.choice([2.6, 3.2, 5.9, 11.8, 16.4])
    neut = rng.choice([36, 55, 71, 83])
    anc = round(wbc * neut / 100, 1)
    unit = rng.choice(["x10E3/uL", "x10^3/uL", "K/uL", "Thousand/uL"])
    tests = [
        ("White Blood Cell Count", f"{wbc:.1f}", unit, "4.0 - 10.5", _flag(wbc, 4.0, 10.5)),
        (
            "Red Blood Cell Count",
            "4.48",
            unit.replace("3", "6").replace("K", "M"),
            "3.77 - 5.28",
            "",
        ),
        ("Hemoglobin", "13.6", "g/dL", "11.1 - 15.9", ""),
        ("Platelets", "262", unit, "150 - 450", ""),
        ("Neutrophils", f"{neut}", "%", "40 - 74", _flag(neut, 40, 74)),
        ("Lymphs", "28", "%", "14 - 46", ""),
        ("Neutrophils (Absolute)", f"{anc:.1f}", unit, "1.4 - 7.0", _flag(anc, 1.4, 7.0)),
    ]
    words = {"L": "Low", "H": "High", "": ""}
    blocks = "".join(
        f"<div class='test'><div class='name'>{name}</div><div class='line'>"
        f"<span class='label'>Your value:</span> <b>{value} {units}</b>"
        f"{f' <span class=tag>{words[flag]}</span>' if flag else ''}"
        f"<span class='gap'></span><span class='label'>Standard range:</span> "
        f"{bounds} {units}</div></div>"
        for name, value, units, bounds, flag in tests
    )
    css = (
        ".test { padding: 8px 0; border-bottom: 1px solid #ddd; } .name { font-weight: bold; }"
        ".label { color: #555; } .gap { display: inline-block; width: 60px; }"
        ".tag { color: #b00; font-weight: bold; }"
    )
    body = f"<h1>CBC With Differential/Platelet</h1><div class='sub'>{PATIENT}</div>{blocks}"
    return _html(style, body, css), [
        ("wbc", wbc * 1000),
        ("neutrophils", neut),
        ("anc", anc * 1000),
    ]


def portal_phone(rng: random.Random) -> Made:
    """Make a result page in a phone's portal app: a card per test.

    The value large on its own line under the name, the range on the line under it, a badge for an
    abnormal value.
    """
    style = _style(rng, (SANS, CONDENSED), (14, 15))
    wbc = rng.choice([2.2, 3.4, 7.1, 13.2])
    anc = rng.choice([0.6, 1.3, 4.4, 9.6])
    tests = [
        ("WBC", wbc, "x10E3/uL", (4.0, 10.5)),
        ("Hemoglobin", 13.9, "g/dL", (12.0, 16.0)),
        ("Absolute Neutrophils", anc, "x10E3/uL", (1.8, 7.7)),
        ("Platelet Count", 231, "x10E3/uL", (150, 400)),
    ]
    words = {"L": "Low", "H": "High"}
    cards = "".join(
        f"<div class='card'><div class='name'>{name}</div>"
        f"<div class='value'>{value:g} <span class='unit'>{unit}</span>"
        + (
            f" <span class='badge'>{words[flag]}</span>"
            if (flag := _flag(float(value), low, high))
            else ""
        )
        + f"</div><div class='range'>Standard range: {low:g} - {high:g} {unit}</div></div>"
        for name, value, unit, (low, high) in tests
    )
    css = (
        "body { margin: 0; padding: 12px; background: #f2f3f7; }"
        ".bar { background: #0b5394; color: #fff; padding: 10px; font-weight: bold; }"
        ".card { background: #fff; border-radius: 10px; margin: 10px 0; padding: 10px 14px; }"
        ".name { font-weight: bold; color: #333; } .value { font-size: 1.5em; }"
        ".unit { font-size: 0.6em; color: #555; } .range { color: #555; font-size: 0.9em; }"
        ".badge { font-size: 0.55em; background: #fde2e1; color: #a00; padding: 2px 8px;"
        " border-radius: 8px; vertical-align: middle; }"
    )
    body = (
        f"<div class='bar'>Test Results: CBC</div><div class='sub'>Resulted 03/14/2025</div>{cards}"
    )
    return _html(style, body, css, width=366), [("wbc", wbc * 1000), ("anc", anc * 1000)]


def hospital_printout(rng: random.Random) -> Made:
    """Make a laboratory system's printout: fixed-width type, no table lines.

    The flag beside the result, units and range in columns made of spaces.
    """
    style = _style(rng, (MONO,), (12, 13, 14))
    wbc = rng.choice([2.8, 3.6, 9.1, 14.7, 22.3])
    neut = rng.choice([31, 58, 86])
    bands = rng.choice([1, 4, 12])
    anc = round(wbc * (neut + bands) / 100, 2)
    rows = [
        ("WBC", f"{wbc:.1f}", _flag(wbc, 4.5, 11.0), "K/uL", "4.5-11.0"),
        ("RBC", "4.51", "", "M/uL", "4.20-5.40"),
        ("HGB", "13.2", "", "g/dL", "12.0-16.0"),
        ("PLT", "244", "", "K/uL", "150-400"),
        ("SEGS", f"{neut}", _flag(neut, 40, 70), "%", "40-70"),
        ("BANDS", f"{bands}", _flag(bands, 0, 10), "%", "0-10"),
        ("LYMPHS", "27", "", "%", "20-40"),
        ("ABS NEUTROPHIL", f"{anc:.2f}", _flag(anc, 1.8, 7.7), "K/uL", "1.8-7.7"),
    ]
    lines = [
        "GENERAL HOSPITAL LABORATORY            PATIENT: SAMPLE, TEST",
        "MRN: 0000000   COLL: 03/14/25 0810     ACC: H25-0314-0000",
        "",
        "TEST              RESULT  FLAG  UNITS    REFERENCE",
        "-" * 56,
    ]
    lines += [f"{n:<18}{v:>6}  {f:<4}  {u:<8} {r}" for n, v, f, u, r in rows]
    body = "<pre>" + "\n".join(lines) + "</pre>"
    css = f"pre {{ font: inherit; line-height: {style.line_height}; }}"
    expected = [("wbc", wbc * 1000), ("neutrophils", neut), ("bands", bands), ("anc", anc * 1000)]
    return _html(style, body, css), expected


def small_serif_two_column(rng: random.Random) -> Made:
    """A clinic's summary page: two ruled tables side by side in small serif print."""
    style = Style(SERIF, rng.choice((10, 11)), rng.choice((1.15, 1.35)))
    wbc = rng.choice([2.9, 3.3, 7.3, 13.8])
    neut = rng.choice([38, 58, 79])

    def table(rows: list[list[str]]) -> str:
        head = "<tr><th>Test</th><th>Result</th><th>Units</th><th>Range</th></tr>"
        return (
            "<table>"
            + head
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
            + "</table>"
        )

    flag = _flag(wbc, 4.0, 10.5)
    left = table(
        [
            ["WBC", f"{wbc:.1f} {flag}".strip(), "x10^3/uL", "4.0-10.5"],
            ["Neutrophils", f"{neut} {_flag(neut, 40, 75)}".strip(), "%", "40-75"],
            ["Lymphocytes", "30", "%", "20-45"],
            ["Hemoglobin", "14.2", "g/dL", "13.5-17.5"],
            ["Platelets", "251", "x10^3/uL", "150-400"],
        ]
    )
    right = table(
        [
            ["Sodium", "139", "mmol/L", "135-145"],
            ["Potassium", "4.1", "mmol/L", "3.5-5.1"],
            ["Creatinine", "0.9", "mg/dL", "0.6-1.2"],
            ["Glucose", "92", "mg/dL", "70-99"],
            ["ALT", "22", "U/L", "7-56"],
        ]
    )
    css = (
        "table { border-collapse: collapse; width: 100%; }"
        "td, th { border: 1px solid #777; padding: 2px 5px; text-align: left;"
        " white-space: nowrap; }"
        ".cols { display: flex; gap: 18px; } .cols > div { flex: 1; }"
    )
    body = (
        f"<h1>Laboratory Summary</h1><div class='sub'>{PATIENT}</div>"
        f"<div class='cols'><div>{left}</div><div>{right}</div></div>"
    )
    return _html(style, body, css, width=640), [("wbc", wbc * 1000), ("neutrophils", neut)]


def nhs_report(rng: random.Random) -> Made:
    """Make a UK full blood count: counts in 10*9/L or x10^9/L, no percentages.

    The flag after the range, no table lines.
    """
    style = _style(rng, (SERIF, SANS), (12, 13, 14))
    wbc = rng.choice([2.7, 3.9, 6.2, 12.9, 19.4])
    neut = rng.choice([0.74, 1.31, 3.55, 8.62])
    unit = rng.choice(["10*9/L", "x10^9/L", "x 10^9/L"])
    rows = [
        ("Haemoglobin", "128", "g/L", "(115 - 165)", ""),
        ("White cell count", f"{wbc:.1f}", unit, "(4.0 - 11.0)", _flag(wbc, 4.0, 11.0)),
        ("Platelet count", "301", unit, "(150 - 450)", ""),
        ("Neutrophil count", f"{neut:.2f}", unit, "(2.0 - 7.5)", _flag(neut, 2.0, 7.5)),
        ("Lymphocyte count", "1.9", unit, "(1.0 - 4.0)", ""),
        ("Monocyte count", "0.5", unit, "(0.2 - 1.0)", ""),
    ]
    body = (
        "<table>"
        + "".join(
            f"<tr><td>{n}</td><td class='r'>{v}</td><td>{u}</td><td>{r}</td><td>{f}</td></tr>"
            for n, v, u, r, f in rows
        )
        + "</table>"
    )
    css = "td { padding: 2px 14px 2px 0; } .r { text-align: right; }"
    head = (
        "<h1>Full blood count</h1><div class='sub'>NHS number: 000 000 0000 &nbsp; Sample: "
        "Blood (EDTA) &nbsp; Authorised: 14-Mar-2025</div>"
    )
    return _html(style, head + body, css), [("wbc", wbc * 1000), ("anc", neut * 1000)]


def indian_lab(rng: random.Random) -> Made:
    """Make an Indian laboratory's report: capitals, a method line under each test's name.

    Counts in "cells/cumm", the differential in percent, no vertical lines.
    """
    style = _style(rng, (SANS, SERIF, CONDENSED), (12, 13, 14))
    tlc = rng.choice([2800, 3600, 7400, 12600, 17800])
    neut = rng.choice([38, 56, 72, 86])
    name = rng.choice(["TOTAL WBC COUNT", "Total W.B.C. Count", "Total Leucocyte Count (TLC)"])
    unit = rng.choice(["cells/cumm", "/cumm", "/cu mm"])
    rows = [
        ("HAEMOGLOBIN", "Photometric", "13.1", "g/dl", "13.0 - 17.0"),
        (name, "Electrical Impedance", f"{tlc}", unit, "4000 - 10000"),
        ("NEUTROPHILS", "VCS Technology", f"{neut}", "%", "40 - 80"),
        ("LYMPHOCYTES", "VCS Technology", "30", "%", "20 - 40"),
        ("EOSINOPHILS", "VCS Technology", "02", "%", "01 - 06"),
        ("PLATELET COUNT", "Electrical Impedance", "2.1", "lakhs/cumm", "1.5 - 4.1"),
    ]
    body = (
        "<table><tr><th>TEST</th><th>RESULT</th><th>UNIT</th><th>BIOLOGICAL REF. INTERVAL</th></tr>"
        + "".join(
            f"<tr><td>{n}<div class='m'>Method - {m}</div></td><td><b>{v}</b></td>"
            f"<td>{u}</td><td>{r}</td></tr>"
            for n, m, v, u, r in rows
        )
        + "</table>"
    )
    css = (
        "table { border-collapse: collapse; width: 100%; }"
        "th { border-top: 1px solid #000; border-bottom: 1px solid #000; text-align: left;"
        " padding: 5px 4px; } td { padding: 4px; vertical-align: top; }"
        ".m { font-size: 0.75em; color: #555; font-style: italic; }"
    )
    head = (
        "<h1>LABORATORY INVESTIGATION REPORT</h1><div class='sub'>Name: Mr. Test Sample "
        "&nbsp; Age/Gender: 42 Y / Male &nbsp; Ref. Doctor: Self</div>"
        "<div><b>HAEMATOLOGY - CBP (COMPLETE BLOOD PICTURE)</b></div>"
    )
    return _html(style, head + body, css), [("wbc", tlc), ("neutrophils", neut)]


def german_befund(rng: random.Random) -> Made:
    """A German "Befund": decimal commas, "G/l" or "/nl", "+"/"-" after the range."""
    style = _style(rng, (SANS, MONO, SERIF), (12, 13, 14))
    leuko = rng.choice([2.9, 3.7, 8.2, 12.6, 15.3])
    neut = rng.choice([1.2, 1.6, 4.3, 9.1])
    unit = rng.choice(["G/l", "/nl", "Tsd./µl"])
    rows = [
        ("Leukozyten", _de(leuko), unit, "3,9 - 10,2", _flag(leuko, 3.9, 10.2, "-", "+")),
        ("Erythrozyten", "4,62", "T/l" if unit == "G/l" else "/pl", "4,00 - 5,20", ""),
        ("Hämoglobin", "13,8", "g/dl", "12,0 - 15,4", ""),
        ("Thrombozyten", "254", unit, "150 - 370", ""),
        ("Neutrophile abs.", _de(neut), unit, "1,5 - 7,7", _flag(neut, 1.5, 7.7, "-", "+")),
    ]
    body = (
        "<table><tr><th>Untersuchung</th><th>Ergebnis</th><th>Einheit</th>"
        "<th>Referenzbereich</th><th></th></tr>"
        + "".join(
            f"<tr><td>{n}</td><td class='r'>{v}</td><td>{u}</td><td>{r}</td><td>{f}</td></tr>"
            for n, v, u, r, f in rows
        )
        + "</table>"
    )
    css = (
        "table { border-collapse: collapse; } th { text-align: left; border-bottom: 1px solid #000;"
        " padding: 3px 14px 3px 0; } td { padding: 3px 14px 3px 0; } .r { text-align: right; }"
    )
    head = (
        "<h1>Laborbefund - Blutbild</h1><div class='sub'>Patient: Muster, Test &nbsp; "
        "Geb.: 01.01.1980 &nbsp; Eingang: 14.03.2025</div>"
    )
    return _html(style, head + body, css), [("wbc", leuko * 1000), ("anc", neut * 1000)]


REAL_LAYOUTS: dict[str, Callable[[random.Random], Made]] = {
    "portal-blocks": portal_blocks,
    "portal-phone": portal_phone,
    "printout": hospital_printout,
    "small-serif-2col": small_serif_two_column,
    "nhs": nhs_report,
    "indian-lab": indian_lab,
    "german-befund": german_befund,
}
# Versions of each real-world layout: clean, a phone photo, at an angle, JPEG 40 and a photo
# of a computer screen; a phone screenshot is only ever sent as it is or recompressed.
REAL_DEGRADATIONS = ("", "phone", "perspective", "jpeg40", "screen")
PHONE_DEGRADATIONS = ("", "jpeg40")
PHONE_LAYOUTS = frozenset({"portal-phone"})


def screen_photo(image: Image.Image, rng: random.Random) -> Image.Image:
    """Make a phone's photo of a report shown on a computer screen.

    The screen's dark frame around it, a slight angle, the moiré of the screen's pixel grid against
    the camera's, light falling off towards the corners, a blue cast and a little blur.
    """
    import numpy

    from tests.reports.synthetic import _perspective

    # a phone's camera has more pixels than the screen shows: the text keeps its detail
    image = image.resize((image.width * 8 // 5, image.height * 8 // 5), Image.Resampling.BICUBIC)
    width, height = image.size
    frame = round(0.04 * width)
    screen = Image.new("RGB", (width + 2 * frame, height + 2 * frame), (22, 22, 26))
    screen.paste(image, (frame, frame))
    pixels = numpy.asarray(screen, dtype=numpy.float32)
    ys, xs = numpy.mgrid[0 : pixels.shape[0], 0 : pixels.shape[1]].astype(numpy.float32)
    angle = rng.uniform(0.2, 0.6)
    period = rng.uniform(7.0, 11.0)
    moire = 1.0 - 0.07 * (
        1 + numpy.sin(2 * numpy.pi * (xs * numpy.cos(angle) + ys * numpy.sin(angle)) / period)
    )
    grid = 1.0 - 0.05 * ((xs.astype(numpy.int32) % 3) == 0)
    cx, cy = pixels.shape[1] / 2, pixels.shape[0] / 2
    falloff = 1.0 - 0.22 * (((xs - cx) / cx) ** 2 + ((ys - cy) / cy) ** 2) / 2
    shaded = pixels * (moire * grid * falloff)[..., None] * numpy.array([0.93, 0.97, 1.0])
    photo = Image.fromarray(numpy.clip(shaded, 0, 255).astype(numpy.uint8))
    photo = _perspective(photo, rng, shift=(0.02, 0.04), desk=(48, 46, 44))
    return photo.filter(ImageFilter.GaussianBlur(0.9))
