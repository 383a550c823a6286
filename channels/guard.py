"""What every channel does around one message: a rate limit, and never leaving a person unanswered.

`GuardedChannel` is the base every input channel of this bot mixes in: it owns the limits from
the environment and the per-sender rate limit, so that wiring is written once. `answer` runs a
message through Rasa and, if no reply was sent before the deadline (action server down or slow,
database down, an error), sends bot.judge.safety's fallback instead: emergency advice when the
message
names a red flag, then the short "trouble" reply. `SenderRateLimit` refuses a sender who sends
more than the configured number of messages a minute. A vote on an answer ("Was this helpful?")
is taken here, after the rate limit and before Rasa (channels/votes.py). Log lines here name
senders by hash only and never include what was typed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.judge.safety import fallback_texts, too_long_texts
from bot.read.parse import MAX_TEXT_CHARS
from channels.votes import Voting
from server import notices, settings
from server.privacy import hashed

logger = logging.getLogger(__name__)

SLOW_DOWN_TEXT = (
    "You're sending messages faster than I can read them. Please wait a moment and try "
    "again. If this is urgent, seek medical care now."
)
NOT_TEXT_TEXT = "I can only read text messages. Please type your question or your count."
# Commands people type that are not intent names: Telegram's /start and /help, and /forget (or
# /restart) for "forget my data". Anything else starting with "/" is Rasa's own /intent syntax
# (the buttons' payloads).
COMMANDS = {
    "/start": "/greet",
    "/help": "/ask_help",
    "/forget": "/forget_data",
    "/restart": "/forget_data",  # starting over also erases what was said
}
# The guard's deadline is the action-server timeout plus this much for NLU, the stores and
# waiting behind an earlier message of the same conversation (Rasa checks its lock once a
# second). An action server that is down or slow is noticed sooner: Rasa gives up on it after
# the timeout and the turn ends with no reply, which `answer` turns into the trouble reply.
DEADLINE_MARGIN_SECONDS = 2.5
# A sender id is only as good as what it is made of: a widget can ask for as many new sessions
# as it likes. So the messages from one network address are limited too, at this many times the
# per-sender limit (several people may share one address: a clinic, a home, a mobile carrier).
ADDRESS_FACTOR = 10


class Limits:
    """The channel limits from the environment (see server/settings.py)."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        """Read the limits from resolved settings `values`, by default those of os.environ.

        A numeric limit that is not a number raises settings.SettingError, naming the variable.
        """
        values = values or settings.resolve(os.environ)
        self.action_timeout = settings.number(values, "ACTION_TIMEOUT_SECONDS")
        self.max_body_bytes = int(settings.number(values, "MAX_BODY_BYTES"))
        self.per_minute = int(settings.number(values, "RATE_LIMIT_PER_MINUTE"))
        self.cors_origins = values["CORS_ORIGINS"].split()

    @property
    def deadline(self) -> float:
        """Seconds a message gets before `answer` sends the fallback: action timeout plus margin."""
        return self.action_timeout + DEADLINE_MARGIN_SECONDS


class SenderRateLimit:
    """At most `per_minute` messages per sender in any 60-second window (in this process)."""

    WINDOW_SECONDS = 60.0
    # Above this many remembered senders, those idle for a window are forgotten.
    MAX_SENDERS = 100_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        """Allow `per_minute` messages per sender; `clock` gives seconds (tests pass a fake one)."""
        self.per_minute = per_minute
        self.clock = clock
        self._seen: defaultdict[str, deque[float]] = defaultdict(deque)

    def allow(self, sender_id: str) -> bool:
        """Whether `sender_id` may send a message now; an allowed one counts, a refused one not.

        A refusal is logged with the sender's hash only.
        """
        now = self.clock()
        times = self._seen[sender_id]
        while times and now - times[0] >= self.WINDOW_SECONDS:
            times.popleft()
        if len(times) >= self.per_minute:
            logger.warning("Rate limit: %s sent too many messages", hashed(sender_id))
            return False
        times.append(now)
        if len(self._seen) > self.MAX_SENDERS:  # forget idle senders so memory stays bounded
            self._forget_idle(now)
        return True

    def __len__(self) -> int:
        """How many senders are remembered."""
        return len(self._seen)

    def _forget_idle(self, now: float) -> None:
        for sender, times in list(self._seen.items()):
            if not times or now - times[-1] >= self.WINDOW_SECONDS:
                del self._seen[sender]


class CountingOutput(OutputChannel):
    """Mixin for an output channel that counts the messages it sends and sends notices first.

    It remembers how many messages it has sent, and sends first what the person must read before
    the reply (server/notices.py: their conversation could not be read in full).
    """

    sent = 0

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send a response of the bot, after the waiting notices if it is the first, and count it.

        The notices go through `send_text_message` and are not counted, so `sent` still tells
        `answer` whether the bot itself replied.
        """
        if self.sent == 0:
            for text in notices.take(recipient_id):
                await self.send_text_message(recipient_id, text)
        self.sent += 1
        await super().send_response(recipient_id, message)


def json_object(request: Any) -> dict[str, Any] | None:
    """The JSON object a webhook request carries, or None (not JSON, or not an object)."""
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises its own InvalidUsage for bad JSON
        return None
    return body if isinstance(body, dict) else None


def peer_address(request: Any) -> str:
    """The address a request came from as the server knows it, never a header a client can set.

    That is the connection's peer, or the client a trusted proxy names when Sanic is told to
    trust it (SANIC_PROXIES_COUNT, SANIC_REAL_IP_HEADER or SANIC_FORWARDED_SECRET).
    """
    try:
        return str(request.remote_addr or request.ip or "")
    except Exception:  # noqa: BLE001 - a request without a connection (tests)
        return ""


def command_intent(text: str | None) -> str | None:
    """The /intent payload a typed command stands for, or the text unchanged."""
    if text is None:
        return None
    return COMMANDS.get(text.strip().lower(), text)


async def answer(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    output: CountingOutput,
    deadline: float,
) -> None:
    """Run `message` through the bot; if nothing was sent by `deadline` seconds, say so.

    A message over the bot's length limit is answered here, before Rasa reads it (its NLU
    parses in the server's event loop): how long a message can be, with emergency advice first
    when it names a red flag. It is not stored, so the conversation so far is kept.
    """
    if message.text is not None and len(message.text) > MAX_TEXT_CHARS:
        for text in too_long_texts(message.text, MAX_TEXT_CHARS):
            await output.send_text_message(message.sender_id or "", text)
        return
    message.text = command_intent(message.text)
    task = asyncio.ensure_future(on_new_message(message))
    done, _ = await asyncio.wait({task}, timeout=deadline)
    if task in done and task.exception() is not None:
        error = task.exception()
        logger.error(
            "Could not answer %s: %s", hashed(message.sender_id or ""), type(error).__name__
        )
    elif task not in done:
        logger.warning("No reply for %s within %.1f s", hashed(message.sender_id or ""), deadline)
    if output.sent == 0:  # emergency advice first when the message names a red flag
        sender = message.sender_id or ""
        fallback = fallback_texts(message.text or "")
        told = [text for text in notices.take(sender) if text not in fallback]
        for text in (*told, *fallback):
            await output.send_text_message(sender, text)


class GuardedChannel:
    """Mixin for an input channel: the limits, the per-sender rate limit and the guarded answer.

    Put it before Rasa's channel class (`class RestInput(GuardedChannel, RasaRestInput)`): its
    `__init__` passes every argument on, then reads the limits.
    """

    limits: Limits
    rate_limit: SenderRateLimit

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Pass every argument on to the channel class, then read the limits and set up the guards.

        Each sender gets the per-minute limit, each network address ADDRESS_FACTOR times it, and
        votes on answers go to a `Voting`.
        """
        super().__init__(*args, **kwargs)
        self.limits = Limits()  # Rasa itself is changed at start-up (server/rasa_run.py)
        self.rate_limit = SenderRateLimit(self.limits.per_minute)
        self.address_limit = SenderRateLimit(self.limits.per_minute * ADDRESS_FACTOR)
        self.voting = Voting()  # thumbs up / down on answers, taken before Rasa

    def allowed(self, sender_id: str, address: str | None = None) -> bool:
        """Whether a message from `sender_id` at network `address` is within the rate limits.

        This message counts. `address` is where the message came from, when the channel knows it
        (`peer_address`). Only what a sender's own limit lets through counts for its address, so
        one sender flooding does not hold back the others who share the address; many senders do.
        """
        if not self.rate_limit.allow(sender_id):
            return False
        return not address or self.address_limit.allow(f"address:{address}")

    async def guarded_answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        message: UserMessage,
        output: CountingOutput,
    ) -> None:
        """`answer` within this channel's deadline; a vote on an answer is taken here."""
        if await self.voting.take(message, output):  # channels/votes.py: never reaches Rasa
            return
        await answer(on_new_message, message, output, self.limits.deadline)
