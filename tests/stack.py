"""Start the real bot for a test: `python -m server run` (what `make run` runs) on free ports.

Tests that need running servers (channels, browser, stores, faults) use `start_stack`; each
stack gets its own ports, its own SQLite file (unless the test names another store) and its
own log directory under the test's tmp_path, so stacks never share state by accident.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
READY_LINE = "Ready."
# The REST channel is off unless REST_TOKEN is set; every test stack sets this one.
REST_TOKEN = "test-rest-token-0123456789abcdef"
REST_AUTH = {"Authorization": f"Bearer {REST_TOKEN}"}
START_TIMEOUT_SECONDS = 240.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    """A running `python -m server run` and the settings it was started with."""

    values: dict[str, str]
    workdir: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def bot_url(self) -> str:
        return f"http://127.0.0.1:{self.values['RASA_PORT']}"

    @property
    def page_url(self) -> str:
        return f"http://localhost:{self.values['WEB_PORT']}/"

    @property
    def launcher_log(self) -> Path:
        return self.workdir / "launcher.log"

    def logs(self) -> str:
        """Everything the launcher and the servers have logged so far."""
        parts = [self.launcher_log, *sorted(Path(self.values["LOG_DIR"]).glob("*.log"))]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def start(self) -> Stack:
        """Start (or, after `stop()`, restart) the bot with the same ports, store and logs."""
        env = {**os.environ, **self.values}
        earlier = self.launcher_log.stat().st_size if self.launcher_log.exists() else 0
        with self.launcher_log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server", "run"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if READY_LINE in self.launcher_log.read_bytes()[earlier:].decode(errors="replace"):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot did not start:\n{self.logs()[-5000:]}")
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the bot was not ready in {START_TIMEOUT_SECONDS:.0f} s")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, as a service manager would; returns the launcher's exit status."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def post(self, sender: str, text: Any, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Send one message through the REST channel, with the stack's token; return the replies.

        Its conversation is `rest:<sender>`.
        """
        status, body = self.post_raw(json.dumps({"sender": sender, "message": text}).encode())
        if status != 200:
            raise AssertionError(f"HTTP {status}: {body[:500]!r}")
        return json.loads(body)  # type: ignore[no-any-return]

    def post_raw(
        self,
        body: bytes,
        path: str = "/webhooks/rest/webhook",
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, bytes]:
        """POST bytes as they are; return the HTTP status and body (4xx and 5xx included).

        The REST token is sent unless `headers` name another Authorization.
        """
        request = urllib.request.Request(
            self.bot_url + path,
            data=body,
            headers={"Content-Type": "application/json", **REST_AUTH, **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def stored_events(stack: Stack, sender_id: str) -> int:
    """Count the events of conversation `sender_id` (`widget:<id>`) in the stack's SQLite store."""
    database = stack.values["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        query = "SELECT count(*) FROM events WHERE sender_id = ?"
        return int(db.execute(query, (sender_id,)).fetchone()[0])


def settled_events(stack: Stack, sender_id: str, timeout: float = 10.0) -> int:
    """Return `stored_events` once the count has stopped changing.

    Rasa stores a turn after its replies have gone out, so a count taken as soon as the reply is
    seen may be short.
    """
    deadline = time.monotonic() + timeout
    counts = [stored_events(stack, sender_id)]
    while time.monotonic() < deadline and (len(counts) < 4 or len(set(counts[-4:])) > 1):
        time.sleep(0.25)
        counts.append(stored_events(stack, sender_id))
    return counts[-1]


def texts(replies: list[dict[str, Any]]) -> str:
    """All reply texts of one turn, joined, for `in` assertions."""
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def start_stack(workdir: Path, **overrides: str) -> Stack:
    """Start the bot with free ports, its own SQLite store and logs, plus `overrides`."""
    workdir.mkdir(parents=True, exist_ok=True)
    values = {
        "BOT_HOST": "127.0.0.1",
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'conversations.db'}",
        "LOG_DIR": str(workdir / "log"),
        "RATE_LIMIT_PER_MINUTE": "1000",
        "REST_TOKEN": REST_TOKEN,
        **overrides,
    }
    return Stack(values, workdir).start()
