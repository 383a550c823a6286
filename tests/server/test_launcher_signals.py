"""The launcher's stop path alone: storms of SIGTERM/SIGINT never hang it nor leave a child.

A child Python process runs the launcher's own `serve` (start, wait until ready, supervise,
stop) over cheap stand-ins for the servers: `sleep` processes in their own sessions (one group
ignores SIGTERM) and an HTTP server like the demo page's. The old handler called
`threading.Event.set` and deadlocked when a signal came while an earlier handler was inside it;
here thousands of signals, some microseconds apart, hit the start-up, the wait loop and the
stop. (Against the old handler this test hangs in its first few batches.)
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from server import launcher
from server.launcher import group_alive
from server.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
MARKER = "WBC_LAUNCHER_SIGNAL_TEST"
STORMS = 16
# Launchers stormed together (in turn), so the test takes seconds, not tens of them.
AT_ONCE = 4
SIGNALS_PER_STORM = 5000
# Gaps between two signals, in nanoseconds: mostly back to back, some a few microseconds.
GAPS_NS = (0, 0, 0, 1_000, 2_000, 5_000, 20_000)
EXIT_SECONDS = 5.0

# The stand-in launcher: argv = stop timeout, seconds until "ready", log directory. Its "page"
# is an HTTP server like the demo page's (shutdown() waits on a threading.Event, as there).
FAKE_LAUNCHER = r"""
import os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from server import launcher

class Child(launcher.Server):
    def start(self, env):
        super().start(env)
        print("pgid", self.process.pid, flush=True)
    def ready(self):
        # Ready once its shell has set its traps (it says "up"), never before READY_AT: a
        # signal that came before `trap` ran would end the "deaf" child at once.
        return time.monotonic() >= READY_AT and "up" in self.log_tail()

launcher.STOP_TIMEOUT_SECONDS = float(sys.argv[1])
launcher.POLL_SECONDS = 0.05
signals = launcher.StopSignals().install()
print("armed", flush=True)
READY_AT = time.monotonic() + float(sys.argv[2])
logs = Path(sys.argv[3])
children = [
    Child("plain", ["sh", "-c", "echo up; sleep 300 & exec sleep 300"], "", logs / "plain.log"),
    Child(
        "deaf",
        ["sh", "-c", "trap '' TERM; echo up; sleep 300 & exec sleep 300"],
        "",
        logs / "deaf.log",
    ),
]
page = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
serving = threading.Thread(target=page.serve_forever, args=(0.05,), daemon=True)

def on_ready():
    serving.start()
    print("ready", flush=True)

def on_stop():
    if serving.is_alive():
        page.shutdown()

sys.exit(launcher.serve(children, os.environ, signals, on_ready, on_stop))
"""


@dataclass
class FakeLauncher:
    """The stand-in launcher process and the marker its children carry in their environment."""

    process: subprocess.Popen[str]
    token: str
    output: list[str]

    def read_until(self, start: str) -> None:
        """Read its output up to a line starting with `start`.

        It prints "armed", then a "pgid N" line per child started, then "ready"; once a stop
        signal has been taken, "Stopping ...", and "Stopped." when every child is gone.
        """
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith(start):
                return
        raise AssertionError(f"it ended before printing {start!r}")

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def pgids(self) -> list[int]:
        """The process groups of the children it started, from the output read so far."""
        return [int(line.split()[1]) for line in self.output if line.startswith("pgid ")]

    def exit_status(self, seconds: float = EXIT_SECONDS) -> tuple[int, list[int]]:
        """Its exit status within `seconds` and the process groups it started."""
        try:
            out, _ = self.process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the launcher did not exit within {seconds} s") from None
        self.output += out.splitlines(keepends=True)
        return self.process.returncode, self.pgids()

    def leftovers(self) -> list[int]:
        """Live processes that inherited this launcher's marker (its children, theirs)."""
        found = []
        needle = f"{MARKER}={self.token}".encode()
        for environ in Path("/proc").glob("[0-9]*/environ"):
            try:
                if needle in environ.read_bytes() and _live(environ.parent):
                    found.append(int(environ.parent.name))
            except OSError:
                continue
        return found


def _live(proc_dir: Path) -> bool:
    """Whether the process of /proc/PID is alive (not a zombie)."""
    state = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


@dataclass
class FakeLaunchers:
    """Starts stand-in launchers, and at the end SIGKILLs whatever one of them left."""

    logs: Path
    started: list[FakeLauncher]

    def start(self, stop_timeout: float = 0.3, ready_after: float = 0.0) -> FakeLauncher:
        token = uuid.uuid4().hex
        command = [sys.executable, "-c", FAKE_LAUNCHER, str(stop_timeout), str(ready_after)]
        process = subprocess.Popen(
            [*command, str(self.logs / token)],  # its own logs: "up" is its children's
            cwd=ROOT,
            env={**os.environ, MARKER: token},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group, as under `make run`: no Ctrl-C of ours
        )
        self.started.append(FakeLauncher(process, token, []))
        return self.started[-1]

    def clean_up(self) -> None:
        for fake in self.started:
            fake.process.kill()
            fake.process.wait()
            for pid in fake.leftovers():
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[FakeLaunchers]:
    """Stand-in launchers for one test, none of them (nor their children) left after it."""
    launchers = FakeLaunchers(tmp_path, [])
    yield launchers
    launchers.clean_up()


def _storm(processes: list[subprocess.Popen[str]], rng: random.Random) -> int:
    """SIGTERM and SIGINT in turn to each process, some microseconds apart; how many were sent.

    It goes on until all have ended or each had SIGNALS_PER_STORM.
    """
    sigs = (signal.SIGTERM, signal.SIGINT)
    live = list(processes)
    sent = 0
    while sent < SIGNALS_PER_STORM * len(processes):
        if sent % 16 == 0:
            live = [process for process in live if process.poll() is None]
            if not live:
                break
        os.kill(live[sent % len(live)].pid, sigs[sent // len(live) % 2])
        sent += 1
        until = time.perf_counter_ns() + rng.choice(GAPS_NS)
        while time.perf_counter_ns() < until:
            pass
    return sent


@pytest.mark.slow
def test_signal_storms_always_stop_it_and_leave_no_child(fakes: FakeLaunchers) -> None:
    """Each storm (during start-up, or once ready) ends it within seconds, every child gone."""
    rng = random.Random(14)
    for batch in range(STORMS // AT_ONCE):
        # The first of each batch is still waiting for its servers to be ready.
        batch_fakes = [fakes.start(ready_after=60 if k == 0 else 0) for k in range(AT_ONCE)]
        for k, fake in enumerate(batch_fakes):
            fake.read_until("armed" if k == 0 else "ready")
        _storm([fake.process for fake in batch_fakes], rng)
        for k, fake in enumerate(batch_fakes):
            where = f"batch {batch}, launcher {k}"
            status, pgids = fake.exit_status()
            assert fake.output[-1].strip() == "Stopped.", where
            # Python restores the default handlers as it exits, after the stop: a signal then
            # ends it by that signal instead of status 0. Nothing is left to stop by then.
            assert status in (0, -signal.SIGTERM, -signal.SIGINT), where
            assert k == 0 or len(pgids) == 2, where
            assert not [pgid for pgid in pgids if group_alive(pgid)], where
            assert not fake.leftovers(), where


def test_one_sigterm_stops_gently_then_kills_what_ignores_it(fakes: FakeLaunchers) -> None:
    """One SIGTERM: the plain child ends on it; the deaf one is killed after the stop timeout."""
    fake = fakes.start(stop_timeout=0.5)
    fake.read_until("ready")
    began = time.monotonic()
    fake.signal(signal.SIGTERM)
    status, pgids = fake.exit_status()
    assert status == 0
    assert 0.5 <= time.monotonic() - began < 4
    assert len(pgids) == 2
    assert not fake.leftovers()


def _wait_until(condition: Callable[[], bool], what: str, seconds: float = EXIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.02)


def test_second_signal_kills_at_once(fakes: FakeLaunchers) -> None:
    """SIGINT, then SIGINT again: the child that ignores SIGTERM is killed without waiting.

    The second SIGINT is sent once the launcher has taken the first (it prints "Stopping ..."
    after its handler ran) and its gentle stop is under way (the plain child ended on SIGTERM).
    Two SIGINTs sent before the handler has run are one signal to the launcher: the kernel
    keeps one pending signal of a kind, and Python runs the handler once. A fixed pause between
    the two only guessed how soon a busy machine lets the launcher run.
    """
    fake = fakes.start(stop_timeout=60)
    fake.read_until("ready")
    plain, _deaf = fake.pgids()
    fake.signal(signal.SIGINT)
    fake.read_until("Stopping")  # the first signal is recorded: the next one counts on its own
    _wait_until(lambda: not group_alive(plain), "the plain child to end on SIGTERM")
    assert fake.process.poll() is None  # still waiting for the deaf child
    began = time.monotonic()
    fake.signal(signal.SIGINT)
    status, _ = fake.exit_status()
    assert status == 0
    assert time.monotonic() - began < 3  # not the 60 s stop timeout
    assert not fake.leftovers()


def test_signal_during_start_up_stops_the_started_children(fakes: FakeLaunchers) -> None:
    """A SIGTERM before the servers are ready stops them too."""
    fake = fakes.start(ready_after=60)
    fake.read_until("pgid")
    fake.read_until("pgid")  # both children are running, not ready
    fake.signal(signal.SIGTERM)
    status, pgids = fake.exit_status()
    assert status == 0
    assert len(pgids) == 2
    assert not fake.leftovers()


def test_a_server_that_dies_is_restarted_until_it_dies_too_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The supervisor starts a dead server again, with its log shown, until it dies too often.

    It gives up (status 1) after MAX_RESTARTS restarts within the window.
    """
    monkeypatch.setattr(launcher, "POLL_SECONDS", 0.01)
    crasher = launcher.Server("crasher", ["sh", "-c", "echo boom; exit 3"], "", tmp_path / "c.log")
    crasher.start(os.environ)
    signals = launcher.StopSignals()  # not installed: no signal comes
    assert launcher.supervise([crasher], os.environ, signals) == 1
    launcher.stop_servers([crasher], signals)
    out = capsys.readouterr().out
    assert out.count("Restarting the crasher ...") == launcher.MAX_RESTARTS
    assert "boom" in out
    assert crasher.process is not None and not group_alive(crasher.process.pid)


def test_makefile_sets_no_setting() -> None:
    """Every setting reaches the launcher from the environment: the Makefile never assigns one.

    A `?=` default would be allowed, as it yields to the environment.
    """
    makefile = (ROOT / "Makefile").read_text()
    for setting in SETTINGS:
        pattern = rf"^\s*(export\s+|override\s+)*{setting.name}\s*(:|::|:::|\+|!)?="
        assert not re.search(pattern, makefile, re.MULTILINE), setting.name


def test_the_rasa_server_starts_through_the_one_start_up() -> None:
    """The Rasa server of `make run` starts as the shell does, through server.rasa_run.

    That start-up turns the entity extractors off (tests/server/test_rasa_tuning.py checks it).
    """
    from server import launcher, settings

    server = launcher.rasa_server(settings.resolve({}))
    assert server.command[1:3] == ["-m", "server.rasa_run"]


def test_the_api_token_is_never_on_a_command_line() -> None:
    """RASA_API_TOKEN reaches Rasa through the environment, never the command line.

    The environment is readable by its own user only; `ps` shows a command line to every user
    (issue 27).
    """
    from server import launcher, rasa_run, settings

    token = "s3cret-token-for-the-test"
    environ = {"RASA_API_TOKEN": token}
    server = launcher.rasa_server(settings.resolve(environ))
    assert not any(token in part for part in server.command)
    assert list(server.command[1:3]) == ["-m", "server.rasa_run"]
    assert settings.environment(environ)["RASA_API_TOKEN"] == token  # what the server gets
    arguments = rasa_run.rasa_arguments(["run", "--port", "5005"], environ)
    assert arguments == ["run", "--port", "5005", "--enable-api", "--auth-token", token]
    assert rasa_run.rasa_arguments(["run"], {"RASA_API_TOKEN": ""}) == ["run"]
