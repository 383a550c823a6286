"""What the bot says after a message: which parts, in which order, with sources and disclaimer.

This is the one place where every medical text gets its sources (at most two, as titled links)
and, once per reply, the disclaimer.

Order of a reply: emergency advice first (it overrides everything); what this message changed (a
sample that is not blood, the reading of new counts, same-day advice it raised); the answer to
the question asked; the once-per-conversation note on what this bot is, after the first answer;
next steps as buttons on the last message. Non-medical replies are Rasa responses named here and
written in domain.yml. No sentence is said twice in one reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.judge.conversation import Turn
from bot.model import Interpretation, Urgency
from bot.read.commands import MORE, SOURCES, command_of
from bot.read.matchers import tokens_of
from bot.read.questions import TOPIC_PREFIX, is_follow_up, topic_of_intent
from bot.read.specimens import specimen_named_by
from bot.reference import wording
from bot.reply.content import button_title, find_cause, topic_answer, topics
from bot.reply.explain import disclaimer_for
from bot.reply.links import citable, link
from bot.reply.range_picture import RangePicture, pictures_for
from bot.reply.verdicts import Cited, has_more, more_about, reading

# Intents answered by a Rasa response (domain.yml), not by sourced medical content.
RESPONSE_OF_INTENT = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_thank",
    "affirm": "utter_affirm",
    "deny": "utter_deny",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
    "ask_help": "utter_help",
    "inform": "utter_noted",
}
# Said only when nothing else answers the message: "Noted", "Sorry, I did not understand" and
# "I can only help with white blood cell counts" after emergency advice or an answer confuse.
ONLY_ALONE = frozenset({"inform", "nlu_fallback", "out_of_scope"})
INTRO_RESPONSE = "utter_intro"
UNCLEAR_SOURCES = ("MEDLINEPLUS",)  # the plain guide to the test an unclear message gets
MAX_TOPIC_BUTTONS = 4
MAIN_TOPICS = ("what_is_leukopenia", "causes", "normal_range", "when_to_see_doctor")
AFTER_COUNTS = ("causes", "when_to_see_doctor")
# After emergency advice, no "When should I see a doctor?": the answer is now. The chemotherapy
# answer only where the advice spoke of the cancer team.
AFTER_EMERGENCY_ON_TREATMENT = ("chemotherapy",)
SAFETY_TOPIC = "when_to_see_doctor"  # what a symptom report without counts is answered with
MAX_LINKS = 2  # sources shown as links under a message; the Sources button lists them all
EMERGENCY_MARK = "⚠️ "
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


@dataclass(frozen=True)
class Button:
    """A next step; the payload also works when typed."""

    title: str
    payload: str


@dataclass(frozen=True)
class Message:
    """One bot message: our own text or a Rasa response by name.

    A medical message carries the keys of all its sources (`source_keys`): links to the first two
    are in its text.
    """

    text: str = ""
    response: str = ""
    buttons: tuple[Button, ...] = ()
    source_keys: tuple[str, ...] = ()
    pictures: tuple[RangePicture, ...] = ()  # a reading's range pictures, drawn by each channel


def plan_reply(
    turn: Turn,
    intent: str,
    offers: Sequence[str] = (),
) -> tuple[Message, ...]:
    """The messages answering one turn, in the order they must be sent.

    The message is read from the turn (its one reading), never again from what was typed.
    `offers`: other topics the message may be asking about (a second question, a close
    runner-up, or for an unclear message the likely ones), offered as the first buttons.
    """
    text = turn.text
    interpretation = turn.interpretation
    command = command_of(text)  # "sources", "more about this result": about the last answer
    emergency = interpretation is not None and interpretation.urgency is Urgency.EMERGENCY
    parts: list[Message] = []
    if emergency and interpretation is not None and command is None:
        parts.append(_medical(emergency_advice(interpretation)))
    answered = False
    if command == SOURCES:
        parts.append(Message(text=sources_list(turn.state.last_sources)))
        answered = True
    elif command == MORE:
        parts.append(_more(interpretation))
        answered = True
    follow_up = command is None and is_follow_up(text)  # "is that normal?" after a count
    explain = turn.counts_changed or follow_up
    if interpretation is not None and interpretation.findings and explain:
        pictures = pictures_for(interpretation, turn.state.counts, turn.state.relative)
        explained = _medical(reading(interpretation, turn.state.relative))
        parts.append(replace(explained, pictures=pictures))
        answered = True
    elif command is None and _urgency_due(turn, emergency):  # before a urine answer too
        assert interpretation is not None  # _urgency_due checks it
        parts.append(_medical(advice(interpretation)))
        answered = True
    if turn.other_specimen:
        parts.append(_medical(specimen_answer(turn.other_specimen)))
        answered = True

    topic = topic_of_intent(intent)  # intents ask_<topic> are answered from content.yml
    if command is not None or (follow_up and answered and topic != "causes"):
        pass  # answered: the follow-up was about the count, not a new topic
    elif topic is not None and topic in topics():
        parts.append(_medical(topic_text(topic, turn)))
    elif intent == "report_symptom" and not emergency and not answered:
        parts.append(_medical(symptom_answer(interpretation)))
    elif intent == "nlu_fallback" and offers and not answered and not emergency:
        parts.append(_medical(unclear_answer("unclear_which")))  # "Which of these do you mean?"
    elif intent == "nlu_fallback" and not answered and not emergency:
        parts.append(_medical(unclear_answer("unclear")))
    elif intent in RESPONSE_OF_INTENT and not (intent in ONLY_ALONE and (answered or emergency)):
        parts.append(Message(response=RESPONSE_OF_INTENT[intent]))
    elif intent not in RESPONSE_OF_INTENT and not answered and not emergency:
        parts.append(_medical(unclear_answer("unclear")))

    messages = _with_sources_and_disclaimer(_without_repeats(parts), disclaimer(interpretation))
    if not turn.state.intro_given:
        messages.append(Message(response=INTRO_RESPONSE))
    buttons = _buttons(topic, turn, emergency, intent, command, messages, offers)
    if messages and buttons:
        messages[-1] = replace(messages[-1], buttons=buttons)
    return tuple(messages)


def sources_of(messages: Iterable[Message]) -> tuple[str, ...]:
    """Every source of the medical messages of a reply, once each, in order."""
    return tuple(dict.fromkeys(key for message in messages for key in message.source_keys))


def disclaimer(interpretation: Interpretation | None = None) -> str:
    """The short emergency-care disclaimer that ends every medical reply, once."""
    return disclaimer_for(interpretation)


def emergency_advice(interpretation: Interpretation) -> Cited:
    """What to do and the number to call first, then why (section 6)."""
    return Cited(EMERGENCY_MARK + " ".join(interpretation.reasons), _reason_sources(interpretation))


def advice(interpretation: Interpretation) -> Cited:
    """The urgency a message raised without new counts ("and she has mouth sores now")."""
    reasons = [r for r in interpretation.reasons if wording.key_of(r) != "routine"]
    return Cited(" ".join(reasons), tuple(_reason_sources(interpretation)))


def specimen_answer(name: str) -> Cited:
    """White cells in urine, spinal fluid ...: not judged against blood ranges (section 4)."""
    specimen = specimen_named_by(name)
    return Cited(wording.reason("other_specimen", sample=specimen.words), specimen.source_keys)


def unclear_answer(key: str) -> Cited:
    """Return the answer to a message the bot could not place.

    It says so, offers the topics (the buttons), and points to a plain guide, so the reply still
    ends with the emergency disclaimer.
    """
    return Cited(wording.word(key), UNCLEAR_SOURCES)


def topic_text(topic: str, turn: Turn) -> Cited:
    """Return the sourced answer to a question, for the cause named, else for the subject.

    The subject comes from bot/judge/subjects.py: "how do I avoid infections during chemo?" gets the
    chemotherapy answer to prevention.
    """
    cause = find_cause(tokens_of(turn.parsed)) if topic == "causes" else None
    answer = topic_answer(topic, cause, subject=turn.state.subject)
    return Cited(answer.text, answer.source_keys)


def symptom_answer(interpretation: Interpretation | None) -> Cited:
    """A symptom report that is not an emergency: what to do, then when to get care."""
    answer = topic_answer(SAFETY_TOPIC)
    if interpretation is None:
        return Cited(answer.text, answer.source_keys)
    reasons = [r for r in interpretation.reasons if wording.key_of(r) != "routine"]
    keys = (*_reason_sources(interpretation), *answer.source_keys)
    return Cited(" ".join([*reasons, answer.text]), keys)


def sources_list(keys: Sequence[str]) -> str:
    """Every source of the last answer, one titled link a line."""
    shown = citable(list(keys))
    if not shown:
        return wording.word("no_sources")
    return "\n".join([wording.word("sources_list"), *(f"- {link(key)}" for key in shown)])


def _more(interpretation: Interpretation | None) -> Message:
    if interpretation is None or not interpretation.findings:
        return Message(text=wording.word("no_result"))
    more = more_about(interpretation) if has_more(interpretation) else reading(interpretation)
    if not citable(list(more.source_keys)):  # e.g. only the report's own range was used
        more = Cited(more.text, (*more.source_keys, *_reason_sources(interpretation)))
    return _medical(more)


def _urgency_due(turn: Turn, emergency: bool) -> bool:
    """Same-day advice (or the fever-threshold note) that this message itself raised."""
    interpretation = turn.interpretation
    if interpretation is None or emergency or not turn.urgency_news:
        return False
    same_day = interpretation.urgency is Urgency.SAME_DAY
    return same_day or interpretation.context.fever_below_threshold


def _medical(cited: Cited) -> Message:
    if not citable(list(cited.source_keys)):
        raise ValueError("a medical answer needs at least one source it can link to")
    return Message(text=cited.text.strip(), source_keys=tuple(dict.fromkeys(cited.source_keys)))


def _without_repeats(parts: list[Message]) -> list[Message]:
    """Drop every sentence already said earlier in the reply (medical texts only)."""
    seen: set[str] = set()
    kept = []
    for part in parts:
        if not part.source_keys:
            kept.append(part)
            continue
        new = []
        for sentence in (s for s in _SENTENCE.split(part.text) if s.strip()):
            if sentence.strip() not in seen:  # also within one part: "Call your doctor today."
                new.append(sentence)
                seen.add(sentence.strip())
        if new:
            kept.append(replace(part, text=" ".join(new)))
    return kept


def _with_sources_and_disclaimer(parts: list[Message], closing: str) -> list[Message]:
    """Links to at most two sources under each medical text; the disclaimer after the last."""
    last_medical = max((i for i, p in enumerate(parts) if p.source_keys), default=-1)
    messages = []
    for index, part in enumerate(parts):
        if part.source_keys:
            links = " · ".join(link(key) for key in citable(list(part.source_keys))[:MAX_LINKS])
            blocks = [part.text, f"Sources: {links}"]
            if index == last_medical:
                blocks.append(closing)
            part = replace(part, text="\n\n".join(blocks))
        messages.append(part)
    return messages


def _reason_sources(interpretation: Interpretation) -> tuple[str, ...]:
    """The keys of the sources the urgency reasons rest on."""
    keys = (key for reason in interpretation.reasons for key in wording.source_keys_of(reason))
    return tuple(dict.fromkeys(keys))


def _buttons(
    topic: str | None,
    turn: Turn,
    emergency: bool,
    intent: str,
    command: str | None,
    messages: Sequence[Message],
    offers: Sequence[str] = (),
) -> tuple[Button, ...]:
    follow_ups: Sequence[str]
    if intent == "nlu_fallback" and offers:
        follow_ups = ()  # the offers are the clarifying question's choices
    elif emergency:
        chemo = turn.interpretation is not None and any(
            wording.key_of(reason).startswith("oncology_line")
            for reason in turn.interpretation.reasons
        )
        follow_ups = AFTER_EMERGENCY_ON_TREATMENT if chemo else ()
    elif topic is not None and topic in topics():
        follow_ups = topic_answer(topic).follow_ups[:2]
    elif turn.counts_changed:
        follow_ups = AFTER_COUNTS
    elif command is None and (
        intent in ("nlu_fallback", "ask_help", "greet", "affirm")
        or intent not in RESPONSE_OF_INTENT
    ):
        follow_ups = MAIN_TOPICS
    else:
        follow_ups = ()
    # Not the topic just answered, nor the subject's own topic ("What about children?" after an
    # answer about children).
    subject = turn.state.subject.value if turn.state.subject is not None else None
    names = [name for name in dict.fromkeys([*offers, *follow_ups]) if name not in (topic, subject)]
    buttons = [
        Button(button_title(name), f"/{TOPIC_PREFIX}{name}") for name in names[:MAX_TOPIC_BUTTONS]
    ]
    interpretation = turn.interpretation
    if turn.counts_changed and interpretation is not None and has_more(interpretation):
        buttons.append(Button(wording.word("more_about_result"), MORE))
    if len(sources_of(messages)) > MAX_LINKS:
        buttons.append(Button(wording.word("sources_button"), SOURCES))
    return tuple(buttons)
