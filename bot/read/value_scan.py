"""Scanning the text after a test's name for one value: its number, unit, flag and lab range.

Labs and people print a count in many orders ("WBC 2.9 L 4.0-11.0 x10^3/uL", "| WBC | 3.2 | L |
4.0-11.0 |", "Leukocytes ........ 2.7 L (4.0-10.5)", "TLC 3200 cells/cumm"). The scanner here
starts where a name ends, skips filler words, leaders and a unit typed before the number, passes
over dates, ages and other numbers that are never counts (numbers.not_a_count), and reads one
FoundValue. It knows nothing of names, stories or cells per microliter, so the series
(series.py), the conversion (count_values.py) and the entry points (values.py) build on it
without it depending on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.model import LabFlag
from bot.read.numbers import NUMBER_PATTERN, NumberLiteral, not_a_count, read_number
from bot.reference.units import UnitMatch, match_unit

MAX_WORDS_BETWEEN_LABEL_AND_VALUE = 8

# A full stop ends a sentence; a run of dots before a number is a report's leader
# ("Leukocytes ........ 2.7") or an ellipsis before the value ("my wbc is... 2.1").
SENTENCE_END = re.compile(
    r"[!?;\n]|(?:(?<!\.)\.{2,}(?!\.)|…)(?![ \t]*[-−]?[.,]?\d)|(?<!\.)\.(?!\.)(?=\s|$)"
)
_LEADER = re.compile(r"(?:[.…_·]{2,}|…)")
_SKIPPABLE = " \t\r:=|()[]{}#*,'\"“”‘’<>~≈"
_WORD = re.compile(r"[^\s\d:=|()\[\]{}#*,]+")
_PERCENT = re.compile(r"[ \t]*(?:%|percent\b|per[ \t]?cent\b|pct\b)", re.IGNORECASE)
_FLAG = re.compile(
    r"[ \t|]*(?:\(?(?P<word>L|H|LO|HI|Low|High|LOW|HIGH|low|high)\)?(?![\w/])"
    r"|(?P<stars>\*+)|(?P<down>↓)|(?P<up>↑))"
)
_RANGE_INTRO = re.compile(
    r"[ \t|]*[\[(]?[ \t]*"
    r"(?:(?:ref(?:erence)?\.?|normal|range|interval|rr|nr|vr|ref\.)[ \t]*:?[ \t]*)*",
    re.IGNORECASE,
)
# "3.15, normal range is 4.5 to 11", "(the normal is 4.5-11.0)", "normal between 4 and 11",
# "0.7, vs normal of 4.5 to 11".
_RANGE_IN_WORDS = re.compile(
    r"[ \t]*[,;]?[ \t]*[\[(]?[ \t]*"
    r"(?:(?:the|lab'?s?|when|where|while|whereas|with|and|vs\.?|versus|compared[ \t]+(?:to|with)|"
    r"against)[ \t]+)*"
    r"(?:normal|ref(?:erence)?\.?|range|interval|should[ \t]+be)"
    r"(?:[ \t]*(?:range|interval|values?|limits?|is|are|being|should[ \t]+be|of|:|=))*"
    r"[ \t]*(?P<between>between[ \t]+)?",
    re.IGNORECASE,
)
_RANGE_DASH = re.compile(r"[ \t]*(?:-|–|—|to\b|a\b|bis\b|até\b|ate\b|hasta\b|\.\.)[ \t]*")
_RANGE_AND = re.compile(r"[ \t]*and[ \t]+", re.IGNORECASE)
_RANGE_OUTRO = re.compile(r"[ \t]*[\])]")
_BRACKET_OPEN = re.compile(r"[ \t]*[(\[][ \t]*")
_BRACKET_CLOSE = re.compile(r"[ \t]*[)\]]")


@dataclass(frozen=True)
class FoundValue:
    """One value found in the text, before it becomes a LabValue or a percentage.

    The number as typed with its sign, unit, percent sign, the lab's flag and printed range, the
    text it was typed as and where its scan ended. The series (series.py) fills `previous` and
    `earlier` when the value is the latest of several told in time.
    """

    number: NumberLiteral
    negative: bool
    unit: UnitMatch | None
    percent: bool
    flag: LabFlag | None
    range_numbers: tuple[NumberLiteral, NumberLiteral] | None
    text: str
    end: int
    previous: FoundValue | None = None  # the value before this one, when they are in time
    earlier: tuple[FoundValue, ...] = ()  # every value before this one in time, oldest first


def number_starts(text: str, pos: int, end: int) -> bool:
    """Tell whether a number (or a decimal point before digits) starts at `pos`."""
    if pos >= end:
        return False
    char = text[pos]
    return char.isdigit() or (char in ".," and pos + 1 < end and text[pos + 1].isdigit())


def bracketed_value(text: str, start: int, end: int) -> FoundValue | None:
    """Read a number alone in brackets right after `start`, as in "neutropenic (640)".

    A percentage, a number with more typed after it inside the brackets, or a number that is
    never a count (numbers.not_a_count) is none.
    """
    opening = _BRACKET_OPEN.match(text, start, end)
    if opening is None or not number_starts(text, opening.end(), end):
        return None
    closing = _BRACKET_CLOSE.search(text, opening.end(), end)
    if closing is None:
        return None
    found = read_from(text, opening.end(), closing.start(), False, None)
    if found is None or found.percent or text[found.end : closing.start()].strip():
        return None
    if not_a_count(text, found.number.start, found.number.end):
        return None
    return found


def scan_value(text: str, start: int, end: int) -> FoundValue | None:
    """Read the first value between `start` and `end`, skipping what may stand before it.

    Filler words, leaders and units ("was", "(x10^9/L)", "count came back at", "........") are
    skipped, up to a few words; dates and other numbers that are never counts are passed over.
    """
    pos = start
    words = 0
    unit_before: UnitMatch | None = None
    while pos < end:
        char = text[pos]
        if char in "-−" and pos + 1 < end and text[pos + 1].isdigit():
            number = NUMBER_PATTERN.match(text, pos + 1, end)
            if number and not _before_is_digit(text, pos) and not _joins_name(text, start, pos):
                return read_from(text, pos + 1, end, True, unit_before)
        leader = _LEADER.match(text, pos, end)
        if leader and not number_starts(text, pos, end):
            pos = leader.end()  # "Leukocytes ........ 2.7"
            continue
        if char in _SKIPPABLE or char in "-−–—" or char.isspace():
            pos += 1
            continue
        if number_starts(text, pos, end):
            found = NUMBER_PATTERN.match(text, pos, end)
            if found is None:
                pos += 1
                continue
            if not_a_count(text, found.start(), found.end()):
                pos = skip_number_like(text, found.end(), end)
                continue
            return read_from(text, pos, end, False, unit_before)
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


def _joins_name(text: str, start: int, pos: int) -> bool:
    """Tell a hyphen typed right after the name ("WBC-3.2"), which joins it to its value."""
    return pos == start and start > 0 and text[start - 1].isalnum()


def read_from(
    text: str, pos: int, end: int, negative: bool, unit_before: UnitMatch | None
) -> FoundValue | None:
    """Read the value whose number starts at `pos`, and what follows it before `end`.

    Number, unit, flag, range and a trailing unit are read as far as they are there;
    `negative` says a minus was typed before `pos`, `unit_before` a unit typed before the number.
    """
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
        return FoundValue(literal, negative, None, True, None, None, typed, percent_match.end())
    unit = _unit_at(text, cursor, end)
    text_end = cursor
    if unit is not None:
        cursor = text_end = unit.end
    flag, cursor = _flag_at(text, cursor, end)
    percent_match = None if unit is not None or flag is None else _PERCENT.match(text, cursor, end)
    if percent_match:  # "NEUT % 22.4 L % 40.0-74.0": a flag between the number and its "%"
        typed = text[(pos - 1 if negative else pos) : text_end]
        return FoundValue(literal, negative, None, True, flag, None, typed, percent_match.end())
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
    return FoundValue(literal, negative, unit, False, flag, range_numbers, typed, cursor)


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
    """Read a printed range ("(4.0-11.0)", "4.000 a 11.000") or one in words.

    "normal is 4.5 to 11", "normal between 4 and 11": the range and where it ends; (None, `pos`)
    when no range is there.
    """
    in_words = _RANGE_IN_WORDS.match(text, pos, end)
    for intro in (in_words, _RANGE_INTRO.match(text, pos, end)):
        if intro is None:
            continue
        between = intro is in_words and intro.group("between") is not None
        found = range_numbers(text, intro.end(), end, between)
        if found is not None:
            return found
    return None, pos


def range_numbers(
    text: str, cursor: int, end: int, between: bool
) -> tuple[tuple[NumberLiteral, NumberLiteral], int] | None:
    """Read two numbers joined by a dash or "to" (or "and" after "between"), from `cursor`.

    Returns the two numbers and where the range ends (after a closing bracket, if any).
    """
    low = NUMBER_PATTERN.match(text, cursor, end)
    if not low:
        return None
    dash = _RANGE_DASH.match(text, low.end(), end)
    if not dash and between:
        dash = _RANGE_AND.match(text, low.end(), end)
    high = NUMBER_PATTERN.match(text, dash.end(), end) if dash else None
    if not high:
        return None
    low_number = read_number(low.group(0), low.start())
    high_number = read_number(high.group(0), high.start())
    if low_number is None or high_number is None:
        return None
    outro = _RANGE_OUTRO.match(text, high.end(), end)
    return (low_number, high_number), (outro.end() if outro else high.end())


def skip_number_like(text: str, pos: int, end: int) -> int:
    """Move past the rest of a date or ratio ("12/03/2024", "148/84")."""
    while pos < end and (text[pos].isdigit() or text[pos] in "/.-:"):
        pos += 1
    return pos


def _before_is_digit(text: str, pos: int) -> bool:
    cursor = pos - 1
    while cursor >= 0 and text[cursor] in " \t":
        cursor -= 1
    return cursor >= 0 and text[cursor].isdigit()
