"""Debian's Chromium as the browser tests start it (headless, no network of its own)."""

from __future__ import annotations

from tests.stack import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VENDORED_WIDGET = ROOT / "web" / "static" / "vendor" / "rasa-webchat.js"
