"""Making a phone photo of a report readable: upright, gray, full contrast, big enough, level.

Every step works in memory. The pixel count is checked from the header before any pixel is
decoded (Pillow's decompression-bomb guard is set to the same limit, as a second line).
"""

from __future__ import annotations

import io
import warnings

import numpy
from numpy.typing import NDArray
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

# Tesseract reads best with capital letters 25-40 pixels tall: a page narrower than this is
# scaled up (a 1,000-pixel screenshot of a report has letters about 12 pixels tall).
MIN_WIDTH = 2000
MAX_WIDTH = 3000  # wider is scaled down: slower, no better
DESKEW_MAX_DEGREES = 10.0
PAPER_LEVEL = 200  # after autocontrast, lighter than this is paper (`paper_white`)
DESKEW_WIDTH = 600  # the skew is searched on a copy this wide
PAGE_FIND_WIDTH = 400  # the page's corners are searched on a copy about this wide


class ImageTooLarge(Exception):
    """More pixels than the limit."""


class NotAnImage(Exception):
    """Pillow cannot decode it."""


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    """The image in `data`, decoded, upright (EXIF orientation applied) and in grayscale."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageTooLarge()
            image.seek(0)  # the first frame of a GIF or a multi-page TIFF
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge() from None
    except ImageTooLarge:
        raise
    except Exception:  # noqa: BLE001 - truncated, corrupt or unknown: all are "cannot open"
        raise NotAnImage() from None
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "P", "PA"):  # transparent parts become white paper
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return image.convert("L")


def prepare(image: Image.Image, deskew: bool = True) -> Image.Image:
    """A grayscale page ready for OCR: scaled, evened out (shadows), stretched, levelled."""
    corners = page_corners(image)
    image = _scaled(image) if corners is None else flattened(image, corners)
    image = _even_light(image)
    image = ImageOps.autocontrast(image, cutoff=1)
    if deskew:
        angle = skew_angle(image)
        if abs(angle) >= 0.3:
            image = image.rotate(
                angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255
            )
    return without_rules(image)


def paper_white(page: Image.Image) -> Image.Image:
    """Return the page with its light texture made white paper.

    The texture is the moiré of a screen in a photo of it, which Tesseract reads as faint lines of
    text. Only for a page where nothing was found: on others it can turn a thin stroke into paper
    and a digit into another.
    """
    return page.point(lambda value: 255 if value > PAPER_LEVEL else value)


# A table's ruled lines: dark runs longer than any letter. Tesseract reads a rule beside a
# number as "[", "|" or "1" (and a "1" is a digit), so the rules are painted out first.
RULE_DARK = 170  # gray levels below this are ink
VERTICAL_RULE_SHARE = (
    1 / 15
)  # of the page's width: three or four capital letters (a table rule runs through its rows)
HORIZONTAL_RULE_SHARE = 1 / 8
# A table's rules cover a few percent of a page; more long dark runs than this are the dark
# surround of a photographed screen, and painting them out cut commas and digits.
MAX_RULE_SHARE = 0.04


def without_rules(image: Image.Image) -> Image.Image:
    """Return the page with the long straight lines of a table (vertical and horizontal) made white.

    Text, being made of short strokes, is left as it is.
    """
    small = image.reduce(2) if min(image.size) >= 64 else image  # found at half size: faster
    dark = numpy.asarray(small) < RULE_DARK
    vertical = _long_runs(dark, max(8, round(small.width * VERTICAL_RULE_SHARE)), axis=0)
    horizontal = _long_runs(dark, max(8, round(small.width * HORIZONTAL_RULE_SHARE)), axis=1)
    found = vertical | horizontal
    if not found.any() or found.mean() > MAX_RULE_SHARE:
        return image  # no rules, or a dark surround (a screen's frame) rather than rules
    # the rule's soft edges too: one pixel either side
    found = found | numpy.roll(found, 1, axis=1) | numpy.roll(found, -1, axis=1)
    found = found | numpy.roll(found, 1, axis=0) | numpy.roll(found, -1, axis=0)
    mask = Image.fromarray(found.astype(numpy.uint8) * 255).resize(
        image.size, Image.Resampling.NEAREST
    )
    pixels = numpy.asarray(image)
    cleaned = numpy.where(numpy.asarray(mask) > 0, 255, pixels).astype(numpy.uint8)
    return Image.fromarray(cleaned, mode="L")


def _long_runs(dark: NDArray[numpy.bool_], length: int, axis: int) -> NDArray[numpy.bool_]:
    """The pixels in runs of at least `length` dark pixels along `axis`."""
    along = numpy.moveaxis(dark, axis, 0)
    size = along.shape[0]
    if size < length:
        return numpy.zeros_like(dark)
    counts = numpy.zeros((size + 1, *along.shape[1:]), dtype=numpy.int32)
    numpy.cumsum(along, axis=0, out=counts[1:])
    starts = (counts[length:] - counts[:-length]) == length  # a full run starts at i
    started = numpy.zeros((len(starts) + 1, *along.shape[1:]), dtype=numpy.int32)
    numpy.cumsum(starts, axis=0, out=started[1:])
    index = numpy.arange(size)
    last = numpy.minimum(index, size - length) + 1  # runs starting at or before j ...
    first = numpy.maximum(index - length + 1, 0)  # ... and no more than length-1 before it
    covered = (started[last] - started[first]) > 0
    return numpy.moveaxis(covered, 0, axis)


# A phone's screenshot (much taller than wide) is drawn at 3 pixels a point: its letters are
# already large, and scaling it to MIN_WIDTH makes them too large for Tesseract.
PHONE_SHAPE = 1.7  # height over width, at least
PHONE_MIN_WIDTH = 1000


def _scaled(image: Image.Image) -> Image.Image:
    width, height = image.size
    smallest = PHONE_MIN_WIDTH if height >= PHONE_SHAPE * width else MIN_WIDTH
    if width < smallest or width > MAX_WIDTH:
        target = smallest if width < smallest else MAX_WIDTH
        factor = target / width
        size = (target, max(1, round(height * factor)))
        image = image.resize(size, Image.Resampling.BICUBIC)
    return image


def _even_light(image: Image.Image) -> Image.Image:
    """Take out slow changes of brightness, such as a shadow across a photographed page.

    The page plus the inverse of its background (its lightest parts, blurred), so paper is white.
    """
    small = image.reduce(8) if min(image.size) >= 64 else image
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(12))
    background = background.resize(image.size, Image.Resampling.BILINEAR)
    stat = ImageStat.Stat(background)
    if stat.extrema[0][0] > 200:  # already evenly lit (a screenshot, a scan): leave it
        return image
    inverted = ImageChops.invert(background)
    return ImageChops.add(image, inverted, scale=1.0, offset=0)


Point = tuple[float, float]


def page_corners(image: Image.Image) -> list[Point] | None:
    """Return the corners of a sheet of paper photographed on a darker surface, or None.

    The corners are top-left, top-right, bottom-right, bottom-left, in pixels of `image`. None when
    the photo shows no such sheet (a screenshot, a scan, a page filling the photo) or its outline is
    not clearly a four-cornered page.

    Paper is told from the surface column by column (a shadow darkens both alike): a column's
    pixels above the middle of its darkest and lightest are paper (a column showing only one
    of them takes the levels of the nearest columns that show both). Text is taken out first
    (its lightest neighbour replaces each pixel), so only the sheet's outline is left.
    """
    step = max(1, image.width // PAGE_FIND_WIDTH)
    small = image.reduce(step) if step > 1 else image
    paper = numpy.asarray(small.filter(ImageFilter.MaxFilter(5)), dtype=numpy.int16)
    low = numpy.percentile(paper, 2, axis=0)
    high = numpy.percentile(paper, 98, axis=0)
    mixed = high - low >= PAGE_CONTRAST
    if mixed.mean() < 0.2:  # (almost) no column shows both paper and surface
        return None
    # a column of only paper or only surface takes its levels from the nearest mixed ones
    columns = numpy.arange(paper.shape[1])
    low = numpy.interp(columns, columns[mixed], low[mixed])
    high = numpy.interp(columns, columns[mixed], high[mixed])
    mask = paper > (low + high) / 2
    ys, xs = numpy.nonzero(mask)
    if len(xs) == 0:
        return None
    total, difference = xs + ys, xs - ys
    found = [
        (xs[total.argmin()], ys[total.argmin()]),
        (xs[difference.argmax()], ys[difference.argmax()]),
        (xs[total.argmax()], ys[total.argmax()]),
        (xs[difference.argmin()], ys[difference.argmin()]),
    ]
    corners = [(float(x), float(y)) for x, y in found]
    if not _a_page(corners, mask):
        return None
    return [((x + 0.5) * step, (y + 0.5) * step) for x, y in corners]


PAGE_CONTRAST = 14  # levels between paper and surface in a column, at least
PAGE_MIN_SHARE = 0.3  # of the photo; a smaller "page" is more likely something else
PAGE_FIT = 0.95  # share of agreement between the outline and the paper found


def _a_page(corners: list[Point], mask: NDArray[numpy.bool_]) -> bool:
    """Tell whether four corners are a page.

    They must enclose the paper found and little else, look like a page seen at a moderate angle
    (each corner 60-120 degrees), and not be the photo's own edges.
    """
    height, width = mask.shape
    outline = Image.new("1", (width, height), 0)
    ImageDraw.Draw(outline).polygon(corners, fill=1)
    inside = numpy.asarray(outline, dtype=bool)
    if inside.mean() < PAGE_MIN_SHARE:
        return False
    agreement = float((inside == mask).mean())
    if agreement < PAGE_FIT:
        return False
    for index, (x, y) in enumerate(corners):
        before, after = corners[index - 1], corners[(index + 1) % 4]
        a = numpy.array([before[0] - x, before[1] - y])
        b = numpy.array([after[0] - x, after[1] - y])
        norms = float(numpy.linalg.norm(a) * numpy.linalg.norm(b))
        if norms == 0:
            return False
        angle = numpy.degrees(numpy.arccos(numpy.clip(float(a @ b) / norms, -1.0, 1.0)))
        if not 60 <= angle <= 120:
            return False
    edge = 0.01 * max(width, height)
    at_edges = [(0, 0), (width - 1, 0), (width - 1, height - 1), (0, height - 1)]
    return any(
        abs(x - ex) > edge or abs(y - ey) > edge
        for (x, y), (ex, ey) in zip(corners, at_edges, strict=True)
    )


def flattened(image: Image.Image, corners: list[Point]) -> Image.Image:
    """Warp the page inside `corners` back to a rectangle, as if photographed straight on.

    It is scaled as `_scaled` would (one resampling, not two).
    """
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = corners
    width = max(numpy.hypot(x1 - x0, y1 - y0), numpy.hypot(x2 - x3, y2 - y3))
    height = max(numpy.hypot(x3 - x0, y3 - y0), numpy.hypot(x2 - x1, y2 - y1))
    factor = min(max(width, MIN_WIDTH), MAX_WIDTH) / width
    size = (round(width * factor), max(1, round(height * factor)))
    rectangle = [(0.0, 0.0), (size[0], 0.0), (size[0], size[1]), (0.0, size[1])]
    return image.transform(
        size,
        Image.Transform.PERSPECTIVE,
        perspective_coefficients([(float(x), float(y)) for x, y in rectangle], corners),
        resample=Image.Resampling.BICUBIC,
        fillcolor=255,
    )


def perspective_coefficients(source: list[Point], target: list[Point]) -> tuple[float, ...]:
    """Return Pillow's eight PERSPECTIVE coefficients mapping `source` points to `target` points.

    Each point of `source` (in the output) goes to the point of `target` (in the input) at the same
    index.
    """
    rows, values = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
        values += [u, v]
    solved = numpy.linalg.solve(numpy.array(rows), numpy.array(values))
    return tuple(float(value) for value in solved)


def skew_angle(image: Image.Image) -> float:
    """Return the rotation (degrees, counter-clockwise) that makes the text lines level.

    That is the angle in ±DESKEW_MAX_DEGREES whose row profile of dark pixels is the sharpest.
    """
    width, height = image.size
    factor = DESKEW_WIDTH / width
    small = image.resize((DESKEW_WIDTH, max(1, round(height * factor))), Image.Resampling.BOX)
    ink = small.point(lambda value: 255 if value < 140 else 0)  # text white on black
    if not ink.getbbox():
        return 0.0

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.Resampling.NEAREST, expand=True)
        profile = numpy.asarray(turned, dtype=numpy.float64).sum(axis=1)
        return float(numpy.square(numpy.diff(profile)).sum())

    best = max(_steps(-DESKEW_MAX_DEGREES, DESKEW_MAX_DEGREES, 1.0), key=sharpness)
    fine = _steps(best - 0.8, best + 0.8, 0.2)
    return max(fine, key=sharpness)


def _steps(start: float, stop: float, step: float) -> list[float]:
    count = round((stop - start) / step)
    return [round(start + index * step, 2) for index in range(count + 1)]


def png_bytes(image: Image.Image) -> bytes:
    """Encode an image as PNG, compressed lightly: the bytes go to Tesseract, not to disk."""
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
