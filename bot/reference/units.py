"""Units of counts: recognising how a unit was typed, and exact conversion to cells per microliter.

The unit table lives in data/units.yml with its source; this module turns it into regular
expressions and does the arithmetic with Decimal, so a conversion round-trips exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from bot.errors import ReferenceDataError
from bot.yaml_files import DATA_DIR, read_yaml

UNITS_FILE = DATA_DIR / "units.yml"

# Building blocks of the unit patterns in data/units.yml.
_PLACEHOLDERS = {
    "s": r"[ \t]*",
    "micro": r"(?:u|µ|μ|mc|micro)",
    "liter": r"(?:l\b|lit(?:er|re)s?\b|l(?![a-z]))",
    "cube": r"(?:(?:\^|\*\*?|e)?[ \t]*3|³)(?![0-9])",
    "nine": r"(?:(?:\^|\*\*?|e)?[ \t]*9|⁹)(?![0-9])",
    "times": r"(?:[x×*·][ \t]*)?",
    "per": r"(?:/|per\b|/[ \t]*per\b)",
    "cells": r"(?:white[ \t]+)?cells?",
}


@dataclass(frozen=True)
class Unit:
    """A unit of count and how many cells per microliter one of it stands for."""

    name: str
    cells_per_ul: Decimal


@dataclass(frozen=True)
class UnitMatch:
    """A unit found in text."""

    unit: Unit
    text: str
    end: int  # offset just past the unit


@dataclass(frozen=True)
class _UnitPattern:
    unit: Unit
    regex: re.Pattern[str]


CELLS_PER_UL = Unit("cells per microliter", Decimal(1))
THOUSANDS_PER_UL = Unit("thousand per microliter", Decimal(1000))


def to_cells_per_ul(value: Decimal, unit: Unit) -> Decimal:
    """Convert a count in `unit` to cells per microliter (exact)."""
    return value * unit.cells_per_ul


def from_cells_per_ul(cells: Decimal, unit: Unit) -> Decimal:
    """Convert cells per microliter to a count in `unit` (exact)."""
    return cells / unit.cells_per_ul


def match_unit(text: str, pos: int) -> UnitMatch | None:
    """The longest unit that starts at `pos` (after optional spaces), or None."""
    start = pos
    while start < len(text) and text[start] in " \t":
        start += 1
    best: UnitMatch | None = None
    for pattern in _unit_patterns():
        found = pattern.regex.match(text, start)
        if found and found.end() > start and (best is None or found.end() > best.end):
            best = UnitMatch(pattern.unit, found.group(0), found.end())
    return best


def find_unit(text: str) -> UnitMatch | None:
    """The first unit typed anywhere in a short answer ("it says K/uL", "cells per microliter")."""
    for start, char in enumerate(text):
        if char.isspace() or (start and text[start - 1].isalnum()):
            continue
        found = match_unit(text, start)
        if found is not None:
            return found
    return None


def known_units() -> tuple[Unit, ...]:
    """Every unit of the table, in file order."""
    seen: dict[str, Unit] = {}
    for pattern in _unit_patterns():
        seen.setdefault(pattern.unit.name, pattern.unit)
    return tuple(seen.values())


@cache
def _unit_patterns() -> tuple[_UnitPattern, ...]:
    raw = read_yaml(UNITS_FILE)
    patterns: list[_UnitPattern] = []
    for row in raw.get("units", []):
        try:
            unit = Unit(str(row["name"]), Decimal(str(row["cells_per_ul"])))
            for pattern in row["patterns"]:
                regex = re.compile(str(pattern).format(**_PLACEHOLDERS), re.IGNORECASE)
                patterns.append(_UnitPattern(unit, regex))
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise ReferenceDataError(str(UNITS_FILE), f"bad unit row {row!r}: {exc}") from exc
    if not patterns:
        raise ReferenceDataError(str(UNITS_FILE), "no units")
    return tuple(patterns)


# Ages are read in days, weeks, months or years and judged in years.
MAX_AGE_YEARS = 120.0
DAYS_PER_YEAR = 365.25
DAYS_PER_WEEK = 7
MONTHS_PER_YEAR = 12


def years_of_age(amount: float, unit: str) -> float:
    """An age in years from days, weeks, months or years (365.25 days and 12 months a year)."""
    if unit.startswith("day"):
        return amount / DAYS_PER_YEAR
    if unit.startswith("week"):
        return amount * DAYS_PER_WEEK / DAYS_PER_YEAR
    if unit.startswith("month"):
        return amount / MONTHS_PER_YEAR
    if unit.startswith("year"):
        return amount
    raise ValueError(f"unknown unit of age {unit!r}")
