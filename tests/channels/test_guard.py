"""The per-sender rate limit (channels/guard.py), driven by a clock the test moves by hand."""

from __future__ import annotations

import logging

import pytest

from channels.guard import SenderRateLimit
from server.privacy import hashed


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
