"""PDF reports: the text layer of a portal PDF, read directly (pypdf).

Pages without one (a scan saved as PDF) are left to OCR.
"""

from __future__ import annotations

import io
import logging
import math
import re

from pypdf import PasswordType, PdfReader

logger = logging.getLogger(__name__)

# A page with fewer letters and digits than this in its text layer is a picture: OCR it.
MIN_TEXT_CHARACTERS = 40
MAX_DPI = 300
CELL_GAP = re.compile(r"\s{3,}")  # columns of a table in the layout text


class Encrypted(Exception):
    """The PDF needs a password to open."""


class Broken(Exception):
    """pypdf cannot read the PDF."""


def open_pdf(data: bytes) -> PdfReader:
    """Open a PDF, decrypting it when it only has an owner password, as portal PDFs often do.

    Raises Encrypted when it needs a password, Broken when it cannot be read.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise Encrypted()
        _ = len(reader.pages)  # reads the page tree: a broken one fails here
    except Encrypted:
        raise
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
        if "decrypt" in str(error).lower() or "password" in str(error).lower():
            raise Encrypted() from None
        raise Broken() from None
    return reader


def page_rows(reader: PdfReader, index: int) -> list[list[str]] | None:
    """Return the text of page `index` as printed lines, each a list of cells.

    None when the page has no usable text layer.
    """
    try:
        text = reader.pages[index].extract_text(extraction_mode="layout")
    except Exception as error:  # noqa: BLE001 - a damaged page: treat it as a picture
        logger.info("PDF page %d: no text layer read (%s)", index + 1, type(error).__name__)
        return None
    if sum(char.isalnum() for char in text) < MIN_TEXT_CHARACTERS:
        return None
    return [CELL_GAP.split(line.strip()) for line in text.splitlines() if line.strip()]


def page_dpi(reader: PdfReader, index: int, max_pixels: int) -> int:
    """The resolution to render a page at: 300 dpi, less when that would pass `max_pixels`."""
    try:
        box = reader.pages[index].mediabox
        inches = float(box.width) / 72 * float(box.height) / 72
    except Exception:  # noqa: BLE001 - an odd page box: assume A4
        inches = 8.27 * 11.69
    if inches <= 0:
        inches = 8.27 * 11.69
    return max(36, min(MAX_DPI, int(math.sqrt(max_pixels / inches))))
