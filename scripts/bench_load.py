"""Load benchmark of the whole bot through the REST channel, next to the framework's own floor.

Throughput: drives POST /webhooks/rest/webhook with 1, 10 and 50 concurrent conversations of
5, 20 and 100 realistic messages each (every client takes its conversation from the first
message to the last, so the long ones are answered deep into their history) and prints, per
level and length, answered messages per second, p50/p95/p99 latency and the failures: errors
(not HTTP 200, or no answer) and "trouble" replies (the guard's answer when a turn missed its
deadline, bot.judge.safety.TROUBLE_TEXT). The same load, round for round in the same run, goes to a
minimal `rasa init` bot (DIET + TED, trained with the same virtualenv and cached under
var/bench/baseline/ by a hash of requirements.lock), and the ratios ours/baseline are printed.
Also: the servers' CPU time per message (which other work on the machine disturbs much less
than latency), their resident memory, the start-up time to the first answer and the training
time. Figures are medians over rounds, written to results/bench-load.json.

Store (`--store`): our bot keeps its conversations in a throwaway SQLite file, as `make run`
does, or with `--store postgresql` in a throwaway PostgreSQL server on a free loopback port
(tests/production/services.py: Debian's package, run as the `postgres` user under root). With
more than one worker our bot also gets a throwaway Redis lock store; the baseline keeps its
conversations in memory either way (in SQLite with --baseline-workers above 1).

Growth (`--growth` alone, about a minute; or first in a full run, for both bots): one
conversation driven to 200 messages, one message at a time; prints the median latency and the
servers' CPU time per message for each block of 20 messages, the ratio of the last block to
the first, and the events our store keeps per user message, by type
(results/bench-load-growth.json when run alone; --growth-baseline grows the baseline's too).

    .venv/bin/python scripts/bench_load.py [--levels 1,10,50] [--lengths 5,20,100] [--rounds 1]
        [--messages-per-level N | --duration SECONDS] [--workers N] [--baseline-workers N]
        [--store sqlite|postgresql] [--skip-baseline] [--skip-training-time]
        [--growth [--growth-baseline]] [--growth-messages 200]

Only loopback traffic; every loop is bounded by a message count or a duration.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import sqlalchemy as sa

from bot.judge.safety import TROUBLE_TEXT
from tests.production.services import Postgres, Redis, ensure_installed
from tests.stack import REST_AUTH, free_port, start_stack

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "bench"
BASELINE_CACHE = WORK / "baseline"
RESULTS_FILE = ROOT / "results" / "bench-load.json"
GROWTH_FILE = ROOT / "results" / "bench-load-growth.json"
WEBHOOK = "/webhooks/rest/webhook"
REQUEST_TIMEOUT_SECONDS = 30.0
WARM_UP_MESSAGES = 40
START_TIMEOUT_SECONDS = 600.0  # the baseline took 215 s to load its model on a busy machine
QUIET = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "RASA_TELEMETRY_ENABLED": "false",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}
# Targets from the issues, for this 2-core machine.
MIN_THROUGHPUT_RATIO = 2.0
MAX_P95_MS_AT_10 = 500.0
MAX_STARTUP_SECONDS = 45.0
# Issue 15: a turn costs the same deep into a conversation (the last block of 20 messages of
# the growth run within 1.3x of the first), and at least 1.5x the baseline's throughput at 10
# and 50 concurrent conversations, of every length.
MAX_GROWTH_RATIO = 1.3
MIN_THROUGHPUT_RATIO_AT = {10: 1.5, 50: 1.5}
GROWTH_BLOCK = 20

# Conversations as people have them (from tests/test_stories.yml):
# counts with and without units, a unit given later, questions, pasted lab lines, fever with a
# low count, children, chemotherapy. Each concurrent client walks through them in turn, one
# new sender id per conversation.
CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    (
        "hi there",
        "my wbc is 3,200, is that bad?",
        "what causes a low white count?",
        "thanks a lot, that helped",
        "bye for now",
    ),
    ("my daughter's wbc came back 4.5", "she is 3", "what could cause it?"),
    ("wbc 320 is that bad", "K/uL", "could the lab have made a mistake?"),
    ("WBC 2.9 L 4.0-11.0 x10^3/uL", "what is a normal white count for a woman?"),
    ("wbc 2.9 and I have a fever",),
    (
        "My 3 year old had the flu and her WBC was 4,500, should I be concerned?",
        "how can i avoid getting sick?",
    ),
    (
        "ANC 800 on chemo, no fever",
        "will my counts go back to normal after chemo is over?",
        "what does neutropenia mean",
    ),
    (
        "my white count is 2.9",
        "oh and i have a fever of 38.6 now",
    ),
    ("wbc 3.1, no fever or chills, what does that mean", "what symptoms does a low count cause?"),
)
# The `rasa init` bot's own kind of conversations (its stories: greet, mood, did that help).
MOOD_CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("hi", "I am feeling great", "bye"),
    ("hello there", "I am sad", "yes", "goodbye"),
    ("good morning", "very sad", "no", "see you later"),
    ("hey", "are you a bot?", "great", "bye bye"),
    ("good evening", "I am unhappy", "of course", "good night"),
)


# --- driving the load ---------------------------------------------------------------------


@dataclass
class Budget:
    """How much one round may send: a number of messages, or until a deadline."""

    messages: int | None
    deadline: float | None

    def take(self) -> bool:
        """Whether one more message may be sent (and count it)."""
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return False
        if self.messages is not None:
            if self.messages <= 0:
                return False
            self.messages -= 1
        return True


@dataclass
class Round:
    """What one round at one concurrency level measured."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # answered messages only
    errors: int = 0
    trouble: int = 0
    # CPU time each server spent per message it answered (HTTP 200): less disturbed than
    # latency by other work on the machine, since time spent waiting for a core is not counted.
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        """Messages answered per second of the round."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: int) -> float:
        """Return the q-th percentile of the round's latencies, in milliseconds (nan with none)."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


def script(conversations: Sequence[Sequence[str]], start: int, length: int | None) -> list[str]:
    """Return what one conversation says.

    Conversation `start` of the list as it is (length None), or `length` messages taking the
    conversations one after another from that one.
    """
    first = conversations[start % len(conversations)]
    if length is None:
        return list(first)
    texts = [text for conversation in conversations for text in conversation]
    offset = sum(len(c) for c in conversations[: start % len(conversations)])
    return [texts[(offset + n) % len(texts)] for n in range(length)]


async def drive(
    url: str,
    conversations: Sequence[Sequence[str]],
    concurrency: int,
    budget: Budget,
    prefix: str,
    length: int | None = None,
) -> Round:
    """Run `concurrency` conversations at once, each sending its next message on the last reply.

    Each conversation is `length` messages long (None: as written in `conversations`).
    """
    result = Round()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def converse(client: int) -> None:
            for number in range(1_000_000):
                sender = f"{prefix}-{client}-{number}"
                for text in script(conversations, client + number, length):
                    if not budget.take():
                        return
                    await send(session, url, sender, text, result)

        started = time.perf_counter()
        await asyncio.gather(*(converse(client) for client in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


class Tally(Protocol):
    """Where `send` records a message: a round here, a phase of scripts/bench_reports.py."""

    latencies: list[float]
    errors: int
    trouble: int


async def send(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, result: Tally
) -> None:
    """POST one message and record its latency, or count it as an error or a trouble reply.

    An error is a status other than HTTP 200, or no reply at all.
    """
    started = time.perf_counter()
    try:
        body = {"sender": sender, "message": text}
        async with session.post(url, json=body, headers=REST_AUTH) as response:
            status = response.status
            replies = await response.json() if status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        status, replies = 0, None
    elapsed = time.perf_counter() - started
    if status != 200 or not isinstance(replies, list) or not replies:
        result.errors += 1
    elif any(isinstance(r, dict) and r.get("text") == TROUBLE_TEXT for r in replies):
        result.trouble += 1
    else:
        result.latencies.append(elapsed)


# --- the servers --------------------------------------------------------------------------


@dataclass
class Bot:
    """A running bot: where to send messages, what to say, and its processes by role."""

    name: str
    url: str
    conversations: Sequence[Sequence[str]]
    startup_seconds: float
    processes: Callable[[], dict[str, int]]  # role -> root pid, looked up when measured
    stop: Callable[[], object]
    tracker_store_url: str | None = None  # where its conversations are stored, if in SQL


def post_once(url: str, text: str) -> bool:
    """Tell whether one message got a reply.

    Used while waiting for a start: until the model is loaded, Rasa answers HTTP 200 with no reply.
    """
    body = json.dumps({"sender": "bench-start", "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json", **REST_AUTH})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            return response.status == 200 and bool(json.loads(response.read()))
    except (OSError, ValueError, urllib.error.HTTPError):
        return False


def wait_for_answer(url: str, text: str, alive: Callable[[], bool], log: Path) -> None:
    """Wait until the bot answers; exit if its server stops or the time runs out."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if post_once(url, text):
            return
        if not alive():
            raise SystemExit(f"the server stopped while starting; see {log}")
        time.sleep(0.25)
    raise SystemExit(f"no answer from {url} within {START_TIMEOUT_SECONDS:.0f} s; see {log}")


def start_ours(
    workdir: Path, workers: int, lock_store_url: str, tracker_store_url: str | None
) -> Bot:
    """Start `python -m server run` (what `make run` starts) on free ports, with a throwaway store.

    The store is `tracker_store_url`, or (None) a SQLite file in `workdir`.
    """
    started = time.perf_counter()
    stores = {"TRACKER_STORE_URL": tracker_store_url} if tracker_store_url else {}
    stack = start_stack(
        workdir,
        RATE_LIMIT_PER_MINUTE="1000000",
        SANIC_WORKERS=str(workers),
        LOCK_STORE_URL=lock_store_url,
        **stores,
    )
    url = stack.bot_url + WEBHOOK
    launcher = stack.process
    assert launcher is not None
    try:
        wait_for_answer(url, "hi", lambda: launcher.poll() is None, stack.launcher_log)
    except BaseException:
        stack.stop()
        raise
    startup = time.perf_counter() - started

    def processes() -> dict[str, int]:
        roles = {"Rasa server": ("rasa", "run"), "action server": ("server.action_server",)}
        found = {}
        for role, wanted in roles.items():
            for pid in children(launcher.pid):
                words = command_line(pid)
                if all(any(word.endswith(part) for word in words) for part in wanted):
                    found[role] = pid
        return found

    store = stack.values["TRACKER_STORE_URL"]
    return Bot("ours", url, CONVERSATIONS, startup, processes, stack.stop, store)


def start_baseline(project: Path, workdir: Path, workers: int, redis_port: int | None) -> Bot:
    """The `rasa init` bot as created (no action server, conversations in memory).

    With several workers it needs what ours needs: a Redis lock store, and a tracker store
    the workers share (SQLite), since an in-memory tracker store cannot be shared.
    """
    port = free_port()
    command = [str(BIN / "rasa"), "run", "--model", "models", "-i", "127.0.0.1", "-p", str(port)]
    env = {**os.environ, **QUIET, "SANIC_WORKERS": str(workers)}
    if redis_port is not None:
        endpoints = workdir / "baseline-endpoints.yml"
        endpoints.write_text(
            f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {redis_port}\n  db: 1\n"
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n"
            f"  db: {workdir / 'baseline-conversations.db'}\n"
        )
        command += ["--endpoints", str(endpoints)]
    log = workdir / "baseline.log"
    started = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}{WEBHOOK}"
    try:
        wait_for_answer(url, "hi", lambda: process.poll() is None, log)
    except BaseException:
        stop_group(process)
        raise
    startup = time.perf_counter() - started
    return Bot(
        "baseline",
        url,
        MOOD_CONVERSATIONS,
        startup,
        lambda: {"Rasa server": process.pid},
        lambda: stop_group(process),
    )


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL if it is still there after 20 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


# --- processes and memory -----------------------------------------------------------------


def parents() -> dict[int, int]:
    """Map the pid of every process to its parent's pid (from /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # the command name in brackets may hold spaces; the fields after it do not
            fields = stat.read_text().rsplit(")", 1)[1].split()
            found[int(stat.parent.name)] = int(fields[1])
    return found


def children(pid: int) -> list[int]:
    """Return the pids of the direct children of `pid`."""
    return [child for child, parent in parents().items() if parent == pid]


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants (Sanic's worker processes, multiprocessing helpers)."""
    links = parents()
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += [child for child, parent in links.items() if parent == current]
    return found


def command_line(pid: int) -> list[str]:
    """Return the command line of a process as its words (empty when it is gone)."""
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    return []


def memory_mb(pid: int, key: str = "VmRSS") -> float:
    """Resident memory of a process tree in MB: "VmRSS" now, or "VmHWM" (each one's peak)."""
    total = 0
    for one in tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by a process tree (from /proc/<pid>/stat)."""
    ticks = 0
    for one in tree(pid):
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def memory_of(bot: Bot) -> dict[str, dict[str, float]]:
    """Resident memory now and at its peak, in MB, of each of the bot's servers."""
    return {
        role: {"rss_mb": round(memory_mb(pid)), "peak_mb": round(memory_mb(pid, "VmHWM"))}
        for role, pid in bot.processes().items()
    }


# --- training -----------------------------------------------------------------------------


def lock_hash() -> str:
    """Return a short hash of requirements.lock: the baseline project is trained once per lock."""
    return hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()[:16]


def baseline_project(log: Path) -> tuple[Path, float]:
    """The trained `rasa init` project for this requirements.lock, and its training time.

    Made once (`rasa init --no-prompt`, which creates and trains it) and then taken from
    var/bench/baseline/<hash of requirements.lock>/.
    """
    project = BASELINE_CACHE / lock_hash()
    record = project / "bench-baseline.json"
    if record.exists():
        return project, float(json.loads(record.read_text())["training_seconds"])
    partial = project.with_name(project.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    print(f"Training the `rasa init` baseline once (log: {log}) ...", flush=True)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, **QUIET, "RASA_CACHE_DIRECTORY": cache}
        started = time.perf_counter()
        run_logged([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", "."], partial, env, log)
        seconds = time.perf_counter() - started
    if not list((partial / "models").glob("*.tar.gz")):
        raise SystemExit(f"rasa init trained no model; see {log}")
    (partial / "bench-baseline.json").write_text(json.dumps({"training_seconds": seconds}))
    shutil.rmtree(project, ignore_errors=True)
    partial.rename(project)
    return project, seconds


def training_seconds(log: Path) -> float:
    """`rasa train --force` of our model into a temporary directory, with an empty cache."""
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, **QUIET, "RASA_CACHE_DIRECTORY": str(Path(out) / "cache")}
        command = [str(BIN / "rasa"), "train", "--force", "--out", out]
        started = time.perf_counter()
        run_logged([*command, "--fixed-model-name", "bench"], ROOT, env, log)
        return time.perf_counter() - started


def run_logged(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
    """Run a command with its output appended to `log`; exit with the log's path if it fails."""
    with log.open("ab") as out:
        done = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:3])} failed ({done.returncode}); see {log}")


# --- measuring and reporting --------------------------------------------------------------


@dataclass
class Level:
    """Medians over the rounds at one concurrency level and conversation length, for one bot."""

    conversations: int
    length: int | None  # messages per conversation (None: the conversations as written)
    messages_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    answered: int
    errors: int
    trouble: int
    cpu_ms_per_message: dict[str, float]
    rounds_per_second: list[float]

    @classmethod
    def of(cls, conversations: int, length: int | None, rounds: Sequence[Round]) -> Level:
        """Return the level's medians over its rounds, with answers and failures summed."""
        return cls(
            conversations=conversations,
            length=length,
            messages_per_second=statistics.median(r.per_second for r in rounds),
            p50_ms=statistics.median(r.percentile_ms(50) for r in rounds),
            p95_ms=statistics.median(r.percentile_ms(95) for r in rounds),
            p99_ms=statistics.median(r.percentile_ms(99) for r in rounds),
            answered=sum(len(r.latencies) for r in rounds),
            errors=sum(r.errors for r in rounds),
            trouble=sum(r.trouble for r in rounds),
            cpu_ms_per_message={
                role: round(statistics.median(r.cpu_ms[role] for r in rounds), 1)
                for role in rounds[0].cpu_ms
            },
            rounds_per_second=[round(r.per_second, 2) for r in rounds],
        )


def level_key(conversations: int, length: int | None) -> str:
    """Name a load level: "10x20" is 10 concurrent conversations of 20 messages.

    "10" alone is 10 conversations as written.
    """
    return str(conversations) if length is None else f"{conversations}x{length}"


async def warm_up(bots: Sequence[Bot]) -> None:
    """Not measured: the first requests of each worker, caches, connections."""
    for bot in bots:
        budget = Budget(messages=WARM_UP_MESSAGES, deadline=None)
        await drive(bot.url, bot.conversations, 4, budget, f"{bot.name}-warm-up-{time.time_ns()}")


async def measure(bots: Sequence[Bot], args: argparse.Namespace) -> dict[str, dict[str, Level]]:
    """Every length and level, round after round, each round going to every bot in turn.

    Taking turns within a round means that a change in the machine's other load hits both
    bots alike, so the ratios stay fair on a busy machine.
    """
    found: dict[str, dict[str, list[Round]]] = {bot.name: {} for bot in bots}
    for length in args.lengths:
        for level in args.levels:
            key = level_key(level, length)
            for number in range(args.rounds):
                for bot in bots:
                    result = await one_round(bot, level, length, f"c{key}-r{number}", args)
                    found[bot.name].setdefault(key, []).append(result)
                    print(
                        f"  {bot.name:<9} {level:>3} conversations of {length or '-':>3}, "
                        f"round {number + 1}: {result.per_second:6.1f} msg/s, "
                        f"p95 {result.percentile_ms(95):6.0f} ms, "
                        f"CPU per message {_cpu_text(result.cpu_ms)}",
                        flush=True,
                    )
    shapes = {level_key(lv, ln): (lv, ln) for ln in args.lengths for lv in args.levels}
    return {
        name: {key: Level.of(*shapes[key], rounds) for key, rounds in by.items()}
        for name, by in found.items()
    }


async def one_round(
    bot: Bot, level: int, length: int | None, name: str, args: argparse.Namespace
) -> Round:
    """Run one round of `level` concurrent conversations of `length` messages.

    It also records the servers' CPU time per message. Unless told otherwise, each client has one
    whole conversation.
    """
    if args.duration is not None:
        budget = Budget(messages=None, deadline=time.perf_counter() + args.duration)
    elif args.messages_per_level is not None or length is None:
        budget = Budget(messages=args.messages_per_level or 150, deadline=None)
    else:
        budget = Budget(messages=level * length, deadline=None)
    servers = bot.processes()
    cpu_before = {role: cpu_seconds(pid) for role, pid in servers.items()}
    prefix = f"{bot.name}-{name}-{time.time_ns()}"
    result = await drive(bot.url, bot.conversations, level, budget, prefix, length)
    handled = max(1, len(result.latencies) + result.trouble)
    result.cpu_ms = {
        role: (cpu_seconds(pid) - cpu_before[role]) * 1000 / handled
        for role, pid in servers.items()
    }
    return result


# --- growth of one conversation -----------------------------------------------------------


async def grow(bot: Bot, messages: int) -> dict[str, Any]:
    """Run one conversation of `messages` messages, one at a time, to see how a turn's cost grows.

    Per block of GROWTH_BLOCK it records the median latency and the servers' CPU time per message;
    then the events stored, by type.
    """
    sender = f"{bot.name}-growth-{time.time_ns()}"
    texts = script(bot.conversations, 0, messages)
    servers = bot.processes()
    blocks: list[dict[str, Any]] = []
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for first in range(0, messages, GROWTH_BLOCK):
            chunk = texts[first : first + GROWTH_BLOCK]
            block = Round()
            cpu_before = {role: cpu_seconds(pid) for role, pid in servers.items()}
            for text in chunk:
                await send(session, bot.url, sender, text, block)
            handled = max(1, len(block.latencies) + block.trouble)
            cpu = {
                role: round((cpu_seconds(pid) - cpu_before[role]) * 1000 / handled, 1)
                for role, pid in servers.items()
            }
            blocks.append(
                {
                    "messages": f"{first + 1}-{first + len(chunk)}",
                    "median_ms": round(block.percentile_ms(50), 1),
                    "cpu_ms_per_message": cpu,
                    "errors": block.errors,
                    "trouble": block.trouble,
                }
            )
    first_ms, last_ms = blocks[0]["median_ms"], blocks[-1]["median_ms"]
    found: dict[str, Any] = {
        "messages": messages,
        "blocks": blocks,
        "last_to_first": round(last_ms / first_ms, 2) if first_ms else None,
    }
    if bot.tracker_store_url:
        events = events_by_type(bot.tracker_store_url, sender)
        users = events.get("user", 0)
        found["events_stored"] = sum(events.values())
        found["events_per_user_message"] = round(sum(events.values()) / users, 2) if users else None
        found["events_per_user_message_by_type"] = {
            kind: round(count / users, 2) for kind, count in events.items() if users
        }
    return found


def events_by_type(url: str, sender: str) -> dict[str, int]:
    """How many events of each type one conversation has stored (actions by name)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT type_name, action_name, count(*) FROM events WHERE sender_id = :s "
                    "GROUP BY type_name, action_name"
                ),
                {"s": sender},
            ).all()
    finally:
        engine.dispose()
    counts: dict[str, int] = {}
    for type_name, action_name, count in rows:
        kind = f"action {action_name}" if type_name == "action" else type_name
        counts[kind] = counts.get(kind, 0) + count
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def growth_report(growth: dict[str, dict[str, Any]]) -> str:
    """The growth table: per bot, median latency and CPU per message for each block."""
    any_bot = next(iter(growth.values()))
    labels = [block["messages"] for block in any_bot["blocks"]]
    lines = [
        f"growth: one conversation of {any_bot['messages']} messages, one at a time; per block "
        f"of {GROWTH_BLOCK} messages the median latency and the servers' CPU ms per message",
        f"{'':<16}" + "".join(f"{label:>8}" for label in labels) + f"{'last/1st':>10}",
    ]
    for name, one in growth.items():
        medians = "".join(f"{block['median_ms']:>8.0f}" for block in one["blocks"])
        lines.append(f"{name + ' ms':<16}{medians}{_times(one['last_to_first']):>10}")
        cpu = [sum(block["cpu_ms_per_message"].values()) for block in one["blocks"]]
        cpu_ratio = ratio(cpu[-1], cpu[0]) if cpu else None
        lines.append(
            f"{name + ' CPU ms':<16}"
            + "".join(f"{ms:>8.0f}" for ms in cpu)
            + _times(cpu_ratio).rjust(10)
        )
        failed = sum(block["errors"] + block["trouble"] for block in one["blocks"])
        if failed:
            lines.append(f"{name}: {failed} messages failed (errors or trouble replies)")
    for name, one in growth.items():
        if one.get("events_per_user_message") is not None:
            kinds = ", ".join(
                f"{kind} {count:.2f}"
                for kind, count in one["events_per_user_message_by_type"].items()
            )
            lines.append(
                f"{name}: {one['events_per_user_message']:.2f} events stored per user message "
                f"({one['events_stored']} in all): {kinds}"
            )
    return "\n".join(lines)


def ratio(ours: float, base: float) -> float | None:
    """Return ours / base, rounded, or None when there is no base to compare with."""
    return round(ours / base, 2) if base else None


def report(figures: dict[str, Any]) -> str:
    """The compact table printed at the end."""
    lines = [
        f"bench-load {figures['date']}  ({figures['machine']['cores']} cores, load average "
        f"{figures['machine']['load_before']} before, {figures['machine']['load_after']} after;"
        f" other work on the machine makes these figures indicative)",
    ]
    if figures["growth"]:
        lines += [growth_report(figures["growth"]), ""]
    if figures["settings"]["levels"]:
        lines += _throughput_lines(figures)
    if figures["bots"]:
        lines.append("")
    for name, bot in figures["bots"].items():
        memory = ", ".join(
            f"{role} {mb['rss_mb']:.0f} MB (peak {mb['peak_mb']:.0f})"
            for role, mb in bot["memory"].items()
        )
        lines.append(
            f"{name:<9} start-up to first answer {bot['startup_seconds']:.1f} s; "
            f"resident memory after the load: {memory}"
        )
    training = figures["training_seconds"]
    if training:
        parts = [f"{name} {seconds:.0f} s" for name, seconds in training.items()]
        lines.append("training time: " + ", ".join(parts))
    lines.append("")
    for target in figures["targets"]:
        verdict = "met" if target["met"] else "MISSED"
        lines.append(f"target {target['name']}: {target['value']} -> {verdict}")
    return "\n".join(lines)


def _throughput_lines(figures: dict[str, Any]) -> list[str]:
    settings = figures["settings"]
    lines = [
        f"{settings['rounds']} rounds per level of {settings['per_round']}, medians over rounds;"
        f" Rasa server workers: ours {settings['workers']},"
        f" baseline {settings['baseline_workers']}; our store: {settings['store']}",
        "CPU ms/msg: CPU time of the Rasa server (+ action server) per message it answered",
        "",
        f"{'bot':<10}{'conv':>5}{'len':>5}{'msg/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'answered':>10}{'errors':>8}{'trouble':>8}{'CPU ms/msg':>12}",
    ]
    for key in _keys(settings):
        for name, bot in figures["bots"].items():
            one = bot["levels"].get(key)
            if one is None:
                continue
            lines.append(
                f"{name:<10}{one['conversations']:>5}{one['length'] or '-':>5}"
                f"{one['messages_per_second']:>8.1f}{one['p50_ms']:>8.0f}"
                f"{one['p95_ms']:>8.0f}{one['p99_ms']:>8.0f}{one['answered']:>10}"
                f"{one['errors']:>8}{one['trouble']:>8}"
                f"{'+'.join(f'{ms:.0f}' for ms in one['cpu_ms_per_message'].values()):>12}"
            )
        if key in figures["ratios"]:
            r = figures["ratios"][key]
            lines.append(
                f"{'ours/base':<20}{_times(r['throughput']):>8}{'':>8}"
                f"{_times(r['p95']):>8}{'':>34}{_times(r['cpu']):>12}"
            )
    return lines


def _keys(settings: dict[str, Any]) -> list[str]:
    return [level_key(lv, ln) for ln in settings["lengths"] for lv in settings["levels"]]


def _cpu_text(cpu_ms: dict[str, float]) -> str:
    return ", ".join(f"{role} {ms:.1f} ms" for role, ms in cpu_ms.items())


def _times(value: float | None) -> str:
    return "-" if value is None else f"x{value:.2f}"


def targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The issues' targets, each with the measured value and whether it was met."""
    found = []
    growth = figures["growth"].get("ours")
    if growth and growth["last_to_first"] is not None:
        found.append(
            {
                "name": f"latency at messages {growth['blocks'][-1]['messages']} within "
                f"{MAX_GROWTH_RATIO}x of {growth['blocks'][0]['messages']}",
                "value": _times(growth["last_to_first"]),
                "met": growth["last_to_first"] <= MAX_GROWTH_RATIO,
            }
        )
    if "ours" not in figures["bots"] or not figures["settings"]["levels"]:
        return found
    ours = figures["bots"]["ours"]
    throughput = [r["throughput"] for r in figures["ratios"].values() if r["throughput"]]
    if throughput:
        found.append(
            {
                "name": f"throughput >= {MIN_THROUGHPUT_RATIO:.0f}x baseline at every level",
                "value": "lowest " + _times(min(throughput)),
                "met": min(throughput) >= MIN_THROUGHPUT_RATIO,
            }
        )
    for level, least in MIN_THROUGHPUT_RATIO_AT.items():
        at_level = [
            r["throughput"]
            for key, r in figures["ratios"].items()
            if key.split("x")[0] == str(level) and r["throughput"]
        ]
        if at_level:
            found.append(
                {
                    "name": f"throughput >= {least}x baseline at {level} conversations",
                    "value": "lowest " + _times(min(at_level)),
                    "met": min(at_level) >= least,
                }
            )
    at_10 = [one for one in ours["levels"].values() if one["conversations"] == 10]
    if at_10:
        p95 = max(one["p95_ms"] for one in at_10)
        found.append(
            {
                "name": f"p95 at 10 conversations < {MAX_P95_MS_AT_10:.0f} ms",
                "value": f"{p95:.0f} ms (highest over lengths)",
                "met": p95 < MAX_P95_MS_AT_10,
            }
        )
    found.append(
        {
            "name": f"start-up < {MAX_STARTUP_SECONDS:.0f} s",
            "value": f"{ours['startup_seconds']:.1f} s",
            "met": ours["startup_seconds"] < MAX_STARTUP_SECONDS,
        }
    )
    return found


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line: levels, lengths, rounds, workers, the store and what to skip."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--levels", default="1,10,50", help="concurrent conversations, e.g. 1,10")
    parser.add_argument(
        "--lengths",
        default="5,20,100",
        help="messages per conversation, e.g. 5,20,100 (0: the conversations as written)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="rounds per level (median taken)")
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument(
        "--messages-per-level",
        type=int,
        help="messages per round (default: one whole conversation per client)",
    )
    amount.add_argument("--duration", type=float, help="seconds per round instead of a count")
    parser.add_argument("--workers", type=int, default=1, help="Rasa server worker processes")
    parser.add_argument(
        "--baseline-workers",
        type=int,
        default=1,
        help="worker processes of the baseline (default 1: rasa init's bot as it comes)",
    )
    parser.add_argument(
        "--store",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="our bot's tracker store: a throwaway SQLite file or PostgreSQL server",
    )
    parser.add_argument("--skip-baseline", action="store_true", help="only our bot")
    parser.add_argument("--skip-training-time", action="store_true", help="do not time training")
    parser.add_argument(
        "--growth", action="store_true", help="only the growth of one long conversation"
    )
    parser.add_argument(
        "--growth-messages", type=int, default=200, help="messages of the growth conversation"
    )
    parser.add_argument(
        "--growth-baseline",
        action="store_true",
        help="with --growth, grow a baseline conversation too (its start-up takes minutes)",
    )
    parser.add_argument("--output", type=Path, help="JSON figures (default under results/)")
    args = parser.parse_args(argv)
    args.levels = _numbers(args.levels)
    args.lengths = [length or None for length in _numbers(args.lengths)]
    if not args.levels or not args.lengths:
        parser.error("give at least one level and one length")
    if min(args.levels) < 1 or args.rounds < 1 or min(args.workers, args.baseline_workers) < 1:
        parser.error("levels, rounds and workers must be at least 1")
    if args.growth_messages < GROWTH_BLOCK:
        parser.error(f"--growth-messages must be at least {GROWTH_BLOCK}")
    if args.output is None:
        args.output = GROWTH_FILE if args.growth else RESULTS_FILE
    if args.growth:
        args.levels = []  # no throughput run
        args.skip_training_time = True
        args.skip_baseline = args.skip_baseline or not args.growth_baseline
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print its table and write the figures to results/."""
    args = parse_arguments(argv)
    run_dir = WORK / "last-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    load_before = round(os.getloadavg()[0], 2)
    base_training = None
    if not args.skip_baseline:
        project, base_training = baseline_project(run_dir / "baseline-training.log")
    bots: list[Bot] = []
    with contextlib.ExitStack() as cleanup:
        redis_port, lock_url, tracker_url = None, "", None
        if args.store == "postgresql" or max(args.workers, args.baseline_workers) > 1:
            ensure_installed()
        if max(args.workers, args.baseline_workers) > 1:
            redis_lock = Redis().start()
            cleanup.callback(redis_lock.cleanup)
            redis_port = redis_lock.port
            lock_url = redis_lock.url if args.workers > 1 else ""
        if args.store == "postgresql":
            print("Starting a throwaway PostgreSQL ...", flush=True)
            postgres = Postgres().setup()
            cleanup.callback(postgres.cleanup)
            tracker_url = postgres.url
        print(f"Starting our bot (logs in {run_dir}) ...", flush=True)
        bots.append(start_ours(run_dir / "ours", args.workers, lock_url, tracker_url))
        cleanup.callback(bots[-1].stop)
        if not args.skip_baseline:
            print("Starting the baseline bot ...", flush=True)
            base_redis = redis_port if args.baseline_workers > 1 else None
            bots.append(start_baseline(project, run_dir, args.baseline_workers, base_redis))
            cleanup.callback(bots[-1].stop)
        asyncio.run(warm_up(bots))
        growth = {}
        for bot in bots:
            print(f"Growth: {bot.name}, one conversation of {args.growth_messages} ...", flush=True)
            growth[bot.name] = asyncio.run(grow(bot, args.growth_messages))
        levels = asyncio.run(measure(bots, args)) if args.levels else {}
        memory = {bot.name: memory_of(bot) for bot in bots}
    training = {}
    if not args.skip_training_time:
        print("Timing rasa train --force of our model ...", flush=True)
        training["ours"] = round(training_seconds(run_dir / "training.log"), 1)
    if base_training is not None and args.levels:
        training["baseline (rasa init, cached)"] = round(base_training, 1)
    figures: dict[str, Any] = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "load_before": load_before,
            "load_after": round(os.getloadavg()[0], 2),
        },
        "settings": {
            "levels": args.levels,
            "lengths": args.lengths,
            "rounds": args.rounds,
            "per_round": f"{args.duration} s"
            if args.duration
            else f"{args.messages_per_level} messages"
            if args.messages_per_level
            else "one whole conversation per client",
            "workers": args.workers,
            "baseline_workers": args.baseline_workers,
            "store": args.store,
            "growth_messages": args.growth_messages,
        },
        "growth": growth,
        "bots": {
            bot.name: {
                "startup_seconds": round(bot.startup_seconds, 1),
                "memory": memory[bot.name],
                "levels": {key: asdict(one) for key, one in levels.get(bot.name, {}).items()},
            }
            for bot in bots
        },
        "ratios": {},
        "training_seconds": training,
    }
    if "baseline" in levels:
        for key in _keys(figures["settings"]):
            ours, base = levels["ours"][key], levels["baseline"][key]
            figures["ratios"][key] = {
                "throughput": ratio(ours.messages_per_second, base.messages_per_second),
                "p95": ratio(ours.p95_ms, base.p95_ms),
                "cpu": ratio(
                    sum(ours.cpu_ms_per_message.values()), sum(base.cpu_ms_per_message.values())
                ),
            }
    figures["targets"] = targets(figures)
    print()
    print(report(figures))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nFigures written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
