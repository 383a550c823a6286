"""Safety paths over a grammar of messages.

Red flags (and their negations, and "confused" meaning puzzled) x counts x questions x
temperatures in each written form x adult, child or infant x cancer treatment, in any order.

Each generated message goes through the chat's own turn (bot.reply.dialogue.respond, as the Rasa
action and `python -m bot reply` call it). The expected urgency comes from an oracle written
from docs/clinical-reference.md section 6, independently of bot/judge/triage.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.judge.conversation import ConversationState
from bot.judge.safety import TROUBLE_TEXT
from bot.model import Subject, Urgency
from bot.reply.content import topic_answer
from bot.reply.dialogue import respond

FEVER_FROM_C = 38.0
EMERGENCY_MARK = "⚠️"
SAME_DAY_WORDS = ("doctor today", "right away, today")


@dataclass(frozen=True)
class Person:
    sentence: str
    infant: bool = False  # younger than 3 months


@dataclass(frozen=True)
class Count:
    text: str  # a clause: "The WBC came back at 2.9"
    cells: float | None  # as read, None when a unit is needed
    analyte: str
    low_context: bool  # critically low, low, needs a unit, ANC below 1,000
    critical: bool  # critically low: same-day on its own
    high: bool = False  # above the range: a fever with it is same-day (the project's decision)


@dataclass(frozen=True)
class Flag:
    sentence: str
    kind: str  # emergency_sign | fever | infection_sign | none
    says_fever_word: bool = False  # "fever" itself, not chills


@dataclass(frozen=True)
class Temperature:
    clause: str
    celsius: float
    says_fever_word: bool


@dataclass(frozen=True)
class Question:
    sentence: str
    topics: tuple[tuple[str, str | None], ...]  # acceptable (topic, cause) answers


PEOPLE = [
    Person(""),
    Person("I am 45."),
    Person("My son is 6."),
    Person("My baby is 6 weeks old.", infant=True),
]
# Values chosen so that their category is the same for an adult, a 6-year-old and a 6-week-old.
COUNTS = [
    None,
    Count("The WBC came back at 1.2", 1200, "wbc", True, True),
    Count("The WBC came back at 2.9", 2900, "wbc", True, False),
    Count("wbc 2,900", 2900, "wbc", True, False),
    Count("The WBC is 8.0", 8000, "wbc", False, False),
    Count("WBC 25", 25000, "wbc", False, False, high=True),
    Count("The WBC was 320", None, "wbc", True, False),
    Count("ANC 800", 800, "anc", True, False),
    Count("ANC 300", 300, "anc", True, True),
]
FLAGS = [
    None,
    Flag("There is trouble breathing.", "emergency_sign"),
    Flag("I can't breathe properly.", "emergency_sign"),
    Flag("Also chest pain since this morning.", "emergency_sign"),
    Flag("She had a seizure an hour ago.", "emergency_sign"),
    Flag("He fainted in the kitchen.", "emergency_sign"),
    Flag("She has a stiff neck and a bad headache.", "emergency_sign"),
    Flag("He seems confused and is hard to wake.", "emergency_sign"),
    Flag("My mother is confused.", "emergency_sign"),
    Flag("I feel very unwell.", "emergency_sign"),
    Flag("I feel like I'm dying.", "emergency_sign"),
    Flag("I have a fever.", "fever", says_fever_word=True),
    Flag("She has chills.", "fever"),
    Flag("He has mouth sores.", "infection_sign"),
    Flag("There is a new cough.", "infection_sign"),
    Flag("It burns when I pee.", "infection_sign"),
    Flag("No fever.", "none"),
    Flag("There is no chest pain.", "none"),
    Flag("No trouble breathing or chills.", "none"),
    Flag("I'm confused, what does that mean?", "none"),
    Flag("I am so confused by these numbers.", "none"),
]
TEMPERATURES = [
    None,
    Temperature("a temperature of 38.6", 38.6, False),
    Temperature("a fever of 100.1", 37.83, True),
    Temperature("temp 102", 38.89, False),
    Temperature("running 38.9", 38.9, False),
    Temperature("38,5 °C", 38.5, False),
    Temperature("100.9F", 38.28, False),
    Temperature("T 38.7", 38.7, False),
    Temperature("temp 37.2", 37.2, False),
    Temperature("fever 102 last night", 38.89, True),
    Temperature("a fever of 37.6", 37.6, True),
]
QUESTIONS = [
    None,
    Question("How do I avoid infections?", (("prevention", None),)),
    Question("What could cause this?", (("causes", None), ("causes", "chemotherapy"))),
    Question("What is the normal range?", (("normal_range", None),)),
    Question("When should I call the doctor?", (("when_to_see_doctor", None),)),
]
TREATMENTS = ["", "We are on chemo."]


@dataclass(frozen=True)
class Case:
    person: Person
    count: Count | None
    flag: Flag | None
    temperature: Temperature | None
    question: Question | None
    on_treatment: bool
    joined: bool  # the temperature in the count's sentence ("wbc 4.4 and a temperature of 38.6")
    order: tuple[int, ...]

    def message(self) -> str:
        parts: list[str] = []
        count = self.count.text if self.count else ""
        temperature = self.temperature.clause if self.temperature else ""
        if count and temperature and self.joined:
            parts.append(f"{count} and {temperature}.")
        else:
            parts += [f"{count}." if count else "", f"Now {temperature}." if temperature else ""]
        parts += [
            self.flag.sentence if self.flag else "",
            "We are on chemo." if self.on_treatment else "",
            self.question.sentence if self.question else "",
        ]
        ordered = [parts[i] for i in self.order if i < len(parts)]
        return " ".join(part for part in [self.person.sentence, *ordered] if part)

    def expected_urgency(self) -> Urgency:
        """Section 6, written out: the oracle the bot is checked against."""
        kind = self.flag.kind if self.flag else "none"
        temperature = self.temperature
        if temperature is not None:  # a measured temperature decides; chills still count
            fever = temperature.celsius >= FEVER_FROM_C or (
                kind == "fever" and not self.flag_says_fever_word
            )
        else:
            fever = kind == "fever"
        said_fever = (temperature is not None and temperature.says_fever_word) or (
            self.flag_says_fever_word
        )
        below = temperature is not None and temperature.celsius < FEVER_FROM_C and said_fever
        low_context = self.on_treatment or (self.count is not None and self.count.low_context)
        if kind == "emergency_sign" or (fever and (low_context or self.person.infant)):
            return Urgency.EMERGENCY
        critical = self.count is not None and self.count.critical
        high = self.count is not None and self.count.high
        if (
            critical
            or (fever and high)
            or (kind == "infection_sign" and low_context and not fever)
            or (below and low_context and not fever)
        ):
            return Urgency.SAME_DAY
        return Urgency.ROUTINE

    @property
    def flag_says_fever_word(self) -> bool:
        return self.flag is not None and self.flag.says_fever_word


cases = st.builds(
    Case,
    person=st.sampled_from(PEOPLE),
    count=st.sampled_from(COUNTS),
    flag=st.sampled_from(FLAGS),
    temperature=st.sampled_from(TEMPERATURES),
    question=st.sampled_from(QUESTIONS),
    on_treatment=st.booleans(),
    joined=st.booleans(),
    order=st.permutations(range(5)).map(tuple),
)


def _texts(reply_messages: tuple[object, ...]) -> list[str]:
    return [
        getattr(message, "text", "") or getattr(message, "response", "")
        for message in reply_messages
    ]


@pytest.mark.slow
@settings(
    max_examples=3000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(cases)
def test_every_generated_message_gets_the_right_safe_answer(case: Case) -> None:
    """Every generated message gets the right safe answer.

    At least one reply, never the trouble reply, emergency advice first exactly when section 6 says
    so, one urgency, temperatures read as temperatures, and the question still answered.
    """
    message = case.message()
    reply = respond(ConversationState(), message)
    texts = _texts(reply.messages)
    assert texts, message
    assert not reply.failed and TROUBLE_TEXT not in texts, message
    expected = case.expected_urgency()
    got = reply.urgency or Urgency.ROUTINE
    assert got is expected, f"{message!r}: {got.value}, expected {expected.value}"
    emergency_first = texts[0].startswith(EMERGENCY_MARK)
    assert emergency_first is (expected is Urgency.EMERGENCY), message
    if expected is Urgency.EMERGENCY:
        assert not any(words in text for text in texts for words in SAME_DAY_WORDS), message
        assert sum(text.startswith(EMERGENCY_MARK) for text in texts) == 1, message
    findings = [] if reply.interpretation is None else reply.interpretation.findings
    read = [(finding.analyte.value, finding.cells_per_ul) for finding in findings]
    wanted = [] if case.count is None else [(case.count.analyte, case.count.cells)]
    assert read == wanted, f"{message!r}: read {read}"
    if case.question is not None:
        # The question type answered, for whichever subject the message is about (a child's,
        # during chemotherapy ...: bot/judge/subjects.py decides, tests/bot/test_subjects.py
        # checks).
        answers = [
            topic_answer(topic, cause, subject=subject).text
            for topic, cause in case.question.topics
            for subject in (None, *Subject)
        ]
        assert any(answer in text for answer in answers for text in texts), message


@pytest.mark.parametrize(
    ("message", "urgency"),
    [
        ("I have trouble breathing", Urgency.EMERGENCY),
        ("wbc 3.1 and chest pain", Urgency.EMERGENCY),
        ("I'm confused, what does wbc 3.2 mean", Urgency.ROUTINE),
        ("my 2 month old has a fever of 38.5", Urgency.EMERGENCY),
        ("wbc 4.4 and a temperature of 38.6", Urgency.SAME_DAY),
        ("I feel very unwell", Urgency.EMERGENCY),
        # issue 20: a negation covers its own clause only
        ("my baby won't feed and has a fever, she is 5 weeks old", Urgency.EMERGENCY),
        ("I can't stop shivering, on chemo", Urgency.EMERGENCY),
        ("haven't slept, fever 38.9, chemo last week", Urgency.EMERGENCY),
        ("I take clozapine and have a fever and sore throat", Urgency.EMERGENCY),
        ("I'm on chemo and feel terrible, no fever", Urgency.EMERGENCY),
        ("fever 38.3 and wbc 7.0", Urgency.ROUTINE),
    ],
)
def test_issue_examples(message: str, urgency: Urgency) -> None:
    """The messages of the safety issues, as the person typed them."""
    assert respond(ConversationState(), message).urgency is urgency


# ---------------------------------------------------------------------------------------------
# Clauses (issue 20): a sign in one clause and, in another, a negation, a hypothetical, a past
# event or a word in another sense, in both orders, joined by "and", a comma, "but" or "so".
# Only the present sign counts (clinical-reference.md section 5).


@dataclass(frozen=True)
class Clause:
    text: str
    kind: str  # the present sign's kind: emergency_sign | fever | infection_sign | none


NOT_COUNTING = [
    Clause("she won't feed", "none"),
    Clause("I haven't slept", "none"),
    Clause("there is no chest pain", "none"),
    Clause("he doesn't have a fever", "none"),
    Clause("no trouble breathing", "none"),
    Clause("I had a seizure as a child", "none"),
    Clause("he passed out once years ago", "none"),
    Clause("she had a fever last week, fine now", "none"),
    Clause("in case a fever comes on I bought a thermometer", "none"),
    Clause("I'm scared I'll get a fever", "none"),
    Clause("what if she gets chest pain", "none"),
    Clause("the crowd was at fever pitch", "none"),
    Clause("I have hay fever", "none"),
    Clause("my vein collapsed at the blood draw", "none"),
]
PRESENT = [
    Clause("she has a fever", "fever"),
    Clause("I have chills", "fever"),
    Clause("he can't breathe properly", "emergency_sign"),
    Clause("she has chest pain", "emergency_sign"),
    Clause("I feel very unwell", "emergency_sign"),
    Clause("there's a new cough", "infection_sign"),
    Clause("his neck is stiff and he has a fever", "emergency_sign"),
    Clause("her skin looks mottled", "emergency_sign"),
    Clause("the bleeding won't stop", "emergency_sign"),
    Clause("she keeps nodding off", "emergency_sign"),
    Clause("it's hard to wake him", "emergency_sign"),
    Clause("nothing else is wrong", "none"),
]
JOINERS = [" and ", ", ", " but ", " so "]


@dataclass(frozen=True)
class ClauseCase:
    not_counting: Clause
    present: Clause
    joiner: str
    present_first: bool
    count: Count | None
    on_treatment: bool

    def message(self) -> str:
        first, second = (self.present, self.not_counting)
        if not self.present_first:
            first, second = second, first
        parts = [f"{first.text}{self.joiner}{second.text}."]
        if self.count is not None:
            parts.append(f"{self.count.text}.")
        if self.on_treatment:
            parts.append("We are on chemo.")
        return " ".join(parts)

    def expected_urgency(self) -> Urgency:
        """Section 6 for the present sign alone (no temperatures here, no infant)."""
        kind = self.present.kind
        fever = kind == "fever" or "fever" in self.present.text
        low_context = self.on_treatment or (self.count is not None and self.count.low_context)
        if kind == "emergency_sign" or (fever and low_context):
            return Urgency.EMERGENCY
        critical = self.count is not None and self.count.critical
        high = self.count is not None and self.count.high
        if critical or (fever and high) or (kind == "infection_sign" and low_context):
            return Urgency.SAME_DAY
        return Urgency.ROUTINE


clause_cases = st.builds(
    ClauseCase,
    not_counting=st.sampled_from(NOT_COUNTING),
    present=st.sampled_from(PRESENT),
    joiner=st.sampled_from(JOINERS),
    present_first=st.booleans(),
    count=st.sampled_from(COUNTS),
    on_treatment=st.booleans(),
)


@pytest.mark.slow
@settings(
    max_examples=1500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(clause_cases)
def test_only_the_present_sign_counts_whatever_the_other_clause_says(case: ClauseCase) -> None:
    """Only the present sign counts, whatever the other clause says.

    A negation, hypothetical, past event or other sense in one clause never cancels or adds a sign
    in the other; emergency advice leads exactly when section 6 says so.
    """
    message = case.message()
    reply = respond(ConversationState(), message)
    texts = _texts(reply.messages)
    assert texts and not reply.failed, message
    expected = case.expected_urgency()
    got = reply.urgency or Urgency.ROUTINE
    assert got is expected, f"{message!r}: {got.value}, expected {expected.value}"
    assert texts[0].startswith(EMERGENCY_MARK) is (expected is Urgency.EMERGENCY), message
