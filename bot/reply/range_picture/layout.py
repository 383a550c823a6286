"""The one layout every drawn picture (SVG and PNG) shares.

It places the bar, the labels, the marks and the limits, in picture units (the SVG's viewBox;
the PNG scales it).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reference import ranges
from bot.reply.range_picture.model import BandKind, RangePicture
from bot.reply.range_picture.scale import band_spans, position

WIDTH = 320.0  # fits a 375 px phone's chat bubble at scale 1, and grows with a wider one
HEIGHT = 62.0
MARGIN = 12.0  # left and right of the bar: room for a label over a count at either end
BAR_TOP, BAR_BOTTOM = 18.0, 38.0
VALUE_BASELINE = 11.0  # the count's own label, above the bar
BAND_BASELINE = 32.0
EARLIER_Y = 44.0  # earlier counts: small rings under the bar, an arrow to the count
LIMIT_BASELINE = 59.0  # the limits' numbers, under the bar
FONT_VALUE, FONT_BAND, FONT_LIMIT = 13.0, 11.0, 10.0
# An average character's width, in font sizes, erring wide: a label that may not fit its band
# is squeezed to it (SVG textLength), never left to spill over.
CHAR_WIDTH = 0.62
MIN_LIMIT_GAP = 34.0  # two limits closer than this: only the first gets its number
# How strongly each band is tinted with the text colour (so it follows light, dark and
# high-contrast themes); critical zones are striped as well, not told by shade alone.
TINT = {
    BandKind.CRITICALLY_LOW: 0.32,
    BandKind.LOW: 0.16,
    BandKind.USUAL: 0.04,
    BandKind.HIGH: 0.16,
    BandKind.CRITICALLY_HIGH: 0.32,
}
STRIPE_EVERY = 5.0


@dataclass(frozen=True)
class BandBox:
    """Where one band goes on the bar, in picture units, and where its label goes."""

    kind: BandKind
    left: float
    right: float
    label: str
    label_fits: bool  # else it is squeezed to the band's width
    label_x: float  # the label's centre: the band's, or beside the count's mark on it


@dataclass(frozen=True)
class Layout:
    """Where everything of one picture goes, in picture units.

    That is the bands, the count and its label, its earlier counts and the limits.
    """

    bands: tuple[BandBox, ...]
    value_x: float
    value_label_x: float  # kept inside the picture
    value_text: str
    earlier_x: tuple[float, ...]
    limits: tuple[tuple[float, str], ...]  # x and the number written under it


def bar_x(fraction: float) -> float:
    """Return the x of the point `fraction` (0 to 1) of the way along the bar."""
    return MARGIN + fraction * (WIDTH - 2 * MARGIN)


def text_width(text: str, size: float) -> float:
    """Estimate the width of `text` at font `size`, erring wide: no font is measured."""
    return len(text) * size * CHAR_WIDTH


def layout(picture: RangePicture) -> Layout:
    """Where everything of `picture` goes."""
    value_x = bar_x(position(picture, picture.value))
    boxes = []
    for band, left, right in band_spans(picture):
        x0, x1 = bar_x(left), bar_x(right)
        width = text_width(band.label, FONT_BAND)
        fits = width <= x1 - x0 - 4
        boxes.append(BandBox(band.kind, x0, x1, band.label, fits, _beside(value_x, x0, x1, width)))
    half = text_width(picture.value_text, FONT_VALUE) / 2
    label_x = min(max(value_x, half + 1), WIDTH - half - 1)
    limits: list[tuple[float, str]] = []
    for band, _, right in band_spans(picture)[:-1]:
        x = bar_x(right)
        if not limits or x - limits[-1][0] >= MIN_LIMIT_GAP:
            limits.append((x, ranges.format_count(band.end)))
    earlier = tuple(bar_x(position(picture, value)) for value in picture.earlier)
    return Layout(tuple(boxes), value_x, label_x, picture.value_text, earlier, tuple(limits))


def _beside(mark: float, left: float, right: float, width: float) -> float:
    """Return where a band's label goes: its centre, unless the count's mark would cross it.

    Then the label goes beside the mark, on the side with room for it.
    """
    centre, gap = (left + right) / 2, 4.0
    if abs(mark - centre) >= width / 2 + gap:
        return centre
    if right - (mark + gap) >= width + 2:
        return mark + gap + width / 2
    if (mark - gap) - left >= width + 2:
        return mark - gap - width / 2
    return centre
