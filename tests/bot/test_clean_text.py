"""clean_text: terminal escape sequences are dropped whole, never read as numbers (issue 27)."""

from __future__ import annotations

import pytest

from bot.errors import EmptyTextError
from bot.read.parse import clean_text, parse_text


@pytest.mark.parametrize(
    "text",
    [
        "my wbc is \x1b[31m",  # a colour: was read as a count of 31
        "my wbc is \x1b[1;31m",
        "my wbc is \x9b31m",  # the one-byte CSI
        "my wbc is \x1b]8;;https://example.org/31\x1b\\here\x1b]8;;\x1b\\",  # a terminal link
        "my wbc is \x1b]0;31\x07",  # a window title
    ],
)
def test_escape_sequences_are_not_counts(text: str) -> None:
    cleaned = clean_text(text)
    assert "\x1b" not in cleaned and "31" not in cleaned
    assert parse_text(text).values == ()


def test_text_around_an_escape_sequence_is_still_read() -> None:
    parsed = parse_text("\x1b[31mmy wbc is 3.2\x1b[0m")
    assert [value.text for value in parsed.values] == ["3.2"]


def test_only_escape_sequences_is_empty() -> None:
    with pytest.raises(EmptyTextError):
        clean_text("\x1b[31m\x1b[0m")
