"""`make shell` (python -m server shell): one exchange in a real terminal, via pexpect."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from tests.stack import ROOT, Stack

pytestmark = pytest.mark.stack

PROMPT = "Your input ->"
TYPE_OWN = "Type out your own message..."
ARROW_DOWN = "\x1b[B"


def test_shell_answers_a_count_through_the_running_action_server(
    stack: Stack, tmp_path: Path
) -> None:
    """The shell reads "my wbc is 3.2" as 3,200 using the action server `make run` started."""
    env = {**os.environ, **stack.values, "TERM": "dumb", "COLUMNS": "200"}
    shell = pexpect.spawn(
        sys.executable,
        ["-m", "server", "shell"],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=180,
        dimensions=(50, 200),
    )
    shell.logfile_read = (tmp_path / "shell.log").open("w", encoding="utf-8")
    try:
        shell.expect_exact(PROMPT)
        assert "starting one" not in shell.before  # it used the running action server
        shell.sendline("my wbc is 3.2")
        shell.expect_exact("3,200", timeout=60)
        # The reply has buttons, so the shell offers them as a menu; the last entry lets the
        # person type instead. Arrow down to it, choose it, and leave with /stop.
        shell.expect_exact(TYPE_OWN, timeout=60)
        shown = str(shell.before)
        assert "Sources: MedlinePlus: WBC count: https://" in shown  # links as "title: URL"
        buttons = max(int(number) for number in re.findall(r"(\d+): ", shown))
        for _ in range(buttons):
            shell.send(ARROW_DOWN)
        shell.send("\r")
        shell.expect_exact(TYPE_OWN, timeout=30)
        shell.sendline("/stop")
        shell.expect(pexpect.EOF, timeout=60)
    finally:
        shell.close(force=True)
    assert shell.exitstatus == 0
