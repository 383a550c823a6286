"""Lab reports sent from the chat widget: POST /webhooks/socketio/report (docs/reports.md).

The widget's upload button (web/static/embed.js) posts the photo or PDF as the raw request body,
naming its conversation in the X-Chat-Session header. The route accepts it only from the origins
the Socket.IO channel accepts, only for a session id this server signed (channels/identity.py),
and only while a socket of this server is in that session (as `handle_message` checks), so
nobody can write into a conversation by knowing or guessing an id: a Telegram chat id or a
REST sender is not a signed session, and a signed one is known only to its browser. It
reads at most REPORT_MAX_BYTES (the request's Content-Length first, then while reading: the
route streams, so Sanic's MAX_BODY_BYTES does not apply), reads the file with `ReportReader`
and answers into the conversation's room, as bot messages the browser shows like any other.
A body found too big gets its reply in the chat at once; the rest of it is then read and
dropped (within a bound) so that the browser can read the HTTP answer too.

The HTTP answer only tells the widget how it went: {"in_chat": true} when the replies went into
the chat (the file's problem included), else the reason as {"text": ..., "in_chat": false}. The
file is only in memory for the turn: never written, never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.reports import Problem, ReportReading
from channels import identity
from channels.guard import SLOW_DOWN_TEXT, CountingOutput, GuardedChannel, peer_address
from channels.uploads import ReportReader, answer_report
from server.privacy import hashed

logger = logging.getLogger(__name__)

SESSION_HEADER = "X-Chat-Session"
INPUT_CHANNEL = "socketio"  # what the bot is told the message came through, as for typed text
FOREIGN_ORIGIN_TEXT = "This page may not send reports to the lab results helper."
NO_SESSION_TEXT = "Please open the chat and wait until it is connected, then send your report."
# How much of a refused body is read (and dropped) so the browser gets the 413: see `drain`.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
# The whole body must arrive within this time (10 MB at about 1.5 Mbit/s); a slower one,
# trickled in to hold the connection and a place in the queue, is refused.
BODY_SECONDS = 60
DRAIN_SECONDS = 10  # how long a refused body is read and dropped at most
SLOW_BODY_TEXT = (
    "Your report took too long to arrive, so I stopped waiting for it. Please try again on a "
    "better connection, or send a smaller photo of just the page with your blood count."
)


class WidgetReports:
    """The upload route of one Socket.IO channel: checks, reads and answers into its rooms."""

    def __init__(
        self,
        channel: GuardedChannel,
        sio: AsyncServer,
        namespace: str | None,
        new_output: Callable[[], CountingOutput],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Keep the channel, its Socket.IO server and how to answer into a room.

        The reader is the process's own (ReportReader.from_settings). Session ids are checked with
        the channel's own signer when it has one, so an upload names the same sessions as the chat.
        """
        self.channel = channel
        self.sio = sio
        self.namespace = namespace or "/"
        self.new_output = new_output  # sends into a room, as the channel's own replies
        self.on_new_message = on_new_message
        self.reader = ReportReader.from_settings()
        signer = getattr(channel, "sessions", None)
        self.sessions = signer if signer is not None else identity.SessionSigner.from_settings()

    async def receive(self, request: Request) -> HTTPResponse:
        """Checks the origin, the session, the rate limit and the size; then reads and answers."""
        origin = request.headers.get("origin")
        if origin and origin not in self.channel.limits.cors_origins:
            logger.warning("Report upload refused: origin not allowed")
            return _refused(FOREIGN_ORIGIN_TEXT, 403)
        room = self.sessions.verify(request.headers.get(SESSION_HEADER, ""))
        if room is None or not self.joined(room):
            logger.warning("Report upload for a session no socket has joined")
            return _refused(NO_SESSION_TEXT, 403)
        session = identity.sender_id(identity.WIDGET, room)  # the conversation, as typed text
        if not self.channel.allowed(session, peer_address(request)):
            await self.new_output().send_text_message(session, SLOW_DOWN_TEXT)
            return _in_chat(429)
        with self.reader.place() as admitted:  # a bounded queue: busy rather than waiting
            if not admitted:
                await self.new_output().send_text_message(session, Problem.BUSY.text)
                await drain(request)
                return _in_chat(503)
            try:  # a body trickled in byte by byte holds its place for BODY_SECONDS at most
                data = await asyncio.wait_for(self.body(request), BODY_SECONDS)
            except asyncio.TimeoutError:
                logger.info(
                    "Report from %s refused: body slower than %d s", hashed(session), BODY_SECONDS
                )
                await self.new_output().send_text_message(session, SLOW_BODY_TEXT)
                return _in_chat(408)
            if data is None:
                logger.info("Report from %s refused: larger than REPORT_MAX_BYTES", hashed(session))
                await self.new_output().send_text_message(session, Problem.TOO_BIG.text)
                await drain(request)
                return _in_chat(413)
            reading = await self.reader.read(data)
        await self.answer(session, reading)
        return _in_chat(200)

    def joined(self, room: str) -> bool:
        """Whether a socket of this server is in the session's room (session_request)."""
        return any(True for _ in self.sio.manager.get_participants(self.namespace, room))

    async def body(self, request: Request) -> bytes | None:
        """The request body, or None as soon as it is known to be larger than the limit."""
        return await bounded_body(request, self.reader.limits.max_bytes)

    async def answer(self, session: str, reading: ReportReading) -> None:
        """The lines as read into the chat, then the clear ones answered as the person's message."""

        async def send(text: str) -> None:
            await self.new_output().send_text_message(session, text)

        async def answer_text(text: str) -> None:
            output = self.new_output()
            message = UserMessage(text, output, session, input_channel=INPUT_CHANNEL)
            await self.channel.guarded_answer(self.on_new_message, message, output)

        await answer_report(reading, "", send, answer_text)


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """Read a streamed request body of at most `limit` bytes, or None once it is known to be larger.

    The Content-Length is checked first, then the bytes while reading: the header may lie or be
    absent.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, received, stream = [], 0, request.stream
    while stream is not None and (chunk := await stream.read()) is not None:
        received += len(chunk)
        if received > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def drain(request: Request) -> None:
    """Reads and drops the rest of a refused body, up to DRAIN_LIMIT_BYTES in all.

    A browser still sending when the server closes the connection sees it reset and not the
    answer; Sanic closes it after a handler that left more than MAX_BODY_BYTES unread. A body
    announced larger than the limit is not waited for: its connection is closed.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > DRAIN_LIMIT_BYTES:
        return

    async def read_rest() -> None:
        received, stream = 0, request.stream
        while stream is not None and received <= DRAIN_LIMIT_BYTES:
            chunk = await stream.read()
            if chunk is None:
                return
            received += len(chunk)

    try:
        await asyncio.wait_for(read_rest(), DRAIN_SECONDS)
    except asyncio.TimeoutError:
        return


def _in_chat(status: int) -> HTTPResponse:
    return response.json({"in_chat": True}, status=status)


def _refused(text: str, status: int) -> HTTPResponse:
    return response.json({"text": text, "in_chat": False}, status=status)
