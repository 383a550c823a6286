"""The chat widget on the demo page, in Debian's headless Chromium, against the real bot.

Playwright drives /usr/bin/chromium (never a downloaded browser). Every test gets a fresh
browser context (empty storage), and every request the page makes is recorded: none may leave
the machine. Screenshots go to results/screenshots/ for a person to look at (the README shows
two of them, copied to docs/images/ by hand).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    Request,
    Response,
    ViewportSize,
    expect,
)

from tests.stack import ROOT, Stack, free_port, stored_events

pytestmark = pytest.mark.stack

SCREENSHOTS = ROOT / "results" / "screenshots"
WAIT_MS = 20_000  # a bot turn takes well under a second; this is for a loaded CI machine

# The names embed.js gives the widget's controls (the widget itself has none).
OPEN_LABEL = "Open the lab results chat"
CLOSE_LABEL = "Close the lab results chat"
INPUT_LABEL = "Your question"
LOG_LABEL = "Conversation with the lab results helper"
CLEAR_LABEL = "Clear chat"

STORAGE_KEY = "chat_session"  # where rasa-webchat keeps the session id and the messages
SESSION, LOCAL = "sessionStorage", "localStorage"

INJECTION = "<img src=x onerror=alert(1)>"

# The demo page as a site would write it with a data-storage attribute on the embed tag: it is
# set as the parser inserts the tag, before the (deferred) script runs. (A changed copy of the
# page served by page.route counts as a public page for Chromium, which then may not connect to
# the bot on the loopback interface.)
DATA_STORAGE = """new MutationObserver((changes, observer) => {
    const tag = document.querySelector('script[src="embed.js"]');
    if (tag) {
        tag.dataset.storage = %s;
        observer.disconnect();
    }
}).observe(document, { childList: true, subtree: true });"""


def widget_conversation(session: str) -> str:
    """The conversation id of a widget's signed session id (channels/identity.py)."""
    return f"widget:{session.partition('.')[0]}"


def is_local(url: str) -> bool:
    """True for a URL that stays on this machine: loopback hosts, data: and blob: URLs."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Chat:
    """The demo page in one fresh browser context, and what it did."""

    page: Page
    urls: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @property
    def input(self) -> Locator:
        return self.page.get_by_role("textbox", name=INPUT_LABEL)

    @property
    def bot_groups(self) -> Locator:
        """The bot's turns: consecutive bot messages share one group."""
        return self.page.locator(".rw-group-message.rw-from-response")

    @property
    def user_texts(self) -> Locator:
        return self.page.locator(".rw-from-client .rw-message-text")

    def open(self) -> None:
        """Opens the chat with the launcher and waits for the greeting and its buttons."""
        self.page.get_by_role("button", name=OPEN_LABEL).click()
        expect(self.input).to_be_enabled(timeout=WAIT_MS)
        expect(self.page.locator(".rw-reply").first).to_be_visible(timeout=WAIT_MS)

    def send(self, text: str) -> Locator:
        """Types `text`, presses Enter; the bot's turn that answers it."""
        turns = self.bot_groups.count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.bot_groups).to_have_count(turns + 1, timeout=WAIT_MS)
        return self.bot_groups.nth(turns)

    def stored(self, storage: str = SESSION) -> str | None:
        """What the widget keeps in `storage` (sessionStorage unless the page asks for more)."""
        value = self.page.evaluate(f"{storage}.getItem('{STORAGE_KEY}')")
        return None if value is None else str(value)

    def session_id(self, storage: str = SESSION) -> str:
        stored = self.stored(storage)
        assert stored is not None, f"no conversation in {storage}"
        return str(json.loads(stored)["session_id"])

    def outside_requests(self) -> list[str]:
        return [url for url in self.urls if not is_local(url)]

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"widget-{name}.png"), animations="disabled")


def open_page(
    browser: Browser, url: str, width: int = 1280, height: int = 800, storage: str = ""
) -> Chat:
    """`url` in a new browser context; `storage` goes into the embed tag's data-storage."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(WAIT_MS)
    if storage:
        context.add_init_script(DATA_STORAGE % json.dumps(storage))
    chat = Chat(context.new_page())

    def on_dialog(dialog: Dialog) -> None:
        chat.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            chat.console_errors.append(message.text)

    context.on("request", lambda request: chat.urls.append(request.url))
    chat.page.on("websocket", lambda socket: chat.urls.append(socket.url))
    chat.page.on("dialog", on_dialog)
    chat.page.on("console", on_console)
    chat.page.goto(url)
    return chat


@pytest.fixture
def chat(browser: Browser, stack: Stack) -> Iterator[Chat]:
    """The demo page at desktop size; afterwards, no request may have left the machine."""
    page = open_page(browser, stack.page_url)
    yield page
    page.page.context.close()
    assert page.outside_requests() == [], "the page contacted another machine"


def test_value_answer_shows_number_sources_and_disclaimer(chat: Chat) -> None:
    """A typed count comes back explained, with safe source links and the emergency note."""
    chat.open()
    answer = chat.send("my wbc is 3.2")
    expect(answer).to_contain_text("3,200")
    expect(answer).to_contain_text("emergency")
    links = answer.locator("a[href^='https://']")
    expect(links.first).to_be_visible()
    for index in range(links.count()):
        link = links.nth(index)
        assert link.get_attribute("target") == "_blank"
        assert {"noopener", "noreferrer"} <= set((link.get_attribute("rel") or "").split())
    chat.screenshot("answer")
    assert chat.console_errors == []  # nothing blocked by the page's Content-Security-Policy
    assert any("/socket.io/" in url for url in chat.urls)  # it really used the bot's Socket.IO


def test_button_sends_its_payload(chat: Chat, stack: Stack) -> None:
    """Clicking a button shows its title as the visitor's message and gets the bot's answer."""
    sender = f"widget-{uuid.uuid4().hex}"
    stack.post(sender, "hello")
    expected = stack.post(sender, "/ask_causes")[0]["text"].split(".")[0]
    chat.open()
    turns = chat.bot_groups.count()
    chat.page.locator(".rw-reply", has_text="What could cause this?").click()
    expect(chat.user_texts.last).to_have_text("What could cause this?")
    expect(chat.bot_groups.nth(turns)).to_contain_text(expected, timeout=WAIT_MS)


def test_conversation_survives_reload(chat: Chat, browser: Browser, stack: Stack) -> None:
    """After a reload the history is shown and the bot still remembers the conversation; it is
    kept in sessionStorage only, so a new browser (closing this one) starts a new one."""
    chat.open()
    expect(chat.send("my wbc is 3.2")).to_contain_text("3,200")
    session = chat.session_id()
    assert chat.stored(LOCAL) is None
    chat.page.reload()
    expect(chat.page.get_by_text("my wbc is 3.2", exact=True)).to_be_visible()
    expect(chat.bot_groups.last).to_contain_text("3,200")
    expect(chat.input).to_be_enabled(timeout=WAIT_MS)
    chat.screenshot("after-reload")
    assert chat.session_id() == session
    # The bot answers with the count it was told before the reload, now for a child's range.
    answer = chat.send("I am 8 years old")
    expect(answer).to_contain_text("3,200")
    expect(answer).to_contain_text(re.compile("child|year-old"))
    assert chat.stored(LOCAL) is None
    other = open_page(browser, stack.page_url)  # as after closing the browser
    try:
        expect(other.page.get_by_role("button", name=OPEN_LABEL)).to_be_visible()
        expect(other.page.get_by_text("my wbc is 3.2", exact=True)).to_have_count(0)
        assert other.stored(SESSION) is None
        assert other.stored(LOCAL) is None
    finally:
        other.page.context.close()


def test_data_storage_local_keeps_the_conversation_in_local_storage(
    browser: Browser, stack: Stack
) -> None:
    """With data-storage="local" the conversation is in localStorage: another tab of the same
    browser (which has its own sessionStorage) shows it, in the same conversation."""
    chat = open_page(browser, stack.page_url, storage="local")
    try:
        chat.open()
        expect(chat.send("my wbc is 3.2")).to_contain_text("3,200")
        session = chat.session_id(LOCAL)
        assert chat.stored(SESSION) is None
        tab = Chat(chat.page.context.new_page())
        tab.page.goto(stack.page_url)
        expect(tab.page.get_by_text("my wbc is 3.2", exact=True)).to_be_visible()
        assert tab.session_id(LOCAL) == session
        assert chat.outside_requests() == []
    finally:
        chat.page.context.close()


def test_forget_my_data_erases_the_browser_copy_too(chat: Chat, stack: Stack) -> None:
    """After "forget my data" a reload shows an empty chat in a new conversation."""
    chat.open()
    expect(chat.send("my wbc is 3.2")).to_contain_text("3,200")
    session = chat.session_id()
    assert stored_events(stack, widget_conversation(session)) > 0
    expect(chat.send("forget my data")).to_contain_text("erased")
    chat.page.wait_for_function(  # the conversation left sessionStorage at once
        f"() => !(sessionStorage.getItem('{STORAGE_KEY}') || '').includes('{session}')"
    )
    chat.page.reload()
    expect(chat.page.get_by_text("my wbc is 3.2", exact=True)).to_have_count(0)
    chat.open()
    assert chat.session_id() != session
    # The server forgot too: the old conversation no longer knows the count.
    assert stored_events(stack, widget_conversation(session)) == 0


def test_clear_chat_button_empties_the_chat_and_the_bot_forgets(chat: Chat, stack: Stack) -> None:
    """Clear chat, a named header button reached with the keyboard (with a visible focus ring),
    erases the conversation on the server and in the browser and starts an empty one."""
    chat.open()
    expect(chat.send("my wbc is 3.2")).to_contain_text("3,200")
    session = chat.session_id()
    clear = chat.page.get_by_role("button", name=CLEAR_LABEL)
    expect(clear).to_be_visible()
    for _ in range(30):  # back from the input, past the answer buttons and links
        chat.page.keyboard.press("Shift+Tab")
        if clear.evaluate("(button) => button === document.activeElement"):
            break
    expect(clear).to_be_focused()
    ring = clear.evaluate("(button) => getComputedStyle(button).outlineStyle")
    assert ring == "solid", "no visible focus on Clear chat"
    chat.page.keyboard.press("Enter")
    expect(chat.page.get_by_text("my wbc is 3.2", exact=True)).to_have_count(0, timeout=WAIT_MS)
    expect(chat.page.locator(".rw-messages-container")).not_to_contain_text("3,200")
    expect(chat.input).to_be_focused(timeout=WAIT_MS)  # open and ready for a new question
    expect(chat.page.get_by_role("status")).to_have_text(re.compile("cleared"))
    expect(chat.page.locator(".rw-reply").first).to_be_visible(timeout=WAIT_MS)
    assert chat.session_id() != session  # a new conversation
    chat.screenshot("cleared")
    # The new conversation does not know the count, and the old one was erased on the server.
    assert "3,200" not in (chat.send("is that normal?").inner_text())
    assert stored_events(stack, widget_conversation(session)) == 0
    chat.page.reload()
    expect(chat.page.get_by_text("is that normal?", exact=True)).to_be_visible()
    expect(chat.page.get_by_text("my wbc is 3.2", exact=True)).to_have_count(0)
    assert chat.stored(LOCAL) is None


def test_user_text_is_shown_literally(chat: Chat) -> None:
    """Markup typed by the visitor is shown as text and never runs."""
    chat.open()
    chat.send(INJECTION)
    expect(chat.user_texts.last).to_have_text(INJECTION)
    assert chat.page.locator(".rw-messages-container img").count() == 0
    chat.screenshot("injection")
    assert chat.dialogs == []


def test_keyboard_and_screen_reader_use(chat: Chat) -> None:
    """Named launcher, input and log; the chat works from the keyboard alone, buttons too."""
    launcher = chat.page.get_by_role("button", name=OPEN_LABEL)
    launcher.focus()
    chat.page.keyboard.press("Enter")
    expect(chat.input).to_be_focused(timeout=WAIT_MS)
    expect(chat.page.get_by_role("button", name=CLOSE_LABEL)).to_be_visible()
    log = chat.page.get_by_role("log", name=LOG_LABEL)
    expect(log).to_have_attribute("aria-live", "polite")
    button = chat.page.get_by_role("button", name="What is a normal count?")
    expect(button).to_be_visible(timeout=WAIT_MS)
    turns = chat.bot_groups.count()
    button.focus()
    chat.page.keyboard.press("Enter")
    expect(chat.user_texts.last).to_have_text("What is a normal count?")
    expect(chat.bot_groups).to_have_count(turns + 1, timeout=WAIT_MS)
    expect(chat.input).to_be_enabled()
    chat.input.focus()
    chat.page.keyboard.type("my wbc is 3.2")
    chat.page.keyboard.press("Enter")
    expect(log).to_contain_text("3,200", timeout=WAIT_MS)
    chat.page.get_by_role("button", name=CLOSE_LABEL).focus()  # the launcher, now a close button
    chat.page.keyboard.press("Enter")
    expect(log).to_have_count(0)
    expect(chat.page.get_by_role("button", name=OPEN_LABEL)).to_be_focused()


def test_usable_at_phone_width(browser: Browser, stack: Stack) -> None:
    """At 375 px the open chat fits the screen: nothing is cut off or scrolls sideways."""
    chat = open_page(browser, stack.page_url, width=375, height=667)
    try:
        expect(chat.page.get_by_role("button", name=OPEN_LABEL)).to_be_in_viewport()
        chat.open()
        expect(chat.send("my wbc is 3.2")).to_contain_text("3,200")
        widest = chat.page.evaluate(
            """() => Math.max(...[...document.querySelectorAll('#wbc-chat *')]
                .map((element) => element.getBoundingClientRect().right))"""
        )
        assert widest <= 375
        assert chat.page.evaluate("document.documentElement.scrollWidth") <= 375
        expect(chat.input).to_be_in_viewport()
        expect(chat.page.get_by_role("button", name=CLOSE_LABEL).first).to_be_in_viewport()
        chat.screenshot("phone")
        assert chat.outside_requests() == []
    finally:
        chat.page.context.close()


# One screen of the chat: the visible messages area at a desktop and at a phone size.
SCREENS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 375, "height": 667},
}
# What a visitor typically asks: what a count means, and a question on a topic.
TYPICAL = {"reading": "my wbc is 3.2", "topic": "what causes a low white count?"}
# The bot's turn: the summed heights of its bubbles (text and answer buttons), the height from
# the top of the first to the bottom of the last (with the gaps), and the visible messages area.
MEASURE_TURN = """(turn) => {
    const parts = [...turn.querySelectorAll('.rw-response, .rw-replies')]
        .map((part) => part.getBoundingClientRect());
    return {
        bubbles: Math.round(parts.reduce((sum, part) => sum + part.height, 0)),
        span: Math.round(Math.max(...parts.map((part) => part.bottom))
            - Math.min(...parts.map((part) => part.top))),
        visible: document.querySelector('.rw-messages-container').clientHeight,
    };
}"""


def test_typical_answers_fit_one_screen(browser: Browser, stack: Stack) -> None:
    """A reading and a topic answer, buttons included, each show whole without scrolling, at a
    desktop and at a phone size (each answer measured at both, while it is the last one)."""
    chat = open_page(browser, stack.page_url)
    try:
        chat.open()
        measured: dict[str, dict[str, dict[str, int]]] = {screen: {} for screen in SCREENS}
        for kind, text in TYPICAL.items():
            chat.page.set_viewport_size(SCREENS["desktop"])
            turn = chat.send(text)
            expect(turn.locator("a[href^='https://']").first).to_be_visible()  # sourced
            expect(turn.locator(".rw-reply").first).to_be_visible()  # the turn is complete
            for screen, size in SCREENS.items():
                chat.page.set_viewport_size(size)
                measured[screen][kind] = turn.evaluate(MEASURE_TURN)
                turn.evaluate("(turn) => turn.scrollIntoView()")  # its top at the chat's top
                chat.screenshot(f"fit-{screen}-{kind}")
        (SCREENSHOTS / "widget-fit.json").write_text(json.dumps(measured, indent=2) + "\n")
        too_tall = {
            f"{screen} {kind}": sizes
            for screen, kinds in measured.items()
            for kind, sizes in kinds.items()
            if sizes["span"] > sizes["visible"]
        }
        assert too_tall == {}, f"taller than the chat's messages area (px): {too_tall}"
        assert chat.outside_requests() == []
    finally:
        chat.page.context.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (base signature)
        """No line per request."""


@pytest.fixture
def other_site(tmp_path: Path, stack: Stack) -> Iterator[str]:
    """Someone else's page, on an origin that is not in CORS_ORIGINS, with the embed snippet."""
    snippet = f'<script src="{stack.page_url}embed.js" data-bot-url="{stack.bot_url}"></script>'
    (tmp_path / "index.html").write_text(
        f"<!doctype html><title>Another site</title><p>Another site</p>{snippet}"
    )
    handler = partial(QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_snippet_on_a_foreign_site_is_refused(browser: Browser, other_site: str) -> None:
    """The one-tag snippet loads the widget on another site, whose connection the bot refuses."""
    chat = open_page(browser, other_site)
    try:
        answered: list[str] = []

        def on_response(response: Response) -> None:
            if "/socket.io/" in response.url:
                answered.append(response.url)

        def is_socket_io(request: Request) -> bool:
            return "/socket.io/" in request.url

        chat.page.on("response", on_response)
        with chat.page.expect_event("requestfailed", is_socket_io):  # refused, no CORS header
            chat.page.get_by_role("button", name=OPEN_LABEL).click()
        expect(chat.input).to_be_visible()  # the widget itself loaded from the demo server
        chat.page.wait_for_timeout(500)  # time for a wrongly accepted connection to enable it
        assert answered == []
        expect(chat.input).to_be_disabled()
        assert chat.outside_requests() == []
    finally:
        chat.page.context.close()


def engine_io_handshake(stack: Stack, origin: str, transport: str) -> http.client.HTTPResponse:
    """The first request of a Socket.IO client, as a browser on `origin` would send it."""
    headers = {"Origin": origin}
    if transport == "websocket":
        headers |= {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
        }
    connection = http.client.HTTPConnection("127.0.0.1", int(stack.values["RASA_PORT"]), timeout=10)
    connection.request("GET", f"/socket.io/?EIO=4&transport={transport}", headers=headers)
    return connection.getresponse()


@pytest.mark.parametrize("transport", ["polling", "websocket"])
def test_socketio_refuses_other_origins(stack: Stack, transport: str) -> None:
    """A page on an origin that is not in CORS_ORIGINS cannot open a Socket.IO connection."""
    response = engine_io_handshake(stack, f"http://localhost:{free_port()}", transport)
    assert response.status == 400
    assert b"not an accepted origin" in response.read()


def test_socketio_accepts_the_demo_page_with_one_cors_header(stack: Stack) -> None:
    """The demo page's origin may connect, and gets exactly one Access-Control-Allow-Origin."""
    origin = stack.page_url.rstrip("/")
    response = engine_io_handshake(stack, origin, "polling")
    assert response.status == 200
    assert response.read().startswith(b"0{")  # engine.io "open" packet
    assert response.headers.get_all("Access-Control-Allow-Origin") == [origin]
