"""The safety net around a turn.

Temperatures are not counts, other samples are not blood, the reply never fails silently, and
every cited source has a name and a link.
"""

from __future__ import annotations

import logging

import pytest

from bot.judge.conversation import ConversationState
from bot.judge.safety import TROUBLE_TEXT, emergency_text, fallback_texts
from bot.model import Urgency
from bot.read.parse import parse_text
from bot.reference import tables
from bot.reply.dialogue import respond

TEMPERATURE_CASES = [
    ("wbc 4.4 and a temperature of 38.6", [4400.0], 38.6),
    ("wbc 3.2, fever of 100.1", [3200.0], 37.83),
    ("WBC 2.8 temp 102", [2800.0], 38.89),
    ("wbc 3.0 and running 38.9", [3000.0], 38.9),
    ("wbc 3.1, 38,5 °C", [3100.0], 38.5),
    ("wbc 2.9 and 100.9F", [2900.0], 38.28),
    ("T 38.7, wbc 1.9", [1900.0], 38.7),
    ("wbc 3.3 fever 102 last night", [3300.0], 38.89),
    ("a fever of 100.1", [], 37.83),
]


@pytest.mark.parametrize(
    ("text", "counts", "celsius"), TEMPERATURE_CASES, ids=[c[0] for c in TEMPERATURE_CASES]
)
def test_temperatures_are_never_counts(text: str, counts: list[float], celsius: float) -> None:
    """Section 4: a number attached to a temperature phrase is a temperature."""
    parsed = parse_text(text)
    assert [value.cells_per_ul for value in parsed.values] == counts
    assert parsed.context.temperature_c == pytest.approx(celsius, abs=0.01)


SPECIMEN_CASES = [
    ("my urinalysis shows WBC 25", "urine"),
    ("urine test: leukocytes 10-20 /hpf", "urine"),
    ("WBC 25 /hpf", "urine"),
    ("leukocyte esterase positive, what does it mean?", "urine"),
    ("The spinal tap showed a white count of 12", "spinal fluid"),
    ("CSF WBC 8", "spinal fluid"),
    ("stool test positive for white blood cells", "stool"),
    ("semen analysis: WBC 2 million/ml", "semen"),
    ("wet mount shows many white cells", "smear"),
    ("joint fluid wbc 30000", "body fluid"),
]


@pytest.mark.parametrize(("text", "specimen"), SPECIMEN_CASES, ids=[c[0] for c in SPECIMEN_CASES])
def test_other_samples_are_not_judged_as_blood(text: str, specimen: str) -> None:
    """White cells in urine, spinal fluid, stool ... get the 'blood counts only' reply."""
    reply = respond(ConversationState(intro_given=True), text)
    assert reply.interpretation is None or not reply.interpretation.findings
    assert parse_text(text).context.other_specimen == specimen
    answer = reply.messages[0].text
    assert "blood test" in answer and "medlineplus.gov" in answer


@pytest.mark.parametrize(
    "text",
    [
        "my blood test shows wbc 3.2",
        "cbc: wbc 2.9, and my urine test was fine",
        "wbc 3.2",
        "after my G-CSF shot the wbc is 1.2",
        "I have cervical cancer and my wbc is 2.1",
        "I keep getting urine infections, wbc 3.1",
    ],
)
def test_blood_counts_next_to_other_words_are_still_read(text: str) -> None:
    """A blood count is judged even when another sample is named after it."""
    assert next(value.cells_per_ul for value in parse_text(text).values) is not None


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("I feel very unwell", True),
        ("he is really sick and his wbc is 2.1", True),
        ("I'm so sick of these tests, wbc 3.2", False),
        ("I'm confused, what does wbc 3.2 mean", False),
        ("confused. what does 3.2 mean?", False),
        ("my mother is confused, what should I do?", True),
        ("he seems confused", True),
    ],
)
def test_red_flags_read_in_their_sense(text: str, flagged: bool) -> None:
    """Red flags are read in their sense: "very unwell" is a sign, "confused" as puzzled not."""
    urgency = respond(ConversationState(), text).urgency
    assert (urgency is Urgency.EMERGENCY) is flagged


def test_a_failing_reply_still_gives_emergency_advice(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """If composing the reply raises, a red flag still gets emergency advice, then an apology.

    The log names the error but not what was typed.
    """

    def broken(*_: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr("bot.reply.dialogue.plan_reply", broken)
    with caplog.at_level(logging.ERROR):
        reply = respond(ConversationState(), "my wbc is 1.1 and I have trouble breathing")
    assert [m.text for m in reply.messages] == [emergency_text(), TROUBLE_TEXT]
    assert reply.urgency is Urgency.EMERGENCY
    assert "ValueError" in caplog.text and "breathing" not in caplog.text


def test_a_failing_reading_keeps_the_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error while reading keeps what was said before and still apologises."""

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.reply.dialogue.take_turn", broken)
    before = ConversationState(age_years=30.0, intro_given=True)
    reply = respond(before, "hello")
    assert reply.state == before
    assert [m.text for m in reply.messages] == [TROUBLE_TEXT]


@pytest.mark.parametrize(
    ("text", "urgent"),
    [("I can't breathe", True), ("temp 38.6", True), ("hello", False), ("wbc 3.2", False)],
)
def test_fallback_texts_are_never_empty(text: str, urgent: bool) -> None:
    """The fallback always apologises, and leads with emergency advice for a red flag."""
    texts = fallback_texts(text)
    assert texts[-1] == TROUBLE_TEXT
    assert (texts[0] == emergency_text()) is urgent


def test_every_cited_source_has_a_name_and_a_link() -> None:
    """A source an answer cites is named with its title and a link."""
    for source in tables.sources().values():
        if source.short:
            assert source.name and source.link.startswith("https://"), source.key


def test_emergency_constant_says_what_to_do_and_the_number_to_call() -> None:
    """The constant emergency advice: act now, the numbers, a titled source link."""
    assert "emergency care now" in emergency_text()
    assert all(number in emergency_text() for number in ("911", "112", "999"))
    assert "https://medlineplus.gov/" in emergency_text()


@pytest.mark.parametrize(
    ("age", "noted"),
    [(None, True), (30.0, True), (8.0, False), (0.01, False)],
)
def test_naturally_lower_counts_note_only_for_adults(age: float | None, noted: bool) -> None:
    """The Duffy note never goes to a newborn or a child."""
    state = respond(ConversationState(age_years=age, intro_given=True), "wbc 4.2").state
    more = respond(state, "more about this result").messages
    assert any("African or Middle Eastern" in message.text for message in more) is noted


def test_someone_elses_count_is_worded_as_theirs() -> None:
    """Someone else's count ("my daughter is 4 and her wbc is 5.1") is worded as theirs."""
    reply = respond(ConversationState(intro_given=True), "my daughter is 4 and her wbc is 5.1")
    text = reply.messages[0].text
    assert "Your daughter's white count of 5.1 (5,100) is low for a 4-year-old." in text
    assert "The usual range is 5,500 to 15,500." in text


def test_a_same_day_reason_is_kept_beside_a_question() -> None:
    """Treatment + mouth sores + a question: the same-day advice comes first, then the answer."""
    reply = respond(
        ConversationState(intro_given=True),
        "I'm on chemo and have mouth sores, how do I avoid infections?",
    )
    texts = [message.text for message in reply.messages]
    assert reply.urgency is Urgency.SAME_DAY
    assert "today" in texts[0]
    assert len(texts) == 2 and "hands" in texts[1]


def test_a_fever_below_the_threshold_is_acknowledged() -> None:
    """A "fever of 37.6" is told where a fever starts and to measure again."""
    reply = respond(ConversationState(intro_given=True), "I have a fever of 37.6, wbc 3.1")
    text = " ".join(message.text for message in reply.messages)
    assert "38.0 °C (100.4 °F)" in text and "Measure again" in text
    assert reply.urgency is Urgency.SAME_DAY  # a low count makes it a call today


@pytest.mark.parametrize(
    "follow_up", ["is that normal?", "What does that mean?", "should I worry?", "is it bad"]
)
def test_a_follow_up_after_a_count_is_about_that_count(follow_up: str) -> None:
    """A follow-up ("is that normal?") after a count explains that count again.

    After "My daughter is 4 and her wbc is 5.1", it is her count.
    """
    first = respond(ConversationState(intro_given=True), "my daughter is 4 and her wbc is 5.1")
    for intent in (None, "inform", "affirm", "nlu_fallback", "ask_normal_range"):
        reply = respond(first.state, follow_up, intent)
        assert "Your daughter's white count" in reply.messages[0].text, intent
        assert "low for a 4-year-old" in reply.messages[0].text


def test_a_fall_is_said_in_words() -> None:
    """A fall ("went from 6.2 to 3.9") is said in words, and the latest count is judged."""
    reply = respond(ConversationState(intro_given=True), "my wbc went from 6.2 to 3.9 since March")
    text = reply.messages[0].text
    assert "3.9 (3,900) is low" in text and "gone down from 6,200" in text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("my son is having a fit", "nlu_fallback"),
        ("I feel like I'm dying", "out_of_scope"),
        ("urine wbc 25", "out_of_scope"),
        ("CSF wbc 12", "nlu_fallback"),
        ("wbc 3.2", "inform"),
    ],
)
def test_no_did_not_understand_after_an_answer(text: str, intent: str) -> None:
    """No "did not understand" follows an answer: it comes only alone.

    "Sorry, I did not understand" or "I can only help with white counts" after emergency advice, a
    reading or a sample's answer would contradict it.
    """
    reply = respond(ConversationState(intro_given=True), text, intent)
    assert reply.messages[0].text  # the answer itself
    responses = [message.response for message in reply.messages if message.response]
    assert responses == [], responses


def test_a_sample_with_a_fever_keeps_the_same_day_advice_first() -> None:
    """A sample with a fever keeps the same-day advice first.

    Urine white cells and a high fever: "contact your doctor today" first, then the urine answer (a
    fever of 39.4 °C or more needs a doctor the same day, MedlinePlus).
    """
    reply = respond(ConversationState(intro_given=True), "urine wbc 2-5 and a fever of 39.6")
    assert reply.urgency is Urgency.SAME_DAY
    assert "doctor today" in reply.messages[0].text
    assert "urine" in reply.messages[1].text


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("my baby (8 weeks) has a wbc of 9", "an 8-week-old"),
        ("my 11 week old has a wbc of 9", "an 11-week-old"),
        ("my 4 month old has a wbc of 9", "a 4-month-old"),
        ("my son is 3 and his wbc is 9", "a 3-year-old"),
        ("my 5 day old has a wbc of 12", "a 5-day-old"),
    ],
)
def test_a_babys_age_is_said_as_parents_count_it(text: str, group: str) -> None:
    """Weeks under 3 months ("an 8-week-old", not "a 1-month-old"), then months, then years."""
    reply = respond(ConversationState(intro_given=True), text, "inform")
    assert f"for {group}." in reply.messages[0].text


@pytest.mark.parametrize(
    ("text", "chemo_button"),
    [
        ("my 6 week old has a temperature of 38.2", False),
        ("I have trouble breathing", False),
        ("wbc 2.9 and I have a fever", True),  # "On chemo? Call your cancer team's line too."
    ],
)
def test_after_emergency_advice_chemotherapy_is_offered_only_where_it_was_spoken_of(
    text: str, chemo_button: bool
) -> None:
    """A baby's fever or a sign alone gets no "What about chemotherapy?" button."""
    reply = respond(ConversationState(intro_given=True), text)
    assert reply.urgency is Urgency.EMERGENCY
    payloads = [button.payload for message in reply.messages for button in message.buttons]
    assert ("/ask_chemotherapy" in payloads) is chemo_button


@pytest.mark.parametrize(
    ("text", "fever_is_an_emergency_there"),
    [
        ("fever 38.3 and wbc 7.0", False),  # routine: when to call
        ("fever 39.6 and wbc 7.0", False),  # same day
        ("wbc 4.3 and a temperature of 38.4", False),  # same day
        ("wbc 3.2", True),  # no fever: the general disclaimer
    ],
)
def test_the_disclaimer_never_contradicts_the_urgency(
    text: str, fever_is_an_emergency_there: bool
) -> None:
    """The disclaimer never contradicts the urgency (section 6).

    After a fever judged routine or same day, the closing lines give the fever threshold but do not
    send the person to emergency care for a fever; otherwise they name a fever with a low count or
    chemo as an emergency.
    """
    reply = respond(ConversationState(intro_given=True), text)
    closing = reply.messages[-1].text.rsplit("\n\n", 1)[-1]
    assert closing.startswith("General information, not a diagnosis")
    assert "38 °C" in closing and "emergency care" in closing
    assert ("low count" in closing) is fever_is_an_emergency_there


def test_under_emergency_advice_the_disclaimer_does_not_list_the_signs_again() -> None:
    """Under emergency advice, the disclaimer does not list the signs again.

    After "Seek emergency care now", the closing line says only that emergency care comes first,
    not a second list of signs that reads like another instruction; no "ask your doctor" and no
    doctor button in that turn.
    """
    reply = respond(ConversationState(intro_given=True), "wbc 1.2 and a fever of 38.5")
    assert reply.messages[0].text.startswith("⚠️ Seek emergency care now")
    closing = reply.messages[-1].text.rsplit("\n\n", 1)[-1]
    assert closing.startswith("General information, not a diagnosis")
    assert "emergency care first" in closing
    assert "trouble breathing" not in closing and "low count" not in closing
    assert "ask your doctor" not in "\n".join(message.text for message in reply.messages)
    assert not [b for m in reply.messages for b in m.buttons if "doctor" in b.title.lower()]
