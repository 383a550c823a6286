"""Sources as titled links, written once in Markdown (`[title](url)`), shown as each channel can.

Markdown in the widget and over REST, HTML in Telegram (everything else escaped), "title: URL"
lines in the terminal.
"""

from __future__ import annotations

import html
import re

from bot.reference import tables

_MARKDOWN_LINK = re.compile(r"\[(?P<title>[^\[\]\n]+)\]\((?P<url>https?://[^\s()]+)\)")
_QUOTED = re.compile(r"[\"“](?P<title>[^\"”]+)[\"”]")


def link(key: str) -> str:
    """The source of `key` as a Markdown link with a short title ("Mayo Clinic: Low white ...")."""
    title, url = titled(key)
    return f"[{title}]({url})"


def titled(key: str) -> tuple[str, str]:
    """The short title and the URL of the source of `key`."""
    source = tables.sources()[key]
    quoted = _QUOTED.search(source.name)
    title = f"{source.short}: {quoted.group('title')}" if quoted else source.name
    return title, source.link


def citable(keys: tuple[str, ...] | list[str]) -> list[str]:
    """The keys that can be shown as links (a name and a link), in order, once each."""
    table = tables.sources()
    return [key for key in dict.fromkeys(keys) if table[key].short and table[key].link]


def as_html(text: str) -> str:
    """Telegram's HTML: the text escaped, Markdown links as <a href> (parse_mode=HTML)."""
    parts, last = [], 0
    for match in _MARKDOWN_LINK.finditer(text):
        parts.append(html.escape(text[last : match.start()], quote=False))
        url = html.escape(match.group("url"), quote=True)
        parts.append(f'<a href="{url}">{html.escape(match.group("title"), quote=False)}</a>')
        last = match.end()
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)


def as_plain(text: str) -> str:
    """For a terminal: each Markdown link as "title: URL"."""
    return _MARKDOWN_LINK.sub(lambda m: f"{m.group('title')}: {m.group('url')}", text)


def without_links(text: str) -> str:
    """Only the titles of the links (for counting the words a person reads)."""
    return _MARKDOWN_LINK.sub(lambda m: m.group("title"), text)
