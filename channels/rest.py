"""Rasa's REST channel (POST /webhooks/rest/webhook) with the guard around every message.

Differences from rasa.core.channels.rest.RestInput: a sender over the rate limit gets HTTP 429
with a friendly message; a request without a usable JSON body gets HTTP 400 with one; a turn
that produces no reply (action server down or slow, database down) gets the "trouble" reply
within the deadline; and nothing the person typed is written to the log.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import SLOW_DOWN_TEXT, CountingOutput, GuardedChannel, json_object

BAD_REQUEST_TEXT = 'Send JSON like {"sender": "some-id", "message": "my wbc is 3.2"}.'


class GuardedCollectingOutput(CountingOutput, CollectingOutputChannel):
    """Collects the replies for the HTTP response and counts them."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """One message per text, where Rasa would split it at blank lines: an answer, its
        sources and its disclaimer belong together."""
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class RestInput(GuardedChannel, RasaRestInput):
    """The REST channel, guarded. Registered in credentials.yml as channels.rest.RestInput."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = json_object(request)
            if body is None or not isinstance(body.get("message", ""), str):
                return _bot_says(BAD_REQUEST_TEXT, status=400)
            sender_id = str(body.get("sender") or uuid.uuid4().hex)[:200]
            if not self.allowed(sender_id):
                return _bot_says(SLOW_DOWN_TEXT, sender_id, status=429)
            metadata = body.get("metadata")
            collector = GuardedCollectingOutput()
            message = UserMessage(
                body.get("message", ""),
                collector,
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else None,
            )
            await self.guarded_answer(on_new_message, message, collector)
            return response.json(collector.messages)

        return webhook


def _bot_says(text: str, sender_id: str = "", status: int = 200) -> HTTPResponse:
    """A reply in the REST channel's own format, so a chat client can show it."""
    return response.json([{"recipient_id": sender_id, "text": text}], status=status)
