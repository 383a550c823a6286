"""Units of counts as FHIR Quantities carry them, read into cells per microliter.

The UCUM codes are "10*3/uL", "10*9/L", "/uL", "/mm3" and "%".

A Quantity with `system` UCUM is read by its `code`, strictly. One without a code is read by its
`unit` text, where two common ways of writing the same UCUM unit are taken too: "^" for the
power of ten ("10^9/L") and "µ" for micro ("10^3/µL"). Anything else ("K/uL", where UCUM's K
is a kelvin, "x10E3/uL", "cells") is not converted: a guess could turn 3.2 into 3,200 or 3.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.fhir.codes import UCUM

PERCENT = "%"
# Microliters in one unit of volume.
_VOLUMES_UL = {"uL": 1.0, "mm3": 1.0, "nL": 0.001, "mL": 1000.0, "L": 1_000_000.0}
_MAX_EXPONENT = 12
_STRICT = re.compile(
    r"(?:10\*(?P<exponent>\d{1,2}))?(?:\{[A-Za-z ]{0,20}\})?/(?P<volume>uL|mm3|nL|mL|L)"
)
_VARIANTS = (("^", "*"), ("µ", "u"), ("μ", "u"))  # micro sign and Greek mu


@dataclass(frozen=True)
class Unit:
    """A Quantity's unit as read: its code, its size and how a person reads it.

    `cells_per_ul` is how many cells per microliter one unit is (None for a percentage); `written`
    is how it is written for a person ("x10^9/L").
    """

    code: str
    cells_per_ul: float | None
    written: str


def read_unit(quantity: Mapping[str, Any]) -> Unit | None:
    """The unit of a Quantity, or None when it is not one of the units read here."""
    system, code, text = quantity.get("system"), quantity.get("code"), quantity.get("unit")
    if isinstance(code, str) and code:
        if system != UCUM:
            return None  # a code of another unit system
        return _read(code, strict=True)
    if isinstance(text, str) and text:
        return _read(text.strip(), strict=False)
    return None


def _read(typed: str, strict: bool) -> Unit | None:
    code = typed
    if not strict:
        for variant, ucum in _VARIANTS:
            code = code.replace(variant, ucum)
    if code == PERCENT:
        return Unit(PERCENT, None, PERCENT)
    found = _STRICT.fullmatch(code)
    if found is None:
        return None
    exponent = int(found.group("exponent") or 0)
    if exponent > _MAX_EXPONENT:
        return None
    cells = 10.0**exponent / _VOLUMES_UL[found.group("volume")]
    return Unit(code, cells, _written(exponent, found.group("volume")))


def _written(exponent: int, volume: str) -> str:
    per = "µL" if volume == "uL" else volume
    return f"x10^{exponent}/{per}" if exponent else f"/{per}"
