"""Start the bot's servers together and stop them together (`make run`, `make shell`).

`run` starts the action server, the Rasa server (REST, Socket.IO and Telegram channels) and the
demo web page, waits until each answers, prints the URLs and then waits for Ctrl-C or SIGTERM.
A server that dies is started again (the Rasa server keeps answering meanwhile, with a short
"trouble" reply when the action server is gone). On the way out it stops every server it
started (whole process groups, so Sanic's worker processes go too): SIGTERM, then SIGKILL after
STOP_TIMEOUT_SECONDS or as soon as a second Ctrl-C or SIGTERM comes. It returns only once every
process it started is gone. It needs no terminal.

The signal handler only records the signal (see StopSignals); the main loop does the rest.

`shell` talks to the bot in the terminal as `rasa shell` does, with the terminal channel of
channels/shell.py (which also takes `/report PATH`), using the action server of a running
`make run` when there is one.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from server import settings, web

ROOT = settings.ROOT
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "wbc.tar.gz"
# Both servers log through server/privacy.py's redaction (hashed senders, no message text).
LOGGING_CONFIG = ROOT / "server" / "logging.yml"
START_TIMEOUT_SECONDS = 120.0
# How long the servers get to stop after SIGTERM (the Rasa server takes about 3 s) before
# SIGKILL: well within the 10 s a service manager or test gives the whole stop.
STOP_TIMEOUT_SECONDS = 6.0
# How often the main loop looks at the servers (a stop signal wakes it at once).
POLL_SECONDS = 0.5
# A server that dies is started again, unless they died this often within the window.
MAX_RESTARTS = 5
RESTART_WINDOW_SECONDS = 60.0


@dataclass
class Server:
    """A child process we started, the URL that says it is ready, and its log file."""

    name: str
    command: Sequence[str]
    ready_url: str
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    extra_env: Mapping[str, str] = field(default_factory=dict)  # this server's own variables

    def start(self, env: Mapping[str, str]) -> None:
        """Start the command in its own process group, appending its output and errors to `log`.

        It runs in ROOT with `env` plus `extra_env` and no stdin. Its own group lets
        `stop_servers` signal it together with its worker processes.
        """
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                list(self.command),
                cwd=ROOT,
                env={**env, **self.extra_env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole
            )

    def alive(self) -> bool:
        """Whether the process was started and has not exited (reaping it if it has)."""
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        """Whether it answers on its ready URL."""
        return answers(self.ready_url)

    def log_tail(self, lines: int = 30) -> str:
        """The last `lines` lines of the log, to show why a server stopped; "" if there is none."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def answers(url: str) -> bool:
    """Whether an HTTP GET of `url` succeeds within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def action_server(values: Mapping[str, str]) -> Server:
    """The action server (server/action_server.py) as the settings `values` configure it.

    It listens on ACTIONS_PORT, logs at LOG_LEVEL to LOG_DIR/actions.log, and is ready when its
    /health URL answers.
    """
    port = values["ACTIONS_PORT"]
    return Server(
        "action server",
        [
            sys.executable,
            "-m",
            "server.action_server",
            "--port",
            port,
            "--logging-config_file",  # sic: rasa_sdk spells it with an underscore
            str(LOGGING_CONFIG),
            *_sdk_log_level(values["LOG_LEVEL"]),
        ],
        f"http://{_loopback(values)}:{port}/health",
        Path(values["LOG_DIR"]) / "actions.log",
    )


def _sdk_log_level(level: str) -> list[str]:
    """rasa_sdk's flag for LOG_LEVEL (it reads no environment variable; Rasa reads LOG_LEVEL)."""
    return {"DEBUG": ["--debug"], "INFO": []}.get(level.upper(), ["--quiet"])


def rasa_server(values: Mapping[str, str]) -> Server:
    """The Rasa server with the trained model and our channels, as the settings `values` say.

    It runs through server.rasa_run (our changes to Rasa, the API token from the environment),
    listens on BOT_HOST and RASA_PORT, logs to LOG_DIR/rasa.log, and is ready when the REST
    channel answers.
    """
    port = values["RASA_PORT"]
    # server.rasa_run is `rasa` reading RASA_API_TOKEN from the environment (which it gets with
    # the other settings): on the command line, every user of the machine could read it.
    command = [
        str(BIN / "python"),
        "-m",
        "server.rasa_run",
        "run",
        "--model",
        str(MODEL),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        "--interface",
        values["BOT_HOST"],
        "--port",
        port,
        "--logging-config-file",
        str(LOGGING_CONFIG),
        "--cors",
        *values["CORS_ORIGINS"].split(),
    ]
    return Server(
        "Rasa server",
        command,
        f"http://{_loopback(values)}:{port}/webhooks/rest/",
        Path(values["LOG_DIR"]) / "rasa.log",
    )


def _loopback(values: Mapping[str, str]) -> str:
    host = values["BOT_HOST"]
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host


def wait_until_ready(servers: Sequence[Server], signals: StopSignals) -> bool:
    """Wait until every server answers on its ready URL, and return whether they all do.

    False if a stop signal comes, or (with its log) if one dies or times out.
    """
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    pending = list(servers)
    while pending and not signals.count:
        for server in list(pending):
            if not server.alive():
                print(f"The {server.name} stopped while starting; the end of {server.log}:")
                print(server.log_tail(), flush=True)
                return False
            if server.ready():
                pending.remove(server)
        if time.monotonic() > deadline:
            names = ", ".join(server.name for server in pending)
            print(f"Not ready after {START_TIMEOUT_SECONDS:.0f} s: {names}; see the logs")
            return False
        if pending:
            signals.wait(0.25)
    return not pending and not signals.count


def run(environ: Mapping[str, str]) -> int:
    """`make run`: every server, until Ctrl-C, SIGTERM or a server dies."""
    signals = StopSignals().install()  # first: from here on a signal never ends us abruptly
    env = settings.environment(environ)
    values = settings.resolve(environ)
    if values["SANIC_WORKERS"] != "1" and not values["LOCK_STORE_URL"]:
        print("SANIC_WORKERS above 1 needs a shared lock store: set LOCK_STORE_URL=redis://...")
        return 2
    if values["SANIC_WORKERS"] != "1":
        print(
            "Note: with SANIC_WORKERS above 1 the web widget's Socket.IO connections can fail "
            "(its long-polling needs one process); serve the widget from one-worker servers "
            "behind a sticky load balancer (README, Running at scale)."
        )
    servers = [action_server(values), rasa_server(values)]
    page = web.DemoPage(values)

    def on_ready() -> None:
        page.start()
        print(
            f"Ready.\n"
            f"  chat widget demo page:  {page.url}\n"
            f"  REST channel:           {_rest_state(values)}\n"
            f"  Socket.IO channel:      {values['PUBLIC_BOT_URL']}/socket.io\n"
            f"  FHIR interpretation:    "
            f"{values['PUBLIC_BOT_URL']}/webhooks/fhir/Observation/$interpret\n"
            f"  Telegram webhook:       {_telegram_state(values)}\n"
            f"  action server:          {values['ACTION_SERVER_URL']}\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )

    print(f"Starting the servers (logs in {values['LOG_DIR']}) ...", flush=True)
    return serve(servers, env, signals, on_ready, page.stop)


def serve(
    servers: Sequence[Server],
    env: Mapping[str, str],
    signals: StopSignals,
    on_ready: Callable[[], None],
    on_stop: Callable[[], None],
) -> int:
    """Start the servers, call `on_ready`, and keep them running until a stop signal or a failure.

    Returns 0 after a stop signal and 1 after a failure; then, whatever happened before, it
    calls `on_stop` and stops every server.
    """
    try:
        for server in servers:
            if signals.count:
                return 0
            server.start(env)
        if not wait_until_ready(servers, signals):
            return 0 if signals.count else 1
        on_ready()
        return supervise(servers, env, signals)
    finally:
        print("Stopping ...", flush=True)
        stop_servers(servers, signals, meanwhile=on_stop)
        print("Stopped.", flush=True)


def supervise(servers: Sequence[Server], env: Mapping[str, str], signals: StopSignals) -> int:
    """Start again a server that dies, until a stop signal (0) or too many restarts (1)."""
    restarts: list[float] = []
    while not signals.wait(POLL_SECONDS):
        for server in servers:
            if server.alive() or signals.count:
                continue
            print(f"The {server.name} stopped; the end of {server.log}:")
            print(server.log_tail(), flush=True)
            now = time.monotonic()
            restarts = [t for t in restarts if now - t < RESTART_WINDOW_SECONDS] + [now]
            if len(restarts) > MAX_RESTARTS:
                print(f"Restarted {MAX_RESTARTS} times in a minute; giving up.", flush=True)
                return 1
            print(f"Restarting the {server.name} ...", flush=True)
            server.start(env)
    return 0


def stop_servers(
    servers: Sequence[Server], signals: StopSignals, meanwhile: Callable[[], None] = lambda: None
) -> None:
    """Stop every server's process group, with SIGTERM first and SIGKILL for what is left.

    SIGTERM goes to every server's process group, then `meanwhile` runs; SIGKILL goes to what is
    left after STOP_TIMEOUT_SECONDS, or at once on a second stop signal. Returns when no process
    is left.
    """
    processes = [server.process for server in servers if server.process is not None]
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    if not signals.wait(0, beyond=1):
        _signal_groups(processes, signal.SIGTERM)
    try:
        meanwhile()
    finally:
        while _any_alive(processes):
            if signals.wait(0.05, beyond=1):
                print("Stop signal again: killing the servers.", flush=True)
                break
            if time.monotonic() > deadline:
                print(f"Not stopped after {STOP_TIMEOUT_SECONDS:.0f} s: killing.", flush=True)
                break
        _kill_until_gone(processes)


def _kill_until_gone(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """SIGKILL to the groups until none of their processes is left (it never gives up)."""
    since = time.monotonic()
    while _any_alive(processes):
        _signal_groups(processes, signal.SIGKILL)
        time.sleep(0.02)
        if time.monotonic() - since > STOP_TIMEOUT_SECONDS:
            pgids = " ".join(str(process.pid) for process in processes)
            print(f"Still waiting for process groups {pgids} to end ...", flush=True)
            since = time.monotonic()


def _signal_groups(processes: Sequence[subprocess.Popen[bytes]], sig: signal.Signals) -> None:
    """Send `sig` to each process's group (each server is the leader of its own)."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def _any_alive(processes: Sequence[subprocess.Popen[bytes]]) -> bool:
    """Whether a process of any of the groups is left (reaping our own children as they end)."""
    for process in processes:
        process.poll()
    return any(group_alive(process.pid) for process in processes)


def group_alive(pgid: int) -> bool:
    """Whether process group `pgid` has a member that is not a zombie.

    A zombie is already dead; one whose parent died waits for init to reap it, which may take
    a while (or forever in a container without a reaping init), so it does not count.
    """
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    return any(_alive_in_group(stat, pgid) for stat in proc.glob("[0-9]*/stat"))


def _alive_in_group(stat: Path, pgid: int) -> bool:
    """Whether the /proc/PID/stat file is of a live (not zombie) member of group `pgid`."""
    try:
        text = stat.read_text()
    except OSError:  # the process just ended
        return False
    # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
    return int(pgrp) == pgid and state not in ("Z", "X")


def _rest_state(values: Mapping[str, str]) -> str:
    url = f"{values['PUBLIC_BOT_URL']}/webhooks/rest/webhook"
    if values.get("REST_OPEN", "").lower() in ("1", "true", "yes", "on"):
        return f"{url} (open: REST_OPEN=true)"
    if values.get("REST_TOKEN"):
        return f"{url} (Authorization: Bearer <REST_TOKEN>)"
    return f"{url} (this machine only; set REST_TOKEN to open it to others)"


def _telegram_state(values: Mapping[str, str]) -> str:
    if not values["TELEGRAM_TOKEN"]:
        return "off (set TELEGRAM_TOKEN to turn it on)"
    missing = [n for n in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN") if not values[n]]
    if missing:  # channels/telegram.py refuses to start without them
        return f"OFF: set {' and '.join(missing)} too (see {values['LOG_DIR']}/rasa.log)"
    return f"{values['TELEGRAM_WEBHOOK_URL']} (here: /webhooks/telegram/webhook)"


def shell(environ: Mapping[str, str]) -> int:
    """`make shell`: `rasa shell` in this terminal, against the running action server.

    It is `rasa run` with channels/shell.py's channel: `rasa shell` is `rasa run` with Rasa's
    own terminal channel, and takes no other.
    """
    env = settings.environment(environ)
    values = settings.resolve(environ)
    helper = action_server(values)
    # Not installed: Ctrl-C stays a KeyboardInterrupt here, and Rasa's terminal handles its own.
    signals = StopSignals()
    command = shell_command(_free_port())
    try:
        if not helper.ready():
            print(f"No action server at {helper.ready_url}; starting one (log: {helper.log}) ...")
            helper.start(env)
            if not wait_until_ready([helper], signals):
                return 1
        return subprocess.call(command, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        stop_servers([helper], signals)  # only the one started here, if any


def shell_command(port: int) -> list[str]:
    """The command that runs Rasa with the terminal channel (channels/shell.py) on `port`.

    It goes through server.rasa_run, so our changes to Rasa are applied at start-up, as for
    `make run`.
    """
    return [
        str(BIN / "python"),
        "-m",
        "server.rasa_run",
        "run",
        "--connector",
        "channels.shell.ShellInput",
        "--model",
        str(MODEL),
        "--endpoints",
        "endpoints.yml",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StopSignals:
    """SIGINT and SIGTERM, recorded by a handler that does nothing else; the main loop acts.

    A Python signal handler runs in the main thread between any two bytecodes, even inside an
    earlier run of itself, so it must take no lock: `threading.Event.set` does, and deadlocked
    the launcher when a second signal came while the first handler was inside it. This one only
    appends to a list (one C call, never interrupted by another handler), and
    `signal.set_wakeup_fd` wakes `wait` at once through a socket pair.
    """

    def __init__(self) -> None:
        """Make the socket pair that wakes `wait`; no signal is recorded before `install`.

        Both ends are non-blocking: the signal wake-up never blocks on a full buffer, and
        `_drain` stops once the socket is empty.
        """
        self._received: list[int] = []
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def install(self) -> StopSignals:
        """Record SIGINT and SIGTERM from now on, instead of their default (main thread only)."""
        signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGINT, self._record)
        signal.signal(signal.SIGTERM, self._record)
        return self

    def _record(self, signum: int, frame: FrameType | None) -> None:
        self._received.append(signum)

    @property
    def count(self) -> int:
        """How many stop signals have come so far."""
        return len(self._received)

    def wait(self, seconds: float, beyond: int = 0) -> bool:
        """Sleep up to `seconds`, less if a signal comes; whether more than `beyond` have come."""
        if self.count <= beyond and seconds > 0:
            select.select([self._reader], [], [], seconds)
            self._drain()
        return self.count > beyond

    def _drain(self) -> None:
        """Empty the wakeup socket, so the next `wait` sleeps again."""
        with contextlib.suppress(BlockingIOError):
            while self._reader.recv(4096):
                pass
