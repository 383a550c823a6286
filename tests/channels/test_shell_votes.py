"""`/good` and `/bad` in `make shell` (python -m server shell), in a real terminal via pexpect."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from channels.votes import NOTHING_TO_RATE_TEXT, THANKS_TEXT
from tests.channels.test_shell import PROMPT, choose_to_type, start_shell, stop
from tests.stack import Stack

pytestmark = pytest.mark.stack


def shell_votes(stack: Stack) -> list[tuple[str, str, int]]:
    database = stack.values["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        query = "SELECT topic, urgency, vote FROM votes WHERE channel = 'shell'"
        return [tuple(row) for row in db.execute(query)]  # type: ignore[misc]


def test_good_and_bad_rate_the_latest_answer(stack: Stack, tmp_path: Path) -> None:
    """/good and /bad rate the latest answer.

    /good before any answer is refused; after the reading, /good is thanked and stored as a vote on
    the reading; /bad then replaces it.
    """
    shell = start_shell(stack, tmp_path / "shell.log")
    try:
        shell.expect_exact(PROMPT)
        shell.sendline("/good")
        shell.expect_exact(NOTHING_TO_RATE_TEXT[:40], timeout=60)
        shell.expect_exact(PROMPT, timeout=30)
        shell.sendline("my wbc is 3.2")
        shell.expect_exact("3,200", timeout=60)
        choose_to_type(shell)
        shell.sendline("/good")
        shell.expect_exact(THANKS_TEXT[:40], timeout=60)
        shell.expect_exact(PROMPT, timeout=30)
        assert shell_votes(stack) == [("reading:low", "routine", 1)]
        shell.sendline("/bad")
        shell.expect_exact(THANKS_TEXT[:40], timeout=60)
        shell.expect_exact(PROMPT, timeout=30)
        assert shell_votes(stack) == [("reading:low", "routine", -1)]
        stop(shell)
    finally:
        shell.close(force=True)
    assert shell.exitstatus == 0
