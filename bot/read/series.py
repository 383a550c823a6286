"""Linking the values of one count told in time, and deciding which is the latest.

People tell a count as a story: "went from 6.2 to 3.9", "3.2 on Monday and 2.8 today", "WBC 3.4,
3.3 and 3.2", or in a later clause or sentence that refers back to it ("My WBC keeps dropping.
It's at .6 now.", "Mine was 3.8"). This module gathers the values after one name into a Series,
with the words that stand between and around them (the words are data, data/vocabulary.yml
`narrative`), and resolves it: the most recent value, carrying those before it, or each of two
values that are separate counts ("counts were 1.9 and 520"). It builds on the scanner of one
value (value_scan.py) and is called per name by the entry points (values.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from bot.read.count_values import ANC, CELLS_FROM, GENERIC, THOUSANDS_BELOW, WBC
from bot.read.matchers import vocabulary
from bot.read.numbers import NUMBER_PATTERN, not_a_count
from bot.read.value_scan import (
    SENTENCE_END,
    FoundValue,
    number_starts,
    read_from,
    skip_number_like,
)

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

_GAP_TOKEN = re.compile(r"\s+|->|=>|→|[^\W\d_]+(?:['’][^\W\d_]+)*\.?|.", re.DOTALL)
_PUNCTUATION = frozenset("()[]{}:~-–—/|*\"“”'‘’")
_FROM = re.compile(r"\bfrom[ \t]+", re.IGNORECASE)
# Where a clause ends: a comma, colon or semicolon (not inside "32,000" or "10:30") or a word.
_CLAUSE_BREAK = re.compile(
    r"(?<!\d)[,:]|[,:](?!\d)|;|\b(?:but|and|so|while|although|though|whereas)\b", re.IGNORECASE
)
_NOT_POSSESSIVE = frozenset({"it's", "that's", "he's", "she's", "what's", "there's", "here's"})


@dataclass(frozen=True)
class _Link:
    """What stands between two readings of one count, and the second reading."""

    words: tuple[str, ...]
    reading: FoundValue


@dataclass(frozen=True)
class Series:
    """Readings after one name, in text order, with the words around them."""

    readings: tuple[FoundValue, ...]
    links: tuple[tuple[str, ...], ...]  # words between reading i and i + 1
    before: tuple[str, ...]  # words between the name and the first reading
    after: tuple[str, ...]  # words after the last reading
    fits_after: tuple[bool, ...]  # per reading: whether what follows it may follow a count
    from_to: bool = False  # "from 6.2 to 3.9": in time, in this order


@dataclass(frozen=True)
class NarrativeWords:
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
def narrative_words() -> NarrativeWords:
    """Read the narrative words once."""
    words = vocabulary()["narrative"]
    months = vocabulary()["not_counts"]["months"]

    def each_word(*lists: Iterable[object]) -> frozenset[str]:
        return frozenset(w.lower() for items in lists for item in items for w in str(item).split())

    def phrases(key: str) -> frozenset[str]:
        return frozenset(str(item).lower() for item in words[key])

    return NarrativeWords(
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


def series_after(text: str, start: int, end: int, first: FoundValue) -> Series:
    """Gather the first reading and those joined to it ("2.8 and then 4.9", "from 6.2 to 3.9").

    `start` is where the name ends, `end` where its sentence or segment ends.
    """
    before = tuple(words_in(text[start : first.number.start]))
    earlier = _earlier_from(text, start, first)
    readings: list[FoundValue] = [first] if earlier is None else [earlier, first]
    links: list[tuple[str, ...]] = [] if earlier is None else [("to",)]
    while len(readings) < MAX_READINGS_IN_A_SERIES and not readings[-1].percent:
        link = link_after(text, readings[-1], end)
        if link is None:
            break
        readings.append(link.reading)
        links.append(link.words)
    after = _words_after(text, readings[-1].end, end)
    fits = tuple(_fits_after(text, reading.end, end) for reading in readings)
    return Series(tuple(readings), tuple(links), before, after, fits, earlier is not None)


def _earlier_from(text: str, start: int, reading: FoundValue) -> FoundValue | None:
    """Find the reading after "from" in "went from (about) 6.2 to 3.9", when `reading` is 3.9."""
    froms = list(_FROM.finditer(text, start, reading.number.start))
    if not froms:
        return None
    found = NUMBER_PATTERN.search(text, froms[-1].end(), reading.number.start)
    if found is None:
        return None
    earlier = read_from(text, found.start(), reading.number.start, False, None)
    if earlier is None or earlier.percent:
        return None
    gap = words_in(text[earlier.end : reading.number.start])
    if not gap or gap[-1] not in ("to", "->", "→", "=>"):
        return None
    lead = words_in(text[froms[-1].end() : found.start()])
    return earlier if set(gap + lead) <= narrative_words().link_words else None


def link_after(text: str, reading: FoundValue, end: int) -> _Link | None:
    """Find the next reading of the same count, when only linking words stand between.

    Dates and other numbers that are never counts may stand between too (noted as a pseudo-word).
    """
    allowed = narrative_words().link_words
    words: list[str] = []
    pos = reading.end
    while pos < end:
        if number_starts(text, pos, end):
            found = NUMBER_PATTERN.match(text, pos, end)
            if found is None:
                return None
            skipped = _past_a_date(text, found, end, words)
            if skipped is not None:
                pos = skipped
                continue
            following = read_from(text, pos, end, False, None) if words else None
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
    """Tell where the scan goes on when the number is a date, age or dose (noted in `words`)."""
    if not not_a_count(text, found.start(), found.end()):
        return None
    words.append(_DATE)
    return skip_number_like(text, found.end(), end)


def later_in_sentence(text: str, start: int, end: int, series: Series | None) -> Series | None:
    """Add the readings of the sentence's later clauses that refer back to the count.

    "dropped from 6.1 to 3.4 over the summer and now it's 1.9": they are later readings of it.
    """
    found = _readings_referring_back(text, start, end)
    if series is not None:
        found = [(words, reading) for words, reading in found if _SOMEONE_ELSE not in words]
        if found:
            words, reading = found[0]
            found[0] = ([_NEW_SENTENCE, *words], reading)  # said after it: later in time
    return _extended(text, series, found, end)


def in_next_sentences(text: str, start: int, end: int, series: Series | None) -> Series | None:
    """Add the readings of the next sentences that refer back to the count ("It's at .6 now.")."""
    pos = start
    for _ in range(MAX_SENTENCES_REFERRING_BACK):
        if pos >= end:
            break
        boundary = SENTENCE_END.search(text, pos + 1, end)
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


def _readings_referring_back(text: str, start: int, end: int) -> list[tuple[list[str], FoundValue]]:
    """Find one reading in each clause that refers back to the count.

    "it was fine at the start but on Monday it was 1.9", "Mine was 3.8", "my count came back 3.7".
    """
    found = []
    clause_start = start
    for boundary in [*_CLAUSE_BREAK.finditer(text, start, end), None]:
        clause_end = boundary.start() if boundary else end
        reading = _reading_in_clause(text, clause_start, clause_end)
        if reading is not None:
            found.append(reading)
        clause_start = boundary.end() if boundary else end
    return found


def _reading_in_clause(text: str, start: int, end: int) -> tuple[list[str], FoundValue] | None:
    """Find the first number of a clause, when a word refers back to the count right before it."""
    narrative = narrative_words()
    words: list[str] = []  # the linking words right before the number
    only_linking = True  # whether the clause has only linking words so far
    pos = start
    while pos < end:
        if number_starts(text, pos, end):
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
            pos = skip_number_like(text, found.end(), end)
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


def _refers_back(words: Sequence[str], only_linking: bool, reading: FoundValue) -> bool:
    """Tell whether the words before a reading refer back to the count.

    "it's at", "now", "from 6 to" (leading the clause) or "mine was", "our daughter's was"
    (anywhere).
    """
    narrative = narrative_words()
    if only_linking and (says(words, narrative.refers_back) or reading.previous is not None):
        return True
    if set(words) & narrative.names_back:
        return True
    return any(_names_other(word) for word in words[:-1])  # not "my son's 4" (is 4)


def _names_other(word: str) -> bool:
    """Tell "hers", "his", "daughter's", "husband's" (not "it's", "that's", "he's")."""
    if word in narrative_words().names_someone_else:
        return True
    return word.endswith("'s") and len(word) > 3 and word not in _NOT_POSSESSIVE


def _marked(words: list[str]) -> list[str]:
    """Mark the words before a reading when they name someone else's count."""
    narrative = narrative_words()
    if set(words) & narrative.names_back or not any(_names_other(word) for word in words):
        return words
    return [*words, _SOMEONE_ELSE]


def _clause_reading(
    text: str, start: int, pos: int, end: int, words: list[str]
) -> tuple[list[str], FoundValue] | None:
    """Read the number at `pos` of a clause, if what follows it may follow a count."""
    reading = read_from(text, pos, end, False, None)
    if reading is None or reading.percent or not _fits_after(text, reading.end, end):
        return None
    earlier = _earlier_from(text, start, reading)
    return words, reading if earlier is None else replace(reading, previous=earlier)


def _extended(
    text: str, series: Series | None, found: Sequence[tuple[list[str], FoundValue]], end: int
) -> Series | None:
    """Add readings from later clauses at the end of a series ("from X to Y" as two)."""
    for words, reading in found:
        after = _words_after(text, reading.end, end)
        earlier = reading.previous
        added = (earlier, replace(reading, previous=None)) if earlier else (reading,)
        links = (("to",),) if earlier else ()
        if series is None:
            series = Series(added, links, tuple(words), after, (True,) * len(added), bool(earlier))
            continue
        link = (*series.after, *words)
        series = Series(
            series.readings + added,
            (*series.links, link, *links),
            series.before,
            after,
            series.fits_after + (True,) * len(added),
            series.from_to,
        )
    return series


def resolve(key: str, label_text: str, series: Series) -> list[tuple[str, FoundValue]]:
    """Decide which readings of a series are counts, each with its label key.

    The latest of readings in time (carrying those before it), or each of two readings; none for
    a span ("around 4.0 to 4.3").
    """
    readings = series.readings
    if len(readings) == 1:
        return [(key, readings[0])]
    if _after_counts_word(key, label_text) and not said_in_time(series):
        if _is_white_count_then_anc(series):
            return [(WBC, readings[0]), (ANC, readings[1])]
        return [(key, readings[0])]  # "counts were 1.9 and 0.5": which count is the second?
    if is_a_span(series):
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
    """Tell whether the name is a plural one that may carry several counts ("my counts were")."""
    return key == GENERIC and label_text.lower() in narrative_words().counts_words


def _is_white_count_then_anc(series: Series) -> bool:
    """Tell "counts were 1.9 and 520": a white count, then a whole 30 to 999 that is the ANC."""
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


def _in_time(series: Series) -> bool:
    """Tell whether the readings of one count are in time.

    Three or more in a row are ("WBC 3.4, 3.3 and 3.2": results listed as they came), or fewer
    said to be.
    """
    return len(series.readings) > 2 or said_in_time(series)


def said_in_time(series: Series, but: frozenset[str] = frozenset()) -> bool:
    """Tell whether words around the readings put them in time.

    Words such as "then", "today", "on Monday" or a later sentence do, other than those in `but`.
    """
    words = {word for link in series.links for word in link} | set(series.after)
    words |= set(series.before)
    return bool(words & ((narrative_words().sequence_words | {_NEW_SENTENCE}) - but))


def is_a_span(series: Series) -> bool:
    """Tell whether a series is a span such as "around 4.0 to 4.3" or "3.2 to 3.5 usually".

    Two numbers joined by "to" alone, with no word of time or movement ("went", "dropped",
    "from", "then"), are a span.
    """
    if series.from_to or len(series.readings) != 2 or series.links[0] != ("to",):
        return False
    return not said_in_time(series, but=frozenset({"to"}))


def _in_time_order(series: Series) -> list[int]:
    """Order the indices of readings in time, oldest first.

    By the words around each (the most recent last), the one typed later of equally recent
    ones; "from 6.2 to 3.9" in typed order.
    """
    indices = list(range(len(series.readings)))
    if series.from_to:
        return indices
    recency = [_recency(context) for context in _contexts(series)]
    return sorted(indices, key=lambda index: (recency[index], index))


def _recency(words: Sequence[str]) -> int:
    """Rank the words around a reading by recency: 3 now, 2 recent, 1 unsaid, 0 earlier."""
    narrative = narrative_words()
    if says(words, narrative.now_words):
        return 3
    if says(words, narrative.recent_words):
        return 2
    return 0 if says(words, narrative.earlier_words) else 1


def _contexts(series: Series) -> list[list[str]]:
    """Split the words that belong to each reading: the link before it at its joining word."""
    contexts = [list(series.before)]
    for link in series.links:
        cut = next((i for i, word in enumerate(link) if word in _JOINS), 0)
        contexts[-1] += link[:cut]
        contexts.append(list(link[cut:]))
    contexts[-1] += series.after
    return contexts


def says(words: Sequence[str], phrases: frozenset[str]) -> bool:
    """Tell whether one of the phrases stands among the words ("last week" in "was last week")."""
    joined = f" {' '.join(words)} "
    return any(f" {phrase} " in joined for phrase in phrases)


def _with_earlier(latest: FoundValue, earlier: Sequence[FoundValue]) -> FoundValue:
    """Make the latest reading carry those before it (oldest first).

    A unit typed once applies to every reading of the series.
    """
    unit = latest.unit or next((r.unit for r in reversed(earlier) if r.unit is not None), None)
    earlier = [r if r.unit is not None else replace(r, unit=unit) for r in earlier]
    if latest.unit is None:
        latest = replace(latest, unit=unit)
    return replace(latest, previous=earlier[-1], earlier=tuple(earlier))


def _another_reading(first: FoundValue, following: FoundValue, words: tuple[str, ...]) -> bool:
    """Tell "4,000 or 4,500", "3.2 and 4.1" (a second reading) from "3.2, 4.1" (not said to be)."""
    if not set(words) & {"and", "or", "vs", "versus"}:
        return False
    return not following.percent and following.number.is_whole == first.number.is_whole


def _fits_after(text: str, pos: int, end: int) -> bool:
    """Tell whether a reading ends the clause or is followed by a word that may follow a count.

    A name right after it claims it ("1.9 and 150 platelets").
    """
    after = words_in(text[pos:end])
    if after:
        return after[0] in narrative_words().after_a_reading or after[0] == ","
    return not _name_at(text, end) or bool(text[pos:end].strip())


def _name_at(text: str, pos: int) -> bool:
    """Tell whether a name starts at `pos` (a segment that ends neither the text nor a sentence)."""
    return (
        pos < len(text) and not SENTENCE_END.match(text, pos) and not _CLAUSE_BREAK.match(text, pos)
    )


def _words_after(text: str, pos: int, end: int) -> tuple[str, ...]:
    """Collect the linking words right after a reading, up to the first other word."""
    found: list[str] = []
    for word in words_in(text[pos:end]):
        if word not in narrative_words().link_words or len(found) >= MAX_WORDS_BETWEEN_READINGS:
            break
        found.append(word)
    return tuple(found)


def words_in(text: str) -> list[str]:
    """Split a stretch of text into lower-case words, arrows and commas."""
    return [word for token in _GAP_TOKEN.findall(text) if (word := _word_of(token))]


def _word_of(token: str) -> str:
    """Make a token a word to compare ("It’s" -> "it's"); empty for spaces and punctuation."""
    if token.isspace() or token in _PUNCTUATION:
        return ""
    return token.lower().replace("’", "'").rstrip(".") or token
