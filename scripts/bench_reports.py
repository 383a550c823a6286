"""Typed messages while lab reports are read (issue 13): does OCR slow other conversations?

Starts the real bot (tests/stack.py `start_stack`, what `make run` starts) on free loopback
ports and measures, in two phases of the same run, the latency of typed messages through
REST (POST /webhooks/rest/webhook): `--conversations` concurrent conversations, each sending
`--messages` short messages one after another, the next on the last reply.

  A. baseline: typed messages only;
  B. the same, while `--reports` report photos (tests/reports/test_read.py `drawn_page`) are
     read at the same time, again and again, for the whole phase, through the widget's upload
     route POST /webhooks/socketio/report (each from a Socket.IO client that joined its
     session, as the widget does; the route answers HTTP 200 once the report was read and
     answered into the chat, so its time is the report's).

Per phase: median and p95 of typed messages, messages answered, trouble replies
(bot.judge.safety.TROUBLE_TEXT), errors (not HTTP 200 or no answer), reports answered and their
median time, with the machine's load average.

    .venv/bin/python scripts/bench_reports.py [--conversations 10] [--messages 15]
        [--reports 5] [--runs 1]

Only loopback traffic; every loop is bounded by a count or a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from channels.widget_reports import SESSION_HEADER
from scripts.bench_load import send
from tests.production.chat_clients import SocketChat
from tests.reports.test_read import drawn_page
from tests.stack import Stack, start_stack

WEBHOOK = "/webhooks/rest/webhook"
REPORT_ROUTE = "/webhooks/socketio/report"
REQUEST_TIMEOUT_SECONDS = 30.0
REPORT_TIMEOUT_SECONDS = 120.0
PHASE_LIMIT_SECONDS = 600.0  # a phase stops sending after this, whatever is left
WARM_UP_MESSAGES = 10
# Short things people type about their count, one conversation walks through them in turn.
MESSAGES = (
    "hi",
    "my wbc is 3.2",
    "is that bad?",
    "what causes a low white count?",
    "wbc 2.9 and I have a fever",
    "ANC 800 on chemo, no fever",
    "what does neutropenia mean",
    "my daughter's wbc came back 4.5",
    "she is 3",
    "WBC 2.9 L 4.0-11.0 x10^3/uL",
    "wbc 320 is that bad",
    "K/uL",
    "how can i avoid getting sick?",
    "thanks, that helped",
    "bye",
)


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # answered typed messages
    trouble: int = 0
    errors: int = 0
    report_seconds: list[float] = field(default_factory=list)  # reports answered (HTTP 200)
    report_errors: int = 0
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def line(self) -> str:
        """Return the phase's figures as one printed line."""

        def ms(values: list[float], q: int | None = None) -> str:
            if not values:
                return "-"
            if q is None or len(values) < 2:
                return f"{statistics.median(values) * 1000:.0f} ms"
            return f"{statistics.quantiles(values, n=100, method='inclusive')[q - 1] * 1000:.0f} ms"

        reports = (
            f"reports answered {len(self.report_seconds)} (median {ms(self.report_seconds)}, "
            f"errors {self.report_errors})"
            if self.name.startswith("B")
            else "no reports"
        )
        return (
            f"{self.name}: typed median {ms(self.latencies)}, p95 {ms(self.latencies, 95)}; "
            f"answered {len(self.latencies)}, trouble {self.trouble}, errors {self.errors}; "
            f"{reports}; {self.seconds:.0f} s; load {' '.join(f'{x:.2f}' for x in self.load)}"
        )


async def type_messages(
    stack: Stack, phase: Phase, conversations: int, messages: int, deadline: float
) -> None:
    """`conversations` REST conversations at once, each `messages` long (bounded by both)."""
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:

        async def converse(client: int) -> None:
            sender = f"bench-{phase.name.split()[0]}-{client}"
            for number in range(messages):
                if time.monotonic() >= deadline:
                    return
                text = MESSAGES[(client + number) % len(MESSAGES)]
                await send(http, stack.bot_url + WEBHOOK, sender, text, phase)

        await asyncio.gather(*(converse(client) for client in range(conversations)))


async def read_reports(
    stack: Stack, phase: Phase, session: str, page: bytes, stop: asyncio.Event, deadline: float
) -> None:
    """Post the report page again and again from one joined widget session until `stop`."""
    origin = stack.page_url.rstrip("/")
    timeout = aiohttp.ClientTimeout(total=REPORT_TIMEOUT_SECONDS)
    async with SocketChat(stack.bot_url, origin, session) as chat, aiohttp.ClientSession() as http:
        # The session the server signed for this socket (channels/identity.py).
        headers = {SESSION_HEADER: chat.session_id, "Origin": origin, "Content-Type": "image/png"}
        while not stop.is_set() and time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                async with http.post(
                    stack.bot_url + REPORT_ROUTE, data=page, headers=headers, timeout=timeout
                ) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                status = 0
            if status == 200:
                phase.report_seconds.append(time.perf_counter() - started)
            else:
                phase.report_errors += 1
                await asyncio.sleep(1.0)


async def run_phase(
    stack: Stack, name: str, args: argparse.Namespace, reports: int, run: int
) -> Phase:
    """Type messages from concurrent conversations while `reports` reports are read; measure it."""
    phase = Phase(name)
    deadline = time.monotonic() + PHASE_LIMIT_SECONDS
    page = drawn_page()
    stop = asyncio.Event()
    readers = [
        asyncio.create_task(
            read_reports(stack, phase, f"bench-report-{run}-{n}", page, stop, deadline)
        )
        for n in range(reports)
    ]
    if readers:
        await asyncio.sleep(2.0)  # let the readers join and the first reports start
    started = time.perf_counter()
    await type_messages(stack, phase, args.conversations, args.messages, deadline)
    phase.seconds = time.perf_counter() - started
    stop.set()
    for outcome in await asyncio.gather(*readers, return_exceptions=True):
        if isinstance(outcome, BaseException):
            print(f"  a report reader failed: {outcome!r}", flush=True)
    phase.load = os.getloadavg()
    return phase


async def measure(stack: Stack, args: argparse.Namespace, run: int) -> list[Phase]:
    """Warm the bot up, then run phase A (no reports) and phase B (reports read meanwhile)."""
    warm = Phase("warm-up")
    await type_messages(stack, warm, 2, WARM_UP_MESSAGES // 2, time.monotonic() + 120)
    return [
        await run_phase(stack, f"A{run} baseline", args, 0, run),
        await run_phase(stack, f"B{run} {args.reports} reports read", args, args.reports, run),
    ]


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line: conversations, messages, reports at once and runs, each at least 1."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--messages", type=int, default=15, help="per conversation")
    parser.add_argument("--reports", type=int, default=5, help="reports read at once in B")
    parser.add_argument("--runs", type=int, default=1, help="A then B, this many times")
    args = parser.parse_args(argv)
    if min(args.conversations, args.messages, args.reports, args.runs) < 1:
        parser.error("every count must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Start the bot, run the phases and print one line per phase."""
    args = parse_arguments(argv)
    print(f"cores {os.cpu_count()}, load before {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as workdir:
        print("Starting the bot ...", flush=True)
        stack = start_stack(Path(workdir), RATE_LIMIT_PER_MINUTE="1000000")
        with contextlib.ExitStack() as cleanup:
            cleanup.callback(stack.stop)
            for run in range(1, args.runs + 1):
                for phase in asyncio.run(measure(stack, args, run)):
                    print(phase.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
