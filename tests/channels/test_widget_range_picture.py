"""A reading's range picture in the chat widget, in Debian's headless Chromium against the real bot.

An inline SVG in the reading's bubble, visible, named in the accessibility tree by the sentence
that says where the count sits, inside a phone's width, and never pushing emergency advice or
its call link out of view. Screenshots go to results/screenshots/.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from bot.reply.range_picture import PAYLOAD_KEY
from tests.channels.test_widget import (
    EMERGENCY_MESSAGE,
    SCREENSHOTS,
    WAIT_MS,
    Chat,
    open_page,
)
from tests.stack import Stack

pytestmark = pytest.mark.stack

SCREENS = {"1280x800": (1280, 800), "375x667": (375, 667)}
# A low, a normal, a high and a critically low reading, in one conversation (so the later ones
# also show the earlier counts and the direction of change).
READINGS = {
    "low": ("my wbc is 3.2", "3,200", "low band"),
    "normal": ("my wbc is 7.1", "7,100", "usual range"),
    "high": ("my wbc is 14.2", "14,200", "high band"),
    "critically-low": ("my wbc is 1.2", "1,200", "critical zone"),
}
# The picture of the newest reading: where it is, and whether it is inside the window and log.
MEASURE_PICTURE = """(svg) => {
    const box = svg.getBoundingClientRect();
    const log = document.querySelector('.rw-messages-container').getBoundingClientRect();
    return {
        left: Math.round(box.left), right: Math.round(box.right),
        top: Math.round(box.top), bottom: Math.round(box.bottom),
        width: Math.round(box.width), height: Math.round(box.height),
        log_top: Math.round(log.top), log_bottom: Math.round(log.bottom),
        window: window.innerWidth,
        colour: getComputedStyle(svg).color,
    };
}"""


def newest_picture(chat: Chat, value: str) -> tuple[str, dict[str, int]]:
    """The accessible name of the newest reading's picture, and where it is drawn."""
    turn = chat.bot_groups.last
    svg = turn.locator(".wbc-range-pictures svg[role='img']").first
    expect(svg).to_be_visible(timeout=WAIT_MS)
    name = str(svg.get_attribute("aria-label"))
    assert value in name
    # The name as the accessibility tree has it: the picture is an image named by its sentence.
    expect(chat.page.get_by_role("img", name=name)).to_be_visible()
    return name, svg.evaluate(MEASURE_PICTURE)


@pytest.mark.parametrize("screen", SCREENS)
def test_every_reading_shows_its_picture(browser: Browser, stack: Stack, screen: str) -> None:
    """Every reading shows its picture: low, normal, high and critically low.

    The picture shows in the reading's bubble, named by its sentence (value, band, and the change
    since the last count), and fits the screen.
    """
    width, height = SCREENS[screen]
    chat = open_page(browser, stack.page_url, width=width, height=height)
    measured = {}
    try:
        chat.open()
        for kind, (text, value, band) in READINGS.items():
            chat.send_and_wait(text)
            name, box = newest_picture(chat, value)
            assert band in name
            if kind != "low":
                assert "went" in name  # the earlier count of this conversation and the change
            assert box["left"] >= 0 and box["right"] <= box["window"], box  # no sideways scroll
            assert box["height"] >= 40 and box["width"] >= 240, box
            measured[kind] = {**box, "label": name}
            chat.screenshot(f"range-{kind}-{screen}")
        page_picture = chat.bot_groups.last.locator(".wbc-range-pictures svg").first
        text_colour = chat.bot_groups.last.locator(".rw-response").last.evaluate(
            "(bubble) => getComputedStyle(bubble).color"
        )
        assert page_picture.evaluate("(svg) => getComputedStyle(svg).color") == text_colour
        (SCREENSHOTS / f"widget-range-{screen}.json").write_text(
            json.dumps(measured, indent=2) + "\n"
        )
        assert chat.outside_requests() == [] and chat.console_errors == []
    finally:
        chat.page.context.close()


def test_pictures_come_back_after_a_reload(browser: Browser, stack: Stack) -> None:
    """The pictures come back after a reload, in the same bubble.

    They are kept with the stored conversation (in the browser).
    """
    chat = open_page(browser, stack.page_url)
    try:
        chat.open()
        chat.send_and_wait("my wbc is 3.2")
        name, _ = newest_picture(chat, "3,200")
        chat.page.reload()
        expect(chat.page.get_by_text("my wbc is 3.2", exact=True)).to_be_visible()
        expect(chat.page.get_by_role("img", name=name)).to_be_visible(timeout=WAIT_MS)
        assert chat.console_errors == []
    finally:
        chat.page.context.close()


def test_emergency_advice_and_its_call_link_stay_in_view(browser: Browser, stack: Stack) -> None:
    """At 375x667 the emergency reply shows from its first line with the call link.

    The reading under the advice still gets its picture, further down.
    """
    chat = open_page(browser, stack.page_url, width=375, height=667, locale="en-GB")
    try:
        chat.open()
        turn = chat.send_and_wait(EMERGENCY_MESSAGE)
        call = turn.locator("a.wbc-call-link")
        expect(call).to_be_in_viewport(timeout=WAIT_MS)
        first = turn.locator(".rw-response").first
        assert "wbc-emergency" in str(first.get_attribute("class"))
        expect(first).to_be_in_viewport()
        svg = turn.locator(".wbc-range-pictures svg[role='img']").first
        expect(svg).to_be_attached()
        call_box, svg_box = call.bounding_box(), svg.bounding_box()
        assert call_box is not None and svg_box is not None
        assert call_box["y"] < svg_box["y"]  # the picture comes after the advice
        chat.screenshot("range-emergency-375x667")
    finally:
        chat.page.context.close()


def test_rest_clients_get_the_picture_data(stack: Stack) -> None:
    """Over REST the reading's text comes first, then its pictures as data (custom)."""
    replies = stack.post("range-picture-rest", "my wbc is 3.2 and anc 0.3")
    with_text = [i for i, reply in enumerate(replies) if "3,200" in str(reply.get("text", ""))]
    with_data = [i for i, reply in enumerate(replies) if reply.get("custom")]
    assert with_text and with_data and with_text[0] < with_data[0]
    pictures = replies[with_data[0]]["custom"][PAYLOAD_KEY]
    assert [p["value_text"] for p in pictures] == ["3,200", "300"]
    assert [p["band"] for p in pictures] == ["low", "critically_low"]
    assert all(p["label"] and p["bands"] for p in pictures)
