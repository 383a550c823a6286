"""The guard (channels/guard.py): the per-sender rate limit and the GuardedChannel base.

The rate limit is driven by a clock the test moves by hand; every input channel is built on the
GuardedChannel base.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from rasa.core.channels.channel import InputChannel, UserMessage

from bot.judge.safety import TROUBLE_TEXT
from bot.read.parse import MAX_TEXT_CHARS
from channels.fhir import FhirInput
from channels.guard import GuardedChannel, SenderRateLimit
from channels.rest import GuardedCollectingOutput, RestInput
from channels.socketio import SocketIOInput
from channels.telegram import TelegramInput
from server.privacy import hashed

# Each channel of credentials.yml, built from its credentials as the Rasa server builds it.
CHANNELS: dict[str, Callable[[], InputChannel]] = {
    "rest": lambda: RestInput.from_credentials(None),
    "socketio": lambda: SocketIOInput.from_credentials(
        {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered"}
    ),
    "telegram": lambda: TelegramInput.from_credentials({"access_token": ""}),
    "fhir": lambda: FhirInput.from_credentials(None),
}


class Clock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_allows_the_limit_then_refuses(clock: Clock) -> None:
    """Within one minute a sender gets exactly `per_minute` messages through."""
    limit = SenderRateLimit(3, clock=clock)
    assert [limit.allow("ann") for _ in range(5)] == [True, True, True, False, False]


def test_refused_messages_do_not_prolong_the_wait(clock: Clock) -> None:
    """A sender who keeps trying is let in again 60 s after the first accepted message."""
    limit = SenderRateLimit(2, clock=clock)
    assert limit.allow("ann") and limit.allow("ann")
    for clock.now in (1010.0, 1030.0, 1059.9):
        assert not limit.allow("ann")
    clock.now = 1060.0
    assert limit.allow("ann")


def test_the_window_slides(clock: Clock) -> None:
    """Each accepted message counts for exactly 60 s from when it was sent."""
    limit = SenderRateLimit(2, clock=clock)
    steps = [(1000.0, True), (1030.0, True), (1045.0, False), (1060.0, True), (1061.0, False)]
    for clock.now, allowed in steps:
        assert limit.allow("ann") is allowed, clock.now
    clock.now = 1090.0  # the message of 1030 has expired
    assert limit.allow("ann")


def test_senders_are_limited_separately(clock: Clock) -> None:
    """One sender at the limit does not slow anyone else down."""
    limit = SenderRateLimit(1, clock=clock)
    assert limit.allow("ann")
    assert not limit.allow("ann")
    assert limit.allow("bob")


def test_idle_senders_are_forgotten(clock: Clock) -> None:
    """Past MAX_SENDERS, senders idle for a minute are dropped, so memory stays bounded."""
    limit = SenderRateLimit(5, clock=clock)
    limit.MAX_SENDERS = 10
    for n in range(9):
        assert limit.allow(f"old-{n}")
    clock.now += 61.0
    assert limit.allow("active")
    assert len(limit) == 10  # not above the bound: nothing forgotten
    assert limit.allow("newest")
    assert len(limit) == 2  # above it: the nine idle senders are gone


def test_a_refusal_is_logged_with_the_hashed_sender(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """The log names the sender only by its hash."""
    limit = SenderRateLimit(1, clock=clock)
    with caplog.at_level(logging.WARNING, logger="channels.guard"):
        limit.allow("ann@example.org")
        limit.allow("ann@example.org")
    assert hashed("ann@example.org") in caplog.text
    assert "ann@example.org" not in caplog.text


@pytest.mark.parametrize("build", CHANNELS.values(), ids=CHANNELS.keys())
def test_every_channel_is_a_guarded_channel(
    build: Callable[[], InputChannel], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every channel is a GuardedChannel, with its limits and rate limit read from the environment.

    The wiring is written once.
    """
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "4")
    channel = build()
    assert isinstance(channel, GuardedChannel)
    assert channel.limits.deadline == 4 + 2.5
    assert [channel.allowed("ann") for _ in range(3)] == [True, True, False]
    assert channel.allowed("bob")


class Replying:
    """A stand-in for Rasa's message handler that answers with the text it was given, or fails."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.texts: list[str] = []

    async def __call__(self, message: UserMessage) -> None:
        if self.fail:
            raise RuntimeError("the bot broke")
        self.texts.append(message.text or "")
        # As Rasa sends a bot message: through send_response, which the output counts.
        await message.output_channel.send_response(message.sender_id or "", {"text": "an answer"})


@pytest.mark.parametrize(
    ("typed", "handler", "understood", "replies"),
    [
        ("my wbc is 3.2", Replying(), ["my wbc is 3.2"], ["an answer"]),
        ("/help", Replying(), ["/ask_help"], ["an answer"]),
        ("my wbc is 3.2", Replying(fail=True), [], [TROUBLE_TEXT]),
    ],
    ids=["text", "command", "failure-gets-the-trouble-reply"],
)
async def test_guarded_answer_maps_commands_and_never_leaves_the_sender_unanswered(
    typed: str, handler: Replying, understood: list[str], replies: list[str]
) -> None:
    """The base's answer runs commands as their intents, and never leaves the sender unanswered.

    It sends the trouble reply when the bot sent nothing.
    """
    channel = RestInput()
    output = GuardedCollectingOutput()
    await channel.guarded_answer(handler, UserMessage(typed, output, "ann"), output)
    assert handler.texts == understood
    assert [message.get("text") for message in output.messages] == replies


@pytest.mark.parametrize(
    ("typed", "emergency_first"),
    [
        ("my wbc is 3.2 " * 400, False),
        ("%" * (MAX_TEXT_CHARS + 1), False),
        ("I can't breathe and my wbc is 1.2. " + "x" * MAX_TEXT_CHARS, True),
    ],
    ids=["long-count", "long-run-of-signs", "long-with-a-red-flag"],
)
async def test_a_message_over_the_limit_is_answered_before_rasa_reads_it(
    typed: str, emergency_first: bool
) -> None:
    """A message over the length limit is answered before any parsing.

    The reply says how long a message can be, after emergency advice when the message names a red
    flag.
    """
    channel = RestInput()
    output = GuardedCollectingOutput()
    handler = Replying()
    await channel.guarded_answer(handler, UserMessage(typed, output, "ann"), output)
    texts = [message.get("text") or "" for message in output.messages]
    assert handler.texts == []  # Rasa never saw it
    assert f"{MAX_TEXT_CHARS:,} characters" in texts[-1]
    assert texts[0].startswith("⚠️") is emergency_first


def test_new_sender_ids_from_one_address_share_its_limit() -> None:
    """New sender ids from one address share the address's limit.

    A client that takes a new session (a new sender id) for every message is still limited: by the
    address the server saw, at ADDRESS_FACTOR times the per-sender limit.
    """
    from types import SimpleNamespace

    from channels.guard import ADDRESS_FACTOR, GuardedChannel, SenderRateLimit, peer_address

    channel = GuardedChannel.__new__(GuardedChannel)
    channel.rate_limit = SenderRateLimit(2)
    channel.address_limit = SenderRateLimit(2 * ADDRESS_FACTOR)
    allowed = [channel.allowed(f"widget:{n}", "203.0.113.5") for n in range(2 * ADDRESS_FACTOR + 5)]
    assert allowed.count(True) == 2 * ADDRESS_FACTOR and not any(allowed[2 * ADDRESS_FACTOR :])
    assert channel.allowed("widget:other", "198.51.100.7")  # another address is not held back
    assert channel.allowed("widget:a") and channel.allowed("widget:a")  # no address known
    assert not channel.allowed("widget:a")  # the sender's own limit still holds
    # The address is the connection's (or a proxy's Sanic was told to trust), not a header.
    forged = SimpleNamespace(remote_addr="", ip="192.0.2.1", headers={"X-Forwarded-For": "1.1.1.1"})
    assert peer_address(forged) == "192.0.2.1"
    assert peer_address(SimpleNamespace(remote_addr="198.51.100.9", ip="127.0.0.1")) == (
        "198.51.100.9"
    )


def test_one_sender_flooding_does_not_hold_back_its_address() -> None:
    """One sender flooding does not hold back its address.

    Messages a sender's own limit refuses do not count for its address: one person flooding does not
    lock out everyone else behind the same address (a clinic's network).
    """
    from channels.guard import ADDRESS_FACTOR, GuardedChannel, SenderRateLimit

    channel = GuardedChannel.__new__(GuardedChannel)
    channel.rate_limit = SenderRateLimit(2)
    channel.address_limit = SenderRateLimit(2 * ADDRESS_FACTOR)
    flood = [channel.allowed("widget:flood", "203.0.113.5") for _ in range(10 * ADDRESS_FACTOR)]
    assert flood.count(True) == 2
    assert channel.allowed("widget:neighbour", "203.0.113.5")
