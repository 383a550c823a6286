"""Privacy and security of the running bot: what it logs, who may call it, and its HTTP API.

Two bots: one as `make run` starts it (INFO logs, HTTP API off), one with the most talkative
logs (LOG_LEVEL=DEBUG) and the HTTP API on behind RASA_API_TOKEN. Both are told a name, a
count and symptoms through REST and Socket.IO, then flooded past a low rate limit (whose
warning names the sender); none of what was said, nor the raw sender ids, may appear in their
logs, where senders are named by hash.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio

from channels.guard import SLOW_DOWN_TEXT
from server.privacy import hashed
from tests.production.chat_clients import SocketChat
from tests.stack import REST_AUTH, Stack, start_stack, texts

pytestmark = pytest.mark.stack

TOKEN = "test-api-token-5b1f"
FOREIGN = "http://evil.example"
REST_SENDER = "privacy-rest-Qx7Zorblax"
SOCKET_SENDER = "privacy-sio-Qx7Zorblax"
SAYS = ("my wbc is 3.2 and my name is Zebediah Quux", "I have a fever of 39.4 and chills")
# Nothing of what was typed, nor what the bot read from it, may be logged.
SECRETS = ("Zebediah", "Quux", "3.2", "3,200", "39.4", "chills", "Zorblax")
RATE_LIMIT = 4  # the conversation below is 4 messages; a 5th is refused, and that is logged


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Stack]]:
    """Start the stacks: "default" as `make run` has it; "debug-api" with DEBUG logs and the API on.

    The API is behind a token.
    """
    limit = {"RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT)}
    settings: dict[str, dict[str, str]] = {
        "default": limit,
        "debug-api": {**limit, "LOG_LEVEL": "DEBUG", "RASA_API_TOKEN": TOKEN},
    }
    with ThreadPoolExecutor(2) as pool:
        starting = {
            name: pool.submit(start_stack, tmp_path_factory.mktemp(f"privacy-{name}"), **values)
            for name, values in settings.items()
        }
    started = {name: future.result() for name, future in starting.items() if not future.exception()}
    if len(started) < len(starting):
        for stack in started.values():
            stack.stop()
        next(future.result() for future in starting.values() if future.exception())
    yield started
    for stack in started.values():
        stack.stop()


def origin(stack: Stack) -> str:
    return f"http://localhost:{stack.values['WEB_PORT']}"


CONVERSATION = (*SAYS, "forget my data", "hello")  # RATE_LIMIT messages


async def socket_conversation(stack: Stack) -> tuple[str, str]:
    """What the bot replied in a Socket.IO conversation, and its (signed) session id."""
    async with SocketChat(stack.bot_url, origin(stack), SOCKET_SENDER) as chat:
        said = [texts(await chat.say(text)) for text in CONVERSATION]
        assert texts(await chat.say("one too many")) == SLOW_DOWN_TEXT
    return "\n".join(said), chat.session_id


def converse(stack: Stack) -> tuple[str, list[str]]:
    """Hold the private conversation through REST and Socket.IO; return the replies and the ids.

    The ids are those of the two conversations (channels/identity.py), with the widget's signed
    session.
    """
    replies = [texts(stack.post(REST_SENDER, text)) for text in CONVERSATION]
    status, _ = stack.post_raw(json.dumps({"sender": REST_SENDER, "message": "again"}).encode())
    assert status == 429
    said, session = asyncio.run(socket_conversation(stack))
    replies.append(said)
    conversations = [REST_SENDER, f"widget:{session.partition('.')[0]}", session]
    return "\n".join(replies), conversations


def request(
    stack: Stack, path: str, method: str = "GET", headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """An HTTP request to the Rasa server: status, headers, body (errors included)."""
    call = urllib.request.Request(stack.bot_url + path, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(call, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize("name", ["default", "debug-api"])
def test_logs_hold_no_text_values_or_raw_sender_ids(stacks: dict[str, Stack], name: str) -> None:
    """After a conversation with a name, a count and symptoms, the logs name senders by hash."""
    stack = stacks[name]
    if name == "debug-api":  # read the conversation back through the API, token in the URL
        assert request(stack, f"/conversations/{REST_SENDER}/tracker?token={TOKEN}")[0] == 200
    replies, (rest, widget, signed_session) = converse(stack)
    assert "3,200" in replies  # the bot did read the count it must not log
    logs = stack.logs()
    for secret in (*SECRETS, REST_SENDER, SOCKET_SENDER, TOKEN, rest, widget, signed_session):
        assert secret not in logs, f"{secret!r} is in the logs of the {name} bot"
    for sender in (rest, widget):  # the rate-limit warning names them, by hash
        assert hashed(sender) in logs


def test_the_http_api_is_off_by_default(stacks: dict[str, Stack]) -> None:
    """Without RASA_API_TOKEN there is no /conversations, /status or /model/parse."""
    stack = stacks["default"]
    for path, method in [
        ("/conversations/anyone/tracker", "GET"),
        ("/status", "GET"),
        ("/model/parse", "POST"),
    ]:
        assert request(stack, path, method)[0] in (404, 405), path


def test_the_http_api_needs_the_token(stacks: dict[str, Stack]) -> None:
    """With RASA_API_TOKEN: no token or a wrong one is refused; the right one reads a tracker."""
    stack = stacks["debug-api"]
    stack.post("privacy-api-reader", "hello")
    path = "/conversations/privacy-api-reader/tracker"  # REST keeps the integration's ids
    assert request(stack, path)[0] in (401, 403)
    assert request(stack, f"{path}?token=wrong-{TOKEN}")[0] in (401, 403)
    status, _, body = request(stack, f"{path}?token={TOKEN}")
    assert status == 200
    assert json.loads(body)["sender_id"] == "privacy-api-reader"


def test_rest_cors_allows_only_the_configured_origins(stacks: dict[str, Stack]) -> None:
    """A preflight or POST from a foreign origin gets no Access-Control-Allow-Origin."""
    stack = stacks["default"]
    path = "/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x"}
    for page in (origin(stack), f"http://127.0.0.1:{stack.values['WEB_PORT']}"):
        _, headers, _ = request(stack, path, "OPTIONS", {"Origin": page, **preflight})
        assert headers.get("Access-Control-Allow-Origin") == page
    _, headers, _ = request(stack, path, "OPTIONS", {"Origin": FOREIGN, **preflight})
    assert "Access-Control-Allow-Origin" not in headers

    for page, allowed in ((origin(stack), True), (FOREIGN, False)):
        body = json.dumps({"sender": f"privacy-cors-{allowed}", "message": "hello"}).encode()
        call = urllib.request.Request(
            stack.bot_url + path,
            data=body,
            headers={"Origin": page, "Content-Type": "application/json", **REST_AUTH},
        )
        with urllib.request.urlopen(call, timeout=30) as response:
            granted = response.headers.get("Access-Control-Allow-Origin")
        assert (granted == page) is allowed, (page, granted)


async def connect_from(stack: Stack, page: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(stack.bot_url, headers={"Origin": page}, transports=["polling"])
    except socketio.exceptions.ConnectionError:
        return False
    await client.eio.disconnect(abort=True)
    return True


def test_socketio_refuses_a_foreign_origin(stacks: dict[str, Stack]) -> None:
    """The Socket.IO endpoint lets the demo page connect and refuses any other origin."""
    stack = stacks["default"]
    assert asyncio.run(connect_from(stack, origin(stack)))
    assert not asyncio.run(connect_from(stack, FOREIGN))
    handshake = "/socket.io/?EIO=4&transport=polling"
    assert request(stack, handshake, headers={"Origin": FOREIGN})[0] == 400
