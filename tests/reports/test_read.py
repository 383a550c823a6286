"""Reading a report file: kinds by content, limits, bad files, and the OCR path on a drawn page.

These need Debian's tesseract-ocr, tesseract-ocr-eng and poppler-utils (scripts/provision.sh
installs them for `make test`). The generated set of rendered reports is in test_synthetic.py.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfWriter

from bot.reports import (
    READ_INTRO,
    Kind,
    Problem,
    ReportLimits,
    ReportLine,
    ReportReading,
    images,
    judged_text,
    kind_of,
    read_report,
    shown_text,
)
from bot.reports.lines import is_white_cell_line, split_row, tidy
from bot.reports.ocr import parse_tsv
from bot.reports.read import SECOND_LOOK_FLOOR, _check, readings_agree
from tests.reports.synthetic import _perspective, values_read

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
REPORT_LINES = [
    "COMPLETE BLOOD COUNT",
    "WBC 3.2 x10^3/uL (4.0-10.5) L",
    "RBC 4.62 x10^6/uL (4.20-5.40)",
    "Neutrophils 34 % (40-75) L",
    "Neutrophils, Absolute 1.1 x10^3/uL (1.8-7.7) L",
]


def drawn_page(lines: list[str] = REPORT_LINES, angle: float = 0.0, fmt: str = "PNG") -> bytes:
    """A report page drawn with Pillow (the rendered set is in test_synthetic.py)."""
    font = ImageFont.truetype(FONT, 26)
    image = Image.new("RGB", (1100, 90 + 50 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((40, 40 + 50 * number), line, font=font, fill="black")
    if angle:
        image = image.rotate(angle, expand=True, fillcolor="white")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("start", "kind"),
    [
        (b"%PDF-1.7\n", Kind.PDF),
        (b"\x89PNG\r\n\x1a\n", Kind.PNG),
        (b"\xff\xd8\xff\xe0", Kind.JPEG),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", Kind.WEBP),
        (b"GIF89a", Kind.GIF),
        (b"PK\x03\x04", None),  # a .docx or .zip
        (b"hello, this is text", None),
    ],
)
def test_kind_is_judged_by_content(start: bytes, kind: Kind | None) -> None:
    assert kind_of(start + b"\x00" * 32) == kind


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"PK\x03\x04" + b"\x00" * 100, Problem.WRONG_TYPE),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, Problem.HEIC),
        (b"%PDF-1.4\n garbage, not a PDF at all", Problem.BROKEN),
        (b"\x89PNG\r\n\x1a\n truncated", Problem.BROKEN),
        (b"\xff\xd8\xff" + b"\x00" * 20, Problem.BROKEN),
    ],
)
def test_bad_files_get_a_problem_not_an_error(data: bytes, problem: Problem) -> None:
    reading = read_report(data)
    assert reading.problem is problem and not reading.lines
    assert shown_text(reading) == problem.text
    assert judged_text(reading) == ""


def test_too_big_is_refused_before_reading() -> None:
    reading = read_report(drawn_page(), ReportLimits(max_bytes=1000))
    assert reading.problem is Problem.TOO_BIG


def test_too_many_pixels_is_refused_before_decoding() -> None:
    """A small file that decodes to a huge image (a decompression bomb) is never decoded."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(out, format="PNG")
    assert len(out.getvalue()) < 100_000
    assert read_report(out.getvalue()).problem is Problem.TOO_MANY_PIXELS


def test_encrypted_pdf_is_refused_and_an_owner_password_only_is_not() -> None:
    locked, open_one = PdfWriter(), PdfWriter()
    for writer in (locked, open_one):
        writer.add_blank_page(612, 792)
    locked.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    open_one.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    assert read_report(_pdf_bytes(locked)).problem is Problem.ENCRYPTED
    assert read_report(_pdf_bytes(open_one)).problem is Problem.NOTHING_FOUND  # opened, empty


def _pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_page_without_white_cell_lines_says_so() -> None:
    reading = read_report(drawn_page(["Sodium 139 mmol/L", "Glucose 92 mg/dL"]))
    assert reading.problem is Problem.NOTHING_FOUND
    assert "type the white-cell line" in shown_text(reading)


@pytest.mark.slow
@pytest.mark.parametrize(("angle", "fmt"), [(0.0, "PNG"), (4.0, "JPEG")])
def test_photo_lines_are_read_and_judged_as_typed(angle: float, fmt: str) -> None:
    """Photo lines are read and judged as typed.

    The white-cell lines of a drawn page (not RBC), read with their confidence; what the reader then
    takes from them is exactly the printed values.
    """
    reading = read_report(drawn_page(angle=angle, fmt=fmt))
    assert reading.problem is None and reading.ocr_used
    texts = [line.text for line in reading.lines]
    assert texts[0] == "WBC 3.2 x10^3/uL (4.0-10.5) L"
    assert not any("RBC" in text for text in texts)
    assert all(line.confidence is not None for line in reading.lines)
    assert sorted(values_read(judged_text(reading))) == [
        ("anc", 1100.0),
        ("neutrophils", 34.0),
        ("wbc", 3200.0),
    ]


@pytest.mark.slow
def test_scanned_pdf_pages_are_read_up_to_the_limit() -> None:
    pages = [Image.open(io.BytesIO(drawn_page())).convert("RGB") for _ in range(3)]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=120)
    reading = read_report(out.getvalue(), ReportLimits(max_pages=2))
    assert (reading.pages_read, reading.pages_in_file) == (2, 3)
    assert "WBC 3.2 x10^3/uL (4.0-10.5) L" in [line.text for line in reading.lines]
    assert "only the first 2 of its 3 pages" in shown_text(reading)


def test_ocr_time_limit_gives_a_reply() -> None:
    reading = read_report(drawn_page(), ReportLimits(ocr_seconds=0.01))
    assert reading.problem is Problem.TOO_SLOW


def test_unclear_lines_are_shown_marked_and_not_judged() -> None:
    reading = ReportReading(
        (ReportLine("WBC 3.2 x10^3/uL (4.0-10.5) L", 91.0), ReportLine("Neutrophils 3? %", 41.0))
    )
    shown = shown_text(reading)
    assert shown.startswith(READ_INTRO)
    assert "• WBC 3.2 x10^3/uL (4.0-10.5) L\n" in shown
    assert "• Neutrophils 3? % (not clear enough: not judged" in shown
    assert judged_text(reading) == "WBC 3.2 x10^3/uL (4.0-10.5) L"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("WBC 3.2 x10^3/uL (4.0-10.5) L", True),
        ("Total W.B.C. Count 3200 /cumm 4000 - 11000", True),
        ("Leukozyten 3,2 /nl 4,0 - 10,0", True),
        ("Lymphocytes 52 % 20-45 H", True),
        ("Bands 2 % 0-5", True),
        ("Absolute Neutrophil Count 1440 /cumm", True),
        ("WBC 0-5 /hpf", False),  # urine microscopy
        ("RBC 4.62 x10^6/uL", False),
        ("Differential Leucocyte Count", False),  # a heading: no number
    ],
)
def test_white_cell_lines(line: str, kept: bool) -> None:
    assert is_white_cell_line(line) is kept


@pytest.mark.parametrize(
    ("read", "tidied"),
    [
        ("WBC 3.2 x10%3/uL", "WBC 3.2 x10^3/uL"),
        ("WBC 3.2 x10*3/uL", "WBC 3.2 x10^3/uL"),
        ("WBC  3.2  x103/uL", "WBC 3.2 x10^3/uL"),
        ("White cell count 5.4 x10*9/L", "White cell count 5.4 x10^9/L"),
        ("WBC 3.2 K/pL | 4.0-10.5L", "WBC 3.2 K/uL 4.0-10.5 L"),
        ("WBC 6.8 x1073/uL 4.0-10.5", "WBC 6.8 x10^3/uL 4.0-10.5"),
        ("WBC 6.8 x10%*3/uL", "WBC 6.8 x10^3/uL"),
        ("Leukocytes 5.4 10*9/L", "Leukocytes 5.4 10^9/L"),
        ("Total WBC Count 1073/cumm", "Total WBC Count 1073/cumm"),  # a count, not a unit
        ("Total WBC Count 1093 /cumm", "Total WBC Count 1093 /cumm"),
        ("Neutrophils 34 % 40-75", "Neutrophils 34 % 40-75"),
    ],
)
def test_tidy_undoes_ocr_slips_in_units_only(read: str, tidied: str) -> None:
    assert tidy(read) == tidied


def test_a_two_column_row_is_split_before_the_next_test() -> None:
    cells = ["WBC", "3.2 K/uL", "L", "4.0-10.5", "Sodium", "139 mmol/L", "135-145"]
    assert split_row(cells) == [[0, 1, 2, 3], [4, 5, 6]]
    assert split_row(["WBC", "3.2", "x10^3/uL", "H", "4.0-10.5"]) == [[0, 1, 2, 3, 4]]


def test_tsv_words_become_lines_with_cells() -> None:
    header = "\t".join(
        [
            "level",
            "page_num",
            "block_num",
            "par_num",
            "line_num",
            "word_num",
            "left",
            "top",
            "width",
            "height",
            "conf",
            "text",
        ]
    )
    rows = [
        "5\t1\t1\t1\t1\t1\t10\t5\t60\t20\t95.1\tWBC",
        "5\t1\t1\t1\t1\t2\t80\t5\t40\t20\t91.0\t3.2",
        "5\t1\t1\t1\t1\t3\t400\t5\t50\t20\t88.0\tSodium",
        "5\t1\t1\t1\t2\t1\t10\t40\t60\t20\t-1\t ",
    ]
    [line] = parse_tsv("\n".join([header, *rows]))
    assert [[word.text for word in cell] for cell in line.cells] == [["WBC", "3.2"], ["Sodium"]]


def test_tsv_words_keep_their_top() -> None:
    header = "level\tblock_num\tpar_num\tline_num\tleft\ttop\twidth\theight\tconf\ttext"
    [line] = parse_tsv(header + "\n5\t1\t1\t1\t10\t37\t60\t20\t95.1\tWBC")
    assert line.words[0].top == 37


# --- A page photographed at an angle ------------------------------------------------------------


def _keystoned(page: bytes) -> Image.Image:
    """The drawn page on a darker desk, seen at an angle (its top edge shorter)."""
    image = Image.open(io.BytesIO(page)).convert("RGB")
    return _perspective(image, random.Random(4)).convert("L")


def test_page_corners_are_found_on_a_desk_and_not_on_a_screenshot() -> None:
    page = drawn_page()
    assert images.page_corners(Image.open(io.BytesIO(page)).convert("L")) is None
    photo = _keystoned(page)
    corners = images.page_corners(photo)
    assert corners is not None
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = corners
    width, _height = photo.size
    assert x0 < x1 and x3 < x2 and y0 < y3 and y1 < y2
    assert 0.05 * width < x0 < 0.3 * width and 0.7 * width < x2 < 0.95 * width


def test_a_page_photographed_at_an_angle_is_read() -> None:
    photo = _keystoned(drawn_page())
    out = io.BytesIO()
    photo.save(out, format="PNG")
    reading = read_report(out.getvalue())
    assert values_read(judged_text(reading)) == [
        ("wbc", 3200.0),
        ("anc", 1100.0),
        ("neutrophils", 34.0),
    ]


def test_perspective_coefficients_take_the_rectangle_to_the_corners() -> None:
    corners = [(10.0, 20.0), (90.0, 5.0), (95.0, 80.0), (3.0, 70.0)]
    square = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]
    a, b, c, d, e, f, g, h = images.perspective_coefficients(square, corners)
    for (x, y), (u, v) in zip(square, corners, strict=True):
        scale = g * x + h * y + 1
        assert (a * x + b * y + c) / scale == pytest.approx(u)
        assert (d * x + e * y + f) / scale == pytest.approx(v)


# --- Never a wrong number: a result against its own line -----------------------------------------


@pytest.mark.parametrize(
    ("text", "doubtful"),
    [
        ("WBC 3.2 L x10^3/uL 4.0-10.5", False),
        ("WBC 322 L x10^3/uL 4.0-10.5", True),  # a lost decimal point: 30 times the range
        ("WBC 32 x10^3/uL 4.0-10.5", False),  # high, possible: judged
        ("WBC 120 x10^3/uL 4.0-10.5", True),  # over 10 times the top: checked by the person
        ("WBC 8.2 L x10^3/uL 4.0-10.5", True),  # flagged low, read in range
        ("WBC 4.0 L x10^3/uL 4.0-10.5", False),  # at the limit (the lab rounded)
        ("WBC 3.9 H x10^3/uL 4.0-10.5", True),
        ("Leukozyten 11,4 /nl 4,0 - 10,0 +", False),
        ("Leukozyten 3,2 /nl 4,0 - 10,0 +", True),  # "+" is high
        ("Neutrophile 11 /nl 1,8 - 7,7 -", True),  # "1,1" read "11": "-" is low
        ("Neutrophile 1,1 /nl 1,8 - 7,7 -", False),
    ],
)
def test_a_result_against_its_own_range_or_flag_is_not_judged(text: str, doubtful: bool) -> None:
    assert _check(ReportLine(text, 95.0)).doubtful is doubtful


# --- A second look at a low-confidence line ------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "agree"),
    [
        (
            "Neutrophils, Absolute 5.2 x10^3/uL 1.8-7.7",
            "Neutrophils, Absolute 5.2 X10^3/uL 1.8-7.7",
            True,
        ),
        ("Neutrophils 38% 40-75", "Neutrophils 38 % 40-75", True),
        ("WBC a2 L x10^3/uL 4.0-10.5", "WBC 3.2 L x10^3/uL 4.0-10.5", False),  # no number first
        ("WBC 3.2 x10^3/uL 4.0-10.5", "WBC 3.7 x10^3/uL 4.0-10.5", False),
        ("WBC 3.2 x10^3/uL 4.0-10.5", "WBC 3.2 x10^3/uL 4.0-10.6", False),  # the range too
        ("Neutrophile 1,1 /nl 1,8 - 7,7", "Neutrophile 11 /nl 1,8 - 7,7", False),
        ("Total W.B.C. Count 3200 /cumm", "Tota! W.B.C. Count 3200 /cumm", False),  # the name
        ("Bands 8 % 0-5", "Lymphs 8 % 0-5", False),
    ],
)
def test_two_readings_agree_only_on_the_same_name_and_numbers(
    first: str, second: str, agree: bool
) -> None:
    assert readings_agree(ReportLine(first, 30.0), ReportLine(second, 85.0)) is agree


def test_an_unsure_second_reading_confirms_nothing() -> None:
    line = "Neutrophils 38 % 40-75"
    assert readings_agree(ReportLine(line, 60.0), ReportLine(line, SECOND_LOOK_FLOOR + 1))
    assert not readings_agree(ReportLine(line, 60.0), ReportLine(line, SECOND_LOOK_FLOOR - 1))


def test_a_confirmed_line_is_clear_unless_doubtful() -> None:
    assert not ReportLine("WBC 3.2", 50.0).clear
    assert ReportLine("WBC 3.2", 50.0, confirmed=True).clear
    assert not ReportLine("WBC 3.2", 50.0, doubtful=True, confirmed=True).clear


def test_a_low_confidence_line_gets_a_second_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """The line's crop is read again as one line; the same reading confirms it."""
    from bot.reports import ocr, read

    calls: list[str] = []
    real = ocr.recognise

    def unsure_first(png: bytes, seconds: float, segmentation: str = "6") -> list[ocr.OcrLine]:
        calls.append(segmentation)
        lines = real(png, seconds, segmentation)
        if segmentation != ocr.ONE_LINE:  # the page: every word read at 55
            lines = [
                ocr.OcrLine(
                    tuple(tuple(replace(w, confidence=55.0) for w in c) for c in line.cells)
                )
                for line in lines
            ]
        return lines

    monkeypatch.setattr(read.ocr, "recognise", unsure_first)
    reading = read_report(drawn_page())
    assert calls.count(ocr.ONE_LINE) == min(read.MAX_SECOND_LOOKS, 3)
    assert all(line.confirmed for line in reading.clear_lines)
    assert values_read(judged_text(reading))
