"""Follow-ups refer to what was just said (docs/understanding.md, "Follow-ups").

After a count, "is that normal?", "what does that mean?" and "should I worry?" are about that
count; "why?" asks for its causes; "and for a child?" asks the last question again for
children. Several questions in one message: the main one is answered and the others are
offered; an unclear message gets a clarifying question with the likely topics as buttons.
"""

from __future__ import annotations

import pytest

from bot.judge.conversation import ConversationState
from bot.read.questions import offered_topics
from bot.reply.content import topic_answer, topics
from bot.reply.dialogue import Reply, respond


def _say(texts: list[tuple[str, str | None]]) -> Reply:
    state, reply = ConversationState(), None
    for text, intent in texts:
        reply = respond(state, text, intent)
        state = reply.state
    assert reply is not None
    return reply


def _text(reply: Reply) -> str:
    return "\n".join(message.text for message in reply.messages)


@pytest.mark.parametrize(
    "follow_up", ["is that normal?", "what does that mean?", "should I worry?", "Is this bad?"]
)
def test_a_follow_up_after_a_childs_count_is_about_that_count(follow_up: str) -> None:
    reply = _say([("my daughter is 4 and her wbc is 5.1", "inform_wbc_value"), (follow_up, None)])
    assert "5,100" in _text(reply) and "4-year-old" in _text(reply)


@pytest.mark.parametrize("why", ["why?", "Why is that?", "and why", "how come?"])
def test_why_after_a_count_gives_the_causes_for_the_subject(why: str) -> None:
    reply = _say([("wbc 2.1, I'm on chemo", "inform_wbc_value"), (why, "ask_causes")])
    assert topic_answer("causes", subject="chemotherapy").text in _text(reply)


@pytest.mark.parametrize("model_intent", [None, "ask_children", "nlu_fallback"])
@pytest.mark.parametrize("switch", ["and for a child?", "what about in babies?", "And kids?"])
def test_and_for_a_child_repeats_the_last_question_for_children(
    switch: str, model_intent: str | None
) -> None:
    reply = _say([("what is a normal white count?", "ask_normal_range"), (switch, model_intent)])
    assert topic_answer("normal_range", subject="children").text in _text(reply)
    assert reply.state.subject is not None and reply.state.subject.value == "children"


def test_the_subject_carries_over_to_the_next_question() -> None:
    reply = _say(
        [
            ("My son has congenital neutropenia.", "inform"),
            ("how is it treated?", "ask_treatment"),
        ]
    )
    assert topic_answer("treatment", subject="neutropenia").text in _text(reply)


def _ranking(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


@pytest.mark.parametrize(
    ("intent", "ranking", "questions", "offered"),
    [
        # a clear winner, one question: nothing else offered
        ("ask_causes", _ranking(("ask_causes", 0.8), ("ask_symptoms", 0.1)), [], ()),
        # a close runner-up is offered
        (
            "ask_causes",
            _ranking(("ask_causes", 0.45), ("ask_treatment", 0.35)),
            [],
            ("treatment",),
        ),
        # a second question sentence is offered first
        (
            "ask_causes",
            _ranking(("ask_causes", 0.6), ("ask_prevention", 0.2)),
            [
                {"intent": "ask_causes", "confidence": 0.7},
                {"intent": "ask_prevention", "confidence": 0.6},
            ],
            ("prevention",),
        ),
        # not a topic: not offered
        ("ask_causes", _ranking(("ask_causes", 0.5), ("greet", 0.45)), [], ()),
        # unclear: the likely topics, best first, at most four
        (
            "nlu_fallback",
            _ranking(
                ("nlu_fallback", 0.8),
                ("ask_causes", 0.15),
                ("ask_treatment", 0.14),
                ("greet", 0.1),
                ("ask_outlook", 0.1),
                ("ask_symptoms", 0.05),
                ("ask_diagnosis", 0.04),
            ),
            [],
            ("causes", "treatment", "outlook", "symptoms"),
        ),
    ],
)
def test_offered_topics(
    intent: str,
    ranking: list[dict[str, object]],
    questions: list[dict[str, object]],
    offered: tuple[str, ...],
) -> None:
    assert offered_topics(intent, ranking, questions, topics()) == offered


def test_two_questions_answer_the_main_one_and_offer_the_other() -> None:
    text = "What causes a low white count? And how can I avoid infections?"
    reply = respond(
        ConversationState(intro_given=True),
        text,
        "ask_causes",
        _ranking(("ask_causes", 0.6), ("ask_prevention", 0.3)),
        [
            {"text": "What causes a low white count?", "intent": "ask_causes", "confidence": 0.8},
            {
                "text": "And how can I avoid infections?",
                "intent": "ask_prevention",
                "confidence": 0.7,
            },
        ],
    )
    assert topic_answer("causes").text in _text(reply)
    first_button = reply.messages[-1].buttons[0]
    assert first_button.payload == "/ask_prevention"


def test_an_unclear_message_asks_which_topic_with_the_likely_ones() -> None:
    reply = respond(
        ConversationState(intro_given=True),
        "white cells thing??",
        "nlu_fallback",
        _ranking(("nlu_fallback", 0.9), ("ask_what_is_leukopenia", 0.12), ("ask_causes", 0.1)),
    )
    assert len(reply.messages) == 1
    assert reply.messages[0].text.startswith("I'm not sure what you are asking.")
    assert "medlineplus.gov" in reply.messages[0].text
    assert "emergency care" in reply.messages[0].text
    payloads = [b.payload for b in reply.messages[-1].buttons]
    assert payloads == ["/ask_what_is_leukopenia", "/ask_causes"]


def test_no_button_for_the_subject_just_answered() -> None:
    """After the children's answer, "What about children?" is not offered again."""
    reply = _say(
        [("what is a normal white count?", "ask_normal_range"), ("and for a child?", None)]
    )
    payloads = [button.payload for button in reply.messages[-1].buttons]
    assert "/ask_children" not in payloads


# A question about a high count gets the high-count answer, never the answer about low counts
# (the count given in the message, or "high" named, makes the subject a high count).
HIGH_COUNT_QUESTIONS = [
    ("Is a WBC of 11.5 serious?", "outlook"),
    ("wbc 12.4 - will it go back to normal?", "outlook"),
    ("is a high white count serious?", "outlook"),
    ("my wbc is 15, is it cancer?", "cancer_link"),
    ("WBC 13.2, how is it treated?", "treatment"),
    ("how do I lower my white count? it is 14", "treatment"),
    ("what are the symptoms of a high white blood cell count?", "symptoms"),
    ("my white count is high, could it be a lab error?", "lab_error"),
    ("my wbc is 14, what could cause this?", "causes"),
]


@pytest.mark.parametrize(("text", "topic"), HIGH_COUNT_QUESTIONS)
def test_a_question_about_a_high_count_gets_the_high_count_answer(text: str, topic: str) -> None:
    """The answer is the high count's own, and the low-count answer to the topic is not said."""
    reply = _say([(text, None)])
    assert topic_answer(topic, subject="high_count").text in _text(reply)
    assert topic_answer(topic).text not in _text(reply)


@pytest.mark.parametrize(
    "text", ["Is 38.0 a fever?", "is 100.4 a fever", "my temp is 38.2, is that a fever?"]
)
def test_a_temperature_at_the_threshold_asked_about_is_a_fever(text: str) -> None:
    """A temperature at the threshold asked about ("Is 38.0 a fever?") is a fever (section 5).

    A fever starts at 38.0 °C / 100.4 °F.
    """
    said = _text(_say([(text, None)]))
    assert "is a fever" in said or said.startswith("Yes")


@pytest.mark.parametrize(("wide", "narrow"), [("ｗｈｙ？", "why?"), ("ｓｏｕｒｃｅｓ", "sources")])
def test_full_width_follow_ups_are_answered_like_ascii(wide: str, narrow: str) -> None:
    """A follow-up typed in full-width letters gets the same answer as in ASCII.

    The whole turn reads the message as the parser does, so it does not get the default reply.
    """
    after_a_count = respond(ConversationState(intro_given=True), "wbc 3.2").state
    assert _text(respond(after_a_count, wide)) == _text(respond(after_a_count, narrow))


@pytest.mark.parametrize(
    "text",
    [
        "what causes a low wbc of 3.2 during chemo?",
        "My DAUGHTER is on clozapine, why is her ANC 900?",
        "ｗｈｙ is my white count low",
    ],
)
def test_a_turn_cuts_the_message_into_tokens_once(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One reading per message: the subject, the cause and the reply read the parser's tokens."""
    from spacy.language import Language

    respond(ConversationState(), text, "ask_causes")  # builds the matchers first (cut phrases)
    calls: list[str] = []
    cut = Language.make_doc

    def counted(self: Language, message: str) -> object:
        calls.append(message)
        return cut(self, message)

    monkeypatch.setattr(Language, "make_doc", counted)
    reply = respond(ConversationState(), text, "ask_causes")
    assert reply.messages and not reply.failed
    assert len(calls) == 1, calls


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("long story about my trip, anyway the clinic said my wbc was 2.9", "2,900"),
        ("the nurse told me my white counts are low, we were on holiday", "doctor"),
        ("not sure this is the place, my son started methotrexate and feels hot", "emergency"),
    ],
)
def test_a_count_or_a_sign_is_never_out_of_scope(text: str, said: str) -> None:
    """Whatever the model thought of the rest, a message with a count or a sign is answered."""
    reply = respond(ConversationState(), text, "out_of_scope")
    assert said in _text(reply).lower()
    assert "utter_out_of_scope" not in [message.response for message in reply.messages]
