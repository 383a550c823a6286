"""action_forget_data: "forget my data" clears the conversation and its slots."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher


class ActionForgetData(Action):
    """Erase what the person told the bot in this conversation."""

    def name(self) -> str:
        """Return the action's name, as domain.yml and the rules call it."""
        return "action_forget_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Say that the data is forgotten, then restart the conversation, clearing every slot."""
        dispatcher.utter_message(response="utter_forgotten")
        return [Restarted()]
