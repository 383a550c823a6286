"""Finding white counts, neutrophil counts and differential percentages in free text.

spaCy finds the names of counts (pipeline.label_matcher); from the end of each name a small
scanner reads what follows on the same line or sentence: a number, its unit, the lab's H/L flag
and the lab's printed range, in the orders labs print them ("WBC 2.9 L 4.0-11.0 x10^3/uL",
"| WBC | 3.2 | L | 4.0-11.0 |", "Leukozyten 3,2 G/l (4,0-10,0)", "TLC 3200 cells/cumm").
Values are converted to cells per microliter following clinical-reference.md section 4.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.model import Analyte, LabFlag, LabRange, LabValue, NeutrophilShare
from bot.numbers import NUMBER_PATTERN, NumberLiteral, read_number
from bot.pipeline import label_matcher, matched_spans
from bot.units import CELLS_PER_UL, THOUSANDS_PER_UL, UnitMatch, match_unit

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

# Label keys of data/vocabulary.yml.
WBC, ANC, NEUTROPHILS, BANDS = "wbc", "anc", "neutrophils", "bands"
GENERIC = "generic"  # "count", "result": a white count only when no other name is there
_COUNT_LABELS = frozenset({WBC, ANC, NEUTROPHILS, BANDS})

# Section 4: whole numbers below this with no unit are thousands; from here to 999 a white count
# needs a unit, and an ANC is already in cells/µL.
THOUSANDS_BELOW = Decimal(30)
CELLS_FROM = Decimal(1000)
PERCENT_MAX = Decimal(100)

MAX_WORDS_BETWEEN_LABEL_AND_VALUE = 6

_SENTENCE_END = re.compile(r"[!?;\n]|\.(?=\s|$)")
_SKIPPABLE = " \t\r:=|()[]{}#*,'\"“”‘’<>~≈"
_WORD = re.compile(r"[^\s\d:=|()\[\]{}#*,]+")
_PERCENT = re.compile(r"[ \t]*%")
_DATE_OR_RATIO = re.compile(r"[/.\-]\d")  # 3/12, 12.03.2024, 148/84: not a count
_TIME = re.compile(r":\d\d")
_AGE_OR_TIME_UNIT = re.compile(
    r"[ \t]*-?[ \t]*(?:years?|yrs?|y/?o\b|yo\b|months?|mos?\b|weeks?|wks?\b|days?|hours?|hrs?\b"
    r"|minutes?|mins?\b|st\b|nd\b|rd\b|th\b|°|º|degrees?|kg\b|lbs?\b|mg\b|ml\b|mmhg\b|am\b|pm\b)",
    re.IGNORECASE,
)
_COUNTER_BEFORE = re.compile(
    r"(?:\b(?:day|days|cycle|week|round|dose|age|aged|since|in|from|year|number|no\.)"
    r"[ \t]*)$",
    re.IGNORECASE,
)
_FLAG = re.compile(
    r"[ \t|]*(?:\(?(?P<word>L|H|LO|HI|Low|High|LOW|HIGH|low|high)\)?(?![\w/])"
    r"|(?P<stars>\*+)|(?P<down>↓)|(?P<up>↑))"
)
_RANGE_INTRO = re.compile(
    r"[ \t|]*[\[(]?[ \t]*"
    r"(?:(?:ref(?:erence)?\.?|normal|range|interval|rr|nr|vr|ref\.)[ \t]*:?[ \t]*)*",
    re.IGNORECASE,
)
_RANGE_DASH = re.compile(r"[ \t]*(?:-|–|—|to\b|a\b|bis\b|até\b|ate\b|hasta\b|\.\.)[ \t]*")
_RANGE_OUTRO = re.compile(r"[ \t]*[\])]")
# A second value of the same count right after the first: "2.8 and then 4.9", "4,000 or 4,500".
_NEXT_VALUE = re.compile(
    r"[ \t]*,?[ \t]*(?:and then|then|or|and|vs\.?|versus|to)\b[ \t]*"
    r"(?=(?:[a-z]+[ \t]+){0,3}\d)",
    re.IGNORECASE,
)
_WORD_AFTER = re.compile(r"[ \t]+([A-Za-z]+)")
_TIME_WORDS = frozenset(
    {"now", "later", "then", "last", "this", "a", "an", "in", "before", "after", "ago"}
    | {"week", "weeks", "month", "months", "today", "yesterday", "and", "or"}
)
_BARE_VALUE = re.compile(r"^\s*(?:is\s+|was\s+)?(?P<rest>.*?)\s*[?!.]*\s*$", re.DOTALL)


@dataclass(frozen=True)
class _Reading:
    """A number read after a name, before it becomes a LabValue or a percentage."""

    number: NumberLiteral
    negative: bool
    unit: UnitMatch | None
    percent: bool
    flag: LabFlag | None
    range_numbers: tuple[NumberLiteral, NumberLiteral] | None
    text: str
    end: int


def find_lab_values(doc: Doc) -> tuple[tuple[LabValue, ...], tuple[NeutrophilShare, ...]]:
    """Every count and differential percentage in the message, in text order."""
    text = doc.text
    labels = matched_spans(label_matcher(), doc)
    count_labels = [span for span in labels if span.label_ in _COUNT_LABELS]
    if count_labels:
        labels = [span for span in labels if span.label_ != GENERIC]  # "TLC count 3800"
    else:
        count_labels = [span for span in labels if span.label_ == GENERIC]
    values: list[LabValue] = []
    shares: list[NeutrophilShare] = []
    for label in count_labels:
        segment_end = _segment_end(text, label, labels)
        readings = _readings_after(text, label.end_char, segment_end, label.label_)
        if not readings:
            before = _reading_before(text, label.start_char)
            readings = [before] if before else []
        for reading in readings:
            _collect(label.label_, reading, values, shares)
    if not labels:
        bare = _bare_value(text)
        if bare:
            _collect(WBC, bare, values, shares)
    values.sort(key=lambda value: value.start)
    shares.sort(key=lambda share: share.start)
    return tuple(values), tuple(shares)


def _collect(
    label: str, reading: _Reading, values: list[LabValue], shares: list[NeutrophilShare]
) -> None:
    """Turn one reading into a count or a percentage, by the name it followed."""
    if label in (NEUTROPHILS, BANDS) and _is_percentage(label, reading):
        kind = "bands" if label == BANDS else "neutrophils"
        shares.append(
            NeutrophilShare(kind, float(reading.number.value), reading.text, reading.number.start)
        )
        return
    if label == BANDS or reading.percent:
        return  # a band count or a percentage of something else: not a count we judge
    analyte = Analyte.WBC if label in (WBC, GENERIC) else Analyte.ANC
    values.append(_to_lab_value(analyte, reading))


def with_unit(value: LabValue, unit: UnitMatch) -> LabValue:
    """A count that needed a unit, read again with the unit the person gave afterwards."""
    negative = value.text.startswith(("-", "−"))
    number = value.text[1:] if negative else value.text
    literal = read_number(number.strip(), value.start + (1 if negative else 0))
    if literal is None:
        return value
    reading = _Reading(
        literal, negative, unit, False, value.lab_flag, None, f"{value.text} {unit.text}", 0
    )
    return _to_lab_value(value.analyte, reading)


def _is_percentage(label: str, reading: _Reading) -> bool:
    if reading.percent:
        return True
    if reading.unit is not None or reading.negative:
        return False
    value = reading.number.value
    if label == BANDS:
        return value <= PERCENT_MAX
    return THOUSANDS_BELOW <= value <= PERCENT_MAX  # "Neutrophils 62" in a differential


def _to_lab_value(analyte: Analyte, reading: _Reading) -> LabValue:
    """Apply the reading rules of section 4 to get cells per microliter."""
    literal = reading.number
    sign = Decimal(-1) if reading.negative else Decimal(1)
    lab_range: LabRange | None = None
    cells: Decimal | None
    assumed = False
    if reading.unit is not None:
        factor = reading.unit.unit.cells_per_ul
        value = literal.value
        if factor == CELLS_PER_UL.cells_per_ul and literal.dot_thousands is not None:
            value = literal.dot_thousands  # 7.200/mm³: a Brazilian thousands separator
        cells = sign * value * factor
    else:
        cells, assumed = _cells_without_unit(analyte, literal, reading.range_numbers)
        cells = None if cells is None else sign * cells
        factor = THOUSANDS_PER_UL.cells_per_ul if assumed else CELLS_PER_UL.cells_per_ul
    if reading.range_numbers is not None and cells is not None:
        lab_range = _lab_range(reading.range_numbers, factor)
    return LabValue(
        analyte=analyte,
        text=reading.text,
        start=literal.start - (1 if reading.negative else 0),
        cells_per_ul=None if cells is None else float(cells),
        unit_assumed=assumed,
        lab_range=lab_range,
        lab_flag=reading.flag,
    )


def _cells_without_unit(
    analyte: Analyte,
    literal: NumberLiteral,
    range_numbers: tuple[NumberLiteral, NumberLiteral] | None,
) -> tuple[Decimal | None, bool]:
    """Section 4: (cells/µL or None when a unit is needed, whether thousands were assumed)."""
    value = literal.value
    if value == 0:
        return value, False
    if value < THOUSANDS_BELOW:
        return value * THOUSANDS_PER_UL.cells_per_ul, True
    if value >= CELLS_FROM or analyte is Analyte.ANC:
        return (literal.dot_thousands or value), False
    if range_numbers is not None:  # the lab's printed range shows the scale
        if min(n.value for n in range_numbers) >= CELLS_FROM:
            return value, False  # "WBC 800 (4000-11000)"
        if max(n.value for n in range_numbers) < THOUSANDS_BELOW:
            return value * THOUSANDS_PER_UL.cells_per_ul, True  # "WBC 31.0 H (4.0-11.0)"
    return None, False


def _lab_range(numbers: tuple[NumberLiteral, NumberLiteral], factor: Decimal) -> LabRange | None:
    """The printed range in cells/µL, on the scale of the value or of its own size."""
    low, high = (n.value for n in numbers)
    if factor == THOUSANDS_PER_UL.cells_per_ul and low >= 100:
        factor = CELLS_PER_UL.cells_per_ul  # value in thousands, range printed in cells
    elif factor == CELLS_PER_UL.cells_per_ul:
        if high < THOUSANDS_BELOW:
            factor = THOUSANDS_PER_UL.cells_per_ul
        else:
            low, high = (n.dot_thousands or n.value for n in numbers)
    if not low < high:
        return None
    return LabRange(low=float(low * factor), high=float(high * factor))


def _segment_end(text: str, label: Span, labels: Sequence[Span]) -> int:
    """Where a name's value must end: the next name of any count, or the end of the sentence."""
    end = len(text)
    for other in labels:
        if other.start_char >= label.end_char:
            end = other.start_char
            break
    boundary = _SENTENCE_END.search(text, label.end_char, end)
    return boundary.start() if boundary else end


def _readings_after(text: str, start: int, end: int, label: str) -> list[_Reading]:
    """The value after a name; after a neutrophil percentage, also an absolute count if given."""
    first = _scan_value(text, start, end)
    if first is None:
        return []
    readings = [first]
    more = _NEXT_VALUE.match(text, first.end, end)
    if more and not first.percent:
        following = _scan_value(text, more.end(), end)
        if following is not None and _same_kind_of_value(text, first, following):
            readings.append(following)  # "4,000 or 4,500", "2.8 and then 4.9"
    if label == NEUTROPHILS and (first.percent or _is_percentage(label, first)):
        second = _scan_value(text, first.end, end)
        if second is not None and second.unit is not None and not second.percent:
            readings.append(second)
    return readings


def _scan_value(text: str, start: int, end: int) -> _Reading | None:
    """Skip filler words and units ("was", "(x10^9/L)", "count came back at") to a number."""
    pos = start
    words = 0
    unit_before: UnitMatch | None = None
    while pos < end:
        char = text[pos]
        if char in "-−" and pos + 1 < end and text[pos + 1].isdigit():
            number = NUMBER_PATTERN.match(text, pos + 1, end)
            if number and not _before_is_digit(text, pos):
                return _read_from(text, pos + 1, end, True, unit_before)
        if char in _SKIPPABLE or char in "-−–—" or char.isspace():
            pos += 1
            continue
        if char.isdigit() or (char in ".," and pos + 1 < end and text[pos + 1].isdigit()):
            found = NUMBER_PATTERN.match(text, pos, end)
            if found is None:
                pos += 1
                continue
            if _not_a_count(text, found.start(), found.end()):
                pos = _skip_number_like(text, found.end(), end)
                continue
            return _read_from(text, pos, end, False, unit_before)
        unit = match_unit(text, pos) if char.isalpha() or char in "/×*µμ" else None
        if unit is not None and unit.end <= end and not text[pos].isspace():
            unit_before = unit
            pos = unit.end
            continue
        word = _WORD.match(text, pos, end)
        pos = word.end() if word else pos + 1
        words += 1
        if words > MAX_WORDS_BETWEEN_LABEL_AND_VALUE:
            return None
    return None


def _read_from(
    text: str, pos: int, end: int, negative: bool, unit_before: UnitMatch | None
) -> _Reading | None:
    """Read number, unit, flag, range and a trailing unit, as far as they are there."""
    found = NUMBER_PATTERN.match(text, pos, end)
    if found is None:
        return None
    literal = read_number(found.group(0), found.start())
    if literal is None:
        return None
    cursor = found.end()
    percent_match = _PERCENT.match(text, cursor, end)
    if percent_match:
        typed = text[(pos - 1 if negative else pos) : percent_match.end()]
        return _Reading(literal, negative, None, True, None, None, typed, percent_match.end())
    unit = _unit_at(text, cursor, end)
    text_end = cursor
    if unit is not None:
        cursor = text_end = unit.end
    flag, cursor = _flag_at(text, cursor, end)
    if unit is None:
        unit = _unit_at(text, cursor, end)
        if unit is not None:
            cursor = unit.end
    range_numbers, cursor = _range_at(text, cursor, end)
    if flag is None:
        flag, cursor = _flag_at(text, cursor, end)
    if unit is None:
        unit = _unit_at(text, cursor, end)
        if unit is not None:
            cursor = unit.end
    unit = unit or unit_before
    typed = text[(pos - 1 if negative else pos) : text_end]
    return _Reading(literal, negative, unit, False, flag, range_numbers, typed, cursor)


def _same_kind_of_value(text: str, first: _Reading, following: _Reading) -> bool:
    """ "2.8 and then 4.9" is two counts; "3.2 and 2 kids" is not."""
    if following.percent or following.number.is_whole != first.number.is_whole:
        return False
    word = _WORD_AFTER.match(text, following.end)
    return word is None or word.group(1).lower() in _TIME_WORDS


def _unit_at(text: str, pos: int, end: int) -> UnitMatch | None:
    cursor = pos
    while cursor < end and text[cursor] in " \t|":
        cursor += 1
    unit = match_unit(text, cursor)
    if unit is None or unit.end > end:
        return None
    return unit


def _flag_at(text: str, pos: int, end: int) -> tuple[LabFlag | None, int]:
    found = _FLAG.match(text, pos, end)
    if not found:
        return None, pos
    word = (found.group("word") or "").lower()
    if found.group("down") or word in ("l", "lo", "low"):
        return LabFlag.LOW, found.end()
    if found.group("up") or word in ("h", "hi", "high"):
        return LabFlag.HIGH, found.end()
    return None, found.end()  # "*": abnormal, direction not given


def _range_at(
    text: str, pos: int, end: int
) -> tuple[tuple[NumberLiteral, NumberLiteral] | None, int]:
    intro = _RANGE_INTRO.match(text, pos, end)
    cursor = intro.end() if intro else pos
    low = NUMBER_PATTERN.match(text, cursor, end)
    if not low:
        return None, pos
    dash = _RANGE_DASH.match(text, low.end(), end)
    if not dash:
        return None, pos
    high = NUMBER_PATTERN.match(text, dash.end(), end)
    if not high:
        return None, pos
    low_number = read_number(low.group(0), low.start())
    high_number = read_number(high.group(0), high.start())
    if low_number is None or high_number is None:
        return None, pos
    cursor = high.end()
    outro = _RANGE_OUTRO.match(text, cursor, end)
    return (low_number, high_number), (outro.end() if outro else cursor)


def _not_a_count(text: str, start: int, end: int) -> bool:
    """Dates, ratios, times, ages, temperatures, "day 10" and lab codes ("01") are not counts."""
    if text[start] == "0" and end - start > 1 and text[start + 1].isdigit():
        return True
    if _DATE_OR_RATIO.match(text, end) or _TIME.match(text, end):
        return True
    if _AGE_OR_TIME_UNIT.match(text, end):
        return True
    return bool(_COUNTER_BEFORE.search(text, max(0, start - 12), start))


def _skip_number_like(text: str, pos: int, end: int) -> int:
    """Move past the rest of a date or ratio ("12/03/2024", "148/84")."""
    while pos < end and (text[pos].isdigit() or text[pos] in "/.-:"):
        pos += 1
    return pos


def _before_is_digit(text: str, pos: int) -> bool:
    cursor = pos - 1
    while cursor >= 0 and text[cursor] in " \t":
        cursor -= 1
    return cursor >= 0 and text[cursor].isdigit()


_VALUE_BEFORE_LABEL = re.compile(
    r"(?<![\w.,])(?P<number>\d[\d.,\u00a0\u202f ]*?)[ \t]*(?P<rest>[^\d\n]{0,20}?)[ \t]*$"
)


def _reading_before(text: str, label_start: int) -> _Reading | None:
    """ "I have 2,900 white cells", "45% neutrophils": a number right before the name."""
    window_start = max(0, label_start - 40)
    found = _VALUE_BEFORE_LABEL.search(text, window_start, label_start)
    if not found:
        return None
    number = NUMBER_PATTERN.match(text, found.start("number"), found.end("number") + 1)
    if number is None:
        return None
    between = text[number.end() : label_start].strip()
    if between and between != "%" and match_unit(between, 0) is None:
        return None
    if _not_a_count(text, number.start(), number.end()):
        return None
    return _read_from(text, number.start(), label_start, False, None)


def _bare_value(text: str) -> _Reading | None:
    """A message that is only a number with an optional unit ("3.2", "3,200/uL") is a WBC."""
    found = _BARE_VALUE.match(text)
    if not found or not found.group("rest"):
        return None
    rest_start = found.start("rest")
    rest_end = found.end("rest")
    reading = _read_from(text, rest_start, rest_end, False, None)
    if reading is None or reading.end != rest_end or reading.percent:
        return None
    if _not_a_count(text, reading.number.start, reading.number.end):
        return None
    return reading
