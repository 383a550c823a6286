"""The Telegram channel: updates in by webhook, answers out through the Bot API.

Telegram posts each update to /webhooks/telegram/webhook with a secret header and gets its 200
at once; the turn then runs in the background, in order per chat, behind the guard every channel
has. Only private chats are answered. Without a token, webhook URL and secret the channel stays
off and says why in the log (docs/telegram.md). Reading an update is channels/telegram_updates.py,
cutting an answer into messages channels/telegram_format.py, the Bot API channels/telegram_api.py.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.reports import Problem, ReportReading
from channels import identity
from channels.guard import (
    NOT_TEXT_TEXT,
    SLOW_DOWN_TEXT,
    CountingOutput,
    GuardedChannel,
    json_object,
)
from channels.markup import as_telegram_html
from channels.range_pictures import send_telegram_pictures
from channels.telegram_api import DEFAULT_API_BASE_URL, TelegramApi
from channels.telegram_format import inline_keyboard, split_text
from channels.telegram_updates import Incoming, Upload, addressed_to_bot, command_text, read_update
from channels.uploads import ReportReader, TelegramFiles, answer_report
from channels.votes import telegram_row
from server.privacy import hashed

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's rules for the secret: 1-256 characters, A-Z a-z 0-9 _ -.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
TOKEN_PATTERN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
NEW_SECRET_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
# The updates Telegram is asked to deliver (others are still accepted and ignored).
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")

WEBHOOK_ATTEMPTS = 8  # setWebhook at start-up: about a minute of retrying
DRAIN_SECONDS = 5.0  # at shutdown, how long turns still running may take to finish

PRIVATE_ONLY_TEXT = (
    "I only answer in a private chat, so that what you tell me about your health stays "
    "between us. Please open a chat with me and ask there."
)


# --- Sending ----------------------------------------------------------------------------------


class TelegramOutput(CountingOutput, OutputChannel):
    """Sends the bot's messages to one chat: long texts in parts, buttons as inline keyboard."""

    @classmethod
    def name(cls) -> str:
        """The channel's name, as Rasa's own Telegram channel has it."""
        return "telegram"

    def __init__(self, api: TelegramApi) -> None:
        """An output that sends through `api`."""
        self.api = api

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """A text, with the vote buttons under an answer."""
        await self._send(recipient_id, text, telegram_row(kwargs))  # thumbs under an answer

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """A text with its buttons as an inline keyboard (and the vote buttons)."""
        await self._send(recipient_id, text, inline_keyboard(buttons) + telegram_row(kwargs))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A reading's range pictures as photos after it (channels/range_pictures.py)."""
        if not await send_telegram_pictures(self.api, _chat(recipient_id), json_message):
            await super().send_custom_json(recipient_id, json_message, **kwargs)

    async def _send(self, chat_id: str, text: str, keyboard: list[list[dict[str, str]]]) -> None:
        parts = split_text(text)
        for number, part in enumerate(parts, start=1):
            params: dict[str, Any] = {
                "chat_id": _chat(chat_id),
                # Everything escaped; only the bot's source links become <a href>
                "text": as_telegram_html(part),
                "parse_mode": "HTML",
                "disable_web_page_preview": True,  # sources are links: no preview cards
            }
            if keyboard and number == len(parts):
                params["reply_markup"] = {"inline_keyboard": keyboard}
            if await self.api.call("sendMessage", params, repeatable=False) is None:
                logger.warning(
                    "Answer to %s not sent: part %d of %d failed",
                    hashed(chat_id),
                    number,
                    len(parts),
                )
                return  # the rest of an answer makes no sense without this part


def _chat(chat_id: str) -> int | str:
    """The Bot API's chat_id for a chat id or a conversation's `telegram:<chat id>`."""
    chat_id = identity.local_id(identity.TELEGRAM, chat_id)
    return int(chat_id) if re.fullmatch(r"-?[0-9]+", chat_id) else chat_id


# --- The channel ------------------------------------------------------------------------------


class TelegramInput(GuardedChannel, InputChannel):
    """The Telegram channel. Registered in credentials.yml as channels.telegram.TelegramInput."""

    @classmethod
    def name(cls) -> str:
        """The channel's name: its webhook is /webhooks/telegram/webhook."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> TelegramInput:
        """The channel from credentials.yml (`verify` is the bot's name, as in Rasa's own)."""
        values = {key: str(value or "").strip() for key, value in (credentials or {}).items()}
        return cls(
            access_token=values.get("access_token", ""),
            bot_name=values.get("verify", ""),
            webhook_url=values.get("webhook_url", ""),
            secret_token=values.get("secret_token", ""),
            api_base_url=values.get("api_base_url") or DEFAULT_API_BASE_URL,
        )

    def __init__(
        self,
        access_token: str,
        bot_name: str,
        webhook_url: str,
        secret_token: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
    ) -> None:
        """The channel, off (no routes) without a token or with a setting missing."""
        super().__init__()
        self.bot_name = bot_name.lstrip("@")
        self.webhook_url = webhook_url
        self.secret_token = secret_token
        self.problem = (
            configuration_problem(access_token, webhook_url, secret_token) if access_token else None
        )
        on = bool(access_token) and self.problem is None
        self.api = TelegramApi(access_token, api_base_url) if on else None
        self.reports = ReportReader.from_settings()
        self.files = (
            TelegramFiles(self.api, access_token, api_base_url, self.reports.limits.max_bytes)
            if self.api is not None
            else None
        )
        self._told_to_slow_down: set[str] = set()
        self._last_turn: dict[str, asyncio.Task[None]] = {}  # per chat, to keep turns in order
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def enabled(self) -> bool:
        """Whether the channel is on: a token and every setting it needs."""
        return self.api is not None

    def get_output_channel(self) -> TelegramOutput | None:
        """For Rasa's HTTP API (`output_channel=telegram`). Sets no webhook, unlike Rasa's own."""
        return TelegramOutput(self.api) if self.api is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook routes (none when the channel is off) and the start and stop work."""
        webhook = Blueprint("guarded_telegram_webhook", __name__)
        if self.problem is not None:
            logger.error("Telegram channel is off: %s", self.problem)
        if self.api is None:  # no routes: the webhook URL answers 404
            return webhook

        @webhook.listener("after_server_start")
        async def register_webhook(*_: Any) -> None:
            self._spawn(self._register_webhook())

        @webhook.listener("before_server_stop")
        async def drain(*_: Any) -> None:
            await self._drain()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._has_secret(request):
                logger.warning("Refused a Telegram update without the right secret header")
                return response.json({"error": "forbidden"}, status=403)
            update = json_object(request)
            if update is None:
                return response.json({"error": "expected a Telegram Update object"}, status=400)
            self._start_turn(update, on_new_message)
            return response.json({"ok": True})  # at once, so Telegram never resends it

        return webhook

    def _has_secret(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.secret_token.encode())

    def _start_turn(
        self, update: Mapping[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Handle `update` in the background, after the chat's previous update."""
        incoming = read_update(update)
        if incoming is None:
            logger.debug("Telegram update %s needs no answer", update.get("update_id"))
            return
        previous = self._last_turn.get(incoming.chat_id)
        task = self._spawn(self._after(previous, self._handle(incoming, on_new_message)))
        self._last_turn[incoming.chat_id] = task
        task.add_done_callback(lambda done: self._forget_turn(incoming.chat_id, done))

    def _forget_turn(self, chat_id: str, task: asyncio.Task[None]) -> None:
        if self._last_turn.get(chat_id) is task:
            del self._last_turn[chat_id]

    async def _handle(
        self, incoming: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        assert self.api is not None  # only called when enabled
        if incoming.callback_query_id:  # stops the spinner on the pressed button
            await self.api.call(
                "answerCallbackQuery",
                {"callback_query_id": incoming.callback_query_id},
                repeatable=True,
            )
            if incoming.text is None:  # a button without data: nothing to say
                return
        chat_id, output = incoming.chat_id, TelegramOutput(self.api)
        if not chat_id or not await self._within_rate_limit(chat_id, output):
            return
        if not incoming.private:
            if incoming.text is not None and addressed_to_bot(incoming.text, self.bot_name):
                await output.send_text_message(chat_id, PRIVATE_ONLY_TEXT)
            return
        if incoming.upload is not None:
            await self._answer_upload(incoming.upload, chat_id, output, on_new_message)
            return
        if incoming.text is None:
            await output.send_text_message(chat_id, NOT_TEXT_TEXT)
            return
        text = command_text(incoming.text, self.bot_name)
        conversation = identity.sender_id(identity.TELEGRAM, chat_id)  # Telegram's namespace
        message = UserMessage(text, output, conversation, input_channel=self.name())
        await self.guarded_answer(on_new_message, message, output)

    async def _answer_upload(
        self,
        upload: Upload,
        chat_id: str,
        output: TelegramOutput,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """A photo or document: read as a lab report, its lines shown, then answered."""
        assert self.files is not None  # only called when enabled
        with self.reports.place() as admitted:  # a bounded queue: busy rather than waiting
            if not admitted:
                reading = ReportReading(problem=Problem.BUSY)
            else:
                fetched = await self.files.fetch(upload.file_id, upload.size)
                reading = (
                    await self.reports.read(fetched.data)
                    if fetched.problem is None
                    else ReportReading(problem=fetched.problem)
                )

        async def send(text: str) -> None:
            await output.send_text_message(chat_id, text)

        async def answer_text(text: str) -> None:
            reply_output = TelegramOutput(output.api)
            conversation = identity.sender_id(identity.TELEGRAM, chat_id)
            message = UserMessage(text, reply_output, conversation, input_channel=self.name())
            await self.guarded_answer(on_new_message, message, reply_output)

        await answer_report(reading, upload.caption, send, answer_text)

    async def _within_rate_limit(self, chat_id: str, output: TelegramOutput) -> bool:
        """The rate limit; a chat over it is told so once, then ignored until it is under."""
        if self.allowed(chat_id):
            self._told_to_slow_down.discard(chat_id)
            return True
        if chat_id not in self._told_to_slow_down:
            if len(self._told_to_slow_down) > 10_000:  # keep memory bounded
                self._told_to_slow_down.clear()
            self._told_to_slow_down.add(chat_id)
            await output.send_text_message(chat_id, SLOW_DOWN_TEXT)
        return False

    async def _register_webhook(self) -> None:
        """Call setWebhook with the URL and the secret; check the token is the named bot's."""
        assert self.api is not None
        if self.bot_name:
            me = await self.api.call("getMe", {}, repeatable=True)
            username = str(me.get("username", "")) if isinstance(me, dict) else ""
            if username and username.lower() != self.bot_name.lower():
                logger.warning(
                    "TELEGRAM_TOKEN is the token of @%s, not of TELEGRAM_BOT_NAME @%s",
                    username,
                    self.bot_name,
                )
        params = {
            "url": self.webhook_url,
            "secret_token": self.secret_token,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        if await self.api.call("setWebhook", params, repeatable=True, attempts=WEBHOOK_ATTEMPTS):
            logger.info("Telegram webhook set: %s", self.webhook_url)
        else:
            logger.error("Telegram webhook NOT set: Telegram will not deliver messages here")

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @staticmethod
    async def _after(previous: asyncio.Task[None] | None, work: Awaitable[None]) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        await work

    @staticmethod
    async def _logged(work: Awaitable[None]) -> None:
        """Runs background work; an unexpected error is logged (its type only), not raised."""
        try:
            await work
        except Exception as error:
            debug = logger.isEnabledFor(logging.DEBUG)  # a traceback may quote the message
            logger.error("Telegram update failed: %s", type(error).__name__, exc_info=debug)

    async def _drain(self) -> None:
        """At shutdown: let running turns finish for a moment, then stop them."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=DRAIN_SECONDS)
            for task in pending:
                task.cancel()
        if self.api is not None:
            await self.api.close()


def configuration_problem(token: str, webhook_url: str, secret_token: str) -> str | None:
    """Why the channel cannot be on with this token and settings, or None when it can."""
    if not TOKEN_PATTERN.fullmatch(token):
        return "TELEGRAM_TOKEN does not look like a bot token from BotFather (digits:letters)"
    if not webhook_url:
        return "TELEGRAM_WEBHOOK_URL is empty (the public https URL of /webhooks/telegram/webhook)"
    if not secret_token:
        return (
            "TELEGRAM_SECRET_TOKEN is empty: without it anyone who finds the webhook URL could "
            f"write to the bot as any Telegram user. Make one with: {NEW_SECRET_COMMAND}"
        )
    if not SECRET_PATTERN.fullmatch(secret_token):
        return "TELEGRAM_SECRET_TOKEN must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
    return None
