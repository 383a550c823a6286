"""A RangePicture as plain JSON and back.

That is how the picture travels from the action server to the channels (a message's `custom`
data, `{"range_pictures": [...]}`) and to REST clients.

Reading it back is strict (known kinds, finite counts, a short label), because a channel draws
what it reads; anything else is refused with PictureDataError.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from bot.errors import WbcBotError
from bot.model import Analyte
from bot.reference import ranges
from bot.reply.range_picture.model import Band, BandKind, Direction, RangePicture

PAYLOAD_KEY = "range_pictures"  # the key of a message's custom data that holds the pictures
MAX_PICTURES = 8  # per message: a report with many lines still gets a bounded reply
MAX_LABEL_CHARS = 400
MAX_BANDS = len(BandKind)
BASES = (ranges.BASIS_ADULT, ranges.BASIS_LAB, ranges.BASIS_PEDIATRIC, ranges.BASIS_PREGNANCY)


class PictureDataError(WbcBotError, ValueError):
    """Plain data that is not a range picture the bot made."""

    def __init__(self, problem: str) -> None:
        """Keep what is wrong with the data, for the log line, which never shows the data."""
        super().__init__(problem)
        self.problem = problem

    def __str__(self) -> str:
        return f"not a range picture: {self.problem}"


def to_plain(picture: RangePicture) -> dict[str, Any]:
    """The picture as JSON-ready data."""
    return {
        "analyte": picture.analyte.value,
        "value": picture.value,
        "value_text": picture.value_text,
        "band": picture.band.value,
        "basis": picture.basis,
        "low": picture.low,
        "high": picture.high,
        "bands": [
            {"kind": b.kind.value, "start": b.start, "end": b.end, "label": b.label}
            for b in picture.bands
        ],
        "earlier": list(picture.earlier),
        "direction": None if picture.direction is None else picture.direction.value,
        "label": picture.label,
    }


def payload(pictures: Sequence[RangePicture]) -> dict[str, Any]:
    """A message's custom data carrying its pictures ({} for none)."""
    if not pictures:
        return {}
    return {PAYLOAD_KEY: [to_plain(picture) for picture in pictures[:MAX_PICTURES]]}


def pictures_in(custom: object) -> tuple[RangePicture, ...]:
    """Return the pictures a message's custom data carries (none for any other custom data).

    Raises PictureDataError when it names pictures that are not valid.
    """
    if not isinstance(custom, Mapping) or PAYLOAD_KEY not in custom:
        return ()
    items = custom[PAYLOAD_KEY]
    if not isinstance(items, list) or len(items) > MAX_PICTURES:
        raise PictureDataError("a list of at most 8 pictures is expected")
    return tuple(from_plain(item) for item in items)


def only_pictures(custom: object) -> bool:
    """True when custom data carries pictures and nothing else."""
    return isinstance(custom, Mapping) and set(custom) == {PAYLOAD_KEY}


def from_plain(data: object) -> RangePicture:
    """A picture from JSON data; PictureDataError when anything is off."""
    if not isinstance(data, Mapping):
        raise PictureDataError("an object is expected")
    bands_data = data.get("bands")
    if not isinstance(bands_data, list) or not 1 <= len(bands_data) <= MAX_BANDS:
        raise PictureDataError("bands")
    bands = tuple(
        Band(
            _enum(BandKind, _field(band, "kind")),
            _count(_field(band, "start")),
            _count(_field(band, "end")),
            _text(_field(band, "label"), 20),
        )
        for band in bands_data
    )
    if any(b.end < b.start for b in bands) or bands[0].start != 0:
        raise PictureDataError("bands out of order")
    if any(one.end != two.start for one, two in itertools.pairwise(bands)):
        raise PictureDataError("bands with gaps")
    earlier = data.get("earlier") or []
    if not isinstance(earlier, list) or len(earlier) > MAX_PICTURES:
        raise PictureDataError("earlier")
    direction = data.get("direction")
    basis = data.get("basis")
    if basis not in BASES:
        raise PictureDataError("basis")
    return RangePicture(
        analyte=_enum(Analyte, data.get("analyte")),
        value=_count(data.get("value")),
        value_text=ranges.format_count(_count(data.get("value"))),  # formatted here, not read
        band=_enum(BandKind, data.get("band")),
        basis=str(basis),
        low=_count(data.get("low")),
        high=_count(data.get("high")),
        bands=bands,
        earlier=tuple(_count(value) for value in earlier),
        direction=None if direction is None else _enum(Direction, direction),
        label=_text(data.get("label"), MAX_LABEL_CHARS),
    )


def _field(data: object, name: str) -> object:
    if not isinstance(data, Mapping):
        raise PictureDataError("a band is not an object")
    return data.get(name)


def _count(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PictureDataError("a count is not a number")
    if not math.isfinite(value) or value < 0 or value > ranges.LARGEST_WRITTEN_OUT:
        raise PictureDataError("a count is out of range")
    return float(value)


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise PictureDataError("a text is missing or too long")
    return value


def _enum(kind: Any, value: object) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise PictureDataError(f"unknown {kind.__name__}") from None
