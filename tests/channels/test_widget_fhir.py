"""The demo page's "Explain my result" in headless Chromium.

The widget posts the page's FHIR result to the bot, opens the chat and sends the bot's reading of
it as the visitor's first message, which the bot explains like a typed count
(web/static/embed.js, WbcChat.explain).
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from bot.fhir import interpret_resource
from tests.channels.test_widget import WAIT_MS, open_page
from tests.fhir import example, value_of
from tests.stack import Stack

pytestmark = pytest.mark.stack

BUTTON = "Explain my result"


def test_explain_my_result_opens_the_chat_with_the_reading(browser: Browser, stack: Stack) -> None:
    """One click on "Explain my result" opens the chat with the reading, and the bot answers it.

    The visitor's message is the reading of the result (value, the lab's range, age, sex), and the
    bot answers it with the verdict, the range and sources; nothing leaves the machine and nothing
    fails in the console.
    """
    message = value_of(interpret_resource(example("demo-result.json"), date.today()), "chatMessage")
    assert message == "WBC 3.2 x10^9/L (4.0-11.0), age 34, female"
    chat = open_page(browser, stack.page_url)
    try:
        chat.page.get_by_role("button", name=BUTTON).click()
        expect(chat.user_texts).to_have_text([message], timeout=WAIT_MS)
        answer = chat.bot_groups.last
        expect(answer).to_contain_text("3,200", timeout=WAIT_MS)
        expect(answer).to_contain_text("low")
        expect(answer).to_contain_text("4,000 to 11,000")  # the lab's own range judged it
        expect(answer.locator("a[href^='https://']").first).to_be_visible()
        chat.screenshot("explain-my-result")
        assert chat.outside_requests() == []
        assert chat.console_errors == []
    finally:
        chat.page.context.close()


def test_a_resource_the_bot_refuses_is_explained_in_the_chat(
    browser: Browser, stack: Stack
) -> None:
    """A resource the bot refuses is explained in the chat.

    WbcChat.explain with a resource the bot cannot interpret rejects with the bot's reason, shows it
    in the open chat and sends nothing.
    """
    chat = open_page(browser, stack.page_url)
    try:
        chat.page.wait_for_function("window.WbcChat !== undefined")
        reason = chat.page.evaluate(
            """() => WbcChat.explain({resourceType: 'Patient'}).then(
                () => 'explained', (error) => error.message)"""
        )
        assert "Patient" in reason
        expect(chat.page.locator(".wbc-upload-note")).to_have_text(reason, timeout=WAIT_MS)
        expect(chat.user_texts).to_have_count(0)
    finally:
        chat.page.context.close()
