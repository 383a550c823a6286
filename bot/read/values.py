"""Finding white counts, neutrophil counts and differential percentages in free text.

spaCy finds the names of counts (matchers.label_matcher); from the end of each name a small
scanner reads what follows on the same line or sentence: a number, its unit, the lab's H/L flag
and the lab's printed range, in the orders labs print them ("WBC 2.9 L 4.0-11.0 x10^3/uL",
"| WBC | 3.2 | L | 4.0-11.0 |", "Leukocytes ........ 2.7 L (4.0-10.5)", "TLC 3200 cells/cumm").

Stories are read too (the words are data, data/vocabulary.yml `narrative`):
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
clinical-reference.md section 4.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from bot.model import Analyte, LabFlag, LabRange, LabValue, NeutrophilShare
from bot.read.matchers import label_matcher, matched_spans, vocabulary
from bot.read.numbers import NUMBER_PATTERN, NumberLiteral, not_a_count, read_number
from bot.reference.ranges import celsius_up_to, neutropenia_below
from bot.reference.units import CELLS_PER_UL, THOUSANDS_PER_UL, UnitMatch, match_unit

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

# Label keys of data/vocabulary.yml.
WBC, ANC, NEUTROPHILS, BANDS = "wbc", "anc", "neutrophils", "bands"
NEUTROPENIA = "neutropenia"  # "neutropenic (640)": only a number in brackets is read
GENERIC = "generic"  # "count", "result": a white count only when no other name is there
OTHER = "other"  # another test's name: "platelets 140", and "temp", "fever" (no count after)
_TEMPERATURE_WORDS = frozenset({"temp", "temps", "temperature", "fever"})
_NAMED_COUNTS = frozenset({WBC, ANC, NEUTROPHILS, BANDS})  # with one, "count" is no name
_COUNT_LABELS = _NAMED_COUNTS | {NEUTROPENIA}
_LISTABLE = frozenset({WBC, ANC, NEUTROPHILS})  # "WBC and ANC were 1.9 and 0.5"
_REFERRED_TO = frozenset({WBC, ANC, NEUTROPHILS, GENERIC})  # "... It's at .6 now."

# Section 4: whole numbers below this with no unit are thousands; from here to 999 a white count
# needs a unit (unless flagged H, or typed with decimals that are no body temperature, "47.0":
# thousands then), and an ANC is already in cells/µL.
THOUSANDS_BELOW = Decimal(30)
CELLS_FROM = Decimal(1000)
PERCENT_MAX = Decimal(100)

MAX_WORDS_BETWEEN_LABEL_AND_VALUE = 6
MAX_WORDS_BETWEEN_READINGS = 8
MAX_READINGS_IN_A_SERIES = 6
MAX_SENTENCES_REFERRING_BACK = 2  # "My WBC is low. Is that bad? Mine was 3.1."

# Pseudo-words for what stands between two readings besides words.
_DATE = "#date"  # a date or a number with a time unit ("on 3/12", "2 weeks ago")
_NEW_SENTENCE = "#sentence"  # the reading is in a later sentence that refers back
_SOMEONE_ELSE = "#someone-else"  # "hers is 3.9", "our son's was 1.1": maybe another person's
# Words that join two readings; what stands before one belongs to the first reading.
_JOINS = frozenset({",", "and", "then", "but", "or", "vs", "versus", "->", "→", "=>", "to"})
_JOINS |= {_NEW_SENTENCE}

# A full stop ends a sentence; a run of dots before a number is a report's leader
# ("Leukocytes ........ 2.7") or an ellipsis before the value ("my wbc is... 2.1").
_SENTENCE_END = re.compile(
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
_GAP_TOKEN = re.compile(r"\s+|->|=>|→|[^\W\d_]+(?:['’][^\W\d_]+)*\.?|.", re.DOTALL)
_PUNCTUATION = frozenset("()[]{}:~-–—/|*\"“”'‘’")
_FROM = re.compile(r"\bfrom[ \t]+", re.IGNORECASE)
# Where a clause ends: a comma, colon or semicolon (not inside "32,000" or "10:30") or a word.
_CLAUSE_BREAK = re.compile(
    r"(?<!\d)[,:]|[,:](?!\d)|;|\b(?:but|and|so|while|although|though|whereas)\b", re.IGNORECASE
)
_NOT_POSSESSIVE = frozenset({"it's", "that's", "he's", "she's", "what's", "there's", "here's"})
_BRACKET_OPEN = re.compile(r"[ \t]*[(\[][ \t]*")
_BRACKET_CLOSE = re.compile(r"[ \t]*[)\]]")
_LIST_JOIN = re.compile(r"[ \t]*(?:,|&|\+|/|and\b)[ \t]*(?:and\b[ \t]*)?$", re.IGNORECASE)
# "3.2", "is 10.8 ok", "is 2.0 very low?": a number and, at most, a word that judges it.
_BARE_VALUE = re.compile(
    r"^\s*(?:is\s+|was\s+)?(?P<rest>.*?)\s*"
    r"(?:(?:a\s+)?(?:(?:very|too|really|so)\s+)?(?:ok|okay|normal|low|high|bad|good|fine|"
    r"dangerous|worrying|concerning)\s*)?[?!.]*\s*$",
    re.DOTALL | re.IGNORECASE,
)


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
    previous: _Reading | None = None  # the reading before this one, when they are in time
    earlier: tuple[_Reading, ...] = ()  # every reading before this one in time, oldest first


@dataclass(frozen=True)
class _Link:
    """What stands between two readings of one count, and the second reading."""

    words: tuple[str, ...]
    reading: _Reading


@dataclass(frozen=True)
class _Series:
    """Readings after one name, in text order, with the words around them."""

    readings: tuple[_Reading, ...]
    links: tuple[tuple[str, ...], ...]  # words between reading i and i + 1
    before: tuple[str, ...]  # words between the name and the first reading
    after: tuple[str, ...]  # words after the last reading
    fits_after: tuple[bool, ...]  # per reading: whether what follows it may follow a count
    from_to: bool = False  # "from 6.2 to 3.9": in time, in this order


@dataclass(frozen=True)
class _Narrative:
    """The words of data/vocabulary.yml `narrative`, ready to compare."""

    counts_words: frozenset[str]
    link_words: frozenset[str]
    now_words: frozenset[str]  # phrases: "last week" is two words
    recent_words: frozenset[str]
    earlier_words: frozenset[str]
    sequence_words: frozenset[str]
    after_a_reading: frozenset[str]
    refers_back: frozenset[str]
    points_back: frozenset[str]
    test_words: frozenset[str]
    names_back: frozenset[str]
    names_someone_else: frozenset[str]
    range_words: frozenset[str]


@cache
def _narrative() -> _Narrative:
    """Read the narrative words once."""
    words = vocabulary()["narrative"]
    months = vocabulary()["not_counts"]["months"]

    def each_word(*lists: Iterable[object]) -> frozenset[str]:
        return frozenset(w.lower() for items in lists for item in items for w in str(item).split())

    def phrases(key: str) -> frozenset[str]:
        return frozenset(str(item).lower() for item in words[key])

    return _Narrative(
        counts_words=phrases("counts_words"),
        link_words=each_word(words["link_words"], months, words["weekdays"]) | {","},
        now_words=phrases("now_words"),
        recent_words=phrases("recent_words"),
        earlier_words=phrases("earlier_words"),
        sequence_words=each_word(words["sequence_words"], months, words["weekdays"]) | {_DATE},
        after_a_reading=each_word(words["after_a_reading"]),
        refers_back=phrases("refers_back"),
        points_back=each_word(words["points_back"]),
        test_words=phrases("test_words"),
        names_back=phrases("names_back"),
        names_someone_else=phrases("names_someone_else"),
        range_words=phrases("range_words"),
    )


def label_spans(doc: Doc) -> list[Span]:
    """The names of counts and of other tests in the message (found once per message)."""
    return matched_spans(label_matcher(), doc)


def find_lab_values(
    doc: Doc, labels: Sequence[Span]
) -> tuple[tuple[LabValue, ...], tuple[NeutrophilShare, ...]]:
    """Every count and differential percentage in the message (`labels`: its label_spans), in
    text order."""
    text = doc.text
    if any(span.label_ in _NAMED_COUNTS for span in labels):
        labels = [span for span in labels if span.label_ != GENERIC]  # "TLC count 3800"
    count_labels = [span for span in labels if span.label_ in _COUNT_LABELS | {GENERIC}]
    values: list[LabValue] = []
    shares: list[NeutrophilShare] = []
    for group in _listed_together(text, count_labels):
        for key, reading in _readings_of(text, group, labels):
            _collect(key, reading, values, shares)
    if not count_labels:
        for reading in _bare_readings(text, labels):
            _collect(WBC, reading, values, shares)
    values.sort(key=lambda value: value.start)
    shares.sort(key=lambda share: share.start)
    return tuple(values), tuple(shares)


def names_a_test(labels: Sequence[Span]) -> bool:
    """Whether the message's label_spans name a lab test (a count or another test); a
    temperature or fever word is no test."""
    return any(
        span.label_ != OTHER or span.text.lower() not in _TEMPERATURE_WORDS for span in labels
    )


def _readings_of(
    text: str, group: Sequence[Span], labels: Sequence[Span]
) -> list[tuple[str, _Reading]]:
    """The readings of one name, or of names listed together ("WBC and ANC: 1.9 and 0.5")."""
    if len(group) > 1:
        listed = _listed_readings(text, group, labels)
        if listed:
            return listed
        return [found for label in group for found in _readings_of(text, [label], labels)]
    label = group[0]
    segment_end = _segment_end(text, label, labels)
    if label.label_ == NEUTROPENIA:
        bracketed = _bracketed_reading(text, label.end_char, segment_end)
        return [(ANC, bracketed)] if bracketed else []
    found = _readings_after(text, label.end_char, segment_end, label, labels)
    if not found:
        before = _reading_before(text, label.start_char) or _named_afterwards(
            text, label.start_char
        )
        found = [(label.label_, before)] if before else []
    return found


def _listed_together(text: str, count_labels: Sequence[Span]) -> list[list[Span]]:
    """Names in a row joined by "and", "&", "/" or a comma form one group; others are alone."""
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
) -> list[tuple[str, _Reading]]:
    """ "WBC and ANC were 1.9 and 0.5": as many readings as names, in the same order."""
    last = group[-1]
    end = _segment_end(text, last, labels)
    first = _scan_value(text, last.end_char, end)
    if first is None:
        return []
    readings = [first]
    while len(readings) < len(group):
        link = _link_after(text, readings[-1], end)
        if link is None or not set(link.words) <= {",", "and", "&"}:
            return []
        readings.append(link.reading)
    if _link_after(text, readings[-1], end) is not None:
        return []  # more numbers than names: not a list of one value each
    return [(label.label_, reading) for label, reading in zip(group, readings, strict=True)]


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
    converted = _to_lab_value(value.analyte, reading)
    return replace(
        converted,
        previous_cells_per_ul=value.previous_cells_per_ul,
        earlier_in_message=value.earlier_in_message,
    )


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
        cells, assumed = _cells_without_unit(analyte, reading)
        cells = None if cells is None else sign * cells
        factor = THOUSANDS_PER_UL.cells_per_ul if assumed else CELLS_PER_UL.cells_per_ul
    if reading.range_numbers is not None and cells is not None:
        lab_range = _lab_range(reading.range_numbers, factor)
    previous = None
    if reading.previous is not None:
        previous = _to_lab_value(analyte, reading.previous).cells_per_ul
    earlier = (_to_lab_value(analyte, before).cells_per_ul for before in reading.earlier)
    return LabValue(
        analyte=analyte,
        text=reading.text,
        start=literal.start - (1 if reading.negative else 0),
        cells_per_ul=None if cells is None else float(cells),
        unit_assumed=assumed,
        lab_range=lab_range,
        lab_flag=reading.flag,
        previous_cells_per_ul=previous,
        earlier_in_message=tuple(cells for cells in earlier if cells is not None),
    )


def _cells_without_unit(analyte: Analyte, reading: _Reading) -> tuple[Decimal | None, bool]:
    """Section 4: (cells/µL or None when a unit is needed, whether thousands were assumed)."""
    literal, range_numbers = reading.number, reading.range_numbers
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
    if reading.flag is LabFlag.HIGH:
        return value * THOUSANDS_PER_UL.cells_per_ul, True  # 30-999/µL is never flagged high
    if not literal.is_whole and not _could_be_a_temperature(value):
        return value * THOUSANDS_PER_UL.cells_per_ul, True  # "47.0": cells/µL have no decimals
    return None, False


def _could_be_a_temperature(value: Decimal) -> bool:
    """ "38.5", "101.2": a body temperature without its unit (section 5), so not assumed to be
    a white count in thousands."""
    celsius = float(value)
    if celsius > celsius_up_to():
        celsius = (celsius - 32.0) * 5.0 / 9.0
    low, high = LIKELY_BODY_CELSIUS
    return low <= celsius <= high


# What a thermometer at home shows (a fever or a low temperature), for the question above: "wbc
# 34.0" is 34,000 (section 4: "52.0" is 52,000), "wbc 38.5" asks for the unit.
LIKELY_BODY_CELSIUS = (35.0, 42.0)


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
    end = _next_label_start(text, label.end_char, labels)
    boundary = _SENTENCE_END.search(text, label.end_char, end)
    return boundary.start() if boundary else end


def _next_label_start(text: str, pos: int, labels: Sequence[Span]) -> int:
    """Where the next name after `pos` starts (the end of the text without one)."""
    return next((other.start_char for other in labels if other.start_char >= pos), len(text))


def _readings_after(
    text: str, start: int, end: int, label: Span, labels: Sequence[Span]
) -> list[tuple[str, _Reading]]:
    """The value after a name, the readings that follow it in time, and those that refer back."""
    key = label.label_
    first = _first_value(text, start, end)
    if first is not None and key == NEUTROPHILS and _is_percentage(key, first):
        return [(key, reading) for reading in _share_and_count(text, first, end)]
    series = _series_after(text, start, end, first) if first is not None else None
    if key in _REFERRED_TO:
        later_from = start if series is None else series.readings[-1].end
        series = _later_in_sentence(text, later_from, end, series)
    region_end = _next_label_start(text, end, labels)
    if key in _REFERRED_TO and end < region_end:
        series = _in_next_sentences(text, end, region_end, series)
    return [] if series is None else _resolve(key, label.text, series)


def _first_value(text: str, start: int, end: int) -> _Reading | None:
    """The first value after a name; a range in words is skipped ("normal range is 4 to 11")."""
    first = _scan_value(text, start, end)
    while first is not None:
        range_end = _range_from(text, start, first, end)
        if range_end is None:
            return first
        first = _scan_value(text, range_end, end)
    return None


def _range_from(text: str, start: int, reading: _Reading, end: int) -> int | None:
    """ "wbc normal range is 4.0 to 11.0": where the range that starts at `reading` ends."""
    if not set(_words(text[start : reading.number.start])) & _narrative().range_words:
        return None
    found = _range_numbers(text, reading.number.start, end, between=True)
    return None if found is None else found[1]


def _share_and_count(text: str, first: _Reading, end: int) -> list[_Reading]:
    """ "Neutrophils 62 % 2.5 x10^9/L", "neutrophils 38% and absolute 1.3": the share, and the
    absolute count when one follows."""
    readings = [first]
    second = _scan_value(text, first.end, end)
    if second is None or second.percent:
        return readings
    said_absolute = {"absolute", "abs", "count"} & set(_words(text[first.end : second.end]))
    if second.unit is not None or said_absolute:
        readings.append(second)
    return readings


def _series_after(text: str, start: int, end: int, first: _Reading) -> _Series:
    """The first reading and those joined to it ("2.8 and then 4.9", "from 6.2 to 3.9")."""
    before = tuple(_words(text[start : first.number.start]))
    earlier = _earlier_from(text, start, first)
    readings: list[_Reading] = [first] if earlier is None else [earlier, first]
    links: list[tuple[str, ...]] = [] if earlier is None else [("to",)]
    while len(readings) < MAX_READINGS_IN_A_SERIES and not readings[-1].percent:
        link = _link_after(text, readings[-1], end)
        if link is None:
            break
        readings.append(link.reading)
        links.append(link.words)
    after = _words_after(text, readings[-1].end, end)
    fits = tuple(_fits_after(text, reading.end, end) for reading in readings)
    return _Series(tuple(readings), tuple(links), before, after, fits, earlier is not None)


def _earlier_from(text: str, start: int, reading: _Reading) -> _Reading | None:
    """ "went from (about) 6.2 to 3.9": the reading after "from", when `reading` follows "to"."""
    froms = list(_FROM.finditer(text, start, reading.number.start))
    if not froms:
        return None
    found = NUMBER_PATTERN.search(text, froms[-1].end(), reading.number.start)
    if found is None:
        return None
    earlier = _read_from(text, found.start(), reading.number.start, False, None)
    if earlier is None or earlier.percent:
        return None
    gap = _words(text[earlier.end : reading.number.start])
    if not gap or gap[-1] not in ("to", "->", "→", "=>"):
        return None
    lead = _words(text[froms[-1].end() : found.start()])
    return earlier if set(gap + lead) <= _narrative().link_words else None


def _link_after(text: str, reading: _Reading, end: int) -> _Link | None:
    """The next reading of the same count, when only linking words stand between."""
    allowed = _narrative().link_words
    words: list[str] = []
    pos = reading.end
    while pos < end:
        if _number_starts(text, pos, end):
            found = NUMBER_PATTERN.match(text, pos, end)
            if found is None:
                return None
            skipped = _past_a_date(text, found, end, words)
            if skipped is not None:
                pos = skipped
                continue
            following = _read_from(text, pos, end, False, None) if words else None
            return _Link(tuple(words), following) if following else None
        token = _GAP_TOKEN.match(text, pos, end)
        assert token is not None  # the pattern matches any character
        word = _word_of(token.group(0))
        if word:
            if word not in allowed or len(words) >= MAX_WORDS_BETWEEN_READINGS:
                return None
            words.append(word)
        pos = token.end()
    return None


def _past_a_date(text: str, found: re.Match[str], end: int, words: list[str]) -> int | None:
    """Where the scan goes on when the number is a date, age or dose (noted in `words`)."""
    if not not_a_count(text, found.start(), found.end()):
        return None
    words.append(_DATE)
    return _skip_number_like(text, found.end(), end)


def _later_in_sentence(text: str, start: int, end: int, series: _Series | None) -> _Series | None:
    """Readings in the sentence's later clauses that refer back to the count ("dropped from 6.1
    to 3.4 over the summer and now it's 1.9"): later readings of it."""
    found = _readings_referring_back(text, start, end)
    if series is not None:
        found = [(words, reading) for words, reading in found if _SOMEONE_ELSE not in words]
        if found:
            words, reading = found[0]
            found[0] = ([_NEW_SENTENCE, *words], reading)  # said after it: later in time
    return _extended(text, series, found, end)


def _in_next_sentences(text: str, start: int, end: int, series: _Series | None) -> _Series | None:
    """Readings in the next sentences that refer back to the count ("It's at .6 now.")."""
    pos = start
    for _ in range(MAX_SENTENCES_REFERRING_BACK):
        if pos >= end:
            break
        boundary = _SENTENCE_END.search(text, pos + 1, end)
        sentence_end = boundary.start() if boundary else end
        found = _readings_referring_back(text, pos + 1, sentence_end)
        if series is not None:  # "My WBC is 3.2. His is 5.": not a later reading of mine
            found = [(words, reading) for words, reading in found if _SOMEONE_ELSE not in words]
        if found:
            words, reading = found[0]
            found[0] = ([_NEW_SENTENCE, *words], reading)
            series = _extended(text, series, found, sentence_end)
        pos = sentence_end
    return series


def _readings_referring_back(text: str, start: int, end: int) -> list[tuple[list[str], _Reading]]:
    """One reading from each clause that refers back to the count: "it was fine at the start but
    on Monday it was 1.9", "Mine was 3.8", "my count came back 3.7"."""
    found = []
    clause_start = start
    for boundary in [*_CLAUSE_BREAK.finditer(text, start, end), None]:
        clause_end = boundary.start() if boundary else end
        reading = _reading_in_clause(text, clause_start, clause_end)
        if reading is not None:
            found.append(reading)
        clause_start = boundary.end() if boundary else end
    return found


def _reading_in_clause(text: str, start: int, end: int) -> tuple[list[str], _Reading] | None:
    """The first number of a clause, when a word refers back to the count right before it."""
    narrative = _narrative()
    words: list[str] = []  # the linking words right before the number
    only_linking = True  # whether the clause has only linking words so far
    pos = start
    while pos < end:
        if _number_starts(text, pos, end):
            found = NUMBER_PATTERN.match(text, pos, end)
            if found is None:
                return None
            skipped = _past_a_date(text, found, end, words)
            if skipped is not None:
                pos = skipped
                continue
            reading = _clause_reading(text, start, pos, end, words)
            if reading is not None and _refers_back(words, only_linking, reading[1]):
                return _marked(words), reading[1]
            if "from" not in words[-2:]:
                return None
            words.append(_DATE)  # "from about 6 to 3.9": the earlier reading, read with the later
            pos = _skip_number_like(text, found.end(), end)
            continue
        token = _GAP_TOKEN.match(text, pos, end)
        assert token is not None  # the pattern matches any character
        word = _word_of(token.group(0))
        if word in narrative.link_words or word in narrative.names_back or _names_other(word):
            words.append(word)
        elif word:
            words, only_linking = [], False
        pos = token.end()
    return None


def _refers_back(words: Sequence[str], only_linking: bool, reading: _Reading) -> bool:
    """ "it's at", "now", "from 6 to" (leading the clause) or "mine was", "our daughter's was"
    (anywhere)."""
    narrative = _narrative()
    if only_linking and (_says(words, narrative.refers_back) or reading.previous is not None):
        return True
    if set(words) & narrative.names_back:
        return True
    return any(_names_other(word) for word in words[:-1])  # not "my son's 4" (is 4)


def _names_other(word: str) -> bool:
    """ "hers", "his", "daughter's", "husband's" (not "it's", "that's", "he's")."""
    if word in _narrative().names_someone_else:
        return True
    return word.endswith("'s") and len(word) > 3 and word not in _NOT_POSSESSIVE


def _marked(words: list[str]) -> list[str]:
    """The words before a reading, marked when they name someone else's count."""
    narrative = _narrative()
    if set(words) & narrative.names_back or not any(_names_other(word) for word in words):
        return words
    return [*words, _SOMEONE_ELSE]


def _clause_reading(
    text: str, start: int, pos: int, end: int, words: list[str]
) -> tuple[list[str], _Reading] | None:
    """Read the number at `pos` of a clause, if what follows it may follow a count."""
    reading = _read_from(text, pos, end, False, None)
    if reading is None or reading.percent or not _fits_after(text, reading.end, end):
        return None
    earlier = _earlier_from(text, start, reading)
    return words, reading if earlier is None else replace(reading, previous=earlier)


def _extended(
    text: str, series: _Series | None, found: Sequence[tuple[list[str], _Reading]], end: int
) -> _Series | None:
    """A series with readings from later clauses added at its end ("from X to Y" as two)."""
    for words, reading in found:
        after = _words_after(text, reading.end, end)
        earlier = reading.previous
        added = (earlier, replace(reading, previous=None)) if earlier else (reading,)
        links = (("to",),) if earlier else ()
        if series is None:
            series = _Series(added, links, tuple(words), after, (True,) * len(added), bool(earlier))
            continue
        link = (*series.after, *words)
        series = _Series(
            series.readings + added,
            (*series.links, link, *links),
            series.before,
            after,
            series.fits_after + (True,) * len(added),
            series.from_to,
        )
    return series


def _resolve(key: str, label_text: str, series: _Series) -> list[tuple[str, _Reading]]:
    """Which readings of a series are counts: the latest of readings in time, or each of two."""
    readings = series.readings
    if len(readings) == 1:
        return [(key, readings[0])]
    if _after_counts_word(key, label_text) and not _said_in_time(series):
        if _is_white_count_then_anc(series):
            return [(WBC, readings[0]), (ANC, readings[1])]
        return [(key, readings[0])]  # "counts were 1.9 and 0.5": which count is the second?
    if _is_a_span(series):
        return []  # "around 4.0 to 4.3": no single reading to judge
    if series.from_to or _in_time(series):
        *earlier, latest = _in_time_order(series)
        return [(key, _with_earlier(readings[latest], [readings[i] for i in earlier]))]
    return [(key, readings[0])] + [
        (key, reading)
        for reading, words, fits in zip(
            readings[1:], series.links, series.fits_after[1:], strict=True
        )
        if fits and _another_reading(readings[0], reading, words)
    ]


def _after_counts_word(key: str, label_text: str) -> bool:
    """Whether the name is a plural one that may carry several counts ("my counts were")."""
    return key == GENERIC and label_text.lower() in _narrative().counts_words


def _is_white_count_then_anc(series: _Series) -> bool:
    """ "counts were 1.9 and 520": a white count, then a whole 30 to 999 that is the ANC."""
    if len(series.readings) != 2:
        return False
    first, second = series.readings
    return (
        series.fits_after[1]
        and set(series.links[0]) <= {",", "and", "&"}
        and first.unit is None
        and second.unit is None
        and not second.negative
        and second.number.is_whole
        and THOUSANDS_BELOW <= second.number.value < CELLS_FROM
    )


def _in_time(series: _Series) -> bool:
    """Whether the readings of one count are in time: three or more in a row ("WBC 3.4, 3.3 and
    3.2": results listed as they came), or said to be."""
    return len(series.readings) > 2 or _said_in_time(series)


def _said_in_time(series: _Series, but: frozenset[str] = frozenset()) -> bool:
    """Whether words such as "then", "today", "on Monday" or a later sentence (other than those
    in `but`) put the readings in time."""
    words = {word for link in series.links for word in link} | set(series.after)
    words |= set(series.before)
    return bool(words & ((_narrative().sequence_words | {_NEW_SENTENCE}) - but))


def _is_a_span(series: _Series) -> bool:
    """ "around 4.0 to 4.3", "3.2 to 3.5 usually": two numbers joined by "to" alone, with no word
    of time or movement ("went", "dropped", "from", "then")."""
    if series.from_to or len(series.readings) != 2 or series.links[0] != ("to",):
        return False
    return not _said_in_time(series, but=frozenset({"to"}))


def _in_time_order(series: _Series) -> list[int]:
    """The indices of readings in time, oldest first: by the words around each (the most recent
    last), the one typed later of equally recent ones; "from 6.2 to 3.9" in typed order."""
    indices = list(range(len(series.readings)))
    if series.from_to:
        return indices
    recency = [_recency(context) for context in _contexts(series)]
    return sorted(indices, key=lambda index: (recency[index], index))


def _recency(words: Sequence[str]) -> int:
    """How recent the words around a reading say it is: 3 now, 2 recent, 1 unsaid, 0 earlier."""
    narrative = _narrative()
    if _says(words, narrative.now_words):
        return 3
    if _says(words, narrative.recent_words):
        return 2
    return 0 if _says(words, narrative.earlier_words) else 1


def _contexts(series: _Series) -> list[list[str]]:
    """The words that belong to each reading: the link before it is split at its joining word."""
    contexts = [list(series.before)]
    for link in series.links:
        cut = next((i for i, word in enumerate(link) if word in _JOINS), 0)
        contexts[-1] += link[:cut]
        contexts.append(list(link[cut:]))
    contexts[-1] += series.after
    return contexts


def _says(words: Sequence[str], phrases: frozenset[str]) -> bool:
    """Whether one of the phrases stands among the words ("last week" in "it was last week")."""
    joined = f" {' '.join(words)} "
    return any(f" {phrase} " in joined for phrase in phrases)


def _with_earlier(latest: _Reading, earlier: Sequence[_Reading]) -> _Reading:
    """The latest reading carrying those before it (oldest first); a unit typed once applies
    to every reading of the series."""
    unit = latest.unit or next((r.unit for r in reversed(earlier) if r.unit is not None), None)
    earlier = [r if r.unit is not None else replace(r, unit=unit) for r in earlier]
    if latest.unit is None:
        latest = replace(latest, unit=unit)
    return replace(latest, previous=earlier[-1], earlier=tuple(earlier))


def _another_reading(first: _Reading, following: _Reading, words: tuple[str, ...]) -> bool:
    """ "4,000 or 4,500", "3.2 and 4.1": a second reading; "3.2, 4.1" is not said to be one."""
    if not set(words) & {"and", "or", "vs", "versus"}:
        return False
    return not following.percent and following.number.is_whole == first.number.is_whole


def _fits_after(text: str, pos: int, end: int) -> bool:
    """A reading ends the clause or is followed by a word that may follow a count; a name right
    after it claims it ("1.9 and 150 platelets")."""
    after = _words(text[pos:end])
    if after:
        return after[0] in _narrative().after_a_reading or after[0] == ","
    return not _name_at(text, end) or bool(text[pos:end].strip())


def _name_at(text: str, pos: int) -> bool:
    """Whether a name starts at `pos` (a segment that ends neither the text nor a sentence)."""
    return (
        pos < len(text)
        and not _SENTENCE_END.match(text, pos)
        and not _CLAUSE_BREAK.match(text, pos)
    )


def _words_after(text: str, pos: int, end: int) -> tuple[str, ...]:
    """The linking words right after a reading, up to the first other word."""
    found: list[str] = []
    for word in _words(text[pos:end]):
        if word not in _narrative().link_words or len(found) >= MAX_WORDS_BETWEEN_READINGS:
            break
        found.append(word)
    return tuple(found)


def _words(text: str) -> list[str]:
    """The lower-case words, arrows and commas of a stretch of text."""
    return [word for token in _GAP_TOKEN.findall(text) if (word := _word_of(token))]


def _word_of(token: str) -> str:
    """A token as a word to compare ("It’s" -> "it's"); empty for spaces and punctuation."""
    if token.isspace() or token in _PUNCTUATION:
        return ""
    return token.lower().replace("’", "'").rstrip(".") or token


def _number_starts(text: str, pos: int, end: int) -> bool:
    """Whether a number (or a decimal point before digits) starts at `pos`."""
    if pos >= end:
        return False
    char = text[pos]
    return char.isdigit() or (char in ".," and pos + 1 < end and text[pos + 1].isdigit())


def _bracketed_reading(text: str, start: int, end: int) -> _Reading | None:
    """ "neutropenic (640)": a number alone in brackets, an ANC under 1,500/µL."""
    opening = _BRACKET_OPEN.match(text, start, end)
    if opening is None or not _number_starts(text, opening.end(), end):
        return None
    closing = _BRACKET_CLOSE.search(text, opening.end(), end)
    if closing is None:
        return None
    reading = _read_from(text, opening.end(), closing.start(), False, None)
    if reading is None or reading.percent or text[reading.end : closing.start()].strip():
        return None
    if not_a_count(text, reading.number.start, reading.number.end):
        return None
    cells = _to_lab_value(Analyte.ANC, reading).cells_per_ul
    if cells is None or cells >= neutropenia_below():
        return None  # "neutropenic (2019)": an ANC under 1,500/µL is what the word means
    return reading


def _scan_value(text: str, start: int, end: int) -> _Reading | None:
    """Skip filler words and units ("was", "(x10^9/L)", "count came back at") to a number."""
    pos = start
    words = 0
    unit_before: UnitMatch | None = None
    while pos < end:
        char = text[pos]
        if char in "-−" and pos + 1 < end and text[pos + 1].isdigit():
            number = NUMBER_PATTERN.match(text, pos + 1, end)
            if number and not _before_is_digit(text, pos) and not _joins_name(text, start, pos):
                return _read_from(text, pos + 1, end, True, unit_before)
        leader = _LEADER.match(text, pos, end)
        if leader and not _number_starts(text, pos, end):
            pos = leader.end()  # "Leukocytes ........ 2.7"
            continue
        if char in _SKIPPABLE or char in "-−–—" or char.isspace():
            pos += 1
            continue
        if _number_starts(text, pos, end):
            found = NUMBER_PATTERN.match(text, pos, end)
            if found is None:
                pos += 1
                continue
            if not_a_count(text, found.start(), found.end()):
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


def _joins_name(text: str, start: int, pos: int) -> bool:
    """ "WBC-3.2": a hyphen typed right after the name joins it to its value, not a minus."""
    return pos == start and start > 0 and text[start - 1].isalnum()


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
    percent_match = None if unit is not None or flag is None else _PERCENT.match(text, cursor, end)
    if percent_match:  # "NEUT % 22.4 L % 40.0-74.0": a flag between the number and its "%"
        typed = text[(pos - 1 if negative else pos) : text_end]
        return _Reading(literal, negative, None, True, flag, None, typed, percent_match.end())
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
    """A printed range ("(4.0-11.0)", "4.000 a 11.000") or one in words ("normal is 4.5 to 11")."""
    in_words = _RANGE_IN_WORDS.match(text, pos, end)
    for intro in (in_words, _RANGE_INTRO.match(text, pos, end)):
        if intro is None:
            continue
        between = intro is in_words and intro.group("between") is not None
        found = _range_numbers(text, intro.end(), end, between)
        if found is not None:
            return found
    return None, pos


def _range_numbers(
    text: str, cursor: int, end: int, between: bool
) -> tuple[tuple[NumberLiteral, NumberLiteral], int] | None:
    """Two numbers joined by a dash or "to" (or "and" after "between"), from `cursor`."""
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


# "Is 11.5 a normal white count?": an article and a judging word may stand between a number and
# the name after it; so may "for" ("the app says 320 for white cells").
_ASKED_ABOUT_BEFORE_LABEL = re.compile(
    r"(?:a|an)(?:\s+(?:normal|good|bad|low|high|ok|okay|healthy|abnormal|dangerous|safe|"
    r"worrying|reasonable))?"
    r"|for(?:\s+(?:the|my|her|his|their|your))?",  # "it said 12.9 for white cells"
    re.IGNORECASE,
)


def _reading_before(text: str, label_start: int) -> _Reading | None:
    """ "I have 2,900 white cells", "45% neutrophils", "Is 11.5 a normal white count?": a number
    right before the name."""
    window_start = max(0, label_start - 40)
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
        return _read_from(text, number.start(), number.end(), False, None)
    if between and between != "%" and (unit is None or unit.end != len(between)):
        return None  # "2900 cells/cumm. What is TLC": a sentence stands between
    if not_a_count(text, number.start(), number.end()):
        return None
    return _read_from(text, number.start(), label_start, False, None)


def _named_afterwards(text: str, label_start: int) -> _Reading | None:
    """ "Is 4.3 bad? It's my wbc": the one number of the sentence before, when the name's own
    clause only points back to it ("it's my", "that was the")."""
    sentence_start = _sentence_start(text, label_start)
    if sentence_start == 0:
        return None
    leading = _words(text[sentence_start:label_start])
    narrative = _narrative()
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
    reading = _read_from(text, numbers[0].start(), sentence_start, False, None)
    return None if reading is None or reading.percent else reading


def _sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding `pos` starts (after the previous sentence's end)."""
    ends = _sentence_ends(text)
    before = bisect_right(ends, pos)
    return ends[before - 1] if before else 0


@lru_cache(maxsize=4)
def _sentence_ends(text: str) -> tuple[int, ...]:
    """Where each sentence of the text ends: found once per message, not once per name."""
    return tuple(boundary.end() for boundary in _SENTENCE_END.finditer(text))


def _bare_readings(text: str, labels: Sequence[Span]) -> list[_Reading]:
    """Readings in a message that names no count, read as white counts (the bot's one subject):
    a message that is only a number; counts told in time ("first 9,800, then 14,600 and
    yesterday 16,200": the latest judged); the one number of a message about a test ("they
    repeated it and it hadn't moved, still 2.7"). Not a number another test or sign is named
    before in its sentence ("temp 37.2 then 37.9"), nor one that may be an age, a temperature or
    a weight."""
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
    boundary = _SENTENCE_END.search(text, found.end())
    end = boundary.start() if boundary else len(text)
    first = _read_from(text, found.start(), end, False, None)
    if first is None or not _looks_like_a_white_count(first):
        return []
    series = _series_after(text, sentence_start, end, first)  # "It dropped from 6.1 to 3.4"
    if len(series.readings) == 1:
        about_a_test = _says(_words(text), _narrative().test_words)
        return [first] if len(numbers) == 1 and about_a_test else []
    told_in_time = series.from_to or len(series.readings) > 2 or _said_in_time(series)
    if not told_in_time or _is_a_span(series):
        return []
    if not all(_looks_like_a_white_count(reading) for reading in series.readings):
        return []
    return [reading for _, reading in _resolve(GENERIC, "", series)]


def _looks_like_a_white_count(reading: _Reading) -> bool:
    """A number no one would mistake for an age, a temperature or a weight: one with a count's
    unit, a decimal under 30 (thousands) that is no body temperature, or 1,000 to 100,000."""
    if reading.percent or reading.negative:
        return False
    if reading.unit is not None:  # every unit read is a count's
        return True
    value = reading.number.value
    if not reading.number.is_whole:
        return value < THOUSANDS_BELOW and not _could_be_a_temperature(value)
    return CELLS_FROM <= value <= 100 * CELLS_FROM


def _bare_value(text: str) -> _Reading | None:
    """A message that is only a number with an optional unit ("3.2", "3,200/uL") is a WBC."""
    found = _BARE_VALUE.match(text)
    if not found or not found.group("rest"):
        return None
    rest_start = found.start("rest")
    rest_end = found.end("rest")
    reading = _read_from(text, rest_start, rest_end, False, None)
    if reading is None or reading.percent or reading.end != rest_end:
        return None
    if not_a_count(text, reading.number.start, reading.number.end):
        return None
    return reading
