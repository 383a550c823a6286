"""Converting a value found in text into a count in cells per microliter, or a percentage.

Section 4 of clinical-reference.md sets how a number becomes cells/µL: by its unit; without one,
a number under 30 is thousands, 1,000 and up is cells, an ANC of 30 to 999 is cells, and a white
count of 30 to 999 needs a unit unless the lab's printed range, an H flag or decimals that are no
body temperature show the scale. The keys of the names (data/vocabulary.yml labels) that carry a
count are here too, since the name decides which count, or which differential percentage, a
value is. These rules need only value_scan's FoundValue, so both the series (series.py) and the
entry points (values.py) use them and imports run one way.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bot.model import Analyte, LabFlag, LabRange, LabValue
from bot.read.numbers import NumberLiteral, read_number
from bot.read.value_scan import FoundValue
from bot.reference.ranges import celsius_up_to
from bot.reference.units import CELLS_PER_UL, THOUSANDS_PER_UL, UnitMatch

# Label keys of data/vocabulary.yml whose value is a count or a differential percentage.
WBC, ANC, NEUTROPHILS, BANDS = "wbc", "anc", "neutrophils", "bands"
GENERIC = "generic"  # "count", "result": a white count only when no other name is there

# Section 4: whole numbers below this with no unit are thousands; from here to 999 a white count
# needs a unit (unless flagged H, or typed with decimals that are no body temperature, "47.0":
# thousands then), and an ANC is already in cells/µL.
THOUSANDS_BELOW = Decimal(30)
CELLS_FROM = Decimal(1000)
PERCENT_MAX = Decimal(100)


def is_percentage(label: str, found: FoundValue) -> bool:
    """Tell whether a value after a neutrophil or band name is a differential percentage.

    Typed with "%", or with no unit and in the range a differential prints ("Neutrophils 62").
    """
    if found.percent:
        return True
    if found.unit is not None or found.negative:
        return False
    value = found.number.value
    if label == BANDS:
        return value <= PERCENT_MAX
    return THOUSANDS_BELOW <= value <= PERCENT_MAX  # "Neutrophils 62" in a differential


def to_lab_value(analyte: Analyte, found: FoundValue) -> LabValue:
    """Apply the reading rules of section 4 to get cells per microliter.

    The lab's printed range is converted on the value's scale; the values before it in time
    (`previous`, `earlier`) are converted too.
    """
    literal = found.number
    sign = Decimal(-1) if found.negative else Decimal(1)
    lab_range: LabRange | None = None
    cells: Decimal | None
    assumed = False
    if found.unit is not None:
        factor = found.unit.unit.cells_per_ul
        value = literal.value
        if factor == CELLS_PER_UL.cells_per_ul and literal.dot_thousands is not None:
            value = literal.dot_thousands  # 7.200/mm³: a Brazilian thousands separator
        cells = sign * value * factor
    else:
        cells, assumed = _cells_without_unit(analyte, found)
        cells = None if cells is None else sign * cells
        factor = THOUSANDS_PER_UL.cells_per_ul if assumed else CELLS_PER_UL.cells_per_ul
    if found.range_numbers is not None and cells is not None:
        lab_range = _lab_range(found.range_numbers, factor)
    previous = None
    if found.previous is not None:
        previous = to_lab_value(analyte, found.previous).cells_per_ul
    earlier = (to_lab_value(analyte, before).cells_per_ul for before in found.earlier)
    return LabValue(
        analyte=analyte,
        text=found.text,
        start=literal.start - (1 if found.negative else 0),
        cells_per_ul=None if cells is None else float(cells),
        unit_assumed=assumed,
        lab_range=lab_range,
        lab_flag=found.flag,
        previous_cells_per_ul=previous,
        earlier_in_message=tuple(cells for cells in earlier if cells is not None),
    )


def with_unit(value: LabValue, unit: UnitMatch) -> LabValue:
    """Read a count that needed a unit again, with the unit the person gave afterwards."""
    negative = value.text.startswith(("-", "−"))
    number = value.text[1:] if negative else value.text
    literal = read_number(number.strip(), value.start + (1 if negative else 0))
    if literal is None:
        return value
    found = FoundValue(
        literal, negative, unit, False, value.lab_flag, None, f"{value.text} {unit.text}", 0
    )
    converted = to_lab_value(value.analyte, found)
    return replace(
        converted,
        previous_cells_per_ul=value.previous_cells_per_ul,
        earlier_in_message=value.earlier_in_message,
    )


def _cells_without_unit(analyte: Analyte, found: FoundValue) -> tuple[Decimal | None, bool]:
    """Apply section 4 to a value typed without a unit.

    Returns cells/µL (None when a unit is needed) and whether thousands were assumed.
    """
    literal, range_numbers = found.number, found.range_numbers
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
    if found.flag is LabFlag.HIGH:
        return value * THOUSANDS_PER_UL.cells_per_ul, True  # 30-999/µL is never flagged high
    if not literal.is_whole and not could_be_a_temperature(value):
        return value * THOUSANDS_PER_UL.cells_per_ul, True  # "47.0": cells/µL have no decimals
    return None, False


def could_be_a_temperature(value: Decimal) -> bool:
    """Tell whether a number may be a body temperature typed without its unit (section 5).

    "38.5", "101.2": such a number is not assumed to be a white count in thousands.
    """
    celsius = float(value)
    if celsius > celsius_up_to():
        celsius = (celsius - 32.0) * 5.0 / 9.0
    low, high = LIKELY_BODY_CELSIUS
    return low <= celsius <= high


# What a thermometer at home shows (a fever or a low temperature), for the question above: "wbc
# 34.0" is 34,000 (section 4: "52.0" is 52,000), "wbc 38.5" asks for the unit.
LIKELY_BODY_CELSIUS = (35.0, 42.0)


def _lab_range(numbers: tuple[NumberLiteral, NumberLiteral], factor: Decimal) -> LabRange | None:
    """Convert the printed range to cells/µL, on the scale of the value or of its own size."""
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
