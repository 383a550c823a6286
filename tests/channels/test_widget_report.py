"""Lab reports sent with the chat widget's upload button (docs/reports.md).

Tested in Debian's headless Chromium against the real bot, on the demo page as test_widget.py
opens it (its Chat and open_page). The route the button posts to is tested directly in
test_report_route.py.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Locator, expect

from bot.reports import READ_INTRO, Problem
from tests.channels.test_widget import (
    WAIT_MS,
    Chat,
    open_page,
)
from tests.reports.test_read import drawn_page
from tests.stack import Stack

pytestmark = pytest.mark.stack

UPLOAD_LABEL = "Send a photo or PDF of your lab report"  # embed.js names the button so
WBC_LINE = "WBC 3.2 x10^3/uL (4.0-10.5) L"
READ_WAIT_MS = 90_000  # OCR of a page takes seconds; much longer on a loaded CI machine
MAX_BYTES = 10 * 1024 * 1024  # REPORT_MAX_BYTES of the shared test bot: the default


def noise_png(min_bytes: int) -> bytes:
    """A real image larger than `min_bytes` (noise does not compress)."""
    side = int(min_bytes**0.5) + 300  # one byte a pixel (grayscale)
    out = io.BytesIO()
    Image.effect_noise((side, side), 90).save(out, format="PNG")
    assert len(out.getvalue()) > min_bytes
    return out.getvalue()


def messages(chat: Chat) -> Locator:
    """The chat's messages, the bot's and the visitor's."""
    return chat.page.locator(".rw-messages-container")


def open_chat(browser: Browser, stack: Stack, width: int = 1280, height: int = 800) -> Chat:
    """The demo page with the chat open, its file chooser caught by the test.

    Playwright starts catching file choosers when the first listener is added, without waiting
    for the browser to confirm; a listener added this early is in place before any click.
    """
    chat = open_page(browser, stack.page_url, width=width, height=height)
    chat.page.on("filechooser", lambda _: None)
    chat.open()
    return chat


def choose_file(chat: Chat, payload: FilePayload) -> None:
    """Opens the file chooser with the upload button from the keyboard and picks `payload`."""
    button = chat.page.get_by_role("button", name=UPLOAD_LABEL)
    button.focus()
    expect(button).to_be_focused()
    with chat.page.expect_file_chooser() as chooser:
        chat.page.keyboard.press("Enter")
    assert chooser.value.element.get_attribute("accept") == "image/*,application/pdf"
    chooser.value.set_files(payload)


def test_report_photo_is_read_into_the_chat_at_phone_width(browser: Browser, stack: Stack) -> None:
    """A report photo is read into the chat at phone width (375 px).

    The button opens the file chooser from the keyboard; the lines read and the verdict appear in
    the chat, and a typed follow-up is answered in the same conversation.
    """
    chat = open_chat(browser, stack, width=375, height=667)
    try:
        session = chat.session_id()
        expect(chat.page.get_by_role("button", name=UPLOAD_LABEL)).to_be_in_viewport()
        choose_file(chat, {"name": "report.png", "mimeType": "image/png", "buffer": drawn_page()})
        expect(messages(chat)).to_contain_text(READ_INTRO, timeout=READ_WAIT_MS)
        expect(messages(chat)).to_contain_text(WBC_LINE)
        verdict = chat.page.locator(".rw-response", has_text="3,200")  # the bot's answer to it
        expect(verdict.first).to_contain_text("low", timeout=WAIT_MS)
        expect(chat.page.locator(".wbc-upload-note")).to_be_hidden(timeout=WAIT_MS)
        chat.screenshot("report")
        widest = chat.page.evaluate(
            """() => Math.max(...[...document.querySelectorAll('#wbc-chat *')]
                .map((element) => element.getBoundingClientRect().right))"""
        )
        assert widest <= 375
        assert chat.page.evaluate("document.documentElement.scrollWidth") <= 375
        answer = chat.send("is that normal?")
        expect(answer).to_contain_text("3,200")  # the count read from the report
        assert chat.session_id() == session
        assert chat.console_errors == []  # the upload passed the page's Content-Security-Policy
        assert chat.outside_requests() == []
    finally:
        chat.page.context.close()


# Files the bot cannot read, made when a test needs them (one is over 10 MB).
UNREADABLE: dict[str, tuple[Callable[[], FilePayload], Problem]] = {
    "wrong-type": (
        lambda: {"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"PK\x03\x04"},
        Problem.WRONG_TYPE,
    ),
    "oversize": (
        lambda: {"name": "scan.png", "mimeType": "image/png", "buffer": noise_png(MAX_BYTES)},
        Problem.TOO_BIG,
    ),
}


@pytest.mark.parametrize("kind", UNREADABLE)
def test_a_file_that_cannot_be_read_gets_its_friendly_reply(
    browser: Browser, stack: Stack, kind: str
) -> None:
    """A file that cannot be read gets its friendly reply in the chat.

    A file of the wrong kind (named like a PDF) and one over REPORT_MAX_BYTES each get the plain
    reply that says what to do instead.
    """
    make_file, problem = UNREADABLE[kind]
    chat = open_chat(browser, stack)
    try:
        choose_file(chat, make_file())
        expect(messages(chat)).to_contain_text(problem.text, timeout=READ_WAIT_MS)
        # The reply is in the chat, so no note about a failed upload contradicts it.
        expect(chat.page.locator(".wbc-upload-note")).to_be_hidden(timeout=WAIT_MS)
        expect(chat.input).to_be_enabled()
        assert chat.outside_requests() == []
    finally:
        chat.page.context.close()


def test_a_link_in_a_report_line_is_shown_as_text(browser: Browser, stack: Stack) -> None:
    """A link in a PDF report line is shown as written in the bubble.

    The only links in the chat are the bot's own sources (https).
    """
    from tests.channels.test_report_upload import PLANTED, planted_pdf

    chat = open_chat(browser, stack)
    try:
        pdf = {"name": "report.pdf", "mimeType": "application/pdf", "buffer": planted_pdf()}
        choose_file(chat, pdf)  # type: ignore[arg-type]
        expect(messages(chat)).to_contain_text(PLANTED, timeout=READ_WAIT_MS)
        verdict = chat.page.locator(".rw-response", has_text="3,200")
        expect(verdict.first).to_be_visible(timeout=WAIT_MS)
        links = chat.page.locator(".rw-message a")
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert hrefs and all(href.startswith("https://") for href in hrefs), hrefs
        assert not any("evil.example" in href for href in hrefs)
    finally:
        chat.page.context.close()
