"""Rasa's REST channel (POST /webhooks/rest/webhook) with the guard around every message.

Differences from rasa.core.channels.rest.RestInput: a sender over the rate limit gets HTTP 429
with a friendly message; a request without a usable JSON body gets HTTP 400 with one; a turn
that produces no reply (action server down or slow, database down) gets the "trouble" reply
within the deadline; and nothing the person typed is written to the log.

It is for integrations, not for people's browsers (they use the widget). Without settings it
takes requests from this machine only (an integration beside the bot, `make run`'s own checks)
and refuses every other address (HTTP 403, saying why); with REST_TOKEN set, every request must
carry `Authorization: Bearer <REST_TOKEN>` (HTTP 401 without it); REST_OPEN=true takes requests
from anywhere without a token (behind a gateway that checks who calls). A page on another site
cannot post into it: only application/json is taken, which a browser sends elsewhere only with
the server's leave (CORS).

Its conversations are its own (channels/identity.py): the integration's sender ids, as they are,
never one that starts with another channel's prefix ("telegram:555001" becomes
"rest:telegram:555001"), so a REST sender can never read, write or erase a Telegram, widget or
shell conversation, and Rasa's HTTP API finds a REST conversation by the id the integration
gave. Metadata is checked like every channel's (channels/metadata.py).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import identity
from channels.guard import (
    SLOW_DOWN_TEXT,
    CountingOutput,
    GuardedChannel,
    json_object,
    peer_address,
)
from channels.markup import as_markdown
from channels.metadata import accepted_metadata
from server import settings

logger = logging.getLogger(__name__)

BAD_REQUEST_TEXT = 'Send JSON like {"sender": "some-id", "message": "my wbc is 3.2"}.'
JSON_ONLY_TEXT = "Send the message as JSON, with the header Content-Type: application/json."
OFF_TEXT = (
    "The REST channel takes requests from this machine only: it is for integrations, opened to "
    "other machines by setting REST_TOKEN. To chat, please use the chat on the website or "
    "Telegram."
)
TOKEN_TEXT = "This REST channel needs its token: send the header Authorization: Bearer <token>."


class GuardedCollectingOutput(CountingOutput, CollectingOutputChannel):
    """Collects the replies for the HTTP response and counts them."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send one message per text, where Rasa would split it at blank lines.

        An answer, its sources and its disclaimer belong together.
        """
        await self._persist_message(self._message(recipient_id, text=text.strip()))

    async def _persist_message(self, message: dict[str, Any]) -> None:
        """Keep every reply's text as Markdown in which only the bot's source links are links.

        A report line or typed text quoted back is shown as written (channels/markup.py).
        """
        if isinstance(message.get("text"), str):
            message = {**message, "text": as_markdown(message["text"])}
        await super()._persist_message(message)


class RestInput(GuardedChannel, RasaRestInput):
    """The REST channel, guarded. Registered in credentials.yml as channels.rest.RestInput."""

    @classmethod
    def name(cls) -> str:
        """Return the channel's name, which is also its route: /webhooks/rest/."""
        return "rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Read REST_TOKEN and REST_OPEN, which decide who may post (see `refusal`)."""
        super().__init__(*args, **kwargs)
        values = settings.resolve(os.environ)
        self.token = values.get("REST_TOKEN", "")
        self.open = values.get("REST_OPEN", "").lower() in ("1", "true", "yes", "on")

    def refusal(self, request: Request) -> HTTPResponse | None:
        """Why this request may not use the channel (HTTP 403 or 401), or None when it may."""
        if self.open:
            return None
        if not self.token:
            return None if _from_this_machine(request) else _bot_says(OFF_TEXT, status=403)
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            logger.warning("REST request refused: no valid token")
            refused = _bot_says(TOKEN_TEXT, status=401)
            refused.headers["WWW-Authenticate"] = "Bearer"
            return refused
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Return the routes: GET / for the health check and POST /webhook for messages.

        A message is checked (token, JSON only, its form, the rate limit) before the bot reads it,
        and answered with every reply rendered as Markdown (GuardedCollectingOutput).
        """
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refused = self.refusal(request)
            if refused is not None:
                return refused
            if not is_json(request):  # a form or text/plain post from another site's page
                return _bot_says(JSON_ONLY_TEXT, status=415)
            body = json_object(request)
            if body is None or not isinstance(body.get("message", ""), str):
                return _bot_says(BAD_REQUEST_TEXT, status=400)
            sender = str(body.get("sender") or uuid.uuid4().hex)[:200]
            sender_id = identity.rest_sender_id(sender)  # only REST's conversations
            if not self.allowed(sender_id, peer_address(request)):
                return _bot_says(SLOW_DOWN_TEXT, sender, status=429)
            collector = GuardedCollectingOutput()
            message = UserMessage(
                body.get("message", ""),
                collector,
                sender_id,
                input_channel=self.name(),
                metadata=accepted_metadata(body.get("metadata")),
            )
            await self.guarded_answer(on_new_message, message, collector)
            for reply in collector.messages:  # the sender as the integration named it
                reply["recipient_id"] = sender
            return response.json(collector.messages)

        return webhook


def _from_this_machine(request: Request) -> bool:
    """The request came over loopback (the connection's own address, never a header)."""
    try:
        return ipaddress.ip_address(peer_address(request)).is_loopback
    except ValueError:  # no address (a request without a connection) or not an IP
        return False


def is_json(request: Request) -> bool:
    """Tell whether the request says its body is JSON.

    A browser sends text/plain or a form to another site without asking it first (no CORS
    preflight), so a page elsewhere could post into a conversation; application/json it may not send
    without the server's leave.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json"


def _bot_says(text: str, sender_id: str = "", status: int = 200) -> HTTPResponse:
    """A reply in the REST channel's own format, so a chat client can show it."""
    return response.json([{"recipient_id": sender_id, "text": text}], status=status)
