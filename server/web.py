"""The demo web page with the chat widget (http://localhost:8000/ by default).

A small static file server over `web/static/`. In HTML files the placeholder `__BOT_URL__` is
replaced by the Rasa server's public URL, so the page talks to whichever server `make run`
started. Every response carries headers that keep the page from loading anything that is not
ours (no CDN at run time) and from being framed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from server.settings import ROOT

STATIC = ROOT / "web" / "static"
PLACEHOLDER = b"__BOT_URL__"


class DemoPage:
    """The static page server, run in a daemon thread of the launcher."""

    def __init__(self, values: Mapping[str, str]) -> None:
        """Read where the page is served and the bot URL it points the widget to."""
        self.bot_url = values["PUBLIC_BOT_URL"]
        self.host = values["BOT_HOST"]
        self.port = int(values["WEB_PORT"])
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The page's address to show people (localhost for a wildcard or loopback host)."""
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        """Serve the page in a daemon thread, which ends with the launcher."""
        handler = partial(StaticHandler, bot_url=self.bot_url, directory=str(STATIC))
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def content_security_policy(bot_url: str) -> str:
    """Only our own files, and connections only to the bot.

    What the widget (rasa-webchat) needs beyond that: its styles are injected as <style>
    elements ('unsafe-inline' styles; scripts stay 'self' only), and its icons and icon font
    are data: URLs. It talks to the bot over Socket.IO: HTTP polling, then a WebSocket.
    """
    websocket = bot_url.replace("http", "ws", 1)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; "
        f"connect-src 'self' {bot_url} {websocket}; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


class StaticHandler(SimpleHTTPRequestHandler):
    """Static files with security headers; HTML gets the bot URL filled in."""

    def __init__(self, *args: Any, bot_url: str, **kwargs: Any) -> None:
        """Keep the bot URL that HTML pages get filled in."""
        self.bot_url = bot_url
        super().__init__(*args, **kwargs)

    def end_headers(self) -> None:
        """Add the security headers to every response before ending its headers."""
        self.send_header("Content-Security-Policy", content_security_policy(self.bot_url))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self) -> None:  # the http.server naming
        """Serve a file; an HTML page (a directory's index.html too) gets the bot URL filled in."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes().replace(PLACEHOLDER, self.bot_url.encode())
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # the base signature
        """Quiet: page requests are not worth a line each in the terminal."""
