"""`make run` (python -m server run): serves every channel, and SIGTERM leaves no process behind."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest

from tests.stack import start_stack, texts

pytestmark = pytest.mark.stack


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (children of children included)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split() if task.exists() else []
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    pending.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


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
