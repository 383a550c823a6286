"""The range picture of one judged count, as data.

The bands of its range, where the count sits, the earlier counts of the conversation and the one
sentence that says the same.

Nothing here is drawn: the renderers (svg.py, png.py, text_bar.py) draw a RangePicture each their
own way, so every channel shows the same bands, marks and words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.model import Analyte, Category


class BandKind(str, Enum):
    """A zone of the bar, lowest counts first."""

    CRITICALLY_LOW = "critically_low"
    LOW = "low"
    USUAL = "usual"
    HIGH = "high"
    CRITICALLY_HIGH = "critically_high"

    @property
    def critical(self) -> bool:
        """Whether the zone is beyond a critical limit: it is striped as well as tinted."""
        return self in (BandKind.CRITICALLY_LOW, BandKind.CRITICALLY_HIGH)


class Direction(str, Enum):
    """How the count changed since the last earlier count of the conversation."""

    UP = "up"
    DOWN = "down"
    SAME = "same"


# The band a count of each category falls in (a borderline count is below the usual range).
BAND_OF_CATEGORY = {
    Category.CRITICALLY_LOW: BandKind.CRITICALLY_LOW,
    Category.LOW: BandKind.LOW,
    Category.BORDERLINE_LOW: BandKind.LOW,
    Category.NORMAL: BandKind.USUAL,
    Category.HIGH: BandKind.HIGH,
    Category.CRITICALLY_HIGH: BandKind.CRITICALLY_HIGH,
}


@dataclass(frozen=True)
class Band:
    """One zone of the bar, in cells/µL, with the `label` drawn on it.

    It runs from `start` (included) to `end` (excluded, but for the usual range, which includes its
    high limit).
    """

    kind: BandKind
    start: float
    end: float
    label: str
    # A usual range of one count: the lab's high limit is the critically-low limit ("0 to 2,000"
    # printed, under 2,000 critical), so a count of exactly that is in it.
    point: bool = False


@dataclass(frozen=True)
class RangePicture:
    """What one picture shows, in cells/µL.

    `value_text` and every number drawn are formatted by the core (ranges.format_count), never taken
    from what a person typed.
    """

    analyte: Analyte
    value: float
    value_text: str  # "3,200"
    band: BandKind  # where the count sits
    basis: str  # ranges.BASIS_*: the lab's printed range, adult, a child's band, pregnancy
    low: float  # the usual range the count was judged against
    high: float
    bands: tuple[Band, ...]  # lowest first, contiguous from 0 to the end of the drawn axis
    earlier: tuple[float, ...] = ()  # earlier counts of the conversation, oldest first
    direction: Direction | None = None  # since the last earlier count
    label: str = ""  # the one sentence saying what the picture shows

    @property
    def axis_end(self) -> float:
        """The count at the right end of the drawn bar: the end of the last band."""
        return self.bands[-1].end

    def band_at(self, cells_per_ul: float) -> Band:
        """The band that holds a count (the last one for counts past the drawn axis)."""
        for band in self.bands:
            if band.start == band.end and not (band.point and cells_per_ul == band.end):
                continue  # a zone a critical limit covers entirely ("0 to 1" printed for an ANC)
            inside = cells_per_ul <= band.end if band.kind is BandKind.USUAL else False
            if cells_per_ul < band.end or inside:
                return band
        return self.bands[-1]
