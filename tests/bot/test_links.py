"""Sources as titled links, shown as each channel can (bot/reply/links.py), and their commands.

The commands list them ("sources") or give the rest of a reading ("more about this result").
"""

from __future__ import annotations

import pytest

from bot.judge.conversation import ConversationState
from bot.read.commands import MORE, SOURCES, command_of
from bot.reply.dialogue import respond
from bot.reply.links import as_html, as_plain, citable, link, without_links

TEXT = (
    'Wash hands <often> & "well".\n\nSources: [CDC: Preventing infections](https://x.org/a?b=1&c=2)'
)


def test_telegram_html_escapes_everything_but_the_links() -> None:
    """Text is escaped; a Markdown link becomes an <a href> with an escaped URL."""
    assert as_html(TEXT) == (
        'Wash hands &lt;often&gt; &amp; "well".\n\n'
        'Sources: <a href="https://x.org/a?b=1&amp;c=2">CDC: Preventing infections</a>'
    )


def test_user_text_cannot_inject_html() -> None:
    """Markup typed by a person (echoed back) stays text in Telegram."""
    assert as_html("<b>x</b> [y](javascript:alert(1))") == (
        "&lt;b&gt;x&lt;/b&gt; [y](javascript:alert(1))"
    )


def test_terminal_shows_title_and_url() -> None:
    """In the shell a link reads "title: URL"."""
    assert as_plain(TEXT).endswith("Sources: CDC: Preventing infections: https://x.org/a?b=1&c=2")
    assert without_links(TEXT).endswith("Sources: CDC: Preventing infections")


def test_a_link_has_the_publisher_and_the_title() -> None:
    """A link has the publisher and the title: "[Mayo Clinic: Low white blood cell count](...)"."""
    assert link("MAYO-DEF").startswith("[Mayo Clinic: Low white blood cell count](https://")


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("sources", SOURCES),
        ("Sources?", SOURCES),
        ("show me the sources", SOURCES),
        ("more about this result", MORE),
        ("tell me more", MORE),
        ("what are the sources of low wbc?", None),
        ("my wbc is 3.2", None),
    ],
)
def test_commands_are_whole_messages(typed: str, command: str | None) -> None:
    """Only a message that is just the command is one."""
    assert command_of(typed) == command


def test_sources_lists_every_source_of_the_last_answer() -> None:
    """After an answer with more sources than links, "sources" lists them all as links."""
    first = respond(ConversationState(intro_given=True), "wbc 1.2 and a fever")
    assert len(first.state.last_sources) > 2
    listed = respond(first.state, "sources").messages[0].text
    assert listed.count("](https://") == len(citable(list(first.state.last_sources))) > 2
    assert first.messages[-1].buttons[-1].payload == SOURCES


def test_more_about_the_result_gives_the_notes_left_out() -> None:
    """The notes that change nothing wait behind "More about this result"."""
    first = respond(ConversationState(intro_given=True), "WBC 7.0 L (4.0-11.0), I'm a man")
    assert any(b.payload == MORE for b in first.messages[-1].buttons)
    more = respond(first.state, MORE).messages[0].text
    assert "Your report marks 7.0 as low" in more and "](https://" in more


def test_more_without_a_result_says_so() -> None:
    """Asking for more before any count gets a friendly pointer, not a crash."""
    assert "no result" in respond(ConversationState(), MORE).messages[0].text
