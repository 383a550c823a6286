"""Where a count sits along the bar, as a fraction of its width.

The scale is piecewise linear: each band gets a fixed share of the width, whatever its size in
cells, so the usual range sits in the middle and a low band of 2,500 cells is not a sliver beside
a high band of 19,000. Within a band, counts are linear. Every renderer uses this one scale.
"""

from __future__ import annotations

import math

from bot.reply.range_picture.model import Band, BandKind, RangePicture

# The share of the bar's width each band gets (renormalised over the bands a picture has).
SHARES = {
    BandKind.CRITICALLY_LOW: 0.13,
    BandKind.LOW: 0.21,
    BandKind.USUAL: 0.32,
    BandKind.HIGH: 0.21,
    BandKind.CRITICALLY_HIGH: 0.13,
}


def band_spans(picture: RangePicture) -> list[tuple[Band, float, float]]:
    """Each band with where it starts and ends on the bar (fractions from 0 to 1)."""
    total = sum(SHARES[band.kind] for band in picture.bands)
    spans, left = [], 0.0
    for band in picture.bands:
        width = SHARES[band.kind] / total
        spans.append((band, left, min(left + width, 1.0)))
        left += width
    return spans


def position(picture: RangePicture, cells_per_ul: float) -> float:
    """The fraction of the bar's width where a count sits (0 to 1; past the axis: its end)."""
    if not math.isfinite(cells_per_ul) or cells_per_ul <= 0:
        return 0.0
    for band, left, right in band_spans(picture):
        if cells_per_ul <= band.end:
            size = band.end - band.start
            inside = (cells_per_ul - band.start) / size if size > 0 else 0.0
            return left + (right - left) * min(max(inside, 0.0), 1.0)
    return 1.0
