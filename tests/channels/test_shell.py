"""`make shell` (python -m server shell): exchanges in a real terminal, via pexpect."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from bot.reports import READ_INTRO
from channels.shell import NOT_FOUND_TEXT
from tests.reports.test_read import drawn_page
from tests.stack import ROOT, Stack

pytestmark = pytest.mark.stack

PROMPT = "Your input ->"
TYPE_OWN = "Type out your own message..."
ARROW_DOWN = "\x1b[B"


def start_shell(stack: Stack, log: Path) -> pexpect.spawn:
    """`python -m server shell` in a terminal, with the settings of the running `stack`."""
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
    shell.logfile_read = log.open("w", encoding="utf-8")
    return shell


def choose_to_type(shell: pexpect.spawn) -> str:
    """Choose the shell's menu entry to type instead; return what the shell showed before.

    After a reply with buttons the shell offers them as a menu, whose last entry lets the person
    type instead: this arrows down to it and chooses it.
    """
    shell.expect_exact(TYPE_OWN, timeout=60)
    shown = str(shell.before)
    buttons = max(int(number) for number in re.findall(r"(\d+): ", shown))
    for _ in range(buttons):
        shell.send(ARROW_DOWN)
    shell.send("\r")
    shell.expect_exact(TYPE_OWN, timeout=30)
    return shown


def stop(shell: pexpect.spawn) -> None:
    shell.sendline("/stop")
    shell.expect(pexpect.EOF, timeout=60)


def test_shell_answers_a_count_through_the_running_action_server(
    stack: Stack, tmp_path: Path
) -> None:
    """The shell reads "my wbc is 3.2" as 3,200 using the action server `make run` started."""
    shell = start_shell(stack, tmp_path / "shell.log")
    try:
        shell.expect_exact(PROMPT)
        assert "starting one" not in shell.before  # it used the running action server
        shell.sendline("my wbc is 3.2")
        shell.expect_exact("3,200", timeout=60)
        shown = choose_to_type(shell)
        assert "Sources: MedlinePlus: WBC count: https://" in shown  # links as "title: URL"
        stop(shell)
    finally:
        shell.close(force=True)
    assert shell.exitstatus == 0


def test_shell_reads_a_lab_report_with_slash_report(stack: Stack, tmp_path: Path) -> None:
    """`/report PATH` reads the photo at PATH (quoted, as a terminal pastes a dropped file).

    The lines as read, then the count explained; a follow-up stays in the conversation, and a path
    with no file gets a plain reply.
    """
    report = tmp_path / "my results.png"
    report.write_bytes(drawn_page())
    missing = tmp_path / "missing.pdf"
    shell = start_shell(stack, tmp_path / "shell.log")
    try:
        shell.expect_exact(PROMPT)
        shell.sendline(f"/report '{report}'")
        shell.expect_exact(READ_INTRO, timeout=120)
        shell.expect_exact("WBC 3.2 x10^3/uL (4.0-10.5) L", timeout=30)
        shell.expect_exact("3,200", timeout=60)
        choose_to_type(shell)
        shell.sendline("is that normal?")
        shell.expect_exact("3,200", timeout=60)  # the count read from the report
        choose_to_type(shell)
        shell.sendline(f"/report {missing}")
        shell.expect_exact(NOT_FOUND_TEXT.format(path=missing), timeout=60)
        shell.expect_exact(PROMPT, timeout=30)
        stop(shell)
    finally:
        shell.close(force=True)
    assert shell.exitstatus == 0
