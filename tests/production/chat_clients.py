"""Asynchronous clients for the bot's two web channels, for tests that talk to it many at once.

`post` sends raw bytes to the REST channel (aiohttp); `SocketChat` is one browser-like Socket.IO
conversation (python-socketio), with the Origin header a browser would send. Socket.IO runs on
HTTP long-polling: python-engineio's websocket client needs a newer aiohttp than Rasa pins.
"""

from __future__ import annotations

import asyncio
import json
import time
from types import TracebackType
from typing import Any

import aiohttp
import socketio

from tests.stack import REST_AUTH

REST_PATH = "/webhooks/rest/webhook"


async def post(
    session: aiohttp.ClientSession,
    bot_url: str,
    body: bytes,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """POST `body` as it is to the REST channel, with the test stacks' REST token.

    Returns the HTTP status and the response body.
    """
    async with session.post(
        bot_url + REST_PATH,
        data=body,
        headers={"Content-Type": "application/json", **REST_AUTH, **(headers or {})},
    ) as response:
        return response.status, await response.read()


def message(sender: str, text: Any) -> bytes:
    """A REST request body."""
    return json.dumps({"sender": sender, "message": text}).encode()


class SocketChat:
    """One Socket.IO conversation: connect, ask for a session, say things, collect replies."""

    def __init__(self, bot_url: str, origin: str, session_id: str = "") -> None:
        self.bot_url = bot_url
        self.origin = origin
        self.requested = session_id  # asked for; a session the server did not sign is new
        self.session_id = ""  # the (signed) session the server confirmed
        self.received: list[dict[str, Any]] = []
        self.client = socketio.AsyncClient(reconnection=False)
        self._confirmed = asyncio.Event()
        self.client.on("bot_uttered", self._on_bot_uttered)
        self.client.on("session_confirm", self._on_session_confirm)

    async def _on_bot_uttered(self, data: Any) -> None:
        self.received.append(data if isinstance(data, dict) else {"raw": data})

    async def _on_session_confirm(self, data: Any) -> None:
        self.session_id = str(data)
        self._confirmed.set()

    async def __aenter__(self) -> SocketChat:
        await self.client.connect(
            self.bot_url,
            headers={"Origin": self.origin},
            transports=["polling"],
            wait_timeout=10,
        )
        await self.client.emit("session_request", {"session_id": self.requested})
        await asyncio.wait_for(self._confirmed.wait(), 10)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # Close without waiting for the pending long-poll request, which the server holds for
        # up to its ping interval (25 s); the server sees the connection close at once.
        await self.client.eio.disconnect(abort=True)

    async def send(self, data: Any) -> None:
        """Emit one user_uttered event without waiting for the reply."""
        await self.client.emit("user_uttered", data)

    async def say(
        self, text: Any, timeout: float = 20.0, settle: float = 1.0
    ) -> list[dict[str, Any]]:
        """Send `text` in this session; every reply until none came for `settle` seconds."""
        start = len(self.received)
        await self.send({"message": text, "session_id": self.session_id})
        return await self.replies_after(start, timeout, settle)

    async def replies_after(
        self, start: int, timeout: float = 20.0, settle: float = 1.0
    ) -> list[dict[str, Any]]:
        """The replies received after the first `start`, once they stop coming (or [])."""
        deadline = time.monotonic() + timeout
        while len(self.received) == start and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        count = -1
        while count != len(self.received):
            count = len(self.received)
            await asyncio.sleep(settle)
        return self.received[start:]
