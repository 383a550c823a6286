"""What kind of file a report is, judged by its first bytes, and replies for unreadable files.

A file may be too big, of the wrong kind, locked, damaged ...: each reply is short and plain and
says what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

MB = 1024 * 1024
TYPE_LINE_EXAMPLE = "WBC 3.2 x10^3/uL (4.0-10.5) L"


@dataclass(frozen=True)
class ReportLimits:
    """How much of a file is read (server/settings.py: REPORT_MAX_BYTES and the others)."""

    max_bytes: int = 10 * MB
    max_pages: int = 3
    max_pixels: int = 40_000_000
    ocr_seconds: float = 20.0


class Kind(str, Enum):
    """The kinds of file a report can be read from, as told by their first bytes (`kind_of`)."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"
    GIF = "gif"
    TIFF = "tiff"
    BMP = "bmp"


# A PDF may have a few bytes of junk before "%PDF-" (the format allows up to 1,024).
PDF_HEADER_WINDOW = 1024


def kind_of(data: bytes) -> Kind | None:
    """Return the file's kind from its content, or None for anything this cannot read.

    Never from its name or the sender's MIME type. None for HEIC, office documents, archives,
    text and the like.
    """
    if b"%PDF-" in data[:PDF_HEADER_WINDOW]:
        return Kind.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Kind.WEBP
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return Kind.GIF
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return Kind.TIFF
    if data[:2] == b"BM":
        return Kind.BMP
    return None


class Problem(str, Enum):
    """Why a file gave no lines to judge; `text` is what the person is told."""

    TOO_BIG = "too_big"
    WRONG_TYPE = "wrong_type"
    HEIC = "heic"
    TOO_MANY_PIXELS = "too_many_pixels"
    ENCRYPTED = "encrypted"
    BROKEN = "broken"
    TOO_SLOW = "too_slow"
    NOTHING_FOUND = "nothing_found"
    ALL_UNCLEAR = "all_unclear"
    DOWNLOAD_FAILED = "download_failed"
    READER_MISSING = "reader_missing"
    BUSY = "busy"

    @property
    def text(self) -> str:
        """What the person is told for this problem: short and plain, saying what to do instead."""
        return PROBLEM_TEXTS[self]


_TYPE_IT = f'or type the white-cell line as it is printed, for example "{TYPE_LINE_EXAMPLE}".'

PROBLEM_TEXTS = {
    Problem.TOO_BIG: (
        "That file is too big for me to read. Please send a photo or screenshot of just the "
        f"page with your blood count, {_TYPE_IT}"
    ),
    Problem.WRONG_TYPE: (
        "I can read a photo (JPEG, PNG or WebP) or a PDF of a lab report, but not this kind "
        f"of file. Please send a photo or PDF, {_TYPE_IT}"
    ),
    Problem.HEIC: (
        "I can't open HEIC photos. Please send it as a normal photo (not as a file) or a "
        f"screenshot, {_TYPE_IT}"
    ),
    Problem.TOO_MANY_PIXELS: (
        "That image is too large for me to read. Please send a normal photo or screenshot of "
        f"the page, {_TYPE_IT}"
    ),
    Problem.ENCRYPTED: (
        "This PDF is password-protected, so I can't open it. Please send a screenshot or "
        f"photo of the page instead, {_TYPE_IT}"
    ),
    Problem.BROKEN: (
        "I couldn't open this file: it seems to be damaged. Please send it again or a photo "
        f"of the page, {_TYPE_IT}"
    ),
    Problem.TOO_SLOW: (
        "Reading this file took too long. Please send a sharp photo of just the page with "
        f"your blood count, {_TYPE_IT}"
    ),
    Problem.NOTHING_FOUND: (
        "I couldn't find a white-cell line (WBC, leukocytes, neutrophils, lymphocytes) in "
        "this file. If it is a lab report, please send a sharper, straight photo of that part, "
        + _TYPE_IT
    ),
    Problem.ALL_UNCLEAR: (
        "I found white-cell lines but couldn't read them clearly enough to judge them. Please "
        f"send a sharper, straight photo in good light, {_TYPE_IT}"
    ),
    Problem.DOWNLOAD_FAILED: (
        f"I couldn't fetch your file. Please send it again in a moment, {_TYPE_IT}"
    ),
    Problem.BUSY: (
        "I'm reading other reports right now, so I can't take yours yet. Please send it again "
        f"in a minute, {_TYPE_IT}"
    ),
    Problem.READER_MISSING: (
        f"I can't read photos or scanned pages on this server at the moment. Please {_TYPE_IT[3:]}"
    ),
}


def is_heic(data: bytes) -> bool:
    """An HEIC/HEIF photo (iPhones' own format): an ISO box "ftyp" with a HEIF brand."""
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc")
