"""What every channel does with a report file (channels/uploads.py).

One reader per process, and the answer: the lines as read first, then the clear ones (with the
caption) to the bot.
"""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest

from bot.reports import Problem, ReportLimits, ReportLine, ReportReading, shown_text
from channels import uploads, widget_reports
from channels.uploads import ReportReader, TelegramFiles, answer_report
from server import settings

WBC = ReportLine("WBC 3.2 x10^3/uL (4.0-10.5) L", confidence=91.0)
UNCLEAR = ReportLine("Neutrophils 3? % (40-75) L", confidence=41.0)


def test_channels_share_one_reader_for_the_same_settings() -> None:
    """Telegram, the widget and the shell share one reader for the same settings.

    So REPORT_WORKERS bounds the files read at once in the whole process; other settings get their
    own reader.
    """
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


# --- Bounds (issue 27): the queue of files, a trickled body, Telegram's getFile answer -------


async def test_files_past_the_queue_are_told_the_bot_is_busy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Files past the queue are told the bot is busy, before they are downloaded or read.

    With REPORT_WORKERS=1, one file is read and QUEUE_PER_WORKER wait; the next is refused at once
    (Problem.BUSY), and a place frees when one ends.
    """
    release = asyncio.Event()

    def slow_read(data: bytes, limits: object) -> ReportReading:
        while not release.is_set():
            time.sleep(0.01)
        return ReportReading(lines=(WBC,))

    monkeypatch.setattr(uploads, "read_report", slow_read)
    reader = ReportReader(ReportLimits(), workers=1)
    assert reader.capacity == 1 + uploads.QUEUE_PER_WORKER

    async def one() -> ReportReading | None:
        with reader.place() as admitted:
            return await reader.read(b"%PDF-") if admitted else None

    tasks = [asyncio.ensure_future(one()) for _ in range(reader.capacity)]
    await asyncio.sleep(0.05)
    started = time.monotonic()
    assert await one() is None  # refused at once, not queued
    assert time.monotonic() - started < 0.5
    release.set()
    assert all(reading is not None for reading in await asyncio.gather(*tasks))
    with reader.place() as admitted:  # every place was given back
        assert admitted
    assert "again" in Problem.BUSY.text


class _Stream:
    """A request body trickled in: one byte every `every` seconds, for ever."""

    def __init__(self, every: float) -> None:
        self.every = every

    async def read(self) -> bytes | None:
        await asyncio.sleep(self.every)
        return b"x"


async def test_a_trickled_upload_body_is_cut_off_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A trickled upload body is cut off at the deadline (HTTP 408), with a line in the chat.

    A body sent a byte at a time cannot hold its connection and its place in the queue past
    BODY_SECONDS.
    """
    monkeypatch.setattr(widget_reports, "BODY_SECONDS", 0.3)
    monkeypatch.setattr(widget_reports, "DRAIN_SECONDS", 0.1)
    sent: list[str] = []

    class Output:
        async def send_text_message(self, recipient_id: str, text: str) -> None:
            sent.append(text)

    reports = widget_reports.WidgetReports.__new__(widget_reports.WidgetReports)
    reports.channel = SimpleNamespace(
        limits=SimpleNamespace(cors_origins=[]), allowed=lambda sender, address=None: True
    )
    reports.sessions = SimpleNamespace(verify=lambda signed: "room")
    reports.joined = lambda room: True  # type: ignore[method-assign]
    reports.new_output = Output  # type: ignore[assignment]
    reports.reader = ReportReader(ReportLimits(), workers=1)
    request = SimpleNamespace(headers={}, stream=_Stream(every=0.05))
    started = time.monotonic()
    answer = await reports.receive(request)  # type: ignore[arg-type]
    assert answer.status == 408
    assert time.monotonic() - started < 2
    assert sent == [widget_reports.SLOW_BODY_TEXT]


class _Api:
    """A Bot API whose getFile answers `result`."""

    def __init__(self, result: object) -> None:
        self.result = result

    async def call(self, method: str, params: object, **kwargs: object) -> object:
        assert method == "getFile"
        return self.result


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        ({"file_id": "f"}, Problem.DOWNLOAD_FAILED),  # no path
        ({"file_path": ""}, Problem.DOWNLOAD_FAILED),
        ({"file_path": 5}, Problem.DOWNLOAD_FAILED),
        ({"file_size": "lots"}, Problem.DOWNLOAD_FAILED),  # was ValueError: no reply at all
        ({"file_size": {"a": 1}}, Problem.DOWNLOAD_FAILED),  # was TypeError
        ({"file_size": "lots", "file_path": ""}, Problem.DOWNLOAD_FAILED),
        ({"file_size": 10**12}, Problem.TOO_BIG),
        ({"file_size": str(10**12), "file_path": "photos/a.jpg"}, Problem.TOO_BIG),
        (None, Problem.DOWNLOAD_FAILED),
        ([], Problem.DOWNLOAD_FAILED),
    ],
)
async def test_an_odd_get_file_answer_gets_the_friendly_failure_line(
    result: object, problem: Problem
) -> None:
    files = TelegramFiles(_Api(result), "1:x", "http://127.0.0.1:9", 1000)  # type: ignore[arg-type]
    fetched = await files.fetch("f", None)
    assert fetched.problem is problem
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    async def answer_text(text: str) -> None:
        raise AssertionError("nothing to answer")

    await answer_report(ReportReading(problem=fetched.problem), "", send, answer_text)
    assert sent == [problem.text]
