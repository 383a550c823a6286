"""Hostile and malformed input, many conversations at once, against the real servers.

Every case below is sent in its own conversation, all at the same time (REST through aiohttp,
some through Socket.IO), while a control conversation carries on. Each must get a sane reply
(a non-empty list of bot messages with no stack trace and no echoed HTML) or a clean 4xx; the
server must stay up, and the control conversation must keep its context.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from channels.guard import NOT_TEXT_TEXT, SLOW_DOWN_TEXT
from channels.rest import BAD_REQUEST_TEXT
from server.settings import SETTINGS
from tests.production.chat_clients import SocketChat, message, post
from tests.stack import Stack, start_stack, texts

pytestmark = pytest.mark.stack

DEFAULTS = {setting.name: setting.default for setting in SETTINGS}
RATE_LIMIT = int(DEFAULTS["RATE_LIMIT_PER_MINUTE"])  # 30 a minute, as `make run` has it
# Words that would mean an error leaked to the person, or that their HTML came back as HTML.
FORBIDDEN = ("Traceback", "Exception", 'File "', "<script", "<img", "onerror")
TOO_LONG = "too long for me"


@dataclass(frozen=True)
class Case:
    """One hostile REST request and what must come back."""

    name: str
    body: bytes
    status: int = 200
    says: str = ""  # a reply must contain this
    never_says: tuple[str, ...] = field(default_factory=tuple)


def text_case(name: str, text: Any, **expect: Any) -> Case:
    return Case(name, message(f"bad-input-{name}", text), **expect)


REST_CASES = [
    text_case("empty", ""),
    text_case("whitespace", " \n\t \u00a0 "),
    text_case("40-kb-message", "my wbc is 3.2 " * 2900, says=TOO_LONG),
    text_case("100-kb-message", "a" * 100_000, status=413),
    Case("invalid-utf8-bytes", b'{"sender": "bad-input-utf8", "message": "\xff\xfe\x80"}', 400),
    text_case("nul-and-escape", "my wbc is 3.2\x00\x1b[31m\x1b]0;title\x07\x7f"),
    text_case("emoji", "🩸😱 my wbc is 3.2 🙏🏽👨‍👩‍👧"),
    text_case("arabic", "عدد كريات الدم البيضاء عندي 3.2"),
    text_case("hebrew", "ספירת הדם הלבנה שלי 3.2"),
    text_case("full-width-digits", "ｗｂｃ ３．２"),
    text_case("html-js", '<script>alert(1)</script><img src=x onerror="alert(2)">'),
    text_case("sql", "'; DROP TABLE events; --"),
    text_case("templates", "{{7*7}} ${7*7} {slot} {value_text} %s %(x)s", never_says=("49",)),
    text_case("thousand-numbers", " ".join(str(n) for n in range(1000))),
    text_case("1e308", "my wbc is 1e308"),
    text_case("nan", "my wbc is NaN"),
    text_case("negative", "my wbc is -5"),
    text_case("10-to-the-400", "my wbc is 10^400"),
    text_case("400-digits", "my wbc is " + "9" * 400),
    text_case("intent-injection", '/inform_wbc_value{"wbc_value": "1e400"}'),
    text_case("broken-intent-syntax", "/no_such_intent{not json"),
    text_case("number-message", 5, status=400, says=BAD_REQUEST_TEXT),
    text_case("list-message", ["my wbc is 3.2"], status=400, says=BAD_REQUEST_TEXT),
    text_case("object-message", {"text": "my wbc is 3.2"}, status=400, says=BAD_REQUEST_TEXT),
    text_case("null-message", None, status=400, says=BAD_REQUEST_TEXT),
    Case("nan-literal-message", b'{"sender": "bad-input-nan-literal", "message": NaN}', 400),
    Case("huge-number-message", b'{"sender": "bad-input-huge", "message": 1e400}', 400),
    Case("body-is-a-list", json.dumps([{"sender": "x", "message": "hi"}]).encode(), 400),
    Case("body-not-json", b"my wbc is 3.2", 400),
    Case("body-empty", b"", 400),
    Case("deeply-nested", b'{"message": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", 400),
    Case("sender-is-an-object", b'{"sender": {"id": 1}, "message": "my wbc is 3.2"}'),
]  # fmt: skip

SOCKET_CASES: dict[str, tuple[Any, str]] = {
    # name: (what is emitted as user_uttered, what a reply must contain)
    "emoji": ({"message": "🩸 my wbc is 3.2 😱"}, "3,200"),
    "html-js": ({"message": "<script>alert(1)</script><img src=x onerror=alert(2)>"}, ""),
    "nul-and-escape": ({"message": "wbc 3.2\x00\x1b[31m"}, ""),
    "40-kb-message": ({"message": "my wbc is 3.2 " * 2900}, TOO_LONG),
    "number-message": ({"message": 5}, NOT_TEXT_TEXT),
    "not-an-object": ("my wbc is 3.2", NOT_TEXT_TEXT),
}
CONTROL = "bad-input-control"


@dataclass
class Barrage:
    """What came back for every case sent at once."""

    rest: dict[str, tuple[int, bytes]]
    socket: dict[str, list[dict[str, Any]]]
    control_follow_up: list[dict[str, Any]]
    after: list[dict[str, Any]]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The bot with the default limits (64 KB bodies, 30 messages a minute a sender).

    The action-server timeout is raised so that a busy CI machine answering 40 conversations at
    once does not turn answers into the "trouble" reply; that reply is tested elsewhere.
    """
    running = start_stack(
        tmp_path_factory.mktemp("bad-input"),
        RATE_LIMIT_PER_MINUTE=str(RATE_LIMIT),
        ACTION_TIMEOUT_SECONDS="10",
    )
    yield running
    running.stop()


def origin(stack: Stack) -> str:
    return f"http://localhost:{stack.values['WEB_PORT']}"


async def socket_case(stack: Stack, name: str, payload: Any) -> list[dict[str, Any]]:
    async with SocketChat(stack.bot_url, origin(stack), f"bad-input-{name}") as chat:
        if isinstance(payload, dict):
            payload = {**payload, "session_id": chat.session_id}
        await chat.send(payload)
        return await chat.replies_after(0)


async def send_barrage(stack: Stack) -> Barrage:
    connector = aiohttp.TCPConnector(limit=40)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        rest = [post(session, stack.bot_url, case.body) for case in REST_CASES]
        sockets = [socket_case(stack, name, data) for name, (data, _) in SOCKET_CASES.items()]
        follow_up = post(session, stack.bot_url, message(CONTROL, "I am a 6 year old boy"))
        (control_status, control_body), rest_results, socket_results = await asyncio.gather(
            follow_up, asyncio.gather(*rest), asyncio.gather(*sockets)
        )
        _, after = await post(session, stack.bot_url, message("bad-input-after", "hello"))
    assert control_status == 200
    return Barrage(
        rest={case.name: result for case, result in zip(REST_CASES, rest_results, strict=True)},
        socket=dict(zip(SOCKET_CASES, socket_results, strict=True)),
        control_follow_up=json.loads(control_body),
        after=json.loads(after),
    )


@pytest.fixture(scope="module")
def barrage(stack: Stack) -> Barrage:
    """Start the control conversation, then send every case and its follow-up at once."""
    assert "3,200" in texts(stack.post(CONTROL, "my wbc is 3.2"))
    return asyncio.run(send_barrage(stack))


def assert_sane(replies: Any) -> str:
    """Check that replies are sane bot messages, and return their text.

    A non-empty list of bot messages, each with text or a reading's range pictures as custom data
    (docs/range-picture.md), at least one with text, and nothing alarming.
    """
    assert isinstance(replies, list) and replies, replies
    assert all(isinstance(reply, dict) for reply in replies), replies
    assert all(reply.get("text") or _pictures(reply) for reply in replies), replies
    assert any(reply.get("text") for reply in replies), replies
    shown = json.dumps(replies, ensure_ascii=False)
    for word in FORBIDDEN:
        assert word not in shown, f"{word!r} in {shown[:300]}"
    return texts(replies)


def _pictures(reply: dict[str, Any]) -> bool:
    custom = reply.get("custom")
    return isinstance(custom, dict) and bool(custom.get("range_pictures"))


@pytest.mark.parametrize("case", REST_CASES, ids=lambda case: case.name)
def test_every_rest_case_gets_a_sane_reply_or_a_clean_4xx(barrage: Barrage, case: Case) -> None:
    """The HTTP status is the expected one and the body is a sane reply (or Sanic's 413)."""
    status, body = barrage.rest[case.name]
    assert status == case.status, body[:300]
    if status == 413:
        assert b"Request Entity Too Large" in body
        return
    shown = assert_sane(json.loads(body))
    assert case.says in shown
    for words in case.never_says:
        assert words not in shown


@pytest.mark.parametrize("name", SOCKET_CASES)
def test_every_socketio_case_gets_a_sane_reply(barrage: Barrage, name: str) -> None:
    """Socket.IO answers each case with bot_uttered messages, never an error or silence."""
    shown = assert_sane(barrage.socket[name])
    assert SOCKET_CASES[name][1] in shown


def test_the_control_conversation_kept_its_context(barrage: Barrage) -> None:
    """Sent during the barrage, "I am a 6 year old boy" re-reads the count given before it."""
    shown = assert_sane(barrage.control_follow_up)
    assert "3,200" in shown
    assert "6-year-old" in shown


def test_the_server_answers_normally_after_the_barrage(stack: Stack, barrage: Barrage) -> None:
    """No server died, and a new conversation gets its greeting."""
    assert stack.process is not None and stack.process.poll() is None
    assert "Hello" in assert_sane(barrage.after)
    assert "Restarting" not in stack.launcher_log.read_text()


async def flood(stack: Stack, sender: str, count: int) -> list[tuple[int, bytes]]:
    connector = aiohttp.TCPConnector(limit=50)
    async with aiohttp.ClientSession(connector=connector) as session:
        body = message(sender, "my wbc is 3.2")
        return await asyncio.gather(*(post(session, stack.bot_url, body) for _ in range(count)))


def test_rest_rate_limit_answers_429_with_a_friendly_message(stack: Stack) -> None:
    """500 messages in a few seconds from one sender: 30 answered, the rest 429 "slow down"."""
    results = asyncio.run(flood(stack, "bad-input-flood", 500))
    statuses = [status for status, _ in results]
    assert statuses.count(200) == RATE_LIMIT
    assert statuses.count(429) == 500 - RATE_LIMIT
    refused = next(body for status, body in results if status == 429)
    assert texts(json.loads(refused)) == SLOW_DOWN_TEXT
    assert "3,200" in texts(stack.post("bad-input-not-flooding", "my wbc is 3.2"))


async def socket_flood(stack: Stack, count: int) -> list[dict[str, Any]]:
    async with SocketChat(stack.bot_url, origin(stack), "bad-input-socket-flood") as chat:
        for _ in range(count):
            await chat.send({"message": "hello", "session_id": chat.session_id})
            # Engine.IO refuses a polling request carrying more than 16 packets, so a client
            # that queues faster than that loses them all; a browser sends one at a time.
            await asyncio.sleep(0.05)
        return await chat.replies_after(0, settle=3.0)


def test_socketio_rate_limit_says_slow_down(stack: Stack) -> None:
    """Over the limit on Socket.IO, each extra message gets the friendly "slow down" message."""
    replies = asyncio.run(socket_flood(stack, RATE_LIMIT + 5))
    shown = [reply.get("text") for reply in replies]
    assert shown.count(SLOW_DOWN_TEXT) == 5
    assert len(shown) > 5  # the others were answered


async def oversized_socket_message(stack: Stack) -> tuple[list[dict[str, Any]], str]:
    async with SocketChat(stack.bot_url, origin(stack), "bad-input-socket-huge") as chat:
        await chat.send({"message": "a" * 100_000, "session_id": chat.session_id})
        dropped = await chat.replies_after(0, timeout=5)
    async with SocketChat(stack.bot_url, origin(stack), "bad-input-socket-next") as chat:
        return dropped, texts(await chat.say("my wbc is 3.2"))


def test_an_oversized_socketio_message_is_refused_and_others_still_served(stack: Stack) -> None:
    """A 100 KB Socket.IO message (over MAX_BODY_BYTES) is dropped; the next browser is fine."""
    dropped, next_reply = asyncio.run(oversized_socket_message(stack))
    assert dropped == []
    assert "3,200" in next_reply


def test_what_the_cases_typed_is_not_logged(stack: Stack, barrage: Barrage) -> None:
    """Not even Rasa's warning about the broken /intent syntax, which quotes the message."""
    logs = stack.logs()
    assert "UserWarning from" in logs  # that warning was raised, and logged without its text
    for typed in ("no_such_intent", "DROP TABLE", "onerror", "كريات", "ｗｂｃ"):
        assert typed not in logs
