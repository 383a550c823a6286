"""The range picture in `make shell`: a one-line text bar under the reading's verdict.

Tested in a real terminal via pexpect (the style of tests/channels/test_shell.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.reply.range_picture.text_bar import BAR_WIDTH
from tests.channels.test_shell import PROMPT, choose_to_type, start_shell, stop
from tests.stack import Stack

pytestmark = pytest.mark.stack


def bar_before(value: str) -> str:
    """A pattern for the text bar of a count: the bar's characters, then the count."""
    return rf"[!|=\-a-z○● ]{{{BAR_WIDTH}}}  {re.escape(value)}"


def test_shell_shows_a_text_bar_under_each_reading(stack: Stack, tmp_path: Path) -> None:
    """The shell shows a text bar under each reading; the buttons still come last.

    The bar of "my wbc is 3.2" marks 3,200 in the low band; the next count's bar says it went up
    from 3,200. The menu to type instead is still the last thing.
    """
    shell = start_shell(stack, tmp_path / "shell.log")
    try:
        shell.expect_exact(PROMPT)
        shell.sendline("my wbc is 3.2")
        shell.expect_exact("3,200", timeout=60)  # the verdict
        shell.expect(bar_before("3,200"), timeout=30)
        bar = str(shell.after)
        assert bar.count("●") == 1 and "usual" in bar
        choose_to_type(shell)
        shell.sendline("my wbc is 5.1 now")
        shell.expect(bar_before("5,100") + r" ↑ from 3,200", timeout=60)
        choose_to_type(shell)
        stop(shell)
    finally:
        shell.close(force=True)
    assert shell.exitstatus == 0
