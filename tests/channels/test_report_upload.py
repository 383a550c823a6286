"""Lab reports sent to the Telegram channel as a photo or a document (issue 13).

The bot (`make run` on free ports) talks to the fake Bot API, which serves the "sent" files
through getFile and its file URL. A photo, an image document and a PDF get the lines read back
and then the usual answer to them; an oversize file, a file of the wrong kind and a damaged PDF
get their short replies; what was read (never the file) is what the conversation stores, and
"forget my data" removes it.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.judge.safety import TROUBLE_TEXT
from bot.reports import READ_INTRO, Problem
from channels.guard import NOT_TEXT_TEXT
from channels.telegram import SECRET_HEADER
from tests.channels.fake_telegram import ApiCall, FakeTelegram
from tests.reports.test_read import drawn_page
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.stack

TOKEN = "123456:TEST"
BOT_NAME = "wbc_test_bot"
SECRET = "test-secret_upload_77"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
MAX_BYTES = 1_500_000  # REPORT_MAX_BYTES for this bot
WBC_LINE = "WBC 3.2 x10^3/uL (4.0-10.5) L"
READING = "3,200"  # how the bot reads WBC 3.2 x10^3/uL

IDS = itertools.count(810_000_001)


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN, BOT_NAME) as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(
        tmp_path_factory.mktemp("reports"),
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_BOT_NAME=BOT_NAME,
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/webhooks/telegram/webhook",
        TELEGRAM_SECRET_TOKEN=SECRET,
        TELEGRAM_API_BASE_URL=telegram.url,
        REPORT_MAX_BYTES=str(MAX_BYTES),
    )
    yield running
    running.stop()


def send(bot: Stack, chat_id: int, chat_type: str = "private", **content: Any) -> None:
    chat = {"id": chat_id, "type": chat_type, "first_name": "Test"}
    update = {
        "update_id": next(IDS),
        "message": {
            "message_id": next(IDS),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Test"},
            **content,
        },
    }
    status, _ = bot.post_raw(json.dumps(update).encode(), WEBHOOK_PATH, {SECRET_HEADER: SECRET})
    assert status == 200


def photo(telegram: FakeTelegram, data: bytes) -> list[dict[str, Any]]:
    """A photo as Telegram sends it: a thumbnail and the full size, each its own file."""
    big, small = f"big{next(IDS)}", f"small{next(IDS)}"
    telegram.add_file(big, data)
    telegram.add_file(small, b"not the one to read")
    return [
        {"file_id": small, "file_unique_id": "s", "width": 90, "height": 60, "file_size": 19},
        {
            "file_id": big,
            "file_unique_id": "b",
            "width": 1100,
            "height": 340,
            "file_size": len(data),
        },
    ]


def document(
    telegram: FakeTelegram, data: bytes, name: str, mime: str, size: int | None = None
) -> dict[str, Any]:
    file_id = f"doc{next(IDS)}"
    telegram.add_file(file_id, data)
    described = {"file_id": file_id, "file_unique_id": "d", "file_name": name, "mime_type": mime}
    return described | ({"file_size": size} if size is not None else {})


def texts(calls: list[ApiCall]) -> list[str]:
    return [call.text for call in calls]


def has_text(part: str) -> Any:
    return lambda calls: any(part in call.text for call in calls)


def text_pdf() -> bytes:
    """A portal PDF with a text layer, drawn by Chromium from HTML (as the report set is)."""
    from tests.reports.synthetic import cases, render

    [case] = [c for c in cases() if c.layout == "us" and c.form == "pdf-text"][:1]
    return render([case])[0].data


def test_photo_is_read_back_then_explained(bot: Stack, telegram: FakeTelegram) -> None:
    """The largest size is fetched; the lines are listed as read, then the count explained."""
    chat = next(IDS)
    sizes = photo(telegram, drawn_page())
    send(bot, chat, photo=sizes, caption="what does this mean?")
    calls = telegram.wait_for("sendMessage", chat, has_text(READING), timeout=120)
    first = calls[0].text
    assert first.startswith(READ_INTRO) and WBC_LINE in first and "RBC" not in first
    assert [c.params["file_id"] for c in telegram.calls("getFile")][-1] == sizes[-1]["file_id"]
    assert TROUBLE_TEXT not in texts(calls) and NOT_TEXT_TEXT not in texts(calls)


def test_image_document_is_read(bot: Stack, telegram: FakeTelegram) -> None:
    chat = next(IDS)
    doc = document(telegram, drawn_page(fmt="JPEG"), "report.jpg", "image/jpeg")
    send(bot, chat, document=doc)
    calls = telegram.wait_for("sendMessage", chat, has_text(READING), timeout=120)
    assert calls[0].text.startswith(READ_INTRO)


def test_pdf_document_is_read_from_its_text_layer(bot: Stack, telegram: FakeTelegram) -> None:
    chat = next(IDS)
    doc = document(telegram, text_pdf(), "results.pdf", "application/pdf")
    send(bot, chat, document=doc)
    calls = telegram.wait_for("sendMessage", chat, lambda c: len(c) >= 2, timeout=120)
    assert calls[0].text.startswith(READ_INTRO)
    assert "WBC" in calls[0].text and "Neutrophils, Absolute" in calls[0].text
    assert TROUBLE_TEXT not in texts(calls)


def test_oversize_file_is_refused_before_and_while_downloading(
    bot: Stack, telegram: FakeTelegram
) -> None:
    """Stated too big: not even fetched. Not stated, but too big: the download is cut off."""
    chat = next(IDS)
    doc = document(telegram, b"%PDF-1.4\n", "big.pdf", "application/pdf", size=MAX_BYTES + 1)
    send(bot, chat, document=doc)
    telegram.wait_for("sendMessage", chat, lambda c: texts(c) == [Problem.TOO_BIG.text])
    assert doc["file_id"] not in [c.params.get("file_id") for c in telegram.calls("getFile")]
    out = io.BytesIO()
    Image.effect_noise((1400, 1400), 90).save(out, format="PNG")  # noise does not compress
    assert len(out.getvalue()) > MAX_BYTES
    send(bot, chat, document=document(telegram, out.getvalue(), "scan.png", "image/png"))
    telegram.wait_for("sendMessage", chat, lambda c: texts(c) == [Problem.TOO_BIG.text] * 2)


@pytest.mark.parametrize(
    ("data", "name", "problem"),
    [
        (b"PK\x03\x04 a word document, named like a PDF", "report.pdf", Problem.WRONG_TYPE),
        (b"%PDF-1.4\nnot really a PDF", "report.pdf", Problem.BROKEN),
    ],
)
def test_wrong_or_damaged_file_gets_a_plain_reply(
    bot: Stack, telegram: FakeTelegram, data: bytes, name: str, problem: Problem
) -> None:
    chat = next(IDS)
    send(bot, chat, document=document(telegram, data, name, "application/pdf"))
    telegram.wait_for("sendMessage", chat, lambda c: texts(c) == [problem.text])


def test_sticker_still_gets_the_text_only_note_and_groups_get_nothing(
    bot: Stack, telegram: FakeTelegram
) -> None:
    chat, group = next(IDS), -next(IDS)
    sticker = {"file_id": "CAACAgIAAxkBAAEB", "file_unique_id": "x", "width": 512, "height": 512}
    send(bot, group, "group", photo=photo(telegram, drawn_page()))
    send(bot, chat, sticker=sticker | {"is_animated": False, "is_video": False})
    telegram.wait_for("sendMessage", chat, lambda c: texts(c) == [NOT_TEXT_TEXT])
    assert telegram.calls("sendMessage", group) == []


def _stored_events(bot: Stack, chat: int) -> str:
    path = Path(bot.values["TRACKER_STORE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(path) as db:
        query = "SELECT data FROM events WHERE sender_id = ?"
        rows = db.execute(query, (f"telegram:{chat}",)).fetchall()
    return "\n".join(row[0] for row in rows)


def test_only_the_lines_are_stored_and_forget_removes_them(
    bot: Stack, telegram: FakeTelegram
) -> None:
    chat = next(IDS)
    send(bot, chat, photo=photo(telegram, drawn_page()))
    telegram.wait_for("sendMessage", chat, has_text(READING), timeout=120)
    stored = _wait_for_store(bot, chat, lambda events: WBC_LINE in events)
    assert "PNG" not in stored and "file_id" not in stored and "big" not in stored
    send(bot, chat, text="/forget")
    telegram.wait_for("sendMessage", chat, has_text("erased"))
    _wait_for_store(bot, chat, lambda events: WBC_LINE not in events)


def _wait_for_store(bot: Stack, chat: int, until: Callable[[str], bool]) -> str:
    """The stored events once `until` holds for them (the turn is saved after its replies)."""
    deadline = time.monotonic() + 15
    while not until(events := _stored_events(bot, chat)):
        assert time.monotonic() < deadline, events[-2000:]
        time.sleep(0.2)
    return events


# --- Issue 27: report lines shown as text; odd getFile answers ---------------------------

PLANTED = "[Click here for your full results](https://evil.example/results)"


def text_line_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Helvetica, one a line)."""

    def literal(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 10 Tf 40 760 Td 14 TL " + " ".join(f"({literal(t)}) '" for t in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def planted_pdf() -> bytes:
    return text_line_pdf(["Complete Blood Count", f"{WBC_LINE} {PLANTED}", "Patient: Test"])


def test_a_link_in_a_report_line_is_shown_as_text(bot: Stack, telegram: FakeTelegram) -> None:
    """A link in a PDF report line is shown as text, as written.

    No <a href> but the bot's own sources, and the URL in <code>, where Telegram makes no link of
    it.
    """
    chat = next(IDS)
    send(bot, chat, document=document(telegram, planted_pdf(), "r.pdf", "application/pdf"))
    calls = telegram.wait_for("sendMessage", chat, has_text(READING), timeout=120)
    first = calls[0].text
    assert first.startswith(READ_INTRO) and "[Click here for your full results]" in first
    assert "<code>https://evil.example/results)</code>" in first
    for call in calls:
        assert call.params.get("parse_mode") == "HTML"
        assert "evil.example" not in " ".join(re.findall(r'<a href="([^"]*)"', call.text))


@pytest.mark.parametrize(
    "answer",
    [{"file_id": "x"}, {"file_size": "lots"}, {"file_size": "lots", "file_path": "documents/x"}],
    ids=["no-path", "size-in-words-no-path", "size-in-words"],
)
def test_an_odd_get_file_answer_gets_the_failure_line(
    bot: Stack, telegram: FakeTelegram, answer: dict[str, Any]
) -> None:
    """An odd getFile answer (no path, or a size that is not a number): the person is told."""
    chat = next(IDS)
    doc = document(telegram, planted_pdf(), "r.pdf", "application/pdf")
    telegram.answer_get_file(doc["file_id"], answer)
    send(bot, chat, document=doc)
    failed = Problem.DOWNLOAD_FAILED.text[:40]  # a path that leads nowhere fails to download
    calls = telegram.wait_for("sendMessage", chat, has_text(failed), timeout=60)
    assert TROUBLE_TEXT not in texts(calls)
