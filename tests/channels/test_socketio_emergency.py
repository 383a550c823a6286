"""Emergency advice as the Socket.IO channel sends it to the widget (docs/widget.md).

It is tagged with rasa-webchat's per-message class and the numbers to call, read from
EMERGENCY_NUMBERS.
"""

from __future__ import annotations

import pytest

from bot.judge.safety import DEFAULT_EMERGENCY_NUMBERS, emergency_text
from bot.reply.replies import EMERGENCY_MARK
from channels.markup import as_markdown
from channels.socketio import EMERGENCY_CLASS, GuardedSocketIOOutput, call_numbers


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        (
            DEFAULT_EMERGENCY_NUMBERS,
            [("911", "US", "911"), ("112", "EU", "112"), ("999", "UK", "999")],
        ),
        ("000 (Australia) or 112 from a mobile", [("000", "Australia", "000"), ("112", "", "112")]),
        (
            "15 (SAMU, France), +44 20 7946 0000 (clinic line)",
            [("15", "SAMU, France", "15"), ("+44 20 7946 0000", "clinic line", "+442079460000")],
        ),
        ("your local emergency number", []),
    ],
    ids=["default", "no-region", "spaces-and-plus", "no-number"],
)
def test_call_numbers_are_read_with_their_regions(
    numbers: str, expected: list[tuple[str, str, str]]
) -> None:
    """Each number of an EMERGENCY_NUMBERS text, its region as written and the digits to dial."""
    found = [(entry["number"], entry["region"], entry["dial"]) for entry in call_numbers(numbers)]
    assert found == expected


class Sio:
    """Collects what the channel emits."""

    def __init__(self) -> None:
        self.emitted: list[dict[str, object]] = []

    async def emit(self, event: str, data: dict[str, object], **kwargs: object) -> None:
        self.emitted.append(data)


async def test_emergency_advice_is_tagged_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only emergency advice is tagged with the widget's class and the clinic's numbers.

    Advice that starts with the emergency mark carries them (with and without buttons); an answer
    that only mentions an emergency does not. The text itself is what it always was.
    """
    monkeypatch.setenv("EMERGENCY_NUMBERS", "999 (UK) or 112 (EU)")
    sio = Sio()
    output = GuardedSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    advice = emergency_text()
    assert advice.startswith(EMERGENCY_MARK)
    await output.send_text_message("widget:room", advice)
    await output.send_text_with_buttons("widget:room", advice, [{"title": "t", "payload": "/p"}])
    await output.send_text_message("widget:room", "Get emergency care if you feel very unwell.")
    tagged, with_buttons, plain = sio.emitted
    assert tagged["text"] == as_markdown(advice)
    assert tagged["customCss"] == {
        "style": "class",
        "css": EMERGENCY_CLASS,
        "numbers": [
            {"number": "999", "region": "UK", "dial": "999"},
            {"number": "112", "region": "EU", "dial": "112"},
        ],
    }
    assert with_buttons["customCss"] == tagged["customCss"]
    assert "quick_replies" in with_buttons
    assert set(plain) == {"text"}  # rasa-webchat drops a text message with any other key
