"""Making a phone photo of a report readable: upright, gray, full contrast, big enough, level.

Every step works in memory. The pixel count is checked from the header before any pixel is
decoded (Pillow's decompression-bomb guard is set to the same limit, as a second line).
"""

from __future__ import annotations

import io
import warnings

import numpy
from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

# Tesseract reads best with capital letters 25-40 pixels tall: a page narrower than this is
# scaled up (a 1,000-pixel screenshot of a report has letters about 12 pixels tall).
MIN_WIDTH = 2000
MAX_WIDTH = 3000  # wider is scaled down: slower, no better
DESKEW_MAX_DEGREES = 10.0
DESKEW_WIDTH = 600  # the skew is searched on a copy this wide


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
    image = _scaled(image)
    image = _even_light(image)
    image = ImageOps.autocontrast(image, cutoff=1)
    if deskew:
        angle = skew_angle(image)
        if abs(angle) >= 0.3:
            image = image.rotate(
                angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255
            )
    return image


def _scaled(image: Image.Image) -> Image.Image:
    width, height = image.size
    if width < MIN_WIDTH or width > MAX_WIDTH:
        target = MIN_WIDTH if width < MIN_WIDTH else MAX_WIDTH
        factor = target / width
        size = (target, max(1, round(height * factor)))
        image = image.resize(size, Image.Resampling.BICUBIC)
    return image


def _even_light(image: Image.Image) -> Image.Image:
    """Take out slow changes of brightness (a shadow across a photographed page): the page
    plus the inverse of its background (its lightest parts, blurred), so paper is white."""
    small = image.reduce(8) if min(image.size) >= 64 else image
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(12))
    background = background.resize(image.size, Image.Resampling.BILINEAR)
    stat = ImageStat.Stat(background)
    if stat.extrema[0][0] > 200:  # already evenly lit (a screenshot, a scan): leave it
        return image
    inverted = ImageChops.invert(background)
    return ImageChops.add(image, inverted, scale=1.0, offset=0)


def skew_angle(image: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that makes the text lines level: the angle
    in ±DESKEW_MAX_DEGREES whose row profile of dark pixels is the sharpest."""
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
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
