"""Rasa's Socket.IO channel (used by the chat widget), limited to the allowed origins, guarded.

Differences from rasa.core.channels.socketio.SocketIOInput: only the origins in CORS_ORIGINS
may connect (Rasa's own accepts any origin); messages larger than MAX_BODY_BYTES are refused
by the Socket.IO server; a sender over the rate limit is told to slow down; a turn that produces
no reply gets the "trouble" reply within the deadline; non-text messages get a short note.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint

from channels.guard import (
    NOT_TEXT_TEXT,
    SLOW_DOWN_TEXT,
    CountingOutput,
    Limits,
    SenderRateLimit,
    answer,
)

logger = logging.getLogger(__name__)


class GuardedSocketIOOutput(CountingOutput, SocketIOOutput):
    """Sends to the browser and counts what it sent."""


class SocketIOInput(RasaSocketIOInput):
    """The Socket.IO channel. Registered in credentials.yml as channels.socketio.SocketIOInput."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = Limits()
        self.limits.apply_action_timeout()
        self.rate_limit = SenderRateLimit(self.limits.per_minute)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by super().blueprint
        sio.eio.cors_allowed_origins = self.limits.cors_origins
        # Engine.IO only refuses other origins: Sanic-CORS (`rasa run --cors`) already adds the
        # CORS headers to every response, and a second Access-Control-Allow-Origin header
        # makes browsers reject the response.
        sio.eio._cors_headers = _no_cors_headers
        sio.eio.max_http_buffer_size = self.limits.max_body_bytes

        async def handle_message(sid: str, data: Any) -> None:
            output = GuardedSocketIOOutput(sio, self.bot_message_evt)
            if not isinstance(data, dict):
                await output.send_text_message(sid, NOT_TEXT_TEXT)
                return
            sender_id = str(data.get("session_id") or "") if self.session_persistence else sid
            if not sender_id:
                logger.warning("Socket.IO message without a session id ignored")
                return
            recipient = sender_id if self.session_persistence else sid
            text = data.get("message", "")
            if not isinstance(text, str):
                await output.send_text_message(recipient, NOT_TEXT_TEXT)
                return
            if not self.rate_limit.allow(sender_id):
                await output.send_text_message(recipient, SLOW_DOWN_TEXT)
                return
            message = UserMessage(
                text,
                output,
                sender_id,
                input_channel=self.name(),
                metadata=_metadata(data.get(self.metadata_key)),
            )
            await answer(on_new_message, message, output, self.limits.deadline)

        sio.on(self.user_message_evt, handler=handle_message, namespace=self.namespace)
        return webhook


def _no_cors_headers(environ: Any) -> list[tuple[str, str]]:
    return []


def _metadata(raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return raw if isinstance(raw, dict) else None
