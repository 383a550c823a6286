"""action_respond: the one action behind every intent but forget_data.

It passes the message to bot.conversation.take_turn and sends what bot.replies.plan_reply says,
so a count is read and red flags come first whatever the intent was.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.state import INTRO_GIVEN, load_state, save_state
from bot import EmptyTextError, TextTooLongError, WbcBotError
from bot.conversation import take_turn
from bot.replies import Message, plan_reply

logger = logging.getLogger(__name__)


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
        intro_given = bool(tracker.get_slot(INTRO_GIVEN))
        try:
            turn = take_turn(load_state(tracker), text)
        except EmptyTextError:
            dispatcher.utter_message(response="utter_cannot_read")
            return []
        except TextTooLongError:
            dispatcher.utter_message(response="utter_too_long")
            return []
        except WbcBotError:
            logger.exception("could not read a message")
            dispatcher.utter_message(response="utter_cannot_read")
            return []
        for reply in plan_reply(turn, intent, text, intro_given):
            _send(dispatcher, reply)
        return [*save_state(turn.state), SlotSet(INTRO_GIVEN, True)]


def _send(dispatcher: CollectingDispatcher, message: Message) -> None:
    buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
    if message.response:
        dispatcher.utter_message(response=message.response, buttons=buttons or None)
    else:
        dispatcher.utter_message(text=message.text, buttons=buttons or None)
