"""Work per message grows linearly with its length: one long message cannot stall everyone.

Ratios, not times, so a slow or busy machine does not decide: when a hostile message grows four
times, linear work grows about four times and quadratic work sixteen times.
scripts/bench_adversarial.py prints the full table.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.errors import TextTooLongError
from bot.judge.conversation import ConversationState
from bot.read.parse import MAX_TEXT_CHARS, clean_text
from bot.reply.dialogue import respond

SHORT, LONG = 1_000, 4_000
QUADRATIC_WOULD_BE = (LONG / SHORT) ** 2  # 16
ALLOWED_RATIO = 8.0  # linear is 4; halfway to quadratic on the log scale

SHAPES: dict[str, Callable[[int], str]] = {
    "percent signs": lambda n: "%" * n,
    "commas": lambda n: "," * n,
    "underscores": lambda n: "_" * n,
    "emoji": lambda n: "😀" * n,
    "wbc 1 repeated": lambda n: ("wbc 1 " * n)[:n],
    "spaces": lambda n: "wbc" + " " * (n - 6) + "3.2",
    "mixed signs": lambda n: ("%,😀.!?-" * n)[:n],
    # every sign's status looks only at the cues near it (bot/read/assertion.py)
    "signs said over": lambda n: ("fever fine now. " * n)[:n],
    "signs negated": lambda n: ("no fever and chills, " * n)[:n],
    "hypothetical signs": lambda n: ("if she gets a fever and a rash " * n)[:n],
}


def _cpu_seconds(text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        respond(ConversationState(), text)
        best = min(best, time.process_time() - start)
    return max(best, 1e-4)


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_hostile_messages_take_linear_time(shape: str) -> None:
    """Four times the length costs well under sixteen times the work."""
    make = SHAPES[shape]
    respond(ConversationState(), make(100))  # warm up the matchers
    ratio = _cpu_seconds(make(LONG)) / _cpu_seconds(make(SHORT))
    assert ratio < ALLOWED_RATIO < QUADRATIC_WOULD_BE, f"{shape}: x{ratio:.1f}"


def test_the_limit_is_checked_before_any_parsing() -> None:
    """Over the limit: refused at once, with the limit in the error."""
    with pytest.raises(TextTooLongError) as raised:
        clean_text("a" * (MAX_TEXT_CHARS + 1))
    assert str(MAX_TEXT_CHARS) in str(raised.value) or f"{MAX_TEXT_CHARS:,}" in str(raised.value)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("%%%%%%%%", "%%%"),
        ("wbc 3.2!!!!!!!!", "wbc 3.2!!!"),
        ("😀😀😀😀😀😀", "😀😀😀"),
        ("____________", "___"),
        ("WBC........ 3.2", "WBC... 3.2"),
        ("x10^9/L", "x10^9/L"),
    ],
)
def test_runs_of_signs_are_shortened_before_reading(typed: str, kept: str) -> None:
    """A run of one sign or emoji reads as three of them; short notation is untouched."""
    assert clean_text(typed) == kept
