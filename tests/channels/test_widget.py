"""The chat widget on the demo page, in Debian's headless Chromium, against the real bot.

Playwright drives /usr/bin/chromium (never a downloaded browser). Every test gets a fresh
browser context (empty storage), and every request the page makes is recorded: none may leave
the machine. Screenshots go to results/screenshots/ for a person to look at (the README shows
two of them, copied to docs/images/ by hand; scripts/widget_screenshots.py takes the emergency
ones of docs/widget.md). axe-core (web/node_modules, installed by `make web`) checks the page.

Browser zoom is emulated as the browser does it: at 200 % a 1280x800 window lays the page out
in 640x400 CSS pixels, each drawn with 2x2 device pixels (viewport 640x400, device scale 2).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

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
REGION_LABEL = "Lab results chat"
NEW_TAB = "(opens in a new tab)"

STORAGE_KEY = "chat_session"  # where rasa-webchat keeps the session id and the messages
SESSION, LOCAL = "sessionStorage", "localStorage"

INJECTION = "<img src=x onerror=alert(1)>"
# What a frightened person types: a red flag and a very low count (emergency advice first).
EMERGENCY_MESSAGE = "I have trouble breathing and my wbc is 1.9"
EMERGENCY_CLASS = "wbc-emergency"  # channels/socketio.py tags emergency advice with it

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# axe's impacts, least first; moderate and above fail.
FAILING_IMPACTS = ("moderate", "serious", "critical")

# The demo page as a site would write it with data-* attributes on the embed tag (data-storage,
# data-color, data-label-open ...): they are set as the parser inserts the tag, before the
# (deferred) script runs. (A changed copy of the page served by page.route counts as a public
# page for Chromium, which then may not connect to the bot on the loopback interface.)
DATA_ATTRIBUTES = """new MutationObserver((changes, observer) => {
    const tag = document.querySelector('script[src="embed.js"]');
    if (tag) {
        Object.assign(tag.dataset, %s);
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

    def send_and_wait(self, text: str) -> Locator:
        """`send`, and waits until the turn is complete (its answer buttons come last)."""
        turn = self.send(text)
        expect(turn.locator(".rw-reply").first).to_be_visible(timeout=WAIT_MS)
        return turn

    def focused(self) -> str:
        """What has the focus: its accessible name, or its tag and class."""
        return str(
            self.page.evaluate(
                """() => {
                    const element = document.activeElement;
                    return element.getAttribute('aria-label') || element.textContent.trim()
                        || `${element.tagName}.${element.className}`;
                }"""
            )
        )

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
    browser: Browser,
    url: str,
    width: int = 1280,
    height: int = 800,
    storage: str = "",
    attributes: Mapping[str, str] | None = None,
    **context_options: Any,
) -> Chat:
    """Open `url` in a new browser context.

    `context_options` are Playwright's options (scale, locale, colour scheme ...); `storage` goes
    into the embed tag's data-storage, `attributes` into its dataset.
    """
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    context.set_default_timeout(WAIT_MS)
    dataset = {**({"storage": storage} if storage else {}), **(attributes or {})}
    if dataset:
        context.add_init_script(DATA_ATTRIBUTES % json.dumps(dataset))
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
    """The conversation survives a reload; a new browser starts a new one.

    After a reload the history is shown and the bot still remembers the conversation; it is kept in
    sessionStorage only, so a new browser (closing this one) starts a new one.
    """
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
    """With data-storage="local" the conversation is kept in localStorage.

    Another tab of the same browser (which has its own sessionStorage) shows it, in the same
    conversation.
    """
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
    """The Clear chat button empties the chat and the bot forgets.

    Clear chat, a named header button reached with the keyboard (with a visible focus ring), erases
    the conversation on the server and in the browser and starts an empty one.
    """
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


def test_keyboard_only_walk_through(chat: Chat) -> None:
    """A keyboard-only walk through the chat.

    From the keyboard alone: Tab to the launcher, open, type, send, press an answer button (the
    focus comes back to the input), scroll the log, Escape (the focus is on the launcher). The
    launcher, input, log, region and dialog have names; the page's header links the open chat covers
    take no focus until it closes.
    """
    header_links = chat.page.get_by_role("navigation", name="Main").get_by_role("link")
    launcher = chat.page.get_by_role("button", name=OPEN_LABEL)
    for _ in range(10):
        chat.page.keyboard.press("Tab")
        if launcher.evaluate("(button) => button === document.activeElement"):
            break
    expect(launcher).to_be_focused()
    chat.page.keyboard.press("Enter")
    expect(chat.input).to_be_focused(timeout=WAIT_MS)
    expect(chat.page.get_by_role("region", name=REGION_LABEL)).to_be_attached()
    expect(chat.page.get_by_role("dialog", name="Lab results helper")).to_be_visible()
    # The title is the level after the page's sections (h2), not the widget's h4.
    title = chat.page.get_by_role("heading", name="Lab results helper")
    expect(title).to_have_count(1)
    expect(title).to_have_js_property("tagName", "H2")
    log = chat.page.get_by_role("log", name=LOG_LABEL)
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_attribute("tabindex", "0")
    expect(chat.page.locator(".rw-reply").first).to_be_visible(timeout=WAIT_MS)

    chat.page.keyboard.type("my wbc is 3.2")
    chat.page.keyboard.press("Enter")
    expect(log).to_contain_text("3,200", timeout=WAIT_MS)
    button = chat.page.get_by_role("button", name="What could cause this?")
    expect(button).to_be_visible(timeout=WAIT_MS)
    for _ in range(20):  # back from the input to the answer button
        chat.page.keyboard.press("Shift+Tab")
        if button.evaluate("(button) => button === document.activeElement"):
            break
    expect(button).to_be_focused()
    turns = chat.bot_groups.count()
    chat.page.keyboard.press("Enter")
    expect(chat.user_texts.last).to_have_text("What could cause this?")
    expect(chat.input).to_be_focused(timeout=WAIT_MS)  # not lost to <body>
    expect(chat.bot_groups).to_have_count(turns + 1, timeout=WAIT_MS)

    # The open chat covers the header's last links: they take no focus, whatever is tabbed.
    panel = chat.page.locator(".rw-conversation-container").bounding_box()
    assert panel is not None
    covered = [
        index
        for index in range(header_links.count())
        if overlaps(header_links.nth(index).bounding_box(), panel)
    ]
    assert covered, "the open chat no longer covers a header link: this check checks nothing"
    reached = []
    for _ in range(30):
        chat.page.keyboard.press("Tab")
        reached.append(chat.focused())
    for index in covered:
        link = header_links.nth(index)
        assert link.inner_text() not in reached, f"{link.inner_text()} is behind the chat"
        expect(link).to_have_attribute("inert", "")

    log.focus()  # the log scrolls with the keyboard
    chat.page.keyboard.press("Home")
    chat.page.wait_for_function(
        "() => document.querySelector('.rw-messages-container').scrollTop === 0"
    )
    chat.page.keyboard.press("Escape")
    expect(log).to_have_count(0)
    expect(chat.page.get_by_role("button", name=OPEN_LABEL)).to_be_focused()
    for index in covered:
        expect(header_links.nth(index)).not_to_have_attribute("inert", "")


def overlaps(box: Mapping[str, float] | None, other: Mapping[str, float]) -> bool:
    """Whether two of Playwright's bounding boxes overlap."""
    if box is None:
        return False
    return (
        box["x"] < other["x"] + other["width"]
        and other["x"] < box["x"] + box["width"]
        and box["y"] < other["y"] + other["height"]
        and other["y"] < box["y"] + box["height"]
    )


def test_on_a_small_screen_the_open_chat_is_modal(browser: Browser, stack: Stack) -> None:
    """On a small screen (below 800 px) the open chat is a modal dialog that fills the screen.

    The page behind it is inert, Tab and Shift+Tab go round inside it, Escape closes it and the page
    is back.
    """
    chat = open_page(browser, stack.page_url, width=375, height=667)
    try:
        launcher = chat.page.get_by_role("button", name=OPEN_LABEL)
        launcher.focus()
        chat.page.keyboard.press("Enter")
        expect(chat.input).to_be_focused(timeout=WAIT_MS)
        dialog = chat.page.get_by_role("dialog", name="Lab results helper")
        expect(dialog).to_have_attribute("aria-modal", "true")
        expect(chat.page.locator(".rw-reply").first).to_be_visible(timeout=WAIT_MS)
        for landmark in ("banner", "main", "contentinfo"):  # inert: no focus, no clicks
            behind = chat.page.get_by_role(landmark).element_handle()
            chat.page.wait_for_function(  # made inert on the frame after the chat opened
                "(element) => element.closest('[inert]') !== null", arg=behind, timeout=WAIT_MS
            )
        for key in ("Tab", "Shift+Tab"):
            for _ in range(25):
                chat.page.keyboard.press(key)
                assert dialog.evaluate("(dialog) => dialog.contains(document.activeElement)"), (
                    f"{key} left the chat for {chat.focused()}"
                )
        chat.page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        expect(chat.page.get_by_role("button", name=OPEN_LABEL)).to_be_focused()
        # The page is given back on the next frame after the widget re-renders closed.
        expect(chat.page.locator("[inert]")).to_have_count(0, timeout=WAIT_MS)
    finally:
        chat.page.context.close()


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
    """Typical answers fit one screen.

    A reading and a topic answer, buttons included, each show whole without scrolling, at a desktop
    and at a phone size (each answer measured at both, while it is the last one).
    """
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


# Sizes at which a reply is often taller than the chat: the smallest phones in use, a common
# phone, a desktop, and a desktop at 200 % browser zoom (see the module's docstring).
SMALL_SCREENS: dict[str, dict[str, Any]] = {
    "320x568": {"width": 320, "height": 568},
    "375x667": {"width": 375, "height": 667},
    "1280x800": {"width": 1280, "height": 800},
    "1280x800-zoom-200": {"width": 640, "height": 400, "device_scale_factor": 2},
}
REPLIES = {**TYPICAL, "emergency": EMERGENCY_MESSAGE}
# Where the bot's newest turn starts and how much of it the log shows, in CSS px.
MEASURE_FIRST_LINE = """(turn) => {
    const log = document.querySelector('.rw-messages-container').getBoundingClientRect();
    const first = turn.querySelector('.rw-response').getBoundingClientRect();
    const line = parseFloat(getComputedStyle(turn.querySelector('.rw-response')).lineHeight);
    const call = turn.querySelector('a.wbc-call-link');
    const callBox = call && call.getBoundingClientRect();
    return {
        log_top: Math.round(log.top), log_bottom: Math.round(log.bottom),
        reply_top: Math.round(first.top),
        reply_height: Math.round(turn.getBoundingClientRect().height),
        line: Math.round(line) || 24,
        call_top: callBox && Math.round(callBox.top),
        call_bottom: callBox && Math.round(callBox.bottom),
    };
}"""


@pytest.mark.parametrize("screen", SMALL_SCREENS)
def test_each_reply_shows_from_its_first_line(browser: Browser, stack: Stack, screen: str) -> None:
    """Each reply shows from its first line.

    Right after each reply arrives (a reading, a topic answer, emergency advice), its first line is
    in view at the top of the chat, not scrolled past (the widget scrolls to the end); the emergency
    advice's call link shows too, without scrolling.
    """
    size = dict(SMALL_SCREENS[screen])
    chat = open_page(
        browser,
        stack.page_url,
        width=size.pop("width"),
        height=size.pop("height"),
        locale="en-GB",
        **size,
    )
    try:
        chat.open()
        measured = {}
        for kind, text in REPLIES.items():
            turn = chat.send_and_wait(text)
            figures = turn.evaluate(MEASURE_FIRST_LINE)
            measured[kind] = figures
            chat.screenshot(f"first-line-{screen}-{kind}")
            assert figures["reply_top"] >= figures["log_top"], (kind, figures)
            assert figures["reply_top"] + figures["line"] <= figures["log_bottom"], (kind, figures)
            if figures["reply_height"] > figures["log_bottom"] - figures["log_top"]:
                assert figures["reply_top"] - figures["log_top"] <= 16, (
                    kind,
                    figures,
                )  # at the top
            if kind == "emergency":
                assert figures["call_top"] is not None, "no call link"
                assert figures["log_top"] <= figures["call_top"], figures
                assert figures["call_bottom"] <= figures["log_bottom"], figures
        path = SCREENSHOTS / f"widget-first-line-{screen}.json"
        path.write_text(json.dumps(measured, indent=2) + "\n")
        assert chat.outside_requests() == []
    finally:
        chat.page.context.close()


@pytest.mark.parametrize(
    ("locale", "number", "others"),
    [
        ("en-GB", "999", ("911", "112")),
        ("en-US", "911", ("112", "999")),
        ("de-DE", "112", ("911", "999")),
        ("ja-JP", "911", ("112", "999")),  # no number for Japan: the first one
    ],
)
def test_emergency_advice_looks_like_one_with_one_call_link(
    browser: Browser, stack: Stack, locale: str, number: str, others: tuple[str, ...]
) -> None:
    """Emergency advice looks like one, with one call link.

    It has a bubble of its own (border and background not those of an answer, a label with an icon,
    so not colour alone) and one tel: link, for the number of the browser's region; the others are
    listed, not links. No other tel: link is kept.
    """
    chat = open_page(browser, stack.page_url, width=375, height=667, locale=locale)
    try:
        chat.open()
        turn = chat.send_and_wait(EMERGENCY_MESSAGE)
        bubble = turn.locator(f".rw-response.{EMERGENCY_CLASS}")
        expect(bubble).to_have_count(1)
        expect(bubble).to_contain_text("Seek emergency care now")
        label = bubble.locator(".wbc-emergency-label")
        expect(label).to_have_text("Emergency")
        expect(label.locator("svg")).to_have_count(1)
        styles = """(bubble) => {
            const style = getComputedStyle(bubble);
            return [style.backgroundColor, style.borderLeftWidth, style.borderLeftColor];
        }"""
        answer = turn.locator(f".rw-response:not(.{EMERGENCY_CLASS})").first
        assert bubble.evaluate(styles) != answer.evaluate(styles)
        calls = chat.page.locator("a[href^='tel:']")
        expect(calls).to_have_count(1)
        expect(calls).to_have_attribute("href", f"tel:{number}")
        expect(calls).to_contain_text(number)
        assert calls.get_attribute("target") is None  # a call, not a new tab
        listed = bubble.locator(".wbc-call-others")
        for other in others:
            expect(listed).to_contain_text(other)
        chat.screenshot(f"emergency-{locale}")
        # A tel: link anywhere else in the messages (the bot never writes one) is not a link.
        chat.page.evaluate(
            """() => {
                const bubble = document.querySelector('.rw-message .rw-markdown');
                const link = document.createElement('a');
                link.href = 'tel:+15550100';
                link.id = 'planted';
                link.textContent = 'call me';
                bubble.appendChild(link);
            }"""
        )
        expect(chat.page.locator("#planted")).not_to_have_attribute("href", re.compile("."))
        # After a reload the advice keeps its style and its call link.
        chat.page.reload()
        expect(
            chat.page.locator(f".rw-response.{EMERGENCY_CLASS} a.wbc-call-link")
        ).to_have_attribute("href", f"tel:{number}")
    finally:
        chat.page.context.close()


def relative_luminance(color: str) -> float:
    """WCAG's relative luminance of a CSS rgb()/rgba() colour (alpha ignored)."""
    red, green, blue = (int(part) for part in re.findall(r"[\d.]+", color)[:3])

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The focused element's ring and the colour it is drawn on: the element's own background for a
# ring drawn inside it (negative offset), else the first opaque background behind it.
RING = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const opaque = (node) => {
        for (; node && node.nodeType === 1; node = node.parentElement) {
            const color = getComputedStyle(node).backgroundColor;
            if (!/rgba\\(.*, 0\\)$/.test(color) && color !== 'transparent') return color;
        }
        return getComputedStyle(document.documentElement).backgroundColor;
    };
    const inside = parseFloat(style.outlineOffset) < 0;
    return {
        name: element.getAttribute('aria-label') || element.textContent.trim().slice(0, 40)
            || element.className,
        ring: style.outlineColor,
        width: parseFloat(style.outlineWidth),
        ring_style: style.outlineStyle,
        behind: inside ? opaque(element) : opaque(element.parentElement),
    };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_contrasts_everywhere(browser: Browser, stack: Stack, scheme: str) -> None:
    """The focus ring contrasts everywhere.

    Every control of the open chat, the emergency call link and the launcher, reached with Tab,
    shows a ring of at least 3 px with a contrast of at least 3:1 against what it is on.
    """
    chat = open_page(
        browser, stack.page_url, width=1280, height=800, color_scheme=scheme, locale="en-GB"
    )
    try:
        chat.open()
        chat.send_and_wait(EMERGENCY_MESSAGE)
        chat.input.focus()
        rings: dict[str, dict[str, Any]] = {}
        for _ in range(40):
            chat.page.keyboard.press("Tab")
            ring = chat.page.evaluate(RING)
            if not chat.page.evaluate(
                "document.getElementById('wbc-chat-region').contains(document.activeElement)"
            ):
                continue  # the page's own links
            ring["contrast"] = round(contrast(ring["ring"], ring["behind"]), 2)
            rings[ring["name"]] = ring
        (SCREENSHOTS / f"widget-focus-{scheme}.json").write_text(json.dumps(rings, indent=2) + "\n")
        names = set(rings)
        for expected in (CLEAR_LABEL, LOG_LABEL, INPUT_LABEL, CLOSE_LABEL, "Call 999 (UK)"):
            assert any(expected in name for name in names), f"Tab never reached {expected}: {names}"
        weak = {
            name: ring
            for name, ring in rings.items()
            if ring["ring_style"] != "solid" or ring["width"] < 3 or ring["contrast"] < 3
        }
        assert weak == {}, f"focus rings under 3:1 or 3 px: {weak}"
    finally:
        chat.page.context.close()


PLACEHOLDER = """(input) => [
    getComputedStyle(input, '::placeholder').color, getComputedStyle(input).backgroundColor,
]"""


def test_dark_mode_and_reduced_motion_are_honoured(browser: Browser, stack: Stack) -> None:
    """Dark mode and reduced motion are honoured.

    With a dark colour scheme the chat is dark (text and placeholder at AA contrast); with reduced
    motion nothing slides in or turns. In light mode the placeholder is 4.5:1 too.
    """
    chat = open_page(browser, stack.page_url, color_scheme="dark", reduced_motion="reduce")
    try:
        chat.page.get_by_role("button", name=OPEN_LABEL).click()
        container = chat.page.locator(".rw-conversation-container")
        expect(container).to_be_visible()
        animated = """() => [...document.querySelectorAll(
            '.rw-conversation-container, .rw-launcher, .rw-launcher img')]
            .map((element) => getComputedStyle(element).animationName)
            .filter((name) => name !== 'none')"""
        assert chat.page.evaluate(animated) == []
        expect(chat.input).to_be_enabled(timeout=WAIT_MS)
        log = chat.page.locator(".rw-messages-container")
        background = log.evaluate("(log) => getComputedStyle(log).backgroundColor")
        assert relative_luminance(background) < 0.05, f"not dark: {background}"
        bubble = chat.page.locator(".rw-response").first
        text, fill = bubble.evaluate(
            "(b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
        )
        assert contrast(text, fill) >= 4.5
        dark_placeholder = contrast(*chat.input.evaluate(PLACEHOLDER))
        assert dark_placeholder >= 4.5, dark_placeholder
        chat.page.emulate_media(color_scheme="light", reduced_motion="no-preference")
        light_placeholder = contrast(*chat.input.evaluate(PLACEHOLDER))
        assert light_placeholder >= 4.5, light_placeholder
        assert relative_luminance(log.evaluate("(l) => getComputedStyle(l).backgroundColor")) > 0.9
    finally:
        chat.page.context.close()


def test_labels_and_colours_come_from_the_embed_tag(browser: Browser, stack: Stack) -> None:
    """data-label-*, data-title and data-color change the chat's names and main colour.

    On a light main colour the text is dark, so it stays readable.
    """
    attributes = {
        "labelOpen": "Chat with a helper",
        "labelRegion": "Helper chat",
        "title": "Ask about your results",
        "color": "#ffd400",
    }
    chat = open_page(browser, stack.page_url, attributes=attributes)
    try:
        chat.page.get_by_role("button", name="Chat with a helper").click()
        expect(chat.page.get_by_role("region", name="Helper chat")).to_be_attached()
        header = chat.page.locator(".rw-header")
        expect(header).to_contain_text("Ask about your results")
        expect(
            chat.page.get_by_role("heading", name="Ask about your results", level=2)
        ).to_be_visible()
        fill, text = header.evaluate(
            "(h) => [getComputedStyle(h).backgroundColor, getComputedStyle(h).color]"
        )
        assert fill == "rgb(255, 212, 0)"
        assert contrast(text, fill) >= 4.5
    finally:
        chat.page.context.close()


def axe_violations(chat: Chat) -> list[dict[str, Any]]:
    """axe-core's violations of impact moderate and above on the whole page, as it is now."""
    if not chat.page.evaluate("typeof window.axe !== 'undefined'"):
        assert AXE.exists(), "axe-core is not installed: run `make web`"
        chat.page.evaluate(AXE.read_text())  # not a <script>: the page's CSP allows none
    # Colours are judged as they settle: a bubble still fading or sliding in has a contrast on
    # its way to its own (finite animations are waited for; a looping one would never end).
    found = chat.page.evaluate(
        """async () => {
            const finite = document.getAnimations().filter(
                (a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
            await Promise.all(finite.map((a) => a.finished.catch(() => null)));
            return (await axe.run(document, { resultTypes: ['violations'] })).violations
                .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((node) => node.target.join(' ')) }));
        }"""
    )
    return [violation for violation in found if violation["impact"] in FAILING_IMPACTS]


@pytest.mark.parametrize(
    ("scheme", "width", "height"),
    [("light", 1280, 800), ("dark", 1280, 800), ("light", 375, 667), ("dark", 375, 667)],
    ids=["light-desktop", "dark-desktop", "light-phone", "dark-phone"],
)
def test_axe_finds_nothing_moderate_or_worse(
    browser: Browser, stack: Stack, scheme: str, width: int, height: int
) -> None:
    """axe-core, injected into the page, finds no violation of impact moderate, serious or critical.

    With the chat closed, and open after a reading, a topic answer and emergency advice.
    """
    chat = open_page(browser, stack.page_url, width=width, height=height, color_scheme=scheme)
    try:
        started = time.monotonic()
        found = {"closed": axe_violations(chat)}
        chat.open()
        for kind, text in REPLIES.items():
            chat.send_and_wait(text)
            found[kind] = axe_violations(chat)
        seconds = round(time.monotonic() - started, 1)
        path = SCREENSHOTS / f"widget-axe-{scheme}-{width}x{height}.json"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"seconds": seconds, **found}, indent=2) + "\n")
        assert {state: v for state, v in found.items() if v} == {}
    finally:
        chat.page.context.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the base signature
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
