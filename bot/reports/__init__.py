"""Lab reports sent as a photo or a PDF: the white-cell lines read from them, as printed.

`read_report(data)` reads a file in memory (never writing it anywhere): a PDF's text layer
directly, a photo or a scanned page through Tesseract OCR after the clean-up a phone photo
needs. It keeps the lines about white cells, each with the OCR's confidence; a line read with
low confidence is marked and not judged. `shown_text` is what the person sees first (the lines
as read, so they can check them) and `judged_text` what goes on to the same reader and rules
as a typed message. Any file that cannot be read gets a `Problem` with a short, plain reply.
"""

from __future__ import annotations

from bot.reports.files import PROBLEM_TEXTS, Kind, Problem, ReportLimits, kind_of
from bot.reports.read import MIN_CONFIDENCE, ReportLine, ReportReading, read_report
from bot.reports.texts import READ_INTRO, judged_text, shown_text

__all__ = [
    "MIN_CONFIDENCE",
    "PROBLEM_TEXTS",
    "READ_INTRO",
    "Kind",
    "Problem",
    "ReportLimits",
    "ReportLine",
    "ReportReading",
    "judged_text",
    "kind_of",
    "read_report",
    "shown_text",
]
