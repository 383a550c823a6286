"""The FHIR route's own guards, without a server (channels/fhir.py).

The rate limit per address, a body that never ends, and a fault of the bot's, each an
OperationOutcome and a log line that says nothing of what was sent. The route through the real
server is tested in test_fhir_route.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from channels import fhir
from channels.fhir import FhirInput
from tests.fhir import example

BODY = json.dumps(example("wbc-adult-low.json")).encode()


class Stream:
    """Sanic's request stream: the chunks, then None; or, `endless`, a body that never ends."""

    def __init__(self, chunks: list[bytes], endless: bool = False) -> None:
        self.chunks = chunks
        self.endless = endless

    async def read(self) -> bytes | None:
        if self.chunks:
            return self.chunks.pop(0)
        if self.endless:
            await asyncio.sleep(3600)
        return None


class FakeRequest:
    """What the route reads of a Sanic request."""

    def __init__(self, body: bytes = BODY, address: str = "198.51.100.7", **stream: Any) -> None:
        self.headers = {"content-type": "application/fhir+json"}
        self.stream = Stream([body], **stream)
        self.remote_addr = self.ip = address


def outcome(response: Any) -> tuple[int, str]:
    """The status and the issue code of an OperationOutcome answer (FHIR JSON)."""
    assert response.content_type == "application/fhir+json"
    resource = json.loads(response.body)
    assert resource["resourceType"] == "OperationOutcome"
    return response.status, resource["issue"][0]["code"]


async def test_an_address_over_the_rate_limit_is_throttled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An address over the rate limit is throttled; another address is not held back.

    RATE_LIMIT_PER_MINUTE x 10 requests a minute from one address, then 429 "throttled".
    """
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "1")
    route = FhirInput()
    statuses = [(await route.receive(FakeRequest(), "$interpret")).status for _ in range(10)]
    assert statuses == [200] * 10
    assert outcome(await route.receive(FakeRequest(), "$interpret")) == (429, "throttled")
    assert (await route.receive(FakeRequest(address="203.0.113.9"), "$interpret")).status == 200


async def test_a_body_that_never_ends_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A body trickled in forever is cut off after BODY_SECONDS with 408 "timeout"."""
    monkeypatch.setattr(fhir, "BODY_SECONDS", 0.05)
    request = FakeRequest(b"{", endless=True)
    assert outcome(await FhirInput().receive(request, "$interpret")) == (408, "timeout")


async def test_a_fault_of_the_bots_is_an_operation_outcome_without_a_trace(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected error: HTTP 500 "exception", and the log names only the error's type."""

    def broken(resource: Any) -> Any:
        raise RuntimeError(f"broke on {resource['id']}")

    monkeypatch.setattr(fhir, "_interpret", broken)
    with caplog.at_level(logging.INFO, logger="channels.fhir"):
        response = await FhirInput().receive(FakeRequest(), "$interpret")
    assert outcome(response) == (500, "exception")
    assert "Traceback" not in response.body.decode()
    assert "RuntimeError" in caplog.text
    assert "wbc-adult-low" not in caplog.text and "broke on" not in caplog.text
