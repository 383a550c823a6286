"""The terminal channel of `make shell`: Rasa's own, plus `/report PATH` for a lab report.

`make shell` runs `rasa run --connector channels.shell.ShellInput`, which is what `rasa shell`
runs with this channel in place of Rasa's CmdlineInput: Rasa starts its terminal conversation
for any channel named "cmdline". Typing `/report PATH` reads the photo or PDF at PATH on this
machine and answers as Telegram and the widget do (channels/uploads.py): the lines as read,
then the clear ones as the person's message. Reading a local path is right here because the
shell is the developer's own terminal, its server listening on the loopback interface only for
as long as the shell runs; no other channel takes a path. Anything else typed goes to the bot
unchanged, but for `/good` and `/bad`, which rate the latest answer (channels/votes.py). Neither
the path nor the file is logged. The conversation is `shell:<id>`, in a
namespace of its own (channels/identity.py), and metadata is dropped, as on every channel.
What the bot says is shown as plain text: its Markdown source links as "title: URL" lines, and
no escape sequence or control character (`terminal_safe`).
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.console import CmdlineInput
from sanic import Blueprint
from sanic.request import Request

from bot.reply.links import as_plain
from bot.reports import Problem, ReportReading
from channels import identity
from channels.markup import as_terminal
from channels.range_pictures import bars_under_readings
from channels.uploads import ReportReader, answer_report
from channels.votes import Voting

REPORT_COMMAND = "/report"
USAGE_TEXT = (
    "Type /report and the path of a photo or PDF of a lab report on this computer, for "
    "example: /report ~/Downloads/results.pdf"
)
NOT_FOUND_TEXT = "There is no file at {path}. Check the path and try again."
UNREADABLE_TEXT = "I could not open {path}: {reason}."


def report_path(text: str) -> str | None:
    """The PATH of a `/report PATH` command ("" when none was given), or None for other text.

    A path may be quoted or have its spaces escaped, as a terminal writes a dropped file; an
    unquoted path with spaces is taken as it is typed.
    """
    command, _, rest = text.strip().partition(" ")
    if command.lower() != REPORT_COMMAND:
        return None
    rest = rest.strip()
    try:
        words = shlex.split(rest)
    except ValueError:  # an unbalanced quote: take the text as typed
        return rest
    return words[0] if len(words) == 1 else rest


def read_local_file(path: str, max_bytes: int) -> bytes | str:
    """The file's bytes, or what to tell the person: not found, too big, cannot be opened."""
    file = Path(path).expanduser()
    try:
        if not file.is_file():
            return NOT_FOUND_TEXT.format(path=path)
        if file.stat().st_size > max_bytes:
            return Problem.TOO_BIG.text
        with file.open("rb") as opened:
            data = opened.read(max_bytes + 1)  # a file that grew meanwhile is still refused
    except OSError as error:
        return UNREADABLE_TEXT.format(path=path, reason=error.strerror or type(error).__name__)
    return Problem.TOO_BIG.text if len(data) > max_bytes else data


def terminal_safe(output: Any) -> None:
    """Make every text `output` collects plain terminal text.

    Markdown links (the bot's sources) become "title: URL" lines (bot.reply.links.as_plain), as
    Telegram's channel makes them HTML. Escape sequences and control characters are removed
    (channels/markup.py): a report line or a quoted text cannot colour, move or retitle the
    terminal, or plant a terminal hyperlink. A reading's range pictures become text bars.
    """
    persist = getattr(output, "_persist_message", None)
    if persist is None or getattr(output, "_terminal_safe", False):
        return

    async def persist_safe(message: dict[str, Any]) -> None:
        if isinstance(message.get("text"), str):
            message = {**message, "text": as_terminal(as_plain(message["text"]))}
        await persist(message)

    output._persist_message = persist_safe
    output._terminal_safe = True
    bars_under_readings(output)  # a reading's range pictures as text bars


class ShellInput(CmdlineInput):
    """Rasa's terminal channel with `/report PATH`. Used by `make shell` (server/launcher.py)."""

    def __init__(self) -> None:
        """The channel, with the report reader and the votes of every channel."""
        super().__init__()
        self.reports = ReportReader.from_settings()
        self.voting = Voting()  # `/good` and `/bad` rate the latest answer (channels/votes.py)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's terminal routes, handling messages with `with_reports`."""
        return super().blueprint(self.with_reports(on_new_message))

    async def _extract_sender(self, req: Request) -> str | None:
        """The terminal's conversation, in the shell's namespace."""
        sender = await super()._extract_sender(req)
        return identity.sender_id(identity.SHELL, sender or "default")

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """None: the terminal sends no metadata, and nothing a client sends is stored."""
        return None  # the terminal sends none; nothing a client sends is stored

    def with_reports(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Callable[[UserMessage], Awaitable[None]]:
        """Rasa's message handler, with `/report PATH` answered here."""

        async def handle(message: UserMessage) -> None:
            terminal_safe(message.output_channel)
            path = report_path(message.text or "")
            if await self.voting.take(message, message.output_channel):
                return
            if path is None:
                await on_new_message(message)
            else:
                await self.answer_report(path, message, on_new_message)

        return handle

    async def answer_report(
        self,
        path: str,
        message: UserMessage,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Reads the file at `path` and answers it into the conversation `message` is in."""
        sender = message.sender_id or ""

        async def send(text: str) -> None:
            await message.output_channel.send_text_message(sender, text)

        async def answer_text(text: str) -> None:
            await on_new_message(
                UserMessage(
                    text,
                    message.output_channel,
                    sender,
                    input_channel=message.input_channel,
                    metadata=message.metadata,
                )
            )

        if not path:
            await send(USAGE_TEXT)
            return
        data = await asyncio.to_thread(read_local_file, path, self.reports.limits.max_bytes)
        if isinstance(data, str):
            await send(data)
            return
        with self.reports.place() as admitted:
            reading = await self.reports.read(data) if admitted else None
        await answer_report(reading or ReportReading(problem=Problem.BUSY), "", send, answer_text)
