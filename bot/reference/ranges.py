"""Reference ranges and limits: which range judges a count, and the limits around it.

The range is the adult table's, a child's band or the lab's own; the limits are the critical
limits, the plausible counts and the fever threshold.

The numbers come from the data tables (bot/reference/tables.py, each row with its source); the
reasoning behind them is in docs/clinical-reference.md sections 1-5.
"""

from __future__ import annotations

import math

from bot.model import Analyte, LabRange, Pregnancy, ReferenceRange, Sex
from bot.reference.tables import (
    BASIS_ADULT,
    BASIS_LAB,
    BASIS_PEDIATRIC,
    BASIS_PREGNANCY,
    LAB_REPORT_SOURCE,
    CategoryRow,
    PediatricBand,
    Scale,
    source_names,
    tables,
)

__all__ = ["BASIS_ADULT", "BASIS_LAB", "BASIS_PEDIATRIC", "BASIS_PREGNANCY"]


def adult_rows(analyte: Analyte) -> tuple[CategoryRow, ...]:
    """The adult category table of a count, lowest counts first."""
    return tables().adult_rows[analyte]


def adult_row(analyte: Analyte, count: int) -> CategoryRow:
    """The row of the adult table that holds a whole count (the table has no gaps)."""
    return next(row for row in adult_rows(analyte) if row.holds(count))


def pediatric_bands(analyte: Analyte) -> tuple[PediatricBand, ...]:
    """The age bands of a count for children, youngest first (none: adult limits apply)."""
    return tables().bands.get(analyte, ())


def known_age(age_years: float | None) -> float | None:
    """The age if it can be used: None for a missing, negative or non-finite age."""
    if age_years is None or not math.isfinite(age_years) or age_years < 0:
        return None
    return age_years


def pediatric_band(analyte: Analyte, age_years: float | None) -> PediatricBand | None:
    """The band of a child's age, or None for adults and unknown ages."""
    age = known_age(age_years)
    if age is None:
        return None
    return next((band for band in pediatric_bands(analyte) if band.holds(age)), None)


def is_child(age_years: float | None) -> bool:
    """True for a known age under the end of the last pediatric white-count band (18 years)."""
    return pediatric_band(Analyte.WBC, age_years) is not None


def scale(
    analyte: Analyte,
    age_years: float | None = None,
    lab_range: LabRange | None = None,
    pregnancy: Pregnancy | None = None,
) -> Scale:
    """Return the range that decides low, normal or high.

    The lab's own, else the child's band, else the white count in pregnancy, else adult.
    """
    if lab_range is not None and _usable(lab_range):
        return Scale(lab_range.low, lab_range.high, BASIS_LAB, (LAB_REPORT_SOURCE,))
    band = pediatric_band(analyte, age_years)
    if band is not None:
        return Scale(band.low, band.high, BASIS_PEDIATRIC, band.sources, band.label)
    if pregnancy is not None and analyte is Analyte.WBC:
        return pregnancy_scale(pregnancy)
    return tables().adult_scales[analyte]


def pregnancy_scale(pregnancy: Pregnancy) -> Scale:
    """The white-count range of the trimester (PREG): counts rise in pregnancy (section 1)."""
    limits = tables().limits
    trimester = pregnancy.trimester(
        limits["pregnancy_second_from_weeks"], limits["pregnancy_third_from_weeks"]
    )
    low, high = limits[f"pregnancy_{trimester}_low"], limits[f"pregnancy_{trimester}_high"]
    return Scale(low, high, BASIS_PREGNANCY, ("PREG",), trimester)


def wbc_reference(
    age_years: float | None = None, lab_range: LabRange | None = None
) -> ReferenceRange:
    """The white-count range for this age, or the lab's own printed range."""
    return scale(Analyte.WBC, age_years, lab_range).reference()


def anc_reference(
    age_years: float | None = None, lab_range: LabRange | None = None
) -> ReferenceRange:
    """The neutrophil-count range for this age (infants have their own), or the lab's own."""
    return scale(Analyte.ANC, age_years, lab_range).reference()


def sex_specific_range(sex: Sex) -> ReferenceRange:
    """Cleveland Clinic's adult white-count range for a sex; `label` is "men" or "women"."""
    row = tables().sex_ranges[sex]
    return ReferenceRange(row.low, row.high, BASIS_ADULT, source_names(row.sources), row.group)


def plausible_counts(analyte: Analyte) -> tuple[float, float]:
    """The lowest and highest whole count of an analyte that can be real (section 4)."""
    limits = tables().limits
    return limits[f"{analyte.value}_lowest_plausible"], limits["highest_plausible"]


def whole_cells(cells_per_ul: float) -> int:
    """A finite count rounded to whole cells (half up), the way the tables are written."""
    return math.floor(cells_per_ul + 0.5)


def is_plausible(analyte: Analyte, cells_per_ul: float) -> bool:
    """True when the count can be real: not zero or negative (an ANC may be 0), not huge."""
    if not math.isfinite(cells_per_ul):
        return False
    lowest, highest = plausible_counts(analyte)
    return lowest <= whole_cells(cells_per_ul) <= highest


# Beyond this, a count is shown in scientific notation ("1e+308"), not as hundreds of digits.
LARGEST_WRITTEN_OUT = 1e12


def format_count(cells_per_ul: float) -> str:
    """Write a count the one way counts are written: whole cells with thousands separators.

    An absurd value is written in scientific notation ("1e+308"); nan and inf as Python writes them.
    """
    if not math.isfinite(cells_per_ul) or abs(cells_per_ul) >= LARGEST_WRITTEN_OUT:
        return f"{cells_per_ul:.3g}"
    return f"{whole_cells(cells_per_ul):,}"


def fever_threshold_c() -> float:
    """The lowest temperature that is a fever, in °C (CDC: 38.0 °C / 100.4 °F)."""
    return tables().limits["fever_from"]


def infant_fever_emergency_below_years() -> float:
    """A fever below this age (3 months, in years) is an emergency whatever the count (AAP)."""
    return tables().limits["infant_fever_emergency_below"]


def celsius_up_to() -> float:
    """A temperature typed without a unit is Celsius up to here, Fahrenheit above (section 5)."""
    return tables().limits["celsius_up_to"]


def neutropenia_below() -> float:
    """The adult ANC below which a count is neutropenia (1,500/µL; CTCAE grades from it)."""
    return tables().adult_scales[Analyte.ANC].low


def fever_high_from_c() -> float:
    """From here a fever with a normal count needs a doctor the same day (MedlinePlus)."""
    return tables().limits["fever_high_from"]


def baby_fever_same_day_below_years() -> float:
    """A fever in a baby from 3 months to this age needs a doctor the same day."""
    return tables().limits["baby_fever_same_day_below"]


def baby_fever_high_from_c() -> float:
    """From here a baby's fever (3 to 12 months) needs a doctor the same day."""
    return tables().limits["baby_fever_high_from"]


def emergency_anc_below() -> float:
    """A fever with an ANC below this is an emergency; up to 1,500 it is same day."""
    return tables().limits["emergency_anc_below"]


def too_cold_below_c() -> float:
    """On cancer treatment, a temperature below this is an emergency (NICE CG151)."""
    return tables().limits["too_cold_below"]


def team_fever_from_c() -> float:
    """The lower fever number many cancer teams give (UKONS triage tool)."""
    return tables().limits["team_fever_from"]


def mildly_low_wbc_from() -> float:
    """A low white count from here up is mildly low (for the note on naturally lower counts)."""
    return tables().limits["mildly_low_wbc_from"]


def _usable(lab_range: LabRange) -> bool:
    """A printed range that cannot be right (high below low, negative) is ignored."""
    low, high = lab_range.low, lab_range.high
    return math.isfinite(low) and math.isfinite(high) and 0 <= low < high
