"""The sourced answers (bot/data/content.yml) and their lookups in bot/reply/content.py.

Answers are chosen by (topic, subject): a subject's own answer is checked like every topic answer;
a general answer with a subject's line is checked for the line it adds (see "answers by subject").

The copy check (no run of 8 words shared with a source text) covers every text the bot sends:
content.yml, wording.yml, explanations.yml and the responses of domain.yml. It needs the source
texts, which are not part of this repository: set WBC_SOURCE_TEXTS to the folder that holds the
source .txt files to run it; without the variable, those tests are skipped.

Length, sentence length and reading grade of the same texts are measured in test_readability.py.
"""

from __future__ import annotations

import copy
import csv
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import ReferenceDataError, UnknownTopicError, WbcBotError
from bot.model import Subject
from bot.reference import tables
from bot.reply import content
from bot.reply.links import citable
from bot.yaml_files import read_yaml

CONTENT_FILE = (
    content.CONTENT_FILE
)  # the repository's file (some tests point bot.reply.content away)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bot" / "data"
SOURCE_TEXTS_VARIABLE = "WBC_SOURCE_TEXTS"  # the folder of the source .txt files
# The seed documents among the source texts, by the start of their file names.
SEED_FILES = {"MAYO-DEF": "000_", "CC": "001_", "MAYO-CAUSES": "002_", "HF": "003_", "DRO": "004_"}

# The contract: intents ask_<topic> map onto these topics, and these causes must each have an entry.
CONTRACT_TOPICS = (
    "what_is_leukopenia",
    "causes",
    "symptoms",
    "diagnosis",
    "treatment",
    "prevention",
    "when_to_see_doctor",
    "normal_range",
    "cancer_link",
    "chemotherapy",
    "neutropenia",
    "children",
    "lab_error",
    "outlook",
)
CONTRACT_CAUSES = (
    "chemotherapy",
    "radiation",
    "antibiotics",
    "diuretics",
    "clozapine",
    "methotrexate",
    "azathioprine",
    "prednisone",
    "lupus",
    "rheumatoid_arthritis",
    "other_autoimmune",
    "hiv",
    "tuberculosis",
    "hepatitis",
    "flu_covid",
    "viral_infection",
    "parasitic",
    "sepsis",
    "vitamin_deficiency",
    "malnutrition",
    "aplastic_anemia",
    "leukemia",
    "myelodysplastic_syndromes",
    "hypersplenism",
    "kostmann_syndrome",
    "cyclic_neutropenia",
    "myelokathexis",
    "congenital",
    "sarcoidosis",
    "bone_marrow_cancer_other",
    "lab_error",
)

COPY_RUN = 8  # this many consecutive words shared with a source count as copying


OTHER_SUBJECTS = tuple(subject for subject in Subject if subject is not Subject.LEUKOPENIA)


@cache
def _raw_content() -> dict[str, Any]:
    """The parsed content.yml of the repository, read once (tests copy it before editing)."""
    raw: dict[str, Any] = read_yaml(CONTENT_FILE)
    return raw


def _raw_subjects() -> dict[str, Any]:
    return dict(_raw_content()["by_subject"])


@cache
def _own_subject_answers() -> dict[str, content.TopicAnswer]:
    """Each subject's own answer to a topic (not a general answer + a line), by subject/topic."""
    raw = _raw_subjects()
    return {
        f"{subject.value}/{topic}": content.topic_answer(topic, subject=subject)
        for subject in OTHER_SUBJECTS
        for topic in raw[subject.value].get("answers", {})
    }


def _lined_answers() -> dict[str, tuple[content.TopicAnswer, content.TopicAnswer]]:
    """(general answer, general answer + the subject's line), by subject/topic."""
    raw = _raw_subjects()
    return {
        f"{subject.value}/{topic}": (
            content.topic_answer(topic),
            content.topic_answer(topic, subject=subject),
        )
        for subject in OTHER_SUBJECTS
        for topic in content.topics()
        if topic != subject.value and topic not in raw[subject.value].get("answers", {})
    }


def _all_answers() -> dict[str, content.TopicAnswer]:
    topics = {topic: content.topic_answer(topic) for topic in content.topics()}
    causes = {
        f"causes:{cause}": content.topic_answer("causes", cause) for cause in content.causes()
    }
    return topics | causes | _own_subject_answers()


ANSWERS = list(_all_answers().values())
ANSWER_IDS = list(_all_answers())
LINED = _lined_answers()


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


def _normal_words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + COPY_RUN]) for i in range(len(words) - COPY_RUN + 1)}


# --- the contract ------------------------------------------------------------------------------


def test_topics_are_exactly_the_contract_topics() -> None:
    """content.yml has every contract topic and no other."""
    assert sorted(content.topics()) == sorted(CONTRACT_TOPICS)


def test_causes_are_exactly_the_contract_causes() -> None:
    """Every cause of the contract list has an entry, and there is no other."""
    assert sorted(content.causes()) == sorted(CONTRACT_CAUSES)


# --- every answer ------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_answer_has_two_to_five_sentences(answer: content.TopicAnswer) -> None:
    """Each answer is short: 2 to 5 sentences."""
    assert 2 <= len(_sentences(answer.text)) <= 5, answer.text


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_answer_cites_known_sources(answer: content.TopicAnswer) -> None:
    """Each answer names at least one source, and each is a key of data/sources.csv."""
    assert answer.source_keys
    assert set(answer.source_keys) <= set(tables.sources())


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_answer_cites_at_least_one_source_with_a_title(answer: content.TopicAnswer) -> None:
    """At least one source of each answer has a short title the answer can be cited by."""
    assert any(tables.sources()[key].short for key in answer.source_keys)


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_answer_offers_two_or_three_next_topics(answer: content.TopicAnswer) -> None:
    """Each answer offers 2-3 follow-up topics, none of them itself, each with a button title."""
    assert 2 <= len(answer.follow_ups) <= 3
    assert answer.topic not in answer.follow_ups
    for follow_up in answer.follow_ups:
        assert follow_up in content.topics()
        assert content.button_title(follow_up)


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_answer_carries_no_source_list_or_disclaimer(answer: content.TopicAnswer) -> None:
    """Sources and the disclaimer are appended by another module, never part of the text."""
    assert not re.search(r"sources?:|https?://|www\.|not a diagnosis", answer.text, re.I)


@pytest.mark.parametrize("topic", CONTRACT_TOPICS)
def test_every_topic_has_a_short_button_title(topic: str) -> None:
    """Each topic has a button title of a few words."""
    title = content.button_title(topic)
    assert 2 <= len(title.split()) <= 6


# --- lookups -----------------------------------------------------------------------------------


def test_cause_answer_is_named_causes_colon_cause() -> None:
    """A cause's answer is the topic "causes:<cause>", and that name looks it up again."""
    answer = content.topic_answer("causes", "lupus")
    assert answer.topic == "causes:lupus"
    assert content.topic_answer("causes:lupus") == answer


def test_topic_and_cause_lookups_ignore_case_and_spaces() -> None:
    """Keys typed with capitals or spaces around them still find their entry."""
    assert content.topic_answer(" Causes ", "LUPUS ").topic == "causes:lupus"
    assert content.topic_answer("Outlook").topic == "outlook"


@pytest.mark.parametrize(
    ("topic", "cause", "kind"),
    [("insurance", None, "topic"), ("causes", "gout", "cause"), ("causes:gout", None, "cause")],
    ids=["unknown topic", "unknown cause", "unknown cause by name"],
)
def test_unknown_topic_or_cause_raises(topic: str, cause: str | None, kind: str) -> None:
    """An unknown topic or cause raises UnknownTopicError, a WbcBotError and a KeyError."""
    with pytest.raises(UnknownTopicError) as caught:
        content.topic_answer(topic, cause)
    assert isinstance(caught.value, WbcBotError)
    assert isinstance(caught.value, KeyError)
    assert caught.value.kind == kind
    assert str(caught.value).startswith(f"unknown {kind} ")
    assert "gout" in str(caught.value) or "insurance" in str(caught.value)


def test_button_title_of_unknown_topic_raises() -> None:
    """There is no button for a topic that does not exist."""
    with pytest.raises(UnknownTopicError, match="unknown topic 'insurance'"):
        content.button_title("insurance")


# --- answers by subject -----------------------------------------------------------------------

GENERAL, OWN, LINE, CAUSE = "general", "own", "line", "cause"

# (topic, cause, subject, what topic_answer gives): the lookup rules of
# bot.reply.content.topic_answer.
LOOKUPS = [
    ("causes", None, "neutropenia", OWN),
    ("treatment", None, Subject.NEUTROPENIA, OWN),
    ("normal_range", None, "neutropenia", OWN),
    ("prevention", None, "chemotherapy", OWN),
    ("when_to_see_doctor", None, "chemotherapy", OWN),
    ("normal_range", None, "children", OWN),
    ("when_to_see_doctor", None, Subject.CHILDREN, OWN),
    ("what_is_leukopenia", None, "high_count", OWN),
    (" Causes ", None, " NEUTROPENIA ", OWN),
    ("symptoms", None, "chemotherapy", LINE),
    ("symptoms", None, "children", LINE),
    ("lab_error", None, "children", LINE),
    ("outlook", None, Subject.HIGH_COUNT, OWN),
    ("prevention", None, Subject.HIGH_COUNT, LINE),
    ("cancer_link", None, "neutropenia", LINE),
    ("causes", "lupus", "neutropenia", CAUSE),
    ("causes:lupus", None, "chemotherapy", CAUSE),
    ("causes", "chemotherapy", Subject.CHILDREN, CAUSE),
    ("neutropenia", None, "neutropenia", GENERAL),
    ("children", None, "children", GENERAL),
    ("chemotherapy", None, Subject.CHEMOTHERAPY, GENERAL),
    ("causes", None, "leukopenia", GENERAL),
    ("causes", None, Subject.LEUKOPENIA, GENERAL),
    ("prevention", None, None, GENERAL),
]


def _lookup_id(case: tuple[str, str | None, Subject | str | None, str]) -> str:
    topic, cause, subject, kind = case
    name = subject.value if isinstance(subject, Subject) else repr(subject)
    return f"{topic.strip()}{'+' + cause if cause else ''}/{name}->{kind}"


@pytest.mark.parametrize(
    ("topic", "cause", "subject", "kind"), LOOKUPS, ids=[_lookup_id(c) for c in LOOKUPS]
)
def test_answer_is_chosen_by_topic_and_subject(
    topic: str, cause: str | None, subject: Subject | str | None, kind: str
) -> None:
    """The answer is chosen by topic and subject.

    A cause wins; no subject, leukopenia or the topic's own subject give the general answer;
    otherwise the subject's own answer, or the general answer with the subject's line.
    """
    answer = content.topic_answer(topic, cause, subject)
    key = topic.strip().lower()
    if kind == CAUSE:
        assert answer == content.topic_answer(key, cause)
        assert answer.topic.startswith("causes:")
        return
    general = content.topic_answer(key)
    assert answer.topic == key  # the buttons keep working on the topic key
    if kind == GENERAL:
        assert answer == general
    elif kind == OWN:
        assert not answer.text.startswith(general.text)
        assert answer.source_keys != general.source_keys
    else:
        assert answer.text.startswith(general.text + " ")
        assert len(_sentences(answer.text)) == len(_sentences(general.text)) + 1
        assert answer.follow_ups == general.follow_ups


def test_every_topic_and_subject_has_an_answer() -> None:
    """subject_answers() lists every (topic, subject), each answering its own topic key."""
    answers = content.subject_answers()
    assert set(answers) == {(topic, subject) for topic in content.topics() for subject in Subject}
    for (topic, subject), answer in answers.items():
        assert answer.topic == topic
        assert answer == content.topic_answer(topic, subject=subject)


# The (subject, topic) pairs that the sources say something specific about (issue 11).
REQUIRED_OWN = [
    ("neutropenia", "what_is_leukopenia"),
    ("neutropenia", "causes"),
    ("neutropenia", "treatment"),
    ("neutropenia", "normal_range"),
    ("neutropenia", "prevention"),
    ("chemotherapy", "prevention"),
    ("chemotherapy", "when_to_see_doctor"),
    ("chemotherapy", "causes"),
    ("chemotherapy", "outlook"),
    ("chemotherapy", "treatment"),
    ("children", "normal_range"),
    ("children", "causes"),
    ("children", "when_to_see_doctor"),
    ("high_count", "what_is_leukopenia"),
    ("high_count", "causes"),
    ("high_count", "normal_range"),
    ("high_count", "when_to_see_doctor"),
    ("high_count", "symptoms"),
    ("high_count", "treatment"),
    ("high_count", "outlook"),
    ("high_count", "cancer_link"),
    ("high_count", "lab_error"),
]


@pytest.mark.parametrize(
    ("subject", "topic"), REQUIRED_OWN, ids=[f"{s}/{t}" for s, t in REQUIRED_OWN]
)
def test_subject_has_its_own_answer(subject: str, topic: str) -> None:
    """Where the sources have something specific, the subject has a full answer of its own."""
    assert f"{subject}/{topic}" in _own_subject_answers()


def _line(case: str) -> str:
    """The line a subject adds to a general answer."""
    general, answer = LINED[case]
    return answer.text[len(general.text) :].strip()


@pytest.mark.parametrize("case", list(LINED), ids=list(LINED))
def test_subject_line_is_one_short_sentence_after_the_general_answer(case: str) -> None:
    """A subject's line: one sentence of at most 18 words, added after the general answer."""
    general, answer = LINED[case]
    line = _line(case)
    assert answer.text == f"{general.text} {line}"
    assert len(_sentences(line)) == 1
    assert len(_normal_words(line)) <= 18, line
    assert line not in _sentences(general.text)


@pytest.mark.parametrize("case", list(LINED), ids=list(LINED))
def test_subject_line_source_is_one_of_the_two_links(case: str) -> None:
    """The general answer's sources stay; the line's main source is one of the two links shown."""
    general, answer = LINED[case]
    subject, topic = case.split("/")
    lines = _raw_subjects()[subject]["lines"]
    line_sources = (lines.get(topic) or lines["default"])["sources"]
    assert set(general.source_keys) | set(line_sources) == set(answer.source_keys)
    assert len(set(answer.source_keys)) == len(answer.source_keys)
    assert line_sources[0] in citable(answer.source_keys)[:2]
    assert citable(answer.source_keys)[0] == citable(general.source_keys)[0]


def test_unknown_subject_raises() -> None:
    """An unknown subject raises UnknownTopicError (kind "subject"), listing the known ones."""
    with pytest.raises(UnknownTopicError) as caught:
        content.topic_answer("causes", subject="pets")
    assert caught.value.kind == "subject"
    assert "neutropenia" in str(caught.value) and "pets" in str(caught.value)


def _pediatric_band_text() -> list[str]:
    lines = (DATA / "pediatric_bands.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return [f"{int(r['low']):,} to {int(r['high']):,}" for r in rows if r["analyte"] == "wbc"]


# (subject, topic, fact, pattern the answer must match, a source it must cite)
SUBJECT_FACTS = [
    ("neutropenia", "what_is_leukopenia", "too few neutrophils", r"too few neutrophils", "CC"),
    ("neutropenia", "what_is_leukopenia", "anc", r"\bANC\b", "MERCK"),
    (
        "neutropenia",
        "what_is_leukopenia",
        "infections when very low",
        r"very\s+low, under 1,000, an infection can start more easily",
        "CDC",
    ),
    ("neutropenia", "causes", "chemo", r"Chemo is a common cause", "CDC"),
    ("neutropenia", "causes", "born with", r"babies are born with it", "MAYO-CAUSES"),
    ("neutropenia", "causes", "kostmann", r"Kostmann's syndrome", "MAYO-CAUSES"),
    ("neutropenia", "causes", "scn follow-up", r"regular follow-up", "MEDLINEPLUS-SCN"),
    ("neutropenia", "causes", "clozapine", r"clozapine", "DRO"),
    ("neutropenia", "treatment", "treat the cause", r"treat what is causing", "CC"),
    ("neutropenia", "treatment", "growth factors", r"growth factors", "CC"),
    ("neutropenia", "treatment", "fever", r"38 °C / 100\.4 °F.*emergency", "IDSA"),
    ("neutropenia", "normal_range", "normal anc", r"1,500 to 7,700", "MERCK"),
    ("neutropenia", "normal_range", "merck's lower limit", r"Merck starts at 1,800", "MERCK"),
    ("neutropenia", "normal_range", "the bot's lower limit", r"this bot takes", "CLINREF"),
    ("neutropenia", "normal_range", "grades", r"mild down to 1,000, moderate down to 500", "CTCAE"),
    ("neutropenia", "normal_range", "severe", r"severe below", "CTCAE"),
    ("neutropenia", "normal_range", "infants", r"2 weeks to 1 year, under 1,000", "PEDS"),
    ("neutropenia", "prevention", "hands", r"Wash your hands", "CC"),
    ("neutropenia", "prevention", "temperature", r"Take your temperature", "CDC"),
    ("chemotherapy", "prevention", "nadir risk", r"highest when your count is lowest", "CDC"),
    ("chemotherapy", "prevention", "7 to 14 days", r"7 to 14 days", "ACS-NEUTROPENIA"),
    ("chemotherapy", "prevention", "fever", r"38 °C / 100\.4 °F.*emergency care", "CDC"),
    ("chemotherapy", "when_to_see_doctor", "fever", r"38 °C / 100\.4 °F.*emergency", "CDC"),
    ("chemotherapy", "when_to_see_doctor", "24-hour line", r"cancer team's 24-hour line", "CDC"),
    ("chemotherapy", "when_to_see_doctor", "only sign", r"only sign of an infection", "CDC"),
    (
        "chemotherapy",
        "when_to_see_doctor",
        "emergency signs",
        r"Trouble breathing",
        "MEDLINEPLUS-EMERGENCY",
    ),
    ("chemotherapy", "causes", "healthy cells", r"harms healthy cells", "HF"),
    ("chemotherapy", "causes", "radiation", r"Radiation therapy", "MAYO-CAUSES"),
    ("chemotherapy", "outlook", "nadir", r"\(the nadir\) 7 to 14 days", "ACS-NEUTROPENIA"),
    ("chemotherapy", "outlook", "recovery", r"before the next cycle", "NCI-INFECTION"),
    ("chemotherapy", "outlook", "delay", r"delay that cycle", "ACS-NEUTROPENIA"),
    ("chemotherapy", "treatment", "delay", r"wait to give the next cycle", "CC"),
    ("chemotherapy", "treatment", "growth factors", r"growth factors", "CC"),
    (
        "chemotherapy",
        "treatment",
        "antibiotics",
        r"fever with a low neutrophil count is treated in the hospital, with antibiotics started "
        r"within the hour",
        "IDSA",
    ),
    ("children", "normal_range", "by age", r"changes with age", "MAYO-DEF"),
    ("children", "causes", "born with", r"born with a problem", "MAYO-CAUSES"),
    ("children", "causes", "scn follow-up", r"regular follow-up", "MEDLINEPLUS-SCN"),
    ("children", "causes", "viruses recover", r"come back once the child is well", "CC"),
    (
        "children",
        "when_to_see_doctor",
        "infant fever",
        r"38 °C / 100\.4 °F or higher in a baby under 3 months is an emergency",
        "AAP-INFANT-FEVER",
    ),
    ("children", "when_to_see_doctor", "whatever the count", r"whatever the count", "NICE-FEVER"),
    ("high_count", "what_is_leukopenia", "leukocytosis", r"called leukocytosis", "MEDLINEPLUS"),
    ("high_count", "what_is_leukopenia", "threshold", r"above 11,000", "MAYO-HIGH"),
    ("high_count", "causes", "mayo causes", r"infections, some medicines", "MAYO-HIGH-CAUSES"),
    ("high_count", "causes", "cml cll raise", r"raise it too", "MEDLINEPLUS-LEUKEMIA"),
    ("high_count", "normal_range", "range", r"4,500 to 11,000", "MEDLINEPLUS"),
    ("high_count", "normal_range", "children higher", r"13,000 at ages 12 to 17", "PEDS"),
    ("high_count", "when_to_see_doctor", "very high", r"30,000 or more needs", "LAB-CRITICAL"),
    (
        "high_count",
        "when_to_see_doctor",
        "fever",
        r"fever of 39\.4 °C / 103 °F or more, or one that lasts over 3 days",
        "MEDLINEPLUS-FEVER",
    ),
    ("high_count", "symptoms", "cause", r"come from what raises the count", "MAYO-HIGH"),
    ("high_count", "symptoms", "emergency signs", r"Trouble breathing", "MEDLINEPLUS-EMERGENCY"),
    ("high_count", "symptoms", "fever on treatment", r"38 °C / 100\.4 °F.*emergency", "CDC"),
    ("high_count", "symptoms", "when to call", r"39\.4 °C / 103 °F", "MEDLINEPLUS-FEVER"),
    ("high_count", "treatment", "the cause", r"look for its cause and treat that", "CLINREF"),
    ("high_count", "treatment", "steroids", r"steroid may be raising it", "MAYO-HIGH-CAUSES"),
    ("high_count", "outlook", "depends on cause", r"depends on its cause", "MAYO-HIGH"),
    ("high_count", "outlook", "other causes", r"medicine, stress, smoking", "MAYO-HIGH-CAUSES"),
    ("high_count", "outlook", "leukemia", r"such as\s+leukemia", "MEDLINEPLUS-LEUKEMIA"),
    ("high_count", "outlook", "very high", r"30,000 or more needs", "LAB-CRITICAL"),
    ("high_count", "cancer_link", "infection", r"often to fight an infection", "MAYO-HIGH"),
    ("high_count", "cancer_link", "leukemias", r"CML and CLL most\s+often", "MEDLINEPLUS-LEUKEMIA"),
    ("high_count", "lab_error", "healthfully", r"One consumer health site\s+\(Healthfully\)", "HF"),
    ("high_count", "lab_error", "new sample", r"new\s+blood sample", "HF"),
]


@pytest.mark.parametrize(
    ("subject", "topic", "fact", "pattern", "source"),
    SUBJECT_FACTS,
    ids=[f"{s}/{t}/{f}" for s, t, f, _, _ in SUBJECT_FACTS],
)
def test_subject_fact_is_in_its_answer(
    subject: str, topic: str, fact: str, pattern: str, source: str
) -> None:
    """Each fact of a subject's answer is there, and the answer cites a source that gives it."""
    answer = content.topic_answer(topic, subject=subject)
    assert re.search(pattern, answer.text), fact
    assert source in answer.source_keys, fact


def test_children_ranges_are_the_bands_the_bot_uses_in_age_order() -> None:
    """The children's normal-range answer names every WBC band of pediatric_bands.csv, in age order.

    The bands are those of section 2 of the clinical reference; PEDS is cited first.
    """
    answer = content.topic_answer("normal_range", subject="children")
    bands = _pediatric_band_text()
    named = [band for band in bands if band in answer.text]
    assert named == bands
    assert [answer.text.find(band) for band in named] == sorted(
        answer.text.find(band) for band in named
    )
    assert answer.source_keys[0] == "PEDS"


# The ages of the bands, as the answer says them, in order: (band label, the words for its ages).
CHILD_BAND_AGES = [
    ("0 to 6 days", "In week one"),
    ("7 days to under 1 month", "up to 1 month"),
    ("1 to under 6 months", "From 1 to 6 months"),
    ("6 months to under 1 year", "up to age 1"),
    ("1 to under 2 years", "At age 1"),
    ("2 to under 6 years", "at ages 2 to 5"),
    ("6 to under 12 years", "at ages 6 to 11"),
    ("12 to under 18 years", "at 12 to 17"),
]


def test_children_ranges_name_the_age_of_each_band() -> None:
    """Each band's ages are said next to its range, in the order of pediatric_bands.csv."""
    text = content.topic_answer("normal_range", subject="children").text
    lines = (DATA / "pediatric_bands.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    labels = [row["label"] for row in rows if row["analyte"] == "wbc"]
    assert labels == [label for label, _ in CHILD_BAND_AGES]
    places = [text.find(ages) for _, ages in CHILD_BAND_AGES]
    assert -1 not in places and places == sorted(places)


def _every_text() -> list[tuple[str, str]]:
    return [(where, answer.text) for where, answer in _all_answers().items()] + [
        (where, answer.text) for where, (_, answer) in LINED.items()
    ]


@pytest.mark.parametrize(("where", "text"), _every_text(), ids=[w for w, _ in _every_text()])
def test_every_temperature_is_the_fever_threshold_in_both_units(where: str, text: str) -> None:
    """Every temperature named is one of two thresholds, in both units.

    The fever threshold, 38 °C / 100.4 °F, or MedlinePlus's fever to call about, 39.4 °C / 103 °F
    (and then MedlinePlus "Fever" is cited).
    """
    temperatures = re.findall(r"[\d.]+ °[CF]", text)
    assert len(temperatures) % 2 == 0, where
    assert set(temperatures) <= {"38 °C", "100.4 °F", "39.4 °C", "103 °F"}, where
    assert text.count("38 °C") == text.count("38 °C / 100.4 °F"), where
    assert text.count("39.4 °C") == text.count("39.4 °C / 103 °F"), where


# --- find_cause --------------------------------------------------------------------------------

TYPED_CAUSES = [
    ("I just finished chemo", "chemotherapy"),
    ("does chemotheraphy do this", "chemotherapy"),
    ("CHEMOTHERAPY", "chemotherapy"),
    ("after my cancer treatment", "chemotherapy"),
    ("radiotherapy last month", "radiation"),
    ("I had radiation", "radiation"),
    ("i am taking Bactrim", "antibiotics"),
    ("septra ds twice a day", "antibiotics"),
    ("on antibiotics for a UTI", "antibiotics"),
    ("my water pills", "diuretics"),
    ("Lasix", "diuretics"),
    ("on clozaril", "clozapine"),
    ("clozapine", "clozapine"),
    ("MTX weekly", "methotrexate"),
    ("methotrexate", "methotrexate"),
    ("Imuran", "azathioprine"),
    ("azathioprine", "azathioprine"),
    ("I take prednisone", "prednisone"),
    ("on steroids", "prednisone"),
    ("I have SLE", "lupus"),
    ("lupus", "lupus"),
    ("I have RA", "rheumatoid_arthritis"),
    ("my rhuemy", "rheumatoid_arthritis"),
    ("rheumatoid", "rheumatoid_arthritis"),
    ("rheumatoid arthritis", "rheumatoid_arthritis"),
    ("an autoimmune disease", "other_autoimmune"),
    ("scleroderma", "other_autoimmune"),
    ("HIV/AIDS", "hiv"),
    ("hiv positive", "hiv"),
    ("TB", "tuberculosis"),
    ("tuberculosis", "tuberculosis"),
    ("hep b", "hepatitis"),
    ("Hep C", "hepatitis"),
    ("hepatitis", "hepatitis"),
    ("covid-19", "flu_covid"),
    ("Covid19 last week", "flu_covid"),
    ("corona", "flu_covid"),
    ("influenza", "flu_covid"),
    ("had the flu", "flu_covid"),
    ("a viral infection", "viral_infection"),
    ("a virus", "viral_infection"),
    ("parasites", "parasitic"),
    ("sepsis", "sepsis"),
    ("low B12", "vitamin_deficiency"),
    ("b-12", "vitamin_deficiency"),
    ("folic acid", "vitamin_deficiency"),
    ("copper", "vitamin_deficiency"),
    ("malnutrition", "malnutrition"),
    ("aplastic anaemia", "aplastic_anemia"),
    ("Aplastic Anemia", "aplastic_anemia"),
    ("leukemia", "leukemia"),
    ("leukaemia", "leukemia"),
    ("blood cancer", "leukemia"),
    ("MDS", "myelodysplastic_syndromes"),
    ("myelodysplastic syndrome", "myelodysplastic_syndromes"),
    ("big spleen", "hypersplenism"),
    ("an enlarged spleen", "hypersplenism"),
    ("hypersplenism", "hypersplenism"),
    ("Kostmann's", "kostmann_syndrome"),
    ("kostmann syndrome", "kostmann_syndrome"),
    ("cyclic neutropenia", "cyclic_neutropenia"),
    ("myelokathexis", "myelokathexis"),
    ("something I was born with", "congenital"),
    ("congenital", "congenital"),
    ("sarcoidosis", "sarcoidosis"),
    ("bone marrow cancer", "bone_marrow_cancer_other"),
    ("can cancer do this", "bone_marrow_cancer_other"),
    ("lab mistake", "lab_error"),
    ("could it be a lab error", "lab_error"),
]


@pytest.mark.parametrize(("text", "cause"), TYPED_CAUSES, ids=[t for t, _ in TYPED_CAUSES])
def test_find_cause_reads_typed_variants(text: str, cause: str) -> None:
    """Typos, brand names, abbreviations and capitals find the canonical cause."""
    assert content.find_cause(text) == cause


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "my wbc is 3.2",
        "what does a low white count mean?",
        "is it dangerous",
        "thanks a lot",
        "how can I avoid infections",
    ],
)
def test_find_cause_is_none_without_a_cause(text: str) -> None:
    """Messages that name no cause give None."""
    assert content.find_cause(text) is None


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("radiation and chemo", "radiation"),
        ("chemo and radiation", "chemotherapy"),
        ("cancer treatment", "chemotherapy"),
        ("blood cancer", "leukemia"),
        ("lupus or rheumatoid arthritis", "lupus"),
    ],
)
def test_find_cause_takes_longest_then_first_match(text: str, cause: str) -> None:
    """Overlapping matches keep the longest; otherwise the first in text order wins."""
    assert content.find_cause(text) == cause


def _synonym_table() -> list[tuple[str, str]]:
    raw = read_yaml(content.CONTENT_FILE)
    return [
        (str(synonym), cause)
        for cause, entry in raw["causes_by_cause"].items()
        for synonym in entry["synonyms"]
    ]


@pytest.mark.parametrize(("synonym", "cause"), _synonym_table())
def test_every_synonym_finds_its_own_cause(synonym: str, cause: str) -> None:
    """Each synonym in content.yml, typed alone, finds the cause it is listed under."""
    assert content.find_cause(synonym) == cause


@given(st.text(max_size=200))
def test_find_cause_never_raises(text: str) -> None:
    """Any text gives None or a known cause key."""
    found = content.find_cause(text)
    assert found is None or found in content.causes()


# --- own words ---------------------------------------------------------------------------------


def _source_folder() -> Path:
    """The folder of the source texts named by WBC_SOURCE_TEXTS; skips the test when it is unset."""
    value = os.environ.get(SOURCE_TEXTS_VARIABLE, "").strip()
    if not value:
        pytest.skip(
            f"set {SOURCE_TEXTS_VARIABLE} to the folder of the source .txt files "
            "to run the copy check"
        )
    folder = Path(value).expanduser()
    assert folder.is_dir(), f"{SOURCE_TEXTS_VARIABLE}={value} is not a folder"
    return folder


@cache
def _source_texts(folder: Path) -> dict[str, str]:
    """File name -> text of every source .txt file in the folder."""
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}
    assert texts, f"no source .txt files in {folder}"
    return texts


@cache
def _runs_of_sources(folder: Path) -> frozenset[tuple[str, ...]]:
    runs: set[tuple[str, ...]] = set()
    for text in _source_texts(folder).values():
        runs |= _runs(_normal_words(text))
    return frozenset(runs)


def _source_runs() -> frozenset[tuple[str, ...]]:
    return _runs_of_sources(_source_folder())


def _seed_text(key: str) -> str:
    """The text of one seed document (MAYO-DEF, CC, MAYO-CAUSES, HF, DRO)."""
    texts = _source_texts(_source_folder())
    [name] = [name for name in texts if name.startswith(SEED_FILES[key])]
    return texts[name]


def _yaml(path: Path) -> Any:
    return read_yaml(path)


def _sent_texts() -> list[tuple[str, str]]:
    """(where, text) of every text the bot sends, besides the answers of content.yml."""
    texts: list[tuple[str, str]] = []
    raw_content = _yaml(content.CONTENT_FILE)
    texts += [
        (f"content.yml:button_titles.{k}", v) for k, v in raw_content["button_titles"].items()
    ]
    wording = _yaml(DATA / "wording.yml")
    for section in ("reasons", "notes"):
        texts += [(f"wording.yml:{section}.{k}", v["text"]) for k, v in wording[section].items()]
    texts += [(f"wording.yml:words.{k}", v) for k, v in wording["words"].items()]

    def leaves(where: str, value: Any) -> Iterator[tuple[str, str]]:
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from leaves(f"{where}.{key}", item)

    texts += list(leaves("explanations.yml:", _yaml(DATA / "explanations.yml")))
    for name, variants in _yaml(ROOT / "domain.yml")["responses"].items():
        for number, variant in enumerate(variants):
            texts.append((f"domain.yml:{name}[{number}]", variant["text"]))
            texts += [
                (f"domain.yml:{name}[{number}].button", button["title"])
                for button in variant.get("buttons", [])
            ]
    return [(where.replace(":.", ":"), str(text)) for where, text in texts]


SENT_TEXTS = _sent_texts()


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_answer_copies_no_run_of_eight_words_from_a_source(answer: content.TopicAnswer) -> None:
    """Answers are in our own words: no 8 consecutive words shared with a source document."""
    copied = _runs(_normal_words(answer.text)) & _source_runs()
    assert not copied, [" ".join(run) for run in copied]


@pytest.mark.parametrize("case", list(LINED), ids=list(LINED))
def test_subject_line_copies_no_run_of_eight_words_from_a_source(case: str) -> None:
    """The general answer with a subject's line is in our own words, across the join too."""
    copied = _runs(_normal_words(LINED[case][1].text)) & _source_runs()
    assert not copied, [" ".join(run) for run in copied]


@pytest.mark.parametrize(("where", "text"), SENT_TEXTS, ids=[where for where, _ in SENT_TEXTS])
def test_sent_text_copies_no_run_of_eight_words_from_a_source(where: str, text: str) -> None:
    """Wording, explanations and domain.yml responses are in our own words too."""
    copied = _runs(_normal_words(text)) & _source_runs()
    assert not copied, (where, [" ".join(run) for run in copied])


def test_every_kind_of_sent_text_is_checked() -> None:
    """The copy check reads wording (reasons, notes, words), explanations and domain responses."""
    for kind in (
        "wording.yml:reasons.",
        "wording.yml:notes.",
        "wording.yml:words.",
        "explanations.yml:meanings.",
        "explanations.yml:disclaimer",
        "content.yml:button_titles.",
        "domain.yml:utter_intro[",
    ):
        assert any(where.startswith(kind) for where, _ in SENT_TEXTS), kind


def test_copy_check_finds_a_copied_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself works: a copied run of 8 words is found, a run of 7 is not."""
    (tmp_path / "000_a.txt").write_text("One two three four five six seven eight nine.")
    monkeypatch.setenv(SOURCE_TEXTS_VARIABLE, str(tmp_path))
    runs = _source_runs()
    assert _runs(_normal_words("Then: one, two, three, four, five, six, seven, eight!")) & runs
    assert not _runs(_normal_words("one two three four five six seven ten")) & runs


def test_copy_check_is_skipped_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without WBC_SOURCE_TEXTS the copy check skips and says how to run it."""
    monkeypatch.delenv(SOURCE_TEXTS_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"set {SOURCE_TEXTS_VARIABLE} to"):
        _source_runs()


# --- what answers never say --------------------------------------------------------------------

FORBIDDEN = [
    ("reassurance", r"\byou(?: are|'re|’re) (?:fine|ok|okay|healthy)\b"),
    ("don't worry", r"\bdo(?:n't|n’t| not) worry\b|nothing to worry"),
    ("no need to see", r"\bno need to (?:see|call|go)\b"),
    ("wait and see", r"\bwait and see\b|\bwait a few days\b|\bskip\b"),
    ("dosing", r"\b(?:mg|mcg|µg|ml|milligrams?|micrograms?|tablets?)\b|\d\s*(?:mg|g|iu)\b"),
    (
        "diagnosis of the reader",
        r"\byou (?:probably|likely|must) have\b|\byou have (?:leukemia|cancer)",
    ),
]


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
@pytest.mark.parametrize(("what", "pattern"), FORBIDDEN, ids=[what for what, _ in FORBIDDEN])
def test_answer_never_says(answer: content.TopicAnswer, what: str, pattern: str) -> None:
    """No reassurance, no advice to wait, no dosing, no diagnosis of the reader."""
    assert not re.search(pattern, answer.text, re.I), what


@pytest.mark.parametrize("case", list(LINED), ids=list(LINED))
@pytest.mark.parametrize(("what", "pattern"), FORBIDDEN, ids=[what for what, _ in FORBIDDEN])
def test_subject_line_never_says(case: str, what: str, pattern: str) -> None:
    """A subject's line holds to the same rules, asks nothing and names no one's ancestry."""
    line = _line(case)
    assert not re.search(pattern, line, re.I), what
    assert "?" not in line
    assert not RACE_WORDS.search(line)


RACE_WORDS = re.compile(
    r"\b(?:race|racial|ethnic\w*|ancestry|descent|heritage|african|middle eastern|black|"
    r"asian|hispanic|latin[oax]|caucasian|european|white (?:people|person))\b",
    re.I,
)


def test_race_is_named_only_in_the_one_sentence_on_naturally_lower_counts() -> None:
    """Words about ancestry appear in one sentence only: some healthy people naturally run lower.

    The sentence stands for the Duffy-null finding (DUFFY) without its jargon, and never asks.
    """
    sentences = [s for answer in ANSWERS for s in _sentences(answer.text) if RACE_WORDS.search(s)]
    assert len(sentences) == 1
    assert re.search(r"healthy people.*naturally have lower counts", sentences[0])
    assert not any("?" in s for s in sentences)  # never asks
    assert "DUFFY" in content.topic_answer("normal_range").source_keys


def test_no_answer_asks_about_race_or_ancestry() -> None:
    """No answer asks a question (the bot never asks about race)."""
    assert not [answer.topic for answer in ANSWERS if "?" in answer.text]


# --- facts of the sources, each placed somewhere -----------------------------------------------

FACTS = [
    # what leukopenia is (CC, MAYO-DEF, MAYO-CAUSES)
    ("fewer white cells", "what_is_leukopenia", r"fewer white blood cells than normal"),
    ("mostly neutrophils", "what_is_leukopenia", r"fewer neutrophils"),
    ("pronunciation", "what_is_leukopenia", r"luke-a-PEE-ne-ah"),
    (
        "neutrophils first line",
        "what_is_leukopenia",
        r"Neutrophils are the white cells that fight germs like viruses and bacteria first",
    ),
    ("more infections", "what_is_leukopenia", r"very few of them, infections come more easily"),
    ("counts rise and fall", "what_is_leukopenia", r"go up and down"),
    ("drops and stays down", "what_is_leukopenia", r"drops and stays low"),
    # causes (MAYO-CAUSES, MAYO-DEF, CC, HF)
    ("viral infections", "causes", r"main causes are viruses"),
    ("congenital", "causes", r"born with"),
    ("marrow diseases", "causes", r"diseases that harm the bone marrow, like cancer"),
    ("autoimmune", "causes", r"Autoimmune diseases \(when the body attacks its own cells\)"),
    ("overwhelming infections", "causes", r"very bad infections"),
    ("medicines", "causes", r"some medicines"),
    ("cancer treatment", "causes", r"Cancer treatment"),
    ("nutrition and vitamins", "causes", r"a poor diet, low vitamins"),
    ("sarcoidosis", "causes", r"sarcoidosis"),
    ("lab error", "causes", r"one consumer health site adds lab errors"),
    ("doctor finds the cause", "causes", r"Only your doctor can find the cause"),
    # symptoms (CC; clinical-reference section 5; CDC)
    ("no symptoms itself", "symptoms", r"A low count has no symptoms"),
    ("infections cause symptoms", "symptoms", r"infections do"),
    ("fever threshold", "symptoms", r"38 °C / 100\.4 °F or higher"),
    ("chills", "symptoms", r"chills"),
    ("sore throat", "symptoms", r"sore throat"),
    ("cough", "symptoms", r"new cough"),
    ("burning urination", "symptoms", r"burning when you pee"),
    ("wound or line", "symptoms", r"red, swollen wound or IV line"),
    ("diarrhea vomiting", "symptoms", r"diarrhea, vomiting"),
    ("severe pain", "symptoms", r"new bad pain"),
    ("infection without fever", "symptoms", r"even without a fever"),
    ("call right away", "symptoms", r"call your doctor right away for other signs"),
    (
        "fever with low count: emergency",
        "symptoms",
        r"With a low count, a fever of 38 °C / 100\.4 °F or higher, or chills, needs emergency",
    ),
    # diagnosis (CC, MAYO-DEF)
    ("cbc", "diagnosis", r"complete blood count \(CBC\)"),
    ("differential", "diagnosis", r"with differential\W+also counts each kind of white cell"),
    ("urine tests", "diagnosis", r"infection, you may get urine tests"),
    ("chest x-ray", "diagnosis", r"chest X-ray for pneumonia"),
    ("found while tested", "diagnosis", r"most often found in tests for a problem you already"),
    ("more tests", "diagnosis", r"order more tests"),
    # treatment (CC)
    ("treat the cause", "treatment", r"treat the problem that is causing"),
    ("anti-infectives", "treatment", r"antibiotics or antiviral medicines"),
    ("growth factors", "treatment", r"growth factors can help the bone marrow"),
    ("delay chemotherapy", "treatment", r"wait to give your next round until your count"),
    # prevention (CC, MAYO-DEF); the rest of Cleveland Clinic's list is behind its link
    ("hand washing", "prevention", r"Wash your hands often with soap and water"),
    ("sanitizer", "prevention", r"alcohol hand rub"),
    ("vaccines", "prevention", r"Keep up with your shots"),
    ("avoid sick people and crowds", "prevention", r"crowds and sick people"),
    ("avoid colds", "prevention", r"with a cold"),
    ("face mask", "prevention", r"Wear a mask"),
    ("avoid cuts", "prevention", r"Avoid cuts"),
    ("cook well", "prevention", r"cook food well"),
    ("no sharing utensils", "prevention", r"do not share cups, forks"),
    ("no sharing personal items", "prevention", r"towels, razors or toothbrushes"),
    (
        "prescribed prevention",
        "prevention",
        r"take medicine to prevent infections if your doctor says so",
    ),
    ("more at the source", "prevention", r"Cleveland Clinic lists more steps"),
    # when to see a doctor (MAYO-DEF, CC, CDC, clinical-reference section 5)
    ("discuss results", "when_to_see_doctor", r"Ask your doctor what your results mean"),
    (
        "infection: contact",
        "when_to_see_doctor",
        r"low count, call your care team if you may have an infection",
    ),
    (
        "low count or chemo fever is an emergency",
        "when_to_see_doctor",
        r"With a low count or during chemo, a fever of 38 °C / 100\.4 °F or higher is an emergency",
    ),
    ("oncology line", "when_to_see_doctor", r"on chemo, also call your cancer team's 24-hour"),
    (
        "emergency signs",
        "when_to_see_doctor",
        r"Trouble breathing, chest pain, confusion or fainting are emergencies",
    ),
    # normal range (MEDLINEPLUS, MERCK, MAYO-DEF, CC, DUFFY; clinical-reference 1, 3, 8)
    ("range the bot uses", "normal_range", r"this bot takes 4,500 to 11,000 as normal"),
    ("borderline band", "normal_range", r"4,000 to 4,499 borderline"),
    ("mayo below 4000", "normal_range", r"Mayo Clinic calls a count under 4,000 low"),
    ("healthy people lower", "normal_range", r"Some healthy people.*naturally have lower counts"),
    ("ancestry", "normal_range", r"many of African or Middle Eastern ancestry"),
    ("own lab range", "normal_range", r"Each lab sets its own range, so go by the one on your"),
    ("report in thousands", "normal_range", r"may show 4,500 as 4\.5"),
    # children (MAYO-DEF, PEDS, clinical-reference sections 2-3)
    ("age and sex", "children", r"change with age and sex"),
    ("newborn range", "children", r"9,000 to 30,000 in week one"),
    ("teen range", "children", r"4,500 to 13,000 at ages 12 to 17"),
    (
        "infant anc",
        "children",
        r"From 2 weeks to 1 year, a neutrophil count \(ANC\) under 1,000 is low",
    ),
    ("no adult numbers", "children", r"differ from adults'"),
    ("give the age", "children", r"Give the child's age with the count"),
    # cancer (CC, MAYO-CAUSES, MEDLINEPLUS-LEUKEMIA, NCI-MDS, MEDLINEPLUS-SCN)
    ("not cancer", "cancer_link", r"No, a low count is not cancer"),
    (
        "treatment and marrow cancers lower",
        "cancer_link",
        r"cancer treatment and cancers that harm the bone marrow can lower it",
    ),
    ("leukemia lowers or raises it", "cancer_link", r"Leukemia can lower the count or raise it"),
    ("low count is not cancer", "cancer_link", r"does not turn into cancer"),
    ("mds to aml", "cancer_link", r"MDS, a marrow disorder, can become a leukemia called AML"),
    (
        "scn risk",
        "cancer_link",
        r"Severe congenital neutropenia, a rare problem from birth, raises the risk of both",
    ),
    ("follow-up", "cancer_link", r"two causes need follow-up"),
    # chemotherapy (ACS-NEUTROPENIA, NCI-INFECTION, CC, CDC)
    ("harms healthy cells", "chemotherapy", r"harms healthy cells too"),
    ("nadir", "chemotherapy", r"usually lowest \(the nadir\) 7 to 14 days after a dose"),
    ("recovers", "chemotherapy", r"most often comes back up before the next cycle"),
    ("delay", "chemotherapy", r"if not, that cycle may be delayed"),
    (
        "fever emergency",
        "chemotherapy",
        r"During chemo, a fever of 38 °C / 100\.4 °F or higher is an emergency",
    ),
    ("care now, cancer team", "chemotherapy", r"Get emergency care now and call your cancer team"),
    # neutropenia (clinical-reference section 3; IDSA; CTCAE)
    ("definition", "neutropenia", r"Neutropenia means you have too few neutrophils"),
    ("anc named", "neutropenia", r"list their number as the ANC"),
    ("threshold", "neutropenia", r"ANC under 1,500 is low"),
    ("severe", "neutropenia", r"under 500 is severe"),
    (
        "fever is an emergency",
        "neutropenia",
        r"With a low ANC, a fever of 38 °C / 100\.4 °F or higher is an emergency",
    ),
    ("antibiotics within an hour", "neutropenia", r"it needs antibiotics within the hour"),
    # lab error (HF only, and named as such)
    (
        "only healthfully",
        "lab_error",
        r"Only one of our sources covers this: Healthfully, a consumer health site",
    ),
    ("too small", "lab_error", r"too small"),
    ("mishandled", "lab_error", r"handled the wrong way"),
    ("new sample", "lab_error", r"new blood sample"),
    ("not assumed", "lab_error", r"Do not assume a mistake"),
    # outlook (CC)
    ("depends on cause", "outlook", r"depends on what is causing"),
    ("viral recovers", "outlook", r"After a virus, the count should return to normal"),
    ("cancer depends", "outlook", r"depends on the type of cancer and its treatment"),
    (
        "some causes progress",
        "outlook",
        r"MDS or severe congenital neutropenia, can lead to leukemia",
    ),
    ("follow-up", "outlook", r"regular follow-up"),
    # specific causes
    ("chemo", "causes:chemotherapy", r"Chemotherapy often lowers"),
    ("chemo nadir", "causes:chemotherapy", r"lowest \(the nadir\) 7 to 14 days"),
    ("chemo recovers", "causes:chemotherapy", r"comes back up before the\s+next cycle"),
    ("chemo delay", "causes:chemotherapy", r"may delay the next\s+dose"),
    ("radiation", "causes:radiation", r"Radiation therapy"),
    (
        "tmp-smx",
        "causes:antibiotics",
        r"trimethoprim-sulfamethoxazole, sold as Bactrim or\s+Septra",
    ),
    ("diuretics", "causes:diuretics", r"water pills"),
    ("clozapine", "causes:clozapine", r"Clozapine \(Clozaril\)"),
    ("methotrexate", "causes:methotrexate", r"Methotrexate"),
    ("azathioprine", "causes:azathioprine", r"Azathioprine \(Imuran\)"),
    ("healthfully claim named", "causes:prednisone", r"One consumer website \(Healthfully\) says"),
    ("steroids usually raise", "causes:prednisone", r"usually raise the number of neutrophils"),
    ("lymphocytes", "causes:prednisone", r"lower another kind of white cell called lymphocytes"),
    ("lupus", "causes:lupus", r"Lupus is an autoimmune disease"),
    ("ra", "causes:rheumatoid_arthritis", r"Rheumatoid arthritis \(RA\)"),
    ("systemic sclerosis", "causes:other_autoimmune", r"systemic sclerosis"),
    ("hiv", "causes:hiv", r"HIV, the virus that causes AIDS"),
    ("tb", "causes:tuberculosis", r"Tuberculosis \(TB\)"),
    ("tb by mayo", "causes:tuberculosis", r"Mayo Clinic lists as a cause"),
    ("hepatitis not named", "causes:hepatitis", r"do not name hepatitis"),
    ("hepatitis viral", "causes:hepatitis", r"viral infections can upset the bone marrow"),
    ("flu and covid", "causes:flu_covid", r"flu \(influenza\) and COVID-19"),
    ("viral by mayo", "causes:flu_covid", r"Mayo Clinic says viral infections"),
    ("flu named by dr.oracle only", "causes:flu_covid", r"only an\s+AI-written page names"),
    ("viral temporary", "causes:viral_infection", r"for a while"),
    ("parasitic", "causes:parasitic", r"parasitic diseases"),
    ("sepsis uses up cells", "causes:sepsis", r"faster than the bone marrow\s+can make"),
    ("b12 folate copper", "causes:vitamin_deficiency", r"B12, folate \(folic acid\) or copper"),
    ("reversible", "causes:vitamin_deficiency", r"can often be\s+fixed"),
    ("malnutrition", "causes:malnutrition", r"Malnutrition means"),
    ("aplastic anemia", "causes:aplastic_anemia", r"stops making new blood\s+cells"),
    ("aplastic infections", "causes:aplastic_anemia", r"very low, infections come more easily"),
    ("leukemia", "causes:leukemia", r"crowd out healthy white blood\s+cells"),
    (
        "acute low or high",
        "causes:leukemia",
        r"Acute leukemias can make the white count low or high",
    ),
    ("cml cll raise", "causes:leukemia", r"CML and\s+CLL, usually raise it"),
    ("mds can lead to it", "causes:leukemia", r"such as MDS, can lead to leukemia"),
    ("mds", "causes:myelodysplastic_syndromes", r"makes too few\s+healthy blood cells"),
    ("mds to aml", "causes:myelodysplastic_syndromes", r"turn into a leukemia called AML"),
    ("hypersplenism", "causes:hypersplenism", r"destroys blood cells\s+too early"),
    ("liver", "causes:hypersplenism", r"liver disorders"),
    ("kostmann", "causes:kostmann_syndrome", r"some people are born with"),
    ("kostmann neutrophils", "causes:kostmann_syndrome", r"makes very few\s+neutrophils"),
    ("kostmann is scn", "causes:kostmann_syndrome", r"form of severe congenital neutropenia"),
    ("kostmann risk", "causes:kostmann_syndrome", r"raises the risk\s+of MDS"),
    ("cyclic", "causes:cyclic_neutropenia", r"genetic condition, present from birth"),
    ("cyclic by dr.oracle only", "causes:cyclic_neutropenia", r"only an AI-written page names it"),
    ("cyclic not mayo's", "causes:cyclic_neutropenia", r"Mayo Clinic lists problems.*not this one"),
    ("myelokathexis", "causes:myelokathexis", r"cannot get out into the blood"),
    ("congenital", "causes:congenital", r"Kostmann's syndrome and myelokathexis are two"),
    ("cyclic by dr.oracle", "causes:congenital", r"AI-written page adds cyclic\s+neutropenia"),
    ("scn risk", "causes:congenital", r"raises the risk of\s+MDS"),
    ("sarcoidosis", "causes:sarcoidosis", r"clumps of inflamed cells"),
    ("marrow damage", "causes:bone_marrow_cancer_other", r"damage the bone marrow"),
    ("lab error", "causes:lab_error", r"new blood sample"),
    ("lab error by healthfully", "causes:lab_error", r"one consumer health site \(Healthfully\)"),
]


@pytest.mark.parametrize(
    ("fact", "topic", "pattern"), FACTS, ids=[f"{topic}/{fact}" for fact, topic, _ in FACTS]
)
def test_fact_is_placed_in_its_topic(fact: str, topic: str, pattern: str) -> None:
    """Each fact of the sources stays in the answer that carries it."""
    assert re.search(pattern, content.topic_answer(topic).text, re.I), fact


@pytest.mark.parametrize("topic", ["diagnosis", "causes", "treatment"])
def test_no_bone_marrow_test_is_claimed(topic: str) -> None:
    """No source says when a bone marrow test is done, so no answer claims it."""
    assert not re.search(r"biops|marrow (?:test|sample|exam)", content.topic_answer(topic).text)


@pytest.mark.parametrize(
    ("cause", "source"),
    [
        ("prednisone", "HF"),
        ("prednisone", "MAYO-HIGH-CAUSES"),
        ("antibiotics", "DRO"),
        ("lupus", "CC"),
    ],
)
def test_cause_cites_the_source_of_its_claim(cause: str, source: str) -> None:
    """Claims that lean on one source cite it (Healthfully's prednisone claim, Dr.Oracle's drug)."""
    assert source in content.topic_answer("causes", cause).source_keys


def test_dr_oracle_is_never_the_only_source() -> None:
    """Dr.Oracle ("pending human review") is always backed by another source."""
    alone = [answer.topic for answer in ANSWERS if answer.source_keys == ("DRO",)]
    assert not alone


# --- the corrections of clinical-reference section 8, checked by meaning -------------------------


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,.]*\d|\d", text))


def _text(topic: str) -> str:
    return content.topic_answer(topic).text


def _sources(topic: str) -> tuple[str, ...]:
    return content.topic_answer(topic).source_keys


@pytest.mark.parametrize("topic", ["chemotherapy", "causes:chemotherapy"])
def test_chemotherapy_gives_the_nadir_and_the_recovery(topic: str) -> None:
    """Lowest point about 7 to 14 days after a dose, recovery before the next cycle, delay."""
    text = _text(topic)
    assert {"7", "14"} <= _numbers(text)
    assert "nadir" in text.lower()
    assert re.search(r"recover|comes back up", text, re.I) and re.search(r"next cycle", text, re.I)
    assert re.search(r"\bdelay", text, re.I)
    assert {"ACS-NEUTROPENIA", "NCI-INFECTION"} <= set(_sources(topic))


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_no_answer_says_the_count_stays_low_until_treatment_ends(
    answer: content.TopicAnswer,
) -> None:
    """Healthfully's "low until treatment ends" is not a safe general statement: never repeated."""
    assert not re.search(
        r"until (?:the )?treatment (?:ends|is over|has been completed)", answer.text, re.I
    )


CML_CLL = re.compile(r"\b(?:CML|CLL)\b|chronic (?:myeloid|myelogenous|lymphocytic) leuk", re.I)


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_cml_and_cll_are_named_only_as_raising_the_count(answer: content.TopicAnswer) -> None:
    """A sentence naming CML or CLL says they usually raise the count, and cites MedlinePlus."""
    for sentence in _sentences(answer.text):
        if CML_CLL.search(sentence):
            assert re.search(r"\braise", sentence, re.I), sentence
            assert "MEDLINEPLUS-LEUKEMIA" in answer.source_keys


def test_leukemia_can_lower_or_raise_the_count() -> None:
    """Leukemia answers say it can raise the count as well as lower it."""
    for topic in ("causes:leukemia", "cancer_link"):
        text = _text(topic)
        assert re.search(r"\blow", text, re.I) and re.search(r"\braise", text, re.I), topic
        assert "MEDLINEPLUS-LEUKEMIA" in _sources(topic)


PROGRESSION = [
    ("cancer_link", ("NCI-MDS", "MEDLINEPLUS-SCN")),
    ("outlook", ("NCI-MDS", "MEDLINEPLUS-SCN")),
    ("causes:leukemia", ("NCI-MDS",)),
    ("causes:myelodysplastic_syndromes", ("NCI-MDS",)),
    ("causes:kostmann_syndrome", ("MEDLINEPLUS-SCN",)),
    ("causes:congenital", ("MEDLINEPLUS-SCN",)),
]


@pytest.mark.parametrize(("topic", "keys"), PROGRESSION, ids=[t for t, _ in PROGRESSION])
def test_causes_that_can_progress_need_follow_up(topic: str, keys: tuple[str, ...]) -> None:
    """MDS can turn into AML and severe congenital neutropenia raises its risk: follow-up."""
    text = _text(topic)
    assert re.search(r"\bMDS\b", text) and re.search(r"\bAML\b|leukemia", text), topic
    assert re.search(r"follow-up", text, re.I), topic
    assert set(keys) <= set(_sources(topic))


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_a_low_count_not_turning_into_cancer_comes_with_the_exceptions(
    answer: content.TopicAnswer,
) -> None:
    """The answers never say a low count does not turn into leukemia without MDS and follow-up."""
    if re.search(r"(?:not|never) (?:turn|become)", answer.text, re.I):
        assert re.search(r"\bMDS\b", answer.text) and "follow-up" in answer.text


def test_tuberculosis_cites_only_the_page_that_names_it() -> None:
    """Of the sources, only Mayo Clinic's causes page names tuberculosis."""
    assert _sources("causes:tuberculosis") == ("MAYO-CAUSES",)


def test_cited_seed_documents_name_tuberculosis() -> None:
    """Every seed document the TB answer cites mentions tuberculosis (needs the source texts)."""
    for key in _sources("causes:tuberculosis"):
        if key in SEED_FILES:
            assert "tuberculosis" in _seed_text(key).lower(), key


WEAK_FACTS = [
    # (answer, keyword, the only seed document that says it, how the answer names that source)
    ("causes:flu_covid", "influenza", "DRO", r"AI-written"),
    ("causes:cyclic_neutropenia", "cyclic neutropenia", "DRO", r"AI-written"),
    ("causes:congenital", "cyclic neutropenia", "DRO", r"AI-written"),
    ("lab_error", "too small", "HF", r"Healthfully"),
    ("causes:lab_error", "too small", "HF", r"Healthfully"),
]


@pytest.mark.parametrize(
    ("topic", "keyword", "key", "named"), WEAK_FACTS, ids=[f"{t}/{k}" for t, k, _, _ in WEAK_FACTS]
)
def test_facts_of_the_weaker_sources_are_cited_and_attributed(
    topic: str, keyword: str, key: str, named: str
) -> None:
    """A fact only Healthfully or Dr.Oracle gives cites it and says who says it."""
    assert key in _sources(topic)
    assert re.search(named, _text(topic))


@pytest.mark.parametrize(
    ("topic", "keyword", "key", "named"), WEAK_FACTS, ids=[f"{t}/{k}" for t, k, _, _ in WEAK_FACTS]
)
def test_weaker_source_really_says_it(topic: str, keyword: str, key: str, named: str) -> None:
    """The weaker source cited for the fact does say it (needs the source texts)."""
    assert keyword in _seed_text(key).lower()


# --- each citation supports its sentence (docs/sources.md, "Corrections") ------------------------


def _cited_texts() -> list[tuple[str, str, tuple[str, ...]]]:
    """Return (where, text, sources) of every answer and of every subject's line.

    Each comes with its own sources: a line is checked alone, not with the general answer it
    follows.
    """
    cited = [(where, answer.text, answer.source_keys) for where, answer in _all_answers().items()]
    for subject, entry in _raw_subjects().items():
        for topic, line in entry.get("lines", {}).items():
            cited.append((f"{subject}/line:{topic}", line["text"], tuple(line["sources"])))
    return cited


CITED = _cited_texts()
CITED_IDS = [where for where, _, _ in CITED]
INFECTION_RISK = re.compile(
    r"infections? (?:come |can start )?more easily|infections? (?:are |get )?(?:far |much )?more "
    r"likely|risk of infection rises|get infections",
    re.I,
)
VERY_LOW = re.compile(r"very (?:low|few)|under 1,000|lowest", re.I)


@pytest.mark.parametrize(("where", "text", "keys"), CITED, ids=CITED_IDS)
def test_infection_risk_is_said_only_of_a_very_low_count(
    where: str, text: str, keys: tuple[str, ...]
) -> None:
    """Saying "infections come more easily" is kept to a very low count.

    That is when the count, or the neutrophils, are very low (the risk rises mainly below an ANC of
    1,000), said in the sentence or the one before it.
    """
    said = _sentences(text)
    for number, sentence in enumerate(said):
        if INFECTION_RISK.search(sentence):
            context = " ".join(said[max(0, number - 1) : number + 1])
            assert VERY_LOW.search(context), (where, sentence)


def test_category_meanings_tie_infections_to_a_very_low_count() -> None:
    """Category meanings tie infections to a very low count.

    The meaning of a low count says many causes and the risk when very low; a critically low count
    says a serious infection can come without a fever (section 5).
    """
    meanings = _yaml(DATA / "explanations.yml")["meanings"]
    assert re.search(r"many causes", meanings["low"]) and VERY_LOW.search(meanings["low"])
    assert not re.search(r"far more likely|makes infections more likely", meanings["low"])
    assert re.search(r"without a fever|with no fever", meanings["critically_low"])
    assert not re.search(r"far more likely", meanings["critically_low"])


@pytest.mark.parametrize(("where", "text", "keys"), CITED, ids=CITED_IDS)
def test_antibiotics_within_the_hour_only_for_a_fever_with_neutropenia(
    where: str, text: str, keys: tuple[str, ...]
) -> None:
    """Saying "antibiotics within the hour" is kept to a fever with neutropenia, citing IDSA.

    Neutropenia is a low ANC or neutrophil count, named in the sentence or the one before it.
    """
    said = _sentences(text)
    for number, sentence in enumerate(said):
        if re.search(r"within (?:the|an) hour", sentence):
            context = " ".join(said[max(0, number - 1) : number + 1])
            assert re.search(r"fever", context, re.I), (where, sentence)
            assert re.search(r"neutropenia|neutrophil|\bANC\b", context), (where, sentence)
            assert "IDSA" in keys, where


@pytest.mark.parametrize(("where", "text", "keys"), CITED, ids=CITED_IDS)
def test_idsa_is_cited_only_for_a_fever_with_neutropenia(
    where: str, text: str, keys: tuple[str, ...]
) -> None:
    """A text citing IDSA's guideline speaks of a fever: the guideline is about neutropenic fever.

    Its grades and normal range are CTCAE's and Merck's.
    """
    if "IDSA" in keys:
        assert re.search(r"fever", text, re.I), where


@pytest.mark.parametrize(("where", "text", "keys"), CITED, ids=CITED_IDS)
def test_medlineplus_fever_is_cited_only_for_when_to_call_about_a_fever(
    where: str, text: str, keys: tuple[str, ...]
) -> None:
    """MedlinePlus "Fever" is cited only where its advice is given.

    That is: call for 39.4 °C / 103 °F or more, or a fever of more than 3 days.
    """
    if "MEDLINEPLUS-FEVER" in keys:
        assert re.search(r"39\.4 °C / 103 °F", text) and re.search(r"over 3 days", text), where


@pytest.mark.parametrize(("where", "text", "keys"), CITED, ids=CITED_IDS)
def test_a_very_high_count_cites_the_lab_lists(
    where: str, text: str, keys: tuple[str, ...]
) -> None:
    """Saying "30,000 or more" cites labs' critical-value lists (LAB-CRITICAL), not Mayo Clinic.

    Mayo Clinic's high-count page gives only "more than 11,000 is high".
    """
    if re.search(r"30,000 or more", text):
        assert "LAB-CRITICAL" in keys, where


def test_mayo_high_count_page_is_not_the_basis_of_when_to_see_a_doctor() -> None:
    """The high count's "when to see a doctor" answer does not cite Mayo Clinic's high-count page.

    The answer speaks of emergency signs, 30,000 or more, and fever.
    """
    answer = content.topic_answer("when_to_see_doctor", subject="high_count")
    assert "MAYO-HIGH" not in answer.source_keys


def test_cyclic_neutropenia_is_not_cited_to_mayo_clinics_causes_page() -> None:
    """Cyclic neutropenia cites Dr.Oracle, not Mayo Clinic's causes page, which does not name it.

    Mayo Clinic's definition page comes with it, for disorders present from birth.
    """
    keys = _sources("causes:cyclic_neutropenia")
    assert "MAYO-CAUSES" not in keys
    assert keys[0] == "DRO" and "MAYO-DEF" in keys


def test_mayo_clinics_causes_page_does_not_name_cyclic_neutropenia() -> None:
    """The reason for the test above, read in the saved page (needs the source texts)."""
    assert "cyclic" not in _seed_text("MAYO-CAUSES").lower()
    assert "cyclic neutropenia" in _seed_text("DRO").lower()


def test_prednisone_cites_mayo_high_count_page_and_keeps_the_caveat() -> None:
    """Corticosteroids are on Mayo's high-count page; steroids usually raise neutrophils."""
    text = _text("causes:prednisone")
    keys = _sources("causes:prednisone")
    assert "MAYO-HIGH-CAUSES" in keys and "MAYO-DEF" not in keys
    assert re.search(r"usually raise", text) and re.search(r"lymphocytes", text)
    assert re.search(r"Healthfully", text)


def test_normal_range_gives_the_range_used_the_borderline_band_mayo_and_the_report() -> None:
    """4,500-11,000 used, 4,000-4,499 borderline, Mayo's "under 4,000", 4.5 on a report.

    The answer is kept short (grade 8): Cleveland Clinic's ranges by sex and Mayo's CBC range
    (3,400 to 9,600) are left out, and so is the CBC page from its sources; the reading of a count
    names the range it used and adds Cleveland Clinic's range for the person's sex when it changes
    the verdict.
    """
    text = _text("normal_range")
    assert {"4,500", "11,000", "4,000", "4,499", "4.5"} <= _numbers(text)
    assert "borderline" in text
    assert re.search(r"go by the one on your report", text)
    assert {"MEDLINEPLUS", "MAYO-DEF", "CC"} <= set(_sources("normal_range"))
    assert "MAYO-CBC" not in _sources("normal_range")


def _pediatric_wbc_bands() -> list[tuple[int, int]]:
    lines = (DATA / "pediatric_bands.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return [(int(row["low"]), int(row["high"])) for row in rows if row["analyte"] == "wbc"]


def test_children_answer_gives_the_first_and_last_age_band_the_bot_uses() -> None:
    """The first and last WBC bands of pediatric_bands.csv appear as "low to high", in age order.

    The other six bands are not listed (the answer stays short); the answer asks for the child's
    age, with which a reading uses the band for that age. PEDS is cited first.
    """
    text = _text("children")
    bands = _pediatric_wbc_bands()
    assert len(bands) == 8
    named = [bands[0], bands[-1]]
    places = [text.find(f"{low:,} to {high:,}") for low, high in named]
    assert -1 not in places, [band for band, at in zip(named, places, strict=True) if at == -1]
    assert places == sorted(places)
    assert re.search(r"child's age with the count", text)
    assert _sources("children")[0] == "PEDS"


def test_neutropenia_says_fever_with_neutropenia_is_an_emergency() -> None:
    """Fever with neutropenia is an emergency (CDC, IDSA)."""
    sentences = [s for s in _sentences(_text("neutropenia")) if re.search(r"fever", s, re.I)]
    assert any(re.search(r"emergency", s, re.I) for s in sentences)
    assert {"CDC", "IDSA"} <= set(_sources("neutropenia"))


def test_high_count_meaning_is_hedged() -> None:
    """The meaning of a high count names infection as one reason among others, not the rule."""
    high = _yaml(DATA / "explanations.yml")["meanings"]["high"]
    assert "infection" in high
    assert not re.search(r"often goes with|usually means|is caused by", high)


def test_intro_does_not_call_every_source_trusted() -> None:
    """One source is an AI-written page pending review: the intro does not call all "trusted"."""
    intro = _yaml(ROOT / "domain.yml")["responses"]["utter_intro"][0]["text"]
    assert "trusted" not in intro.lower()
    assert re.search(r"sources", intro)


def test_every_source_is_described_in_docs() -> None:
    """docs/sources.md has a section for every key of sources.csv."""
    docs = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ .*?`([A-Z0-9-]+)`", docs, re.M))
    assert not set(tables.sources()) - headings


# --- loading and checking content.yml ----------------------------------------------------------


def test_nothing_is_read_at_import() -> None:
    """Importing bot.reply.content reads no file and loads no spaCy."""
    code = (
        "import sys, bot.reply.content as c; "
        "assert c._content.cache_info().currsize == 0; assert 'spacy' not in sys.modules"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


@pytest.fixture
def content_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Yield the parsed content.yml; what the test leaves in it is written to a copy the bot reads.

    bot.reply.content reads that copy.
    """
    raw = copy.deepcopy(_raw_content())
    path = tmp_path / "content.yml"
    monkeypatch.setattr(content, "CONTENT_FILE", path)
    content._content.cache_clear()
    yield raw
    content._content.cache_clear()
    content._cause_matcher.cache_clear()


def _set(section: str, key: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(raw: dict[str, Any]) -> None:
        raw[section][key][field] = value

    return edit


def _drop_title(raw: dict[str, Any]) -> None:
    del raw["button_titles"]["outlook"]


def _drop_field(raw: dict[str, Any]) -> None:
    del raw["topics"]["outlook"]["sources"]


BROKEN = [
    ("one sentence", _set("topics", "outlook", "text", "Too short."), "1 sentences"),
    ("six sentences", _set("topics", "outlook", "text", "One. Two. 3. Four. Five. Six."), "6 sent"),
    ("no full stop", _set("topics", "outlook", "text", "One. Two"), "does not end"),
    ("unknown source", _set("topics", "outlook", "sources", ["CC", "WIKI"]), "not in sources"),
    ("follow-up unknown", _set("topics", "outlook", "follow_ups", ["causes", "x"]), "not a topic"),
    ("follows itself", _set("topics", "outlook", "follow_ups", ["causes", "outlook"]), "itself"),
    ("one follow-up", _set("topics", "outlook", "follow_ups", ["causes"]), "not 2-3"),
    ("duplicate source", _set("topics", "outlook", "sources", ["CC", "CC"]), "twice"),
    ("shared synonym", _set("causes_by_cause", "lupus", "synonyms", ["chemo"]), "both"),
    ("no synonyms", _set("causes_by_cause", "lupus", "synonyms", []), "non-empty list"),
    ("missing title", _drop_title, "button_titles"),
    ("missing field", _drop_field, "exactly the fields"),
]


def _subject_edit(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with value None, delete) by_subject.<path>, a dotted path of keys."""

    def edit(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = raw["by_subject"]
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value

    return edit


def _drop_by_subject(raw: dict[str, Any]) -> None:
    del raw["by_subject"]


_LINE = {"text": "A line about it.", "sources": ["CC"]}
_OWN = {"text": "One. Two.", "sources": ["CC"], "follow_ups": ["causes", "outlook"]}

SUBJECT_BROKEN = [
    ("no by_subject", _drop_by_subject, "exactly the fields"),
    ("subject missing", _subject_edit("high_count", None), "missing subjects ['high_count']"),
    ("unknown subject", _subject_edit("adults", {"lines": {"default": _LINE}}), "['adults']"),
    ("leukopenia given", _subject_edit("leukopenia", {"lines": {"default": _LINE}}), "not subj"),
    ("unknown field", _subject_edit("children.notes", {"default": _LINE}), "may only have"),
    ("unknown topic", _subject_edit("children.answers.insurance", _OWN), "'insurance' is not"),
    ("own topic", _subject_edit("children.lines.children", _LINE), "is this subject"),
    ("answer and line", _subject_edit("neutropenia.lines.causes", _LINE), "both an answer"),
    ("default answer", _subject_edit("children.answers.default", _OWN), "is not a topic"),
    ("no default", _subject_edit("high_count.lines.default", None), "no answer, line or default"),
    (
        "two-sentence line",
        _subject_edit("chemotherapy.lines.default.text", "One line. Two lines."),
        "2 sentences, not exactly 1",
    ),
    ("line without stop", _subject_edit("children.lines.default.text", "No stop"), "does not end"),
    (
        "line bad source",
        _subject_edit("children.lines.default.sources", ["WIKI"]),
        "not in sources",
    ),
    (
        "line source not citable",
        _subject_edit("children.lines.default.sources", ["CLINREF", "PEDS"]),
        "has no name and link",
    ),
    (
        "six sentences",
        _subject_edit("high_count.answers.causes.text", "One. Two. 3. Four. Five. Six."),
        "6 sentences",
    ),
    (
        "answer follows itself",
        _subject_edit("high_count.answers.causes.follow_ups", ["causes", "outlook"]),
        "itself",
    ),
    (
        "answer bad source",
        _subject_edit("neutropenia.answers.causes.sources", ["CC", "WIKI"]),
        "not in sources",
    ),
]
BROKEN += SUBJECT_BROKEN


@pytest.mark.parametrize(("edit", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_content_is_refused(
    content_copy: dict[str, Any], edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    """A content file that breaks a rule raises ReferenceDataError naming the problem."""
    edit(content_copy)
    content.CONTENT_FILE.write_text(yaml.safe_dump(content_copy), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=re.escape(message)):
        content.topics()


def test_unreadable_content_is_refused(content_copy: dict[str, Any]) -> None:
    """A file that is not YAML raises ReferenceDataError."""
    content.CONTENT_FILE.write_text("topics: [unclosed", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="cannot be read"):
        content.topics()
