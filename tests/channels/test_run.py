"""`make run`: every channel on the ports from the environment, and a clean stop.

It runs side by side with another `make run`, and every way of stopping it leaves no process
behind and frees its ports.

`make run` is started as a service manager or a test harness does: its own session, settings
from the environment, stop signals to its whole process group (make passes a SIGTERM on to the
launcher, so the launcher can get it twice at once). Its prerequisites (install, train, web)
are up to date: `make test-stack` makes them first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.stack import REST_TOKEN, ROOT, Stack, free_port, start_stack, texts

pytestmark = pytest.mark.stack

PORTS = ("ACTIONS_PORT", "RASA_PORT", "WEB_PORT")
READY_SECONDS = 300.0  # a few start at once; each alone is ready in about 10 s
STOP_SECONDS = 10.0
# Each `make run` of the module fixture is stopped one way: signals and the pause before each.
STOPS: dict[str, Sequence[tuple[signal.Signals, float]]] = {
    "one SIGTERM": [(signal.SIGTERM, 0)],
    "SIGINT, SIGINT 1 ms later": [(signal.SIGINT, 0), (signal.SIGINT, 0.001)],
    "three SIGTERMs 0.1 ms apart": [(signal.SIGTERM, 0)] + [(signal.SIGTERM, 0.0001)] * 2,
}


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (children of children included)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:  # the task just ended
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    pending.append(child)
    return found


def _stat(pid: int) -> tuple[str, int] | None:
    """The state and process group of `pid`, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
    return state, int(pgrp)


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def _port_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:`port` (a server could bind it now)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
    return True


def _listeners(port: int) -> set[int]:
    """The processes with a socket listening on TCP `port` (from /proc/net/tcp*)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in inodes:
                pids.add(int(fd.parent.parent.name))
        except OSError:
            continue
    return pids


@dataclass
class MakeRun:
    """A `make run` in its own session, with free ports, its own store and logs."""

    process: subprocess.Popen[bytes]
    values: dict[str, str]
    workdir: Path
    groups: set[int] = field(default_factory=set)

    @classmethod
    def start(cls, workdir: Path) -> MakeRun:
        workdir.mkdir(parents=True, exist_ok=True)
        values = {
            **{name: str(free_port()) for name in PORTS},
            "BOT_HOST": "127.0.0.1",
            "TRACKER_STORE_URL": f"sqlite:///{workdir / 'conversations.db'}",
            "LOG_DIR": str(workdir / "log"),
            # Several servers starting and answering at once on a busy machine: be patient.
            "ACTION_TIMEOUT_SECONDS": "30",
            "REST_TOKEN": REST_TOKEN,  # the tests talk to it through REST
        }
        with (workdir / "make.log").open("wb") as log:
            process = subprocess.Popen(
                ["make", "run"],
                cwd=ROOT,
                env={**os.environ, **values},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(process, values, workdir, {process.pid})

    def port(self, name: str) -> int:
        return int(self.values[name])

    def output(self) -> str:
        return (self.workdir / "make.log").read_text(errors="replace")

    def logs(self) -> str:
        """What make, the launcher and the servers said, for a failure message."""
        parts = [self.workdir / "make.log", *sorted((self.workdir / "log").glob("*.log"))]
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in parts if p.exists())

    def wait_ready(self, deadline: float) -> None:
        while "Ready." not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"`make run` was not ready:\n{self.logs()}")
            time.sleep(0.3)

    def launchers(self) -> list[int]:
        """The launcher's pid, once make runs it (directly: bash execs the one command)."""
        return [pid for pid in _descendants(self.process.pid) if " server run" in _cmdline(pid)]

    def launcher(self) -> int:
        found = self.launchers()
        assert len(found) == 1, found
        return found[0]

    def note_groups(self) -> set[int]:
        """Remember the process group of every process below make (the servers have their own)."""
        for pid in _descendants(self.process.pid):
            stat = _stat(pid)
            if stat is not None:
                self.groups.add(stat[1])
        return self.groups

    def left(self) -> list[int]:
        """Live processes of any process group it used."""
        found = []
        for stat_file in Path("/proc").glob("[0-9]*/stat"):
            pid = int(stat_file.parent.name)
            stat = _stat(pid)
            if stat is not None and stat[1] in self.groups and stat[0] not in ("Z", "X"):
                found.append(pid)
        return found

    def stop(self, signals: Sequence[tuple[signal.Signals, float]]) -> float:
        """Send `signals` to its process group; return the seconds until everything has stopped.

        That is until make ended, nothing is left and its ports are free (fails after STOP_SECONDS).
        """
        self.note_groups()
        last = time.perf_counter()
        for sig, pause in signals:
            while time.perf_counter() - last < pause:  # busy: sleep() is not that precise
                pass
            os.killpg(self.process.pid, sig)
            last = time.perf_counter()
        started = time.monotonic()
        while time.monotonic() - started < STOP_SECONDS:
            gone = self.process.poll() is not None and not self.left()
            if gone and all(_port_free(self.port(name)) for name in PORTS):
                return time.monotonic() - started
            time.sleep(0.05)
        left = {pid: _cmdline(pid) for pid in self.left()}
        busy = [name for name in PORTS if not _port_free(self.port(name))]
        raise AssertionError(f"after {STOP_SECONDS} s: left {left}, busy {busy}\n{self.logs()}")

    def kill(self) -> None:
        """SIGKILL to every group it used (clean-up after a failed test)."""
        if self.process.poll() is None:
            self.note_groups()
        for pgid in self.groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        self.process.wait()


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, MakeRun]]:
    """One `make run` per way of stopping it, all started at once and running side by side."""
    runs = {stop: MakeRun.start(tmp_path_factory.mktemp("make-run")) for stop in STOPS}
    try:
        deadline = time.monotonic() + READY_SECONDS
        for run in runs.values():
            run.wait_ready(deadline)
        yield runs
    finally:
        for run in runs.values():
            run.kill()


def _assert_serves_on_its_ports(run: MakeRun) -> None:
    """Each server answers, and listens, on the port the environment gave it."""
    stack = Stack(run.values, run.workdir)
    assert "3,200" in texts(stack.post(f"run-{run.port('RASA_PORT')}", "my wbc is 3.2"))
    health = f"http://127.0.0.1:{run.port('ACTIONS_PORT')}/health"
    with urllib.request.urlopen(health, timeout=5) as response:
        assert response.status == 200
    with urllib.request.urlopen(stack.page_url, timeout=5) as page:
        assert stack.bot_url in page.read().decode()
    launcher = run.launcher()
    owners = {name: _listeners(run.port(name)) for name in PORTS}
    assert owners["WEB_PORT"] == {launcher}  # the demo page is the launcher's own thread
    mine = _descendants(launcher)
    assert owners["ACTIONS_PORT"] and owners["ACTIONS_PORT"] <= mine
    assert all("server.action_server" in _cmdline(pid) for pid in owners["ACTIONS_PORT"])
    assert owners["RASA_PORT"] and owners["RASA_PORT"] <= mine
    assert all(" run " in _cmdline(pid) for pid in owners["RASA_PORT"])
    assert f"action server:          http://127.0.0.1:{run.port('ACTIONS_PORT')}/" in run.output()


def test_make_runs_side_by_side_on_the_ports_from_the_environment(
    side_by_side: dict[str, MakeRun],
) -> None:
    """Several `make run`s at once, each on its own ACTIONS_PORT, RASA_PORT and WEB_PORT."""
    for run in side_by_side.values():
        _assert_serves_on_its_ports(run)


@pytest.mark.parametrize("stop", list(STOPS))
def test_make_run_stops_on_signals_leaving_nothing(
    side_by_side: dict[str, MakeRun], stop: str
) -> None:
    """However the stop signals come, within 10 s no process is left and the ports are free."""
    run = side_by_side[stop]
    _assert_serves_on_its_ports(run)
    seconds = run.stop(STOPS[stop])
    print(f"make run stopped by {stop} in {seconds:.2f} s")
    assert run.output().rstrip().endswith("Stopped.")


def test_make_run_stops_during_start_up(tmp_path: Path) -> None:
    """A SIGTERM while the servers are starting (not yet ready) stops them all the same."""
    run = MakeRun.start(tmp_path)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not run.launchers() or len(_descendants(run.launchers()[0])) < 2:
            assert time.monotonic() < deadline and run.process.poll() is None, run.logs()
            time.sleep(0.05)
        time.sleep(0.5)  # both servers are loading
        assert "Ready." not in run.output()
        seconds = run.stop([(signal.SIGTERM, 0)])
        print(f"make run stopped during start-up in {seconds:.2f} s")
        assert "Ready." not in run.output()
        assert run.output().rstrip().endswith("Stopped.")
    finally:
        run.kill()


def test_run_serves_rest_and_page_then_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """Started without a terminal, it answers on REST and the page; SIGTERM stops all of it."""
    stack = start_stack(tmp_path)
    try:
        assert stack.process is not None
        children = _descendants(stack.process.pid)
        assert len(children) >= 2  # the action server and the Rasa server
        assert "3,200" in texts(stack.post("run-test", "my wbc is 3.2"))
        with urllib.request.urlopen(stack.page_url, timeout=5) as page:
            html = page.read().decode()
            policy = page.headers["Content-Security-Policy"]
        assert stack.bot_url in html  # the page is told where the bot is
        assert "default-src 'self'" in policy
    finally:
        status = stack.stop()
    assert status == 0
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)], "stray processes after SIGTERM"
    assert "Stopped." in stack.launcher_log.read_text()
