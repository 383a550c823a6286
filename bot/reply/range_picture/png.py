"""A range picture as a PNG for Telegram, drawn with Pillow in memory (never written to disk).

The same layout as the SVG (layout.py) at twice its size, dark ink on white: a photo keeps its
own background whatever the chat's theme. Pillow's built-in scalable font, so nothing depends on
the fonts a server has installed.
"""

from __future__ import annotations

import io
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

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

SCALE = 2  # pixels per picture unit: 640 x 124 pixels
# Greyscale (one byte a pixel): a third of the data to compress, so a third of the time.
INK = 26
PAPER = 255
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: float) -> Font:
    return ImageFont.load_default(size=size * SCALE)


@lru_cache(maxsize=512)
def _lettering(text: str, size: float, bold: bool = False) -> tuple[Image.Image, int, int]:
    """Draw a text once as a mask; return it with where its box starts from the anchor point.

    The anchor point is the text's middle, on the baseline. Band words and limits recur in every
    picture and rendering text is most of the drawing time, so each is rendered once per process.
    """
    font, stroke = _font(size), 1 if bold else 0
    left, top, right, bottom = font.getbbox(text, anchor="ms", stroke_width=stroke)
    mask = Image.new("L", (max(int(right - left), 1), max(int(bottom - top), 1)), 0)
    ImageDraw.Draw(mask).text(
        (-left, -top), text, fill=255, font=font, anchor="ms", stroke_width=stroke, stroke_fill=255
    )
    return mask, int(left), int(top)


def _write(
    image: Image.Image, at: tuple[float, float], text: str, size: float, bold: bool = False
) -> None:
    """Writes `text` centred on `at` (x, baseline y) in ink."""
    mask, left, top = _lettering(text, size, bold)
    image.paste(INK, (round(at[0]) + left, round(at[1]) + top), mask)


def _tint(opacity: float) -> int:
    """The ink laid over the paper at `opacity`, as the SVG's tinted fills look."""
    return round(PAPER + (INK - PAPER) * opacity)


def render_png(picture: RangePicture) -> bytes:
    """The picture as PNG bytes."""
    drawn = layout(picture)
    image = Image.new("L", (int(WIDTH * SCALE), int(HEIGHT * SCALE)), PAPER)
    draw = ImageDraw.Draw(image)

    def at(value: float) -> float:
        return value * SCALE

    top, bottom = at(BAR_TOP), at(BAR_BOTTOM)
    for box in drawn.bands:
        left, right = at(box.left), at(box.right)
        draw.rectangle((left, top, right, bottom), fill=_tint(TINT[box.kind]), outline=INK)
        if box.kind.critical:
            x = left + at(STRIPE_EVERY) / 2
            while x < right:
                draw.line((x, top, x, bottom), fill=_tint(0.55), width=1)
                x += at(STRIPE_EVERY)
        size = FONT_BAND if box.label_fits else FONT_BAND * 0.8
        _write(image, (at(box.label_x), at(BAND_BASELINE)), box.label, size)
    for x, number in drawn.limits:
        _write(image, (at(x), at(LIMIT_BASELINE)), number, FONT_LIMIT)
    y = at(EARLIER_Y)
    if drawn.earlier_x:
        last = at(drawn.earlier_x[-1])
        value_x = at(drawn.value_x)
        if abs(value_x - last) > at(6):
            head = -at(4) if value_x > last else at(4)
            tip = value_x + head / 2
            draw.line((last, y, tip, y), fill=INK, width=3)
            draw.line((tip + head, y - at(3), tip, y, tip + head, y + at(3)), fill=INK, width=3)
        for x in drawn.earlier_x:
            r = at(3)
            draw.ellipse((at(x) - r, y - r, at(x) + r, y + r), fill=PAPER, outline=INK, width=3)
    x = at(drawn.value_x)
    draw.polygon(
        [(x - at(5), top - at(5)), (x + at(5), top - at(5)), (x, top)], fill=INK, outline=INK
    )
    draw.line((x, top, x, bottom + at(2)), fill=INK, width=int(at(3)))
    _write(image, (at(drawn.value_label_x), at(VALUE_BASELINE)), drawn.value_text, FONT_VALUE, True)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
