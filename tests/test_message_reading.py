"""The Rasa server reads a message once: the count rule and the subject extractor share it."""

from __future__ import annotations

import pytest

from components import message_reading
from components.count_intent import counts_in
from components.subject_entities import subject_entities


@pytest.mark.parametrize(
    "text", ["my son's wbc is 3.2, what could cause it?", "ANC 0.4 on chemo, is that bad?"]
)
def test_both_readers_of_a_message_share_one_reading(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = message_reading.parse_text

    def counted(message: str) -> object:
        calls.append(message)
        return real(message)

    monkeypatch.setattr(message_reading, "parse_text", counted)
    message_reading.reading_of.cache_clear()
    assert counts_in(text)
    assert [e["entity"] for e in subject_entities(text)][:1] == ["subject"]
    assert calls == [text]


def test_unreadable_text_is_not_kept() -> None:
    message_reading.reading_of.cache_clear()
    assert counts_in("") == ()
    assert subject_entities("   ") == []
    assert message_reading.reading_of.cache_info().currsize == 0
