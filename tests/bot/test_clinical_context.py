"""Temperature, red flags with negation, cancer treatment, age and sex (sections 2, 5 and 6)."""

from __future__ import annotations

import pytest

from bot.model import RedFlagKind, Sex
from bot.read.clinical_context import _long_fever
from bot.read.matchers import red_flag_specs
from bot.read.parse import parse_text
from bot.reference.ranges import fever_threshold_c


def flags(text: str) -> list[str]:
    return [flag.name for flag in parse_text(text).context.red_flags]


RED_FLAG_CASES = [
    ("wbc 2.9 and I have a fever", ["fever"]),
    ("feeling feverish tonight", ["fever"]),
    ("she has chills", ["chills"]),
    ("shaking and rigors since this morning", ["chills", "rigors"]),
    ("no fever", []),
    ("no temp", []),
    ("no fever or chills", []),
    ("No fever, no chills.", []),
    ("I don't have a fever", []),
    ("denies fever", []),
    ("without fever", []),
    ("fever: no", []),
    ("fever-free for two days", []),
    ("the fever went away", []),
    ("no fever but chills", ["chills"]),
    ("no fever and I have chills", ["chills"]),
    ("not sure if I have a fever", ["fever"]),
    ("No, I have a fever", ["fever"]),
    ("I'm confused about what this means", []),
    ("this is confusing", []),
    ("I'm confused by the result", []),
    ("my dad is confused and drowsy", ["confusion"]),
    ("she is hard to wake", ["hard_to_wake"]),
    ("trouble breathing", ["trouble_breathing"]),
    ("I can't breathe properly", ["trouble_breathing"]),
    ("shortness of breath and chest pain", ["trouble_breathing", "chest_pain"]),
    ("he fainted this morning", ["fainting"]),
    ("stiff neck and a bad headache", ["stiff_neck"]),
    ("stiff neck from sleeping badly", []),
    ("she had a seizure", ["seizure"]),
    ("sore throat and mouth sores", ["sore_throat", "mouth_sores"]),
    ("burning when I pee", ["burning_urination"]),
    ("my port is red and there is pus", ["wound_infection"]),
    ("diarrhea all day", ["diarrhea_or_vomiting"]),
    ("new cough", ["new_cough"]),
    # a cue after the sign is about it only when nothing follows it and no new clause begins
    (
        "he is slurring his words and his face has gone a greyish colour",
        ["confusion", "skin_colour"],
    ),
    ("the shivering has gone now", []),
    # everyday words for signs (held-out set 3)
    ("breathing like she's just run a marathon", ["trouble_breathing"]),
    ("temp 38.9 and her neck hurts when she tries to look down", ["fever", "stiff_neck"]),
    ("stomach pain came out of nowhere, I'm doubled over", ["sudden_severe_pain"]),
    # a time said first in a sentence reaches a list of signs, not a clause in the present
    ("Three weeks ago he was admitted with sepsis: fever, confusion, breathing hard.", []),
    ("A week ago he had chemo, he has a fever of 38.6", ["fever"]),
    ("Two weeks ago she started chemo and she is confused", ["confusion"]),
    ("Last month she finished chemo, she can't breathe properly", ["trouble_breathing"]),
    (
        "Started a new tablet last month, now confused and very drowsy",
        ["confusion", "hard_to_wake"],
    ),
    # "fever: no" before a sign; a list's "or" after its last comma only
    ("I feel fine: no fevers, no rash", []),
    ("symptoms: no fever, but shaking chills", ["chills", "rigors"]),
    # ALL CAPS cut into tokens like lower case ("WONT" is "WO" + "NT")
    ("SHE WONT WAKE UP", ["hard_to_wake"]),
    ("HE CANT BREATHE", ["trouble_breathing"]),
    ("i can't wake up in the mornings, always tired", []),
    # the team's number ("ring if 37.5 or more") is a threshold, and 37.7 is over it
    ("on chemo, my team said ring if 37.5 or more, I'm 37.7 now", ["fever"]),
    # a duration counts for the fever only in a sentence about the fever
    ("fever 38.4 today. My partner had it and was better in four days.", ["fever"]),
    ("temp 38.5. I run twice a week.", ["fever"]),
    ("Planned to start methotrexate in two weeks; today a temp of 38.2", ["fever"]),
    (
        "His fever started on Saturday and today is Thursday. 38.8 tonight.",
        ["fever_over_3_days", "fever"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), RED_FLAG_CASES, ids=[c[0] for c in RED_FLAG_CASES])
def test_red_flags_and_negation(text: str, expected: list[str]) -> None:
    """Red flags are found, and negated ones ("no fever or chills") are not."""
    assert flags(text) == expected


@pytest.mark.parametrize(
    ("text", "celsius", "fever"),
    [
        ("temp 38.5°C", 38.5, True),
        ("temperature 38.0", 38.0, True),
        ("temperature 37.9", 37.9, False),
        ("101F", 38.33, True),
        ("temp of 100.4 F", 38.0, True),
        ("temp of 100.3 F", 37.94, False),
        ("fever of 39", 39.0, True),
        ("fever 38,2", 38.2, True),
        ("102 degrees", 38.89, True),
        ("temp 99", 37.22, False),
        ("fever of 37.6", 37.6, False),
        ("temp 37.2 this morning, 38.6 tonight", 38.6, True),
        ("temp was 37.9 in the ear then 38.1 an hour later", 38.1, True),
        # a decimal only a body can be, in a message that names no lab test
        ("my 3 month old has 38.2", 38.2, True),
        ("new cough and 38.2", 38.2, True),
        ("after a kidney transplant, 38.0 this evening", 38.0, True),
        ("she has had 101.3 since lunch", 38.5, True),
        # after "hot", "got", "rectally", "under her arm:"; before a comma; beside a condition
        ("LO 6wk hot 38", 38.0, True),
        ("checked him rectally and got 100.5, is that bad?", 38.06, True),
        ("took her temperature under her arm: 38.1.", 38.1, True),
        ("neutropenic n 38.1", 38.1, True),
    ],
    ids=lambda value: str(value),
)
def test_temperature(text: str, celsius: float, fever: bool) -> None:
    """Temperatures in °C or °F, with or without unit; 38.0 °C / 100.4 °F or more is a fever."""
    context = parse_text(text).context
    assert context.temperature_c == pytest.approx(celsius, abs=0.01)
    assert ("fever" in flags(text)) is fever
    assert (context.temperature_c >= fever_threshold_c()) is fever


@pytest.mark.parametrize(
    "text",
    [
        "wbc 3.2 K/uL",
        "I'm 34",
        "34F",
        "my 38 year old",
        "WBC 3.2 x10^9/L (4.0-11.0)",
        # a bare decimal where tests are named, or with a unit of something else
        "WBC 2.1, Hb 12.5, Hct 38.2, MCV 99.5",
        "my bmi is 38.2",
        "she weighs 38.5 kg",
        "38.5 weeks pregnant",
        "it cost £38.50",
    ],
)
def test_no_temperature_where_there_is_none(text: str) -> None:
    """Counts, ages and units are not temperatures."""
    assert parse_text(text).context.temperature_c is None


@pytest.mark.parametrize(
    ("text", "on_treatment"),
    [
        ("I'm on chemo", True),
        ("after my chemotherapy", True),
        ("finished radiation last week", True),
        ("counts too low for chemo today", True),
        ("not on chemo", False),
        ("never had chemotherapy", False),
        ("wbc 3.2", False),
    ],
)
def test_cancer_treatment(text: str, on_treatment: bool) -> None:
    """Chemotherapy and radiation are recognised, unless negated."""
    assert parse_text(text).context.on_cancer_treatment is on_treatment


@pytest.mark.parametrize(
    ("text", "says_low"),
    [
        ("I have neutropenia", True),
        ("my doctor said I'm neutropenic", True),
        ("I have leukopenia and chills", True),
        ("counts too low for chemo today", True),
        ("my white count is low", True),
        ("what is neutropenia?", False),
        ("what causes leukopenia", False),
        ("I don't have neutropenia", False),
    ],
)
def test_says_low_count(text: str, says_low: bool) -> None:
    """Saying one has leukopenia or neutropenia is a low-count context; asking about it is not."""
    assert parse_text(text).context.says_low_count is says_low


AGE_CASES = [
    ("my 3 year old", 3.0),
    ("my 3-year-old son", 3.0),
    ("10 day old baby", 10 / 365.25),
    ("16-week-old", 16 * 7 / 365.25),
    ("6 month old", 0.5),
    ("I'm 34", 34.0),
    ("I am 70 years old", 70.0),
    ("son is 14", 14.0),
    ("she's 3", 3.0),
    ("daughter is 6 months", 0.5),
    ("45 y/o", 45.0),
    ("45yo woman", 45.0),
    ("aged 70", 70.0),
    ("age: 52", 52.0),
    ("34F", 34.0),
    ("67 M", 67.0),
    ("a two year old", 2.0),
    ("I'm 34 and my son is 14, his wbc 3.2", 14.0),
]


@pytest.mark.parametrize(("text", "years"), AGE_CASES, ids=[c[0] for c in AGE_CASES])
def test_age(text: str, years: float) -> None:
    """Ages in years, months, weeks or days; the age nearest before the count wins."""
    assert parse_text(text).context.age_years == pytest.approx(years)


@pytest.mark.parametrize(
    "text",
    [
        "I'm 34 weeks pregnant",
        "I'm 10 days into chemo",
        "101F",
        "wbc 3.2",
        "day 10 of the cycle",
        "I'm 70 kg",
    ],
)
def test_not_an_age(text: str) -> None:
    """Pregnancy weeks, days of treatment, temperatures and weights are not ages."""
    assert parse_text(text).context.age_years is None


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("my daughter", Sex.FEMALE),
        ("45 year old woman", Sex.FEMALE),
        ("34F", Sex.FEMALE),
        ("my son", Sex.MALE),
        ("67 M", Sex.MALE),
        ("her WBC was 4,500", Sex.FEMALE),
        ("my husband said she was wrong", Sex.MALE),
        ("wbc 3.2", None),
    ],
)
def test_sex(text: str, sex: Sex | None) -> None:
    """Sex words; nouns come before pronouns; shorthand like 34F gives age and sex."""
    assert parse_text(text).context.sex is sex


def test_every_red_flag_kind_is_known() -> None:
    """Every row of data/red_flags.yml names a kind the triage rules understand."""
    for spec in red_flag_specs():
        assert RedFlagKind(spec.kind)


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("no fever or chills", ("fever", "chills")),
        ("not on chemo", ("cancer_treatment",)),
        ("temp 37.2 now", ("fever",)),
        ("I have a fever", ()),
    ],
)
def test_what_the_person_denies(text: str, negated: tuple[str, ...]) -> None:
    """Denied red flags and treatment are kept, so a conversation can clear what was said before."""
    assert parse_text(text).context.negated == negated


@pytest.mark.parametrize(
    ("text", "today", "long"),
    [
        ("fever since friday, today is tuesday", None, True),
        ("fever since friday", 0, False),  # said on a Monday: 3 days
        ("fever since thursday", 0, True),  # 4 days
        ("temp up since last wednesday", 0, True),  # said on a Monday: 5 days
        ("fever since monday", 0, True),  # said on a Monday: a week
        ("fever for 2 days", 0, False),
    ],
)
def test_how_long_a_fever_has_lasted(text: str, today: int | None, long: bool) -> None:
    """A fever "since Friday" counts the days to today (the day said, else the clock's)."""
    assert _long_fever(text, today) is long
