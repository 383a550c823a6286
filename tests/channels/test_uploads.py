"""What every channel does with a report file (channels/uploads.py): one reader per process,
and the answer: the lines as read first, then the clear ones (with the caption) to the bot."""

from __future__ import annotations

import pytest

from bot.reports import Problem, ReportLine, ReportReading, shown_text
from channels.uploads import ReportReader, answer_report
from server import settings

WBC = ReportLine("WBC 3.2 x10^3/uL (4.0-10.5) L", confidence=91.0)
UNCLEAR = ReportLine("Neutrophils 3? % (40-75) L", confidence=41.0)


def test_channels_share_one_reader_for_the_same_settings() -> None:
    """Telegram, the widget and the shell get the same reader, so REPORT_WORKERS bounds the
    files read at once in the whole process; other settings get their own."""
    defaults = settings.resolve({})
    smaller = settings.resolve({"REPORT_MAX_BYTES": "1000"})
    assert ReportReader.from_settings(defaults) is ReportReader.from_settings(dict(defaults))
    assert ReportReader.from_settings(smaller) is not ReportReader.from_settings(defaults)
    assert ReportReader.from_settings(smaller).limits.max_bytes == 1000


@pytest.mark.parametrize(
    ("reading", "caption", "answered"),
    [
        (ReportReading(lines=(WBC, UNCLEAR)), "", [WBC.text]),
        (ReportReading(lines=(WBC,)), " I have a fever ", [f"{WBC.text}\nI have a fever"]),
        (ReportReading(lines=(UNCLEAR,), problem=Problem.ALL_UNCLEAR), "", []),
        (ReportReading(problem=Problem.NOTHING_FOUND), "what is it?", ["what is it?"]),
        (ReportReading(problem=Problem.WRONG_TYPE), "", []),
    ],
    ids=["clear-and-unclear", "caption", "all-unclear", "nothing-but-caption", "wrong-type"],
)
async def test_the_lines_are_shown_then_the_clear_ones_answered(
    reading: ReportReading, caption: str, answered: list[str]
) -> None:
    sent: list[str] = []
    to_bot: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    async def answer_text(text: str) -> None:
        to_bot.append(text)

    await answer_report(reading, caption, send, answer_text)
    assert sent == [shown_text(reading)]
    assert to_bot == answered
