"""Read number literals the way people and labs in different countries type them.

Also tell the numbers that are never counts (dates, ages, times, doses, money, phone numbers).

"3,200" and "3 200" are thousands; "3,2" and "3,25" are decimal commas; "7.200" is a thousands
separator only in a report that counts cells per mm³ (decided by the caller, which knows the
unit); "3.200,5" is European. Values are Decimal so unit conversion stays exact. The words that
mark a number as something else are data (data/vocabulary.yml `not_counts`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from bot.read.matchers import vocabulary
from bot.reference.units import match_unit

# A number as typed: digit groups with separators, or a plain decimal.
NUMBER_PATTERN = re.compile(
    r"""
    (?<![\w,])(?<![^.]\.)(?<!^\.)             # not inside a word or another number, but may
                                             # follow a run of dots ("WBC.......2.7")
    (?:
        \d+(?:\.\d+)?[eE][+-]?\d+             # 3.2e3 / 1e308: scientific notation
      | \d{1,3}(?:\.\d{3}){1,}(?:,\d+)?      # 1.234.567 / 7.200 / 3.200,5
      | \d{1,3}(?:,\d{3})+(?:\.\d+)?         # 3,200 / 1,234,567.5
      | \d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]?\d)  # 3 200 (space-grouped)
      | \d+(?:[.,]\d+)?                      # 3200 / 3.2 / 3,2
      | (?<!\.)[.,]\d+                       # .8
    )
    (?![\d])
    """,
    re.VERBOSE,
)


# Scientific notation beyond 10^±MAX_EXPONENT is not read as a number (and would overflow).
MAX_EXPONENT = 400


@dataclass(frozen=True)
class NumberLiteral:
    """A number found in text, read both ways where a dot could be a thousands separator."""

    text: str
    start: int
    end: int
    value: Decimal  # the usual reading
    dot_thousands: Decimal | None  # the reading with "." as a thousands separator, if different

    @property
    def is_whole(self) -> bool:
        """True when typed without a decimal part ("8", "3,200"), as opposed to "3.2" or "3,2"."""
        return self.value == self.value.to_integral_value() and not _has_decimal_part(self.text)


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[NumberLiteral]:
    """Every number literal in text[start:end], in order."""
    stop = len(text) if end is None else end
    literals = []
    for found in NUMBER_PATTERN.finditer(text, start, stop):
        literal = read_number(found.group(0), found.start())
        if literal is not None:
            literals.append(literal)
    return literals


def read_number(typed: str, start: int = 0) -> NumberLiteral | None:
    """Read one number literal; None when it is not a number at all."""
    cleaned = typed.replace("\u00a0", " ").replace("\u202f", " ")
    try:
        value, dot_thousands = _readings(cleaned)
    except InvalidOperation:
        return None
    return NumberLiteral(typed, start, start + len(typed), value, dot_thousands)


def _readings(typed: str) -> tuple[Decimal, Decimal | None]:
    if "e" in typed.lower():  # scientific notation: the dot can only be a decimal point
        value = Decimal(typed)
        if abs(value.adjusted()) > MAX_EXPONENT:
            raise InvalidOperation(typed)  # "1e999999": not a number anyone could mean
        return value, None
    if " " in typed:
        return Decimal(typed.replace(" ", "")), None
    has_comma, has_dot = "," in typed, "." in typed
    if has_comma and has_dot:
        if typed.rfind(",") > typed.rfind("."):  # 3.200,5: European
            return Decimal(typed.replace(".", "").replace(",", ".")), None
        return Decimal(typed.replace(",", "")), None  # 3,200.5
    if has_comma:
        groups = typed.split(",")
        if all(len(group) == 3 for group in groups[1:]) and groups[0]:
            return Decimal(typed.replace(",", "")), None  # 3,200: thousands
        return Decimal(typed.replace(",", ".")), None  # 3,2: decimal comma
    if has_dot:
        groups = typed.split(".")
        if len(groups) > 2:  # 1.234.567
            return Decimal(typed.replace(".", "")), None
        if len(groups[1]) == 3 and groups[0]:  # 7.200: 7.2, or 7,200 in a /mm³ report
            return Decimal(typed), Decimal(typed.replace(".", ""))
    return Decimal(typed), None


def _has_decimal_part(typed: str) -> bool:
    if "," in typed and "." in typed:
        return True
    for separator in ",.":
        if separator in typed:
            groups = typed.split(separator)
            return not all(len(group) == 3 for group in groups[1:]) or not groups[0]
    return False


# Numbers that are not counts (clinical-reference.md section 4).
_DATE_OR_RATIO = re.compile(r"[/.\-]\d")  # 3/12, 12.03.2024, 148/84
_TIME = re.compile(r":\d\d")
_PHONE_REST = re.compile(r"[ \t\-]\d{3,}")  # "555 123 4567": the rest of a phone number
_HEADING_COLON = re.compile(r"[ \t]*:")  # "results 2023: 3.2"
_AT_END = re.compile(r"\bat[ \t]+$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_AFTER_MAY = re.compile(r"[ \t]*(?:\d|[,.;:)]|$)")  # "3 May 2024", "3 May." (not "3 may be")
LOOK_BEHIND_CHARS = 16
LAST_CLOCK_HOUR = Decimal(12)
LAST_DAY_OF_MONTH = Decimal(31)
YEARS = (Decimal(1900), Decimal(2099))


# "last week 3,800", "this year 4.1": a time said before a count, not "week 3" or "year 2".
_WHEN_BEFORE = re.compile(
    r"\b(?:last|this|next|that|past|previous)[ \t]+(?:day|week|month|year)[ \t]*$", re.IGNORECASE
)


@dataclass(frozen=True)
class _NotCountWords:
    """The words of data/vocabulary.yml `not_counts`, as patterns."""

    months: frozenset[str]
    month_before: re.Pattern[str]
    before: re.Pattern[str]
    after: re.Pattern[str]
    clock_after: re.Pattern[str]
    clock_after_at: re.Pattern[str]


@cache
def _not_count_words() -> _NotCountWords:
    """Build the patterns once."""
    words = vocabulary()["not_counts"]
    return _NotCountWords(
        months=frozenset(str(month).lower() for month in words["months"]),
        month_before=re.compile(rf"{phrases(words['months'])}[ \t]*\.?[ \t]*$", re.IGNORECASE),
        before=re.compile(rf"{phrases(words['before'])}[ \t]*$", re.IGNORECASE),
        after=_units_after(words["after"], words["before"]),
        clock_after=re.compile(rf"[ \t]*{phrases(words['clock_after'])}", re.IGNORECASE),
        clock_after_at=re.compile(rf"[ \t]*{phrases(words['clock_after_at'])}", re.IGNORECASE),
    )


def phrases(items: Iterable[object]) -> str:
    """Return a regular expression for any of the phrases, as whole words, longest first.

    An apostrophe matches ' and ’, a space any run of spaces.
    """
    alternatives = []
    for phrase in sorted((str(item) for item in items), key=len, reverse=True):
        escaped = re.escape(phrase).replace("'", "['’]").replace(r"\ ", r"[ \t]+")
        start = r"(?<![\w'’])" if phrase[0].isalnum() else ""
        end = r"(?![\w'’])" if phrase[-1].isalnum() else ""
        alternatives.append(f"{start}{escaped}{end}")
    return f"(?:{'|'.join(alternatives)})"


def _units_after(units: Iterable[object], counters: Iterable[object]) -> re.Pattern[str]:
    """Return a pattern for a number followed by a unit word: "3 years", "5 mg", "2 kids".

    Not "3.2 day 10", where the word counts the next number.
    """
    counting = {str(counter).lower() for counter in counters}
    alternatives = []
    for unit in sorted((str(u) for u in units), key=len, reverse=True):
        escaped = re.escape(unit).replace("'", "['’]").replace(r"\ ", r"[ \t]+")
        end = r"(?![\w'’])" if unit[-1].isalnum() else ""
        if unit.lower() in counting:
            end += r"(?![ \t]*#?[ \t]*\d)"
        alternatives.append(f"{escaped}{end}")
    return re.compile(rf"[ \t]*-?[ \t]*(?:{'|'.join(alternatives)})", re.IGNORECASE)


def not_a_count(text: str, start: int, end: int) -> bool:
    """Tell whether the number at text[start:end] is something other than a count.

    That is a date, ratio, time, age, dose, amount of money or things, phone number, "day 10" or a
    lab code ("01"), judged by what stands around it.
    """
    words = _not_count_words()
    if text[start] == "0" and end - start > 1 and text[start + 1].isdigit():
        return True
    if _DATE_OR_RATIO.match(text, end) or _TIME.match(text, end):
        return True
    if match_unit(text, end) is None and words.after.match(text, end):
        return True
    before = text[max(0, start - LOOK_BEHIND_CHARS) : start]
    if words.before.search(before) and not _WHEN_BEFORE.search(before):
        return True
    literal = read_number(text[start:end], start)
    if literal is None:
        return False
    return _is_date_or_time(text, literal, before) or _is_phone_or_year(text, literal)


def _is_date_or_time(text: str, literal: NumberLiteral, before: str) -> bool:
    """Tell whether a whole number is a date or time: "March 3", "Mar 2024", "at 7 this morning".

    Also "3rd of March" and "3 in the morning".
    """
    words = _not_count_words()
    if not literal.is_whole:
        return False
    value = literal.value
    if words.month_before.search(before) and (value <= LAST_DAY_OF_MONTH or _is_year(literal)):
        return True
    if value <= LAST_DAY_OF_MONTH and _month_follows(text, literal.end):
        return True
    if value > LAST_CLOCK_HOUR:
        return False
    if words.clock_after.match(text, literal.end):
        return True
    return bool(_AT_END.search(before) and words.clock_after_at.match(text, literal.end))


def _month_follows(text: str, pos: int) -> bool:
    """Tell whether a month follows: "3 March", "3 of March", "3 May 2024"; not "3 may be low"."""
    following = _WORD.search(text, pos, pos + LOOK_BEHIND_CHARS)
    if following is not None and following.group(0).lower() == "of":
        following = _WORD.search(text, following.end(), following.end() + LOOK_BEHIND_CHARS)
    if following is None or following.group(0).lower() not in _not_count_words().months:
        return False
    verb_like = following.group(0).lower() == "may"
    return not verb_like or bool(_AFTER_MAY.match(text, following.end()))


def _is_year(literal: NumberLiteral) -> bool:
    low, high = YEARS
    return literal.is_whole and len(literal.text) == 4 and low <= literal.value <= high


def _is_phone_or_year(text: str, literal: NumberLiteral) -> bool:
    """Tell whether the number is a phone number ("555 123 4567") or a year as a heading ("2023:").

    A phone number is digits grouped by spaces with more digits after.
    """
    if " " in literal.text and _PHONE_REST.match(text, literal.end):
        return True
    return _is_year(literal) and bool(_HEADING_COLON.match(text, literal.end))
