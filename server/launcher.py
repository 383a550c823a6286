"""Start the bot's servers together and stop them together (`make run`, `make shell`).

`run` starts the action server, the Rasa server (REST, Socket.IO and Telegram channels) and the
demo web page, waits until each answers, prints the URLs and then waits for Ctrl-C or SIGTERM.
A server that dies is started again (the Rasa server keeps answering meanwhile, with a short
"trouble" reply when the action server is gone). On the way out it stops every server it
started (whole process groups, so Sanic's worker processes go too). It needs no terminal.

`shell` talks to the bot in the terminal through `rasa shell`, using the action server of a
running `make run` when there is one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
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
STOP_TIMEOUT_SECONDS = 10.0
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

    def start(self, env: Mapping[str, str]) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                list(self.command),
                cwd=ROOT,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM to the whole group, SIGKILL after STOP_TIMEOUT_SECONDS."""
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
                _wait_group_gone(self.process.pid, STOP_TIMEOUT_SECONDS)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def _wait_group_gone(pgid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise subprocess.TimeoutExpired(f"process group {pgid}", seconds)


def answers(url: str) -> bool:
    """Whether an HTTP GET of `url` succeeds within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def action_server(values: Mapping[str, str]) -> Server:
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
    port = values["RASA_PORT"]
    command = [
        str(BIN / "rasa"),
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
    if values["RASA_API_TOKEN"]:
        command += ["--enable-api", "--auth-token", values["RASA_API_TOKEN"]]
    return Server(
        "Rasa server",
        command,
        f"http://{_loopback(values)}:{port}/webhooks/rest/",
        Path(values["LOG_DIR"]) / "rasa.log",
    )


def _loopback(values: Mapping[str, str]) -> str:
    host = values["BOT_HOST"]
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host


def wait_until_ready(servers: Sequence[Server], stopping: threading.Event) -> bool:
    """Wait for every server's ready URL; False (with its log) if one dies or times out."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    pending = list(servers)
    while pending and not stopping.is_set():
        for server in list(pending):
            if not server.alive():
                print(f"The {server.name} stopped while starting; the end of {server.log}:")
                print(server.log_tail(), flush=True)
                return False
            if answers(server.ready_url):
                pending.remove(server)
        if time.monotonic() > deadline:
            names = ", ".join(server.name for server in pending)
            print(f"Not ready after {START_TIMEOUT_SECONDS:.0f} s: {names}; see the logs")
            return False
        time.sleep(0.25)
    return not pending


def run(environ: Mapping[str, str]) -> int:
    """`make run`: every server, until Ctrl-C, SIGTERM or a server dies."""
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
    stopping = _stop_on_signals()
    servers = [action_server(values), rasa_server(values)]
    page = web.DemoPage(values)
    try:
        for server in servers:
            server.start(env)
        print(f"Starting the servers (logs in {values['LOG_DIR']}) ...", flush=True)
        if not wait_until_ready(servers, stopping):
            return 0 if stopping.is_set() else 1
        page.start()
        print(
            f"Ready.\n"
            f"  chat widget demo page:  {page.url}\n"
            f"  REST channel:           {values['PUBLIC_BOT_URL']}/webhooks/rest/webhook\n"
            f"  Socket.IO channel:      {values['PUBLIC_BOT_URL']}/socket.io\n"
            f"  Telegram webhook:       {_telegram_state(values)}\n"
            f"  action server:          {values['ACTION_SERVER_URL']}\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )
        restarts: list[float] = []
        while not stopping.wait(0.5):
            for server in servers:
                if server.alive():
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
    finally:
        print("Stopping ...", flush=True)
        page.stop()
        for server in reversed(servers):
            server.stop()
        print("Stopped.", flush=True)


def _telegram_state(values: Mapping[str, str]) -> str:
    if not values["TELEGRAM_TOKEN"]:
        return "off (set TELEGRAM_TOKEN to turn it on)"
    missing = [n for n in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN") if not values[n]]
    if missing:  # channels/telegram.py refuses to start without them
        return f"OFF: set {' and '.join(missing)} too (see {values['LOG_DIR']}/rasa.log)"
    return f"{values['TELEGRAM_WEBHOOK_URL']} (here: /webhooks/telegram/webhook)"


def shell(environ: Mapping[str, str]) -> int:
    """`make shell`: `rasa shell` in this terminal, against the running action server."""
    env = settings.environment(environ)
    values = settings.resolve(environ)
    helper = action_server(values)
    started = False
    if not answers(helper.ready_url):
        print(f"No action server at {helper.ready_url}; starting one (log: {helper.log}) ...")
        helper.start(env)
        started = True
        if not wait_until_ready([helper], threading.Event()):
            helper.stop()
            return 1
    command = [
        str(BIN / "rasa"),
        "shell",
        "--model",
        str(MODEL),
        "--endpoints",
        "endpoints.yml",
        "--interface",
        "127.0.0.1",
        "--port",
        str(_free_port()),
    ]
    try:
        return subprocess.call(command, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        if started:
            helper.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop_on_signals() -> threading.Event:
    stopping = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stopping
