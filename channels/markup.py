"""The bot's text as each channel shows it: plain text in which only its own source links are links.

See docs/replies.md. The bot's messages are plain text with one kind of markup: its sources, written
by bot.reply.links as Markdown links `[title](url)`. A message can also quote what a person typed or
what was read from a report file ("I read these lines from your report: • WBC 3.2 ..."), and such
text may hold Markdown, HTML or URLs of its own: a PDF line `WBC 3.2 [Click here](https://...)` must
be shown as written, never as a link. So every channel renders the whole text here, at one place:

- `as_markdown` (REST and Socket.IO, whose clients and the widget read Markdown): everything is
  escaped except the exact source links of sources.csv;
- `as_telegram_html` (Telegram, parse_mode HTML): everything HTML-escaped, the source links as
  `<a href>`, and URLs, addresses and @names in the text inside `<code>`, where Telegram does not
  make them links of its own;
- `as_terminal` (the shell): escape sequences and other control characters removed.

A source link is recognised by its exact text (title and URL, as bot.reply.links.link writes
it), so a quoted text can at most repeat one of the bot's own links, never make a link elsewhere.
"""

from __future__ import annotations

import html
import re
from functools import cache

from bot.reference.tables import sources
from bot.reply.links import citable, link

# Escaped with a backslash wherever they appear: each can start Markdown syntax (code, emphasis,
# links and images, strikethrough, tables). All are escapable in CommonMark and in the widget's
# parser (remark-parse 5, GFM mode).
_BACKSLASHED = re.compile(r"([\\`*_\[\]~|])")
# Written as character references: `<` and `>` (HTML, autolinks, quotes) and `&` (so a typed
# "&lt;" stays as typed); remark-parse 5 does not take a backslash before these.
_REFERENCES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# What Markdown renderers make links of without any syntax (GFM autolinks): "https://...",
# "mailto:...", "www.", "name@host". The ":", "." or "@" is written as a character reference,
# which reads the same but no longer starts a link.
_AUTOLINK = re.compile(
    r"(?i)(?<=\bhttp)(:)(?=//)|(?<=\bhttps)(:)(?=//)|(?<=\bmailto)(:)|"
    r"(?<=\bwww)(\.)|(?<=\w)(@)(?=\w)"
)
_CHARACTER = {":": "&#58;", ".": "&#46;", "@": "&#64;"}
# Markdown that only works at the start of a line: headings, lists, numbered lists, setext
# underlines and thematic breaks.
_LINE_START = re.compile(
    r"(?m)^([ \t]{0,3})(#|[+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|[=-]+[ \t]*$)"
)

# Telegram makes links of URLs, domain names, e-mail addresses and @usernames in any text; text
# inside <code> it leaves alone. Domain names: those ending in a country's two letters or in
# one of these (Telegram knows them all; "expect.Leukopenia" is not one).
TOP_LEVEL_DOMAINS = (
    "com net org info biz edu gov int mil io app dev xyz online site top link club shop store "
    "live life health care clinic doctor email world today news page web website click help "
    "support services cloud tech pro one network group center bio icu vip win bid loan"
)
_TELEGRAM_AUTOLINK = re.compile(
    r"(?i)\b[a-z][a-z0-9+.-]*://\S+"  # any scheme
    r"|\b(?:mailto|tel|tg):\S+|\bwww\.\S+"
    r"|\S*@\w\S*"  # e-mail addresses and @usernames
    r"|\b(?:[a-z0-9-]+\.)+(?:[a-z]{2}|" + TOP_LEVEL_DOMAINS.replace(" ", "|") + r")\b(?:/\S*)?"
)
# Terminal escape sequences (colours, cursor moves, titles, OSC 8 hyperlinks), then any other
# control character but the line break and the tab.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@cache
def _source_links() -> re.Pattern[str]:
    """The bot's own source links, exactly as bot.reply.links.link writes them."""
    links = sorted((link(key) for key in citable(list(sources()))), key=len, reverse=True)
    return re.compile("|".join(re.escape(text) for text in links))


def _pieces(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is a source link)."""
    pieces, last = [], 0
    for match in _source_links().finditer(text):
        pieces.append((text[last : match.start()], False))
        pieces.append((match.group(0), True))
        last = match.end()
    pieces.append((text[last:], False))
    return [(piece, is_link) for piece, is_link in pieces if piece]


def escape_markdown(text: str) -> str:
    """`text` as Markdown that shows exactly `text`: no link, image, HTML, emphasis or list."""
    text = _BACKSLASHED.sub(r"\\\1", text)
    text = re.sub(r"[&<>]", lambda m: _REFERENCES[m.group(0)], text)
    text = _AUTOLINK.sub(lambda m: _CHARACTER[m.group(0)], text)
    return _LINE_START.sub(_line_start, text)


def _line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker[0] == "=":
        return indent + "&#61;" + marker[1:]
    if marker[0].isdigit():  # "1." or "1)": the sign after the number
        return indent + marker[:-1] + "\\" + marker[-1]
    return indent + "\\" + marker


def as_markdown(text: str) -> str:
    """Render text for REST and Socket.IO (the widget): escaped, but for the bot's source links.

    The bot's list of sources ("- [title](url)" lines) stays a list.
    """
    out = []
    pieces = _pieces(text)
    for index, (piece, is_link) in enumerate(pieces):
        escaped = piece if is_link else escape_markdown(piece)
        if not is_link and escaped.endswith("!") and index + 1 < len(pieces):
            escaped = escaped[:-1] + "\\!"  # "!" before a link would make it an image
        out.append(escaped)
    # Only a source link starts with an unescaped "[": a list item of the bot's own.
    return _SOURCE_ITEM.sub("- ", "".join(out))


_SOURCE_ITEM = re.compile(r"(?m)^\\- (?=\[)")


def as_telegram_html(text: str) -> str:
    """Render text for Telegram's parse_mode HTML: everything escaped, the source links as <a href>.

    What Telegram would make a link of by itself goes in <code>.
    """
    out = []
    for piece, is_link in _pieces(text):
        if is_link:
            title, url = piece[1:].split("](", 1)
            url = html.escape(url[:-1], quote=True)
            out.append(f'<a href="{url}">{html.escape(title, quote=False)}</a>')
            continue
        last = 0
        for match in _TELEGRAM_AUTOLINK.finditer(piece):
            out.append(html.escape(piece[last : match.start()], quote=False))
            out.append(f"<code>{html.escape(match.group(0), quote=False)}</code>")
            last = match.end()
        out.append(html.escape(piece[last:], quote=False))
    return "".join(out)


def as_terminal(text: str) -> str:
    """For the shell: no escape sequence or control character can reach the terminal."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))
