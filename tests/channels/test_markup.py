"""What each channel shows of a text that quotes a report or a person (docs/replies.md).

The text as written, and only the bot's own source links as links (channels/markup.py).
"""

from __future__ import annotations

import re

import pytest

from bot.reference.tables import sources
from bot.reply.links import link
from bot.reply.replies import sources_list
from bot.reports import ReportLine, ReportReading, shown_text
from channels.markup import as_markdown, as_telegram_html, as_terminal

SOURCE = next(key for key, source in sources().items() if source.short and source.link)
PLANTED = "WBC 3.2 x10^3/uL (4.0-10.5) L [Click here for your full results](https://evil.example/r)"
HOSTILE = [
    PLANTED,
    '<a href="https://evil.example">x</a> <img src=x onerror=alert(1)>',
    "<https://evil.example> https://evil.example HTTPS://evil.example www.evil.example",
    "mailto:someone@evil.example someone@evil.example",
    "![x](https://evil.example/x.png) [x][r]\n[r]: https://evil.example",
    "[x](javascript:alert(1)) [x](data:text/html,hi)",
    "**bold** _it_ `code` ~~gone~~ | a | b |",
    "# heading\n> quote\n- item\n+ item\n1. one\n2) two\n===\n---",
    "&lt;b&gt; &amp;",
]


def shown(line: str) -> str:
    """What a report with this line read back says first."""
    return shown_text(ReportReading(lines=(ReportLine(line),)))


def unescaped(markdown: str) -> str:
    """The text a CommonMark reader shows for escaped text (no syntax left to apply)."""
    text = re.sub(r"\\([\\`*_\[\]~|!#+.)=-])", r"\1", markdown)
    for reference, char in (
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&#58;", ":"),
        ("&#46;", "."),
        ("&#64;", "@"),
        ("&#61;", "="),
        ("&amp;", "&"),
    ):
        text = text.replace(reference, char)
    return text


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shows_quoted_text_as_written(text: str) -> None:
    markdown = as_markdown(shown(text))
    # No link, image, autolink, HTML tag, emphasis or code is left to a Markdown reader ...
    assert not re.search(r"(?<!\\)\[", markdown)
    assert "<" not in markdown and ">" not in markdown
    assert not re.search(r"(?i)(https?|mailto):|www\.|\w@\w", markdown)
    assert not re.search(r"(?<!\\)[*_`~|]", markdown)
    assert not re.search(r"(?m)^\s{0,3}(#|[-+] |\d+[.)] |=+$|-+$)", markdown)
    # ... and it reads exactly as written.
    assert unescaped(markdown) == shown(text)


def test_markdown_keeps_the_bots_own_source_links() -> None:
    text = f"Your white count of 3,200 is low.\n\nSources: {link(SOURCE)}"
    assert as_markdown(text).endswith(f"Sources: {link(SOURCE)}")
    listed = sources_list([SOURCE])
    assert as_markdown(listed).splitlines()[1] == f"- {link(SOURCE)}"  # still a list


def test_a_link_to_elsewhere_with_a_sources_title_is_not_a_link() -> None:
    title = link(SOURCE).split("](")[0]
    assert "](" not in unescaped_links(as_markdown(f"{title}](https://evil.example)"))
    assert "href" not in as_telegram_html(f"{title}](https://evil.example)")


def unescaped_links(markdown: str) -> str:
    return re.sub(r"\\\]\(", "", markdown)


def test_an_image_cannot_be_made_of_a_source_link() -> None:
    assert f"\\!{link(SOURCE)}" in as_markdown(f"look !{link(SOURCE)}")


@pytest.mark.parametrize("text", HOSTILE)
def test_telegram_html_has_no_link_but_the_sources(text: str) -> None:
    html = as_telegram_html(f"{shown(text)}\n\nSources: {link(SOURCE)}")
    tags = re.findall(r"<(/?\w+)[^>]*>", html)
    assert set(tags) <= {"a", "/a", "code", "/code"}
    assert re.findall(r'<a href="([^"]+)">', html) == [sources()[SOURCE].link]
    # What Telegram would link by itself (addresses, URLs) is in <code>, where it does not.
    outside_code = re.sub(r"<code>.*?</code>|<a [^>]*>.*?</a>", "", html)
    assert not re.search(r"(?i)https?:|www\.|evil\.example|\w@\w", outside_code)


def test_telegram_html_escapes_everything_else() -> None:
    assert as_telegram_html("<b>3.2</b> & 4") == "&lt;b&gt;3.2&lt;/b&gt; &amp; 4"
    assert as_telegram_html(link(SOURCE)).startswith(f'<a href="{sources()[SOURCE].link}">')


def test_terminal_text_has_no_escape_or_control_characters() -> None:
    text = "WBC \x1b[31m3.2\x1b[0m \x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\ \x07\u202ex"
    assert as_terminal(text) == "WBC 3.2 here x"
    assert as_terminal("line one\n\tline two") == "line one\n\tline two"


def test_plain_bot_text_is_unchanged_where_nothing_needs_escaping() -> None:
    text = "Your white count of 3,200 is low for an adult (the usual range is 4,500 to 11,000)."
    assert as_markdown(text) == text
    assert as_telegram_html(text) == text


# --- Each channel renders at its one place ------------------------------------------------


PLANTED_REPLY = f"{shown(PLANTED)}\n\nSources: {link(SOURCE)}"


async def test_rest_replies_are_escaped_with_and_without_buttons() -> None:
    from channels.rest import GuardedCollectingOutput

    collector = GuardedCollectingOutput()
    await collector.send_text_message("rest:a", PLANTED_REPLY)
    await collector.send_text_with_buttons("rest:a", PLANTED, [{"title": "t", "payload": "/p"}])
    for message in collector.messages:
        assert "](https://evil" not in message["text"] and "\\[Click" in message["text"]
    assert collector.messages[0]["text"] == as_markdown(PLANTED_REPLY)


async def test_widget_bubbles_are_escaped() -> None:
    from channels.socketio import GuardedSocketIOOutput

    emitted: list[dict[str, object]] = []

    class Sio:
        async def emit(self, event: str, data: dict[str, object], **kwargs: object) -> None:
            emitted.append(data)

    output = GuardedSocketIOOutput(Sio(), "bot_uttered")  # type: ignore[arg-type]
    await output.send_text_message("widget:room", PLANTED_REPLY)
    await output.send_text_with_buttons("widget:room", PLANTED, [{"title": "t", "payload": "/p"}])
    assert [data["text"] for data in emitted] == [as_markdown(PLANTED_REPLY), as_markdown(PLANTED)]


async def test_telegram_messages_link_only_the_sources() -> None:
    from channels.telegram import TelegramOutput

    calls: list[dict[str, object]] = []

    class Api:
        async def call(self, method: str, params: dict[str, object], **kwargs: object) -> object:
            calls.append(params)
            return {"message_id": 1}

    await TelegramOutput(Api()).send_text_message("telegram:5", PLANTED_REPLY)  # type: ignore[arg-type]
    [params] = calls
    assert params["parse_mode"] == "HTML"
    assert re.findall(r'<a href="([^"]+)">', str(params["text"])) == [sources()[SOURCE].link]


def test_rest_takes_only_json() -> None:
    """A page on another site can post text/plain or a form without asking (no preflight)."""
    from types import SimpleNamespace

    from channels.rest import is_json

    def request(content_type: str) -> SimpleNamespace:
        return SimpleNamespace(headers={"content-type": content_type} if content_type else {})

    assert is_json(request("application/json"))
    assert is_json(request("Application/JSON; charset=utf-8"))
    for refused in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""):
        assert not is_json(request(refused))


async def test_the_shell_prints_no_escape_sequences() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel

    from channels.shell import terminal_safe

    output = CollectingOutputChannel()
    terminal_safe(output)
    terminal_safe(output)  # once is enough; twice changes nothing
    await output.send_text_message("shell:a", "• WBC \x1b[2J3.2\x1b]0;pwned\x07 L")
    assert output.messages[0]["text"] == "• WBC 3.2 L"
