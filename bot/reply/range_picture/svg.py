"""A range picture as inline SVG for the chat widget.

`role="img"` with the sentence as `aria-label` (a screen reader hears the sentence, not the
shapes); the bands carry their words; everything is drawn in `currentColor`, tinted by opacity,
so it follows the bubble's text colour in light, dark and high-contrast themes. Only numbers the
core formatted and the core's own words go in, escaped all the same.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from bot.reply.range_picture.layout import (
    BAND_BASELINE,
    BAR_BOTTOM,
    BAR_TOP,
    EARLIER_Y,
    FONT_BAND,
    FONT_LIMIT,
    FONT_VALUE,
    HEIGHT,
    LIMIT_BASELINE,
    STRIPE_EVERY,
    TINT,
    VALUE_BASELINE,
    WIDTH,
    layout,
)
from bot.reply.range_picture.model import RangePicture

SVG_CLASS = "wbc-range-picture"


def _n(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def render_svg(picture: RangePicture) -> str:
    """The picture as one `<svg>` element (a string of XML)."""
    drawn = layout(picture)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{SVG_CLASS}" role="img" '
        f'aria-label={quoteattr(picture.label)} viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" focusable="false" '
        f'font-family="inherit" fill="currentColor">'
    ]
    height = BAR_BOTTOM - BAR_TOP
    for box in drawn.bands:
        width = box.right - box.left
        parts.append(
            f'<rect class="wbc-rp-band wbc-rp-{box.kind.value}" x="{_n(box.left)}" '
            f'y="{_n(BAR_TOP)}" width="{_n(width)}" height="{_n(height)}" '
            f'fill-opacity="{TINT[box.kind]}" stroke="currentColor" stroke-width="1"/>'
        )
        if box.kind.critical:
            stripes = "".join(
                f"M{_n(x)} {_n(BAR_TOP)}V{_n(BAR_BOTTOM)}"
                for x in _range(box.left + STRIPE_EVERY / 2, box.right, STRIPE_EVERY)
            )
            parts.append(
                f'<path d="{stripes}" stroke="currentColor" stroke-opacity="0.35" '
                f'stroke-width="1"/>'
            )
        squeeze = ""
        if not box.label_fits:  # squeezed to the band, never spilling over its edges
            squeeze = f' textLength="{_n(width - 4)}" lengthAdjust="spacingAndGlyphs"'
        parts.append(
            f'<text x="{_n(box.label_x)}" y="{_n(BAND_BASELINE)}" '
            f'font-size="{_n(FONT_BAND)}" text-anchor="middle"{squeeze}>{escape(box.label)}</text>'
        )
    for x, number in drawn.limits:
        parts.append(
            f'<text x="{_n(x)}" y="{_n(LIMIT_BASELINE)}" font-size="{_n(FONT_LIMIT)}" '
            f'text-anchor="middle">{escape(number)}</text>'
        )
    if drawn.earlier_x:
        last = drawn.earlier_x[-1]
        if abs(drawn.value_x - last) > 6:
            head = -4 if drawn.value_x > last else 4
            tip = drawn.value_x + head / 2
            parts.append(
                f'<path class="wbc-rp-trend" d="M{_n(last)} {_n(EARLIER_Y)}H{_n(tip)}'
                f"M{_n(tip + head)} {_n(EARLIER_Y - 3)}L{_n(tip)} {_n(EARLIER_Y)}"
                f'L{_n(tip + head)} {_n(EARLIER_Y + 3)}" fill="none" stroke="currentColor" '
                f'stroke-width="1.5"/>'
            )
        for x in drawn.earlier_x:
            parts.append(
                f'<circle class="wbc-rp-earlier" cx="{_n(x)}" cy="{_n(EARLIER_Y)}" r="3" '
                f'fill="none" stroke="currentColor" stroke-width="1.5"/>'
            )
    x = drawn.value_x
    parts.append(
        f'<path class="wbc-rp-marker" d="M{_n(x - 5)} {_n(BAR_TOP - 5)}H{_n(x + 5)}'
        f'L{_n(x)} {_n(BAR_TOP)}Z" stroke="currentColor" stroke-width="1"/>'
        f'<path d="M{_n(x)} {_n(BAR_TOP)}V{_n(BAR_BOTTOM + 2)}" stroke="currentColor" '
        f'stroke-width="3"/>'
        f'<text class="wbc-rp-value" x="{_n(drawn.value_label_x)}" y="{_n(VALUE_BASELINE)}" '
        f'font-size="{_n(FONT_VALUE)}" font-weight="bold" text-anchor="middle">'
        f"{escape(drawn.value_text)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _range(start: float, stop: float, step: float) -> list[float]:
    values, x = [], start
    while x < stop:
        values.append(x)
        x += step
    return values
