"""Rasa's Socket.IO channel (used by the chat widget), limited to the allowed origins, guarded.

Differences from rasa.core.channels.socketio.SocketIOInput: only the origins in CORS_ORIGINS
may connect (Rasa's own accepts any origin); a session request really joins the session's room
(Rasa's handler does not await python-socketio 5's enter_room, so with session persistence no
reply reached the browser); messages larger than MAX_BODY_BYTES are refused by the Socket.IO
server; a sender over the rate limit is told to slow down; a turn that produces
no reply gets the "trouble" reply within the deadline; non-text messages get a short note;
emergency advice is tagged for the widget (`emergency_style`); and POST
/webhooks/socketio/report takes a lab report from the widget's upload button
(channels/widget_reports.py).

Sessions are the server's (channels/identity.py): `session_confirm` hands the browser a signed
session id, and a `session_request` whose id is not validly signed (made up, a Telegram chat id,
a REST sender) gets a new session, never an existing conversation. The session's room is named
by its unsigned id and its conversation is `widget:<id>`, a namespace no other channel reaches.
A message is taken only for the session its socket was confirmed in, and its metadata is checked
(channels/metadata.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.judge.safety import emergency_numbers
from bot.reply.replies import EMERGENCY_MARK
from channels import identity
from channels.guard import (
    NOT_TEXT_TEXT,
    SLOW_DOWN_TEXT,
    CountingOutput,
    GuardedChannel,
    peer_address,
)
from channels.markup import as_markdown
from channels.metadata import accepted_metadata
from channels.range_pictures import shown_with_text, with_widget_pictures
from channels.votes import with_widget_marker
from channels.widget_reports import WidgetReports

logger = logging.getLogger(__name__)

# The class the widget gives the bubble of emergency advice (web/static/embed.css styles it).
EMERGENCY_CLASS = "wbc-emergency"
# One number of EMERGENCY_NUMBERS and, in brackets after it, where it answers: "999 (UK)".
_CALL_NUMBER = re.compile(r"(\+?\d[\d -]*\d|\d)(?:\s*\(([^()]*)\))?")


def call_numbers(numbers: str) -> list[dict[str, str]]:
    """Return the numbers to call in an EMERGENCY_NUMBERS text, with region and digits to dial.

    As in "911 (US), 112 (EU), 999 (UK) or your local emergency number": each number with its region
    as written and the digits to dial.
    """
    return [
        {
            "number": match.group(1).strip(),
            "region": (match.group(2) or "").strip(),
            "dial": re.sub(r"[^\d+]", "", match.group(1)),
        }
        for match in _CALL_NUMBER.finditer(numbers)
    ]


def emergency_style(text: str) -> dict[str, Any]:
    """Return the widget's style for a bubble of emergency advice, else {}.

    Emergency advice starts with the emergency mark. The style is rasa-webchat's per-message class
    (`customCss`, the only extra key it keeps: any other key makes it drop the message) and the
    numbers to call, from which the widget makes one call link.
    """
    if not text.startswith(EMERGENCY_MARK.strip()):
        return {}
    numbers = call_numbers(emergency_numbers())
    return {"customCss": {"style": "class", "css": EMERGENCY_CLASS, "numbers": numbers}}


class GuardedSocketIOOutput(CountingOutput, SocketIOOutput):
    """Sends to the browser and counts what it sent: to the room of a `widget:<room>` sender."""

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await super()._send_message(identity.local_id(identity.WIDGET, socket_id), response)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send one bubble per text, where Rasa would split it at blank lines.

        An answer, its sources and its disclaimer belong together. The widget reads Markdown: the
        text is escaped but for the bot's source links (channels/markup.py), here and with buttons.
        """
        text = text.strip()
        message = {"text": as_markdown(text), **emergency_style(text)}
        message = with_widget_pictures(message, kwargs)  # a reading's range pictures
        await self._send_message(recipient_id, with_widget_marker(message, kwargs))  # thumbs

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Send a response's `custom` payload as the event's data.

        Rasa's own version passes its keys to emit() as arguments, which fails for anything but
        "data".
        """
        if shown_with_text(json_message):
            return  # range pictures: already in the bubble of their text
        await self._send_message(recipient_id, dict(json_message))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """The same, with the buttons as the widget's quick replies."""
        quick_replies = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons
        ]
        text = text.strip()
        message = {"text": as_markdown(text), "quick_replies": quick_replies}
        message = with_widget_pictures({**message, **emergency_style(text)}, kwargs)
        message = with_widget_marker(message, kwargs)  # thumbs
        await self._send_message(recipient_id, message)


class SocketIOInput(GuardedChannel, RasaSocketIOInput):
    """The Socket.IO channel. Registered in credentials.yml as channels.socketio.SocketIOInput."""

    @classmethod
    def name(cls) -> str:
        """Return the channel's name, which is also its route: /webhooks/socketio/."""
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Set up the channel as Rasa's, with the signer of the widget's session ids."""
        super().__init__(*args, **kwargs)
        self.sessions = identity.SessionSigner.from_settings()

    def room(self, sid: str, signed_session: object) -> str | None:
        """Return the room a message of socket `sid` naming `signed_session` belongs to, or None.

        The room is the session's unsigned id, or the socket's own id without persistence. None when
        the session is not validly signed or the socket was not confirmed in it.
        """
        if not self.session_persistence:
            return sid
        assert self.sio is not None
        session = self.sessions.verify(signed_session)
        if session is None or session not in self.sio.rooms(sid, self.namespace):
            return None
        return session

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Return Rasa's Socket.IO routes with our limits, signed sessions and the upload route.

        Engine.IO refuses other origins and bodies over the limit; a browser's session id is
        confirmed only when the server signed it.
        """
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by super().blueprint
        sio.eio.cors_allowed_origins = self.limits.cors_origins
        # Engine.IO only refuses other origins: Sanic-CORS (`rasa run --cors`) already adds the
        # CORS headers to every response, and a second Access-Control-Allow-Origin header
        # makes browsers reject the response.
        sio.eio._cors_headers = _no_cors_headers
        sio.eio.max_http_buffer_size = self.limits.max_body_bytes

        async def session_request(sid: str, data: Any) -> None:
            """Confirm the browser's session id if the server signed it, else issue a new one.

            Then join the session's room.
            """
            signed = data.get("session_id") if isinstance(data, dict) else None
            if self.sessions.verify(signed) is None:
                if signed:
                    logger.info("Socket.IO session id not signed by this server: a new session")
                signed = self.sessions.issue()
            session = self.sessions.verify(signed)
            if self.session_persistence and session is not None:
                await sio.enter_room(sid, session, namespace=self.namespace)
            await sio.emit("session_confirm", signed, room=sid, namespace=self.namespace)

        async def handle_message(sid: str, data: Any) -> None:
            output = GuardedSocketIOOutput(sio, self.bot_message_evt)
            if not isinstance(data, dict):
                await output.send_text_message(sid, NOT_TEXT_TEXT)
                return
            room = self.room(sid, data.get("session_id"))
            if room is None:
                # Only the signed session this browser was confirmed in (session_request): a
                # socket cannot write into someone else's conversation by naming its id.
                logger.warning("Socket.IO message for a session the socket has not joined")
                return
            sender_id = recipient = identity.sender_id(identity.WIDGET, room)
            text = data.get("message", "")
            if not isinstance(text, str):
                await output.send_text_message(recipient, NOT_TEXT_TEXT)
                return
            if not self.allowed(sender_id, socket_address(sio, sid, self.namespace)):
                await output.send_text_message(recipient, SLOW_DOWN_TEXT)
                return
            message = UserMessage(
                text,
                output,
                sender_id,
                input_channel=self.name(),
                metadata=accepted_metadata(data.get(self.metadata_key)),
            )
            await self.guarded_answer(on_new_message, message, output)

        sio.on("session_request", handler=session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handler=handle_message, namespace=self.namespace)
        reports = WidgetReports(
            self,
            sio,
            self.namespace,
            lambda: GuardedSocketIOOutput(sio, self.bot_message_evt),
            on_new_message,
        )

        # Streamed: a report may be larger than MAX_BODY_BYTES (REPORT_MAX_BYTES applies).
        @webhook.route("/report", methods=["POST"], stream=True)
        async def report(request: Request) -> HTTPResponse:
            return await reports.receive(request)

        return webhook


def socket_address(sio: Any, sid: str, namespace: str | None) -> str:
    """The network address a socket connected from (for the rate limit), or ""."""
    try:
        environ = sio.get_environ(sid, namespace=namespace) or {}
    except Exception:  # noqa: BLE001 - a socket that is gone
        return ""
    request = environ.get("sanic.request")
    return peer_address(request) if request is not None else ""


def _no_cors_headers(environ: Any) -> list[tuple[str, str]]:
    return []
