"""Screenshots of the chat widget for the README, docs/widget.md and docs/range-picture.md.

Starts the real bot (tests/stack.py `start_stack`, what `make run` starts) on free loopback
ports, opens the demo page in Debian's headless Chromium (as tests/channels/test_widget.py
does) at each size of SHOTS, sends its message and saves the chat as it is right after the reply
arrived, without scrolling, to docs/images/NAME.png: the emergency advice at two phone sizes
(issue 26), a critically low reading with its range picture on a phone and the desktop view
(issue 24). The browser's language is en-GB, so the call link is for 999.

    .venv/bin/python scripts/widget_screenshots.py [--out docs/images] [--page-url URL]

--page-url uses a bot that is already running (`make run`: http://localhost:8000/) instead.
Needs `make train` and `make web`. Only loopback traffic.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Browser, expect, sync_playwright

from tests.channels.chromium import CHROMIUM, CHROMIUM_ARGS, VENDORED_WIDGET
from tests.stack import ROOT, start_stack

EMERGENCY = "I have trouble breathing and my wbc is 1.9"
# (file name, message, width, height)
SHOTS = (
    ("widget-emergency-320x568", EMERGENCY, 320, 568),
    ("widget-emergency-375x667", EMERGENCY, 375, 667),
    ("range-picture-emergency", EMERGENCY, 375, 667),
    ("range-picture-phone", "my wbc is 1.2", 375, 667),
    ("widget-desktop", "my wbc is 3.2", 1280, 800),
)
WAIT_MS = 30_000


def screenshot(browser: Browser, page_url: str, shot: tuple[str, str, int, int], out: Path) -> Path:
    """The reply to one shot's message at its size, saved under `out`; the path."""
    name, message, width, height = shot
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(page_url)
        page.get_by_role("button", name="Open the lab results chat").click()
        field = page.get_by_role("textbox", name="Your question")
        expect(field).to_be_enabled()
        turns = page.locator(".rw-group-message.rw-from-response")
        expect(page.locator(".rw-reply").first).to_be_visible()
        count = turns.count()
        field.fill(message)
        field.press("Enter")
        expect(turns).to_have_count(count + 1)
        expect(turns.nth(count).locator(".rw-reply").first).to_be_visible()
        page.evaluate("document.activeElement.blur()")  # no focus ring on the input
        path = out / f"{name}.png"
        page.screenshot(path=str(path), animations="disabled")
        return path
    finally:
        context.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Take the widget's screenshots into --out, on a running demo page or a bot started for it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--page-url", help="a running demo page, e.g. http://localhost:8000/")
    args = parser.parse_args(argv)
    if not VENDORED_WIDGET.exists():
        print("the widget is not installed: run `make web`", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="widget-screenshots-") as workdir:
        stack = None if args.page_url else start_stack(Path(workdir))
        page_url = args.page_url or (stack.page_url if stack else "")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for shot in SHOTS:
                    print(screenshot(browser, page_url, shot, args.out))
                browser.close()
        finally:
            if stack is not None:
                stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
