"""A range picture as one line of text for the terminal (`make shell`).

    !!!!!|---low-●--|=====usual=====|---high---  800 ↓ from 1,200

Each band is filled with its own sign and carries its word where it fits ("low", "usual",
"high"; "!" fills a critical zone), `●` marks the count and `○` an earlier one; after the bar
the count and the change since the last earlier count. Plain characters, no colour codes.
"""

from __future__ import annotations

from bot.reference.ranges import format_count
from bot.reply.range_picture.model import BandKind, Direction, RangePicture
from bot.reply.range_picture.scale import band_spans, position

BAR_WIDTH = 40
FILL = {
    BandKind.CRITICALLY_LOW: "!",
    BandKind.LOW: "-",
    BandKind.USUAL: "=",
    BandKind.HIGH: "-",
    BandKind.CRITICALLY_HIGH: "!",
}
ARROW = {Direction.UP: "↑", Direction.DOWN: "↓"}
VALUE_MARK, EARLIER_MARK, EDGE = "●", "○", "|"


def render_bar(picture: RangePicture, width: int = BAR_WIDTH) -> str:
    """The bar alone: exactly `width` characters."""
    cells = [" "] * width
    marks = {_cell(position(picture, value), width): EARLIER_MARK for value in picture.earlier}
    marks[_cell(position(picture, picture.value), width)] = VALUE_MARK
    for band, left, right in band_spans(picture):
        start, end = round(left * width), min(round(right * width), width)
        for index in range(start, end):
            cells[index] = FILL[band.kind]
        if start > 0:
            cells[start] = EDGE
        word = "" if band.kind.critical else band.label
        at = _free_place(len(word), start + 1, end, marks) if word else None
        if at is not None:
            cells[at : at + len(word)] = list(word)
    for index, mark in marks.items():
        cells[index] = mark
    return "".join(cells)


def _free_place(length: int, start: int, end: int, taken: dict[int, str]) -> int | None:
    """Return where a word of `length` fits in cells start..end-1 without covering a mark.

    As near the middle as it can; None when it does not fit.
    """
    middle = (start + end - length) // 2
    places = sorted(range(start, end - length + 1), key=lambda at: abs(at - middle))
    for at in places:
        if not any(at <= index < at + length for index in taken):
            return at
    return None


def render_text_bar(picture: RangePicture, width: int = BAR_WIDTH) -> str:
    """One line: the bar, the count, and its change since the last earlier count."""
    line = f"{render_bar(picture, width)}  {picture.value_text}"
    if picture.direction is not None and picture.earlier:
        if picture.direction is Direction.SAME:
            line += " (same as before)"
        else:
            line += f" {ARROW[picture.direction]} from {format_count(picture.earlier[-1])}"
    return line


def _cell(fraction: float, width: int) -> int:
    return min(max(int(fraction * width), 0), width - 1)
