"""Text recognition with Tesseract and PDF pages as images with poppler's pdftoppm.

Both run as child processes fed through pipes (`tesseract stdin stdout`, `pdftoppm -`): the
report is never written to a file. Each run has a time limit; Tesseract's own threads are off
(OMP_THREAD_LIMIT=1) so that several pages read at once do not fight over the cores.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from dataclasses import dataclass

TESSERACT = "tesseract"
PDFTOPPM = "pdftoppm"
# Page segmentation 6: one uniform block of text. A report is a table: mode 3 (automatic)
# often reads the names column and the values column as separate blocks.
PAGE_SEGMENTATION = "6"
# A word this far (in line heights) from the one before starts a new cell of a table row.
CELL_GAP_HEIGHTS = 2.5


class OcrTimeout(Exception):
    """Tesseract or pdftoppm ran past its time limit (and was stopped)."""


class OcrFailed(Exception):
    """Tesseract or pdftoppm is missing, or failed."""


@dataclass(frozen=True)
class Word:
    """One word Tesseract read: its text, how sure it is (0-100) and its box in pixels."""

    text: str
    confidence: float  # 0-100, Tesseract's
    left: int
    width: int
    height: int
    top: int = 0


@dataclass(frozen=True)
class OcrLine:
    """One printed line: its cells (parts separated by wide gaps) and its words."""

    cells: tuple[tuple[Word, ...], ...]

    @property
    def words(self) -> tuple[Word, ...]:
        """The line's words, cell after cell."""
        return tuple(word for cell in self.cells for word in cell)


def available() -> bool:
    """Tell whether Tesseract and pdftoppm are installed: photos and scans need them."""
    return shutil.which(TESSERACT) is not None and shutil.which(PDFTOPPM) is not None


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


# OCR and PDF rendering run at a lower CPU priority than the servers, so a person typing is
# answered first while a report is read (it only waits longer when the machine is busy).
OCR_NICENESS = 10


def _niced(command: list[str]) -> list[str]:
    nice = shutil.which("nice")
    return [nice, "-n", str(OCR_NICENESS), *command] if nice else command


# Page segmentation 7: the image is one line of text (a second look at one line of a report).
ONE_LINE = "7"


def recognise(png: bytes, seconds: float, segmentation: str = PAGE_SEGMENTATION) -> list[OcrLine]:
    """The lines Tesseract reads in a PNG image, top to bottom."""
    command = [TESSERACT, "stdin", "stdout", "-l", "eng", "--psm", segmentation, "tsv"]
    out = _run(command, png, seconds)
    return parse_tsv(out.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> list[OcrLine]:
    """Tesseract's TSV (one row per word, with its block, paragraph and line) as lines."""
    lines: dict[tuple[str, str, str], list[Word]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        try:
            word = Word(
                text,
                float(row["conf"]),
                int(row["left"]),
                int(row["width"]),
                int(row["height"]),
                int(row["top"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append(word)
    return [OcrLine(_cells(words)) for words in lines.values()]


def _cells(words: list[Word]) -> tuple[tuple[Word, ...], ...]:
    words = sorted(words, key=lambda word: word.left)
    height = sorted(word.height for word in words)[len(words) // 2]
    cells: list[list[Word]] = []
    for word in words:
        if cells:
            last = cells[-1][-1]
            if word.left - (last.left + last.width) <= CELL_GAP_HEIGHTS * height:
                cells[-1].append(word)
                continue
        cells.append([word])
    return tuple(tuple(cell) for cell in cells)


def render_pdf_page(pdf: bytes, page: int, dpi: int, seconds: float) -> bytes:
    """Page `page` (1-based) of a PDF as a grayscale PNG at `dpi`."""
    command = [PDFTOPPM, "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-png", "-"]
    return _run(command, pdf, seconds)


def _run(command: list[str], data: bytes, seconds: float) -> bytes:
    try:
        done = subprocess.run(
            _niced(command),
            input=data,
            capture_output=True,
            timeout=seconds,
            env=_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OcrTimeout() from None  # subprocess.run has killed it
    except OSError as error:
        raise OcrFailed(f"{command[0]}: {type(error).__name__}") from None
    if done.returncode != 0:
        raise OcrFailed(f"{command[0]} exited with {done.returncode}")
    return done.stdout
