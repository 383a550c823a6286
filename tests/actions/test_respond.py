"""action_respond: replies in the right order, sourced medical answers, slots carried over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.forget import ActionForgetData
from actions.respond import ActionRespond
from bot.reply import content
from bot.reply.replies import INTRO_RESPONSE, RESPONSE_OF_INTENT, disclaimer
from bot.yaml_files import read_yaml
from tests.actions.conftest import Conversation, make_tracker

DOMAIN = read_yaml(Path(__file__).resolve().parents[2] / "domain.yml")
TOPIC_INTENTS = [f"ask_{topic}" for topic in content.topics()]


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def is_sourced(text: str) -> bool:
    """A medical message: a titled source link under the text."""
    return "\n\nSources: [" in text and "](https://" in text


def ends_with_the_disclaimer_once(answers: list[str]) -> bool:
    """The disclaimer closes the reply's last medical message, and only that one."""
    medical = [answer for answer in answers if is_sourced(answer)]
    return medical[-1].endswith(disclaimer()) and sum(disclaimer() in a for a in answers) == 1


def test_every_response_the_actions_name_is_in_the_domain() -> None:
    """Responses named in bot.reply.replies and the actions exist in domain.yml.

    The actions are declared there too.
    """
    named = {*RESPONSE_OF_INTENT.values(), INTRO_RESPONSE}
    named |= {"utter_cannot_read", "utter_too_long", "utter_forgotten"}
    assert named <= set(DOMAIN["responses"])
    assert {ActionRespond().name(), ActionForgetData().name()} <= set(DOMAIN["actions"])


def test_every_intent_the_replies_know_is_in_the_domain() -> None:
    """Intents mapped to replies and topics are the domain's intents (the names are a contract)."""
    intents = set(DOMAIN["intents"])
    assert set(TOPIC_INTENTS) <= intents
    assert set(RESPONSE_OF_INTENT) - {"nlu_fallback"} <= intents


@pytest.mark.parametrize("intent", TOPIC_INTENTS)
async def test_every_topic_answer_has_sources_and_the_disclaimer(
    respond: Conversation, intent: str
) -> None:
    """Each question gets a medical answer with a source link, ending with the disclaimer."""
    messages, _, _ = await respond("tell me about this", intent, {"intro_given": True})
    answers = texts(messages)
    assert answers, intent
    assert all(is_sourced(answer) for answer in answers)
    assert ends_with_the_disclaimer_once(answers)


async def test_first_reply_says_once_what_the_bot_is(respond: Conversation) -> None:
    """The intro is sent on the first reply only, after the answer."""
    first, _, slots = await respond("hello", "greet")
    assert [m.get("response") for m in first] == ["utter_greet", INTRO_RESPONSE]
    again, _, _ = await respond("hello", "greet", slots)
    assert [m.get("response") for m in again] == ["utter_greet"]


async def test_value_is_read_whatever_the_intent(respond: Conversation) -> None:
    """A count in a question is interpreted first (3,200), then answered."""
    messages, _, _ = await respond(
        "my wbc is 3.2, what could cause it?", "ask_causes", {"intro_given": True}
    )
    reading, answer = texts(messages)
    assert "3.2 (3,200) is low" in reading
    assert is_sourced(reading) and is_sourced(answer)
    assert ends_with_the_disclaimer_once([reading, answer])
    assert any(b["payload"].startswith("/ask_") for b in messages[-1]["buttons"])


async def test_emergency_leads_on_fever_and_low_count(respond: Conversation) -> None:
    """Fever with a low count: the first message is the emergency advice."""
    messages, _, _ = await respond("wbc 2.9 and I have a fever", "report_symptom")
    first = texts(messages)[0]
    assert first.startswith("⚠️ Seek emergency care now")
    assert is_sourced(first)


async def test_no_emergency_on_no_fever(respond: Conversation) -> None:
    """A low count with "no fever" is not an emergency."""
    messages, _, _ = await respond("wbc 2.9, no fever", "inform_wbc_value")
    assert not any("emergency care now" in text.split("\n")[0] for text in texts(messages))
    assert "Seek emergency" not in texts(messages)[0]


async def test_fever_after_a_low_value_is_an_emergency(respond: Conversation) -> None:
    """Context carries: a low value, then "and I have a fever now" leads with emergency advice."""
    _, _, slots = await respond("my wbc is 2.9", "inform_wbc_value")
    messages, _, _ = await respond("and I have a fever now", "report_symptom", slots)
    assert texts(messages)[0].startswith("⚠️ Seek emergency care now")


async def test_age_after_a_value_reinterprets_with_the_child_range(
    respond: Conversation,
) -> None:
    """A value followed by "she's 3" is read again with the pediatric band."""
    _, _, slots = await respond("her wbc is 4.5", "inform_wbc_value")
    messages, _, after = await respond("she's 3", "inform", slots)
    assert after["age_years"] == 3.0
    assert "is low for a 3-year-old. The usual range is 5,500 to 15,500." in texts(messages)[0]


async def test_unit_answer_completes_a_value(respond: Conversation) -> None:
    """A count that needs a unit asks for it; the unit typed next completes the reading."""
    first, _, slots = await respond("wbc 320", "inform_wbc_value")
    assert slots["awaiting"] == "unit"
    assert "without its unit" in texts(first)[0]
    messages, _, _ = await respond("cells per microliter", "inform", slots)
    assert "white count of 320 is very low" in texts(messages)[0]


async def test_causes_on_chemotherapy_answer_for_that_situation(respond: Conversation) -> None:
    """Asking "what could cause it?" while on chemotherapy answers about chemotherapy.

    The subject of the conversation (the slot `subject`) carries over to the next question.
    """
    _, _, slots = await respond("wbc 2.1, I'm on chemo", "inform_wbc_value")
    assert slots["subject"] == "chemotherapy"
    messages, _, _ = await respond("what could cause it?", "ask_causes", slots)
    expected = content.topic_answer("causes", subject="chemotherapy").text
    assert texts(messages)[-1].startswith(expected)


async def test_causes_of_a_high_count_are_not_answered_with_low_count_causes(
    respond: Conversation,
) -> None:
    """Asking what causes a high white count gets the causes of a high count, not why counts fall.

    The subject is high_count.
    """
    messages, _, slots = await respond("what causes a high white count?", "ask_causes")
    answer = texts(messages)[-1]
    assert slots["subject"] == "high_count"
    assert "making more white cells" in answer and "infections" in answer
    assert "chemotherapy" not in answer.lower()
    assert is_sourced(answer)


async def test_empty_message_gets_a_friendly_reply(respond: Conversation) -> None:
    """Whitespace only: a clear reply, no crash, no slots touched."""
    messages, events, _ = await respond("   ", "nlu_fallback")
    assert [m.get("response") for m in messages] == ["utter_cannot_read"]
    assert events == []


async def test_fallback_offers_the_main_topics(respond: Conversation) -> None:
    """Low confidence without a count: say what the bot can do, with topic buttons."""
    messages, _, _ = await respond("blorp", "nlu_fallback", {"intro_given": True})
    answer = texts(messages)[-1]
    assert answer.startswith("Sorry, I did not understand that.")
    assert is_sourced(answer)  # a plain guide and the emergency disclaimer all the same
    assert len(messages[-1]["buttons"]) >= 3


async def test_forget_data_restarts_the_conversation() -> None:
    """Saying "forget my data" confirms and restarts (all slots cleared)."""
    dispatcher = CollectingDispatcher()
    events = await ActionForgetData().run(
        dispatcher, make_tracker("forget my data", "forget_data"), {}
    )
    assert [m["response"] for m in dispatcher.messages] == ["utter_forgotten"]
    assert [e["event"] for e in events] == ["restart"]


def test_slots_are_exactly_the_state_fields() -> None:
    """domain.yml declares one slot per ConversationState field, and no other."""
    from actions.state import STATE_SLOTS

    domain = read_yaml(Path(__file__).resolve().parents[2] / "domain.yml")
    assert set(domain["slots"]) == set(STATE_SLOTS)


async def test_only_changed_slots_are_set(respond: Conversation) -> None:
    """A turn sets the slots that changed, not every slot."""
    known = {"intro_given": True, "subject": "leukopenia"}
    _, events, _ = await respond("hello", "greet", known)
    assert [e for e in events if e.get("event") == "slot"] == []
    _, events, after = await respond("my wbc is 3.2", "inform", known)
    names = {e["name"] for e in events if e.get("event") == "slot"}
    assert names == {"counts", "last_sources"} and after["counts"][0]["cells_per_ul"] == 3200


def test_bot_never_imports_rasa() -> None:
    """The domain core stays pure: importing every bot module loads neither rasa nor rasa_sdk."""
    import subprocess
    import sys

    code = (
        "import importlib, pkgutil, sys, bot\n"
        "for m in pkgutil.iter_modules(bot.__path__): importlib.import_module('bot.' + m.name)\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in ('rasa', 'rasa_sdk')]\n"
        "sys.exit(1 if bad else 0)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False, timeout=120).returncode == 0


async def test_counts_are_kept_structured_and_completed_by_a_later_unit(
    respond: Conversation,
) -> None:
    """A stored "WBC 320" gets the unit from a later "K/uL" and is judged again."""
    messages, _, after = await respond("WBC 320", "inform", {"intro_given": True})
    assert after["counts"][0]["cells_per_ul"] is None and after["awaiting"] == "unit"
    messages, _, after = await respond("K/uL", "inform", after)
    assert after["counts"][0]["cells_per_ul"] == 320000
    assert "320,000" in messages[0]["text"]
