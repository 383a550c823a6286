"""The FHIR core (bot/fhir/): reading, judging, refusing and answering in the FHIR R4 shape.

Codes and units, ages from birthDate, pregnancy from the Bundle, the lab's own range, an ANC from
a white count and a percentage, every refusal with its status and OperationOutcome, and every
answer in the FHIR R4 shape (HL7's JSON Schema).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import interpret_text
from bot.fhir import (
    FhirProblem,
    check_media_type,
    interpret_resource,
    read_json,
)
from bot.fhir.codes import COUNT_CODES, INTERPRETATION
from bot.fhir.read import MAX_ENTRIES
from bot.judge.interpret import categorise
from bot.model import Analyte
from tests.fhir import (
    EXAMPLES,
    LOINC,
    SNOMED,
    bundle,
    example,
    flag,
    observation,
    observations,
    parts,
    patient,
    quantity,
    schema_errors,
    value_of,
)

TODAY = date(2024, 5, 2)
LIMIT = 65536


def interpret(resource: dict[str, Any]) -> dict[str, Any]:
    """The answer to a resource, checked against the FHIR R4 schema."""
    answer = interpret_resource(resource, TODAY)
    assert schema_errors(answer) == []
    return answer


def judged(resource: dict[str, Any]) -> list[tuple[str, float, str]]:
    """(LOINC code, value, interpretation code) of each Observation in the answer."""
    return [
        (o["code"]["coding"][0]["code"], o["valueQuantity"]["value"], flag(o))
        for o in observations(interpret(resource))
    ]


def basis(resource: dict[str, Any]) -> str:
    """The text of the range the first count was judged against (the last referenceRange)."""
    return str(observations(interpret(resource))[0]["referenceRange"][-1].get("text", "lab"))


# ---------------------------------------------------------------------------------------------
# Codes and units


@pytest.mark.parametrize(("code", "analyte"), list(COUNT_CODES.items()), ids=list(COUNT_CODES))
def test_each_count_code_is_judged_as_its_analyte(code: str, analyte: tuple[Analyte, str]) -> None:
    """Every LOINC code of a count is judged with its analyte's adult table.

    3.2 thousand is a low white count and a normal neutrophil count.
    """
    expected = "L" if analyte[0] is Analyte.WBC else "N"
    assert judged(observation(code, 3.2, "10*3/uL")) == [(code, 3.2, expected)]


UNITS = [
    # (how the Quantity gives its unit, value, cells per microliter)
    ({"system": "http://unitsofmeasure.org", "code": "10*3/uL"}, 3.2, 3200),
    ({"system": "http://unitsofmeasure.org", "code": "10*9/L"}, 3.2, 3200),
    ({"system": "http://unitsofmeasure.org", "code": "/uL"}, 3200, 3200),
    ({"system": "http://unitsofmeasure.org", "code": "/mm3"}, 3200, 3200),
    ({"system": "http://unitsofmeasure.org", "code": "10*6/L"}, 3200, 3200),
    ({"system": "http://unitsofmeasure.org", "code": "/nL"}, 3.2, 3200),
    ({"system": "http://unitsofmeasure.org", "code": "10*3/mm3"}, 3.2, 3200),
    ({"system": "http://unitsofmeasure.org", "code": "{cells}/uL"}, 3200, 3200),
    ({"system": "http://unitsofmeasure.org", "code": "10*3{cells}/uL"}, 3.2, 3200),
    ({"unit": "10^3/uL"}, 3.2, 3200),  # no code: the unit text, "^" for the power of ten
    ({"unit": "10^9/L"}, 3.2, 3200),
    ({"unit": "10^3/µL"}, 3.2, 3200),  # micro sign
    ({"unit": "/mm3"}, 3200, 3200),
]


@pytest.mark.parametrize(
    ("unit", "value", "cells"), UNITS, ids=[str(u.get("code") or u["unit"]) for u, _, _ in UNITS]
)
def test_each_ucum_unit_is_read_to_cells_per_microliter(
    unit: dict[str, str], value: float, cells: int
) -> None:
    """Each UCUM unit (and "^" or "µ" in a unit text) gives the same count.

    The range the lab did not give is written back in the count's own unit.
    """
    resource = observation("6690-2", value)
    resource["valueQuantity"] = {"value": value, **unit}
    (answered,) = observations(interpret(resource))
    assert flag(answered) == "L"
    assert f"{cells:,}" in answered["note"][0]["text"]
    (ours,) = answered["referenceRange"]
    assert ours["low"]["value"] * cells / value == pytest.approx(4500)
    assert ours["high"]["value"] * cells / value == pytest.approx(11000)


ADULT_FLAGS = [
    ("6690-2", 1.5, "LL"),
    ("6690-2", 3.2, "L"),
    ("6690-2", 4.2, "L"),  # borderline low: below the range, if only just
    ("6690-2", 7.0, "N"),
    ("6690-2", 15.0, "H"),
    ("6690-2", 35.0, "HH"),
    ("751-8", 0.3, "LL"),
    ("751-8", 0.8, "L"),
    ("751-8", 1.2, "L"),
    ("751-8", 3.0, "N"),
    ("751-8", 9.0, "H"),
]


@pytest.mark.parametrize(("code", "value", "expected"), ADULT_FLAGS)
def test_v3_interpretation_codes_follow_the_chats_categories(
    code: str, value: float, expected: str
) -> None:
    """N, L, LL, H and HH, exactly as the chat's category of the same count."""
    analyte = COUNT_CODES[code][0]
    category = categorise(analyte, value * 1000).category
    assert INTERPRETATION[category][0] == expected
    assert judged(observation(code, value)) == [(code, value, expected)]


@settings(max_examples=200, deadline=None)
@given(
    code=st.sampled_from(list(COUNT_CODES)),
    cells=st.integers(min_value=1, max_value=1_000_000),
    unit=st.sampled_from([("10*3/uL", 1000), ("10*9/L", 1000), ("/uL", 1), ("/mm3", 1)]),
)
def test_any_count_in_any_unit_gets_the_chats_verdict(
    code: str, cells: int, unit: tuple[str, int]
) -> None:
    """Property: for every plausible count, the code is the v3 code of the chat's category."""
    analyte = COUNT_CODES[code][0]
    (answered,) = observations(
        interpret_resource(observation(code, cells / unit[1], unit[0]), TODAY)
    )
    assert flag(answered) == INTERPRETATION[categorise(analyte, cells).category][0]


# ---------------------------------------------------------------------------------------------
# Ages from birthDate, sex, pregnancy


AGES = [
    # (birthDate, effectiveDateTime, WBC x10^3/uL, flag, a word of the range used)
    ("2024-04-28", WHEN := "2024-05-01T08:30:00Z", 25.0, "N", "0 to 6 days"),  # adult: H
    ("2024-02-01", WHEN, 4.8, "L", "1 to under 6 months"),  # adult: normal
    ("2020-02-14", WHEN, 13.0, "N", "2 to under 6 years"),  # adult: H
    ("2014-01-10", WHEN, 4.6, "N", "6 to under 12 years"),
    ("2008-03-01", WHEN, 12.5, "N", "12 to under 18 years"),  # adult: H
    ("1994-03-01", WHEN, 12.5, "H", "Adult"),
    ("2020", WHEN, 13.0, "N", "2 to under 6 years"),  # a year alone: its middle
    ("2020-02", WHEN, 13.0, "N", "2 to under 6 years"),
    ("2020-02-14", None, 13.0, "N", "2 to under 6 years"),  # no date: today's age
    ("2020-02-14", WHEN, 35.0, "H", "2 to under 6 years"),  # critical high is for adults
]


@pytest.mark.parametrize(
    ("born", "when", "value", "expected", "band"),
    AGES,
    ids=[f"{born}-{value}" for born, _, value, _, _ in AGES],
)
def test_age_from_birth_date_picks_the_childs_band(
    born: str, when: str | None, value: float, expected: str, band: str
) -> None:
    """The age at the sample's date (or today) puts a child in the band the chat uses."""
    resource = bundle(patient(born, "male"), observation("6690-2", value, effectiveDateTime=when))
    assert judged(resource)[0][2] == expected
    assert band in basis(resource)


def test_an_infants_neutrophil_count_has_its_own_lower_limit() -> None:
    """An ANC of 1,200 is normal at 3 months (from 1,000) and low for an adult."""
    infant = bundle(patient("2024-02-01"), observation("751-8", 1.2))
    adult = bundle(patient("1980-01-01"), observation("751-8", 1.2))
    assert [judged(infant)[0][2], judged(adult)[0][2]] == ["N", "L"]


PREGNANT = {"coding": [{"system": SNOMED, "code": "77386006", "display": "Pregnant"}]}
NOT_PREGNANT = {"coding": [{"system": SNOMED, "code": "60001007", "display": "Not pregnant"}]}


def status(answer: dict[str, Any]) -> dict[str, Any]:
    return observation("82810-3", None, identifier="status", valueCodeableConcept=answer)


def gestation(value: float, unit: str, code: str = "49051-6") -> dict[str, Any]:
    return observation(code, value, unit, identifier="ga")


def condition(clinical: str = "active", verified: str = "confirmed") -> dict[str, Any]:
    system = "http://terminology.hl7.org/CodeSystem/condition-"
    return {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": system + "clinical", "code": clinical}]},
        "verificationStatus": {"coding": [{"system": system + "ver-status", "code": verified}]},
        "code": PREGNANT,
        "subject": {"reference": "Patient/p"},
    }


PREGNANCIES = [
    # (what else the Bundle says, flag of a white count of 15,200, a word of the range used)
    ([], "H", "Adult"),
    ([status(PREGNANT)], "N", "pregnancy"),
    ([gestation(30, "wk")], "N", "third trimester"),
    ([gestation(70, "d", "11884-4")], "H", "first trimester"),  # 10 weeks: up to 13,600
    ([status(PREGNANT), gestation(20, "wk")], "H", "second trimester"),  # up to 14,800
    ([condition()], "N", "pregnancy"),
    ([condition(clinical="resolved")], "H", "Adult"),
    ([condition(verified="refuted")], "H", "Adult"),
    ([status(NOT_PREGNANT), gestation(30, "wk")], "H", "Adult"),
]


@pytest.mark.parametrize(
    ("evidence", "expected", "range_word"),
    PREGNANCIES,
    ids=["none", "status", "weeks", "days", "status+weeks", "condition", "resolved", "refuted",
         "not-pregnant"],
)  # fmt: skip
def test_pregnancy_in_the_bundle_uses_pregnancys_range(
    evidence: list[dict[str, Any]], expected: str, range_word: str
) -> None:
    """Pregnancy in the Bundle judges the white count against pregnancy's range.

    A pregnancy status, a gestational age or an active Condition does it (by trimester when the
    weeks are known); "not pregnant" wins.
    """
    resource = bundle(patient("1995-01-20", "female"), *evidence, observation("6690-2", 15.2))
    assert [item[2] for item in judged(resource)] == [expected]
    assert range_word in basis(resource)


# ---------------------------------------------------------------------------------------------
# The lab's own range


def lab_range(low: float, high: float, unit: str = "10*3/uL") -> list[dict[str, Any]]:
    return [{"low": quantity(low, unit), "high": quantity(high, unit)}]


LAB_RANGES = [
    # (value, its unit, the lab's referenceRange, flag, referenceRange entries in the answer)
    (3.8, "10*3/uL", lab_range(4.0, 10.5), "L", 1),
    (4.2, "10*3/uL", lab_range(3.5, 10.5), "N", 1),  # adult table: borderline low
    (4200, "/uL", lab_range(3.5, 10.5), "N", 1),  # the range in its own unit
    (4.2, "10*3/uL", [{"high": quantity(10.5)}], "L", 2),  # one-sided: ours added
    (4.2, "10*3/uL", [{"low": quantity(3.5, "K/uL"), "high": quantity(10.5, "K/uL")}], "L", 2),
    (1.5, "10*3/uL", lab_range(1.0, 3.0), "LL", 1),  # critical limits hold
]


@pytest.mark.parametrize(("value", "unit", "ranges", "expected", "entries"), LAB_RANGES)
def test_the_labs_own_range_is_kept_and_judges(
    value: float, unit: str, ranges: list[dict[str, Any]], expected: str, entries: int
) -> None:
    """A usable range from the lab is kept as sent and judges the count, as in the chat.

    One that cannot be read stays, and the range used is added after it.
    """
    resource = observation("6690-2", value, unit, referenceRange=ranges)
    (answered,) = observations(interpret(resource))
    assert flag(answered) == expected
    assert answered["referenceRange"][: len(ranges)] == ranges
    assert len(answered["referenceRange"]) == entries


# ---------------------------------------------------------------------------------------------
# An ANC from a white count and a neutrophil percentage


def percent(value: float, when: str | None = None, identifier: str = "pct") -> dict[str, Any]:
    extra = {"effectiveDateTime": when} if when else {}
    return observation("770-8", value, "%", identifier=identifier, **extra)


def test_anc_is_computed_from_the_white_count_and_the_percentage() -> None:
    """An ANC is computed from WBC 3.0 x10^9/L and 40% neutrophils: 1.2 x10^9/L.

    That is low (mild neutropenia): an Observation derived from both, judged against the adult ANC
    range.
    """
    answer = interpret(bundle(patient("1971-09-03"), observation("6690-2", 3.0, "10*9/L"),
                              percent(40)))  # fmt: skip
    wbc, anc = observations(answer)
    assert flag(wbc) == "L"
    assert anc["code"]["coding"][0] == {
        "system": LOINC,
        "code": "26499-4",
        "display": "Neutrophils [#/volume] in Blood",
    }
    assert anc["valueQuantity"]["value"] == 1.2 and anc["valueQuantity"]["code"] == "10*9/L"
    assert flag(anc) == "L"
    assert [d["reference"] for d in anc["derivedFrom"]] == [
        "urn:uuid:00000000-0000-4000-8000-000000000002",
        "urn:uuid:00000000-0000-4000-8000-000000000003",
    ]
    assert anc["effectiveDateTime"] == wbc["effectiveDateTime"]
    assert "mild neutropenia" in value_of(answer, "details")


ANCS = [
    # (resources of the Bundle, (code, value, flag) of each answered Observation)
    ([observation("6690-2", 8000, "/uL"), percent(60)], [("6690-2", 8000, "N"),
                                                        ("26499-4", 4800, "N")]),
    ([observation("6690-2", 2.0, "10*3/uL"), percent(20)], [("6690-2", 2.0, "L"),
                                                          ("26499-4", 0.4, "LL")]),
    # An ANC of the lab's own: nothing computed (as in the chat).
    ([observation("6690-2", 3.0), observation("751-8", 1.0, identifier="anc"), percent(40)],
     [("6690-2", 3.0, "L"), ("751-8", 1.0, "L")]),
    # Two white counts: the percentage goes with the one taken at the same time.
    ([observation("6690-2", 9.0, identifier="a", effectiveDateTime="2024-04-01"),
      observation("6690-2", 3.0, identifier="b"), percent(50, WHEN)],
     [("6690-2", 9.0, "N"), ("6690-2", 3.0, "L"), ("26499-4", 1.5, "N")]),
    # ... and none when no time fits.
    ([observation("6690-2", 9.0, identifier="a", effectiveDateTime="2024-04-01"),
      observation("6690-2", 3.0, identifier="b"), percent(50, "2024-03-01")],
     [("6690-2", 9.0, "N"), ("6690-2", 3.0, "L")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("resources", "expected"), ANCS, ids=["per-ul", "severe", "lab-anc", "by-time", "no-time"]
)
def test_anc_cases(resources: list[dict[str, Any]], expected: list[tuple[str, float, str]]) -> None:
    """Which percentage goes with which white count, and when an ANC is computed at all."""
    assert judged(bundle(patient("1980-01-01"), *resources)) == expected


# ---------------------------------------------------------------------------------------------
# Specimens


SPECIMEN_TYPE = {"coding": [{"system": SNOMED, "code": "119297000", "display": "Blood specimen"}]}
URINE = {"resourceType": "Specimen", "id": "u", "type": {"text": "Urine"}}
FIRST_ENTRY = "urn:uuid:00000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("resource", "accepted"),
    [
        (observation(specimen={"display": "Venous blood"}), True),
        (observation(specimen={"reference": "Specimen/unknown"}), True),
        (observation(specimen={"display": "Urine"}), False),
        (
            observation(
                specimen={"reference": "#s"},
                contained=[{"resourceType": "Specimen", "id": "s", "type": SPECIMEN_TYPE}],
            ),
            True,
        ),
        (bundle(URINE, observation(specimen={"reference": "Specimen/u"})), False),
        (
            bundle(
                {"resourceType": "Specimen", "id": "c", "type": {"text": "Cerebrospinal fluid"}},
                observation(specimen={"reference": FIRST_ENTRY}),
            ),
            False,
        ),
    ],
    ids=["blood-display", "unknown-reference", "urine", "contained-blood", "urine-in-bundle",
         "csf-by-full-url"],
)  # fmt: skip
def test_only_blood_counts_are_interpreted(resource: dict[str, Any], accepted: bool) -> None:
    """A named specimen that is not blood is refused (422).

    Blood, or a specimen that cannot be looked up, is taken (the LOINC code says blood).
    """
    if accepted:
        assert judged(resource)[0][2] == "L"
    else:
        with pytest.raises(FhirProblem) as refused:
            interpret_resource(resource, TODAY)
        assert (refused.value.status, refused.value.code) == (422, "not-supported")
        assert refused.value.expression is not None and "specimen" in refused.value.expression


# ---------------------------------------------------------------------------------------------
# Every refusal: HTTP status, issue code and an OperationOutcome in the FHIR shape


def answer(body: bytes, content_type: str | None = "application/fhir+json") -> tuple[int, Any]:
    """What the HTTP route answers (its status and resource), without a server."""
    try:
        check_media_type(content_type)
        return 200, interpret_resource(read_json(body, LIMIT), TODAY)
    except FhirProblem as problem:
        return problem.status, problem.outcome()


def as_body(resource: Any) -> bytes:
    return json.dumps(resource).encode()


def without(resource: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if key not in keys}


HEMOGLOBIN = observation("718-7", 13.5, "g/dL")
BAD = [
    # (name, body, content type, HTTP status, issue code)
    ("not-json", b"{bad", "application/json", 400, "invalid"),
    ("not-utf8", b'{"a": "\xff"}', "application/json", 400, "invalid"),
    ("nan", b'{"resourceType": "Observation", "x": NaN}', "application/json", 400, "invalid"),
    ("array", b"[]", "application/json", 400, "structure"),
    ("deep", b'{"a":' * 40 + b"1" + b"}" * 40, "application/json", 400, "structure"),
    ("very-deep", b"[" * 60000, "application/json", 400, "structure"),
    ("huge", b" " * (LIMIT + 1), "application/json", 413, "too-costly"),
    ("text-plain", as_body(observation()), "text/plain", 415, "not-supported"),
    ("xml", b"<Observation/>", "application/fhir+xml", 415, "not-supported"),
    ("no-content-type", as_body(observation()), "", 415, "not-supported"),
    ("no-resource-type", as_body(without(observation(), "resourceType")), None, 400, "structure"),
    ("patient", as_body(patient("1990-01-01")), None, 422, "not-supported"),
    ("other-code", as_body(HEMOGLOBIN), None, 422, "not-supported"),
    ("no-loinc", as_body(observation(code={"coding": [{"system": "urn:lab", "code": "W"}]})),
     None, 422, "not-supported"),
    ("no-code", as_body(without(observation(), "code")), None, 422, "required"),
    ("value-string", as_body(without(observation(valueString="3.2"), "valueQuantity")), None,
     422, "value"),
    ("data-absent", as_body(without(observation(dataAbsentReason={"text": "lost"}),
                                    "valueQuantity")), None, 422, "required"),
    ("no-value", as_body(observation(valueQuantity={"unit": "10*3/uL"})), None, 422, "required"),
    ("value-text", as_body(observation(value="3.2")), None, 422, "required"),
    ("value-bool", as_body(observation(value=True)), None, 422, "required"),
    ("negative", as_body(observation(value=-1)), None, 422, "value"),
    ("quantity-array", as_body(observation(valueQuantity=[3.2])), None, 400, "structure"),
    ("comparator", as_body(observation(valueQuantity=quantity(0.1, comparator="<"))), None, 422,
     "not-supported"),
    ("k-per-ul", as_body(observation(unit="K/uL")), None, 422, "not-supported"),
    ("x10e3", as_body(observation(valueQuantity={"value": 3.2, "unit": "x10E3/uL"})), None, 422,
     "not-supported"),
    ("caret-as-code", as_body(observation(unit="10^3/uL")), None, 422, "not-supported"),
    ("other-system", as_body(observation(valueQuantity={"value": 3.2, "code": "10*3/uL",
                                                        "system": "urn:units"})), None, 422,
     "not-supported"),
    ("no-unit", as_body(observation(unit=None)), None, 422, "required"),
    ("count-in-percent", as_body(observation(unit="%")), None, 422, "not-supported"),
    ("percent-in-count-unit", as_body(bundle(observation(), observation("770-8", 40))), None,
     422, "not-supported"),
    ("percent-over-100", as_body(bundle(observation(), percent(140))), None, 422, "value"),
    ("zero-white-count", as_body(observation(value=0)), None, 422, "value"),
    ("huge-count", as_body(observation(value=5_000_000, unit="/uL")), None, 422, "value"),
    ("urine", as_body(observation(specimen={"display": "Urine"})), None, 422, "not-supported"),
    ("entered-in-error", as_body(observation(status="entered-in-error")), None, 422,
     "business-rule"),
    ("no-count-in-bundle", as_body(bundle(patient(), HEMOGLOBIN)), None, 422, "not-supported"),
    ("percent-alone", as_body(percent(40)), None, 422, "not-supported"),
    ("percent-without-count", as_body(bundle(percent(40))), None, 422, "not-supported"),
    ("two-patients", as_body(bundle(patient(), patient(), observation())), None, 422,
     "business-rule"),
    ("entries-not-array", as_body({"resourceType": "Bundle", "entry": {}}), None, 400,
     "structure"),
    ("entry-without-resource", as_body({"resourceType": "Bundle", "entry": [{}]}), None, 400,
     "structure"),
    ("too-many-entries", as_body(bundle(*[observation()] * (MAX_ENTRIES + 1))), None, 422,
     "too-costly"),
    ("born-after", as_body(bundle(patient("2025-01-01"), observation())), None, 422, "value"),
    ("bad-birth-date", as_body(bundle(patient("01/02/1990"), observation())), None, 422,
     "value"),
    ("bad-date", as_body(observation(effectiveDateTime="yesterday")), None, 422, "value"),
    ("impossible-date", as_body(observation(effectiveDateTime="2024-02-30")), None, 422,
     "value"),
    ("gestation-60-weeks", as_body(bundle(gestation(60, "wk"), observation())), None, 422,
     "value"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_input_gets_an_operation_outcome(
    body: bytes, content_type: str | None, status: int, code: str
) -> None:
    """Each kind of bad input gets its HTTP status and an OperationOutcome.

    The OperationOutcome (FHIR R4 shape) has one error issue, the fitting code and a plain
    diagnostic.
    """
    if content_type is None:
        content_type = "application/fhir+json"
    got_status, outcome = answer(body, content_type)
    assert (got_status, outcome["resourceType"]) == (status, "OperationOutcome")
    assert schema_errors(outcome) == []
    (issue,) = outcome["issue"]
    assert (issue["severity"], issue["code"]) == ("error", code)
    assert 10 < len(issue["diagnostics"]) < 300
    assert "Traceback" not in issue["diagnostics"]


def test_a_diagnostic_quotes_at_most_a_little_of_what_was_sent() -> None:
    """A long unit is quoted shortened, so a diagnostic never carries a whole body back."""
    status, outcome = answer(as_body(observation(unit="x" * 5000)))
    assert status == 422
    assert len(outcome["issue"][0]["diagnostics"]) < 200


def test_json_media_types_with_parameters_are_taken() -> None:
    """application/json and application/fhir+json, with a charset or fhirVersion."""
    for content_type in (
        "application/json",
        "application/fhir+json; fhirVersion=4.0",
        "Application/JSON; charset=utf-8",
    ):
        assert answer(as_body(observation()), content_type)[0] == 200


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=20,
)  # fmt: skip
FIELDS = st.sampled_from(
    ["code", "valueQuantity", "status", "specimen", "referenceRange", "interpretation",
     "effectiveDateTime", "effectivePeriod", "contained", "valueString", "entry", "subject"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["Observation", "Bundle"]),
    fields=st.dictionaries(FIELDS, JSON_VALUES, max_size=6),
    base=st.booleans(),
)
def test_arbitrary_json_never_raises_anything_but_a_refusal(
    kind: str, fields: dict[str, Any], base: bool
) -> None:
    """Property: whatever the fields hold, the answer is a Parameters resource or a FhirProblem.

    A FhirProblem is an OperationOutcome; no other exception is ever raised.
    """
    start = observation() if base and kind == "Observation" else {}
    if base and kind == "Bundle":
        start = bundle(observation(), patient("1990-01-01"))
    resource = {**start, **fields, "resourceType": kind}
    try:
        result = interpret_resource(resource, TODAY)
    except FhirProblem as problem:
        assert problem.status in (400, 422)
        return
    assert result["resourceType"] == "Parameters"


# ---------------------------------------------------------------------------------------------
# The examples of docs/fhir/, the shape of the answer and the chat's message

EXAMPLE_FLAGS = {
    "wbc-adult-low.json": [("6690-2", 3.2, "L")],
    "wbc-lab-range.json": [("26464-8", 3.8, "L")],
    "anc-critical.json": [("751-8", 0.4, "LL")],
    "bundle-child.json": [("6690-2", 13.0, "N")],
    "bundle-anc.json": [("6690-2", 3.0, "L"), ("26499-4", 1.2, "L")],
    "bundle-pregnancy.json": [("6690-2", 15.2, "N")],
    "demo-result.json": [("6690-2", 3.2, "L")],
}


def test_every_example_is_in_the_table() -> None:
    assert sorted(path.name for path in EXAMPLES.glob("*.json")) == sorted(EXAMPLE_FLAGS)


@pytest.mark.parametrize("name", sorted(EXAMPLE_FLAGS))
def test_examples_are_fhir_r4_and_their_answers_too(name: str) -> None:
    """Each example resource and its answer pass HL7's FHIR R4 JSON Schema.

    The answer has each part once (sources as title + url), a known urgency and the verdicts of the
    table.
    """
    resource = example(name)
    assert schema_errors(resource) == []
    result = interpret(resource)
    assert judged(resource) == EXAMPLE_FLAGS[name]
    for once in ("explanation", "urgency", "disclaimer", "chatMessage"):
        assert len(parts(result, once)) == 1
    assert value_of(result, "urgency") in ("routine", "same_day", "emergency")
    sources = parts(result, "source")
    assert sources
    for source in sources:
        assert [part["name"] for part in source["part"]] == ["title", "url"]
        assert source["part"][1]["valueUri"].startswith("https://")


def test_a_critical_count_is_same_day() -> None:
    """An ANC of 400 is urgent the same day, as in the chat."""
    assert value_of(interpret(example("anc-critical.json")), "urgency") == "same_day"


def test_the_input_observation_is_kept_as_sent() -> None:
    """Only interpretation, a range (when none was given) and a note are added."""
    resource = example("wbc-adult-low.json")
    (answered,) = observations(interpret(resource))
    added = {"interpretation", "referenceRange", "note"}
    assert {key: answered[key] for key in resource} == resource
    assert set(answered) - set(resource) == added


CHAT_CASES = [
    *(example(name) for name in sorted(EXAMPLE_FLAGS)),
    *(bundle(patient(born, "female"), observation("6690-2", value, effectiveDateTime=when))
      for born, when, value, _, _ in AGES if when),
    *(bundle(patient("1995-01-20", "female"), *evidence, observation("6690-2", 15.2))
      for evidence, _, _ in PREGNANCIES),
    *(bundle(patient("1980-01-01"), *resources) for resources, _ in ANCS),
]  # fmt: skip


@pytest.mark.parametrize("resource", CHAT_CASES)
def test_the_chat_reads_its_message_as_the_fhir_answer_says(resource: dict[str, Any]) -> None:
    """The chat reads the widget's message for a result into the FHIR answer's counts and verdicts.

    The chat explains what the FHIR answer coded.
    """
    result = interpret(resource)
    fhir = [(flag(o), o["code"]["coding"][0]["code"]) for o in observations(result)]
    chat = interpret_text(value_of(result, "chatMessage"))
    codes_of = {Analyte.WBC: ("6690-2", "26464-8"), Analyte.ANC: ("751-8", "753-4", "26499-4")}
    assert len(chat.findings) == len(fhir)
    for finding, (code_given, loinc) in zip(chat.findings, fhir, strict=True):
        assert loinc in codes_of[finding.analyte]
        assert INTERPRETATION[finding.category][0] == code_given


def test_the_demo_page_carries_the_demo_example() -> None:
    """The clinic page's "Explain my result" holds docs/fhir/demo-result.json, as FHIR JSON."""
    page = (EXAMPLES.parent.parent / "web" / "static" / "index.html").read_text(encoding="utf-8")
    block = page.split('<script type="application/fhir+json" id="latest-result">', 1)[1]
    assert json.loads(block.split("</script>", 1)[0]) == example("demo-result.json")
    assert 'data-wbc-explain="latest-result"' in page
