"""POST /webhooks/fhir/Observation/$interpret on the running Rasa server (channels/fhir.py).

The answers of the core as FHIR JSON, every refusal as an OperationOutcome with its HTTP status,
CORS for the pages that carry the widget, and nothing that was sent in the logs.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import date
from email.message import Message
from typing import Any

import pytest

from bot.fhir import interpret_resource
from tests.fhir import EXAMPLES, example, flag, observation, observations, schema_errors
from tests.stack import Stack

pytestmark = pytest.mark.stack

PATH = "/webhooks/fhir/Observation/$interpret"
FHIR_JSON = "application/fhir+json"


def post(
    stack: Stack,
    body: bytes,
    content_type: str | None = FHIR_JSON,
    path: str = PATH,
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
) -> tuple[int, Message, Any]:
    """The HTTP status, the headers (any case) and the JSON answer."""
    request = urllib.request.Request(
        stack.bot_url + path,
        data=body if method == "POST" else None,
        method=method,
        headers={**({"Content-Type": content_type} if content_type else {}), **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.json")))
def test_each_example_is_answered_as_the_core_answers(stack: Stack, name: str) -> None:
    """200, FHIR JSON that is not cached, in the FHIR R4 shape, with the core's verdicts."""
    resource = example(name)
    status, headers, answer = post(stack, json.dumps(resource).encode())
    assert status == 200
    assert headers["Content-Type"].startswith(FHIR_JSON)
    assert headers["Cache-Control"] == "no-store"
    assert schema_errors(answer) == []
    expected = interpret_resource(resource, date.today())
    assert [flag(o) for o in observations(answer)] == [flag(o) for o in observations(expected)]


BAD = [
    # (name, body, content type, path, HTTP status, issue code)
    ("not-json", b"{bad", "application/json", PATH, 400, "invalid"),
    ("text-plain", b"{}", "text/plain", PATH, 415, "not-supported"),
    ("no-content-type", b"{}", None, PATH, 415, "not-supported"),
    ("huge", b" " * 70_000, FHIR_JSON, PATH, 413, "too-costly"),
    ("patient", b'{"resourceType": "Patient"}', FHIR_JSON, PATH, 422, "not-supported"),
    ("other-code", json.dumps(observation("718-7", 13.5, "g/dL")).encode(), FHIR_JSON, PATH, 422,
     "not-supported"),
    ("bad-unit", json.dumps(observation(unit="K/uL")).encode(), FHIR_JSON, PATH, 422,
     "not-supported"),
    ("other-operation", b"{}", FHIR_JSON, "/webhooks/fhir/Observation/$lookup", 404,
     "not-supported"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type", "path", "status", "code"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_refusals_are_operation_outcomes(
    stack: Stack, body: bytes, content_type: str | None, path: str, status: int, code: str
) -> None:
    """Each refusal through the real server: its status, an OperationOutcome as FHIR JSON."""
    got, headers, outcome = post(stack, body, content_type, path)
    assert got == status
    assert headers["Content-Type"].startswith(FHIR_JSON)
    assert schema_errors(outcome) == []
    assert outcome["issue"][0]["code"] == code


def test_a_body_streamed_past_the_limit_is_refused(stack: Stack) -> None:
    """A chunked body (no Content-Length) is counted while it is read: 413 past MAX_BODY_BYTES."""
    host, port = stack.bot_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    chunks = (b" " * 8192 for _ in range(10))
    connection.request(
        "POST", PATH, body=chunks, headers={"Content-Type": FHIR_JSON}, encode_chunked=True
    )
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["issue"][0]["code"] == "too-costly"
    connection.close()


def test_the_operation_may_be_percent_encoded_and_only_post_is_taken(stack: Stack) -> None:
    """%24interpret is $interpret; GET gets 405 with Allow: POST."""
    body = json.dumps(example("wbc-adult-low.json")).encode()
    assert post(stack, body, path="/webhooks/fhir/Observation/%24interpret")[0] == 200
    status, headers, outcome = post(stack, b"", method="GET")
    assert (status, headers["Allow"]) == (405, "POST")
    assert outcome["resourceType"] == "OperationOutcome"


def test_cors_lets_the_demo_page_read_the_answer_and_no_other_site(stack: Stack) -> None:
    """CORS lets the widget's pages read the answer, and no other site.

    CORS_ORIGINS (the demo page by default) may call the route from the browser; another site's page
    gets no Access-Control-Allow-Origin.
    """
    body = json.dumps(example("wbc-adult-low.json")).encode()
    page = stack.page_url.rstrip("/")
    _, headers, _ = post(stack, body, headers={"Origin": page})
    assert headers.get("Access-Control-Allow-Origin") == page
    _, headers, _ = post(stack, body, headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in headers


def test_nothing_that_was_sent_is_logged(stack: Stack) -> None:
    """Neither a good nor a refused resource leaves its content in the servers' logs."""
    marker = "Zebediah-Quimby-19710903"
    good = example("bundle-anc.json")
    good["entry"][0]["resource"]["name"] = [{"text": marker}]
    bad = observation(unit=marker)
    assert post(stack, json.dumps(good).encode())[0] == 200
    assert post(stack, json.dumps(bad).encode())[0] == 422
    assert marker not in stack.logs()
