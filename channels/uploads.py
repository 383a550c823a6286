"""Lab reports sent as files: fetched, read off the event loop, and answered into the chat.

A channel hands the bytes of a photo or PDF to `ReportReader.read`, which runs
bot.reports.read_report in a worker thread (OCR is a Tesseract child process, so the event loop
and the other conversations go on meanwhile), at most REPORT_WORKERS files at once per process
(the channels share one reader).
`answer_report` then sends the lines read as read ("I read these lines from your report: ..."),
and passes the clear ones on as the person's message, so the usual reply explains them with the
same rules as typed text. The file itself is only ever in memory: never written to disk, never
logged, never in the conversation store; only the recognised lines enter the conversation.

Telegram: `TelegramFiles.fetch` downloads a file through the Bot API (getFile, then
{TELEGRAM_API_BASE_URL}/file/bot<token>/<file_path>), refusing one larger than REPORT_MAX_BYTES
before and while downloading.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import aiohttp

from bot.reports import (
    Problem,
    ReportLimits,
    ReportReading,
    judged_text,
    read_report,
    shown_text,
)
from channels.telegram_api import TelegramApi
from server import settings

logger = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT_SECONDS = 30.0
# Files that may wait for a reading slot, per reading slot (REPORT_WORKERS): with the default 2
# workers, 2 files are read and 4 wait; the next one is told the bot is busy (`place`), before
# it is downloaded or its body read, so waiting files bound both time and memory.
QUEUE_PER_WORKER = 2
CHUNK_BYTES = 64 * 1024


def report_limits(values: Mapping[str, str] | None = None) -> tuple[ReportLimits, int]:
    """The REPORT_* settings: the reading limits and how many files are read at once."""
    values = values or settings.resolve(os.environ)
    limits = ReportLimits(
        max_bytes=int(settings.number(values, "REPORT_MAX_BYTES")),
        max_pages=max(1, int(settings.number(values, "REPORT_MAX_PAGES"))),
        max_pixels=int(settings.number(values, "REPORT_MAX_PIXELS")),
        ocr_seconds=settings.number(values, "REPORT_OCR_SECONDS"),
    )
    return limits, max(1, int(settings.number(values, "REPORT_WORKERS")))


class ReportReader:
    """Reads report files in worker threads, at most `workers` at a time."""

    def __init__(self, limits: ReportLimits, workers: int) -> None:
        """Allow `workers` files to be read at once and QUEUE_PER_WORKER more per worker to wait."""
        self.limits = limits
        self._slots = asyncio.Semaphore(workers)
        self.capacity = workers * (1 + QUEUE_PER_WORKER)  # files being read or waiting
        self._admitted = 0

    @classmethod
    def from_settings(cls, values: Mapping[str, str] | None = None) -> ReportReader:
        """Return this process's reader for the REPORT_* settings.

        Telegram, the widget and the shell share it, so REPORT_WORKERS bounds the files read at once
        in the process.
        """
        settings_key = report_limits(values)
        if settings_key not in _READERS:
            _READERS[settings_key] = cls(*settings_key)
        return _READERS[settings_key]

    @contextmanager
    def place(self) -> Iterator[bool]:
        """Yield True for a place among the files being read or waiting, False when all are taken.

        On False the caller answers Problem.BUSY without downloading or reading the file.
        """
        if self._admitted >= self.capacity:
            logger.warning("Report refused: %d files are being read or waiting", self._admitted)
            yield False
            return
        self._admitted += 1
        try:
            yield True
        finally:
            self._admitted -= 1

    async def read(self, data: bytes) -> ReportReading:
        """Read a report file in a worker thread once a slot is free; refuse too big a file."""
        if len(data) > self.limits.max_bytes:  # not worth a thread
            return ReportReading(problem=Problem.TOO_BIG)
        async with self._slots:
            return await asyncio.to_thread(read_report, data, self.limits)


# One reader per distinct settings, made on first use (nothing is made at import).
_READERS: dict[tuple[ReportLimits, int], ReportReader] = {}


async def answer_report(
    reading: ReportReading,
    caption: str,
    send_text: Callable[[str], Awaitable[None]],
    answer_text: Callable[[str], Awaitable[None]],
) -> None:
    """Tell the person what was read, then answer it as their message, with the caption.

    The caption may say "I have a fever". Nothing read: say why; a caption is still answered.
    """
    await send_text(shown_text(reading))
    text = judged_text(reading)
    caption = caption.strip()
    if text:
        await answer_text(f"{text}\n{caption}" if caption else text)
    elif caption:
        await answer_text(caption)


@dataclass(frozen=True)
class Fetched:
    """A downloaded file, or why there is none."""

    data: bytes = b""
    problem: Problem | None = None


class TelegramFiles:
    """Downloads files people send to the bot, through the Bot API."""

    def __init__(self, api: TelegramApi, token: str, base_url: str, max_bytes: int) -> None:
        """Keep the API and the file URL, which holds the bot's token: never logged."""
        self.api = api
        self._file_url = f"{base_url.rstrip('/')}/file/bot{token}/"  # holds the token: never logged
        self.max_bytes = max_bytes

    async def fetch(self, file_id: str, size: int | None) -> Fetched:
        """Download a file the person sent, or say why not (too big, or a download that failed).

        `size` is the one the update stated; the size getFile states is checked too, before the
        download.
        """
        if size is not None and size > self.max_bytes:
            return Fetched(problem=Problem.TOO_BIG)
        result = await self.api.call("getFile", {"file_id": file_id}, repeatable=True)
        if not isinstance(result, dict):
            return Fetched(problem=Problem.DOWNLOAD_FAILED)
        path, declared = result.get("file_path"), _byte_count(result.get("file_size"))
        if declared is not None and declared > self.max_bytes:
            return Fetched(problem=Problem.TOO_BIG)
        if not isinstance(path, str) or not path.strip() or ".." in path.split("/"):
            # Telegram gives no path for a file over its own 20 MB download limit (its size
            # says so, above); any other answer without a usable path is a failed download.
            return Fetched(problem=Problem.DOWNLOAD_FAILED)
        return await self._download(path)

    async def _download(self, path: str) -> Fetched:
        try:
            return await self._download_file(path)
        except Exception as error:  # noqa: BLE001 - the person gets the failure line, not silence
            logger.error("Telegram file download failed: %s", type(error).__name__)
            return Fetched(problem=Problem.DOWNLOAD_FAILED)

    async def _download_file(self, path: str) -> Fetched:
        timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_SECONDS)
        url = self._file_url + path.lstrip("/")
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(url) as reply,
            ):
                if reply.status != 200:
                    logger.error("Telegram file download failed: HTTP %d", reply.status)
                    return Fetched(problem=Problem.DOWNLOAD_FAILED)
                if (reply.content_length or 0) > self.max_bytes:
                    return Fetched(problem=Problem.TOO_BIG)
                chunks, received = [], 0
                async for chunk in reply.content.iter_chunked(CHUNK_BYTES):
                    received += len(chunk)
                    if received > self.max_bytes:
                        return Fetched(problem=Problem.TOO_BIG)
                    chunks.append(chunk)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("Telegram file download failed: %s", type(error).__name__)
            return Fetched(problem=Problem.DOWNLOAD_FAILED)
        return Fetched(b"".join(chunks))


def _byte_count(value: object) -> int | None:
    """Read a size as the Bot API states it: a whole number of bytes (an int, or digits).

    None for anything else (missing, negative, a fraction, words).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
