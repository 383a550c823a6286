"""Issue 27's probes 1, 2 and 3 against the running bot.

The bot runs as `make run` on free ports (`make audit-security`): REST, Socket.IO, the widget's
upload route and Telegram (the fake Bot API of tests/channels/fake_telegram.py).

1. No message stalls the others: messages at the length limit, of shapes that once took
   minutes to read, do not hold up another person's reading.
2. No channel can reach another's conversations, and widget sessions are the server's: after a
   Telegram chat gave a reading, a REST request or a Socket.IO session naming the chat's id
   neither reads it nor erases it; a made-up, tampered or unsigned session id gets a new
   session; a socket cannot write into or listen to a session it was not given; the upload
   route takes only a signed, joined session; REST needs its token.
3. Metadata cannot spoil a conversation: 900 nested lists are dropped (never stored) and the
   person on chemotherapy with a count of 0.4 who then names a fever of 38.1 gets the
   emergency advice; a conversation whose stored events cannot all be read (spoiled before the
   fix, or otherwise) is not started afresh: the person is told, the emergency advice comes
   first, and the log has one line, no traceback.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from channels.telegram import SECRET_HEADER
from channels.widget_reports import NO_SESSION_TEXT, SESSION_HEADER
from server.notices import UNREADABLE_TEXT
from server.privacy import hashed
from tests.channels.fake_telegram import ApiCall, FakeTelegram
from tests.production.chat_clients import SocketChat
from tests.reports.test_read import drawn_page
from tests.stack import Stack, settled_events, start_stack, stored_events, texts

pytestmark = pytest.mark.stack

TOKEN = "123456:SECURITY"
SECRET = "security-secret_9a8b7c"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
EMERGENCY = "Seek emergency care now"
CHEMO_READING = "my wbc is 0.4 and I am on chemotherapy"
FEVER = "my temperature is 38.1"
CHAT_IDS = itertools.count(5_550_010)
UPDATE_IDS = itertools.count(900_000_001)


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN, "wbc_security_bot") as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The bot as `make run` starts it, Telegram on (fake Bot API), REST with a token."""
    running = start_stack(
        tmp_path_factory.mktemp("security"),
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_BOT_NAME="wbc_security_bot",
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/webhooks/telegram/webhook",
        TELEGRAM_SECRET_TOKEN=SECRET,
        TELEGRAM_API_BASE_URL=telegram.url,
    )
    yield running
    running.stop()


def origin(bot: Stack) -> str:
    return bot.page_url.rstrip("/")


def telegram_says(bot: Stack, telegram: FakeTelegram, chat: int, text: str, expect: str) -> str:
    """Send `text` from private chat `chat`; the bot's answer once a message holds `expect`."""
    before = len(telegram.calls("sendMessage", chat))
    update = {
        "update_id": next(UPDATE_IDS),
        "message": {
            "message_id": next(UPDATE_IDS),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Test"},
            "from": {"id": chat, "is_bot": False, "first_name": "Test"},
            "text": text,
        },
    }
    status, _ = bot.post_raw(json.dumps(update).encode(), WEBHOOK_PATH, {SECRET_HEADER: SECRET})
    assert status == 200

    def answered(calls: list[ApiCall]) -> bool:
        return any(expect in call.text for call in calls[before:])

    calls = telegram.wait_for("sendMessage", chat, answered)
    return "\n".join(call.text for call in calls[before:])


def socket_says(bot: Stack, session: str, text: str) -> tuple[str, str]:
    """Open a Socket.IO session asking for `session`, say `text`; (confirmed id, replies)."""

    async def talk() -> tuple[str, str]:
        async with SocketChat(bot.bot_url, origin(bot), session) as chat:
            return chat.session_id, texts(await chat.say(text))

    return asyncio.run(talk())


# --- 1. No message stalls the others -------------------------------------------------------

HOSTILE = {
    "percent signs": "%" * 4_990,
    "emoji": "\U0001f600" * 4_990,
    "counts": "wbc 1 " * 830,
    "commas and digits": ",9" * 2_495,
}


def test_hostile_messages_at_the_limit_do_not_hold_up_another_persons_reading(bot: Stack) -> None:
    """Hostile messages at the length limit do not hold up another person's reading.

    Four messages just under the length limit, each of a shape that once took minutes, sent at once
    with another person's count: every one is answered, the reading within the guard's deadline
    (5 seconds) and with its count.
    """
    with ThreadPoolExecutor(max_workers=len(HOSTILE) + 1) as pool:
        hostile = [
            pool.submit(bot.post, f"hostile-{k}", text) for k, text in enumerate(HOSTILE.values())
        ]
        time.sleep(0.05)  # theirs first
        began = time.monotonic()
        reading = texts(pool.submit(bot.post, "patient-during-flood", "my wbc is 3.2").result())
        waited = time.monotonic() - began
        answers = [texts(future.result()) for future in hostile]
    assert "3,200" in reading
    assert waited < 5.0, f"the reading waited {waited:.1f} s"
    for shape, answer in zip(HOSTILE, answers, strict=True):
        assert answer.strip(), f"no reply to the {shape}"


# --- 2. One namespace per channel, sessions the server issues -----------------------------


def test_rest_and_socketio_cannot_reach_a_telegram_conversation(
    bot: Stack, telegram: FakeTelegram
) -> None:
    chat = next(CHAT_IDS)
    assert "400" in telegram_says(bot, telegram, chat, CHEMO_READING, "400")
    conversation = f"telegram:{chat}"
    stored = settled_events(bot, conversation)  # Rasa stores the turn after its replies went out
    assert stored > 0

    # REST naming the chat id (bare, or with Telegram's prefix) is a REST conversation.
    for sender in (str(chat), conversation):
        assert "400" not in texts(bot.post(sender, "more about this result"))
        assert "erased" in texts(bot.post(sender, "forget my data"))
    # A socket asking for the chat's id gets a new, signed session of its own.
    for asked in (str(chat), conversation):
        confirmed, replies = socket_says(bot, asked, "more about this result")
        assert confirmed != asked and "." in confirmed
        assert "400" not in replies
    # Telegram's conversation is whole: stored, and still known to the bot.
    assert stored_events(bot, conversation) >= stored
    assert EMERGENCY in telegram_says(bot, telegram, chat, FEVER, EMERGENCY)


def test_a_widget_session_is_only_for_the_browser_it_was_given_to(bot: Stack) -> None:
    async def probe() -> None:
        async with SocketChat(bot.bot_url, origin(bot)) as owner:
            assert "3,200" in texts(await owner.say("my wbc is 3.2"))
            signed = owner.session_id
            unsigned, _, signature = signed.partition(".")
            tampered = f"{unsigned}.{signature[::-1]}"
            for asked in (unsigned, tampered, f"widget:{unsigned}", "0" * 32 + "." + "0" * 32):
                async with SocketChat(bot.bot_url, origin(bot), asked) as intruder:
                    assert intruder.session_id != signed  # a new session
                    # Writing into the owner's session by naming it is ignored ...
                    await intruder.send({"message": "forget my data", "session_id": signed})
                    await intruder.send({"message": "hello", "session_id": unsigned})
                    assert await intruder.replies_after(0, timeout=3) == []
                    # ... and what the owner is told is not heard.
                    start = len(intruder.received)
                    assert "3,200" in texts(await owner.say("my wbc is 3.2"))
                    assert intruder.received[start:] == []
            # The signed id itself, in a new browser tab, continues the conversation.
            async with SocketChat(bot.bot_url, origin(bot), signed) as same_browser:
                assert same_browser.session_id == signed
                assert "3,200" in texts(await same_browser.say("I am 8 years old"))

    asyncio.run(probe())


def test_the_upload_route_takes_only_a_signed_joined_session(bot: Stack) -> None:
    async def upload(session: str) -> tuple[int, Any]:
        headers = {SESSION_HEADER: session, "Origin": origin(bot)}
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                bot.bot_url + "/webhooks/socketio/report", data=drawn_page(), headers=headers
            ) as reply,
        ):
            return reply.status, json.loads(await reply.read())

    async def probe() -> None:
        async with SocketChat(bot.bot_url, origin(bot)) as owner:
            unsigned = owner.session_id.partition(".")[0]
            for session in (unsigned, f"widget:{unsigned}", "5550001", owner.session_id + "0"):
                assert await upload(session) == (403, {"text": NO_SESSION_TEXT, "in_chat": False})
            assert owner.received == []
            status, _ = await upload(owner.session_id)
            assert status == 200
            assert "3,200" in texts(await owner.replies_after(0, timeout=60))

    asyncio.run(probe())


def test_rest_needs_its_token(bot: Stack) -> None:
    body = json.dumps({"sender": "rest-token-probe", "message": "hello"}).encode()
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong-token"}):
        status, answer = bot.post_raw(body, headers=headers)
        assert status == 401
        assert "Authorization: Bearer" in json.loads(answer)[0]["text"]
    assert bot.post_raw(body)[0] == 200
    assert stored_events(bot, "rest-token-probe") > 0  # the integration's own id
    impostor = json.dumps({"sender": "telegram:rest-token-probe", "message": "hi"}).encode()
    assert bot.post_raw(impostor)[0] == 200
    assert stored_events(bot, "telegram:rest-token-probe") == 0  # never Telegram's namespace
    assert stored_events(bot, "rest:telegram:rest-token-probe") > 0


# --- 3. Metadata, and conversations that cannot be read -----------------------------------


def nested_lists(depth: int = 900) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("where", ["rest", "socketio"])
def test_deep_metadata_is_dropped_and_the_fever_still_gets_emergency_advice(
    bot: Stack, where: str
) -> None:
    deep = {"language": "en", "deep": nested_lists(), "note": "x" * 500}
    if where == "rest":
        sender = f"metadata-{time.monotonic_ns()}"
        conversation = sender  # REST keeps the integration's own ids
        assert "400" in texts(bot.post(sender, CHEMO_READING))
        body = {"sender": sender, "message": "ok", "metadata": deep}
        status, _ = bot.post_raw(json.dumps(body).encode())
        assert status == 200
        reply = texts(bot.post(sender, FEVER))
    else:

        async def talk() -> tuple[str, str]:
            async with SocketChat(bot.bot_url, origin(bot)) as chat:
                assert "400" in texts(await chat.say(CHEMO_READING))
                start = len(chat.received)
                spoiling = {
                    "message": "ok",
                    "session_id": chat.session_id,
                    "metadata": deep,  # the channel's metadata_key (Rasa's default)
                    "customData": deep,  # what rasa-webchat sends (not read as metadata)
                }
                limit = sys.getrecursionlimit()
                sys.setrecursionlimit(10_000)  # for the client to encode 900 nested lists
                try:
                    await chat.send(spoiling)
                finally:
                    sys.setrecursionlimit(limit)
                await chat.replies_after(start)
                return chat.session_id, texts(await chat.say(FEVER))

        session, reply = asyncio.run(talk())
        conversation = f"widget:{session.partition('.')[0]}"
    assert EMERGENCY in reply
    stored = stored_rows(bot, conversation)
    assert '"language": "en"' in stored and "[[[" not in stored and "xxxxx" not in stored
    assert "RecursionError" not in bot.logs()


def test_an_unreadable_conversation_is_not_started_afresh(bot: Stack) -> None:
    """An unreadable conversation is not started afresh.

    Rows as a spoiled conversation left them (metadata of 900 nested lists, stored before this fix)
    and a row no one can read: the person is told, the emergency advice comes first, the
    chemotherapy and the count are still known, and the log has one line.
    """
    sender = f"unreadable-{time.monotonic_ns()}"
    conversation = sender  # REST keeps the integration's own ids
    assert "400" in texts(bot.post(sender, CHEMO_READING))
    spoiled = {
        "event": "user",
        "timestamp": time.time(),
        "text": "ok",
        "parse_data": {"intent": {"name": "affirm", "confidence": 1.0}, "entities": []},
        "metadata": {"deep": nested_lists()},
        "input_channel": "rest",
    }
    add_rows(bot, conversation, [("user", json.dumps(spoiled)), ("user", "{not json")])

    reply = texts(bot.post(sender, FEVER))
    assert reply.startswith(UNREADABLE_TEXT)
    assert EMERGENCY in reply
    logs = bot.logs()
    line = f"Conversation {hashed(conversation)} could not be read as stored"
    assert logs.count(line) == 1
    assert "Traceback" not in logs
    # Told once: the next turn is answered as usual, the chemotherapy still known.
    again = texts(bot.post(sender, "I have chills"))
    assert UNREADABLE_TEXT not in again and EMERGENCY in again


def stored_rows(bot: Stack, conversation: str) -> str:
    with sqlite3.connect(database(bot)) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (conversation,))
        return "\n".join(row[0] for row in rows.fetchall())


def add_rows(bot: Stack, conversation: str, rows: list[tuple[str, str]]) -> None:
    with sqlite3.connect(database(bot)) as db:
        for type_name, data in rows:
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                (conversation, type_name, time.time(), data),
            )


def database(bot: Stack) -> Path:
    return Path(bot.values["TRACKER_STORE_URL"].removeprefix("sqlite:///"))


def test_rest_without_a_token_answers_this_machine_only(tmp_path: Path) -> None:
    """With no REST_TOKEN, REST answers this machine only.

    REST answers over loopback (an integration beside the bot; other addresses are refused,
    tests/channels/test_identity.py), the health check answers, the start-up summary says so, and
    the widget works.
    """
    stack = start_stack(tmp_path, REST_TOKEN="")
    try:
        status, answer = stack.post_raw(b'{"sender": "x", "message": "my wbc is 3.2"}', headers={})
        assert status == 200 and "3,200" in answer.decode()
        with urllib.request.urlopen(stack.bot_url + "/webhooks/rest/", timeout=5) as health:
            assert health.status == 200
        assert "this machine only" in stack.launcher_log.read_text()
        assert "3,200" in socket_says(stack, "", "my wbc is 3.2")[1]
    finally:
        stack.stop()


def test_the_session_secret_is_kept_owner_only(bot: Stack) -> None:
    """Without SESSION_SECRET the server made one in var/, readable by its owner only."""
    secret = Path(__file__).resolve().parents[2] / "var" / "session_secret"
    assert secret.exists(), "the stack made no session secret"
    assert secret.stat().st_mode & 0o077 == 0
