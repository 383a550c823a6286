"""What `make shell` shows of the bot's links: the terminal channel makes them "title: URL".

The action sends its links as Markdown whatever the channel (actions/respond.py); the shell's
output channel (channels/shell.py, `terminal_safe`) shows each as "title: URL", the way the
Telegram channel makes them HTML.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionRespond
from actions.state import STATE_SLOTS
from bot.reference.tables import sources
from bot.reply.links import link, titled
from channels.shell import ShellInput

SOURCE = next(key for key, source in sources().items() if source.short and source.link)
TOPIC_QUESTION = ("what is leukopenia", "ask_what_is_leukopenia")


def tracker(text: str, intent: str, input_channel: str) -> Tracker:
    """A tracker whose latest message is `text`, sent through `input_channel`."""
    return Tracker(
        sender_id=f"{input_channel}:a",
        slots={**dict.fromkeys(STATE_SLOTS), "intro_given": True},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[{"event": "user", "text": text, "input_channel": input_channel}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def action_messages(input_channel: str) -> list[dict[str, Any]]:
    """What action_respond sends for a topic question that came through `input_channel`."""
    dispatcher = CollectingDispatcher()
    await ActionRespond().run(dispatcher, tracker(*TOPIC_QUESTION, input_channel), {})
    return dispatcher.messages


async def shell_shows(messages: list[dict[str, Any]]) -> list[str]:
    """The texts the shell's output channel collects when Rasa sends it `messages`."""

    async def rasa(message: UserMessage) -> None:
        for sent in messages:
            response = {key: sent[key] for key in ("text", "buttons") if sent.get(key)}
            await message.output_channel.send_response(message.sender_id or "", response)

    output = CollectingOutputChannel()
    await ShellInput().with_reports(rasa)(UserMessage("hi", output, "shell:a"))
    return [str(message.get("text", "")) for message in output.messages]


async def test_the_shell_shows_a_markdown_link_as_title_and_url() -> None:
    title, url = titled(SOURCE)
    shown = await shell_shows([{"text": f"Sources: {link(SOURCE)}"}])
    assert shown == [f"Sources: {title}: {url}"]
    with_buttons = [{"text": link(SOURCE), "buttons": [{"title": "More", "payload": "/more"}]}]
    assert await shell_shows(with_buttons) == [f"{title}: {url}"]


async def test_the_action_sends_markdown_links_to_the_terminal_too() -> None:
    """No terminal special case in the action: the shell's channel converts the links."""
    for_the_shell = await action_messages("cmdline")
    texts = [str(message.get("text") or "") for message in for_the_shell]
    assert texts == [str(message.get("text") or "") for message in await action_messages("rest")]
    assert any("](https://" in text for text in texts)
    shown = "\n\n".join(await shell_shows(for_the_shell))
    assert "](https://" not in shown and ": https://" in shown
