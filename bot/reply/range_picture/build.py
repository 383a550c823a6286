"""A judged count (WBC or ANC) and the earlier counts of the conversation -> RangePicture.

The zones come from the same tables that judged the count (bot/reference/ranges.py): the usual
range it was
judged against (the lab's printed range, a child's age band, pregnancy's, the adult one) and the
critical limits that hold whatever the range (clinical-reference.md sections 1-3): a count under
the critically-low limit at every age, at or over the critically-high limit only for adults.
Where a critical limit cuts into the usual range, the critical zone wins, as it does in judging.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from bot.model import Analyte, Category, Finding, Interpretation, LabValue
from bot.read.clinical_context import PRONOUN_OWNERS
from bot.reference import ranges, wording
from bot.reply.range_picture.model import BAND_OF_CATEGORY, Band, BandKind, Direction, RangePicture
from bot.yaml_files import DATA_DIR, read_yaml

MAX_EARLIER = 4  # earlier counts drawn as small marks (the latest ones)
# The drawn axis ends this far past the last limit, or past the highest count drawn.
AXIS_PAST_LAST_LIMIT = 1.5
AXIS_PAST_HIGHEST_COUNT = 1.15


@cache
def words() -> dict[str, Any]:
    """The band labels and the sentence's templates (data/range_picture.yml)."""
    return dict(read_yaml(DATA_DIR / "range_picture.yml"))


def pictures_for(
    interpretation: Interpretation,
    counts: Sequence[LabValue] = (),
    relative: str | None = None,
) -> tuple[RangePicture, ...]:
    """Return one picture per judged WBC or ANC of a reading, in text order.

    None for a count without a unit or an impossible one. `counts` are the counts judged, as the
    conversation remembers them (with their earlier counts).
    """
    age = interpretation.context.age_years
    pictures = []
    for finding in interpretation.findings:
        picture = picture_of(finding, age, earlier_counts(counts, finding), relative)
        if picture is not None:
            pictures.append(picture)
    return tuple(pictures)


def picture_of(
    finding: Finding,
    age_years: float | None = None,
    earlier: Sequence[float] = (),
    relative: str | None = None,
) -> RangePicture | None:
    """The picture of one finding; None when it has no count to place."""
    band = BAND_OF_CATEGORY.get(finding.category)
    value = finding.cells_per_ul
    if band is None or value is None or not math.isfinite(value):
        return None
    reference = finding.reference
    earlier = tuple(e for e in earlier if math.isfinite(e) and e >= 0)[-MAX_EARLIER:]
    highest = max((value, *earlier))
    picture = RangePicture(
        analyte=finding.analyte,
        value=value,
        value_text=ranges.format_count(value),
        band=band,
        basis=reference.basis,
        low=reference.low,
        high=reference.high,
        bands=bands_for(finding.analyte, reference.low, reference.high, age_years, highest),
        earlier=earlier,
        direction=_direction(value, earlier),
    )
    return replace(picture, label=sentence(picture, reference.label, relative))


def bands_for(
    analyte: Analyte, low: float, high: float, age_years: float | None, highest: float
) -> tuple[Band, ...]:
    """Return the zones of the bar from 0 to past `highest`.

    Critical low, low, usual, high and, for adults, critical high; a zone a critical limit covers
    entirely is left out.
    """
    critical_low, critical_high = critical_limits(analyte, age_years)
    labels = words()["bands"]
    cuts: list[tuple[BandKind, float]] = [(BandKind.CRITICALLY_LOW, critical_low)]
    cuts.append((BandKind.LOW, max(low, critical_low)))
    # Whole counts from the critically-high limit on are critical: the usual range ends before.
    top = high if critical_high is None else min(high, critical_high - 1)
    cuts.append((BandKind.USUAL, max(top, critical_low)))
    last_limit = cuts[-1][1]
    if critical_high is not None:
        cuts.append((BandKind.HIGH, max(critical_high, last_limit)))
        last_limit = cuts[-1][1]
    end = max(last_limit * AXIS_PAST_LAST_LIMIT, highest * AXIS_PAST_HIGHEST_COUNT, 1.0)
    last = BandKind.CRITICALLY_HIGH if critical_high is not None else BandKind.HIGH
    cuts.append((last, end))
    bands, start = [], 0.0
    for kind, until in cuts:
        if until > start or kind is BandKind.USUAL:
            point = kind is BandKind.USUAL and until == start and top >= critical_low
            bands.append(Band(kind, start, until, str(labels[kind.value]), point))
            start = until
    return tuple(bands)


def critical_limits(analyte: Analyte, age_years: float | None) -> tuple[float, float | None]:
    """Return the critical limits of a count, from the adult category table.

    The count under which a count is critically low, and from which it is critically high (None: no
    such limit, for the ANC and for children).
    """
    rows = ranges.adult_rows(analyte)
    low_rows = [row for row in rows if row.category is Category.CRITICALLY_LOW]
    high_rows = [row for row in rows if row.category is Category.CRITICALLY_HIGH]
    below = float(low_rows[0].highest + 1) if low_rows and low_rows[0].highest is not None else 0.0
    from_ = None
    if high_rows and high_rows[0].lowest is not None and not ranges.is_child(age_years):
        from_ = float(high_rows[0].lowest)
    return below, from_


def earlier_counts(counts: Sequence[LabValue], finding: Finding) -> tuple[float, ...]:
    """Return the earlier counts of a finding, oldest first; impossible ones are left out.

    Those its count remembers from the conversation (bot/judge/conversation.py), then those before
    it in the same message ("went from 6.2 to 3.9", "6.4 in May, 4.9 in August, 3.3 now").
    """
    value = next(
        (
            c
            for c in counts
            if (c.analyte, c.start, c.text) == (finding.analyte, finding.start, finding.text)
        ),
        None,
    )
    found = [
        e
        for e in (value.earlier_cells_per_ul if value else ())
        if ranges.is_plausible(finding.analyte, e)
    ]
    in_message = finding.earlier_in_message  # "6.4 in May, 4.9 in August, 3.3 now"
    if not in_message and finding.previous_cells_per_ul is not None:
        in_message = (finding.previous_cells_per_ul,)  # "went from 6.2 to 3.9"
    for before in in_message:
        if ranges.is_plausible(finding.analyte, before) and (not found or found[-1] != before):
            found.append(before)
    return tuple(found)


def sentence(picture: RangePicture, range_label: str = "", relative: str | None = None) -> str:
    """The one sentence that says what the picture shows."""
    templates = words()
    whose = "your" if relative is None else f"your {relative}'s"
    if relative in PRONOUN_OWNERS:
        whose = relative
    usual = f"{ranges.format_count(picture.low)} to {ranges.format_count(picture.high)}"
    where = str(templates["where"][picture.band.value]).format(range=usual)
    label = range_label
    if picture.basis == ranges.BASIS_PREGNANCY:
        label = wording.word(f"group_pregnancy_{range_label or 'unknown'}")
    basis = str(templates["basis"].get(picture.basis, templates["basis"]["adult"]))
    trend = ""
    if picture.direction is not None and picture.earlier:
        previous = ranges.format_count(picture.earlier[-1])
        trend = str(templates["trend"][picture.direction.value]).format(previous=previous)
        if len(picture.earlier) > 1:
            values = wording.join_words([ranges.format_count(e) for e in picture.earlier])
            trend += str(templates["earlier"]).format(values=values)
    text = str(templates["sentence"]).format(
        whose=whose,
        name=wording.word(f"name_{picture.analyte.value}"),
        value=picture.value_text,
        where=where,
        basis=basis.format(label=label),
        trend=trend,
    )
    return text[:1].upper() + text[1:]


def _direction(value: float, earlier: Sequence[float]) -> Direction | None:
    if not earlier:
        return None
    now, before = ranges.whole_cells(value), ranges.whole_cells(earlier[-1])
    if now == before:
        return Direction.SAME
    return Direction.UP if now > before else Direction.DOWN
