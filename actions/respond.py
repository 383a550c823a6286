"""The action_respond action: the one action behind every intent but forget_data.

It passes the message, the NLU intent and the slots to bot.reply.dialogue.respond (which never
raises) and sends what it returns, so a count is read and red flags come first whatever the
intent was. Only the slots that changed are set. Links are sent as Markdown to every channel;
each channel shows them its own way (Telegram as HTML, the terminal as "title: URL").
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import mark_answer
from actions.state import load_state, save_state
from bot.reply.dialogue import respond
from bot.reply.range_picture import payload
from bot.reply.replies import Message


class ActionRespond(Action):
    """Read the message in context and answer it."""

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer the latest message; the events set the slots that changed."""
        message = tracker.latest_message or {}
        text = str(message.get("text") or "")
        intent = str((message.get("intent") or {}).get("name") or "nlu_fallback")
        state = load_state(tracker)
        ranking = message.get("intent_ranking") or []
        questions = message.get("questions") or []  # components/question_classifier.py
        reply = respond(state, text, intent, ranking, questions)
        for sent in reply.messages:
            _send(dispatcher, sent)
        mark_answer(dispatcher, reply)  # what a vote on this answer is about (actions/feedback.py)
        return list(save_state(reply.state, before=state))


def _send(dispatcher: CollectingDispatcher, message: Message) -> None:
    """One message, its links in Markdown: each channel shows them its own way."""
    buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
    if message.response:
        dispatcher.utter_message(response=message.response, buttons=buttons or None)
    else:
        # A reading's range pictures travel as data beside its text; each channel draws them.
        pictures = payload(message.pictures) or None
        dispatcher.utter_message(text=message.text, buttons=buttons or None, json_message=pictures)
