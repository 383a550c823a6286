"""action_respond: the one action behind every intent but forget_data.

It passes the message, the NLU intent and the slots to bot.reply.dialogue.respond (which never
raises)
and sends what it returns, so a count is read and red flags come first whatever the intent was.
Only the slots that changed are set.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import mark_answer
from actions.state import load_state, save_state
from bot.reply.dialogue import respond
from bot.reply.links import as_plain
from bot.reply.range_picture import payload
from bot.reply.replies import Message

# Input channels that show text in a terminal (`rasa shell`): links as "title: URL" lines.
TERMINAL_CHANNELS = frozenset({"cmdline"})


class ActionRespond(Action):
    """Read the message in context and answer it."""

    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        text = str(message.get("text") or "")
        intent = str((message.get("intent") or {}).get("name") or "nlu_fallback")
        state = load_state(tracker)
        ranking = message.get("intent_ranking") or []
        questions = message.get("questions") or []  # components/question_classifier.py
        reply = respond(state, text, intent, ranking, questions)
        terminal = tracker.get_latest_input_channel() in TERMINAL_CHANNELS
        for sent in reply.messages:
            _send(dispatcher, sent, terminal)
        mark_answer(dispatcher, reply)  # what a vote on this answer is about (actions/feedback.py)
        return list(save_state(reply.state, before=state))


def _send(dispatcher: CollectingDispatcher, message: Message, terminal: bool) -> None:
    """Links stay Markdown (the widget and REST; Telegram's channel makes them HTML), except in
    the terminal, which shows "title: URL"."""
    buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
    if message.response:
        dispatcher.utter_message(response=message.response, buttons=buttons or None)
    else:
        text = as_plain(message.text) if terminal else message.text
        # A reading's range pictures travel as data beside its text; each channel draws them.
        pictures = payload(message.pictures) or None
        dispatcher.utter_message(text=text, buttons=buttons or None, json_message=pictures)
