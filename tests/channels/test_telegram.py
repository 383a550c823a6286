"""The Telegram channel against a fake Telegram Bot API (tests/channels/fake_telegram.py).

One bot (`make run` on free ports) talks to the fake for the whole module. Updates are posted
to the webhook the way Telegram posts them, and the calls the bot makes are read back from the
fake. A few tests drive the channel's API client and output directly against the same fake.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.judge.safety import TROUBLE_TEXT
from bot.read.commands import MORE, SOURCES
from bot.reply.content import topic_answer, topics
from channels.guard import NOT_TEXT_TEXT
from channels.telegram import (
    PRIVATE_ONLY_TEXT,
    SECRET_HEADER,
    TelegramInput,
    TelegramOutput,
    configuration_problem,
)
from channels.telegram_api import API_TIMEOUT_SECONDS, TelegramApi
from channels.telegram_format import MAX_MESSAGE_LENGTH, split_text
from tests.channels.fake_telegram import ApiCall, FakeTelegram, Fault
from tests.stack import Stack, free_port, start_stack

pytestmark = pytest.mark.stack

TOKEN = "123456:TEST"
BOT_NAME = "wbc_test_bot"
SECRET = "test-secret_4f1c9a2b7d"
WEBHOOK_URL = "https://bot.example.org/webhooks/telegram/webhook"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
READING = "3,200"  # how the bot reads "my wbc is 3.2"
VOTE_UP, VOTE_DOWN = ["/vote", "up"], ["/vote", "down"]
GREETING = "Hello!"  # the start of utter_greet (domain.yml)

UPDATE_IDS = itertools.count(500_000_001)
MESSAGE_IDS = itertools.count(1)
CHAT_IDS = itertools.count(7_300_000_001)  # one new chat per test: calls never mix


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    """The fake Bot API; its first setWebhook answers 500, so start-up has to retry."""
    with FakeTelegram(TOKEN, BOT_NAME) as fake:
        fake.fail("setWebhook", Fault(500))
        yield fake


def start_telegram_stack(workdir: Path, telegram: FakeTelegram) -> Stack:
    """Start the bot with the Telegram channel on, using the fake Bot API.

    The other Telegram stack tests start theirs with this too.
    """
    return start_stack(
        workdir,
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_BOT_NAME=BOT_NAME,
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_SECRET_TOKEN=SECRET,
        TELEGRAM_API_BASE_URL=telegram.url,
    )


@pytest.fixture(scope="module")
def bot(telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The bot with the Telegram channel on, using the fake Bot API."""
    running = start_telegram_stack(tmp_path_factory.mktemp("telegram"), telegram)
    yield running
    running.stop()


# --- Updates as Telegram sends them --------------------------------------------------------


def update(kind: str = "message", **body: Any) -> dict[str, Any]:
    return {"update_id": next(UPDATE_IDS), kind: body}


def message(
    chat_id: int, chat_type: str = "private", kind: str = "message", **content: Any
) -> dict[str, Any]:
    """An Update carrying a message (`content`: text=..., sticker=..., photo=... )."""
    person = {"id": abs(chat_id), "is_bot": False, "first_name": "Test", "language_code": "en"}
    chat = {"id": chat_id, "type": chat_type}
    chat.update({"first_name": "Test"} if chat_type == "private" else {"title": "Test group"})
    return update(
        kind,
        message_id=next(MESSAGE_IDS),
        date=int(time.time()),
        chat=chat,
        **{"from": person},
        **content,
    )


def button_press(chat_id: int, data: str) -> dict[str, Any]:
    """An Update for a press on an inline button the bot sent to `chat_id`."""
    person = {"id": chat_id, "is_bot": False, "first_name": "Test"}
    sent = {
        "message_id": next(MESSAGE_IDS),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
        "text": "(the bot's message with the buttons)",
    }
    query_id = str(next(UPDATE_IDS))
    return update(
        "callback_query",
        id=query_id,
        chat_instance="-5512",
        message=sent,
        data=data,
        **{"from": person},
    )


def deliver(bot: Stack, payload: dict[str, Any], secret: str | None = SECRET) -> int:
    """POST `payload` to the webhook as Telegram does; the HTTP status."""
    headers = {} if secret is None else {SECRET_HEADER: secret}
    status, _ = bot.post_raw(json.dumps(payload).encode(), WEBHOOK_PATH, headers)
    return status


def texts(calls: list[ApiCall]) -> list[str]:
    return [call.text for call in calls]


def has_text(part: str) -> Any:
    """For FakeTelegram.wait_for: some call's text contains `part`."""
    return lambda calls: any(part in call.text for call in calls)


def got_through(part: str) -> Any:
    """For FakeTelegram.wait_for: a call whose text contains `part` went through (HTTP 200)."""
    return lambda calls: any(part in call.text and call.status == 200 for call in calls)


# --- Start-up, messages, buttons ----------------------------------------------------------


def test_start_up_sets_the_webhook_with_url_and_secret(bot: Stack, telegram: FakeTelegram) -> None:
    """At start-up setWebhook carries the URL and the secret, and is retried after a 500."""
    calls = telegram.wait_for("setWebhook", until=lambda c: any(x.status == 200 for x in c))
    assert calls[0].status == 500
    assert calls[-1].params["url"] == WEBHOOK_URL
    assert calls[-1].params["secret_token"] == SECRET
    assert telegram.calls("getMe")  # the token was checked against TELEGRAM_BOT_NAME
    assert all(call.token == TOKEN for call in calls)
    assert f"Telegram webhook:       {WEBHOOK_URL}" in bot.launcher_log.read_text()


def test_text_message_gets_the_reading_after_a_quick_200(
    bot: Stack, telegram: FakeTelegram
) -> None:
    """A text message ("my wbc is 3.2") gets 200 at once, then the reading through sendMessage."""
    chat = next(CHAT_IDS)
    started = time.monotonic()
    assert deliver(bot, message(chat, text="my wbc is 3.2")) == 200
    assert time.monotonic() - started < 1.0  # Telegram is not kept waiting for the turn
    calls = telegram.wait_for("sendMessage", chat, has_text(READING))
    assert all(call.params["chat_id"] == chat for call in calls)
    assert TROUBLE_TEXT not in texts(calls)


def test_answer_with_buttons_has_an_inline_keyboard(bot: Stack, telegram: FakeTelegram) -> None:
    """The reading's next steps come as inline buttons whose callback data is the payload."""
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, text="my wbc is 3.2")) == 200
    # The buttons come with the reply's last message: wait for it, not only for the reading.
    has_buttons = lambda calls: any("reply_markup" in call.params for call in calls)  # noqa: E731
    calls = telegram.wait_for("sendMessage", chat, has_buttons)
    assert any(READING in call.text for call in calls)
    with_buttons = [call for call in calls if "reply_markup" in call.params]
    rows = with_buttons[-1].params["reply_markup"]["inline_keyboard"]
    *rows, thumbs = rows  # the last row rates the answer (tests/channels/test_telegram_votes.py)
    assert [button["callback_data"].split()[:2] for button in thumbs] == [VOTE_UP, VOTE_DOWN]
    assert rows and all(len(row) == 1 for row in rows)
    for [button] in rows:
        payload = button["callback_data"]
        assert button["text"] and (payload.startswith("/ask_") or payload in (MORE, SOURCES))


def test_button_press_is_acknowledged_and_answered(bot: Stack, telegram: FakeTelegram) -> None:
    """A press is answered with answerCallbackQuery and its payload answered as a message."""
    chat = next(CHAT_IDS)
    press = button_press(chat, "/ask_causes")
    assert deliver(bot, press) == 200
    calls = telegram.wait_for("sendMessage", chat, has_text("Sources:"))
    acknowledged = [
        call.params["callback_query_id"] for call in telegram.calls("answerCallbackQuery")
    ]
    assert press["callback_query"]["id"] in acknowledged
    assert TROUBLE_TEXT not in texts(calls)


def test_telegram_commands_start_and_help_are_understood(
    bot: Stack, telegram: FakeTelegram
) -> None:
    """/start (sent when someone opens the bot) gets the greeting, /help the help text."""
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, text="/start")) == 200
    telegram.wait_for("sendMessage", chat, has_text(GREETING))
    assert deliver(bot, message(chat, text="/help")) == 200
    telegram.wait_for("sendMessage", chat, has_text("I explain white blood cell"))


# --- The secret ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET[:-1] + "X", SECRET + "X"],
    ids=["missing", "empty", "wrong", "last-char-differs", "longer"],
)
def test_update_without_the_secret_is_refused(
    bot: Stack, telegram: FakeTelegram, secret: str | None
) -> None:
    """An update without the right secret header gets 403 and never reaches the bot."""
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, text="my wbc is 3.2"), secret=secret) == 403
    # Updates of one chat are handled in order: once this is answered, the refused one would
    # have been answered too.
    assert deliver(bot, message(chat, text="hello")) == 200
    calls = telegram.wait_for("sendMessage", chat, has_text(GREETING))
    assert not any(READING in text for text in texts(calls))


# --- Updates that are not text --------------------------------------------------------------

STICKER = {"file_id": "CAACAgIAAxkBAAEB", "file_unique_id": "AgADAgAD", "width": 512,
           "height": 512, "is_animated": False, "is_video": False, "type": "regular"}  # fmt: skip
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "WBC", "username": BOT_NAME}


def test_sticker_gets_the_text_only_note(bot: Stack, telegram: FakeTelegram) -> None:
    """A sticker gets "I can only read text messages".

    Photos are read as lab reports: tests/channels/test_report_upload.py.
    """
    chat = next(CHAT_IDS)
    assert deliver(bot, message(chat, sticker=STICKER)) == 200
    telegram.wait_for("sendMessage", chat, lambda calls: texts(calls) == [NOT_TEXT_TEXT])


def test_edited_message_is_answered_as_it_now_reads(bot: Stack, telegram: FakeTelegram) -> None:
    """An edited text (a corrected count) gets an answer to the corrected text."""
    chat = next(CHAT_IDS)
    edited = message(chat, kind="edited_message", text="my wbc is 3.2", edit_date=int(time.time()))
    assert deliver(bot, edited) == 200
    telegram.wait_for("sendMessage", chat, has_text(READING))


SERVICE_UPDATES = {
    "member-joined": lambda chat: message(chat, "group", new_chat_members=[BOT_USER]),
    "member-left": lambda chat: message(chat, "group", left_chat_member=BOT_USER),
    "pinned-message": lambda chat: message(chat, "group", pinned_message={"message_id": 1}),
    "my-chat-member": lambda chat: update(
        "my_chat_member",
        chat={"id": chat, "type": "private", "first_name": "Test"},
        date=int(time.time()),
        old_chat_member={"user": BOT_USER, "status": "member"},
        new_chat_member={"user": BOT_USER, "status": "kicked", "until_date": 0},
        **{"from": {"id": chat, "is_bot": False, "first_name": "Test"}},
    ),
    "unknown-type": lambda chat: update("message_reaction_2031", chat={"id": chat}, x=[1]),
    "not-an-update": lambda chat: {"hello": "world"},
    "edited-sticker": lambda chat: message(chat, kind="edited_message", sticker=STICKER),
}
IN_A_GROUP = ("member-joined", "member-left", "pinned-message")


@pytest.mark.parametrize("kind", list(SERVICE_UPDATES))
def test_service_updates_get_200_and_no_reply(
    bot: Stack, telegram: FakeTelegram, kind: str
) -> None:
    """Joins, leaves, pins, member changes and unknown updates: 200, no reply, bot still up."""
    if kind in IN_A_GROUP:  # what the bot says in a group after a command: exactly this
        chat, command, expected = -next(CHAT_IDS), "/start", PRIVATE_ONLY_TEXT
    else:
        chat, command, expected = next(CHAT_IDS), "hello", GREETING
    assert deliver(bot, SERVICE_UPDATES[kind](chat)) == 200
    chat_type = "group" if kind in IN_A_GROUP else "private"
    assert deliver(bot, message(chat, chat_type, text=command)) == 200
    calls = telegram.wait_for("sendMessage", chat, has_text(expected))
    if kind in IN_A_GROUP:
        assert texts(calls) == [PRIVATE_ONLY_TEXT]
    assert NOT_TEXT_TEXT not in texts(calls) and TROUBLE_TEXT not in texts(calls)


def test_group_gets_no_health_answers(bot: Stack, telegram: FakeTelegram) -> None:
    """In a group the bot reads no counts; a command there gets a pointer to a private chat."""
    group = -next(CHAT_IDS)
    assert deliver(bot, message(group, "group", text="my wbc is 3.2")) == 200
    assert deliver(bot, message(group, "group", text=f"/start@{BOT_NAME}")) == 200
    calls = telegram.wait_for("sendMessage", group, has_text(PRIVATE_ONLY_TEXT))
    assert texts(calls) == [PRIVATE_ONLY_TEXT]


def test_bad_json_is_refused_with_400(bot: Stack) -> None:
    """A body that is not a JSON object (Telegram never sends one) gets 400, not an error."""
    status, _ = bot.post_raw(b"not json", WEBHOOK_PATH, {SECRET_HEADER: SECRET})
    assert status == 400


# --- Telegram API faults --------------------------------------------------------------------


def test_429_is_retried_after_retry_after(bot: Stack, telegram: FakeTelegram) -> None:
    """A 429 with retry_after=1 is sent again a second later, and only once more."""
    chat = next(CHAT_IDS)
    telegram.fail("sendMessage", Fault(429, retry_after=1, chat_id=chat))
    assert deliver(bot, message(chat, text="my wbc is 3.2")) == 200
    calls = telegram.wait_for("sendMessage", chat, got_through(READING))
    refused, again = calls[0], calls[1]
    assert refused.status == 429
    assert again.text == refused.text and again.at - refused.at >= 0.95
    delivered = [call.text for call in calls if call.status == 200]
    assert len(delivered) == len(set(delivered))  # nothing reached the person twice


def test_500_is_logged_and_not_repeated(bot: Stack, telegram: FakeTelegram) -> None:
    """A 500 on sendMessage is logged and not repeated (it may have been sent); bot goes on."""
    chat = next(CHAT_IDS)
    telegram.fail("sendMessage", Fault(500, chat_id=chat))
    assert deliver(bot, message(chat, text="my wbc is 3.2")) == 200
    calls = telegram.wait_for("sendMessage", chat, has_text(READING))
    assert calls[0].status == 500
    assert texts(calls).count(calls[0].text) == 1
    assert "Telegram sendMessage failed: HTTP 500" in bot.logs()
    assert deliver(bot, message(chat, text="hello")) == 200
    telegram.wait_for("sendMessage", chat, has_text(GREETING))


def test_slow_api_times_out_without_repeating(bot: Stack, telegram: FakeTelegram) -> None:
    """A sendMessage slower than the timeout is given up, not repeated.

    The webhook still answers at once and the next update is answered.
    """
    chat = next(CHAT_IDS)
    telegram.fail("sendMessage", Fault(200, delay=API_TIMEOUT_SECONDS + 2, chat_id=chat))
    assert deliver(bot, message(chat, text="my wbc is 3.2")) == 200
    # The slow one is the reading; the message after it is sent once the sender gave up on it.
    calls = telegram.wait_for(
        "sendMessage", chat, lambda c: len(c) >= 2 and has_text(READING)(c), timeout=60
    )
    assert texts(calls).count(calls[0].text) == 1
    assert f"no answer within {API_TIMEOUT_SECONDS:g} s" in bot.logs()
    started = time.monotonic()
    assert deliver(bot, message(chat, text="hello")) == 200
    assert time.monotonic() - started < 1.0
    telegram.wait_for("sendMessage", chat, has_text(GREETING))


def test_failed_button_acknowledgement_is_retried(bot: Stack, telegram: FakeTelegram) -> None:
    """A failed button acknowledgement (answerCallbackQuery) is sent again.

    It is safe to repeat: after a 500 it is sent again, then answered.
    """
    chat = next(CHAT_IDS)
    telegram.fail("answerCallbackQuery", Fault(500))
    press = button_press(chat, "/ask_symptoms")
    assert deliver(bot, press) == 200
    telegram.wait_for("sendMessage", chat, has_text("Sources:"))
    query_id = press["callback_query"]["id"]
    attempts = [
        call.status
        for call in telegram.calls("answerCallbackQuery")
        if call.params["callback_query_id"] == query_id
    ]
    assert attempts == [500, 200]


def test_logs_hold_no_message_text_chat_id_or_token(bot: Stack, telegram: FakeTelegram) -> None:
    """After a conversation with a failed send, the logs name no text, chat, token or secret."""
    chat = next(CHAT_IDS)
    telegram.fail("sendMessage", Fault(500, chat_id=chat))
    text = "my wbc is 3.2 since tuesday"
    assert deliver(bot, message(chat, text=text)) == 200
    telegram.wait_for("sendMessage", chat, has_text(READING))
    logs = bot.logs()
    assert "Telegram sendMessage failed" in logs  # the right log, and it has something to say
    for secret in (text, str(chat), TOKEN, SECRET):
        assert secret not in logs


def test_webhook_is_off_without_a_token(stack: Stack) -> None:
    """With TELEGRAM_TOKEN empty (the default) the webhook URL is not there: 404."""
    status, _ = stack.post_raw(b"{}", WEBHOOK_PATH, {SECRET_HEADER: ""})
    assert status == 404


# --- The API client and the output, driven directly against the fake ------------------------


async def test_long_answer_is_split_with_buttons_on_the_last_part(
    telegram: FakeTelegram,
) -> None:
    """A long answer goes out in parts of at most 4,096 characters, cut between words.

    The buttons come on the last part only.
    """
    chat = next(CHAT_IDS)
    answer = "\n\n".join(topic_answer(topic).text for topic in topics()) * 2
    assert len(answer) > 2 * MAX_MESSAGE_LENGTH
    buttons = [{"title": "Causes", "payload": "/ask_causes"}]
    api = TelegramApi(TOKEN, telegram.url)
    try:
        await TelegramOutput(api).send_text_with_buttons(str(chat), answer, buttons)
    finally:
        await api.close()
    calls = telegram.calls("sendMessage", chat)
    assert len(calls) >= 3
    assert all(len(call.text) <= MAX_MESSAGE_LENGTH for call in calls)
    assert " ".join(texts(calls)).split() == answer.split()  # every word whole, in order
    assert [("reply_markup" in call.params) for call in calls] == [False] * (len(calls) - 1) + [
        True
    ]
    assert calls[-1].params["reply_markup"]["inline_keyboard"] == [
        [{"text": "Causes", "callback_data": "/ask_causes"}]
    ]


async def test_connection_refused_is_retried_then_given_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No server: sendMessage is retried (nothing was sent), then given up without raising."""
    api = TelegramApi(TOKEN, f"http://127.0.0.1:{free_port()}")
    caplog.set_level(logging.WARNING, logger="channels.telegram_api")
    started = time.monotonic()
    try:
        result = await api.call("sendMessage", {"chat_id": 1, "text": "x"}, repeatable=False)
    finally:
        await api.close()
    assert result is None
    assert time.monotonic() - started >= 1.4  # waited 0.5 s, then 1 s
    messages = [record.getMessage() for record in caplog.records]
    assert sum("cannot connect" in m and "retrying" in m for m in messages) == 2
    assert sum("failed" in m and "retrying" not in m for m in messages) == 1


async def test_a_refused_request_is_not_retried(telegram: FakeTelegram) -> None:
    """A 4xx (here 401, a wrong token) is not retried: it would fail again."""
    api = TelegramApi("999:WRONG", telegram.url)
    try:
        assert await api.call("getMe", {}, repeatable=True) is None
    finally:
        await api.close()
    assert [call.status for call in telegram.calls("getMe") if call.token == "999:WRONG"] == [401]


# --- Settings and text splitting (no servers) -----------------------------------------------


@pytest.mark.parametrize(
    ("token", "url", "secret", "problem"),
    [
        (TOKEN, WEBHOOK_URL, SECRET, None),
        ("not a token", WEBHOOK_URL, SECRET, "TELEGRAM_TOKEN"),
        (TOKEN, "", SECRET, "TELEGRAM_WEBHOOK_URL"),
        (TOKEN, WEBHOOK_URL, "", "TELEGRAM_SECRET_TOKEN"),
        (TOKEN, WEBHOOK_URL, "has spaces", "TELEGRAM_SECRET_TOKEN"),
        (TOKEN, WEBHOOK_URL, "x" * 257, "TELEGRAM_SECRET_TOKEN"),
    ],
    ids=["complete", "bad-token", "no-url", "no-secret", "secret-with-space", "secret-too-long"],
)
def test_configuration_problems_name_the_variable(
    token: str, url: str, secret: str, problem: str | None
) -> None:
    """The channel stays off, naming the variable to fix, unless token, URL and secret work."""
    found = configuration_problem(token, url, secret)
    assert (found is None) if problem is None else (found is not None and problem in found)
    channel = TelegramInput(token, BOT_NAME, url, secret)
    assert channel.enabled is (problem is None)
    assert (channel.get_output_channel() is None) is (problem is not None)


def test_channel_without_token_is_off() -> None:
    """An empty token turns the channel off: no API client, no output channel."""
    channel = TelegramInput.from_credentials({"access_token": "", "secret_token": SECRET})
    assert not channel.enabled and channel.get_output_channel() is None


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("short answer", 4096, ["short answer"]),
        ("  padded  ", 10, ["padded"]),
        ("", 10, []),
        ("first para\n\nsecond one", 16, ["first para", "second one"]),
        ("line one\nline two", 12, ["line one", "line two"]),
        ("aaaa bbbb cccc dddd", 10, ["aaaa bbbb", "cccc dddd"]),
        ("aaaa bbbb", 9, ["aaaa bbbb"]),
        ("abcdefghijkl", 5, ["abcde", "fghij", "kl"]),
        ("aa\n\nbbb ccc ddd", 12, ["aa\n\nbbb ccc", "ddd"]),
        ("😀😀😀 😀😀", 6, ["😀😀😀", "😀😀"]),
    ],
    ids=[
        "fits",
        "stripped",
        "empty",
        "between-paragraphs",
        "between-lines",
        "between-words",
        "exactly-the-limit",
        "one-giant-word",
        "early-paragraph-not-used",
        "emoji-count-twice",
    ],
)
def test_split_text(text: str, limit: int, parts: list[str]) -> None:
    """Parts fit the limit in UTF-16 units and end at a paragraph, line or word boundary."""
    assert split_text(text, limit) == parts
