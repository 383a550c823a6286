"""The range picture drawn with every reading (docs/range-picture.md).

It shows where a white count or neutrophil count sits among the low, usual and high bands of its
range, with the critical zones and the earlier counts of the conversation.

`pictures_for` builds the pictures of a reading (pure data, `RangePicture`); `payload` and
`pictures_in` carry them to the channels as a message's custom data; each channel draws them
its own way: `render_svg` (the widget), `render_png` (Telegram), `render_text_bar` (the
terminal). Pictures are drawn per message and never stored.
"""

from __future__ import annotations

from bot.reply.range_picture.build import earlier_counts, picture_of, pictures_for
from bot.reply.range_picture.model import Band, BandKind, Direction, RangePicture
from bot.reply.range_picture.payload import (
    PAYLOAD_KEY,
    PictureDataError,
    from_plain,
    only_pictures,
    payload,
    pictures_in,
    to_plain,
)
from bot.reply.range_picture.png import render_png
from bot.reply.range_picture.svg import render_svg
from bot.reply.range_picture.text_bar import render_bar, render_text_bar

__all__ = [
    "PAYLOAD_KEY",
    "Band",
    "BandKind",
    "Direction",
    "PictureDataError",
    "RangePicture",
    "earlier_counts",
    "from_plain",
    "only_pictures",
    "payload",
    "picture_of",
    "pictures_for",
    "pictures_in",
    "render_bar",
    "render_png",
    "render_svg",
    "render_text_bar",
    "to_plain",
]
