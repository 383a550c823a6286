"""What the bot says after a message: the order of the parts and the one place where every medical
text gets its sources and the emergency-care disclaimer.

Order of a reply: emergency advice first (it overrides everything); the once-per-conversation
note on what this bot is; the reading of any new counts; the answer to the question asked; next
steps as buttons. Non-medical replies are Rasa responses named here and written in domain.yml.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import ranges
from bot.content import button_title, find_cause, topic_answer, topics
from bot.conversation import Turn
from bot.model import Category, Finding, Interpretation, Urgency
from bot.report import by_severity, explanations, format_cells
from bot.specimens import specimen_named_by

# Intents answered from bot/data/content.yml: ask_<topic>.
TOPIC_PREFIX = "ask_"
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
    "nlu_fallback": "utter_default",
}
INTRO_RESPONSE = "utter_intro"
MAIN_TOPICS = ("what_is_leukopenia", "causes", "normal_range", "when_to_see_doctor")
AFTER_COUNTS = ("causes", "when_to_see_doctor", "prevention")
AFTER_EMERGENCY = ("when_to_see_doctor", "chemotherapy")
SAFETY_TOPIC = "when_to_see_doctor"  # what a symptom report without counts is answered with
MAX_NOTES = 3


@dataclass(frozen=True)
class Button:
    """A next step; the payload also works when typed."""

    title: str
    payload: str


@dataclass(frozen=True)
class Message:
    """One bot message: either our own text or a Rasa response by name."""

    text: str = ""
    response: str = ""
    buttons: tuple[Button, ...] = ()


def plan_reply(turn: Turn, intent: str, text: str) -> tuple[Message, ...]:
    """The messages answering one turn, in the order they must be sent.

    Urgency first and never dropped: the emergency lead, then (once) the intro, then what this
    message changed (a sample that is not blood, the reading of new counts, or same-day advice
    raised by what it said), then the answer to the question asked, then next steps.
    """
    messages: list[Message] = []
    interpretation = turn.interpretation
    emergency = interpretation is not None and interpretation.urgency is Urgency.EMERGENCY
    if emergency and interpretation is not None:
        messages.append(Message(text=emergency_message(interpretation)))
    if not turn.state.intro_given:
        messages.append(Message(response=INTRO_RESPONSE))
    answered = False
    if turn.other_specimen:
        messages.append(Message(text=specimen_message(turn.other_specimen)))
        answered = True
    if interpretation is not None and interpretation.findings and turn.counts_changed:
        messages.append(Message(text=interpretation_message(interpretation, turn.state.subject)))
        answered = True
    elif _urgency_due(turn, emergency):
        assert interpretation is not None  # _urgency_due checks it
        messages.append(Message(text=advice_message(interpretation)))
        answered = True

    topic = intent[len(TOPIC_PREFIX) :] if intent.startswith(TOPIC_PREFIX) else None
    if topic is not None and topic in topics():
        messages.append(Message(text=topic_message(topic, text, turn)))
    elif intent == "report_symptom" and not emergency and not answered:
        messages.append(Message(text=symptom_message(interpretation)))
    elif intent in RESPONSE_OF_INTENT and not (intent == "inform" and (answered or emergency)):
        messages.append(Message(response=RESPONSE_OF_INTENT[intent]))
    elif intent not in RESPONSE_OF_INTENT and not answered and not emergency:
        messages.append(Message(response=RESPONSE_OF_INTENT["nlu_fallback"]))

    buttons = _buttons(topic, turn, emergency, intent)
    if messages and buttons:
        last = messages[-1]
        messages[-1] = Message(last.text, last.response, buttons)
    return tuple(messages)


def _urgency_due(turn: Turn, emergency: bool) -> bool:
    """Same-day advice (or the fever-threshold note) that this message itself raised."""
    interpretation = turn.interpretation
    if interpretation is None or emergency or not turn.urgency_news:
        return False
    same_day = interpretation.urgency is Urgency.SAME_DAY
    return same_day or interpretation.context.fever_below_threshold


def medical_message(text: str, source_keys: Iterable[str]) -> str:
    """The one place that adds sources (title and link) and the disclaimer to medical text."""
    sources = [_citation(key) for key in dict.fromkeys(source_keys)]
    cited = [source for source in sources if source]
    if not cited:
        raise ValueError("a medical answer needs at least one source it can name")
    return "\n\n".join([text.strip(), "Sources: " + "; ".join(cited), disclaimer()])


def disclaimer() -> str:
    """The short emergency-care disclaimer that ends every medical answer."""
    return str(explanations()["disclaimer"])


def emergency_message(interpretation: Interpretation) -> str:
    """Emergency advice, with why; it leads the first message of the reply."""
    text = "⚠️ " + " ".join(interpretation.reasons)
    return medical_message(text, _reason_sources(interpretation))


def interpretation_message(interpretation: Interpretation, subject: str | None = None) -> str:
    """How each count was read, what it is compared with, what that means, and what to do.

    `subject`: whose count it is ("daughter") when not the writer's own.
    """
    words = explanations()
    findings = by_severity(interpretation.findings)
    sentences = [_finding_sentence(finding, words, subject) for finding in findings]
    sentences.append(words["meanings"][findings[0].category.value])
    if interpretation.urgency is not Urgency.EMERGENCY:
        sentences.extend(interpretation.reasons)
    sentences.extend(interpretation.notes[:MAX_NOTES])
    keys = [key for finding in findings for key in finding.reference.source_keys]
    keys += _reason_sources(interpretation)
    return medical_message(" ".join(sentences), keys)


def advice_message(interpretation: Interpretation) -> str:
    """The urgency a message raised without new counts ("and she has mouth sores now")."""
    reasons = [reason for reason in interpretation.reasons if reason != ranges.reason("routine")]
    return medical_message(" ".join(reasons), _reason_sources(interpretation))


def specimen_message(name: str) -> str:
    """White cells in urine, spinal fluid ...: not judged against blood ranges (section 4)."""
    specimen = specimen_named_by(name)
    text = ranges.reason("other_specimen", sample=specimen.words)
    return medical_message(text, specimen.source_keys)


def topic_message(topic: str, text: str, turn: Turn) -> str:
    """The sourced answer to a question, for the cause named or the situation known."""
    cause = find_cause(text) if topic == "causes" else None
    if topic == "causes" and cause is None and turn.state.on_cancer_treatment:
        cause = "chemotherapy"  # "what could cause it?" while on chemotherapy
    answer = topic_answer(topic, cause)
    return medical_message(answer.text, answer.source_keys)


def symptom_message(interpretation: Interpretation | None) -> str:
    """A symptom report that is not an emergency: what to do, then when to get care."""
    answer = topic_answer(SAFETY_TOPIC)
    reasons = [] if interpretation is None else list(interpretation.reasons)
    keys = [
        *answer.source_keys,
        *([] if interpretation is None else _reason_sources(interpretation)),
    ]
    return medical_message(" ".join([*reasons, answer.text]), keys)


def _finding_sentence(finding: Finding, words: Mapping[str, Any], subject: str | None) -> str:
    name = words["analyte_names"][finding.analyte.value]
    whose = f"your {subject}'s" if subject else "your"
    if finding.category is Category.NEEDS_UNIT:
        return f'I cannot judge {whose} {name} of "{finding.text}" without its unit.'
    if finding.category is Category.IMPLAUSIBLE or finding.cells_per_ul is None:
        return f'As written, "{finding.text}" is not a {name} a blood test can give.'
    reference = finding.reference
    cells = format_cells(finding.cells_per_ul)
    category = words["categories"][finding.category.value]
    grade = f" ({words['grades'][finding.grade.value]})" if finding.grade else ""
    compared = "the " + ranges.range_words(reference)
    low, high = format_cells(reference.low), format_cells(reference.high)
    return (
        f"{whose.capitalize()} {name} of {cells} cells per microliter is {category}{grade}: "
        f"I compared it with {compared}, {low} to {high}."
    )


def _reason_sources(interpretation: Interpretation) -> list[str]:
    """The keys of the sources the urgency reasons rest on."""
    return [key for reason in interpretation.reasons for key in ranges.source_keys_of(reason)]


def _buttons(topic: str | None, turn: Turn, emergency: bool, intent: str) -> tuple[Button, ...]:
    if emergency:
        follow_ups: Sequence[str] = AFTER_EMERGENCY
    elif topic is not None and topic in topics():
        follow_ups = topic_answer(topic).follow_ups
    elif turn.counts_changed:
        follow_ups = AFTER_COUNTS
    elif (
        intent in ("nlu_fallback", "ask_help", "greet", "affirm")
        or intent not in RESPONSE_OF_INTENT
    ):
        follow_ups = MAIN_TOPICS
    else:
        return ()
    return tuple(
        Button(button_title(name), f"/{TOPIC_PREFIX}{name}") for name in follow_ups if name != topic
    )


def _citation(key: str) -> str:
    source = ranges.sources()[key]
    if not source.short:
        return ""
    return f"{source.name} — {source.link}" if source.link else source.name
