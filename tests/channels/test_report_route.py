"""The widget's lab report route, POST /webhooks/socketio/report (issue 13), called directly.

A Socket.IO client joins a session as the widget does, and the replies are read from it: the
route writes only into a session a socket has joined, only from the allowed origins, and
refuses a body over REPORT_MAX_BYTES by its Content-Length or while reading it, with the
friendly reply in the chat. (The upload button itself is tested in test_widget_report.py.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.reports import READ_INTRO, Problem
from channels.widget_reports import FOREIGN_ORIGIN_TEXT, NO_SESSION_TEXT, SESSION_HEADER
from tests.production.chat_clients import SocketChat
from tests.reports.test_read import drawn_page
from tests.stack import Stack, free_port

pytestmark = pytest.mark.stack

REPORT_PATH = "/webhooks/socketio/report"
WBC_LINE = "WBC 3.2 x10^3/uL (4.0-10.5) L"
MAX_BYTES = 10 * 1024 * 1024  # REPORT_MAX_BYTES of the shared test bot: the default


def origin(stack: Stack) -> str:
    return stack.page_url.rstrip("/")


async def post_report(
    stack: Stack, session: str, body: Any, origin_header: str = ""
) -> tuple[int, dict[str, Any]]:
    """POST a report body (bytes, or an async iterator for a chunked body); status and JSON."""
    headers = {SESSION_HEADER: session, "Origin": origin_header or origin(stack)}
    async with (
        aiohttp.ClientSession() as http,
        http.post(stack.bot_url + REPORT_PATH, data=body, headers=headers) as reply,
    ):
        return reply.status, json.loads(await reply.read())


async def chunks(total: int, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    """A body of `total` bytes with no Content-Length (sent chunked)."""
    for start in range(0, total, size):
        yield b"\0" * min(size, total - start)


async def joined_session_case(
    stack: Stack, session: str, body: Any, origin_header: str = ""
) -> tuple[int, dict[str, Any], list[str]]:
    """Post `body` for a session a Socket.IO client has joined.

    Returns the status, the JSON and what the client was sent.
    """
    async with SocketChat(stack.bot_url, origin(stack), session) as chat:
        status, answer = await post_report(stack, chat.session_id, body, origin_header)
        replies = await chat.replies_after(0, timeout=5 if status == 403 else 60)
    return status, answer, [str(reply.get("text", "")) for reply in replies]


def test_route_refuses_a_session_no_socket_has_joined(stack: Stack) -> None:
    """Knowing (or guessing) a conversation's id is not enough to write into it."""
    status, answer = asyncio.run(post_report(stack, "nobody-joined-this", drawn_page()))
    assert (status, answer) == (403, {"text": NO_SESSION_TEXT, "in_chat": False})


def test_route_refuses_other_origins(stack: Stack) -> None:
    """A page on an origin outside CORS_ORIGINS cannot send a report, even for a live session."""
    foreign = f"http://localhost:{free_port()}"
    status, answer, replies = asyncio.run(
        joined_session_case(stack, "report-foreign-origin", drawn_page(), foreign)
    )
    assert (status, answer) == (403, {"text": FOREIGN_ORIGIN_TEXT, "in_chat": False})
    assert replies == []


def test_route_reads_a_report_into_the_joined_session(stack: Stack) -> None:
    """The replies reach the session's sockets: the lines as read, then the verdict."""
    status, answer, replies = asyncio.run(joined_session_case(stack, "report-direct", drawn_page()))
    assert (status, answer) == (200, {"in_chat": True})
    assert replies[0].startswith(READ_INTRO) and WBC_LINE in replies[0]
    assert any("3,200" in reply and "low" in reply for reply in replies[1:])


@pytest.mark.parametrize("sent", ["content-length", "chunked"])
def test_route_refuses_an_oversize_body_with_the_friendly_reply(stack: Stack, sent: str) -> None:
    """A body over REPORT_MAX_BYTES gets HTTP 413 and, in the chat, the friendly reply.

    Over the limit by its Content-Length or (chunked) while it is read; the reply says what to send
    instead.
    """
    body = chunks(MAX_BYTES + 1) if sent == "chunked" else b"%PDF-1.4\n" + b"\0" * MAX_BYTES
    status, answer, replies = asyncio.run(
        joined_session_case(stack, f"report-oversize-{sent}", body)
    )
    assert (status, answer) == (413, {"in_chat": True})
    assert replies == [Problem.TOO_BIG.text]


def test_route_refuses_by_the_content_length_before_reading(stack: Stack) -> None:
    """The size is checked before the body is read.

    A request that only announces too many bytes gets the "too big" reply in the chat without
    sending any.
    """
    assert asyncio.run(announce_only(stack, "report-announced")) == [Problem.TOO_BIG.text]


async def announce_only(stack: Stack, session: str) -> list[str]:
    """Send only a request's head, announcing a body over the limit; what the chat was sent."""
    async with SocketChat(stack.bot_url, origin(stack), session) as chat:
        head = (
            f"POST {REPORT_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"{SESSION_HEADER}: {chat.session_id}\r\n"
            f"Content-Type: image/png\r\nContent-Length: {MAX_BYTES + 1}\r\n\r\n"
        )
        _, writer = await asyncio.open_connection("127.0.0.1", int(stack.values["RASA_PORT"]))
        try:
            writer.write(head.encode())
            await writer.drain()
            replies = await chat.replies_after(0, timeout=15)
        finally:
            writer.close()
    return [str(reply.get("text", "")) for reply in replies]
