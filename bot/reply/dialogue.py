"""One turn of the chat, end to end and safe: message in, messages to send and new state out.

The Rasa action and `python -m bot reply` both call `respond`, so they answer alike.

`respond` never raises: text that cannot be read gets a friendly reply, and if composing the
reply fails for any other reason, the person still gets emergency advice when a red flag was
read (bot.judge.safety) and a short apology; the error is logged without what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.errors import EmptyTextError, TextTooLongError, WbcBotError
from bot.judge.conversation import ConversationState, Turn, take_turn
from bot.judge.safety import emergency_text, fallback_texts, log_failure
from bot.model import Interpretation, Subject, Urgency
from bot.read.questions import (
    SUBJECT_SWITCH,
    TOPIC_PREFIX,
    WHY,
    asked_topic,
    offered_topics,
    topic_of_intent,
)
from bot.reply.content import topics
from bot.reply.feedback import answer_topic
from bot.reply.replies import Message, plan_reply, sources_of

# Intents whose message may still carry a question the NLU model did not pick
# ("wbc 2.1 and mouth sores, how do I avoid infections?"), or that the model was not sure of.
QUESTION_MAY_HIDE_IN = frozenset({"inform", "report_symptom", "nlu_fallback"})
VALUE_INTENT = "inform_wbc_value"  # without a count read, the message asked something else
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Reply:
    """What to send for one message, and what to remember afterwards."""

    messages: tuple[Message, ...]
    state: ConversationState
    interpretation: Interpretation | None = None
    failed: bool = False  # the fallback was sent: something went wrong
    topic: str | None = None  # what the answer is about, for votes on it (bot/reply/feedback.py)

    @property
    def urgency(self) -> Urgency | None:
        """The urgency of the answer (None: nothing medical was judged)."""
        if self.failed:
            emergency = any(message.text == emergency_text() for message in self.messages)
            return Urgency.EMERGENCY if emergency else None
        return None if self.interpretation is None else self.interpretation.urgency


def respond(
    state: ConversationState,
    text: str,
    intent: str | None = None,
    ranking: Sequence[Mapping[str, Any]] = (),
    questions: Sequence[Mapping[str, Any]] = (),
) -> Reply:
    """Answer one message in the light of the conversation so far; never raises.

    `intent` is the NLU model's; without one (the command line) the question is found by rules.
    `ranking` and `questions` are the model's intent ranking and its question sentences: other
    questions the message may ask are offered as buttons.
    """
    try:
        turn = take_turn(state, text)
    except EmptyTextError:
        return Reply((Message(response="utter_cannot_read"),), state)
    except TextTooLongError:
        return Reply((Message(response="utter_too_long"),), state)
    except Exception as exc:  # noqa: BLE001 - never leave a person without an answer
        log_failure("reading a message" if isinstance(exc, WbcBotError) else "a turn", exc)
        return _fallback(state, text, bool(state.red_flags))
    text = turn.text  # as the parser read it: one reading of the message for the whole turn
    try:
        resolved = resolve_intent(intent, turn)
        offers = offered_topics(resolved, ranking, questions, topics())
        messages = plan_reply(turn, resolved, offers)
        about = answer_topic(turn, resolved, messages)
    except Exception as exc:  # noqa: BLE001 - never leave a person without an answer
        log_failure("composing a reply", exc)
        return _fallback(turn.state, text, _urgent(turn))
    last_sources = sources_of(messages) or turn.state.last_sources
    topic = topic_of_intent(resolved)
    new_state = replace(
        turn.state,
        intro_given=True,
        last_sources=last_sources,
        last_topic=topic if topic in topics() else turn.state.last_topic,
    )
    return Reply(messages, new_state, turn.interpretation, topic=about)


def resolve_intent(intent: str | None, turn: Turn) -> str:
    """Return the intent to answer.

    That is the model's intent, or the question the rules find when the model had none or saw only
    a value or a symptom; without either, what the message gave (a value, a symptom).

    A short follow-up refers to what was just said: "why?" asks for the causes, and "and for a
    child?" asks the last question again for the subject it names (the turn's subject). The
    message is the turn's reading of it.
    """
    text = turn.text
    if WHY.match(text):
        return TOPIC_PREFIX + "causes"
    last_topic = turn.state.last_topic  # carried over unchanged by take_turn
    if SUBJECT_SWITCH.match(text) and turn.subject is not Subject.LEUKOPENIA:
        if last_topic is not None:
            return TOPIC_PREFIX + last_topic
        if turn.state.counts:
            return TOPIC_PREFIX + "normal_range"
    if intent == OUT_OF_SCOPE and (turn.counts_changed or turn.urgency_news):
        intent = None  # a count or a sign in it: about white counts, whatever the model said
    value_without_count = intent == VALUE_INTENT and not turn.counts_changed
    if intent is not None and intent not in QUESTION_MAY_HIDE_IN and not value_without_count:
        return intent
    topic = asked_topic(text)
    if topic is not None:
        return TOPIC_PREFIX + topic
    if intent is not None:
        return intent
    if turn.counts_changed or turn.other_specimen:
        return "inform"
    if turn.urgency_news:
        return "report_symptom"
    return "nlu_fallback"


def _urgent(turn: Turn) -> bool:
    interpretation = turn.interpretation
    return bool(turn.state.red_flags) or (
        interpretation is not None and interpretation.urgency is Urgency.EMERGENCY
    )


def _fallback(state: ConversationState, text: str, red_flag_known: bool) -> Reply:
    texts = fallback_texts(text, red_flag_known)
    return Reply(tuple(Message(text=t) for t in texts), state, failed=True)
