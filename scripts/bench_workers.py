"""Throughput of the bot with 1, 2, 3 ... Rasa server workers (SANIC_WORKERS).

It runs on PostgreSQL and Redis as in production, and measures the CPU time each part spends
per message.

For each worker count it starts the bot as `make run` does (`python -m server run`) with a
throwaway PostgreSQL tracker store and Redis lock store (tests/production/services.py), warms
every worker up, then sends a fixed number of messages from concurrent conversations
(scripts/bench_load.py's realistic conversations). Each message goes on a new connection, as
from many different people, so the kernel spreads them over the workers (a few kept-alive
connections would each stay on one worker). It prints answered messages per second, median and
p95 latency, trouble replies and errors, the CPU milliseconds per message of the Rasa server,
the action server and PostgreSQL, and the Rasa server's memory.

    .venv/bin/python scripts/bench_workers.py [--workers 1,2,3] [--concurrency 16]
        [--messages 300] [--rounds 3]

Only loopback traffic; every round is bounded by its message count.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from scripts.bench_load import (
    CONVERSATIONS,
    REQUEST_TIMEOUT_SECONDS,
    WEBHOOK,
    Round,
    children,
    command_line,
    cpu_seconds,
    memory_mb,
    send,
)
from tests.production.services import Postgres, Redis, ensure_installed
from tests.stack import Stack, start_stack


async def drive(url: str, concurrency: int, messages: int, prefix: str) -> Round:
    """`concurrency` conversations at once until `messages` messages have been answered."""
    result, left = Round(), [messages]
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(force_close=True)  # a new connection per message
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def converse(client: int) -> None:
            for number in range(messages):
                conversation = CONVERSATIONS[(client + number) % len(CONVERSATIONS)]
                for text in conversation:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                    await send(session, url, f"{prefix}-{client}-{number}", text, result)

        started = time.perf_counter()
        await asyncio.gather(*(converse(client) for client in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


def server_pids(stack: Stack, postgres: Postgres) -> dict[str, int]:
    """The root process of each part whose CPU time is measured."""
    assert stack.process is not None and postgres.process is not None
    found = {"PostgreSQL": postgres.process.pid}
    for pid in children(stack.process.pid):
        words = command_line(pid)
        if any(w.endswith("rasa") for w in words) and "run" in words:
            found["Rasa"] = pid
        elif "server.action_server" in words:
            found["actions"] = pid
    return found


def cpu_ms_per_message(
    pids: dict[str, int], rounds: Callable[[], list[Round]]
) -> tuple[list[Round], dict[str, float]]:
    """Run `rounds` and measure the CPU time each part spent per answered message."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    done = rounds()
    answered = sum(len(r.latencies) for r in done) or 1
    return done, {
        name: (cpu_seconds(pid) - before[name]) * 1000 / answered for name, pid in pids.items()
    }


def measure_one(workers: int, args: argparse.Namespace) -> str:
    """Start the bot with `workers` workers, load it, stop it; one line of the table."""
    postgres, redis = Postgres().setup(), Redis().start()
    try:
        stack = start_stack(
            Path(tempfile.mkdtemp(prefix=f"bench-workers-{workers}-")),
            TRACKER_STORE_URL=postgres.url,
            LOCK_STORE_URL=redis.url,
            SANIC_WORKERS=str(workers),
            RATE_LIMIT_PER_MINUTE="1000000",
        )
        try:
            url = stack.bot_url + WEBHOOK
            asyncio.run(drive(url, args.concurrency, 8 * args.concurrency, "warm-up"))
            rounds, cpu = cpu_ms_per_message(
                server_pids(stack, postgres),
                lambda: [
                    asyncio.run(drive(url, args.concurrency, args.messages, f"round-{n}"))
                    for n in range(args.rounds)
                ],
            )
            memory = memory_mb(server_pids(stack, postgres)["Rasa"])
        finally:
            stack.stop()
    finally:
        redis.cleanup()
        postgres.cleanup()
    latencies = [t for r in rounds for t in r.latencies]
    p50, p95 = (statistics.quantiles(latencies, n=100)[q - 1] * 1000 for q in (50, 95))
    per_second = statistics.median(r.per_second for r in rounds)
    trouble, errors = sum(r.trouble for r in rounds), sum(r.errors for r in rounds)
    return (
        f"{workers:>7}{per_second:>8.1f}{p50:>8.0f}{p95:>8.0f}{trouble:>8}{errors:>7}"
        f"{cpu['Rasa']:>8.1f}{cpu['actions']:>9.1f}{cpu['PostgreSQL']:>7.1f}{memory:>9.0f}"
    )


def main() -> int:
    """Print one line of throughput, latency and CPU per message for each number of workers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,3", help="worker counts to compare")
    parser.add_argument("--concurrency", type=int, default=16, help="conversations at once")
    parser.add_argument("--messages", type=int, default=300, help="messages per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ensure_installed()
    print("                                          CPU ms per message")
    print(f"{'workers':>7}{'msg/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'trouble':>8}{'errors':>7}"
          f"{'Rasa':>8}{'actions':>9}{'PgSQL':>7}{'Rasa MB':>9}")  # fmt: skip
    for workers in (int(n) for n in args.workers.split(",")):
        print(measure_one(workers, args), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
