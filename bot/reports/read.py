"""Reading one lab report file: its white-cell lines as printed, with how sure the OCR was."""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image

from bot.errors import WbcBotError
from bot.model import LabFlag, LabValue, ParsedText
from bot.read.parse import parse_text
from bot.reference import ranges
from bot.reports import images, ocr, pdf
from bot.reports.files import Kind, Problem, ReportLimits, is_heic, kind_of
from bot.reports.lines import blocks, is_white_cell_line, split_row, tidy

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
    # Read below MIN_CONFIDENCE (but at least EVIDENCE_FLOOR), and everything on the line
    # agrees: a test's name the reader knows, a plausible value with its unit, and its own
    # printed range and flag saying the same thing about it (`evidence_agrees`).
    agreeing: bool = False

    @property
    def clear(self) -> bool:
        """Whether the line may be judged: read surely enough and not doubtful.

        Surely enough is at least MIN_CONFIDENCE, from a PDF's text, confirmed by a second look, or
        with agreeing evidence.
        """
        sure = (
            self.confidence is None
            or self.confidence >= MIN_CONFIDENCE
            or self.confirmed
            or self.agreeing
        )
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
        """The lines that are clear enough to be judged; the others are only shown."""
        return tuple(line for line in self.lines if line.clear)


def read_report(data: bytes, limits: ReportLimits | None = None) -> ReportReading:
    """Read the white-cell lines of a report photo or PDF; never raises.

    Blocking (OCR takes a second or more a page): call it in a worker thread.
    """
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
    parts: list[str] = []
    alone: list[bool] = []
    for cells in rows:
        groups = split_row(cells)
        for group in groups:
            parts.append(tidy(" ".join(cells[i] for i in group)))
            alone.append(len(groups) == 1)
    found = []
    for block in blocks(parts, alone):
        text = tidy(" ".join(parts[i] for i in block))
        if is_white_cell_line(text):
            found.append(ReportLine(text))
    return found


def _ocr_lines(image: Image.Image, limits: ReportLimits) -> list[ReportLine]:
    page = images.prepare(image)
    found = _page_lines(page, limits)
    if not found:  # a photo of a screen: its moiré hides the text; read it once more without
        found = _page_lines(images.paper_white(page), limits)
    return found


def _page_lines(page: Image.Image, limits: ReportLimits) -> list[ReportLine]:
    parts: list[list[ocr.Word]] = []
    alone: list[bool] = []
    for line in ocr.recognise(images.png_bytes(page), limits.ocr_seconds):
        cells = [" ".join(word.text for word in cell) for cell in line.cells]
        groups = split_row(cells)
        for group in groups:
            parts.append([word for i in group for word in line.cells[i]])
            alone.append(len(groups) == 1)
    texts = [tidy(" ".join(word.text for word in words)) for words in parts]
    found = []
    second_looks = 0
    for block in blocks(texts, alone, _aligned(parts)):
        words = [word for i in block for word in parts[i]]
        text = tidy(" ".join(texts[i] for i in block))
        if not is_white_cell_line(text):
            continue
        reading = ReportLine(text, _confidence(words))
        # a block spans lines: a second look reads one line only
        if not reading.clear and second_looks < MAX_SECOND_LOOKS and len(block) == 1:
            second_looks += 1
            reading = _second_look(page, words, reading, limits)
        if not reading.clear:
            reading = replace(reading, agreeing=_agreeing(reading, words))
        found.append(reading)
    return found


# A block's lines start at the same place: within this many line heights of each other.
BLOCK_ALIGN_HEIGHTS = 2.0


def _aligned(parts: Sequence[Sequence[ocr.Word]]) -> list[bool]:
    """For each part, whether it starts where the part before it starts."""
    flags = [False]
    for before, part in itertools.pairwise(parts):
        if not before or not part:
            flags.append(False)
            continue
        height = max(word.height for word in part)
        flags.append(abs(part[0].left - before[0].left) <= BLOCK_ALIGN_HEIGHTS * height)
    return flags[: len(parts)]


# A line below MIN_CONFIDENCE is judged without a second reading when all its own evidence
# agrees (`evidence_agrees`) and no word that is judged was read below this.
EVIDENCE_FLOOR = 50.0


def _agreeing(line: ReportLine, words: Sequence[ocr.Word]) -> bool:
    if line.confidence is None or line.confidence < EVIDENCE_FLOOR:
        return False
    return evidence_agrees(line.text)


# A line read below MIN_CONFIDENCE gets a second look: its crop, scaled up, read as one line
# (Tesseract's page segmentation 7), a reading of other pixels with another layout analysis.
# It is trusted when both readings give the same test name and the same numbers, neither
# below SECOND_LOOK_FLOOR: two readings agreeing is evidence a single low score is not.
MAX_SECOND_LOOKS = 4  # a page (each look costs a Tesseract start, about 0.1 s of CPU)
SECOND_LOOK_SCALE = 1.5
SECOND_LOOK_FLOOR = 50.0


def _second_look(
    page: Image.Image, words: Sequence[ocr.Word], first: ReportLine, limits: ReportLimits
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
    crop = crop.resize(size, Image.Resampling.BICUBIC)
    lines = ocr.recognise(images.png_bytes(crop), limits.ocr_seconds, ocr.ONE_LINE)
    again = [word for line in lines for word in line.words]
    if not again:
        return first
    second = ReportLine(tidy(" ".join(word.text for word in again)), _confidence(again))
    if readings_agree(first, second):
        return replace(first, confirmed=True)
    return first


def readings_agree(first: ReportLine, second: ReportLine) -> bool:
    """Tell whether two readings of one line agree.

    They must give the same test name (the words before the first number, letters only), the same
    numbers (units left out), and the same values for the reader; the second reading must be at
    least SECOND_LOOK_FLOOR sure.
    """
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
    """Return how sure the OCR is of what gets judged.

    That is the least confidence among the test's name (the first word) and the words holding
    numbers (the value, the range). A unit such as "x10^3/uL" is left out: Tesseract is never sure
    of its signs, and the reader checks units by their own rules, as for typed text.
    """
    scores = [words[0].confidence] if words else []
    scores += [word.confidence for word in words[1:] if _holds_a_number(word.text)]
    return round(min(scores), 1) if scores else 0.0


def _holds_a_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and not UNIT_WORD.search(text)


# The result on a report line: the first number standing on its own, not part of a unit
# ("x10^3", "10*9"), of a name ("CD4") or of a range in brackets.
RESULT_NUMBER = re.compile(r"(?<![\w^*/.,(\[-])[-−]?\d+(?:[.,]\d+)?(?![\w^*/]|[.,]\d)")
# What follows the low end of a range: "1,5 - 7,7", "3.8 to 10.8".
RANGE_AFTER = re.compile(r"\s*(?:[-–]|to\b)\s*\d")


def _check(line: ReportLine) -> ReportLine:
    """Return the line, marked doubtful when the reader takes a number other than its result.

    On a report line the result comes first, so anything else is a misreading.
    """
    result = RESULT_NUMBER.search(line.text)
    try:
        parsed = parse_text(line.text)
    except WbcBotError:
        return replace(line, doubtful=True)
    starts = [value.start for value in parsed.values]
    starts += [share.start for share in parsed.neutrophil_shares]
    if starts and (result is None or any(start != result.start() for start in starts)):
        return replace(line, doubtful=True)
    if starts and RANGE_AFTER.match(line.text, result.end() if result else 0):
        return replace(line, doubtful=True)  # the "result" starts a range: the value is lost
    if any(against_its_range(value, line.text) for value in parsed.values):
        return replace(line, doubtful=True)
    if not _names_what_is_taken(line.text, parsed):
        return replace(line, doubtful=True)
    return line


def named_kinds(text: str) -> set[str]:
    """Return what the line's name (the words before its first number) says the line is about.

    A subset of "wbc", "neutrophil", "band", "lymphocyte".
    """
    head = re.split(r"\d", text, maxsplit=1)[0]
    kinds = {kind for kind, pattern in NAME_KINDS.items() if pattern.search(head)}
    return kinds


NAME_KINDS = {
    "wbc": re.compile(
        r"(?i)\b(?:w\.?\s?b\.?\s?c\b|white|leu[ck]o[cz]yt|t\.?\s?l\.?\s?c\b|total\s+count)"
    ),
    "neutrophil": re.compile(
        r"(?i)\b(?:neutro|neut\b|anc\b|segs?\b|segmented|polymorphs?|granulo)"
    ),
    "band": re.compile(r"(?i)\b(?:bands?\b|stabs?\b|stabkernige)"),
    "lymphocyte": re.compile(r"(?i)\b(?:lympho|lymphs?\b|lym\b)"),
}
# What the reader may take from a line by the test its name gives.
TAKEN_FROM = {
    "wbc": {"wbc"},
    "anc": {"neutrophil"},
    "neutrophils": {"neutrophil"},
    "bands": {"band"},
}


def _names_what_is_taken(text: str, parsed: ParsedText) -> bool:
    """Tell whether every value the reader takes is the one the line's name is about.

    "Lymphocyte count 1.9 x10^9/L" is not a white count, whatever a parser makes of it.
    """
    kinds = named_kinds(text)
    taken = [value.analyte.value for value in parsed.values]
    taken += [share.kind for share in parsed.neutrophil_shares]
    return all(TAKEN_FROM.get(kind, set()) & kinds for kind in taken)


# A printed range after the result: "4.0-10.5", "(4.0 - 11.0)", "3,9 - 10,2", "3.8 to 10.8".
PRINTED_RANGE = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(?:[-–]|to)\s*(\d+(?:[.,]\d+)?)(?![\w.,]*\d)"
)
FLAG_WORD = re.compile(r"(?i)(?<![\w/])(l|h|low|high|lo|hi)(?![\w/])|([↑↓])")
# Signs a line read cleanly does not hold: table rules read as brackets, smudges as marks.
NOISE = re.compile(r"[\[\]{}«»~#_!?|\\@$&‘’\"`]")
# A printed range is usual when each end is within this factor of the usual adult range's
# (a children's range may be wider: such a line then needs the OCR's confidence). It is what
# catches a digit misread alike in the value and the range ("15,3 ... 3,9 - 10,2 +" read
# "25,3 ... 3,9 - 20,2 +": the range's top is then twice the usual one).
USUAL_RANGE_FACTOR = 1.5
# Differential percentages (segmented neutrophils, bands): the usual adult range, in %.
USUAL_PERCENT_RANGES = {"neutrophils": (40.0, 75.0)}
# Bands are printed 0-5 % or 0-10 %: a bands range starts at 0 to 2 % and ends at 3 to 12 %.
BANDS_LOW_UP_TO = 2.0
BANDS_HIGH = (3.0, 12.0)


def usual_range(kind: str, low: float, high: float) -> bool:
    """Tell whether the printed range is close to the usual adult range of its test.

    In cells/uL, or % for a differential. A range misread is not taken as evidence.
    """
    if kind == "wbc":
        usual = ranges.wbc_reference()
        usual_low, usual_high = usual.low, usual.high
    elif kind == "anc":
        usual = ranges.anc_reference()
        usual_low, usual_high = usual.low, usual.high
    elif kind == "bands":
        return 0 <= low <= BANDS_LOW_UP_TO and BANDS_HIGH[0] <= high <= BANDS_HIGH[1]
    elif kind in USUAL_PERCENT_RANGES:
        usual_low, usual_high = USUAL_PERCENT_RANGES[kind]
    else:
        return False
    factor = USUAL_RANGE_FACTOR
    return (
        usual_low / factor <= low <= usual_low * factor
        and usual_high / factor <= high <= usual_high * factor
    )


def evidence_agrees(text: str) -> bool:
    """Tell whether everything on a line says the same.

    It names one white-cell test the reader takes a value for, that value has its unit (or is a
    percentage) and is plausible, the line prints a range, and the value's place against that range
    is what its flag says (below with L/Low/-, above with H/High/+, inside with no flag). Nothing
    stray is on the line.
    """
    if NOISE.search(text):
        return False
    try:
        parsed = parse_text(text)
    except WbcBotError:
        return False
    taken = [(v.cells_per_ul, v.lab_range, v.unit_assumed) for v in parsed.values]
    shares = list(parsed.neutrophil_shares)
    if len(taken) + len(shares) != 1 or not _names_what_is_taken(text, parsed):
        return False
    result = RESULT_NUMBER.search(text)
    if result is None:
        return False
    after = text[result.end() :]
    if taken:
        number, bounds, assumed = taken[0]
        analyte = parsed.values[0].analyte
        if number is None or assumed or not ranges.is_plausible(analyte, number) or number <= 0:
            return False
        if bounds is None or not usual_range(analyte.value, bounds.low, bounds.high):
            return False
        # the range in the line's own units: compare the printed numbers
        printed = PRINTED_RANGE.search(after)
        if printed is None:
            return False
        value = _number(result.group())
        low, high = _number(printed.group(1)), _number(printed.group(2))
        if abs(bounds.low / max(low, 1e-9) - bounds.high / max(high, 1e-9)) > 1e-6:
            return False  # the reader's range is not the printed one
    else:
        if not re.match(r"(?i)\s*(?:(?:h|l|high|low)\s+)?%", after):
            return False
        printed = PRINTED_RANGE.search(after)
        if printed is None:
            return False
        value = shares[0].percent
        low, high = _number(printed.group(1)), _number(printed.group(2))
        if not usual_range(shares[0].kind, low, high):
            return False
    if not low < high:
        return False
    flag = _flag(after[: printed.start()] + " " + after[printed.end() :])
    if flag == "both":
        return False
    if flag == "low":
        return value < low
    if flag == "high":
        return value > high
    return low <= value <= high


def _number(text: str) -> float:
    return float(text.replace(",", ".").replace("−", "-"))


def _flag(text: str) -> str | None:
    """The flag printed beside a result: "low", "high", or None."""
    words = {match.group(0).lower() for match in FLAG_WORD.finditer(text)}
    sign = re.search(r"(?<![\w/])([+-])\s*$", text.strip())
    low = words & {"l", "low", "lo", "↓"} or (sign is not None and sign.group(1) == "-")
    high = words & {"h", "high", "hi", "↑"} or (sign is not None and sign.group(1) == "+")
    if low and high:
        return "both"
    return "low" if low else "high" if high else None


# A result more than this many times the top of its own printed range is taken for a misread
# (a lost decimal point: "3.2" read "32" or "322"), not judged: the person is asked to check.
RANGE_FACTOR = 10.0
# German reports flag with a sign after the range: "Leukozyten 11,4 /nl 4,0 - 10,0 +".
SIGN_FLAG = re.compile(r"\d\s*[-–]?\s*\d[\d.,]*\s+([+-])$")


def against_its_range(value: LabValue, text: str) -> bool:
    """Tell whether the value read contradicts its own line.

    That is far above its printed range, or on the other side of the range than its flag (H/L, or a
    German +/-) says.
    """
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
