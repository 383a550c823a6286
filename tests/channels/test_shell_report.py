"""`/report PATH` in the terminal channel (channels/shell.py).

The command, the local file, and what reaches the bot. The whole shell, with a real report read
by OCR, is in test_shell.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.reports import Problem
from channels.shell import NOT_FOUND_TEXT, USAGE_TEXT, ShellInput, read_local_file, report_path


@pytest.mark.parametrize(
    ("typed", "path"),
    [
        ("/report /tmp/results.pdf", "/tmp/results.pdf"),
        ("  /REPORT   ~/results.png  ", "~/results.png"),
        ("/report '/tmp/my results.pdf'", "/tmp/my results.pdf"),
        ('/report "/tmp/my results.pdf"', "/tmp/my results.pdf"),
        ("/report /tmp/my\\ results.pdf", "/tmp/my results.pdf"),
        ("/report /tmp/my results.pdf", "/tmp/my results.pdf"),
        ("/report '/tmp/unbalanced.pdf", "'/tmp/unbalanced.pdf"),
        ("/report", ""),
        ("/reports /tmp/results.pdf", None),
        ("my report says wbc 3.2", None),
        ("/greet", None),
    ],
    ids=[
        "plain",
        "spaces-and-case",
        "single-quoted",
        "double-quoted",
        "escaped-space",
        "unquoted-space",
        "unbalanced-quote",
        "no-path",
        "other-command",
        "text",
        "intent",
    ],
)
def test_report_path_is_read_from_the_command(typed: str, path: str | None) -> None:
    """The path as a terminal writes it (quoted, escaped, as typed); None for anything else."""
    assert report_path(typed) == path


def test_local_file_is_read_or_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A local file's bytes are read (~ expanded), or the person is told why not.

    For a missing path, a directory or a file over the limit, what to tell the person.
    """
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "report.png").write_bytes(b"\x89PNG 1234")
    assert read_local_file("~/report.png", 100) == b"\x89PNG 1234"
    assert read_local_file(str(tmp_path / "report.png"), 5) == Problem.TOO_BIG.text
    for missing in ("~/nothing.png", str(tmp_path)):
        assert read_local_file(missing, 100) == NOT_FOUND_TEXT.format(path=missing)


class Bot:
    """A stand-in for Rasa's message handler: remembers what it was given."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def __call__(self, message: UserMessage) -> None:
        self.texts.append(message.text or "")


def shown(output: CollectingOutputChannel) -> list[str]:
    return [str(message.get("text", "")) for message in output.messages]


async def test_other_text_goes_to_the_bot_unchanged() -> None:
    bot, output = Bot(), CollectingOutputChannel()
    await ShellInput().with_reports(bot)(UserMessage("/report_card please", output, "dev"))
    assert bot.texts == ["/report_card please"] and shown(output) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, USAGE_TEXT),
        (b"PK\x03\x04 a zip named like a PDF", Problem.WRONG_TYPE.text),
        (b"%PDF-1.4\nnot really a PDF", Problem.BROKEN.text),
    ],
    ids=["no-path", "wrong-type", "broken-pdf"],
)
async def test_a_file_that_cannot_be_read_gets_its_reply_and_nothing_reaches_the_bot(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "results.pdf"
    if content is not None:
        path.write_bytes(content)
    typed = f"/report {path}" if content is not None else "/report"
    bot, output = Bot(), CollectingOutputChannel()
    await ShellInput().with_reports(bot)(UserMessage(typed, output, "dev"))
    assert bot.texts == []
    assert "\n\n".join(shown(output)) == expected  # Rasa's output splits at blank lines
