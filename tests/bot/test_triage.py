"""Urgency rules of clinical-reference.md section 6 (bot/judge/triage.py), each one both ways."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.judge.interpret import categorise
from bot.judge.triage import assess, has_fever, in_low_count_context
from bot.model import (
    Analyte,
    ClinicalContext,
    Finding,
    LabRange,
    RedFlag,
    RedFlagKind,
    Urgency,
)
from bot.reference import tables, wording

E, S, R = Urgency.EMERGENCY, Urgency.SAME_DAY, Urgency.ROUTINE
RANK = {R: 0, S: 1, E: 2}


def count(
    cells: float | None,
    analyte: Analyte = Analyte.WBC,
    age: float | None = 30.0,
    lab_range: LabRange | None = None,
) -> Finding:
    """A finding judged the way interpret judges it."""
    judgement = categorise(analyte, cells, age, lab_range)
    return Finding(
        analyte=analyte,
        text="?" if cells is None else f"{cells:g}",
        start=0,
        cells_per_ul=cells,
        unit_assumed=False,
        category=judgement.category,
        grade=judgement.grade,
        reference=judgement.reference,
    )


def flag(name: str, kind: RedFlagKind) -> RedFlag:
    """A red flag as the symptom reader gives it."""
    return RedFlag(name, kind, name.replace("_", " "), 0)


FEVER = flag("fever", RedFlagKind.FEVER)
CHILLS = flag("chills", RedFlagKind.FEVER)
BREATHING = flag("trouble_breathing", RedFlagKind.EMERGENCY_SIGN)
SORE_THROAT = flag("sore_throat", RedFlagKind.INFECTION_SIGN)


def context(
    *flags: RedFlag, on_cancer_treatment: bool = False, says_low_count: bool = False
) -> ClinicalContext:
    """A clinical context with red flags."""
    return ClinicalContext(
        red_flags=flags, on_cancer_treatment=on_cancer_treatment, says_low_count=says_low_count
    )


RULES = [
    # emergency
    ("emergency-sign-alone", [], context(BREATHING), E),
    ("emergency-sign-with-normal-count", [count(7000.0)], context(BREATHING), E),
    ("fever-and-low", [count(3000.0)], context(FEVER), E),
    ("chills-and-low", [count(3000.0)], context(CHILLS), E),
    ("fever-and-critically-low", [count(1500.0)], context(FEVER), E),
    ("fever-and-needs-unit", [count(None)], context(FEVER), E),
    ("fever-and-implausible", [count(0.0)], context(FEVER), E),
    ("fever-and-anc-999", [count(999.0, Analyte.ANC)], context(FEVER), E),
    ("fever-and-anc-1499", [count(1499.0, Analyte.ANC)], context(FEVER), S),
    ("fever-and-infant-anc-1200", [count(1200.0, Analyte.ANC, 0.5)], context(FEVER), S),
    ("fever-and-infant-anc-900", [count(900.0, Analyte.ANC, 0.5)], context(FEVER), E),
    (
        "fever-and-anc-low-by-lab",
        [count(1600.0, Analyte.ANC, None, LabRange(1800, 7700))],
        context(FEVER),
        S,
    ),
    ("fever-and-child-low", [count(5000.0, age=1.0)], context(FEVER), E),
    ("fever-normal-and-chemo", [count(7000.0)], context(FEVER, on_cancer_treatment=True), E),
    ("fever-chemo-no-count", [], context(FEVER, on_cancer_treatment=True), E),
    ("fever-and-says-low", [], context(FEVER, says_low_count=True), E),
    ("temperature-38-and-low", [count(3000.0)], ClinicalContext(temperature_c=38.0), E),
    ("infection-sign-fever-and-low", [count(3000.0)], context(SORE_THROAT, FEVER), E),
    # same_day
    ("critically-low", [count(1999.0)], context(), S),
    ("critically-high", [count(30000.0)], context(), S),
    ("critically-low-anc", [count(499.0, Analyte.ANC)], context(), S),
    ("fever-and-borderline", [count(4200.0)], context(FEVER), S),
    ("fever-and-normal", [count(7000.0)], context(FEVER), R),
    ("fever-and-borderline", [count(4200.0)], context(FEVER), S),
    (
        "fever-39.4-and-normal",
        [count(7000.0)],
        ClinicalContext(temperature_c=39.4, red_flags=(FEVER,)),
        S,
    ),
    (
        "chemo-temperature-35.5",
        [],
        ClinicalContext(temperature_c=35.5, on_cancer_treatment=True),
        E,
    ),
    (
        "chemo-temperature-37.6",
        [],
        ClinicalContext(temperature_c=37.6, on_cancer_treatment=True),
        S,
    ),
    ("fever-and-high", [count(15000.0)], context(FEVER), S),
    ("fever-and-anc-1500", [count(1500.0, Analyte.ANC)], context(FEVER), R),
    ("fever-and-no-count", [], context(FEVER), R),
    ("fever-and-critically-high", [count(45000.0)], context(FEVER), S),
    ("infection-sign-and-low", [count(3000.0)], context(SORE_THROAT), S),
    ("infection-sign-and-chemo", [], context(SORE_THROAT, on_cancer_treatment=True), S),
    ("infection-sign-and-says-low", [], context(SORE_THROAT, says_low_count=True), S),
    # routine
    ("low-without-fever", [count(3000.0)], context(), R),
    ("anc-mild-without-fever", [count(1200.0, Analyte.ANC)], context(), R),
    ("normal", [count(7000.0)], context(), R),
    ("borderline", [count(4200.0)], context(), R),
    ("high", [count(15000.0)], context(), R),
    ("needs-unit-without-fever", [count(None)], context(), R),
    ("temperature-37.9-and-low", [count(3000.0)], ClinicalContext(temperature_c=37.9), R),
    ("infection-sign-and-normal", [count(7000.0)], context(SORE_THROAT), R),
    ("infection-sign-no-count", [], context(SORE_THROAT), R),
    ("chemo-without-fever", [count(7000.0)], context(on_cancer_treatment=True), R),
    ("nothing-at-all", [], context(), R),
]


@pytest.mark.parametrize(
    ("findings", "clinical", "urgency"),
    [case[1:] for case in RULES],
    ids=[case[0] for case in RULES],
)
def test_urgency_rules(
    findings: list[Finding], clinical: ClinicalContext, urgency: Urgency
) -> None:
    """Each rule of section 6, and the case just outside it."""
    assert assess(findings, clinical)[0] is urgency


def test_emergency_starts_with_what_to_do() -> None:
    """First: seek emergency care now (911/112/999); then the oncology line; then why."""
    urgency, reasons = assess([count(3000.0)], context(FEVER))
    assert urgency is E
    assert reasons[0].startswith("Seek emergency care now. Call 911 (US), 112 (EU), 999 (UK)")
    assert "chemo" in reasons[1] and "24-hour line" in reasons[1]
    assert "low white count" in reasons[2] and "infection" in reasons[2]


def test_emergency_on_cancer_treatment_says_to_call_the_oncology_line() -> None:
    """Someone on treatment is told to call their team's 24-hour line too."""
    _, reasons = assess([count(7000.0)], context(FEVER, on_cancer_treatment=True))
    assert "24-hour line" in reasons[1] and "on chemo" in reasons[1]
    assert wording.key_of(reasons[2]) == "fever_cancer_treatment"


@pytest.mark.parametrize(
    ("findings", "clinical", "line"),
    [
        ([count(3000.0)], context(FEVER), "oncology_line_if_on_treatment"),
        (
            [count(7000.0)],
            context(BREATHING, on_cancer_treatment=True),
            "oncology_line_on_treatment",
        ),
        ([], context(BREATHING), None),
        ([count(7000.0)], context(BREATHING), None),
        ([], ClinicalContext(temperature_c=38.4, age_years=0.1), None),
    ],
    ids=["fever-low-count", "sign-on-chemo", "sign-alone", "sign-normal-count", "infant-fever"],
)
def test_the_oncology_line_only_where_it_applies(
    findings: list[Finding], clinical: ClinicalContext, line: str | None
) -> None:
    """The cancer team's line is given only where it applies.

    For anyone on treatment, asked about ("On chemo?") for a fever with a low count; not after a
    sign alone or a baby's fever.
    """
    urgency, reasons = assess(findings, clinical)
    assert urgency is E
    lines = [r for r in reasons if wording.key_of(r).startswith("oncology_line")]
    assert [wording.key_of(r) for r in lines] == ([line] if line else [])


@pytest.mark.parametrize(
    ("findings", "clinical", "start"),
    [
        ([], context(FEVER, says_low_count=True), "fever_says_low_count"),
        ([count(None)], context(FEVER), "fever_unread_count"),
        ([count(3000.0)], context(FEVER, CHILLS), "fever_low_count"),
        ([count(3000.0)], ClinicalContext(temperature_c=39.0), "fever_low_count"),
    ],
    ids=["says-low", "unread-count", "fever-and-chills", "temperature-only"],
)
def test_fever_reason_says_which_low_count_context(
    findings: list[Finding], clinical: ClinicalContext, start: str
) -> None:
    """The why of a fever emergency names what made the count context low."""
    _, reasons = assess(findings, clinical)
    assert wording.key_of(reasons[2]) == start
    assert "fever" in reasons[2].lower()


def test_emergency_sign_is_named_in_plain_words() -> None:
    """An emergency sign is named in plain words: "trouble_breathing" as "trouble breathing"."""
    chest = flag("chest_pain", RedFlagKind.EMERGENCY_SIGN)
    _, reasons = assess([], context(BREATHING, chest))
    assert reasons[1].startswith("You told me about trouble breathing and chest pain")


def test_emergency_gives_one_urgency_only() -> None:
    """Under an emergency lead no same-day reason ("contact your doctor today") is given."""
    urgency, reasons = assess([count(45000.0)], context(BREATHING))
    assert urgency is Urgency.EMERGENCY
    assert reasons[1].startswith("You told me about trouble breathing")
    assert not any("doctor today" in reason for reason in reasons)


@pytest.mark.parametrize(
    ("findings", "clinical", "text"),
    [
        ([count(1999.0)], context(), "A white count of 1,999 is very low"),
        ([count(400.0, Analyte.ANC)], context(), "infections are more likely"),
        ([count(15000.0)], context(FEVER), "with this white count needs"),
        ([count(1200.0, Analyte.ANC)], context(FEVER), "mildly low neutrophil count"),
        ([count(3000.0)], context(SORE_THROAT), "With a low count or during cancer treatment"),
    ],
    ids=[
        "critically-low",
        "severe-neutropenia",
        "fever-count-high",
        "fever-mild-neutropenia",
        "infection-sign",
    ],
)
def test_same_day_reasons(findings: list[Finding], clinical: ClinicalContext, text: str) -> None:
    """Same-day reasons say why, and to contact the doctor today."""
    urgency, reasons = assess(findings, clinical)
    assert urgency is S
    assert text in reasons[0]
    assert "today" in reasons[0]


def test_routine_reason_says_ranges_vary() -> None:
    """A routine answer never says "fine": talk with your doctor, ranges vary (MAYO-DEF)."""
    urgency, reasons = assess([count(7000.0)], context())
    assert urgency is R
    assert len(reasons) == 1
    assert "Ranges vary" in reasons[0] and "ask your doctor" in reasons[0]
    assert "fine" not in reasons[0]


def test_has_fever() -> None:
    """A fever-kind flag or 38.0 °C and up is a fever; 37.9 °C alone is not."""
    assert has_fever(context(CHILLS))
    assert has_fever(ClinicalContext(temperature_c=38.0))
    assert not has_fever(ClinicalContext(temperature_c=37.9))
    assert not has_fever(context(SORE_THROAT))


def test_low_count_context() -> None:
    """Low counts, unreadable counts, cancer treatment or saying so; not a borderline count."""
    assert in_low_count_context([count(3000.0)], context())
    assert in_low_count_context([count(None)], context())
    assert in_low_count_context([], context(on_cancer_treatment=True))
    assert in_low_count_context([], context(says_low_count=True))
    assert not in_low_count_context([count(4200.0)], context())
    assert in_low_count_context([count(-1.0, Analyte.ANC)], context())


FORBIDDEN = [
    "acetaminophen",
    "paracetamol",
    "ibuprofen",
    "tylenol",
    "fever reducer",
    "rectal",
    "fine",
    "wait",
    "your race",
    "ethnicity",
]


def test_no_wording_advises_what_the_bot_must_never_say() -> None:
    """Section 7: no fever reducers, rectal temperatures, "fine", waiting or race questions."""
    loaded = tables.tables()
    texts = [w.text.lower() for w in (*loaded.reasons.values(), *loaded.notes.values())]
    for text in texts:
        for word in FORBIDDEN:
            assert word not in text, (word, text)


# --- properties ----------------------------------------------------------------------------------

flags = st.sampled_from(
    [
        FEVER,
        CHILLS,
        BREATHING,
        SORE_THROAT,
        flag("new_cough", RedFlagKind.INFECTION_SIGN),
        flag("seizure", RedFlagKind.EMERGENCY_SIGN),
    ]
)
findings_strategy = st.lists(
    st.builds(
        count,
        st.none() | st.floats(min_value=-10, max_value=2_000_000),
        st.sampled_from(Analyte),
        st.none() | st.floats(min_value=0, max_value=90),
    ),
    max_size=3,
)
contexts = st.builds(
    ClinicalContext,
    temperature_c=st.none() | st.floats(min_value=35, max_value=42),
    red_flags=st.lists(flags, max_size=3).map(tuple),
    on_cancer_treatment=st.booleans(),
    says_low_count=st.booleans(),
)


@given(findings=findings_strategy, clinical=contexts, added=flags)
def test_adding_a_red_flag_never_lowers_urgency(
    findings: list[Finding], clinical: ClinicalContext, added: RedFlag
) -> None:
    """Whatever the counts and context, one more red flag never makes the answer less urgent."""
    before, _ = assess(findings, clinical)
    after, _ = assess(
        findings,
        ClinicalContext(
            temperature_c=clinical.temperature_c,
            red_flags=(*clinical.red_flags, added),
            on_cancer_treatment=clinical.on_cancer_treatment,
            says_low_count=clinical.says_low_count,
        ),
    )
    assert RANK[after] >= RANK[before]


@given(findings=findings_strategy, clinical=contexts)
def test_every_assessment_has_reasons(findings: list[Finding], clinical: ClinicalContext) -> None:
    """Every urgency comes with at least one reason; an emergency's first is what to do."""
    urgency, reasons = assess(findings, clinical)
    assert reasons and len(set(reasons)) == len(reasons)
    assert (urgency is E) == reasons[0].startswith("Seek emergency care now")
