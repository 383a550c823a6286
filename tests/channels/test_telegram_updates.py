"""Reading Telegram updates (channels/telegram_updates.py) without a bot or a fake Bot API."""

from __future__ import annotations

from typing import Any

import pytest

from channels.telegram_updates import (
    Incoming,
    Upload,
    addressed_to_bot,
    command_text,
    read_update,
)

PRIVATE = {"id": 42, "type": "private"}
GROUP = {"id": -100, "type": "group"}


def message(chat: dict[str, Any] = PRIVATE, **fields: Any) -> dict[str, Any]:
    return {"message_id": 1, "chat": chat, **fields}


@pytest.mark.parametrize(
    ("update", "incoming"),
    [
        ({"message": message(text="my wbc is 3.2")}, Incoming("42", True, "my wbc is 3.2")),
        ({"edited_message": message(text="wbc 3.4")}, Incoming("42", True, "wbc 3.4")),
        ({"message": message(GROUP, text="hi")}, Incoming("-100", False, "hi")),
        ({"message": message(sticker={"file_id": "s"})}, Incoming("42", True, None)),
        (
            {
                "callback_query": {
                    "id": "q1",
                    "data": "/ask_causes",
                    "message": message(text="Next steps"),
                }
            },
            Incoming("42", True, "/ask_causes", callback_query_id="q1"),
        ),
        (
            {"callback_query": {"id": "q2", "data": ""}},  # no data, no chat: acknowledged only
            Incoming("", False, None, callback_query_id="q2"),
        ),
    ],
    ids=["text", "edited-text", "group", "sticker", "button", "button-without-data"],
)
def test_an_update_is_read_as_what_it_asks(update: dict[str, Any], incoming: Incoming) -> None:
    assert read_update(update) == incoming


@pytest.mark.parametrize(
    "update",
    [
        {"message": message(new_chat_members=[{"id": 1}])},
        {"message": message(pinned_message={"message_id": 2})},
        {"edited_message": message(sticker={"file_id": "s"})},
        {"message": {"message_id": 1, "text": "no chat"}},
        {"my_chat_member": {"chat": PRIVATE}},
        {"callback_query": {"data": "/x"}},  # no id: nothing to acknowledge
    ],
    ids=["join", "pin", "edited-sticker", "no-chat", "unknown-kind", "button-without-id"],
)
def test_an_update_that_needs_no_answer_is_none(update: dict[str, Any]) -> None:
    assert read_update(update) is None


def test_the_largest_photo_or_the_document_is_the_upload() -> None:
    sizes = [
        {"file_id": "small", "width": 90, "height": 60, "file_size": 900},
        {"file_id": "large", "width": 1280, "height": 960, "file_size": 90_000},
        {"file_id": "mid", "width": 320, "height": 240},
    ]
    photo = read_update({"message": message(photo=sizes, caption="my labs")})
    assert photo == Incoming("42", True, None, upload=Upload("large", 90_000, "my labs"))
    document = read_update({"message": message(document={"file_id": "d", "file_size": "big"})})
    assert document == Incoming("42", True, None, upload=Upload("d", None))
    edited = read_update({"edited_message": message(photo=sizes)})
    assert edited is None  # an edited photo is not read again


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("/start", "/greet"),
        ("/help@wbc_test_bot", "/ask_help"),
        ("/HELP", "/ask_help"),
        ("/forget now", "/forget_data"),
        ("/start@other_bot", "/start@other_bot"),
        ("my wbc is 3.2", "my wbc is 3.2"),
        ("", ""),
    ],
)
def test_commands_are_read_as_intents(text: str, read_as: str) -> None:
    assert command_text(text, "wbc_test_bot") == read_as


def test_a_group_message_is_for_the_bot_when_a_command_or_naming_it() -> None:
    assert addressed_to_bot("/start", "wbc_test_bot")
    assert addressed_to_bot("hey @WBC_test_bot what is this", "wbc_test_bot")
    assert not addressed_to_bot("hello everyone", "wbc_test_bot")
    assert not addressed_to_bot("hello @", "")
