"""What the person is told about a report: the lines read, then the usual answer to them."""

from __future__ import annotations

from bot.reports.read import ReportReading

READ_INTRO = "I read these lines from your report:"
UNCLEAR_MARK = "(not clear enough: not judged; please check it and type it if it matters)"
PAGES_NOTE = "I read only the first {read} of its {total} pages."
CHECK_NOTE = "Please check them against your report. Here is what they mean:"


def shown_text(reading: ReportReading) -> str:
    """The lines as read (unclear ones marked), or why nothing was read."""
    if reading.problem is not None and not reading.lines:
        return reading.problem.text
    listed = [
        f"• {line.text}" + ("" if line.clear else f" {UNCLEAR_MARK}") for line in reading.lines
    ]
    parts = [READ_INTRO, "\n".join(listed)]
    if reading.pages_in_file > reading.pages_read:
        parts.append(PAGES_NOTE.format(read=reading.pages_read, total=reading.pages_in_file))
    if reading.problem is not None:  # lines were found, none clear
        parts.append(reading.problem.text)
    else:
        parts.append(CHECK_NOTE)
    return "\n\n".join(parts)


def judged_text(reading: ReportReading) -> str:
    """The clear lines, one a line: the message the bot answers as if it had been typed."""
    return "\n".join(line.text for line in reading.clear_lines)
