"""Benchmark of the range picture (docs/range-picture.md): median time to draw one picture.

It times each renderer and measures the PNG's size, next to a baseline measured in the same
run: writing the reading's sentence alone (the picture's model and its one sentence, no
drawing). Target: under 20 ms per picture. The PNG is timed twice: as drawn in a running server
(its band words and limits drawn before), and as the first picture of a process.

Each round draws the pictures of a low, a normal, a high and a critically low reading, and of a
reading with earlier counts; the median over rounds is printed per picture.

    .venv/bin/python scripts/bench_range_picture.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

for _backend in ("tensorflow", "torch", "cupy", "mxnet"):  # thinc probes for these; not needed
    sys.modules.setdefault(_backend, None)  # type: ignore[arg-type]

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bot import interpret_text  # noqa: E402
from bot.model import Interpretation  # noqa: E402
from bot.reply.range_picture import (  # noqa: E402
    RangePicture,
    picture_of,
    png,
    render_png,
    render_svg,
    render_text_bar,
)

TARGET_MS = 20.0
READINGS = {
    "low": ("my wbc is 3.2", ()),
    "normal": ("my wbc is 7.1", ()),
    "high": ("my wbc is 14.2", ()),
    "critically low ANC": ("anc 0.3", ()),
    "low, 3 earlier counts": ("my wbc is 3.2", (7400.0, 6200.0, 5100.0)),
}


def pictures() -> dict[str, tuple[Interpretation, RangePicture]]:
    """Return the interpretation and the picture of each reading timed, by name."""
    drawn = {}
    for name, (text, earlier) in READINGS.items():
        interpretation = interpret_text(text)
        picture = picture_of(interpretation.findings[0], None, earlier)
        assert picture is not None
        drawn[name] = (interpretation, picture)
    return drawn


def _cold_png(picture: RangePicture) -> bytes:
    """Draw a PNG as the first one of a process: no word or number drawn before.

    The PNG renderer keeps each text it drew, as the band words and limits recur in every picture.
    """
    png._lettering.cache_clear()
    return render_png(picture)


def median_ms(work: Callable[[], object], rounds: int) -> float:
    """The median of `rounds` timings of `work`, in milliseconds (after one warm-up call)."""
    work()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    """Print the median drawing times and the PNGs' sizes; fail over the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="timings per renderer (200)")
    args = parser.parse_args()
    drawn = pictures()
    renderers: dict[str, Callable[[tuple[Interpretation, RangePicture]], object]] = {
        "baseline: model and sentence": lambda pair: picture_of(
            pair[0].findings[0], None, pair[1].earlier
        ),
        "text bar (terminal)": lambda pair: render_text_bar(pair[1]),
        "SVG (widget)": lambda pair: render_svg(pair[1]),
        "PNG (Telegram)": lambda pair: render_png(pair[1]),
        "PNG, no text drawn before": lambda pair: _cold_png(pair[1]),
    }
    print(f"Median time to draw one picture, {args.rounds} rounds each (target < {TARGET_MS:g} ms)")
    header = f"{'renderer':30}" + "".join(f"{name[:22]:>24}" for name in drawn)
    print(header)
    slowest = 0.0
    for renderer, draw in renderers.items():
        row = f"{renderer:30}"
        for pair in drawn.values():
            ms = median_ms(lambda pair=pair, draw=draw: draw(pair), args.rounds)  # type: ignore[misc]
            slowest = max(slowest, ms) if not renderer.startswith("baseline") else slowest
            row += f"{ms:21.3f} ms"
        print(row)
    sizes = "".join(f"{len(render_png(pair[1])):>18,} bytes" for pair in drawn.values())
    print(f"{'PNG size':30}{sizes}")
    svg = "".join(f"{len(render_svg(pair[1]).encode()):>18,} bytes" for pair in drawn.values())
    print(f"{'SVG size':30}{svg}")
    verdict = "within" if slowest < TARGET_MS else "OVER"
    print(f"Slowest renderer: {slowest:.2f} ms per picture, {verdict} the {TARGET_MS:g} ms target.")
    return 0 if slowest < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
