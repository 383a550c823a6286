"""Reading number literals the way people and labs in different countries type them.

"3,200" and "3 200" are thousands; "3,2" and "3,25" are decimal commas; "7.200" is a thousands
separator only in a report that counts cells per mm³ (decided by the caller, which knows the
unit); "3.200,5" is European. Values are Decimal so unit conversion stays exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# A number as typed: digit groups with separators, or a plain decimal.
NUMBER_PATTERN = re.compile(
    r"""
    (?<![\w.,])                              # not inside a word or another number
    (?:
        \d+(?:\.\d+)?[eE][+-]?\d+             # 3.2e3 / 1e308: scientific notation
      | \d{1,3}(?:\.\d{3}){1,}(?:,\d+)?      # 1.234.567 / 7.200 / 3.200,5
      | \d{1,3}(?:,\d{3})+(?:\.\d+)?         # 3,200 / 1,234,567.5
      | \d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]?\d)  # 3 200 (space-grouped)
      | \d+(?:[.,]\d+)?                      # 3200 / 3.2 / 3,2
      | [.,]\d+                              # .8
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
