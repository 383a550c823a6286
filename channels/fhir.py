"""FHIR R4 on the Rasa server: POST /webhooks/fhir/Observation/$interpret (docs/fhir.md).

A patient portal (or the widget's "Explain my result", web/static/embed.js) posts a FHIR
Observation, or a Bundle of Observations with the Patient, as application/fhir+json (or
application/json); the answer is FHIR JSON from the pure core (bot/fhir/): a Parameters resource,
or an OperationOutcome with the HTTP status that fits (400, 404, 405, 408, 413, 415, 422, 429).

It is a channel only in that Rasa registers routes this way (credentials.yml): it starts no
conversation, stores nothing and never logs what was sent, only the status and the issue code.
The body is read as a stream, at most MAX_BODY_BYTES of it (the Content-Length first, then while
reading), within BODY_SECONDS. The rate limit is per network address, at what the channels
allow an address that many people share (GuardedChannel: RATE_LIMIT_PER_MINUTE x
ADDRESS_FACTOR), since a portal's server posts for many people. The core runs in a worker
thread, so the server's event loop stays free.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import unquote

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.fhir import (
    FHIR_JSON,
    FhirProblem,
    check_media_type,
    interpret_resource,
    operation_outcome,
    read_json,
    too_large,
)
from bot.fhir.problems import (
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    REQUEST_TIMEOUT,
    SERVER_ERROR,
    TOO_MANY_REQUESTS,
)
from channels.guard import GuardedChannel, peer_address
from channels.widget_reports import bounded_body, drain

logger = logging.getLogger(__name__)

OPERATION = "$interpret"
BODY_SECONDS = 10  # the whole body (64 KB at most) must arrive within this time
ADDRESS_PREFIX = "address:"  # as channels/guard.py names an address in its limit
SLOW_DOWN_TEXT = "Too many requests from this address: wait a minute, then try again."
TROUBLE_TEXT = "The resource could not be interpreted because of a problem here."


class FhirInput(GuardedChannel, InputChannel):
    """The FHIR route. Registered in credentials.yml as channels.fhir.FhirInput."""

    @classmethod
    def name(cls) -> str:
        """Return the channel's name, which is also its route: /webhooks/fhir/."""
        return "fhir"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Return the routes: POST Observation/$interpret; other methods get 405."""
        webhook = Blueprint("fhir_webhook", __name__)

        # `$` cannot be part of a Sanic route path (it is stored percent-encoded), so the
        # operation is a parameter, checked in `receive`; "%24interpret" is taken too.
        @webhook.route("/Observation/<operation>", methods=["POST"], stream=True)
        async def interpret(request: Request, operation: str) -> HTTPResponse:
            return await self.receive(request, operation)

        @webhook.route("/Observation/<operation>", methods=["GET", "PUT", "PATCH", "DELETE"])
        async def other_method(request: Request, operation: str) -> HTTPResponse:
            return _answer(
                operation_outcome("not-supported", f"Use POST for Observation/{OPERATION}."),
                METHOD_NOT_ALLOWED,
                {"Allow": "POST"},
            )

        return webhook

    async def receive(self, request: Request, operation: str) -> HTTPResponse:
        """Checks the operation, the rate limit, the media type and the size; then interprets."""
        if unquote(operation) != OPERATION:
            await drain(request)
            return _answer(
                operation_outcome(
                    "not-supported", f"The only operation here is Observation/{OPERATION}."
                ),
                NOT_FOUND,
            )
        # Per network address, at the limit a shared address gets (a portal's server posts for
        # many people): RATE_LIMIT_PER_MINUTE x ADDRESS_FACTOR.
        if not self.address_limit.allow(ADDRESS_PREFIX + peer_address(request)):
            await drain(request)
            return _answer(operation_outcome("throttled", SLOW_DOWN_TEXT), TOO_MANY_REQUESTS)
        try:
            check_media_type(request.headers.get("content-type"))
            try:
                body = await asyncio.wait_for(self.body(request), BODY_SECONDS)
            except asyncio.TimeoutError:
                return _answer(
                    operation_outcome("timeout", f"The body took over {BODY_SECONDS} s."),
                    REQUEST_TIMEOUT,
                )
            resource = read_json(body, self.limits.max_body_bytes)
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(None, _interpret, resource)
        except FhirProblem as problem:
            logger.info("FHIR $interpret refused: HTTP %d %s", problem.status, problem.code)
            await drain(request)
            return _answer(problem.outcome(), problem.status)
        except Exception as error:  # noqa: BLE001 - the client gets an OperationOutcome, never a trace
            logger.error("FHIR $interpret failed: %s", type(error).__name__)
            return _answer(operation_outcome("exception", TROUBLE_TEXT), SERVER_ERROR)
        return _answer(answer, 200)

    async def body(self, request: Request) -> bytes:
        """The request body; FhirProblem (413) as soon as it is known to be over the limit."""
        limit = self.limits.max_body_bytes
        body = await bounded_body(request, limit)
        if body is None:
            raise too_large(limit)
        return body


def _interpret(resource: Mapping[str, Any]) -> dict[str, Any]:
    return interpret_resource(resource, today=date.today())


def _answer(
    resource: Mapping[str, Any], status: int, headers: Mapping[str, str] | None = None
) -> HTTPResponse:
    """FHIR JSON, never cached (it is about one person's result)."""
    return response.json(
        resource,
        status=status,
        content_type=FHIR_JSON,
        dumps=_dumps,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _dumps(resource: Any) -> str:
    """Plain JSON, as FHIR servers write it (Sanic's default escapes every "/")."""
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
