"""Finding white counts, neutrophil counts and differential percentages in free text.

spaCy finds the names of counts (matchers.label_matcher); from the end of each name a small
scanner (value_scan.py) reads what follows on the same line or sentence: a number, its unit, the
lab's H/L flag and the lab's printed range, in the orders labs print them ("WBC 2.9 L 4.0-11.0
x10^3/uL", "| WBC | 3.2 | L | 4.0-11.0 |", "Leukocytes ........ 2.7 L (4.0-10.5)", "TLC 3200
cells/cumm"). This module holds the entry points and decides which value belongs to which name.

Stories are read too (series.py; the words are data, data/vocabulary.yml `narrative`):
- readings of one count in time ("went from 6.2 to 3.9", "3.2 on Monday and 2.8 today",
  "WBC 3.4, 3.3 and 3.2"): only the most recent is returned, carrying the one before it as
  `previous_cells_per_ul`;
- a later clause or sentence that refers back to the count ("My WBC keeps dropping. It's at .6
  now.", "What is a normal white count? Mine is 3.1.", "Our daughter's was 5.9");
- two numbers after "counts" ("counts were 1.9 and 520": a white count, then an ANC when the
  second is whole and 30 to 999), and names listed together ("WBC and ANC were 1.9 and 0.5");
- a number in brackets after "neutropenic" ("neutropenic (640)": an ANC, read when under 1,500).
Dates, ages, times, doses, cycle and day numbers, money and phone numbers are never counts
(numbers.not_a_count). Values are converted to cells per microliter following
clinical-reference.md section 4 (count_values.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.model import Analyte, LabValue, NeutrophilShare
from bot.read.count_values import (
    ANC,
    BANDS,
    CELLS_FROM,
    GENERIC,
    NEUTROPHILS,
    THOUSANDS_BELOW,
    WBC,
    could_be_a_temperature,
    is_percentage,
    to_lab_value,
    with_unit,
)
from bot.read.matchers import label_matcher, matched_spans
from bot.read.numbers import NUMBER_PATTERN, not_a_count
from bot.read.series import (
    in_next_sentences,
    is_a_span,
    later_in_sentence,
    link_after,
    narrative_words,
    resolve,
    said_in_time,
    says,
    series_after,
    words_in,
)
from bot.read.value_scan import (
    SENTENCE_END,
    FoundValue,
    bracketed_value,
    range_numbers,
    read_from,
    scan_value,
)
from bot.reference.ranges import neutropenia_below
from bot.reference.units import match_unit

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["NEUTROPENIA", "find_lab_values", "label_spans", "names_a_test", "with_unit"]

# Label keys of data/vocabulary.yml (those of counts: count_values.py).
NEUTROPENIA = "neutropenia"  # "neutropenic (640)": only a number in brackets is read
OTHER = "other"  # another test's name: "platelets 140", and "temp", "fever" (no count after)
_TEMPERATURE_WORDS = frozenset({"temp", "temps", "temperature", "fever"})
_NAMED_COUNTS = frozenset({WBC, ANC, NEUTROPHILS, BANDS})  # with one, "count" is no name
_COUNT_LABELS = _NAMED_COUNTS | {NEUTROPENIA}
_LISTABLE = frozenset({WBC, ANC, NEUTROPHILS})  # "WBC and ANC were 1.9 and 0.5"
_REFERRED_TO = frozenset({WBC, ANC, NEUTROPHILS, GENERIC})  # "... It's at .6 now."

_LIST_JOIN = re.compile(r"[ \t]*(?:,|&|\+|/|and\b)[ \t]*(?:and\b[ \t]*)?$", re.IGNORECASE)
# "3.2", "is 10.8 ok", "is 2.0 very low?": a number and, at most, a word that judges it.
_BARE_VALUE = re.compile(
    r"^\s*(?:is\s+|was\s+)?(?P<rest>.*?)\s*"
    r"(?:(?:a\s+)?(?:(?:very|too|really|so)\s+)?(?:ok|okay|normal|low|high|bad|good|fine|"
    r"dangerous|worrying|concerning)\s*)?[?!.]*\s*$",
    re.DOTALL | re.IGNORECASE,
)


def label_spans(doc: Doc) -> list[Span]:
    """Find the names of counts and of other tests in the message (once per message)."""
    return matched_spans(label_matcher(), doc)


def find_lab_values(
    doc: Doc, labels: Sequence[Span]
) -> tuple[tuple[LabValue, ...], tuple[NeutrophilShare, ...]]:
    """Find every count and differential percentage in the message, in text order.

    `labels` are the message's label_spans.
    """
    text = doc.text
    if any(span.label_ in _NAMED_COUNTS for span in labels):
        labels = [span for span in labels if span.label_ != GENERIC]  # "TLC count 3800"
    count_labels = [span for span in labels if span.label_ in _COUNT_LABELS | {GENERIC}]
    values: list[LabValue] = []
    shares: list[NeutrophilShare] = []
    for group in _listed_together(text, count_labels):
        for key, found in _readings_of(text, group, labels):
            _collect(key, found, values, shares)
    if not count_labels:
        for found in _bare_readings(text, labels):
            _collect(WBC, found, values, shares)
    values.sort(key=lambda value: value.start)
    shares.sort(key=lambda share: share.start)
    return tuple(values), tuple(shares)


def names_a_test(labels: Sequence[Span]) -> bool:
    """Tell whether the message's label_spans name a lab test (a count or another test).

    A temperature or fever word is no test.
    """
    return any(
        span.label_ != OTHER or span.text.lower() not in _TEMPERATURE_WORDS for span in labels
    )


def _readings_of(
    text: str, group: Sequence[Span], labels: Sequence[Span]
) -> list[tuple[str, FoundValue]]:
    """Find the readings of one name, or of names listed together ("WBC and ANC: 1.9 and 0.5")."""
    if len(group) > 1:
        listed = _listed_readings(text, group, labels)
        if listed:
            return listed
        return [found for label in group for found in _readings_of(text, [label], labels)]
    label = group[0]
    segment_end = _segment_end(text, label, labels)
    if label.label_ == NEUTROPENIA:
        bracketed = _neutropenic_anc(text, label.end_char, segment_end)
        return [(ANC, bracketed)] if bracketed else []
    found = _readings_after(text, label.end_char, segment_end, label, labels)
    if not found:
        before = _reading_before(text, label.start_char) or _named_afterwards(
            text, label.start_char
        )
        found = [(label.label_, before)] if before else []
    return found


def _listed_together(text: str, count_labels: Sequence[Span]) -> list[list[Span]]:
    """Group names in a row joined by "and", "&", "/" or a comma; others are alone."""
    groups: list[list[Span]] = []
    for label in count_labels:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and label.label_ in _LISTABLE
            and last.label_ in _LISTABLE
            and _LIST_JOIN.match(text[last.end_char : label.start_char])
        ):
            groups[-1].append(label)
        else:
            groups.append([label])
    return groups


def _listed_readings(
    text: str, group: Sequence[Span], labels: Sequence[Span]
) -> list[tuple[str, FoundValue]]:
    """Read "WBC and ANC were 1.9 and 0.5": as many readings as names, in the same order."""
    last = group[-1]
    end = _segment_end(text, last, labels)
    first = scan_value(text, last.end_char, end)
    if first is None:
        return []
    readings = [first]
    while len(readings) < len(group):
        link = link_after(text, readings[-1], end)
        if link is None or not set(link.words) <= {",", "and", "&"}:
            return []
        readings.append(link.reading)
    if link_after(text, readings[-1], end) is not None:
        return []  # more numbers than names: not a list of one value each
    return [(label.label_, reading) for label, reading in zip(group, readings, strict=True)]


def _collect(
    label: str, found: FoundValue, values: list[LabValue], shares: list[NeutrophilShare]
) -> None:
    """Turn one found value into a count or a percentage, by the name it followed."""
    if label in (NEUTROPHILS, BANDS) and is_percentage(label, found):
        kind = "bands" if label == BANDS else "neutrophils"
        shares.append(
            NeutrophilShare(kind, float(found.number.value), found.text, found.number.start)
        )
        return
    if label == BANDS or found.percent:
        return  # a band count or a percentage of something else: not a count we judge
    analyte = Analyte.WBC if label in (WBC, GENERIC) else Analyte.ANC
    values.append(to_lab_value(analyte, found))


def _neutropenic_anc(text: str, start: int, end: int) -> FoundValue | None:
    """Read "neutropenic (640)": a number alone in brackets, an ANC under 1,500/µL."""
    found = bracketed_value(text, start, end)
    if found is None:
        return None
    cells = to_lab_value(Analyte.ANC, found).cells_per_ul
    if cells is None or cells >= neutropenia_below():
        return None  # "neutropenic (2019)": an ANC under 1,500/µL is what the word means
    return found


def _segment_end(text: str, label: Span, labels: Sequence[Span]) -> int:
    """Tell where a name's value must end: the next name of any count, or the sentence's end."""
    end = _next_label_start(text, label.end_char, labels)
    boundary = SENTENCE_END.search(text, label.end_char, end)
    return boundary.start() if boundary else end


def _next_label_start(text: str, pos: int, labels: Sequence[Span]) -> int:
    """Tell where the next name after `pos` starts (the end of the text without one)."""
    return next((other.start_char for other in labels if other.start_char >= pos), len(text))


def _readings_after(
    text: str, start: int, end: int, label: Span, labels: Sequence[Span]
) -> list[tuple[str, FoundValue]]:
    """Find the value after a name, the readings following it in time, and those referring back."""
    key = label.label_
    first = _first_value(text, start, end)
    if first is not None and key == NEUTROPHILS and is_percentage(key, first):
        return [(key, reading) for reading in _share_and_count(text, first, end)]
    series = series_after(text, start, end, first) if first is not None else None
    if key in _REFERRED_TO:
        later_from = start if series is None else series.readings[-1].end
        series = later_in_sentence(text, later_from, end, series)
    region_end = _next_label_start(text, end, labels)
    if key in _REFERRED_TO and end < region_end:
        series = in_next_sentences(text, end, region_end, series)
    return [] if series is None else resolve(key, label.text, series)


def _first_value(text: str, start: int, end: int) -> FoundValue | None:
    """Find the first value after a name, skipping a range in words ("normal range is 4 to 11")."""
    first = scan_value(text, start, end)
    while first is not None:
        range_end = _range_from(text, start, first, end)
        if range_end is None:
            return first
        first = scan_value(text, range_end, end)
    return None


def _range_from(text: str, start: int, found: FoundValue, end: int) -> int | None:
    """Tell where a range in words starting at `found` ends ("wbc normal range is 4.0 to 11.0")."""
    if not set(words_in(text[start : found.number.start])) & narrative_words().range_words:
        return None
    numbers = range_numbers(text, found.number.start, end, between=True)
    return None if numbers is None else numbers[1]


def _share_and_count(text: str, first: FoundValue, end: int) -> list[FoundValue]:
    """Read the share, and the absolute count when one follows.

    "Neutrophils 62 % 2.5 x10^9/L", "neutrophils 38% and absolute 1.3".
    """
    readings = [first]
    second = scan_value(text, first.end, end)
    if second is None or second.percent:
        return readings
    said_absolute = {"absolute", "abs", "count"} & set(words_in(text[first.end : second.end]))
    if second.unit is not None or said_absolute:
        readings.append(second)
    return readings


_VALUE_BEFORE_LABEL = re.compile(
    r"(?<![\w.,])(?P<number>\d[\d.,\u00a0\u202f ]*?)[ \t]*(?P<rest>[^\d\n]{0,32}?)[ \t]*$"
)


# "Is 11.5 a normal white count?": an article and a judging word may stand between a number and
# the name after it; so may "for" ("the app says 320 for white cells").
_ASKED_ABOUT_BEFORE_LABEL = re.compile(
    r"(?:(?:is|was|be|as)\s+)?(?:a|an)(?:\s+(?:normal|good|bad|low|high|ok|okay|healthy|"
    r"abnormal|dangerous|safe|worrying|reasonable|decent|fine))?"
    # "is 2.9 a bad number for my white count?"
    r"(?:\s+(?:number|result|level|value|reading|score)(?:\s+(?:for|of)"
    r"(?:\s+(?:the|my|her|his|their|your|a))?)?)?"
    r"|for(?:\s+(?:the|my|her|his|their|your))?"  # "it said 12.9 for white cells"
    r"|(?:is|was)\s+(?:my|her|his|their|your|our|the)",  # "if 3.2 is my white count"
    re.IGNORECASE,
)


def _reading_before(text: str, label_start: int) -> FoundValue | None:
    """Read a number right before the name.

    "I have 2,900 white cells", "45% neutrophils", "Is 11.5 a normal white count?".
    """
    window_start = max(0, label_start - 40)
    with_unit = _value_with_unit_before(text, window_start, label_start)
    if with_unit is not None:
        return with_unit
    found = _VALUE_BEFORE_LABEL.search(text, window_start, label_start)
    if not found:
        return None
    number = NUMBER_PATTERN.match(text, found.start("number"), found.end("number") + 1)
    if number is None:
        return None
    between = text[number.end() : label_start].strip()
    unit = match_unit(between, 0) if between else None
    asked_about = _ASKED_ABOUT_BEFORE_LABEL.fullmatch(between) is not None
    if asked_about:
        return read_from(text, number.start(), number.end(), False, None)
    if between and between != "%" and (unit is None or unit.end != len(between)):
        return None  # "2900 cells/cumm. What is TLC": a sentence stands between
    if not_a_count(text, number.start(), number.end()):
        return None
    return read_from(text, number.start(), label_start, False, None)


def _value_with_unit_before(text: str, window_start: int, label_start: int) -> FoundValue | None:
    """Read a number and a unit with digits of its own right before the name.

    "2100/mm3 WBC", "3.2 x10^9/L white cells": the plain reading before a name stops at a digit.
    """
    for start in reversed(
        [m.start() for m in _NUMBER_START.finditer(text, window_start, label_start)]
    ):
        number = NUMBER_PATTERN.match(text, start, label_start)
        if number is None:
            continue
        between = text[number.end() : label_start].strip()
        unit = match_unit(between, 0) if between else None
        if unit is None or unit.end != len(between) or not any(c.isdigit() for c in between):
            continue
        if not_a_count(text, number.start(), number.end()):
            return None
        return read_from(text, number.start(), label_start, False, None)
    return None


_NUMBER_START = re.compile(r"(?<![\w.,])\d")


def _named_afterwards(text: str, label_start: int) -> FoundValue | None:
    """Read "Is 4.3 bad? It's my wbc": the one number of the sentence before.

    Only when the name's own clause only points back to it ("it's my", "that was the").
    """
    sentence_start = _sentence_start(text, label_start)
    if sentence_start == 0:
        return None
    leading = words_in(text[sentence_start:label_start])
    narrative = narrative_words()
    if not leading or leading[0] not in narrative.points_back:
        return None
    if not set(leading) <= narrative.points_back | narrative.link_words:
        return None
    before_start = _sentence_start(text, sentence_start - 1)
    numbers = [
        found
        for found in NUMBER_PATTERN.finditer(text, before_start, sentence_start)
        if not not_a_count(text, found.start(), found.end())
    ]
    if len(numbers) != 1:
        return None
    reading = read_from(text, numbers[0].start(), sentence_start, False, None)
    return None if reading is None or reading.percent else reading


def _sentence_start(text: str, pos: int) -> int:
    """Tell where the sentence holding `pos` starts (after the previous sentence's end)."""
    ends = _sentence_ends(text)
    before = bisect_right(ends, pos)
    return ends[before - 1] if before else 0


@lru_cache(maxsize=4)
def _sentence_ends(text: str) -> tuple[int, ...]:
    """Find where each sentence of the text ends: once per message, not once per name."""
    return tuple(boundary.end() for boundary in SENTENCE_END.finditer(text))


def _bare_readings(text: str, labels: Sequence[Span]) -> list[FoundValue]:
    """Find the readings in a message that names no count, read as white counts.

    White counts are the bot's one subject: a message that is only a number; counts told in time
    ("first 9,800, then 14,600 and yesterday 16,200": the latest judged); the one number of a
    message about a test ("they repeated it and it hadn't moved, still 2.7"). Not a number
    another test or sign is named before in its sentence ("temp 37.2 then 37.9"), nor one that
    may be an age, a temperature or a weight.
    """
    bare = _bare_value(text) if not labels else None
    if bare is not None:
        return [bare]
    numbers = [
        found
        for found in NUMBER_PATTERN.finditer(text)
        if not not_a_count(text, found.start(), found.end())
    ]
    if not numbers:
        return []
    found = numbers[0]
    sentence_start = _sentence_start(text, found.start())
    if any(sentence_start <= label.start_char < found.start() for label in labels):
        return []
    boundary = SENTENCE_END.search(text, found.end())
    end = boundary.start() if boundary else len(text)
    first = read_from(text, found.start(), end, False, None)
    if first is None or not _looks_like_a_white_count(first):
        return []
    series = series_after(text, sentence_start, end, first)  # "It dropped from 6.1 to 3.4"
    if len(series.readings) == 1:
        about_a_test = says(words_in(text), narrative_words().test_words)
        return [first] if len(numbers) == 1 and about_a_test else []
    told_in_time = series.from_to or len(series.readings) > 2 or said_in_time(series)
    if not told_in_time or is_a_span(series):
        return []
    if not all(_looks_like_a_white_count(reading) for reading in series.readings):
        return []
    return [reading for _, reading in resolve(GENERIC, "", series)]


def _looks_like_a_white_count(found: FoundValue) -> bool:
    """Tell a number no one would mistake for an age, a temperature or a weight.

    One with a count's unit, a decimal under 30 (thousands) that is no body temperature, or
    1,000 to 100,000.
    """
    if found.percent or found.negative:
        return False
    if found.unit is not None:  # every unit read is a count's
        return True
    value = found.number.value
    if not found.number.is_whole:
        return value < THOUSANDS_BELOW and not could_be_a_temperature(value)
    return CELLS_FROM <= value <= 100 * CELLS_FROM


def _bare_value(text: str) -> FoundValue | None:
    """Read a message that is only a number with an optional unit ("3.2", "3,200/uL") as a WBC."""
    found = _BARE_VALUE.match(text)
    if not found or not found.group("rest"):
        return None
    rest_start = found.start("rest")
    rest_end = found.end("rest")
    reading = read_from(text, rest_start, rest_end, False, None)
    if reading is None or reading.percent or reading.end != rest_end:
        return None
    if not_a_count(text, reading.number.start, reading.number.end):
        return None
    return reading
