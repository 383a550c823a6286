"""Time the reading of hostile messages as they grow (docs/performance.md).

Work per message must grow linearly with its length, so one long message cannot stall everyone else.

For each shape (runs of each punctuation character, emoji, digits, "wbc 1 " repeated, spaces, a
mixed run, a normal-looking text) and each length, times the core's whole reading of a message
(bot.reply.dialogue.respond: parse, interpret, reply) and the question classifier's sentence
splitter, and prints the median of a few runs and the ratio to the previous length (about 2 when
the length doubles and the work is linear; 4 would be quadratic). Lengths go up to the bot's own
limit (bot.read.parse.MAX_TEXT_CHARS), checked before any parsing.

    .venv/bin/python scripts/bench_adversarial.py [--runs 3] [--max 4000]
"""

from __future__ import annotations

import argparse
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.judge.conversation import ConversationState  # noqa: E402
from bot.read.parse import MAX_TEXT_CHARS  # noqa: E402
from bot.reply.dialogue import respond  # noqa: E402
from components.question_classifier import sentences  # noqa: E402

NORMAL = (
    "My GP rang about my bloods, wbc 3.2 and neutrophils 40%, temp 37.9 last night, "
    "no fever today but I feel tired and I'm on chemo, is that low? "
)


def shapes() -> dict[str, Callable[[int], str]]:
    """Each hostile shape as a function of length."""
    found: dict[str, Callable[[int], str]] = {}
    for char in string.punctuation:
        found[f"run of {char!r}"] = lambda n, c=char: c * n
    found["emoji"] = lambda n: "😀" * n
    found["digits"] = lambda n: "1" * n
    found["'wbc 1 ' repeated"] = lambda n: ("wbc 1 " * (n // 6 + 1))[:n]
    found["spaces"] = lambda n: "wbc" + " " * (n - 6) + "3.2"
    found["mixed run"] = lambda n: ("%,😀.!?-" * (n // 7 + 1))[:n]
    found["normal-looking text"] = lambda n: (NORMAL * (n // len(NORMAL) + 1))[:n]
    return found


def median_seconds(work: Callable[[], object], runs: int) -> float:
    """Run `work` `runs` times; return the median wall-clock time, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Print the table of timings per shape and length, and the worst growth ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max", type=int, default=MAX_TEXT_CHARS)
    args = parser.parse_args(argv)
    lengths = []
    length = 500
    while length <= args.max:
        lengths.append(length)
        length *= 2
    respond(ConversationState(), "warm up: wbc 3.2")
    print(f"median of {args.runs} runs, ms; x = ratio to the previous length (linear: ~2)")
    print("shape | " + " | ".join(f"{n} chars" for n in lengths) + " | worst x")
    worst_overall = 0.0
    for name, make in shapes().items():
        cells, previous, worst = [], None, 0.0
        for n in lengths:
            text = make(n)
            seconds = median_seconds(lambda t=text: respond(ConversationState(), t), args.runs)
            seconds += median_seconds(lambda t=text: sentences(t), args.runs)
            ratio = seconds / previous if previous else None
            if ratio is not None and seconds > 0.005:  # below 5 ms the clock decides
                worst = max(worst, ratio)
            cells.append(f"{seconds * 1000:.1f}" + (f" (x{ratio:.1f})" if ratio else ""))
            previous = seconds
        worst_overall = max(worst_overall, worst)
        print(f"{name} | " + " | ".join(cells) + f" | {worst:.1f}")
    print(f"worst ratio per doubling: x{worst_overall:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
