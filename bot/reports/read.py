"""Reading one lab report file: its white-cell lines as printed, with how sure the OCR was."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.errors import WbcBotError
from bot.model import LabFlag, LabValue
from bot.parse import parse_text
from bot.reports import images, ocr, pdf
from bot.reports.files import Kind, Problem, ReportLimits, is_heic, kind_of
from bot.reports.lines import is_white_cell_line, split_row, tidy

logger = logging.getLogger(__name__)

# A line whose least certain word Tesseract gives less than this (0-100) is shown, marked
# unclear, and not judged: a wrong number is worse than none (docs/reports.md has the figures).
MIN_CONFIDENCE = 70.0
MAX_LINES = 20
UNIT_WORD = re.compile(
    r"(?i)[/^]|^[x×*]10|^10[*^]"
)  # white-cell lines kept from one report (a cumulative report repeats them)


@dataclass(frozen=True)
class ReportLine:
    """A white-cell line as read; `confidence` is None when it came from a PDF's text."""

    text: str
    confidence: float | None = None
    # The reader took a number from it that is not the line's result (the first number after
    # the test's name), or its result disagrees with its own range and flag: a sign that a
    # unit, a sign or a decimal point was misread. Shown, not judged.
    doubtful: bool = False
    # Read below MIN_CONFIDENCE, but a second, separate reading of the line (its crop, larger,
    # as one line of text) gave the same name and the same numbers (`_second_look`).
    confirmed: bool = False

    @property
    def clear(self) -> bool:
        sure = self.confidence is None or self.confidence >= MIN_CONFIDENCE or self.confirmed
        return sure and not self.doubtful


@dataclass(frozen=True)
class ReportReading:
    """What was read from one file, or why nothing was."""

    lines: tuple[ReportLine, ...] = ()
    problem: Problem | None = None
    pages_read: int = 0
    pages_in_file: int = 0
    ocr_used: bool = False
    seconds: float = 0.0

    @property
    def clear_lines(self) -> tuple[ReportLine, ...]:
        return tuple(line for line in self.lines if line.clear)


def read_report(data: bytes, limits: ReportLimits | None = None) -> ReportReading:
    """The white-cell lines of a report photo or PDF; never raises. Blocking (OCR takes a
    second or more a page): call it in a worker thread."""
    limits = limits or ReportLimits()
    started = time.monotonic()
    try:
        reading = _read(data, limits)
    except ocr.OcrTimeout:
        reading = ReportReading(problem=Problem.TOO_SLOW, ocr_used=True)
    except ocr.OcrFailed as error:
        logger.error("Report OCR failed: %s", error)
        problem = Problem.BROKEN if ocr.available() else Problem.READER_MISSING
        reading = ReportReading(problem=problem, ocr_used=True)
    except images.ImageTooLarge:
        reading = ReportReading(problem=Problem.TOO_MANY_PIXELS)
    except images.NotAnImage:
        reading = ReportReading(problem=Problem.BROKEN)
    except pdf.Encrypted:
        reading = ReportReading(problem=Problem.ENCRYPTED)
    except pdf.Broken:
        reading = ReportReading(problem=Problem.BROKEN)
    except Exception as error:  # noqa: BLE001 - a file must never crash a turn
        logger.error("Report not read: %s", type(error).__name__)
        reading = ReportReading(problem=Problem.BROKEN)
    seconds = time.monotonic() - started
    return ReportReading(
        reading.lines,
        reading.problem,
        reading.pages_read,
        reading.pages_in_file,
        reading.ocr_used,
        seconds,
    )


def _read(data: bytes, limits: ReportLimits) -> ReportReading:
    if len(data) > limits.max_bytes:
        return ReportReading(problem=Problem.TOO_BIG)
    kind = kind_of(data)
    if kind is None:
        return ReportReading(problem=Problem.HEIC if is_heic(data) else Problem.WRONG_TYPE)
    if kind is Kind.PDF:
        return _read_pdf(data, limits)
    image = images.open_image(data, limits.max_pixels)
    lines = _ocr_lines(image, limits)
    return _finish(lines, pages_read=1, pages_in_file=1, ocr_used=True)


def _read_pdf(data: bytes, limits: ReportLimits) -> ReportReading:
    reader = pdf.open_pdf(data)
    pages = len(reader.pages)
    if pages == 0:
        return ReportReading(problem=Problem.BROKEN)
    lines: list[ReportLine] = []
    ocr_used = False
    for index in range(min(pages, limits.max_pages)):
        rows = pdf.page_rows(reader, index)
        if rows is not None:
            lines.extend(_text_lines(rows))
            continue
        ocr_used = True
        dpi = pdf.page_dpi(reader, index, limits.max_pixels)
        png = ocr.render_pdf_page(data, index + 1, dpi, limits.ocr_seconds)
        lines.extend(_ocr_lines(images.open_image(png, limits.max_pixels), limits))
    return _finish(lines, min(pages, limits.max_pages), pages, ocr_used)


def _text_lines(rows: Sequence[Sequence[str]]) -> list[ReportLine]:
    found = []
    for cells in rows:
        for group in split_row(cells):
            text = tidy(" ".join(cells[i] for i in group))
            if is_white_cell_line(text):
                found.append(ReportLine(text))
    return found


def _ocr_lines(image: images.Image.Image, limits: ReportLimits) -> list[ReportLine]:
    page = images.prepare(image)
    found = []
    second_looks = 0
    for line in ocr.recognise(images.png_bytes(page), limits.ocr_seconds):
        cells = [" ".join(word.text for word in cell) for cell in line.cells]
        for group in split_row(cells):
            words = [word for i in group for word in line.cells[i]]
            text = tidy(" ".join(word.text for word in words))
            if not is_white_cell_line(text):
                continue
            reading = ReportLine(text, _confidence(words))
            if not reading.clear and second_looks < MAX_SECOND_LOOKS:
                second_looks += 1
                reading = _second_look(page, words, reading, limits)
            found.append(reading)
    return found


# A line read below MIN_CONFIDENCE gets a second look: its crop, scaled up, read as one line
# (Tesseract's page segmentation 7), a reading of other pixels with another layout analysis.
# It is trusted when both readings give the same test name and the same numbers, neither
# below SECOND_LOOK_FLOOR: two readings agreeing is evidence a single low score is not.
MAX_SECOND_LOOKS = 4  # a page (each look costs a Tesseract start, about 0.1 s of CPU)
SECOND_LOOK_SCALE = 1.5
SECOND_LOOK_FLOOR = 50.0


def _second_look(
    page: images.Image.Image, words: Sequence[ocr.Word], first: ReportLine, limits: ReportLimits
) -> ReportLine:
    """`first` confirmed by a second reading of its crop, or `first` unchanged."""
    if first.confidence is None:
        return first
    height = max(word.height for word in words)
    box = (
        max(0, min(word.left for word in words) - height),
        max(0, min(word.top for word in words) - height // 4),
        min(page.width, max(word.left + word.width for word in words) + height),
        min(page.height, max(word.top + word.height for word in words) + height // 4),
    )
    crop = page.crop(box)
    size = (round(crop.width * SECOND_LOOK_SCALE), round(crop.height * SECOND_LOOK_SCALE))
    crop = crop.resize(size, images.Image.Resampling.BICUBIC)
    lines = ocr.recognise(images.png_bytes(crop), limits.ocr_seconds, ocr.ONE_LINE)
    again = [word for line in lines for word in line.words]
    if not again:
        return first
    second = ReportLine(tidy(" ".join(word.text for word in again)), _confidence(again))
    if readings_agree(first, second):
        return replace(first, confirmed=True)
    return first


def readings_agree(first: ReportLine, second: ReportLine) -> bool:
    """Two readings of one line give the same test name (the words before the first number,
    letters only), the same numbers (units left out), and the same values for the reader; the
    second reading at least SECOND_LOOK_FLOOR sure."""
    if second.confidence is None or second.confidence < SECOND_LOOK_FLOOR:
        return False
    for part in (_name, _numbers, _taken):  # cheapest first: each reading parsed only if needed
        mine = part(first.text)
        if not mine or mine != part(second.text):
            return False
    return True


def _name(text: str) -> str:
    head = re.split(r"\d", text, maxsplit=1)[0]
    return "".join(ch for ch in head.lower() if ch.isalpha())


def _numbers(text: str) -> list[str]:
    return [
        number
        for word in text.split()
        if _holds_a_number(word)
        for number in re.findall(r"\d+(?:[.,]\d+)?", word)
    ]


def _taken(text: str) -> list[tuple[str, float | None]]:
    try:
        parsed = parse_text(text)
    except WbcBotError:
        return []
    taken: list[tuple[str, float | None]] = [
        (value.analyte.value, value.cells_per_ul) for value in parsed.values
    ]
    taken += [(share.kind, share.percent) for share in parsed.neutrophil_shares]
    return taken


def _confidence(words: Sequence[ocr.Word]) -> float:
    """How sure the OCR is of what gets judged: the least confidence among the test's name
    (the first word) and the words holding numbers (the value, the range). A unit such as
    "x10^3/uL" is left out: Tesseract is never sure of its signs, and the reader checks units
    by their own rules, as for typed text."""
    scores = [words[0].confidence] if words else []
    scores += [word.confidence for word in words[1:] if _holds_a_number(word.text)]
    return round(min(scores), 1) if scores else 0.0


def _holds_a_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and not UNIT_WORD.search(text)


# The result on a report line: the first number standing on its own, not part of a unit
# ("x10^3", "10*9"), of a name ("CD4") or of a range in brackets.
RESULT_NUMBER = re.compile(r"(?<![\w^*/.,(\[-])[-−]?\d+(?:[.,]\d+)?(?![\w^*/]|[.,]\d)")


def _check(line: ReportLine) -> ReportLine:
    """The line, marked doubtful when the reader takes a number from it other than its
    result: on a report line the result comes first, so anything else is a misreading."""
    result = RESULT_NUMBER.search(line.text)
    try:
        parsed = parse_text(line.text)
    except WbcBotError:
        return replace(line, doubtful=True)
    starts = [value.start for value in parsed.values]
    starts += [share.start for share in parsed.neutrophil_shares]
    if starts and (result is None or any(start != result.start() for start in starts)):
        return replace(line, doubtful=True)
    if any(against_its_range(value, line.text) for value in parsed.values):
        return replace(line, doubtful=True)
    return line


# A result more than this many times the top of its own printed range is taken for a misread
# (a lost decimal point: "3.2" read "32" or "322"), not judged: the person is asked to check.
RANGE_FACTOR = 10.0
# German reports flag with a sign after the range: "Leukozyten 11,4 /nl 4,0 - 10,0 +".
SIGN_FLAG = re.compile(r"\d\s*[-–]?\s*\d[\d.,]*\s+([+-])$")


def against_its_range(value: LabValue, text: str) -> bool:
    """The value read contradicts its own line: far above its printed range, or on the other
    side of the range than its flag (H/L, or a German +/-) says."""
    number, bounds = value.cells_per_ul, value.lab_range
    if number is None or bounds is None:
        return False
    if bounds.high > 0 and number > RANGE_FACTOR * bounds.high:
        return True
    flag = value.lab_flag
    sign = SIGN_FLAG.search(text.strip())
    low = flag is LabFlag.LOW or (sign is not None and sign.group(1) == "-")
    high = flag is LabFlag.HIGH or (sign is not None and sign.group(1) == "+")
    return (low and number > bounds.low) or (high and number < bounds.high)


def _finish(
    lines: Sequence[ReportLine], pages_read: int, pages_in_file: int, ocr_used: bool
) -> ReportReading:
    kept = [_check(line) for line in _unique(lines)[:MAX_LINES]]
    problem = None
    if not kept:
        problem = Problem.NOTHING_FOUND
    elif not any(line.clear for line in kept):
        problem = Problem.ALL_UNCLEAR
    return ReportReading(tuple(kept), problem, pages_read, pages_in_file, ocr_used)


def _unique(lines: Sequence[ReportLine]) -> list[ReportLine]:
    seen: set[str] = set()
    kept = []
    for line in lines:
        if line.text not in seen:
            seen.add(line.text)
            kept.append(line)
    return kept
